package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// auditFixture creates a database with 20 chained entries, the key file
// they were written with and the head file beside it, as the server leaves
// them.
func auditFixture(t *testing.T) (dbURL, keyFile string, d *db.DB) {
	t.Helper()
	dir := t.TempDir()
	dbURL = "sqlite:" + filepath.Join(dir, "crm.db")
	keyFile = filepath.Join(dir, "keys", "audit.key")
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := audit.LoadKey(keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	head, err := audit.OpenHeadFile(filepath.Join(filepath.Dir(keyFile), "audit.head"))
	if err != nil {
		t.Fatal(err)
	}
	l := audit.New(d.Client, d.Dialect, key, audit.Options{HeadFile: head})
	var es []audit.Entry
	for i := range 20 {
		es = append(es, audit.Entry{
			At:     time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC).AddDate(0, i, 0), // 5 Jan 2026 … 5 Aug 2027
			Action: audit.ActionRequest, Email: []string{"alice@example.com", "bob@example.com"}[i%2],
			Method: "GET", Path: "/ui/contacts", Status: 200,
		})
	}
	if err := l.AppendNow(ctx, es...); err != nil {
		t.Fatal(err)
	}
	return dbURL, keyFile, d
}

func runAudit(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"audit"}, args...), envOf(env), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestAuditCLI_VerifyHead(t *testing.T) {
	url, keyFile, d := auditFixture(t)
	env := map[string]string{"AVATARCRM_DATABASE_URL": url, "AVATARCRM_AUDIT_KEY_FILE": keyFile}

	out, _, err := runAudit(t, env, "verify")
	if err != nil || !strings.HasPrefix(out, "ok: 20 entries") {
		t.Fatalf("verify: %q, %v", out, err)
	}
	out, _, err = runAudit(t, env, "head")
	if err != nil {
		t.Fatal(err)
	}
	head := strings.TrimSpace(out)
	if h, err := audit.ParseHead(head); err != nil || h.ID != 20 {
		t.Fatalf("head %q: %v", head, err)
	}
	// The head round-trips through verify --head; flags work as well as
	// the environment.
	out, _, err = runAudit(t, nil, "verify", "--database-url", url, "--key-file", keyFile, "--head", head)
	if err != nil || !strings.HasPrefix(out, "ok: 20 entries") {
		t.Fatalf("verify --head: %q, %v", out, err)
	}
	// The inline key works instead of the file.
	raw, _ := os.ReadFile(keyFile)
	headFile := filepath.Join(filepath.Dir(keyFile), "audit.head")
	out, _, err = runAudit(t, map[string]string{"AVATARCRM_DATABASE_URL": url, "AVATARCRM_AUDIT_KEY_FILE": "/nonexistent", "AVATARCRM_AUDIT_KEY": strings.TrimSpace(string(raw)), "AVATARCRM_AUDIT_HEAD_FILE": headFile}, "verify")
	if err != nil || !strings.HasPrefix(out, "ok: 20 entries") {
		t.Fatalf("verify with AVATARCRM_AUDIT_KEY: %q, %v", out, err)
	}
	// A wrong key fails at entry 1.
	wrong := hex.EncodeToString(bytes.Repeat([]byte{7}, 32))
	out, _, err = runAudit(t, map[string]string{"AVATARCRM_DATABASE_URL": url, "AVATARCRM_AUDIT_KEY": wrong, "AVATARCRM_AUDIT_HEAD_FILE": headFile}, "verify")
	if err == nil || !strings.Contains(out, "BROKEN at entry 1:") {
		t.Fatalf("verify with a wrong key: %q, %v", out, err)
	}
	// A missing key file is an error, never a new key.
	_, _, err = runAudit(t, map[string]string{"AVATARCRM_DATABASE_URL": url}, "verify", "--key-file", filepath.Join(t.TempDir(), "none.key"))
	if err == nil || !strings.Contains(err.Error(), "no audit key") {
		t.Fatalf("missing key file: %v", err)
	}

	// Tamper: drop the triggers and edit entry 7.
	for _, q := range []string{"DROP TRIGGER audit_entries_no_update", "DROP TRIGGER audit_entries_no_delete",
		"UPDATE audit_entries SET email = 'mallory@example.com' WHERE id = 7"} {
		if _, err := d.SQL.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err = runAudit(t, env, "verify")
	if err == nil || !strings.Contains(out, "BROKEN at entry 7:") || !strings.Contains(out, "MAC mismatch") {
		t.Fatalf("verify after tampering: %q, %v", out, err)
	}
	if !strings.Contains(err.Error(), "entry 7") {
		t.Fatalf("error %v does not name entry 7", err)
	}
}

func TestAuditCLI_Truncation(t *testing.T) {
	url, keyFile, d := auditFixture(t)
	env := map[string]string{"AVATARCRM_DATABASE_URL": url, "AVATARCRM_AUDIT_KEY_FILE": keyFile}
	out, _, err := runAudit(t, env, "head")
	if err != nil {
		t.Fatal(err)
	}
	head := strings.TrimSpace(out)
	for _, q := range []string{"DROP TRIGGER audit_entries_no_delete", "DELETE FROM audit_entries WHERE id > 17"} {
		if _, err := d.SQL.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if out, _, err := runAudit(t, env, "verify", "--no-head"); err != nil || !strings.HasPrefix(out, "ok: 17 entries") {
		t.Fatalf("without a head, truncation is invisible; verify --no-head = %q, %v", out, err)
	}
	out, _, err = runAudit(t, env, "verify", "--head", head)
	if err == nil || !strings.Contains(out, "BROKEN at entry 18: truncated") {
		t.Fatalf("verify --head after truncation: %q, %v", out, err)
	}
	// A missing head file is an error, not a silent pass.
	if _, _, err := runAudit(t, env, "verify", "--head-file", filepath.Join(t.TempDir(), "none.head")); err == nil || !strings.Contains(err.Error(), "no head file") {
		t.Fatalf("verify with a missing head file: %v", err)
	}
}

// TestAuditCLI_DeletedNewest is what an attacker with the database does:
// drop the append-only trigger and delete the newest entries, or all of
// them. The chain left is valid on its own; `audit verify`, with no flags,
// fails every time because the head file says more was written.
func TestAuditCLI_DeletedNewest(t *testing.T) {
	for _, tc := range []struct {
		name, delete, want string
	}{
		{"newest entry", "DELETE FROM audit_entries WHERE id = 20", "BROKEN at entry 20: truncated: the kept head is entry 20 but the newest entry is 19"},
		{"newest three", "DELETE FROM audit_entries WHERE id > 17", "BROKEN at entry 18: truncated: the kept head is entry 20 but the newest entry is 17"},
		{"all of them", "DELETE FROM audit_entries", "BROKEN at entry 1: truncated: the kept head is entry 20 but the newest entry is 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, keyFile, d := auditFixture(t)
			env := map[string]string{"AVATARCRM_DATABASE_URL": url, "AVATARCRM_AUDIT_KEY_FILE": keyFile}
			if out, _, err := runAudit(t, env, "verify"); err != nil || !strings.HasPrefix(out, "ok: 20 entries") {
				t.Fatalf("before: %q, %v", out, err)
			}
			for _, q := range []string{"DROP TRIGGER audit_entries_no_delete", tc.delete} {
				if _, err := d.SQL.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			out, _, err := runAudit(t, env, "verify")
			if err == nil || !strings.Contains(out, tc.want) {
				t.Fatalf("verify after deleting the %s: %q, %v; want an error and %q", tc.name, out, err, tc.want)
			}
		})
	}
}

func TestAuditCLI_Export(t *testing.T) {
	url, keyFile, d := auditFixture(t)
	env := map[string]string{"AVATARCRM_DATABASE_URL": url, "AVATARCRM_AUDIT_KEY_FILE": keyFile}
	file := filepath.Join(t.TempDir(), "audit.csv")
	_, stderr, err := runAudit(t, env, "export", "--from", "2026-01-01", "--to", "2026-12-31", "--user", "alice@example.com", "--out", file)
	if err != nil {
		t.Fatalf("export: %v (%s)", err, stderr)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if st, _ := f.Stat(); st.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %04o, want 0600", st.Mode().Perm())
	}
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Alice wrote the even entries, monthly from 5 Jan 2026: 2026 has
	// Jan, Mar, May, Jul, Sep, Nov.
	if len(rows) != 1+6 {
		t.Fatalf("%d rows, want header + 6:\n%v", len(rows), rows)
	}
	for _, r := range rows[1:] {
		if r[3] != "alice@example.com" || !strings.HasPrefix(r[1], "2026-") {
			t.Errorf("row %v outside the filter", r)
		}
	}
	// The export is itself recorded, and the chain still verifies.
	e, err := d.Client.AuditEntry.Query().Where(auditentry.Action(audit.ActionExport)).Only(viewer.Seed.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatalf("export entry: %v", err)
	}
	if !strings.Contains(e.Detail, "entries=6") {
		t.Errorf("export entry detail %q", e.Detail)
	}
	if out, _, err := runAudit(t, env, "verify"); err != nil || !strings.HasPrefix(out, "ok: 21 entries") {
		t.Fatalf("verify after export: %q, %v", out, err)
	}

	// JSON to standard output.
	out, _, err := runAudit(t, env, "export", "--format", "json", "--user", "bob@example.com", "--to", "2026-02-28")
	if err != nil || !strings.HasPrefix(out, "[") || strings.Count(out, `"email":"bob@example.com"`) != 1 {
		t.Fatalf("json export: %q, %v", out, err)
	}
	if _, _, err := runAudit(t, env, "export", "--format", "xml"); err == nil {
		t.Fatal("xml accepted")
	}
	if _, _, err := runAudit(t, env, "export", "--from", "January"); err == nil {
		t.Fatal("a bad date accepted")
	}
	if _, _, err := runAudit(t, env, "bogus"); err == nil {
		t.Fatal("unknown audit command accepted")
	}
}
