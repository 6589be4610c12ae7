package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestSeedCommand_AsTheServerSeeds: `avatarcrm seed --demo` on a fresh
// database writes the same search keys, warmness scores and audit entries
// as the server writes when it seeds an empty database at start: both build
// the one client (internal/entclient) with every hook. Rows are compared by
// what they say, not by their random IDs; the audit chains, keyed alike and
// written at the same instant, must match to the MAC.
func TestSeedCommand_AsTheServerSeeds(t *testing.T) {
	old := cliClock
	cliClock = clock.Fixed(testutil.Now)
	t.Cleanup(func() { cliClock = old })
	dir := t.TempDir()
	keyFile := testutil.AuditKeyFile(t)

	// The server's road: an empty database seeded at start.
	serverDB := filepath.Join(dir, "server.db")
	cfg, err := config.Load(nil, envOf(map[string]string{
		"AVATARCRM_DATABASE_URL": "sqlite:" + serverDB, "AVATARCRM_SEED_DEMO": "true",
		"AVATARCRM_AUDIT_KEY_FILE": keyFile, "AVATARCRM_ADDR": "127.0.0.1:0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(cfg)
	a.Now = cliClock
	if err := a.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// The command's road.
	cliDB := filepath.Join(dir, "cli.db")
	env := envOf(map[string]string{"AVATARCRM_DATABASE_URL": "sqlite:" + cliDB, "AVATARCRM_AUDIT_KEY_FILE": keyFile})
	if err := run(context.Background(), []string{"seed", "--demo"}, env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}

	server, cli := snapshot(t, serverDB), snapshot(t, cliDB)
	for _, part := range []string{"search keys", "warmness", "audit entries"} {
		s, c := server[part], cli[part]
		if len(s) == 0 {
			t.Errorf("the server wrote no %s", part)
		}
		if !slices.Equal(s, c) {
			t.Errorf("%s differ: the server wrote %d, the command %d; first difference: %s", part, len(s), len(c), firstDiff(s, c))
		}
	}
	if n := len(server["audit entries"]); n != 1 {
		t.Errorf("%d audit entries, want the one seed entry: %v", n, server["audit entries"])
	}
}

// snapshot reads what the hooks wrote, keyed by the contact's location,
// name, phone and email instead of its ID.
func snapshot(t *testing.T, path string) map[string][]string {
	t.Helper()
	conn, err := sql.Open("sqlite3_utc", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	contact := `l.code || '/' || c.first_name || ' ' || c.last_name || ' ' || coalesce(c.phone, '') || ' ' || coalesce(c.email, '')`
	queries := map[string]string{
		"search keys": `SELECT ` + contact + ` || ' ' || k.kind || ' ' || k.key FROM search_keys k
			JOIN contacts c ON c.id = k.contact_id JOIN locations l ON l.id = c.location_id`,
		"warmness": `SELECT ` + contact + ` || ' ' || c.warmness || ' ' || coalesce(c.warmness_reasons, '') || ' ' || coalesce(c.warmness_scored_at, '')
			FROM contacts c JOIN locations l ON l.id = c.location_id`,
		"audit entries": `SELECT id || ' ' || at || ' ' || user_id || ' ' || email || ' ' || location_id || ' ' || action || ' ' ||
			resource_type || ' ' || operation || ' ' || detail || ' ' || lower(hex(mac)) FROM audit_entries`,
	}
	out := map[string][]string{}
	for part, q := range queries {
		rows, err := conn.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", part, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out[part] = append(out[part], s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(out[part])
	}
	return out
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("%q vs %q", a[i], b[i])
		}
	}
	return strings.Join([]string{"one is a prefix of the other"}, "")
}
