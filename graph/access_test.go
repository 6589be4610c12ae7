package graph_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestSetPermissionAppliesAtOnce: a permission change takes effect on the
// next request, and setPermission returns the changed matrix. The mutation
// runs in a transaction; reading the table for the answer used to go
// around it, see the old rows and cache them for the TTL (30 s), so the
// change neither showed in the answer nor applied until the cache expired.
func TestSetPermissionAppliesAtOnce(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	viewer := srv.SignIn(t, "viewer@example.com")
	srv.MustGraphQL(t, viewer, `{ contacts(first: 1) { totalCount } }`, nil)

	set := func(allowed bool) bool {
		t.Helper()
		var out struct {
			SetPermission []struct {
				Role, Resource, Action string
				Allowed                bool
			}
		}
		srv.MustGraphQL(t, admin, `mutation($a: Boolean!) { setPermission(input: {role: viewer, resource: contacts, action: read, allowed: $a}) {
			role resource action allowed } }`, map[string]any{"a": allowed}).Decode(t, &out)
		for _, c := range out.SetPermission {
			if c.Role == "viewer" && c.Resource == "contacts" && c.Action == "read" {
				return c.Allowed
			}
		}
		t.Fatal("the answer has no viewer contacts:read cell")
		return false
	}
	if set(false) {
		t.Error("setPermission(allowed: false) answers with the old matrix")
	}
	if r := srv.GraphQL(t, viewer, `{ contacts(first: 1) { totalCount } }`, nil); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("viewer reading contacts right after the change: %+v, want FORBIDDEN", r.Errors)
	}
	if !set(true) {
		t.Error("setPermission(allowed: true) answers with the old matrix")
	}
	srv.MustGraphQL(t, viewer, `{ contacts(first: 1) { totalCount } }`, nil)
}
