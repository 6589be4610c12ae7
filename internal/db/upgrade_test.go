package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// An installation made before reports:manage existed has its permission
// table stored per location (written once from the defaults of its day):
// upgrading writes the new grant for managers there, once, as the default
// table of a new installation has it. A location without a table yet
// gets the whole default table when it is first read, so it gets no row.
func TestUpgradeGrantsReportsManage(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "old.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	p, err := d.provider()
	if err != nil {
		t.Fatal(err)
	}
	// The version of the migration that writes the grant.
	var grantVersion int64
	for _, s := range p.ListSources() {
		if strings.HasSuffix(s.Path, "_reports_manage_grant.sql") {
			grantVersion = s.Version
		}
	}
	if grantVersion == 0 {
		t.Fatal("no reports_manage_grant migration")
	}
	if _, err := p.UpTo(ctx, grantVersion-1); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	w := d.Write
	if w == nil {
		w = d.SQL
	}
	for i, loc := range []string{"loc_01KBAAAAAAAAAAAAAAAAAAAAAA", "loc_01KBBBBBBBBBBBBBBBBBBBBBBB"} {
		if _, err := w.ExecContext(ctx, `INSERT INTO locations (id, created_at, updated_at, name, code, timezone, currency, region, address, phone, settings)
			VALUES (?, ?, ?, ?, ?, 'Australia/Sydney', 'AUD', 'AU', '', '', '{}')`, loc, now, now, "Old "+loc[len(loc)-1:], "OLD"+loc[len(loc)-1:]); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			continue // no stored table yet
		}
		// The old default table, as stored: every grant of today's defaults
		// but reports:manage.
		for j, g := range rbac.DefaultGrants() {
			if g.Resource == rbac.Reports && g.Action == rbac.Manage {
				continue
			}
			if _, err := w.ExecContext(ctx, `INSERT INTO permissions (id, created_at, updated_at, role, resource, action, condition, location_id)
				VALUES (?, ?, ?, ?, ?, ?, 'own_location_only', ?)`, "prm_01KB"+strings.Repeat("0", 20)+string(rune('A'+j/26))+string(rune('A'+j%26)), now, now,
				string(g.Role), string(g.Resource), string(g.Action), loc); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(loc string) int {
		var n int
		if err := d.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM permissions WHERE location_id = ? AND role = 'manager' AND resource = 'reports' AND action = 'manage' AND condition = 'own_location_only'`, loc).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("loc_01KBAAAAAAAAAAAAAAAAAAAAAA"); n != 1 {
		t.Errorf("the upgraded location has %d reports:manage grants for managers, want 1", n)
	}
	if n := count("loc_01KBBBBBBBBBBBBBBBBBBBBBBB"); n != 0 {
		t.Errorf("a location without a table got %d rows, want none (it gets the defaults when first read)", n)
	}
	// The row's ID is a well-formed permission ID.
	var id string
	if err := d.SQL.QueryRowContext(ctx, `SELECT id FROM permissions WHERE resource = 'reports' AND action = 'manage'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if !pulid.ID(id).Valid() || pulid.ID(id).Prefix() != pulid.Permission {
		t.Errorf("id %q is not a permission ID", id)
	}
	// The manager now may manage reports, as a new installation's does.
	var grants []rbac.Grant
	rows, err := d.SQL.QueryContext(ctx, `SELECT role, resource, action, condition FROM permissions WHERE location_id = ?`, "loc_01KBAAAAAAAAAAAAAAAAAAAAAA")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var g rbac.Grant
		if err := rows.Scan(&g.Role, &g.Resource, &g.Action, &g.Condition); err != nil {
			t.Fatal(err)
		}
		grants = append(grants, g)
	}
	_ = rows.Close()
	if !rbac.NewTable(grants).Decide(rbac.Manager, rbac.Reports, rbac.Manage).Allowed {
		t.Error("after the upgrade a manager still may not manage reports")
	}
	if rbac.NewTable(grants).Decide(rbac.Staff, rbac.Reports, rbac.Manage).Allowed {
		t.Error("the upgrade gave staff reports:manage")
	}
}
