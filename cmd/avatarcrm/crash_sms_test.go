package main

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/messaging/clicksendtest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// testNowEnv fixes a child's clock (RFC 3339), so the location's quiet
// hours and the bookings' reminder times do not depend on when the test
// runs. River's own timing stays real.
const testNowEnv = "AVATARCRM_TEST_NOW"

// openInserter opens the app on env's database in this process, its clock
// fixed at now, as a worker that works nothing: what it commits (contacts,
// with their events and jobs) is left to the child processes.
// Close it before the children start (t.Cleanup closes it otherwise).
func openInserter(t *testing.T, env map[string]string, now time.Time) (*app.App, func()) {
	t.Helper()
	e := map[string]string{"AVATARCRM_SEED_DEMO": "false", "AVATARCRM_LOG_LEVEL": "warn"}
	for k, v := range env {
		e[k] = v
	}
	e["AVATARCRM_JOBS_WORKERS"], e["AVATARCRM_SCHEDULES"] = "0", "false"
	cfg, err := config.Load(nil, envOf(e))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(cfg)
	a.Now = func() time.Time { return now }
	a.Worker = true
	if err := a.Open(context.Background()); err != nil {
		_ = a.Close()
		t.Fatal(err)
	}
	var once sync.Once
	closeApp := func() { once.Do(func() { _ = a.Close() }) }
	t.Cleanup(closeApp)
	return a, closeApp
}

// pairs turns settings into the child's environment.
func pairs(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

// TestCrash_SIGKILLWhileSendingSMS_EachWelcomeOnceAtClickSend: 40 new
// leads with SMS consent are committed (each with its contact.created
// event and rule job); the real program (`avatarcrm serve`, the clicksend
// provider pointed at a local fake ClickSend that takes 80 ms per send)
// runs the welcome rule and sends; it is killed with SIGKILL while sends
// are in flight, and a second `serve` on the same SQLite file finishes.
// ClickSend must hold exactly one welcome per lead — none lost, none
// twice — and every message must be recorded as sent. The kill lands
// among requests ClickSend receives but whose answers the dead process
// never records; without the send job's history check (Attempt.Again)
// those messages are sent twice and the test fails.
func TestCrash_SIGKILLWhileSendingSMS_EachWelcomeOnceAtClickSend(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program twice and kills it")
	}
	fake := clicksendtest.New(t)
	fake.SetDelay(80 * time.Millisecond)
	path := testutil.DemoDBPath(t)
	env := map[string]string{
		"AVATARCRM_DATABASE_URL":       "sqlite:" + path,
		"AVATARCRM_AUDIT_KEY_FILE":     testutil.AuditKeyFile(t),
		"AVATARCRM_ADDR":               "127.0.0.1:0",
		"AVATARCRM_DEV":                "false",
		"AVATARCRM_SEED_DEMO":          "false",
		"AVATARCRM_JOBS_WORKERS":       "4",
		"AVATARCRM_JOBS_TIMEOUT":       "1s",
		"AVATARCRM_JOBS_RESCUE_AFTER":  "2s",
		"AVATARCRM_SCHEDULES":          "false",
		"AVATARCRM_LOG_LEVEL":          "warn",
		"AVATARCRM_SMS_PROVIDER":       "clicksend",
		"AVATARCRM_CLICKSEND_BASE_URL": fake.URL,
		"AVATARCRM_CLICKSEND_USERNAME": clicksendtest.Username,
		"AVATARCRM_CLICKSEND_API_KEY":  clicksendtest.APIKey,
		"AVATARCRM_CLICKSEND_RATE":     "1000",
		testNowEnv:                     testutil.Now.Format(time.RFC3339),
	}

	// Commit the leads before any process works: every one of them is a
	// committed job chain (event → rule → message → send).
	a, closeApp := openInserter(t, env, testutil.Now)
	admin := testutil.As(t, a.Ent.Ent, "admin@example.com")
	const leads = 40
	phones := map[string]bool{}
	for i := range leads {
		phone := fmt.Sprintf("+614917%05d", 10000+i)
		consent, last := true, "Lead"
		in := ent.CreateContactInput{FirstName: fmt.Sprintf("Crash%d", i), LastName: &last, Phone: &phone, SmsConsent: &consent}
		if _, err := a.Contacts.Create(admin, in, false); err != nil {
			t.Fatal(err)
		}
		phones[phone] = true
	}
	if loc, err := a.Ent.Ent.Location.Query().Where(location.Code("SYD")).Only(viewer.Operator.Grant(context.Background(), "test")); err != nil || loc.Timezone != "Australia/Sydney" {
		t.Fatalf("the demo's Sydney location: %v", err)
	}
	closeApp()

	conn, err := sql.Open("sqlite3_utc", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	first := startChild(t, pairs(env), "serve")
	deadline := time.Now().Add(60 * time.Second)
	for len(fake.Messages()) < leads/3 {
		if time.Now().After(deadline) || first.cmd.ProcessState != nil {
			t.Fatalf("ClickSend got %d welcomes in 60 s; output:\n%s", len(fake.Messages()), first.out)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	atKill := len(fake.Messages())
	var recorded int
	if err := conn.QueryRow(`SELECT count(*) FROM messages WHERE template = 'welcome' AND status = 'sent'`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	// Requests in flight at the kill still land at ClickSend.
	time.Sleep(200 * time.Millisecond)
	inFlight := len(fake.Messages()) - recorded
	t.Logf("killed serve with %d welcomes at ClickSend (%d after the requests in flight landed), %d recorded as sent", atKill, len(fake.Messages()), recorded)
	if len(fake.Messages()) >= leads {
		t.Fatalf("every welcome was sent before the kill; the test proves nothing")
	}

	second := startChild(t, pairs(env), "serve")
	// Done when every lead's welcome is recorded as sent and no job of the
	// chain is left to run.
	deadline = time.Now().Add(90 * time.Second)
	for {
		var sent, pending int
		if err := conn.QueryRow(`SELECT count(*) FROM messages WHERE template = 'welcome' AND status = 'sent'`).Scan(&sent); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(`SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if sent == leads && pending == 0 {
			break
		}
		if time.Now().After(deadline) || second.cmd.ProcessState != nil {
			t.Fatalf("after the restart %d of %d welcomes recorded as sent, %d jobs left; output:\n%s", sent, leads, pending, second.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = second.cmd.Process.Signal(syscall.SIGTERM)
	if err := second.cmd.Wait(); err != nil {
		t.Errorf("serve did not stop cleanly on SIGTERM: %v\n%s", err, second.out)
	}

	if p := fake.Problems(); len(p) > 0 {
		t.Fatalf("requests not in ClickSend's format: %v", p)
	}
	perMessage := map[string]int{}
	perPhone := map[string]int{}
	for _, m := range fake.Messages() {
		perMessage[m.CustomString]++
		perPhone[m.To]++
	}
	for id, n := range perMessage {
		if n != 1 {
			t.Errorf("message %s reached ClickSend %d times", id, n)
		}
	}
	for phone := range phones {
		if perPhone[phone] != 1 {
			t.Errorf("lead %s got %d welcomes, want exactly 1", phone, perPhone[phone])
		}
	}
	if len(perPhone) != leads {
		t.Errorf("ClickSend got messages for %d numbers, want the %d leads", len(perPhone), leads)
	}
	// Each message's recorded ClickSend id is the one ClickSend gave it.
	rows, err := conn.Query(`SELECT id, provider_message_id FROM messages WHERE template = 'welcome'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	byCustom := map[string]string{}
	for _, m := range fake.Messages() {
		byCustom[m.CustomString] = m.MessageID
	}
	for rows.Next() {
		var id string
		var pid sql.NullString
		if err := rows.Scan(&id, &pid); err != nil {
			t.Fatal(err)
		}
		if !pid.Valid || pid.String != byCustom[id] {
			t.Errorf("message %s recorded ClickSend id %q, ClickSend gave %q", id, pid.String, byCustom[id])
		}
	}
	t.Logf("%d leads, %d sends, %d history look-ups; %d welcomes had reached ClickSend unrecorded at the kill",
		leads, fake.Requests(), fake.HistoryRequests(), inFlight)
}
