package rbac_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// A permission reads back as the resource and action it was made of, and
// the constants are spelled as Perm spells them.
func TestPermission(t *testing.T) {
	seen := map[rbac.Permission]bool{}
	for _, p := range rbac.AllPermissions() {
		if seen[p] {
			t.Fatalf("%s listed twice", p)
		}
		seen[p] = true
		if rbac.Perm(p.Resource(), p.Action()) != p {
			t.Errorf("%s does not round-trip", p)
		}
	}
	if len(seen) != len(rbac.Resources)*len(rbac.Actions) {
		t.Fatalf("%d permissions, want every resource × action", len(seen))
	}
	for p, want := range map[rbac.Permission]string{
		rbac.ContactsUpdate: "contacts:update", rbac.APITokensRead: "api_tokens:read",
		rbac.AuditExport: "audit:export", rbac.SettingsRead: "settings:read",
	} {
		if string(p) != want || !seen[p] {
			t.Errorf("%q, want %q", p, want)
		}
	}
}
