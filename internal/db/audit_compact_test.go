package db_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/audit/audittest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestAuditCompact_Upgrade writes audit entries as releases before the
// audit_compact migration stored them (hex text, prev_mac), migrates, and
// checks that the old entries and new ones verify as one chain, that the
// table still refuses changes, that the export still carries prev_mac, and
// that an old entry edited afterwards is still caught.
func TestAuditCompact_Upgrade(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := openBefore(t, name, "_audit_compact.sql")
			const old = 5
			prev := audit.GenesisMAC
			at := time.Date(2026, 11, 30, 9, 0, 0, 123456000, time.UTC)
			var macs []string
			for id := int64(1); id <= old; id++ {
				e := audit.Entry{
					At: at.Add(time.Duration(id) * time.Second), UserID: "usr_old", Email: "old@example.com",
					LocationID: "loc_old", Action: audit.ActionRequest, Method: "POST", Path: "/graphql",
					IP: "203.0.113.9", UserAgent: "Mozilla/5.0", Status: 200, LatencyMS: int(id), PHI: id%2 == 0,
				}
				if id%2 == 1 {
					e.BodySHA256 = strings.Repeat(fmt.Sprintf("%02x", id), 32)
				}
				if id == 3 {
					e.Action, e.ResourceType, e.ResourceID = audit.ActionCreate, "Contact", "con_old"
				}
				mac := audit.ComputeMAC(testutil.AuditKey, prev, id, e)
				if _, err := d.SQL.ExecContext(ctx, audittest.Rebind(d, `INSERT INTO audit_entries (id, at, user_id, email, location_id, action,
					resource_type, resource_id, operation, method, path, ip, user_agent, status, latency_ms, phi, body_sha256, detail, prev_mac, mac)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`),
					id, e.At, e.UserID, e.Email, e.LocationID, e.Action, e.ResourceType, e.ResourceID, e.Method, e.Path,
					e.IP, e.UserAgent, e.Status, e.LatencyMS, e.PHI, e.BodySHA256, prev, mac); err != nil {
					t.Fatal(err)
				}
				prev = mac
				macs = append(macs, mac)
			}
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}

			l := audit.New(d.Client, d.Dialect, testutil.AuditKey, audit.Options{})
			verify := func(n int) {
				t.Helper()
				rep, err := l.Verify(ctx, nil)
				if err != nil || !rep.OK || rep.Checked != n {
					t.Fatalf("verify = %+v, %v; want OK with %d entries", rep, err, n)
				}
			}
			verify(old)
			if h, err := l.Head(ctx); err != nil || h.MAC != macs[old-1] {
				t.Fatalf("head = %v, %v; want entry %d's MAC %s", h, err, old, macs[old-1])
			}
			// New entries chain on to the migrated ones.
			if err := l.AppendNow(ctx,
				audit.Entry{Action: audit.ActionRequest, UserID: "usr_new", Method: "GET", Path: "/"},
				audit.Entry{Action: audit.ActionRequest, UserID: "usr_new", Method: "POST", Path: "/graphql", BodySHA256: strings.Repeat("ab", 32)},
			); err != nil {
				t.Fatal(err)
			}
			verify(old + 2)
			var buf bytes.Buffer
			if _, err := l.Export(ctx, &buf, audit.Query{}, "ndjson"); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			var first, sixth struct {
				PrevMAC    string `json:"prev_mac"`
				MAC        string `json:"mac"`
				BodySHA256 string `json:"body_sha256"`
			}
			if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(lines[old]), &sixth); err != nil {
				t.Fatal(err)
			}
			if first.PrevMAC != "" || first.MAC != macs[0] || first.BodySHA256 != strings.Repeat("01", 32) {
				t.Errorf("exported entry 1 = %+v", first)
			}
			if sixth.PrevMAC != macs[old-1] {
				t.Errorf("exported entry %d has prev_mac %s, want the last old entry's %s", old+1, sixth.PrevMAC, macs[old-1])
			}

			// Still append-only.
			if _, err := d.SQL.ExecContext(ctx, "UPDATE audit_entries SET email = 'x' WHERE id = 2"); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("update after the migration: %v, want append-only refusal", err)
			}
			if fixed, err := l.EnsureTriggers(ctx, d.SQL); err != nil || len(fixed) > 0 {
				t.Fatalf("triggers after the migration: repaired %v, %v; want all present", fixed, err)
			}
			// Tampering with a migrated entry is still caught.
			if d.Dialect == dialect.Postgres {
				audittest.Exec(t, d, `ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_update_delete`)
			} else {
				audittest.Exec(t, d, "DROP TRIGGER audit_entries_no_update")
			}
			audittest.Exec(t, d, "UPDATE audit_entries SET email = 'someone@example.com' WHERE id = 3")
			rep, err := l.Verify(ctx, nil)
			if err != nil || rep.OK || rep.FirstBadID != 3 || !strings.Contains(rep.Problem, "MAC mismatch") {
				t.Fatalf("verify after editing entry 3 = %+v, %v; want entry 3 reported", rep, err)
			}
		})
	}
}
