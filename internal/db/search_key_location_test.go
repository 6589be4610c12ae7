package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/audit/audittest"
)

// TestSearchKeyLocation_Upgrade migrates a database whose search keys hold
// their location as text: the migration succeeds with keys and contacts in
// it, leaves search_keys empty in the new layout (the application rebuilds
// the keys at start, internal/search's EnsureIndexed tests), keeps the
// contacts, and a key can then be written with the folded location.
func TestSearchKeyLocation_Upgrade(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := openBefore(t, name, "_search_key_location.sql")
			w := d.Write
			if w == nil {
				w = d.SQL
			}
			now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			const loc, con = "loc_01KBAAAAAAAAAAAAAAAAAAAAAA", "con_01KBAAAAAAAAAAAAAAAAAAAAAA"
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := w.ExecContext(ctx, audittest.Rebind(d, q), args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO locations (id, created_at, updated_at, name, code, timezone, currency, region, address, phone, settings)
				VALUES (?, ?, ?, 'Old', 'OLD', 'Australia/Sydney', 'AUD', 'AU', '', '', '{}')`, loc, now, now)
			exec(`INSERT INTO contacts (id, created_at, updated_at, first_name, last_name, lead_source, pipeline, stage, stage_changed_at, warmness, sms_consent, email_consent, notes, location_id)
				VALUES (?, ?, ?, 'Ada', 'Lovelace', 'other', 'lead', 'new_lead', ?, 0, false, false, '', ?)`, con, now, now, now, loc)
			exec(`INSERT INTO search_keys (location_id, contact_id, key, kind, part, word) VALUES (?, ?, 'lovelace', 0, 1, '')`, loc, con)

			if _, err := d.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			count := func(q string) int {
				t.Helper()
				var n int
				if err := d.SQL.QueryRowContext(ctx, q).Scan(&n); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return n
			}
			if n := count(`SELECT count(*) FROM search_keys`); n != 0 {
				t.Errorf("search_keys after the migration: %d rows, want none (rebuilt at start)", n)
			}
			if n := count(`SELECT count(*) FROM contacts WHERE first_name = 'Ada'`); n != 1 {
				t.Errorf("contacts after the migration: %d, want the one", n)
			}
			exec(`INSERT INTO search_keys (location, contact_id, key, kind, part, word) VALUES (?, ?, 'lovelace', 0, 1, '')`, int64(1)<<62, con)
			// The contact's keys still go with it.
			exec(`DELETE FROM contacts WHERE id = ?`, con)
			if n := count(`SELECT count(*) FROM search_keys`); n != 0 {
				t.Errorf("keys of a deleted contact: %d, want none", n)
			}
		})
	}
}
