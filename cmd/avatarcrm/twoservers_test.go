package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/internal/messaging/clicksendtest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// testOffsetEnv shifts a child's clock, and its schedules' timers, by a
// duration (virtual = real + offset): two children given the same offset
// agree on the time, and a schedule's slot can be put a few seconds ahead.
const testOffsetEnv = "AVATARCRM_TEST_CLOCK_OFFSET"

// shiftedClock is the real clock moved by offset; its timers are real.
type shiftedClock struct {
	clockwork.Clock
	offset time.Duration
}

func (c shiftedClock) Now() time.Time                  { return c.Clock.Now().Add(c.offset) }
func (c shiftedClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c shiftedClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// TestTwoServers_OneDatabase_EachReminderOnce: two `avatarcrm serve`
// processes on one database (a SQLite file; a PostgreSQL database), both
// working jobs and both running the schedules' timers, with their clocks
// set so the reminders schedule's 5-minute slot comes 15 s after they
// start. Both timers fire the slot; it is one job, and its reminders
// (twelve patients booked 90 minutes ahead: their 2 h reminder is due)
// reach the fake ClickSend once each, whichever process sends them.
func TestTwoServers_OneDatabase_EachReminderOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program twice")
	}
	for _, dbc := range []struct {
		name string
		env  func(t *testing.T) map[string]string
	}{
		{"sqlite", func(t *testing.T) map[string]string {
			return map[string]string{"AVATARCRM_DATABASE_URL": "sqlite:" + testutil.DemoDBPath(t), "AVATARCRM_AUDIT_KEY_FILE": testutil.AuditKeyFile(t)}
		}},
		{"postgres", func(t *testing.T) map[string]string {
			return map[string]string{"AVATARCRM_DATABASE_URL": testutil.PostgresURL(t), "AVATARCRM_AUDIT_KEY_FILE": filepath.Join(t.TempDir(), "audit.key"), "AVATARCRM_SEED_DEMO": "true"}
		}},
	} {
		t.Run(dbc.name, func(t *testing.T) { twoServers(t, dbc.env(t)) })
	}
}

func twoServers(t *testing.T, dbEnv map[string]string) {
	fake := clicksendtest.New(t)
	fake.SetDelay(30 * time.Millisecond)
	// The slot: 09:00 in Sydney on the test day (a 5-minute boundary).
	slot := testutil.Now.Truncate(5 * time.Minute)
	env := map[string]string{
		"AVATARCRM_ADDR":         "127.0.0.1:0",
		"AVATARCRM_DEV":          "false",
		"AVATARCRM_SEED_DEMO":    "false",
		"AVATARCRM_JOBS_WORKERS": "4",
		"AVATARCRM_SCHEDULES":    "true",
		// Debug: each process logs its timer's "schedule fired".
		"AVATARCRM_LOG_LEVEL":          "debug",
		"AVATARCRM_SMS_PROVIDER":       "clicksend",
		"AVATARCRM_CLICKSEND_BASE_URL": fake.URL,
		"AVATARCRM_CLICKSEND_USERNAME": clicksendtest.Username,
		"AVATARCRM_CLICKSEND_API_KEY":  clicksendtest.APIKey,
		"AVATARCRM_CLICKSEND_RATE":     "1000",
	}
	for k, v := range dbEnv {
		env[k] = v
	}

	// Twelve patients booked for 10:30, set up at 08:40: at 09:00 their
	// 2 h reminder is due (the 24 h one was due yesterday and is dropped).
	a, closeApp := openInserter(t, env, slot.Add(-20*time.Minute))
	ec := a.Ent.Ent
	admin := testutil.As(t, ec, "admin@example.com")
	sys := viewer.Operator.Grant(context.Background(), "test")
	loc, err := ec.Location.Query().Where(location.Code("SYD")).Only(sys)
	if err != nil || loc.Timezone != "Australia/Sydney" {
		t.Fatalf("the demo's Sydney location: %v", err)
	}
	svc, err := ec.Service.Query().Where(service.LocationID(loc.ID)).First(sys)
	if err != nil {
		t.Fatal(err)
	}
	start := slot.Add(90 * time.Minute)
	phones := map[string]bool{}
	for i := range 12 {
		phone := fmt.Sprintf("+614918%05d", 20000+i)
		ct, err := ec.Contact.Create().SetFirstName(fmt.Sprintf("Twice%d", i)).SetLastName("Server").SetPhone(phone).SetSmsConsent(true).Save(admin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ec.Booking.Create().SetContactID(ct.ID).SetServiceID(svc.ID).SetStartsAt(start).
			SetEndsAt(start.Add(30 * time.Minute)).SetStatus("confirmed").Save(admin); err != nil {
			t.Fatal(err)
		}
		phones[phone] = true
	}
	closeApp()

	// Both start now; their clocks reach the slot at fireAt. Both must
	// have started their timers before it ("jobs" is logged after the
	// schedules start), or the test would prove nothing.
	fireAt := time.Now().Add(15 * time.Second)
	env[testOffsetEnv] = slot.Sub(fireAt).String()
	one := startChild(t, pairs(env), "serve")
	two := startChild(t, pairs(env), "serve")
	for !strings.Contains(one.out.String(), "msg=jobs") || !strings.Contains(two.out.String(), "msg=jobs") {
		if time.Now().After(fireAt.Add(-500 * time.Millisecond)) {
			t.Fatalf("the servers did not start their schedules within 15 s (machine too loaded?); outputs:\n%s\n---\n%s", one.out, two.out)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Open again (insert-only, the real clock is irrelevant) to read.
	r, closeReader := openInserter(t, withLog(dbEnv, "warn"), slot)
	defer closeReader()
	rc := r.Ent.Ent
	deadline := fireAt.Add(60 * time.Second)
	for {
		due, err := rc.Message.Query().Where(message.TemplateHasPrefix("reminder_")).Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		waiting, err := rc.Message.Query().Where(message.TemplateHasPrefix("reminder_"), message.StatusIn(message.StatusQueued, message.StatusDeferred)).Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		if due >= len(phones) && waiting == 0 && time.Now().After(fireAt) {
			break
		}
		if time.Now().After(deadline) || one.cmd.ProcessState != nil || two.cmd.ProcessState != nil {
			t.Fatalf("%d reminders queued, %d still waiting; output:\n%s\n---\n%s", due, waiting, one.out, two.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Let both timers' enqueues and any second scan finish before counting.
	time.Sleep(2 * time.Second)
	for _, c := range []*child{one, two} {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("serve did not stop cleanly: %v\n%s", err, c.out)
		}
	}

	if p := fake.Problems(); len(p) > 0 {
		t.Fatalf("requests not in ClickSend's format: %v", p)
	}
	ms, err := rc.Message.Query().Where(message.TemplateHasPrefix("reminder_")).All(sys)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	perPhone := map[string]int{}
	for _, m := range fake.Messages() {
		got[m.CustomString]++
		perPhone[m.To]++
	}
	for _, m := range ms {
		switch {
		case m.Status == message.StatusSent && got[string(m.ID)] != 1:
			t.Errorf("reminder %s (%s) reached ClickSend %d times", m.ID, m.Template, got[string(m.ID)])
		case m.Status != message.StatusSent && m.Status != message.StatusSuppressed:
			t.Errorf("reminder %s is %s (%s)", m.ID, m.Status, m.Error)
		}
	}
	for phone := range phones {
		if perPhone[phone] != 1 {
			t.Errorf("patient %s got %d reminders, want exactly 1", phone, perPhone[phone])
		}
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("message %s reached ClickSend %d times", id, n)
		}
	}
	var scans int
	if err := r.DB.SQL.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'schedule.reminders'`).Scan(&scans); err != nil {
		t.Fatal(err)
	}
	if scans != 1 {
		t.Errorf("%d reminders scans enqueued for one slot by two servers, want 1", scans)
	}
	// Both timers fired the slot: one enqueued the scan, the other's
	// enqueue was a duplicate.
	var dup int
	for i, c := range []*child{one, two} {
		fired := firedLine(c.out.String())
		if fired == "" {
			t.Errorf("serve %d never fired the reminders slot; the test did not run two schedulers", i+1)
		}
		if strings.Contains(fired, "duplicate=true") {
			dup++
		}
	}
	if dup != 1 {
		t.Errorf("%d of the two timers' enqueues were duplicates, want 1", dup)
	}
	t.Logf("%d reminders, %d reached ClickSend in %d requests; %d scan job", len(ms), len(fake.Messages()), fake.Requests(), scans)
}

// firedLine is a process's log line for the reminders slot's timer.
func firedLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, `msg="schedule fired"`) && strings.Contains(l, "schedule=reminders") {
			return l
		}
	}
	return ""
}

// withLog is env at another log level.
func withLog(env map[string]string, level string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	out["AVATARCRM_LOG_LEVEL"] = level
	return out
}
