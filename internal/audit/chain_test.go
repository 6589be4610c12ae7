package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/audit/audittest"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestCanonical_Golden pins the canonical encoding and the MAC: changing
// either would make every existing trail fail verification.
func TestCanonical_Golden(t *testing.T) {
	e := audit.Entry{
		At:     time.Date(2026, 3, 10, 22, 0, 0, 123456789, time.FixedZone("AEDT", 11*3600)),
		UserID: "usr_1", Email: "staff@example.com", LocationID: "loc_1", Action: audit.ActionUpdate,
		ResourceType: "Contact", ResourceID: "con_1", Operation: "UpdateContact", Method: "POST",
		Path: "/graphql", IP: "203.0.113.7", UserAgent: "Mozilla/5.0", Status: 200, LatencyMS: 12,
		PHI: true, BodySHA256: "ab", Detail: "fields: phone",
	}
	want := "v1;id=1:7;at=27:2026-03-10T11:00:00.123456Z;user_id=5:usr_1;email=17:staff@example.com;" +
		"location_id=5:loc_1;action=6:update;resource_type=7:Contact;resource_id=5:con_1;" +
		"operation=13:UpdateContact;method=4:POST;path=8:/graphql;ip=11:203.0.113.7;" +
		"user_agent=11:Mozilla/5.0;status=3:200;latency_ms=2:12;phi=4:true;body_sha256=2:ab;detail=13:fields: phone"
	if got := string(audit.Canonical(7, e)); got != want {
		t.Fatalf("canonical:\n got %s\nwant %s", got, want)
	}
	// Same content, different value boundaries: the length prefixes keep
	// them apart.
	a, b := e, e
	a.Email, a.LocationID = "x;location_id=1:", "y"
	b.Email, b.LocationID = "x", ";location_id=1:y"
	if string(audit.Canonical(1, a)) == string(audit.Canonical(1, b)) {
		t.Fatal("canonical encoding is ambiguous")
	}
	// Computed independently: python3 -c "import hmac,hashlib; print(hmac.new(b'\\x42'*32, canonical.encode(), hashlib.sha256).hexdigest())"
	goldenKey := bytes.Repeat([]byte{0x42}, 32)
	mac := audit.ComputeMAC(goldenKey, "", 7, e)
	if len(mac) != 64 {
		t.Fatalf("mac %q is not 64 hex digits", mac)
	}
	const wantMAC = "953c75069e37e19c16a7c950d1f441c8aa3e3380ad94ea6eaba5b514c9df4f42"
	if mac != wantMAC {
		t.Logf("MAC changed: got %s (the canonical form or MAC changed: existing trails would no longer verify)", mac)
		t.Fail()
	}
	if audit.ComputeMAC(goldenKey, mac, 7, e) == mac {
		t.Fatal("prev_mac is not part of the MAC")
	}
}

func TestParseHead(t *testing.T) {
	mac := strings.Repeat("ab", 32)
	h, err := audit.ParseHead("42:" + mac)
	if err != nil || h.ID != 42 || h.MAC != mac {
		t.Fatalf("ParseHead = %+v, %v", h, err)
	}
	if got := h.String(); got != "42:"+mac {
		t.Fatalf("String = %q", got)
	}
	if h, err := audit.ParseHead("0:"); err != nil || h != (audit.Head{}) {
		t.Fatalf("empty head = %+v, %v", h, err)
	}
	for _, bad := range []string{"", "42", "x:" + mac, "-1:" + mac, "42:zz", "42:" + strings.ToUpper(mac), "42:abcd"} {
		if _, err := audit.ParseHead(bad); err == nil {
			t.Errorf("ParseHead(%q) succeeded", bad)
		}
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "audit.key")

	k1, err := audit.LoadKey(path, "")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(k1) != 32 {
		t.Fatalf("new key is %d bytes", len(k1))
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if st.Mode().Perm() != 0o600 {
			t.Errorf("key file mode %04o, want 0600", st.Mode().Perm())
		}
		if dst, _ := os.Stat(filepath.Dir(path)); dst.Mode().Perm() != 0o700 {
			t.Errorf("key directory mode %04o, want 0700", dst.Mode().Perm())
		}
	}
	k2, err := audit.LoadKey(path, "")
	if err != nil || hex.EncodeToString(k2) != hex.EncodeToString(k1) {
		t.Fatalf("reload = %x, %v; want the same key", k2, err)
	}

	inline := strings.Repeat("11", 32)
	if k, err := audit.LoadKey(path, inline); err != nil || hex.EncodeToString(k) != inline {
		t.Fatalf("inline key = %x, %v", k, err)
	}
	if _, err := audit.LoadKey(path, "1234"); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("short inline key: %v", err)
	}
	if _, err := audit.LoadKey(path, "not hex"); err == nil || !strings.Contains(err.Error(), "hex") {
		t.Fatalf("non-hex inline key: %v", err)
	}

	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.LoadKey(path, ""); err == nil || !strings.Contains(err.Error(), "readable by group or others") {
			t.Fatalf("group-readable key file: %v", err)
		}
	}

	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("abcd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.LoadKey(short, ""); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("short key file: %v", err)
	}
	if _, err := audit.ReadKeyFile(filepath.Join(dir, "missing.key")); err == nil {
		t.Fatal("ReadKeyFile created a key")
	}
}

// TestChain_RoundTrip writes through every path at once — Append in a
// caller's transaction, AppendNow, and Record — from concurrent goroutines,
// and checks the result is one contiguous, verifiable chain.
func TestChain_RoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := audit.New(d.Client, d.Dialect, testKey, audit.Options{})
		l.Start()

		// In a caller's transaction.
		tx, err := d.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(ctx, tx, entry(1), entry(2), entry(3)); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		// A rolled-back Append leaves nothing.
		tx, err = d.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(ctx, tx, entry(99)); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}

		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := range each {
					if err := l.AppendNow(ctx, entry(w*1000+i)); err != nil {
						errs <- err
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for i := range each {
					l.Record(entry(w*1000 + 500 + i))
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("AppendNow: %v", err)
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := l.Close(cctx); err != nil {
			t.Fatal(err)
		}
		n := 3 + 2*writers*each
		assertContiguous(t, d, n)
		rep := assertVerifies(t, l, n)
		h, err := l.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h.ID != int64(n) || h != rep.Head {
			t.Fatalf("head = %v, verify head = %v, want id %d", h, rep.Head, n)
		}
		if rep, err := l.Verify(ctx, &h); err != nil || !rep.OK {
			t.Fatalf("verify with the current head = %+v, %v", rep, err)
		}

		// Times round-trip at microsecond precision, in UTC.
		first, err := d.Client.AuditEntry.Get(viewer.Seed.Grant(ctx, "test"), 1)
		if err != nil {
			t.Fatal(err)
		}
		if first.At.Nanosecond()%1000 != 0 {
			t.Errorf("stored at %v has sub-microsecond digits", first.At)
		}
		if first.MAC != audit.ComputeMAC(testKey, audit.GenesisMAC, 1, audit.FromEnt(first).Entry) {
			t.Errorf("entry 1 mac %s is not chained to the genesis", first.MAC)
		}
		// Stored compact: the MAC as its 32 bytes, no prev_mac.
		var size int
		if err := d.SQL.QueryRow("SELECT length(mac) FROM audit_entries WHERE id = 1").Scan(&size); err != nil || size != 32 {
			t.Errorf("stored mac is %d bytes (%v), want 32", size, err)
		}
	})
}

// TestChain_Sanitises checks that strings PostgreSQL cannot store (NUL,
// invalid UTF-8) and overlong ones are stored as MACed, so they neither
// wedge the writer nor break verification.
func TestChain_Sanitises(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		l := newLog(t, d, audit.Options{})
		e := entry(1)
		e.Path = "/a\x00b\xff"
		e.UserAgent = strings.Repeat("é", 5000)
		e.At = time.Date(2026, 3, 10, 22, 0, 0, 999, time.UTC)
		if err := l.AppendNow(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		assertVerifies(t, l, 1)
		if err := l.AppendNow(context.Background(), audit.Entry{}); err == nil {
			t.Fatal("Append accepted an entry without an action")
		}
		// Record cannot refuse; an empty action is a request.
		l.Record(audit.Entry{Path: "/x"})
		if err := l.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		got, err := d.Client.AuditEntry.Get(viewer.Seed.Grant(context.Background(), "test"), 2)
		if err != nil || got.Action != audit.ActionRequest {
			t.Fatalf("recorded entry = %+v, %v", got, err)
		}
	})
}

// TestAppendOnly checks the database itself refuses to change or remove an
// entry, whoever asks.
func TestAppendOnly(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		l := newLog(t, d, audit.Options{})
		if err := l.AppendNow(context.Background(), entry(1), entry(2)); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			"UPDATE audit_entries SET email = 'mallory@example.com' WHERE id = 1",
			"DELETE FROM audit_entries WHERE id = 2",
			"DELETE FROM audit_entries",
		} {
			_, err := d.SQL.Exec(q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the append-only refusal", q, err)
			}
		}
		if d.Dialect == "postgres" {
			if _, err := d.SQL.Exec("TRUNCATE audit_entries"); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("TRUNCATE: err = %v, want the append-only refusal", err)
			}
		}
		assertVerifies(t, l, 2)
	})
}

// TestTamper plays an attacker with database write access (and no key):
// drop the triggers, then change the table. Verify must name the entry
// where the chain breaks.
func TestTamper(t *testing.T) {
	const n, k = 20, 8
	setup := func(t *testing.T, d *db.DB) *audit.Log {
		l := newLog(t, d, audit.Options{})
		for i := 1; i <= n; i++ {
			if err := l.AppendNow(context.Background(), entry(i)); err != nil {
				t.Fatal(err)
			}
		}
		assertVerifies(t, l, n)
		dropTriggers(t, d)
		return l
	}
	expectBad := func(t *testing.T, l *audit.Log, head *audit.Head, id int64, problem string) {
		t.Helper()
		rep, err := l.Verify(context.Background(), head)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || rep.FirstBadID != id || !strings.Contains(rep.Problem, problem) {
			t.Fatalf("verify = %+v, want entry %d reported with %q", rep, id, problem)
		}
		t.Logf("reported: entry %d: %s", rep.FirstBadID, rep.Problem)
	}
	cases := []struct {
		name string
		// tamper changes the table; it returns the id Verify must name
		// and a fragment of the problem.
		tamper func(t *testing.T, d *db.DB) (int64, string)
	}{
		{"edit a field", func(t *testing.T, d *db.DB) (int64, string) {
			audittest.Exec(t, d, "UPDATE audit_entries SET email = ? WHERE id = ?", "someone.else@example.com", k)
			return k, "MAC mismatch"
		}},
		{"edit the PHI flag", func(t *testing.T, d *db.DB) (int64, string) {
			audittest.Exec(t, d, "UPDATE audit_entries SET phi = ? WHERE id = ?", true, k)
			return k, "MAC mismatch"
		}},
		{"delete an entry", func(t *testing.T, d *db.DB) (int64, string) {
			// Reported at the first entry after the gap: the missing one no
			// longer exists to be named.
			audittest.Exec(t, d, "DELETE FROM audit_entries WHERE id = ?", k)
			return k + 1, "missing (deleted)"
		}},
		{"delete and renumber", func(t *testing.T, d *db.DB) (int64, string) {
			audittest.Exec(t, d, "DELETE FROM audit_entries WHERE id = ?", k)
			audittest.Exec(t, d, "UPDATE audit_entries SET id = -(id - 1) WHERE id > ?", k)
			audittest.Exec(t, d, "UPDATE audit_entries SET id = -id WHERE id < 0")
			return k, "MAC mismatch"
		}},
		{"insert a forged entry", func(t *testing.T, d *db.DB) (int64, string) {
			// Make room after k, then insert a row linked to entry k but
			// MACed with a key the attacker guessed.
			audittest.Exec(t, d, "UPDATE audit_entries SET id = -(id + 1) WHERE id > ?", k)
			audittest.Exec(t, d, "UPDATE audit_entries SET id = -id WHERE id < 0")
			var prev []byte
			if err := d.SQL.QueryRow(audittest.Rebind(d, "SELECT mac FROM audit_entries WHERE id = ?"), k).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			forged := entry(1000)
			forged.At = time.Now().UTC().Truncate(time.Microsecond)
			mac := audit.ComputeMAC([]byte(strings.Repeat("guess", 8)), hex.EncodeToString(prev), k+1, forged)
			macBytes, _ := hex.DecodeString(mac)
			audittest.Exec(t, d, `INSERT INTO audit_entries (id, at, user_id, email, location_id, action, resource_type, resource_id,
				operation, method, path, ip, user_agent, status, latency_ms, phi, body_sha256, detail, mac)
				VALUES (?, ?, ?, ?, ?, ?, '', '', '', ?, ?, ?, ?, ?, ?, ?, ?, '', ?)`,
				k+1, forged.At, forged.UserID, forged.Email, forged.LocationID, forged.Action,
				forged.Method, forged.Path, forged.IP, forged.UserAgent, forged.Status, forged.LatencyMS, false, []byte{}, macBytes)
			return k + 1, "MAC mismatch"
		}},
		{"copy a valid entry over another", func(t *testing.T, d *db.DB) (int64, string) {
			audittest.Exec(t, d, "DELETE FROM audit_entries WHERE id = ?", k)
			audittest.Exec(t, d, `INSERT INTO audit_entries SELECT CAST(? AS BIGINT), at, user_id, email, location_id, action, resource_type, resource_id,
				operation, method, path, ip, user_agent, status, latency_ms, phi, body_sha256, detail, mac
				FROM audit_entries WHERE id = ?`, k, k+3)
			return k, "MAC mismatch"
		}},
		{"swap two entries (reorder)", func(t *testing.T, d *db.DB) (int64, string) {
			audittest.Exec(t, d, "UPDATE audit_entries SET id = -1 WHERE id = ?", k)
			audittest.Exec(t, d, "UPDATE audit_entries SET id = ? WHERE id = ?", k, k+1)
			audittest.Exec(t, d, "UPDATE audit_entries SET id = ? WHERE id = -1", k+1)
			return k, "MAC mismatch"
		}},
	}
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					d := openDB(t, dbName)
					l := setup(t, d)
					id, problem := tc.tamper(t, d)
					expectBad(t, l, nil, id, problem)
				})
			}
			t.Run("truncate the newest entries", func(t *testing.T) {
				d := openDB(t, dbName)
				l := setup(t, d)
				head, err := l.Head(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				audittest.Exec(t, d, "DELETE FROM audit_entries WHERE id > ?", n-3)
				// Limitation: what remains is a valid chain, so without a
				// head kept elsewhere the truncation is invisible.
				assertVerifies(t, l, n-3)
				expectBad(t, l, &head, n-2, "truncated")
				// A head that was itself rewritten is caught too.
				forged := audit.Head{ID: 5, MAC: strings.Repeat("0", 64)}
				expectBad(t, l, &forged, 5, "differs from the kept head")
			})
		})
	}
}

// openDB opens a fresh database of the named kind.
func openDB(t *testing.T, name string) *db.DB {
	t.Helper()
	if name == "postgres" {
		return openPostgres(t)
	}
	return openSQLite(t)
}

// TestRecord_CloseDrains records 1,000 entries and closes at once: every one
// must be written, in a verifiable chain.
func TestRecord_CloseDrains(t *testing.T) {
	d := openSQLite(t)
	// A small queue, so Record's back-pressure is exercised too.
	l := audit.New(d.Client, d.Dialect, testKey, audit.Options{MaxBatch: 64, QueueSize: 128, Logger: quiet})
	l.Start()
	const n = 1000
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n / 4 {
				l.Record(entry(w*n + i))
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if p := l.Pending(); p != 0 {
		t.Fatalf("%d pending after Close", p)
	}
	assertContiguous(t, d, n)
	assertVerifies(t, l, n)

	// After Close, Record writes synchronously instead of dropping.
	l.Record(entry(n + 1))
	assertContiguous(t, d, n+1)
	if err := l.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestRecord_FlushLatency measures how soon a single recorded entry is
// visible. The design bound is FlushInterval (100 ms) plus a transaction;
// the assertion is generous so a loaded CI machine does not fail it.
func TestRecord_FlushLatency(t *testing.T) {
	d := openSQLite(t)
	l := newLog(t, d, audit.Options{})
	ctx := viewer.Seed.Grant(context.Background(), "test")
	var worst time.Duration
	for i := range 5 {
		start := time.Now()
		l.Record(entry(i))
		for {
			n, err := d.Client.AuditEntry.Query().Where(auditentry.IDEQ(int64(i + 1))).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 1 {
				break
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("entry %d not visible after 2 s", i+1)
			}
			time.Sleep(2 * time.Millisecond)
		}
		took := time.Since(start)
		worst = max(worst, took)
		t.Logf("entry %d visible after %s", i+1, took.Round(time.Millisecond))
	}
	t.Logf("flush latency: worst %s (FlushInterval 100 ms)", worst.Round(time.Millisecond))
}

// TestRecord_RetriesFailedFlush makes the table disappear for a while: the
// writer must keep the batch and retry until it can write it.
func TestRecord_RetriesFailedFlush(t *testing.T) {
	d := openSQLite(t)
	l := newLog(t, d, audit.Options{FlushInterval: 10 * time.Millisecond, Logger: quiet})
	audittest.Exec(t, d, "ALTER TABLE audit_entries RENAME TO audit_entries_away")
	for i := range 10 {
		l.Record(entry(i))
	}
	time.Sleep(300 * time.Millisecond) // a few failed attempts
	if p := l.Pending(); p != 10 {
		t.Fatalf("pending = %d while the table is away, want 10", p)
	}
	audittest.Exec(t, d, "ALTER TABLE audit_entries_away RENAME TO audit_entries")
	deadline := time.Now().Add(10 * time.Second)
	for l.Pending() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("still %d pending after the table came back", l.Pending())
		}
		time.Sleep(10 * time.Millisecond)
	}
	assertContiguous(t, d, 10)
	assertVerifies(t, l, 10)
}

// TestClose_DeadlineReportsUnwritten: when the database cannot be written
// before Close's deadline, Close says how many entries were not written.
func TestClose_DeadlineReportsUnwritten(t *testing.T) {
	d := openSQLite(t)
	l := audit.New(d.Client, d.Dialect, testKey, audit.Options{FlushInterval: 10 * time.Millisecond, Logger: quiet})
	l.Start()
	audittest.Exec(t, d, "ALTER TABLE audit_entries RENAME TO audit_entries_away")
	for i := range 7 {
		l.Record(entry(i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := l.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "7 entries not written") {
		t.Fatalf("Close = %v, want it to report 7 entries not written", err)
	}
}

// TestSQLite_WriteTransactionHoldsLock verifies what Append relies on for
// SQLite: the application's transactions begin IMMEDIATE (internal/db sets
// _txlock=immediate), so a transaction holds the write lock from its start
// and no other writer can slip in between reading the head and inserting.
func TestSQLite_WriteTransactionHoldsLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lock.db")
	d, err := db.Open(context.Background(), db.Config{URL: "sqlite:" + path})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	tx, err := d.Client.Tx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	// The transaction has run no statement yet. Another connection that
	// tries to write must find the database locked.
	other, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=50")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Exec("BEGIN IMMEDIATE")
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("a second writer began while a transaction was open (err = %v): transactions are not IMMEDIATE", err)
	}
}

// TestAppend_SerialisesWriters shows the chain lock at work: while one
// transaction has appended and not committed, another writer waits, and
// then continues from the committed head.
func TestAppend_SerialisesWriters(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := newLog(t, d, audit.Options{})
		if err := l.AppendNow(ctx, entry(0)); err != nil {
			t.Fatal(err)
		}
		tx, err := d.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(ctx, tx, entry(1)); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- l.AppendNow(ctx, entry(2)) }()
		select {
		case err := <-done:
			t.Fatalf("second writer finished (%v) while the first held the chain", err)
		case <-time.After(300 * time.Millisecond):
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("second writer: %v", err)
		}
		assertContiguous(t, d, 3)
		assertVerifies(t, l, 3)
	})
}
