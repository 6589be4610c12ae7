package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestScheduleCLI: "schedule list" shows every schedule with its next run
// (each location's for local-time ones); "schedule run warmness" enqueues
// the current period and works it (the contacts are rescored, in the
// audit trail as the job); running it again does nothing more.
func TestScheduleCLI(t *testing.T) {
	path := testutil.DemoDBPath(t)
	env := envOf(map[string]string{
		"AVATARCRM_DATABASE_URL": "sqlite:" + path,
		// The key the demo data's trail was written with.
		"AVATARCRM_AUDIT_KEY_FILE": testutil.AuditKeyFile(t),
	})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"schedule", "list"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	// A header, three schedules in UTC, three per-location ones at SYD and PAR.
	if len(lines) != 1+3+2*3 {
		t.Fatalf("schedule list printed %d lines:\n%s", len(lines), out.String())
	}
	for _, want := range []string{"reminders", "recalls", "warmness", "reprioritize", "weekly-summary", "saved-reports", "SYD", "PAR", "AEDT"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("schedule list does not mention %q:\n%s", want, out.String())
		}
	}

	conn, err := sql.Open("sqlite3_utc", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	jobAudits := func() (n int) {
		if err := conn.QueryRow(`SELECT count(*) FROM audit_entries WHERE operation LIKE 'job:schedule.warmness#%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	out.Reset()
	if err := run(ctx, []string{"schedule", "run", "warmness"}, env, &out, io.Discard); err != nil {
		t.Fatalf("schedule run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "enqueued job") || !strings.Contains(out.String(), "completed") {
		t.Fatalf("first run printed:\n%s\nwant a job enqueued and completed", out.String())
	}
	audited := jobAudits()
	if audited == 0 {
		t.Error("the rescoring job left no audit entries naming it")
	}
	out.Reset()
	if err := run(ctx, []string{"schedule", "run", "warmness"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "already enqueued") || strings.Contains(out.String(), "completed") {
		t.Fatalf("second run printed:\n%s\nwant nothing done again", out.String())
	}
	if n := jobAudits(); n != audited {
		t.Errorf("the second run changed %d more contacts", n-audited)
	}
	if err := run(ctx, []string{"schedule", "run", "nope"}, env, io.Discard, io.Discard); err == nil {
		t.Error("running an unknown schedule succeeded")
	}
	if err := run(ctx, []string{"worker", "--jobs-workers", "0"}, env, io.Discard, io.Discard); err == nil {
		t.Error("a worker with no workers started")
	}
}

// TestScheduleRunReminders_Twice: "schedule run reminders" queues the
// reminders due (one message per patient and reminder, each with its send
// job or, with the outbox, sent as it is queued); the same period again is a duplicate, and the next period's scan
// finds them already queued: nothing is queued, so nothing sent, twice.
func TestScheduleRunReminders_Twice(t *testing.T) {
	old := cliClock
	t.Cleanup(func() { cliClock = old })
	cliClock = clock.Fixed(testutil.Now)
	path := testutil.DemoDBPath(t)
	env := envOf(map[string]string{
		"AVATARCRM_DATABASE_URL":   "sqlite:" + path,
		"AVATARCRM_AUDIT_KEY_FILE": testutil.AuditKeyFile(t),
	})
	conn, err := sql.Open("sqlite3_utc", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	count := func() (n, keys int) {
		if err := conn.QueryRow(`SELECT count(*), count(DISTINCT key) FROM messages WHERE template LIKE 'reminder_%'`).Scan(&n, &keys); err != nil {
			t.Fatal(err)
		}
		return n, keys
	}
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"schedule", "run", "reminders"}, env, &out, io.Discard); err != nil {
		t.Fatalf("schedule run reminders: %v\n%s", err, out.String())
	}
	first, keys := count()
	if first == 0 || keys != first {
		t.Fatalf("first run queued %d reminders with %d keys:\n%s", first, keys, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"schedule", "run", "reminders"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "already enqueued") {
		t.Fatalf("second run printed:\n%s", out.String())
	}
	cliClock = clock.Fixed(testutil.Now.Add(5 * time.Minute))
	if err := run(ctx, []string{"schedule", "run", "reminders"}, env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	// Each reminder waits for its send job, or was sent (or suppressed)
	// as it was queued: the outbox sends inline (messaging.Inline).
	var jobs, done int
	if err := conn.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'sms.send'`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(`SELECT count(*) FROM messages WHERE template LIKE 'reminder_%' AND status IN ('sent', 'suppressed')`).Scan(&done); err != nil {
		t.Fatal(err)
	}
	if n, _ := count(); n != first || jobs+done < first {
		t.Fatalf("after the next period: %d reminders (first %d), %d send jobs, %d sent or suppressed inline", n, first, jobs, done)
	}
}
