package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	_ "github.com/avatarimaging/avatarcrm/internal/db" // the sqlite3_utc driver

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestWarmnessCLI: "warmness recalc" rescores every contact of every
// location. The demo data was scored on the test clock's day, months ago by
// the real clock, so aged touchpoints lower scores; the changes are in a
// verifiable audit trail.
func TestWarmnessCLI(t *testing.T) {
	path := testutil.DemoDBPath(t)
	keyFile := testutil.AuditKeyFile(t) // the demo data's trail was keyed with it
	env := envOf(map[string]string{"AVATARCRM_DATABASE_URL": "sqlite:" + path, "AVATARCRM_AUDIT_KEY_FILE": keyFile})
	conn, err := sql.Open("sqlite3_utc", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	scores := func() (sum, n int) {
		if err := conn.QueryRow(`SELECT coalesce(sum(warmness), 0), count(*) FROM contacts`).Scan(&sum, &n); err != nil {
			t.Fatal(err)
		}
		return sum, n
	}
	audited := func() (n int) {
		if err := conn.QueryRow(`SELECT count(*) FROM audit_entries WHERE resource_type = 'Contact'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before, contacts := scores()
	auditedBefore := audited()

	var out bytes.Buffer
	if err := run(context.Background(), []string{"warmness", "recalc"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("rescored %d contacts", contacts); !strings.HasPrefix(out.String(), want) {
		t.Errorf("output %q, want it to start %q", out.String(), want)
	}
	after, _ := scores()
	if after >= before {
		t.Errorf("the sum of scores went from %d to %d: months of ageing should lower it", before, after)
	}
	if audited() <= auditedBefore {
		t.Error("the rescoring left no audit entries")
	}
	out.Reset()
	if err := run(context.Background(), []string{"audit", "verify"}, env, &out, io.Discard); err != nil {
		t.Fatalf("audit verify: %v %s", err, out.String())
	}
	if err := run(context.Background(), []string{"warmness"}, env, io.Discard, io.Discard); err == nil {
		t.Error("warmness without recalc succeeded")
	}
}

// TestTasksReprioritizeCLI: the demo tasks were prioritised on the test
// clock's day, months ago by the real clock, so every open task with a due
// time is now overdue: the command makes those urgent (a person's own
// priority aside), says how many, and a second run has nothing to do.
func TestTasksReprioritizeCLI(t *testing.T) {
	path := testutil.DemoDBPath(t)
	keyFile := testutil.AuditKeyFile(t) // the demo data's trail was keyed with it
	env := envOf(map[string]string{"AVATARCRM_DATABASE_URL": "sqlite:" + path, "AVATARCRM_AUDIT_KEY_FILE": keyFile})
	conn, err := sql.Open("sqlite3_utc", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const stale = `SELECT count(*) FROM tasks WHERE status IN ('pending', 'in_progress') AND priority_manual = 0
		AND due_at IS NOT NULL AND due_at < ? AND priority <> 'urgent'`
	count := func() (n int) {
		if err := conn.QueryRow(stale, time.Now().UTC()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	if before == 0 {
		t.Fatal("the demo data has no open task that has become overdue: the test proves nothing")
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"tasks", "reprioritize"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("changed the priority of %d tasks", before); !strings.HasPrefix(out.String(), want) {
		t.Errorf("output %q, want it to start %q", out.String(), want)
	}
	if n := count(); n != 0 {
		t.Errorf("%d overdue open tasks are still not urgent", n)
	}
	out.Reset()
	if err := run(context.Background(), []string{"tasks", "reprioritize"}, env, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "changed the priority of 0 tasks") {
		t.Errorf("second run: %q, %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"audit", "verify"}, env, io.Discard, io.Discard); err != nil {
		t.Fatalf("audit verify: %v", err)
	}
}
