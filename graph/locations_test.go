package graph_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// locationIDs maps the demo locations' codes to their IDs, as a member of
// both sees them.
func locationIDs(t *testing.T, srv *testutil.Server, c *http.Client) map[string]string {
	t.Helper()
	var me struct {
		Me struct {
			Locations []struct{ Location struct{ ID, Code string } }
		}
	}
	srv.MustGraphQL(t, c, `{ me { locations { location { id code } } } }`, nil).Decode(t, &me)
	out := map[string]string{}
	for _, l := range me.Me.Locations {
		out[l.Location.Code] = l.Location.ID
	}
	return out
}

// activeLocation is the code of the location c acts at, or "" with the
// error code when it cannot act at all.
func activeLocation(t *testing.T, srv *testutil.Server, c *http.Client) (string, string) {
	t.Helper()
	r := srv.GraphQL(t, c, `{ me { location { code } } }`, nil)
	if len(r.Errors) > 0 {
		return "", r.FirstCode()
	}
	var me struct {
		Me struct{ Location struct{ Code string } }
	}
	r.Decode(t, &me)
	return me.Me.Location.Code, ""
}

// switchTo makes loc the active location of c's session; it reports the
// status.
func switchTo(t *testing.T, srv *testutil.Server, c *http.Client, loc string) int {
	t.Helper()
	resp, err := c.PostForm(srv.URL+"/location", url.Values{"location": {loc}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestInvite_AccountElsewhereRevealsNothing: a Parramatta administrator
// invites manager@example.com, who works at Sydney only. The answer is an
// invitation, as for an address nobody uses, with no user ID and nothing
// of the Sydney account; the person gains nothing until they sign in.
func TestInvite_AccountElsewhereRevealsNothing(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	par := srv.SignIn(t, "par-admin@example.com")
	mgr := srv.SignIn(t, "manager@example.com")
	locs := locationIDs(t, srv, srv.SignIn(t, "admin@example.com"))

	invite := `mutation($e: String!) { inviteUser(input: {email: $e, role: staff}) { id email name role acceptedAt } }`
	known := srv.MustGraphQL(t, par, invite, map[string]any{"e": "manager@example.com"})
	unknown := srv.MustGraphQL(t, par, invite, map[string]any{"e": "nobody-yet@example.com"})
	for _, r := range []testutil.GQLResponse{known, unknown} {
		body := string(r.Data)
		if strings.Contains(body, "usr_") || strings.Contains(body, "O'Connor") || strings.Contains(body, "Daniel") {
			t.Errorf("the invitation answer names the account: %s", body)
		}
		if !strings.Contains(body, `"id":"inv_`) || !strings.Contains(body, `"acceptedAt":null`) {
			t.Errorf("the answer is not a pending invitation: %s", body)
		}
	}
	// The same answer, but for the address.
	if k, u := strings.ReplaceAll(string(known.Data), "manager@example.com", "X"), strings.ReplaceAll(string(unknown.Data), "nobody-yet@example.com", "X"); stripID(k) != stripID(u) {
		t.Errorf("an existing account answers differently:\n%s\n%s", known.Data, unknown.Data)
	}
	// Parramatta sees no such user, only its invitation.
	var seen struct {
		Users       struct{ TotalCount int }
		Invitations struct{ TotalCount int }
	}
	srv.MustGraphQL(t, par, `{ users(where: {email: "manager@example.com"}) { totalCount }
		invitations(where: {email: "manager@example.com"}) { totalCount } }`, nil).Decode(t, &seen)
	if seen.Users.TotalCount != 0 || seen.Invitations.TotalCount != 1 {
		t.Errorf("Parramatta sees %d users, %d invitations", seen.Users.TotalCount, seen.Invitations.TotalCount)
	}
	// No access until accepted: the Sydney session cannot act at Parramatta.
	if st := switchTo(t, srv, mgr, locs["PAR"]); st != http.StatusForbidden {
		t.Errorf("switching to Parramatta before accepting: status %d", st)
	}
	if _, ok := locationIDs(t, srv, mgr)["PAR"]; ok {
		t.Error("the invitation gave access before it was accepted")
	}

	// Signing in accepts it.
	again := srv.SignIn(t, "manager@example.com")
	if _, ok := locationIDs(t, srv, again)["PAR"]; !ok {
		t.Fatal("signing in did not accept the invitation")
	}
	if st := switchTo(t, srv, again, locs["PAR"]); st != http.StatusSeeOther {
		t.Fatalf("switching to Parramatta after accepting: status %d", st)
	}
	var role struct{ Me struct{ Role string } }
	srv.MustGraphQL(t, again, `{ me { role } }`, nil).Decode(t, &role)
	if role.Me.Role != "staff" {
		t.Errorf("role at Parramatta %q, want the invited staff", role.Me.Role)
	}
	// Sydney is as it was.
	var syd struct{ Me struct{ Role string } }
	srv.MustGraphQL(t, mgr, `{ me { role } }`, nil).Decode(t, &syd)
	if syd.Me.Role != "manager" {
		t.Errorf("role at Sydney %q, want manager", syd.Me.Role)
	}
	// The acceptance is in Parramatta's trail.
	var trail struct {
		AuditEntries []struct{ Action, Detail, Email string }
	}
	srv.MustGraphQL(t, par, `{ auditEntries(filter: {action: "access_change"}, first: 10) { action detail email } }`, nil).Decode(t, &trail)
	if len(trail.AuditEntries) == 0 || !strings.Contains(trail.AuditEntries[0].Detail, "invitation accepted") {
		t.Errorf("Parramatta's trail has %+v", trail.AuditEntries)
	}
}

func stripID(s string) string {
	i := strings.Index(s, `"id":"inv_`)
	if i < 0 {
		return s
	}
	j := strings.Index(s[i+6:], `"`)
	return s[:i] + s[i+6+j:]
}

// TestAdminPowerIsPerLocation: a Parramatta administrator disables and
// removes admin@example.com, who administers both locations. Only the
// Parramatta membership and the sessions acting there are affected; the
// Sydney session keeps working, and the account itself can be disabled
// only by an administrator of every location the person belongs to.
func TestAdminPowerIsPerLocation(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	par := srv.SignIn(t, "par-admin@example.com")
	atSyd := srv.SignIn(t, "admin@example.com")
	locs := locationIDs(t, srv, atSyd)
	atPar := srv.SignIn(t, "admin@example.com")
	if st := switchTo(t, srv, atPar, locs["PAR"]); st != http.StatusSeeOther {
		t.Fatalf("switch to Parramatta: %d", st)
	}
	var u struct {
		Users struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	srv.MustGraphQL(t, par, `{ users(where: {email: "admin@example.com"}) { edges { node { id } } } }`, nil).Decode(t, &u)
	if len(u.Users.Edges) != 1 {
		t.Fatal("admin@example.com is not a member at Parramatta")
	}
	id := u.Users.Edges[0].Node.ID

	// The account itself: not for an administrator of Parramatta alone.
	if r := srv.GraphQL(t, par, `mutation($u: ID!) { setUserDisabled(userID: $u, disabled: true, everywhere: true) { status } }`, map[string]any{"u": id}); r.FirstCode() != "FORBIDDEN" {
		t.Fatalf("disabling the account from Parramatta: %s %s", r.FirstCode(), r.Data)
	}

	// At Parramatta: disabled there, signed out there, Sydney untouched.
	srv.MustGraphQL(t, par, `mutation($u: ID!) { setUserDisabled(userID: $u, disabled: true) { status memberships { disabledAt } } }`, map[string]any{"u": id})
	if loc, code := activeLocation(t, srv, atSyd); loc != "SYD" {
		t.Errorf("the Sydney session after disabling at Parramatta: %q %s", loc, code)
	}
	if loc, code := activeLocation(t, srv, atPar); code != "UNAUTHENTICATED" {
		t.Errorf("the Parramatta session after disabling there: %q %s, want it ended", loc, code)
	}
	if st := switchTo(t, srv, atSyd, locs["PAR"]); st != http.StatusForbidden {
		t.Errorf("switching to Parramatta while disabled there: %d", st)
	}
	var acc struct {
		Me struct{ User struct{ Status string } }
	}
	srv.MustGraphQL(t, atSyd, `{ me { user { status } } }`, nil).Decode(t, &acc)
	if acc.Me.User.Status != "active" {
		t.Errorf("the account is %q after disabling at Parramatta", acc.Me.User.Status)
	}
	// Enabled again at Parramatta, then removed from it: Sydney still works.
	srv.MustGraphQL(t, par, `mutation($u: ID!) { setUserDisabled(userID: $u, disabled: false) { id } }`, map[string]any{"u": id})
	if st := switchTo(t, srv, atPar, locs["PAR"]); st != http.StatusSeeOther && st != http.StatusFound {
		// atPar's session ended; sign in again at Parramatta.
		atPar = srv.SignIn(t, "admin@example.com")
		if st := switchTo(t, srv, atPar, locs["PAR"]); st != http.StatusSeeOther {
			t.Fatalf("back at Parramatta after enabling: %d", st)
		}
	}
	srv.MustGraphQL(t, par, `mutation($u: ID!) { removeMember(userID: $u) }`, map[string]any{"u": id})
	if loc, code := activeLocation(t, srv, atSyd); loc != "SYD" {
		t.Errorf("the Sydney session after removal from Parramatta: %q %s", loc, code)
	}
	if _, code := activeLocation(t, srv, atPar); code != "UNAUTHENTICATED" {
		t.Errorf("the Parramatta session after removal: %s, want it ended", code)
	}
	var syd struct{ Me struct{ Role string } }
	srv.MustGraphQL(t, atSyd, `{ me { role } }`, nil).Decode(t, &syd)
	if syd.Me.Role != "admin" {
		t.Errorf("Sydney role %q after removal from Parramatta", syd.Me.Role)
	}

	// Each change is in Parramatta's trail, naming where it was made;
	// Sydney's trail has none of it.
	var trail struct {
		AuditEntries []struct{ Detail, ResourceID string }
	}
	srv.MustGraphQL(t, par, `{ auditEntries(filter: {action: "access_change"}, first: 20) { detail resourceID } }`, nil).Decode(t, &trail)
	var got []string
	for _, e := range trail.AuditEntries {
		if e.ResourceID == id {
			got = append(got, e.Detail)
		}
	}
	if len(got) != 3 || !strings.Contains(strings.Join(got, "|"), "acting at "+locs["PAR"]) {
		t.Errorf("Parramatta's trail: %q", got)
	}
	srv.MustGraphQL(t, atSyd, `{ auditEntries(filter: {action: "access_change"}, first: 20) { detail resourceID } }`, nil).Decode(t, &trail)
	if len(trail.AuditEntries) != 0 {
		t.Errorf("Sydney's trail has Parramatta's changes: %+v", trail.AuditEntries)
	}

	// An administrator of every location the person belongs to may disable
	// the account itself: every session ends.
	mgr := srv.SignIn(t, "manager@example.com")
	var m struct {
		Users struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	srv.MustGraphQL(t, atSyd, `{ users(where: {email: "manager@example.com"}) { edges { node { id } } } }`, nil).Decode(t, &m)
	srv.MustGraphQL(t, atSyd, `mutation($u: ID!) { setUserDisabled(userID: $u, disabled: true, everywhere: true) { status } }`, map[string]any{"u": m.Users.Edges[0].Node.ID})
	if _, code := activeLocation(t, srv, mgr); code != "UNAUTHENTICATED" {
		t.Errorf("the manager's session after the account was disabled: %s", code)
	}
}

// TestAdminReadsNeedAdminPermissions: viewers and staff get FORBIDDEN for
// API tokens (the connection and node(id: tok_…)) and the permission
// exceptions, on GraphQL and (403) on the UI's pages.
func TestAdminReadsNeedAdminPermissions(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	var tok struct {
		CreateAPIToken struct{ APIToken struct{ ID string } }
	}
	srv.MustGraphQL(t, admin, `mutation { createAPIToken(input: {name: "Wix sync"}) { apiToken { id } } }`, nil).Decode(t, &tok)
	tokID := tok.CreateAPIToken.APIToken.ID
	reads := map[string]string{
		"apiTokens":           `{ apiTokens(first: 5) { edges { node { name hint } } } }`,
		"node(tok_…)":         `{ node(id: "` + tokID + `") { ... on APIToken { name hint lastUsedAt } } }`,
		"nodes(tok_…)":        `{ nodes(ids: ["` + tokID + `"]) { ... on APIToken { name } } }`,
		"permissionOverrides": `{ permissionOverrides(first: 5) { edges { node { reason } } } }`,
	}
	for _, email := range []string{"viewer@example.com", "staff@example.com"} {
		c := srv.SignIn(t, email)
		for name, q := range reads {
			r := srv.GraphQL(t, c, q, nil)
			if r.FirstCode() != "FORBIDDEN" || strings.Contains(string(r.Data), "Wix") {
				t.Errorf("%s reading %s: %s %s", email, name, r.FirstCode(), r.Data)
			}
		}
		for _, path := range []string{"/admin/tokens", "/admin/permissions"} {
			resp, err := c.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", email, path, resp.StatusCode)
			}
		}
	}
	for name, q := range reads {
		if r := srv.GraphQL(t, admin, q, nil); len(r.Errors) > 0 {
			t.Errorf("the admin reading %s: %+v", name, r.Errors)
		}
	}
}
