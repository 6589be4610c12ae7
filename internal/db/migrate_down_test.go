package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/audit/audittest"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestMigrations_DownAndUp is an operator rolling back a release: a database
// at the newest version, with a location, contacts, search keys and audit
// entries written by the real writers, is migrated down one migration at a
// time, back to the one that made the audit table append-only. Every step must succeed, leave the schema a fresh database has at
// that version (columns, indexes, constraints and the append-only
// triggers), keep the contacts, and keep the audit chain verifiable (by
// the old layout's rule, prev_mac included, once audit_compact is undone).
// While rolled back the old release appends an audit entry in the old
// layout and adds a contact. Then it is migrated up again: the schema is
// ent's, all the audit entries verify as one chain, and the search keys,
// which neither direction keeps (search_key_location makes search_keys
// again, empty, both ways: SQL cannot compute the folded location), are
// rebuilt at start by EnsureIndexed. What the old schema has no column or
// table for is lost by design: contacts' warmness_due_at (the Up sets it
// again for contacts whose score can age), campaign_recipients.account,
// import_report_parts (reports of finished imports).
func TestMigrations_DownAndUp(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url, fresh := "sqlite:"+filepath.Join(t.TempDir(), "down.db"), "sqlite:"+filepath.Join(t.TempDir(), "fresh.db")
			if name == "postgres" {
				url, fresh = testutil.PostgresURL(t), testutil.PostgresURL(t)
			}
			d := open(t, url)
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			const loc = pulid.ID("loc_01KBAAAAAAAAAAAAAAAAAAAAAA")
			seedContacts(t, d, loc)
			idx := search.New(d.Client)
			if _, err := idx.Reindex(ctx, loc); err != nil {
				t.Fatalf("index: %v", err)
			}
			keys := count(t, d, `SELECT count(*) FROM search_keys`)
			if keys == 0 {
				t.Fatal("indexing wrote no search keys")
			}
			l := audit.New(d.Client, d.Dialect, testutil.AuditKey, audit.Options{})
			if err := l.AppendNow(ctx, auditEntries("before", loc)...); err != nil {
				t.Fatalf("audit append: %v", err)
			}
			entries := len(auditEntries("", ""))

			compact, err := d.MigrationVersionOf("_audit_compact.sql")
			if err != nil {
				t.Fatal(err)
			}
			floor, err := d.MigrationVersionOf("_audit_append_only.sql")
			if err != nil {
				t.Fatal(err)
			}
			shapes := map[int64]string{}
			for v := int64(-1); v != floor; {
				undone, err := d.MigrateDown(ctx)
				if err != nil {
					t.Fatalf("down from %d: %v", v, err)
				}
				if v, err = d.MigrationVersion(ctx); err != nil || v >= undone || v < floor {
					t.Fatalf("after undoing %d the version is %d, %v", undone, v, err)
				}
				shapes[v] = schemaShape(t, d)
				if n := count(t, d, `SELECT count(*) FROM contacts`); n != 3 {
					t.Errorf("after undoing %d: %d contacts, want 3", undone, n)
				}
				if n := count(t, d, `SELECT count(*) FROM contacts WHERE first_name = 'Ada' AND last_name = 'Lovelace' AND email = 'ada@example.com'`); n != 1 {
					t.Errorf("after undoing %d: Ada's row changed", undone)
				}
				if v < compact {
					verifyOldLayout(t, d, entries)
				} else if rep, err := l.Verify(ctx, nil); err != nil || !rep.OK || rep.Checked != entries {
					t.Errorf("after undoing %d: verify = %+v, %v; want OK with %d entries", undone, rep, err, entries)
				}
				assertAppendOnly(t, d, fmt.Sprintf("after undoing %d", undone))
			}

			// The old release runs for a while: it appends an entry in the
			// old layout and adds a contact.
			oldMAC := appendOldLayout(t, d, int64(entries+1), loc)
			addContact(t, d, loc, 3, "Edsger", "Dijkstra", "")

			// Each step left what the migrations up to that version make.
			f := open(t, fresh)
			var versions []int64
			for v := range shapes {
				versions = append(versions, v)
			}
			slices.Sort(versions)
			for _, v := range versions {
				if err := f.MigrateUpTo(ctx, v); err != nil {
					t.Fatalf("fresh up to %d: %v", v, err)
				}
				if got, want := shapes[v], schemaShape(t, f); got != want {
					t.Errorf("at version %d the rolled-back schema differs from a fresh one:\n%s", v, lineDiff(got, want))
				}
			}

			// Up again.
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatalf("migrate up again: %v", err)
			}
			assertNoSchemaDiff(t, d)
			assertAppendOnly(t, d, "after migrating up again")
			if err := l.AppendNow(ctx, auditEntries("after", loc)...); err != nil {
				t.Fatalf("audit append after up: %v", err)
			}
			rep, err := l.Verify(ctx, &audit.Head{ID: int64(entries + 1), MAC: oldMAC})
			if err != nil || !rep.OK || rep.Checked != 2*entries+1 {
				t.Fatalf("verify after up = %+v, %v; want OK with %d entries", rep, err, 2*entries+1)
			}
			if n := count(t, d, `SELECT count(*) FROM contacts`); n != 4 {
				t.Errorf("after up: %d contacts, want 4", n)
			}
			if n := count(t, d, `SELECT count(*) FROM search_keys`); n != 0 {
				t.Errorf("after up: %d search keys, want none until the start rebuilds them", n)
			}
			if _, err := idx.EnsureIndexed(ctx); err != nil {
				t.Fatalf("EnsureIndexed: %v", err)
			}
			rebuilt := count(t, d, `SELECT count(*) FROM search_keys`)
			if n := count(t, d, `SELECT count(*) FROM search_keys WHERE contact_id = 'con_01KBAAAAAAAAAAAAAAAAAAAAA3'`); rebuilt <= keys || n == 0 {
				t.Errorf("after the start's rebuild: %d search keys (%d before), %d of the contact added while rolled back", rebuilt, keys, n)
			}
			if _, err := idx.Reindex(ctx, loc); err != nil {
				t.Fatal(err)
			}
			if n := count(t, d, `SELECT count(*) FROM search_keys`); n != rebuilt {
				t.Errorf("the start's rebuild left %d search keys, a full reindex %d", rebuilt, n)
			}
		})
	}
}

func writer(d *db.DB) *sql.DB {
	if d.Write != nil {
		return d.Write
	}
	return d.SQL
}

func count(t *testing.T, d *db.DB, q string) int {
	t.Helper()
	var n int
	if err := d.SQL.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// seedContacts writes a location and three contacts, one with a pending
// consent token and one due for rescoring (the columns the undone
// migrations index or add).
func seedContacts(t *testing.T, d *db.DB, loc pulid.ID) {
	t.Helper()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	w := writer(d)
	ex := func(q string, args ...any) {
		t.Helper()
		if _, err := w.Exec(audittest.Rebind(d, q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ex(`INSERT INTO locations (id, created_at, updated_at, name, code, timezone, currency, region, address, phone, settings)
		VALUES (?, ?, ?, 'Down', 'DWN', 'Australia/Sydney', 'AUD', 'AU', '', '', '{}')`, loc, now, now)
	for i, c := range []struct{ first, last, email string }{
		{"Ada", "Lovelace", "ada@example.com"}, {"Grace", "Hopper", "grace@example.com"}, {"Alan", "Turing", ""},
	} {
		addContact(t, d, loc, i, c.first, c.last, c.email)
	}
	ex(`UPDATE contacts SET consent_token_hash = 'h1' WHERE first_name = 'Grace'`)
	ex(`UPDATE contacts SET warmness_due_at = ? WHERE first_name = 'Alan'`, now)
}

// addContact writes a contact with the columns every version has.
func addContact(t *testing.T, d *db.DB, loc pulid.ID, i int, first, last, email string) {
	t.Helper()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	id := fmt.Sprintf("con_01KBAAAAAAAAAAAAAAAAAAAAA%d", i)
	if _, err := writer(d).Exec(audittest.Rebind(d, `INSERT INTO contacts (id, created_at, updated_at, first_name, last_name, email, lead_source, pipeline, stage, stage_changed_at, warmness, sms_consent, email_consent, notes, location_id)
		VALUES (?, ?, ?, ?, ?, ?, 'other', 'lead', 'new_lead', ?, 0, false, false, '', ?)`), id, now, now, first, last, email, now, loc); err != nil {
		t.Fatalf("add contact %s: %v", first, err)
	}
}

// appendOldLayout appends entry id as a release before audit_compact wrote
// it (hex text, prev_mac) and returns its MAC.
func appendOldLayout(t *testing.T, d *db.DB, id int64, loc pulid.ID) string {
	t.Helper()
	var prev string
	if err := d.SQL.QueryRow(audittest.Rebind(d, `SELECT mac FROM audit_entries WHERE id = ?`), id-1).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	e := audit.Entry{At: time.Date(2026, 12, 2, 8, 30, 0, 250000000, time.UTC), UserID: "usr_old", LocationID: string(loc),
		Action: audit.ActionRequest, Method: "POST", Path: "/graphql", Status: 200, BodySHA256: strings.Repeat("0f", 32)}
	mac := audit.ComputeMAC(testutil.AuditKey, prev, id, e)
	if _, err := writer(d).Exec(audittest.Rebind(d, `INSERT INTO audit_entries (id, at, user_id, email, location_id, action, resource_type, resource_id,
		operation, method, path, ip, user_agent, status, latency_ms, phi, body_sha256, detail, prev_mac, mac)
		VALUES (?, ?, ?, '', ?, ?, '', '', '', ?, ?, '', '', ?, 0, false, ?, '', ?, ?)`),
		id, e.At, e.UserID, e.LocationID, e.Action, e.Method, e.Path, e.Status, e.BodySHA256, prev, mac); err != nil {
		t.Fatalf("append in the old layout: %v", err)
	}
	return mac
}

// auditEntries are entries of several shapes: a request with a body hash,
// a change to a contact, PHI, and text that needs escaping.
func auditEntries(tag string, loc pulid.ID) []audit.Entry {
	return []audit.Entry{
		{Action: audit.ActionRequest, UserID: "usr_" + tag, Email: tag + "@example.com", LocationID: string(loc),
			Method: "POST", Path: "/graphql", Operation: "CreateContact", IP: "203.0.113.9", Status: 200, LatencyMS: 12,
			BodySHA256: strings.Repeat("a1", 32)},
		{Action: audit.ActionCreate, UserID: "usr_" + tag, LocationID: string(loc), ResourceType: "Contact",
			ResourceID: "con_01KBAAAAAAAAAAAAAAAAAAAAA0", PHI: true, Detail: "fields: first_name, \"last_name\"\n"},
		{Action: audit.ActionRequest, Method: "GET", Path: "/contacts?q=l%C3%B6we", UserAgent: "Mozilla/5.0 (X11; ünïcode)", Status: 403},
	}
}

// verifyOldLayout checks the entries as releases before audit_compact
// verified them (internal/audit/verify.go before it): IDs from 1 without a
// gap, each entry's prev_mac the MAC of the one before, and each MAC the
// HMAC of its prev_mac and content.
func verifyOldLayout(t *testing.T, d *db.DB, want int) {
	t.Helper()
	rows, err := d.SQL.Query(`SELECT id, at, user_id, email, location_id, action, resource_type, resource_id, operation, method, path,
		ip, user_agent, status, latency_ms, phi, body_sha256, detail, prev_mac, mac FROM audit_entries ORDER BY id`)
	if err != nil {
		t.Fatalf("read the old layout: %v", err)
	}
	defer rows.Close()
	prev, n := audit.GenesisMAC, 0
	for rows.Next() {
		var (
			id           int64
			e            audit.Entry
			prevMAC, mac string
		)
		if err := rows.Scan(&id, &e.At, &e.UserID, &e.Email, &e.LocationID, &e.Action, &e.ResourceType, &e.ResourceID, &e.Operation,
			&e.Method, &e.Path, &e.IP, &e.UserAgent, &e.Status, &e.LatencyMS, &e.PHI, &e.BodySHA256, &e.Detail, &prevMAC, &mac); err != nil {
			t.Fatalf("scan the old layout: %v", err)
		}
		e.At = e.At.UTC()
		n++
		switch {
		case id != int64(n):
			t.Fatalf("old layout: entry %d where %d belongs", id, n)
		case prevMAC != prev:
			t.Fatalf("old layout: entry %d has prev_mac %q, want the MAC before it %q", id, prevMAC, prev)
		case audit.ComputeMAC(testutil.AuditKey, prevMAC, id, e) != mac:
			t.Fatalf("old layout: entry %d's MAC does not verify (%+v)", id, e)
		}
		prev = mac
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("old layout: %d entries, want %d", n, want)
	}
}

// assertAppendOnly checks that the audit table still refuses an edit and a
// delete.
func assertAppendOnly(t *testing.T, d *db.DB, when string) {
	t.Helper()
	for _, q := range []string{`UPDATE audit_entries SET email = 'x' WHERE id = 1`, `DELETE FROM audit_entries WHERE id = 1`} {
		if _, err := writer(d).Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %s = %v, want the append-only refusal", when, q, err)
		}
	}
}

// schemaShape describes the application's tables (River's and goose's
// aside) as sorted lines: columns, indexes, constraints and triggers.
func schemaShape(t *testing.T, d *db.DB) string {
	t.Helper()
	qs := []string{
		`SELECT 'column', m.name, p.name, lower(p.type), p."notnull", coalesce(p.dflt_value, ''), p.pk
			FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`,
		`SELECT 'index', m.tbl_name, m.name, coalesce(m.sql, '') FROM sqlite_master m WHERE m.type = 'index'`,
		`SELECT 'fk', m.name, f."table", f."from", f."to", f.on_delete FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`,
		`SELECT 'trigger', m.tbl_name, m.name, m.sql FROM sqlite_master m WHERE m.type = 'trigger'`,
	}
	if d.Dialect == dialect.Postgres {
		qs = []string{
			`SELECT 'column', table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), is_identity
				FROM information_schema.columns WHERE table_schema = 'public'`,
			`SELECT 'index', tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
			`SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
			`SELECT 'trigger', c.relname, g.tgname, g.tgenabled::text || pg_get_triggerdef(g.oid) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE NOT g.tgisinternal`,
		}
	}
	var lines []string
	for _, q := range qs {
		rows, err := d.SQL.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = normalizeSQL(v.String)
			}
			if table := parts[1]; strings.HasPrefix(table, "river_") || strings.HasPrefix(table, "goose_") || strings.HasPrefix(table, "sqlite_") {
				continue
			}
			lines = append(lines, strings.Join(parts, " | "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		_ = rows.Close()
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// normalizeSQL drops the quoting and spacing that differ between a
// statement as a migration wrote it and as SQLite kept it.
func normalizeSQL(s string) string {
	s = strings.NewReplacer("`", "", `"`, "", "(", "", ")", "", "\n", " ", "\t", " ").Replace(strings.ToLower(s))
	return strings.Join(strings.Fields(s), " ")
}

// lineDiff lists the lines only one of two sorted shapes has.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "  rolled back only: %s\n", l)
		}
	}
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "  fresh only:       %s\n", l)
		}
	}
	return b.String()
}
