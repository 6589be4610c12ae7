package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// uiProbe is one UI request that exercises a resource × action.
type uiProbe struct {
	res    rbac.Resource
	act    rbac.Action
	method string
	path   string
	// form builds the posted form for a role.
	form func(role rbac.Role) url.Values
	// also lists further permissions the page needs besides res:act.
	also []string
	// adminOnly: allowed to administrators only, whatever the table says
	// (permanent deletion).
	adminOnly bool
}

// Placeholders in probe paths and forms, replaced by demo records found
// when the test starts: a contact the probes read and change (in a way
// that leaves it as it was), and its stage.
const (
	probeContact = "{contact}"
	probeStage   = "{stage}"
)

var uiProbes = []uiProbe{
	{res: rbac.Contacts, act: rbac.Read, method: "GET", path: "/contacts"},
	{res: rbac.Contacts, act: rbac.Read, method: "GET", path: "/contacts/" + probeContact},
	{res: rbac.Contacts, act: rbac.Create, method: "GET", path: "/contacts/new"},
	{res: rbac.Contacts, act: rbac.Create, method: "POST", path: "/contacts/new", form: func(role rbac.Role) url.Values {
		return url.Values{"first_name": {fmt.Sprintf("UI matrix (%s)", role)}}
	}},
	{res: rbac.Contacts, act: rbac.Create, method: "GET", path: "/contacts/import"},
	{res: rbac.Contacts, act: rbac.Update, method: "GET", path: "/contacts/" + probeContact + "/edit"},
	{res: rbac.Contacts, act: rbac.Update, method: "POST", path: "/contacts/bulk", form: func(rbac.Role) url.Values {
		// Moving to the stage it is in changes nothing.
		return url.Values{"ids": {probeContact}, "stage": {probeStage}}
	}},
	{res: rbac.Contacts, act: rbac.Update, method: "POST", path: "/contacts/" + probeContact + "/stage", form: func(rbac.Role) url.Values {
		return url.Values{"stage": {probeStage}}
	}},
	{res: rbac.Contacts, act: rbac.Export, method: "GET", path: "/contacts/export.csv?stage=" + probeStage},
	{res: rbac.Contacts, act: rbac.Delete, method: "GET", path: "/contacts/" + probeContact + "/merge", also: []string{"contacts:update"}},
	{res: rbac.Contacts, act: rbac.Delete, method: "POST", path: "/contacts/" + probeContact + "/archive", form: func(rbac.Role) url.Values { return url.Values{} }},
	{res: rbac.Contacts, act: rbac.Delete, method: "POST", path: "/contacts/" + probeContact + "/restore", form: func(rbac.Role) url.Values { return url.Values{} }},
	{res: rbac.Contacts, act: rbac.Delete, method: "GET", path: "/contacts/" + probeContact + "/purge", adminOnly: true},
	{res: rbac.Bookings, act: rbac.Read, method: "GET", path: "/bookings"},
	{res: rbac.Tasks, act: rbac.Read, method: "GET", path: "/tasks"},
	{res: rbac.Tasks, act: rbac.Read, method: "GET", path: "/tasks/board"},
	{res: rbac.Tasks, act: rbac.Create, method: "GET", path: "/tasks/new"},
	{res: rbac.Tasks, act: rbac.Create, method: "POST", path: "/tasks", form: func(role rbac.Role) url.Values {
		return url.Values{"title": {fmt.Sprintf("UI matrix task (%s)", role)}}
	}},
	{res: rbac.Users, act: rbac.Read, method: "GET", path: "/admin/users", also: []string{"users:update"}},
	{res: rbac.Users, act: rbac.Create, method: "POST", path: "/admin/users", form: func(role rbac.Role) url.Values {
		return url.Values{"email": {fmt.Sprintf("ui-matrix-%s@example.com", role)}, "name": {"Matrix"}, "role": {"viewer"}}
	}, also: []string{"users:read", "users:update"}},
	{res: rbac.Settings, act: rbac.Read, method: "GET", path: "/admin/permissions"},
	{res: rbac.Settings, act: rbac.Read, method: "GET", path: "/admin/network"},
	{res: rbac.Settings, act: rbac.Update, method: "POST", path: "/admin/permissions", form: func(rbac.Role) url.Values {
		// Re-grant what the default table already grants: allowed, and no
		// change to anybody's rights.
		return url.Values{"role": {"viewer"}, "resource": {"contacts"}, "action": {"read"}, "grant": {"own_location_only"}}
	}},
	{res: rbac.APITokens, act: rbac.Read, method: "GET", path: "/admin/tokens"},
	{res: rbac.APITokens, act: rbac.Create, method: "POST", path: "/admin/tokens", form: func(role rbac.Role) url.Values {
		return url.Values{"name": {fmt.Sprintf("UI matrix (%s)", role)}}
	}},
	{res: rbac.Campaigns, act: rbac.Read, method: "GET", path: "/campaigns"},
	{res: rbac.Campaigns, act: rbac.Create, method: "POST", path: "/campaigns", form: func(role rbac.Role) url.Values {
		return url.Values{"name": {fmt.Sprintf("UI matrix (%s)", role)}}
	}},
	{res: rbac.Audit, act: rbac.Read, method: "GET", path: "/admin/audit"},
	{res: rbac.Audit, act: rbac.Export, method: "GET", path: "/admin/audit/export?format=csv"},
}

// TestUIRoleMatrix runs every role against the UI's pages and forms and
// compares the answer with the permission table: an allowed request is never
// 403, a denied one always is.
func TestUIRoleMatrix(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	emails := map[rbac.Role]string{
		rbac.Admin: "admin@example.com", rbac.Manager: "manager@example.com",
		rbac.Staff: "staff@example.com", rbac.Viewer: "viewer@example.com",
	}
	var demo struct {
		Contacts struct {
			Edges []struct{ Node struct{ ID, Stage string } }
		}
	}
	srv.MustGraphQL(t, srv.SignIn(t, emails[rbac.Admin]), `{ contacts(first: 1, where: {stage: new_lead}) { edges { node { id stage } } } }`, nil).Decode(t, &demo)
	if len(demo.Contacts.Edges) == 0 {
		t.Fatal("no new lead in the demo data")
	}
	fill := strings.NewReplacer(probeContact, demo.Contacts.Edges[0].Node.ID, probeStage, demo.Contacts.Edges[0].Node.Stage)
	for _, role := range rbac.Roles {
		c := srv.SignIn(t, emails[role])
		for _, p := range uiProbes {
			allowed := rbac.Default.Decide(role, p.res, p.act).Allowed
			for _, perm := range p.also {
				res, act, _ := strings.Cut(perm, ":")
				allowed = allowed && rbac.Default.Decide(role, rbac.Resource(res), rbac.Action(act)).Allowed
			}
			if p.adminOnly {
				allowed = allowed && role == rbac.Admin
			}
			path := fill.Replace(p.path)
			var resp *http.Response
			var err error
			if p.method == "GET" {
				resp, err = c.Get(srv.URL + path)
			} else {
				form := url.Values{}
				for k, vs := range p.form(role) {
					for _, v := range vs {
						form.Add(k, fill.Replace(v))
					}
				}
				resp, err = c.PostForm(srv.URL+path, form)
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			denied := resp.StatusCode == http.StatusForbidden
			if allowed && (denied || resp.StatusCode >= 400) {
				t.Errorf("%s %s %s: status %d, but the table allows it", role, p.method, path, resp.StatusCode)
			}
			if !allowed && !denied {
				t.Errorf("%s %s %s: status %d, but the table denies it", role, p.method, path, resp.StatusCode)
			}
		}
	}
}
