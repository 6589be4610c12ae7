package graph_test

import (
	"net/http"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// bearer is an HTTP client that sends an API token instead of a cookie.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func meID(t *testing.T, srv *testutil.Server, c *http.Client) string {
	t.Helper()
	var me struct {
		Me struct{ User struct{ ID string } }
	}
	srv.MustGraphQL(t, c, `{ me { user { id } } }`, nil).Decode(t, &me)
	return me.Me.User.ID
}

// The admin operations through GraphQL: an API token acts as its user
// until revoked; a deny override takes a permission away and removing it
// gives it back; a disabled account is signed out; signOutEverywhere ends
// the caller's sessions; location and service changes; the audit trail
// lists what happened.
func TestAdminOperations(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	staff := srv.SignIn(t, "staff@example.com")
	staffID := meID(t, srv, staff)

	// An API token for the staff member acts with their permissions.
	var tok struct {
		CreateAPIToken struct {
			Token    string
			APIToken struct{ ID, Name string }
		}
	}
	srv.MustGraphQL(t, admin, `mutation($in: CreateAPITokenInput!) { createAPIToken(input: $in) { token apiToken { id name } } }`,
		map[string]any{"in": map[string]any{"userID": staffID, "name": "Wix sync", "expiresInDays": 30}}).Decode(t, &tok)
	api := &http.Client{Transport: bearer{tok.CreateAPIToken.Token}}
	if got := meID(t, srv, api); got != staffID {
		t.Fatalf("the token acts as %q, want the staff member %q", got, staffID)
	}
	if r := srv.GraphQL(t, api, `mutation { createService(input: {name: "PET", durationMinutes: 45, priceCents: 90000}) { id } }`, nil); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("a staff token creating a service: code %q, want FORBIDDEN", r.FirstCode())
	}
	var rev struct{ RevokeAPIToken struct{ RevokedAt *string } }
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { revokeAPIToken(id: $id) { revokedAt } }`,
		map[string]any{"id": tok.CreateAPIToken.APIToken.ID}).Decode(t, &rev)
	if rev.RevokeAPIToken.RevokedAt == nil {
		t.Error("revokeAPIToken: revokedAt not set")
	}
	if r := srv.GraphQL(t, api, `{ me { user { id } } }`, nil); r.FirstCode() != "UNAUTHENTICATED" {
		t.Errorf("a revoked token: code %q, want UNAUTHENTICATED", r.FirstCode())
	}

	// A deny override takes contacts:create away from this staff member.
	create := `mutation { createContact(input: {firstName: "Override", lastName: "Probe"}, allowDuplicate: true) { id } }`
	var ov struct{ SetPermissionOverride struct{ ID, Effect string } }
	srv.MustGraphQL(t, admin, `mutation($in: SetPermissionOverrideInput!) { setPermissionOverride(input: $in) { id effect } }`,
		map[string]any{"in": map[string]any{"userID": staffID, "resource": "contacts", "action": "create", "effect": "deny", "reason": "training"}}).Decode(t, &ov)
	if r := srv.GraphQL(t, staff, create, nil); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("create with a deny override: code %q, want FORBIDDEN", r.FirstCode())
	}
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { removePermissionOverride(id: $id) }`, map[string]any{"id": ov.SetPermissionOverride.ID})
	srv.MustGraphQL(t, staff, create, nil)
	if r := srv.GraphQL(t, staff, `mutation($in: SetPermissionOverrideInput!) { setPermissionOverride(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"userID": staffID, "resource": "settings", "action": "update", "effect": "grant"}}); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("staff granting themselves settings:update: code %q, want FORBIDDEN", r.FirstCode())
	}

	// Location and services.
	var loc struct {
		Me struct{ Location struct{ ID string } }
	}
	srv.MustGraphQL(t, admin, `{ me { location { id } } }`, nil).Decode(t, &loc)
	var upd struct{ UpdateLocation struct{ Phone *string } }
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { updateLocation(id: $id, input: {phone: "02 9999 0000"}) { phone } }`,
		map[string]any{"id": loc.Me.Location.ID}).Decode(t, &upd)
	if upd.UpdateLocation.Phone == nil || *upd.UpdateLocation.Phone == "" {
		t.Errorf("updateLocation: phone %v", upd.UpdateLocation.Phone)
	}
	if r := srv.GraphQL(t, staff, `mutation($id: ID!) { updateLocation(id: $id, input: {name: "Mine"}) { id } }`,
		map[string]any{"id": loc.Me.Location.ID}); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("staff renaming the location: code %q, want FORBIDDEN", r.FirstCode())
	}
	var svc struct{ CreateService struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation { createService(input: {name: "Bone densitometry", durationMinutes: 20, priceCents: 12000}) { id } }`, nil).Decode(t, &svc)
	var del struct{ DeleteService string }
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { deleteService(id: $id) }`, map[string]any{"id": svc.CreateService.ID}).Decode(t, &del)
	if r := srv.GraphQL(t, admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": svc.CreateService.ID}); r.FirstCode() != "NOT_FOUND" {
		t.Errorf("deleted service: code %q, want NOT_FOUND", r.FirstCode())
	}

	// The audit trail shows the override being set, to admins only.
	var audit struct {
		AuditEntries []struct{ Action, ResourceType, ResourceID, Email string }
	}
	srv.MustGraphQL(t, admin, `{ auditEntries(filter: {resourceType: "PermissionOverride"}, first: 20) { action resourceType resourceID email } }`, nil).Decode(t, &audit)
	found := false
	for _, e := range audit.AuditEntries {
		if e.ResourceID == ov.SetPermissionOverride.ID && e.Email == "admin@example.com" {
			found = true
		}
	}
	if !found {
		t.Errorf("auditEntries has no entry for override %s: %+v", ov.SetPermissionOverride.ID, audit.AuditEntries)
	}
	if r := srv.GraphQL(t, staff, `{ auditEntries { seq } }`, nil); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("staff reading the audit trail: code %q, want FORBIDDEN", r.FirstCode())
	}

	// Disabling an account ends its sessions; signOutEverywhere ends the
	// caller's own.
	var dis struct{ SetUserDisabled struct{ Status string } }
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { setUserDisabled(userID: $id, disabled: true) { status } }`,
		map[string]any{"id": staffID}).Decode(t, &dis)
	if r := srv.GraphQL(t, staff, `{ me { user { id } } }`, nil); r.FirstCode() != "UNAUTHENTICATED" {
		t.Errorf("a disabled user's session: code %q, want UNAUTHENTICATED", r.FirstCode())
	}
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { setUserDisabled(userID: $id, disabled: false) { status } }`, map[string]any{"id": staffID})
	other := srv.SignIn(t, "admin@example.com")
	var out struct{ SignOutEverywhere int }
	srv.MustGraphQL(t, admin, `mutation { signOutEverywhere }`, nil).Decode(t, &out)
	if out.SignOutEverywhere < 2 {
		t.Errorf("signOutEverywhere ended %d sessions, want both of the admin's", out.SignOutEverywhere)
	}
	if r := srv.GraphQL(t, other, `{ me { user { id } } }`, nil); r.FirstCode() != "UNAUTHENTICATED" {
		t.Errorf("the admin's other session after signOutEverywhere: code %q", r.FirstCode())
	}
}
