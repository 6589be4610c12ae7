package audit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/db"
)

// appendN writes n entries in transactions of their own.
func appendN(t *testing.T, l *audit.Log, n int) {
	t.Helper()
	for i := range n {
		if err := l.AppendNow(context.Background(), audit.Entry{Action: audit.ActionRequest, Path: "/x", Status: 200 + i%3}); err != nil {
			t.Fatal(err)
		}
	}
}

func headFileAt(t *testing.T, path string) *audit.HeadFile {
	t.Helper()
	f, err := audit.OpenHeadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func readHead(t *testing.T, path string) audit.Head {
	t.Helper()
	h, ok, err := audit.ReadHeadFile(path)
	if err != nil || !ok {
		t.Fatalf("head file %s: ok %v, %v", path, ok, err)
	}
	return h
}

func TestHeadFile_WrittenAfterEachWriteAndNeverBackwards(t *testing.T) {
	d := openSQLite(t)
	path := filepath.Join(t.TempDir(), "keys", "audit.head")
	l := newLog(t, d, audit.Options{HeadFile: headFileAt(t, path)})
	appendN(t, l, 3)
	l.Record(audit.Entry{Path: "/recorded"})
	// The background writer flushes within 100 ms and writes the head.
	deadline := time.Now().Add(5 * time.Second)
	for {
		h, ok, _ := audit.ReadHeadFile(path)
		if ok && h.ID == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("head file holds %v (ok %v), want entry 4", h, ok)
		}
		time.Sleep(20 * time.Millisecond)
	}
	want, err := l.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := readHead(t, path); got != want {
		t.Fatalf("head file %s, chain head %s", got, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("head file mode %04o, want 0600", st.Mode().Perm())
	}
	// No temporary files are left beside it.
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".audit-head-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Another writer of the same file never moves it back.
	f := headFileAt(t, path)
	if err := f.Write(audit.Head{ID: 2, MAC: strings.Repeat("a", 64)}); err != nil {
		t.Fatal(err)
	}
	if got := readHead(t, path); got != want {
		t.Fatalf("an older head replaced the newer: %s", got)
	}
	// The same entry with another MAC is a rewrite.
	if err := f.Write(audit.Head{ID: want.ID, MAC: strings.Repeat("b", 64)}); !errors.Is(err, audit.ErrHeadConflict) {
		t.Fatalf("conflicting head: %v", err)
	}
}

// TestHeadFile_ConcurrentWritersKeepTheNewest: many appends at once, each
// waking the writer; afterwards the file holds exactly the chain's head.
func TestHeadFile_ConcurrentWritersKeepTheNewest(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		path := filepath.Join(t.TempDir(), "audit.head")
		l := audit.New(d.Client, d.Dialect, testKey, audit.Options{HeadFile: headFileAt(t, path)})
		l.Start()
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { appendN(t, l, 10) })
		}
		wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			t.Fatal(err)
		}
		want, _ := l.Head(context.Background())
		if got := readHead(t, path); got != want || want.ID != 80 {
			t.Fatalf("head file %s, chain head %s (want entry 80)", got, want)
		}
	})
}

// TestCheckAtStart_DeletedNewest: a chain cut short (the newest entry, the
// newest three, all of them) with the triggers dropped is found at start.
func TestCheckAtStart_DeletedNewest(t *testing.T) {
	for _, tc := range []struct{ name, where, want string }{
		{"newest entry", "id = 10", "entries 10 to 10 were deleted"},
		{"newest three", "id > 7", "entries 8 to 10 were deleted"},
		{"all", "id > 0", "every entry was deleted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachDB(t, func(t *testing.T, d *db.DB) {
				path := filepath.Join(t.TempDir(), "audit.head")
				first := audit.New(d.Client, d.Dialect, testKey, audit.Options{HeadFile: headFileAt(t, path), Logger: quiet})
				appendN(t, first, 10)
				if h := readHead(t, path); h.ID != 10 {
					t.Fatalf("head file %s", h)
				}
				dropTriggers(t, d)
				if _, err := d.SQL.Exec("DELETE FROM audit_entries WHERE " + tc.where); err != nil {
					t.Fatal(err)
				}
				// The next start.
				l := audit.New(d.Client, d.Dialect, testKey, audit.Options{HeadFile: headFileAt(t, path), Logger: quiet})
				fixed, err := l.EnsureTriggers(context.Background(), d.SQL)
				if err != nil || len(fixed) != 2 {
					t.Fatalf("triggers repaired: %v, %v", fixed, err)
				}
				st, err := l.CheckAtStart(context.Background(), audit.StartTail)
				if err != nil {
					t.Fatal(err)
				}
				if st.OK || !hasProblem(st, audit.ProblemChainBroken, tc.want) || !hasProblem(st, audit.ProblemTriggers, "repaired") {
					t.Fatalf("status %+v, want chain_broken %q and triggers", st, tc.want)
				}
				// New entries still go in, but the head file stays as the
				// evidence of what was there.
				appendN(t, l, 12)
				if h := readHead(t, path); h.ID != 10 {
					t.Errorf("head file moved to %s after the break", h)
				}
				// The repaired triggers refuse deletes again.
				if _, err := d.SQL.Exec("DELETE FROM audit_entries WHERE id = 1"); err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("delete after the repair: %v", err)
				}
			})
		})
	}
}

func hasProblem(st audit.Status, kind, text string) bool {
	for _, p := range st.Problems {
		if p.Kind == kind && strings.Contains(p.Message, text) {
			return true
		}
	}
	return false
}

// TestCheckAtStart_IntactAndFirstStart: an intact chain passes and moves
// the head file forward; a first start without a head file begins one.
func TestCheckAtStart_IntactAndFirstStart(t *testing.T) {
	d := openSQLite(t)
	seed := audit.New(d.Client, d.Dialect, testKey, audit.Options{})
	appendN(t, seed, 5)
	path := filepath.Join(t.TempDir(), "audit.head")
	l := audit.New(d.Client, d.Dialect, testKey, audit.Options{HeadFile: headFileAt(t, path), Logger: quiet})
	if fixed, err := l.EnsureTriggers(context.Background(), d.SQL); err != nil || len(fixed) != 0 {
		t.Fatalf("triggers on a migrated database: %v, %v", fixed, err)
	}
	st, err := l.CheckAtStart(context.Background(), audit.StartTail)
	if err != nil || !st.OK {
		t.Fatalf("first start: %+v, %v", st, err)
	}
	if h := readHead(t, path); h.ID != 5 {
		t.Fatalf("head file after the first start: %s", h)
	}
	// Another writer (a second instance, a CLI command) adds entries; the
	// next start accepts the longer chain.
	appendN(t, seed, 3)
	l2 := audit.New(d.Client, d.Dialect, testKey, audit.Options{HeadFile: headFileAt(t, path), Logger: quiet})
	if st, err := l2.CheckAtStart(context.Background(), 4); err != nil || !st.OK {
		t.Fatalf("restart after other writers: %+v, %v", st, err)
	}
	if h := readHead(t, path); h.ID != 8 {
		t.Fatalf("head file after the restart: %s", h)
	}
	// A wrong key shows in the tail check.
	other := audit.New(d.Client, d.Dialect, []byte(strings.Repeat("k", 32)), audit.Options{HeadFile: headFileAt(t, path), Logger: quiet})
	if st, _ := other.CheckAtStart(context.Background(), audit.StartTail); st.OK || !hasProblem(st, audit.ProblemChainBroken, "MAC mismatch") {
		t.Fatalf("wrong key: %+v", st)
	}
}

// TestContinuity_DeletionWhileRunning: entries deleted while the server
// runs are noticed at its next append.
func TestContinuity_DeletionWhileRunning(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		path := filepath.Join(t.TempDir(), "audit.head")
		l := audit.New(d.Client, d.Dialect, testKey, audit.Options{HeadFile: headFileAt(t, path), Logger: quiet})
		appendN(t, l, 6)
		dropTriggers(t, d)
		if _, err := d.SQL.Exec("DELETE FROM audit_entries WHERE id > 4"); err != nil {
			t.Fatal(err)
		}
		if st := l.Status(); !st.OK {
			t.Fatalf("status before the next append: %+v", st)
		}
		appendN(t, l, 1)
		if st := l.Status(); st.OK || !hasProblem(st, audit.ProblemChainBroken, "entries 5 to 6 were deleted") {
			t.Fatalf("status after the next append: %+v", st)
		}
		if h := readHead(t, path); h.ID != 6 {
			t.Errorf("head file %s, want it kept at entry 6", h)
		}
	})
}

// TestEnsureTriggers_Disabled covers PostgreSQL's other ways around the
// triggers: disabling one, and emptying the function's body.
func TestEnsureTriggers_Disabled(t *testing.T) {
	d := openPostgres(t)
	l := audit.New(d.Client, d.Dialect, testKey, audit.Options{Logger: quiet})
	for _, q := range []string{
		`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_update_delete`,
		`CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END; $$`,
	} {
		if _, err := d.SQL.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	fixed, err := l.EnsureTriggers(context.Background(), d.SQL)
	if err != nil || len(fixed) != 2 {
		t.Fatalf("repaired %v, %v", fixed, err)
	}
	appendN(t, l, 1)
	for _, q := range []string{"DELETE FROM audit_entries", "TRUNCATE audit_entries", "UPDATE audit_entries SET email = 'x'"} {
		if _, err := d.SQL.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s after the repair: %v", q, err)
		}
	}
	// Two instances starting at once agree.
	var wg sync.WaitGroup
	dropTriggers(t, d)
	results := make([][]string, 2)
	for i := range 2 {
		wg.Go(func() {
			var err error
			results[i], err = audit.New(d.Client, d.Dialect, testKey, audit.Options{Logger: quiet}).EnsureTriggers(context.Background(), d.SQL)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(results[0]) + len(results[1]); n != 2 {
		t.Errorf("two instances repaired %v and %v, want the two triggers once", results[0], results[1])
	}
	var n int
	if err := d.SQL.QueryRow(`SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_entries'::regclass AND NOT tgisinternal`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d triggers, %v", n, err)
	}
}

func TestCustodyWarnings(t *testing.T) {
	data := t.TempDir()
	elsewhere := t.TempDir()
	if w := audit.CustodyWarnings(filepath.Join(data, "audit.key"), false, filepath.Join(data, "audit.head"), data); len(w) != 2 ||
		!strings.Contains(w[0], "inside the data directory") || !strings.Contains(w[0], "AVATARCRM_AUDIT_KEY_FILE") ||
		!strings.Contains(w[1], "AVATARCRM_AUDIT_HEAD_FILE") {
		t.Errorf("key and head in the data directory: %q", w)
	}
	if w := audit.CustodyWarnings(filepath.Join(data, "audit.key"), true, filepath.Join(elsewhere, "audit.head"), data); len(w) != 0 {
		t.Errorf("inline key, head elsewhere: %q", w)
	}
	if w := audit.CustodyWarnings(filepath.Join(elsewhere, "audit.key"), false, filepath.Join(elsewhere, "audit.head"), data); len(w) != 0 {
		t.Errorf("both elsewhere: %q", w)
	}
	// A sibling whose name starts like the data directory is not inside it.
	if w := audit.CustodyWarnings(data+"-keys/audit.key", false, "", data); len(w) != 0 {
		t.Errorf("sibling directory: %q", w)
	}
	// A relative data directory (./data) is compared as an absolute path.
	wd, _ := os.Getwd()
	rel, _ := filepath.Rel(wd, data)
	if w := audit.CustodyWarnings(filepath.Join(data, "k", "audit.key"), false, "", rel); len(w) != 1 {
		t.Errorf("relative data directory: %q", w)
	}
}
