package audit_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/audit/audittest"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// quiet swallows the writer's logs in tests that make it fail on purpose.
var quiet = slog.New(slog.DiscardHandler)

// testKey is the MAC key of every test chain: the demo database's, whose
// trail starts with the entry of the seeding.
var testKey = testutil.AuditKey

// openPostgres opens a fresh, migrated PostgreSQL database (or skips).
func openPostgres(tb testing.TB) *db.DB {
	tb.Helper()
	url := testutil.PostgresURL(tb)
	d, err := db.Open(context.Background(), db.Config{URL: url})
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate postgres: %v", err)
	}
	return d
}

// openSQLite opens a fresh, migrated SQLite file.
func openSQLite(tb testing.TB) *db.DB {
	tb.Helper()
	return testutil.OpenDB(tb)
}

// eachDB runs f on a fresh SQLite file and a fresh PostgreSQL database.
func eachDB(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Run("sqlite", func(t *testing.T) { f(t, testutil.OpenDB(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, openPostgres(t)) })
}

// newLog returns a started Log that is closed when the test ends.
func newLog(tb testing.TB, d *db.DB, opts audit.Options) *audit.Log {
	tb.Helper()
	l := audit.New(d.Client, d.Dialect, testKey, opts)
	l.Start()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			tb.Errorf("close audit log: %v", err)
		}
	})
	return l
}

// dropTriggers removes the append-only triggers, as an attacker with
// database write access would before tampering.
func dropTriggers(tb testing.TB, d *db.DB) {
	tb.Helper()
	if d.Dialect == dialect.Postgres {
		audittest.Exec(tb, d, `DROP TRIGGER audit_entries_no_update_delete ON audit_entries`)
		audittest.Exec(tb, d, `DROP TRIGGER audit_entries_no_truncate ON audit_entries`)
		return
	}
	audittest.Exec(tb, d, "DROP TRIGGER audit_entries_no_update")
	audittest.Exec(tb, d, "DROP TRIGGER audit_entries_no_delete")
}

// storedIDs returns every id in the table, in order.
func storedIDs(tb testing.TB, d *db.DB) []int64 {
	tb.Helper()
	rows, err := d.SQL.Query("SELECT id FROM audit_entries ORDER BY id")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return ids
}

// assertContiguous checks the ids are exactly 1..n.
func assertContiguous(tb testing.TB, d *db.DB, n int) {
	tb.Helper()
	ids := storedIDs(tb, d)
	if len(ids) != n {
		tb.Fatalf("%d entries stored, want %d", len(ids), n)
	}
	for i, id := range ids {
		if id != int64(i+1) {
			tb.Fatalf("entry %d has id %d: ids are not contiguous from 1", i, id)
		}
	}
}

// assertVerifies checks the chain verifies with n entries.
func assertVerifies(tb testing.TB, l *audit.Log, n int) audit.Report {
	tb.Helper()
	rep, err := l.Verify(context.Background(), nil)
	if err != nil {
		tb.Fatalf("verify: %v", err)
	}
	if !rep.OK || rep.Checked != n {
		tb.Fatalf("verify = %+v, want OK with %d entries", rep, n)
	}
	return rep
}

// entry returns a distinct test entry.
func entry(i int) audit.Entry {
	return audit.Entry{
		Action: audit.ActionRequest, UserID: "usr_test", Email: "staff@example.com",
		LocationID: "loc_test", Method: "GET", Path: fmt.Sprintf("/ui/contacts/%d", i),
		IP: "203.0.113.7", UserAgent: "test", Status: 200, LatencyMS: i % 50,
	}
}
