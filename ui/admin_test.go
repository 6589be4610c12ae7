package ui_test

// The admin area over plain HTTP: forms posted the way a browser without
// JavaScript posts them, pages read with goquery, and every change checked
// against the GraphQL API (or against what it should allow or refuse).

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// page is a response and its parsed body.
type page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
	Doc      *goquery.Document
}

func fetch(t *testing.T, c *http.Client, req *http.Request) page {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse %s: %v", req.URL, err)
	}
	return page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Header: resp.Header, Body: string(raw), Doc: doc}
}

func getPage(t *testing.T, srv *testutil.Server, c *http.Client, path string) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	return fetch(t, c, req)
}

func postPage(t *testing.T, srv *testutil.Server, c *http.Client, path string, form url.Values) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return fetch(t, c, req)
}

// postDone posts a form that must succeed: 303 to want (a path), whose page
// then shows a flash message. It returns that page.
func postDone(t *testing.T, srv *testutil.Server, c *http.Client, path string, form url.Values, want string) page {
	t.Helper()
	p := postPage(t, srv, c, path, form)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("POST %s: status %d, want 303; errors: %q", path, p.Status, errorsOn(p))
	}
	u, err := url.Parse(p.Location)
	if err != nil || u.Path != want || u.Query().Get("done") == "" {
		t.Fatalf("POST %s redirected to %q, want %s?done=…", path, p.Location, want)
	}
	next := getPage(t, srv, c, p.Location)
	if next.Status != http.StatusOK {
		t.Fatalf("GET %s after POST %s: status %d", p.Location, path, next.Status)
	}
	if flash := text(next.Doc.Find(".flash").First()); flash == "" {
		t.Errorf("GET %s: no flash message", p.Location)
	}
	return next
}

// errorsOn lists the error messages a page shows.
func errorsOn(p page) []string {
	var out []string
	p.Doc.Find(".field-error, .form-error, .flash.error, [data-testid=error] p").Each(func(_ int, s *goquery.Selection) {
		out = append(out, text(s))
	})
	return out
}

func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

func byTestID(id string) string { return testutil.TestID(id) }

// memberRow finds the users page row of an email.
func memberRow(p page, email string) *goquery.Selection {
	return p.Doc.Find(byTestID("member-row") + `[data-email="` + email + `"]`)
}

// userID returns the ID of the user with that email, as admin sees it.
func userID(t *testing.T, srv *testutil.Server, admin *http.Client, email string) string {
	t.Helper()
	var out struct {
		Users struct {
			Edges []struct{ Node struct{ ID, Status string } }
		}
	}
	srv.MustGraphQL(t, admin, `query($e: String!) { users(where: {email: $e}) { edges { node { id status } } } }`,
		map[string]any{"e": email}).Decode(t, &out)
	if len(out.Users.Edges) != 1 {
		t.Fatalf("users with email %s: %d", email, len(out.Users.Edges))
	}
	return out.Users.Edges[0].Node.ID
}

func countUsers(t *testing.T, srv *testutil.Server, admin *http.Client, email string) int {
	t.Helper()
	var out struct{ Users struct{ TotalCount int } }
	srv.MustGraphQL(t, admin, `query($e: String!) { users(where: {email: $e}) { totalCount } }`, map[string]any{"e": email}).Decode(t, &out)
	return out.Users.TotalCount
}

func TestAdmin_InviteUser(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")

	// The admin's navigation offers the area; the index links to every
	// section.
	home := getPage(t, srv, admin, "/")
	if home.Doc.Find(byTestID("nav-admin")).Length() != 1 {
		t.Fatal("an administrator's navigation has no Admin item")
	}
	idx := getPage(t, srv, admin, "/admin")
	for _, s := range []string{"users", "permissions", "tokens", "network"} {
		if idx.Doc.Find(byTestID("admin-"+s)).Length() != 1 {
			t.Errorf("/admin does not link to %s", s)
		}
	}

	users := getPage(t, srv, admin, "/admin/users")
	if users.Status != http.StatusOK {
		t.Fatalf("/admin/users: status %d", users.Status)
	}
	if got := text(memberRow(users, "staff@example.com").Find(byTestID("member-role"))); got != "Staff" {
		t.Errorf("staff@example.com's role shows as %q", got)
	}
	if got := text(memberRow(users, "admin@example.com").Find(byTestID("member-name"))); got != "Priya Sharma (you)" {
		t.Errorf("the admin's own row shows %q", got)
	}

	after := postDone(t, srv, admin, "/admin/users", url.Values{
		"email": {"  New.Radiographer@Example.com "}, "name": {"Ada  Lovelace"}, "role": {"staff"},
	}, "/admin/users")
	row := memberRow(after, "new.radiographer@example.com")
	if row.Length() != 1 {
		t.Fatalf("the invited user is not listed:\n%s", text(after.Doc.Find(byTestID("members"))))
	}
	if got := text(row.Find(byTestID("member-status"))); got != "Invited" {
		t.Errorf("status = %q, want invited", got)
	}
	if got := text(row.Find(byTestID("member-name"))); got != "Ada Lovelace" {
		t.Errorf("name = %q", got)
	}
	if got := text(row.Find(byTestID("member-role"))); got != "Staff" {
		t.Errorf("role = %q", got)
	}
	// An invitation grants nothing until it is accepted: the person is not
	// a user here yet, only an invitation.
	var inv struct {
		Invitations struct {
			Edges []struct {
				Node struct{ Email, Name, Role string }
			}
		}
		Users struct{ TotalCount int }
	}
	srv.MustGraphQL(t, admin, `{ invitations(where: {email: "new.radiographer@example.com", acceptedAtIsNil: true}) { edges { node { email name role } } }
		users(where: {email: "new.radiographer@example.com"}) { totalCount } }`, nil).Decode(t, &inv)
	if len(inv.Invitations.Edges) != 1 || inv.Invitations.Edges[0].Node.Role != "staff" || inv.Invitations.Edges[0].Node.Name != "Ada Lovelace" || inv.Users.TotalCount != 0 {
		t.Errorf("before accepting, the API has %+v", inv)
	}

	// Inviting them again is a conflict, shown in the form.
	again := postPage(t, srv, admin, "/admin/users", url.Values{"email": {"new.radiographer@example.com"}, "role": {"staff"}})
	if again.Status != http.StatusConflict || !strings.Contains(text(again.Doc.Find(byTestID("form-error"))), "already invited") {
		t.Errorf("inviting twice: status %d, errors %q", again.Status, errorsOn(again))
	}

	// Signing in accepts it: a member with the role, listed as such.
	srv.SignIn(t, "new.radiographer@example.com")
	var me struct {
		Users struct {
			Edges []struct {
				Node struct {
					Status      string
					Memberships []struct{ Role string }
				}
			}
		}
	}
	srv.MustGraphQL(t, admin, `{ users(where: {email: "new.radiographer@example.com"}) { edges { node { status memberships { role } } } } }`, nil).Decode(t, &me)
	if len(me.Users.Edges) != 1 || me.Users.Edges[0].Node.Status != "active" || len(me.Users.Edges[0].Node.Memberships) != 1 || me.Users.Edges[0].Node.Memberships[0].Role != "staff" {
		t.Errorf("after signing in, the API has %+v", me.Users.Edges)
	}
	member := memberRow(getPage(t, srv, admin, "/admin/users"), "new.radiographer@example.com")
	if got := text(member.Find(byTestID("member-status"))); member.Length() != 1 || got != "Active" {
		t.Errorf("after signing in, %d rows, status %q", member.Length(), got)
	}
	third := postPage(t, srv, admin, "/admin/users", url.Values{"email": {"new.radiographer@example.com"}, "role": {"staff"}})
	if third.Status != http.StatusConflict || !strings.Contains(text(third.Doc.Find(byTestID("form-error"))), "already belongs") {
		t.Errorf("inviting a member: status %d, errors %q", third.Status, errorsOn(third))
	}
}

func TestAdmin_InviteValidationErrorNextToField(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")

	p := postPage(t, srv, admin, "/admin/users", url.Values{"email": {"not-an-email"}, "name": {"Kept Name"}, "role": {"manager"}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", p.Status)
	}
	form := p.Doc.Find(byTestID("invite-form"))
	email := form.Find("#invite-email")
	if v, _ := email.Attr("value"); v != "not-an-email" {
		t.Errorf("the email input holds %q, want the input kept", v)
	}
	if v, _ := form.Find("#invite-name").Attr("value"); v != "Kept Name" {
		t.Errorf("the name input holds %q, want the input kept", v)
	}
	if v, _ := form.Find("#invite-role option[selected]").Attr("value"); v != "manager" {
		t.Errorf("the role select has %q selected, want manager", v)
	}
	// The message sits in the email field's own block, and the input
	// points at it.
	msg := email.Parent().Find(byTestID("field-error-invite-email"))
	if msg.Length() != 1 || !strings.Contains(text(msg), "not-an-email") {
		t.Fatalf("no message beside the email field; errors on the page: %q", errorsOn(p))
	}
	if v, _ := email.Attr("aria-invalid"); v != "true" {
		t.Error("the email input is not aria-invalid")
	}
	if v, _ := email.Attr("aria-describedby"); v != "invite-email-error" {
		t.Errorf("aria-describedby = %q", v)
	}
	if n := form.Find(".field-error").Length(); n != 1 {
		t.Errorf("%d field errors, want only the email's", n)
	}
	if countUsers(t, srv, admin, "not-an-email") != 0 {
		t.Error("a user was created anyway")
	}
}

func TestAdmin_ChangeRoleAndSkills(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	id := userID(t, srv, admin, "staff@example.com")

	m := getPage(t, srv, admin, "/admin/users/"+id)
	if m.Status != http.StatusOK || text(m.Doc.Find(byTestID("member-title"))) != "Chloe Nguyen" {
		t.Fatalf("member page: %d %q", m.Status, text(m.Doc.Find("h1")))
	}
	if v, _ := m.Doc.Find("#member-skills").Attr("value"); v != "calls, reception" {
		t.Errorf("skills field = %q", v)
	}

	after := postDone(t, srv, admin, "/admin/users/"+id+"/role", url.Values{"role": {"manager"}, "skills": {"MRI, calls,, mri "}}, "/admin/users")
	row := memberRow(after, "staff@example.com")
	if got := text(row.Find(byTestID("member-role"))); got != "Manager" {
		t.Errorf("role after the change = %q", got)
	}
	var skills []string
	row.Find(byTestID("member-skills") + " .tag").Each(func(_ int, s *goquery.Selection) { skills = append(skills, text(s)) })
	if got := strings.Join(skills, " "); got != "mri calls" {
		t.Errorf("skills after the change = %q", got)
	}
	// The person now acts as a manager.
	var me struct{ Me struct{ Role string } }
	srv.MustGraphQL(t, srv.SignIn(t, "staff@example.com"), `{ me { role } }`, nil).Decode(t, &me)
	if me.Me.Role != "manager" {
		t.Errorf("me.role = %q, want manager", me.Me.Role)
	}

	// Nobody changes their own role: the form comes back with the message
	// next to the role.
	self := userID(t, srv, admin, "admin@example.com")
	p := postPage(t, srv, admin, "/admin/users/"+self+"/role", url.Values{"role": {"viewer"}, "skills": {""}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(text(p.Doc.Find(byTestID("field-error-member-role"))), "own role") {
		t.Errorf("changing one's own role: status %d, errors %q", p.Status, errorsOn(p))
	}
	// Someone of another location, or nobody: not found, for the page and
	// for a post alike.
	parStaff := userID(t, srv, srv.SignIn(t, "par-admin@example.com"), "par-staff@example.com")
	for _, id := range []string{parStaff, "usr_01JD3W6Y2V9M8K4T5X7QZ0ABCD", "nonsense"} {
		if p := getPage(t, srv, admin, "/admin/users/"+id); p.Status != http.StatusNotFound {
			t.Errorf("GET /admin/users/%s: %d, want 404", id, p.Status)
		}
		if p := postPage(t, srv, admin, "/admin/users/"+id+"/role", url.Values{"role": {"viewer"}}); p.Status != http.StatusNotFound {
			t.Errorf("POST /admin/users/%s/role: %d, want 404", id, p.Status)
		}
	}
	// An unknown role never reaches the resolver.
	p = postPage(t, srv, admin, "/admin/users/"+id+"/role", url.Values{"role": {"superuser"}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find(byTestID("field-error-member-role")).Length() != 1 {
		t.Errorf("unknown role: status %d, errors %q", p.Status, errorsOn(p))
	}
}

func TestAdmin_StaffIsRefused(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	staff := srv.SignIn(t, "staff@example.com")

	if n := getPage(t, srv, staff, "/").Doc.Find(byTestID("nav-admin")).Length(); n != 0 {
		t.Error("staff see an Admin navigation item they cannot use")
	}
	for _, path := range []string{"/admin", "/admin/users", "/admin/permissions", "/admin/tokens", "/admin/network",
		"/admin/users/" + userID(t, srv, admin, "viewer@example.com") + "/remove"} {
		if p := getPage(t, srv, staff, path); p.Status != http.StatusForbidden || p.Doc.Find(byTestID("error")).Length() != 1 {
			t.Errorf("staff GET %s: status %d, want the 403 page", path, p.Status)
		}
	}

	// Forged posts: the server refuses whatever the page showed.
	const forged = "forged.invite@example.com"
	viewerID := userID(t, srv, admin, "viewer@example.com")
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/admin/users", url.Values{"email": {forged}, "name": {"Forged"}, "role": {"admin"}}},
		{"/admin/users", url.Values{"email": {forged}, "role": {"viewer"}}},
		{"/admin/users/" + viewerID + "/role", url.Values{"role": {"admin"}}},
		{"/admin/users/" + viewerID + "/remove", url.Values{"confirm": {"yes"}}},
		{"/admin/users/" + viewerID + "/disable", url.Values{"confirm": {"yes"}}},
		{"/admin/permissions", url.Values{"role": {"staff"}, "resource": {"users"}, "action": {"create"}, "grant": {"own_location_only"}}},
		{"/admin/permissions/overrides", url.Values{"userID": {viewerID}, "resource": {"users"}, "action": {"create"}, "effect": {"grant"}, "condition": {"own_location_only"}}},
		{"/admin/tokens", url.Values{"name": {"forged"}}},
		{"/admin/network", url.Values{"cidr": {"10.0.0.0/8"}, "confirmLockout": {"true"}}},
	} {
		if p := postPage(t, srv, staff, tc.path, tc.form); p.Status != http.StatusForbidden {
			t.Errorf("staff POST %s: status %d, want 403", tc.path, p.Status)
		}
	}
	if countUsers(t, srv, admin, forged) != 0 {
		t.Error("the forged invitation created a user")
	}
	var check struct {
		Users struct {
			Edges []struct {
				Node struct {
					Status      string
					Memberships []struct{ Role string }
				}
			}
		}
		APITokens           struct{ TotalCount int }
		IPRules             struct{ TotalCount int }
		PermissionOverrides struct{ TotalCount int }
		PermissionMatrix    []struct {
			Role, Resource, Action string
			Allowed                bool
		}
	}
	srv.MustGraphQL(t, admin, `{
		users(where: {email: "viewer@example.com"}) { edges { node { status memberships { role } } } }
		apiTokens { totalCount } ipRules { totalCount } permissionOverrides { totalCount }
		permissionMatrix { role resource action allowed } }`, nil).Decode(t, &check)
	if e := check.Users.Edges; len(e) != 1 || e[0].Node.Status != "active" || len(e[0].Node.Memberships) != 1 || e[0].Node.Memberships[0].Role != "viewer" {
		t.Errorf("the viewer was changed by forged posts: %+v", e)
	}
	if check.APITokens.TotalCount+check.IPRules.TotalCount+check.PermissionOverrides.TotalCount != 0 {
		t.Errorf("forged posts created tokens, rules or overrides: %+v", check)
	}
	for _, c := range check.PermissionMatrix {
		if c.Role == "staff" && c.Resource == "users" && c.Action == "create" && c.Allowed {
			t.Error("a forged post granted staff users:create")
		}
	}
}

func TestAdmin_ManagerSeesOnlyWhatTheyMay(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	manager := srv.SignIn(t, "manager@example.com")

	// Managers read settings but do not manage people: the matrix, read
	// only, the network rules, the AI usage, and the automation rules and
	// jobs they may read.
	idx := getPage(t, srv, manager, "/admin")
	if idx.Status != http.StatusOK {
		t.Fatalf("manager /admin: %d", idx.Status)
	}
	var links []string
	idx.Doc.Find(byTestID("admin-sections") + " a").Each(func(_ int, s *goquery.Selection) { links = append(links, text(s)) })
	if strings.Join(links, ",") != "Permissions,Network,AI,Integrations,Webhooks and website form,Automation,Jobs" {
		t.Errorf("a manager's admin index links to %q", links)
	}
	perms := getPage(t, srv, manager, "/admin/permissions")
	if perms.Status != http.StatusOK {
		t.Fatalf("manager /admin/permissions: %d", perms.Status)
	}
	if n := perms.Doc.Find(byTestID("perm-matrix") + " select").Length(); n != 0 {
		t.Errorf("a manager gets %d editable cells", n)
	}
	// The exceptions are part of the settings they read (settings:read, as
	// permissionOverrides declares), but they change none.
	if perms.Doc.Find(byTestID("overrides")).Length() != 1 {
		t.Error("a manager, who reads the settings, does not see the exceptions")
	}
	if n := perms.Doc.Find(byTestID("override-form") + "," + byTestID("override-remove")).Length(); n != 0 {
		t.Errorf("a manager gets %d forms or links that change the exceptions", n)
	}
	if p := getPage(t, srv, manager, "/admin/network"); p.Status != http.StatusOK || p.Doc.Find(byTestID("ip-rule-form")).Length() != 0 {
		t.Errorf("manager /admin/network: %d, with the add form: %v", p.Status, p.Doc.Find(byTestID("ip-rule-form")).Length() > 0)
	}
	if p := getPage(t, srv, manager, "/admin/users"); p.Status != http.StatusForbidden {
		t.Errorf("manager /admin/users: %d, want 403", p.Status)
	}
	if p := postPage(t, srv, manager, "/admin/permissions", url.Values{"role": {"viewer"}, "resource": {"contacts"}, "action": {"read"}, "grant": {"none"}}); p.Status != http.StatusForbidden {
		t.Errorf("manager POST /admin/permissions: %d, want 403", p.Status)
	}
}

func TestAdmin_PermissionMatrix(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	viewer := srv.SignIn(t, "viewer@example.com")

	p := getPage(t, srv, admin, "/admin/permissions")
	if p.Status != http.StatusOK {
		t.Fatalf("/admin/permissions: %d", p.Status)
	}
	cell := func(p page, id string) *goquery.Selection { return p.Doc.Find("#" + id) }
	if c := cell(p, "perm-admin-users-delete"); c.Find("select").Length() != 0 || text(c.Find(byTestID("perm-state"))) != "Always allowed" {
		t.Errorf("admin cell: %q, editable %v", text(c), c.Find("select").Length() > 0)
	}
	vc := cell(p, "perm-viewer-contacts-read")
	if v, _ := vc.Find("select option[selected]").Attr("value"); v != "own_location_only" || text(vc.Find(byTestID("perm-state"))) != "Allowed" {
		t.Errorf("viewer contacts:read shows %q (selected %q)", text(vc), v)
	}
	if sc := cell(p, "perm-staff-contacts-read"); sc.Find(byTestID("perm-inherited")).Length() != 1 {
		t.Errorf("staff contacts:read does not say it is inherited: %q", text(sc))
	}
	if sc := cell(p, "perm-staff-tasks-update"); text(sc.Find(byTestID("perm-state"))) != "Allowed · own records only" {
		t.Errorf("staff tasks:update = %q", text(sc.Find(byTestID("perm-state"))))
	}
	if n, want := p.Doc.Find(byTestID("perm-matrix")+" tbody tr").Length(), len(rbac.Resources)*len(rbac.Actions); n != want {
		t.Errorf("%d rows, want %d (%d resources × %d actions)", n, want, len(rbac.Resources), len(rbac.Actions))
	}

	set := func(grant string) page {
		t.Helper()
		resp := postPage(t, srv, admin, "/admin/permissions", url.Values{"role": {"viewer"}, "resource": {"contacts"}, "action": {"read"}, "grant": {grant}})
		if resp.Status != http.StatusSeeOther || !strings.HasSuffix(resp.Location, "#perm-viewer-contacts-read") {
			t.Fatalf("set viewer contacts:read %s: status %d, location %q, errors %q", grant, resp.Status, resp.Location, errorsOn(resp))
		}
		return getPage(t, srv, admin, resp.Location)
	}
	off := set("none")
	if c := cell(off, "perm-viewer-contacts-read"); text(c.Find(byTestID("perm-state"))) != "Not allowed" || !strings.Contains(text(c), "Saved") {
		t.Errorf("after turning it off the cell shows %q", text(c))
	}
	if r := getPage(t, srv, viewer, "/contacts"); r.Status != http.StatusForbidden {
		t.Errorf("viewer /contacts after the change: %d, want 403", r.Status)
	}
	if r := srv.GraphQL(t, viewer, `{ contacts(first: 1) { totalCount } }`, nil); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("viewer contacts query after the change: %+v", r.Errors)
	}
	if getPage(t, srv, viewer, "/").Doc.Find(byTestID("nav-contacts")).Length() != 0 {
		t.Error("the viewer's navigation still links to Contacts")
	}

	on := set("own_location_only")
	if c := cell(on, "perm-viewer-contacts-read"); text(c.Find(byTestID("perm-state"))) != "Allowed" {
		t.Errorf("after turning it on the cell shows %q", text(c))
	}
	if r := getPage(t, srv, viewer, "/contacts"); r.Status != http.StatusOK {
		t.Errorf("viewer /contacts after turning it back on: %d", r.Status)
	}
	srv.MustGraphQL(t, viewer, `{ contacts(first: 1) { totalCount } }`, nil)

	// The admin column is not in the table.
	if r := postPage(t, srv, admin, "/admin/permissions", url.Values{"role": {"admin"}, "resource": {"contacts"}, "action": {"read"}, "grant": {"none"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("changing the admin column: %d, want 422", r.Status)
	}
}

func TestAdmin_PermissionOverrides(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	viewer := srv.SignIn(t, "viewer@example.com")
	viewerID := userID(t, srv, admin, "viewer@example.com")

	p := getPage(t, srv, admin, "/admin/permissions")
	if p.Doc.Find(`#ov-user option[value="`+userID(t, srv, admin, "admin@example.com")+`"]`).Length() != 0 {
		t.Error("the person list offers the admin themself")
	}
	after := postDone(t, srv, admin, "/admin/permissions/overrides", url.Values{
		"userID": {viewerID}, "resource": {"contacts"}, "action": {"read"}, "effect": {"deny"}, "condition": {"own_location_only"}, "reason": {"on leave"},
	}, "/admin/permissions")
	row := after.Doc.Find(byTestID("override-row"))
	if row.Length() != 1 || !strings.Contains(text(row), "Marcus Lee") || !strings.Contains(text(row), "deny") || !strings.Contains(text(row), "on leave") {
		t.Fatalf("override rows: %q", text(row))
	}
	if r := getPage(t, srv, viewer, "/contacts"); r.Status != http.StatusForbidden {
		t.Errorf("denied viewer /contacts: %d", r.Status)
	}

	href, _ := row.Find(byTestID("override-remove")).Attr("href")
	if c := getPage(t, srv, admin, href); c.Status != http.StatusOK || c.Doc.Find(byTestID("confirm")).Length() != 1 {
		t.Fatalf("GET %s: %d, want the confirmation", href, c.Status)
	}
	postDone(t, srv, admin, href, url.Values{"confirm": {"yes"}}, "/admin/permissions")
	if r := getPage(t, srv, admin, href); r.Status != http.StatusNotFound {
		t.Errorf("GET %s once it is gone: %d, want 404", href, r.Status)
	}
	if r := getPage(t, srv, viewer, "/contacts"); r.Status != http.StatusOK {
		t.Errorf("viewer /contacts after removing the denial: %d", r.Status)
	}

	// Nobody overrides their own rights; the message sits by the person.
	self := userID(t, srv, admin, "admin@example.com")
	r := postPage(t, srv, admin, "/admin/permissions/overrides", url.Values{
		"userID": {self}, "resource": {"contacts"}, "action": {"read"}, "effect": {"deny"}, "condition": {"own_location_only"},
	})
	if r.Status != http.StatusUnprocessableEntity || r.Doc.Find(byTestID("field-error-ov-user")).Length() != 1 {
		t.Errorf("overriding oneself: %d, errors %q", r.Status, errorsOn(r))
	}
	if v, _ := r.Doc.Find("#ov-effect option[selected]").Attr("value"); v != "deny" {
		t.Errorf("the effect was not kept: %q", v)
	}
}

func TestAdmin_DisableEnableAndRemove(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	staff := srv.SignIn(t, "staff@example.com")
	viewer := srv.SignIn(t, "viewer@example.com")
	staffID := userID(t, srv, admin, "staff@example.com")
	viewerID := userID(t, srv, admin, "viewer@example.com")

	// The confirmation step: a GET, or a POST without confirm=yes, only asks.
	c := getPage(t, srv, admin, "/admin/users/"+staffID+"/disable")
	if c.Status != http.StatusOK || c.Doc.Find(byTestID("confirm")+` input[name="confirm"][value="yes"]`).Length() != 1 {
		t.Fatalf("disable confirmation: %d", c.Status)
	}
	if p := postPage(t, srv, admin, "/admin/users/"+staffID+"/disable", url.Values{}); p.Status != http.StatusOK || p.Doc.Find(byTestID("confirm")).Length() != 1 {
		t.Errorf("unconfirmed POST: %d, want the confirmation again", p.Status)
	}
	if r := getPage(t, srv, staff, "/"); r.Status != http.StatusOK {
		t.Fatalf("an unconfirmed disable signed staff out: %d", r.Status)
	}

	after := postDone(t, srv, admin, "/admin/users/"+staffID+"/disable", url.Values{"confirm": {"yes"}}, "/admin/users")
	if got := text(memberRow(after, "staff@example.com").Find(byTestID("member-status"))); got != "Disabled" {
		t.Errorf("status after disabling = %q", got)
	}
	if r := getPage(t, srv, staff, "/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("disabled staff GET /: %d %q, want a redirect to sign in", r.Status, r.Location)
	}
	after = postDone(t, srv, admin, "/admin/users/"+staffID+"/enable", url.Values{}, "/admin/users")
	if got := text(memberRow(after, "staff@example.com").Find(byTestID("member-status"))); got != "Active" {
		t.Errorf("status after enabling = %q", got)
	}

	after = postDone(t, srv, admin, "/admin/users/"+viewerID+"/remove", url.Values{"confirm": {"yes"}}, "/admin/users")
	if memberRow(after, "viewer@example.com").Length() != 0 {
		t.Error("the removed member is still listed")
	}
	if r := getPage(t, srv, viewer, "/"); r.Status != http.StatusSeeOther {
		t.Errorf("removed viewer GET /: %d, want their session ended", r.Status)
	}
	// The admin's own row offers neither.
	self := getPage(t, srv, admin, "/admin/users/"+userID(t, srv, admin, "admin@example.com"))
	if self.Doc.Find(byTestID("remove-user")+","+byTestID("disable-user")).Length() != 0 {
		t.Error("the admin is offered to remove or disable themself")
	}
	if p := postPage(t, srv, admin, "/admin/users/"+userID(t, srv, admin, "admin@example.com")+"/remove", url.Values{"confirm": {"yes"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("removing oneself: %d, want 422", p.Status)
	}
}

// bearerMe asks who the token is, returning the status and the answer.
func bearerMe(t *testing.T, srv *testutil.Server, token string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": `{ me { user { email } location { code } } }`})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Me struct {
				User     struct{ Email string }
				Location struct{ Code string }
			}
		}
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Data.Me.User.Email + "@" + out.Data.Me.Location.Code
}

func TestAdmin_APIToken(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	adminID := userID(t, srv, admin, "admin@example.com")

	form := getPage(t, srv, admin, "/admin/tokens")
	if v, _ := form.Doc.Find("#token-user option[selected]").Attr("value"); v != adminID {
		t.Errorf("the user select defaults to %q, want the viewer %s", v, adminID)
	}

	// A bad expiry is shown next to its field, the name kept.
	bad := postPage(t, srv, admin, "/admin/tokens", url.Values{"name": {"Wix sync"}, "userID": {adminID}, "expiresInDays": {"0"}})
	if bad.Status != http.StatusUnprocessableEntity || bad.Doc.Find(byTestID("field-error-token-days")).Length() != 1 {
		t.Errorf("expiry 0: %d, errors %q", bad.Status, errorsOn(bad))
	}
	if v, _ := bad.Doc.Find("#token-name").Attr("value"); v != "Wix sync" {
		t.Errorf("the name was not kept: %q", v)
	}

	created := postPage(t, srv, admin, "/admin/tokens", url.Values{"name": {"Wix sync"}, "userID": {adminID}, "expiresInDays": {"30"}})
	if created.Status != http.StatusOK {
		t.Fatalf("create: %d, errors %q", created.Status, errorsOn(created))
	}
	if cc := created.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	token := text(created.Doc.Find(byTestID("new-token")))
	if !strings.HasPrefix(token, "acrm_") || created.Doc.Find("code"+byTestID("new-token")).Length() != 1 {
		t.Fatalf("the page shows no token in a <code>: %q", token)
	}
	if !strings.Contains(text(created.Doc.Find("[role=alert]")), "only time") {
		t.Error("no warning that the token is shown once")
	}

	if status, who := bearerMe(t, srv, token); status != http.StatusOK || who != "admin@example.com@SYD" {
		t.Fatalf("the new token: %d %q", status, who)
	}

	list := getPage(t, srv, admin, "/admin/tokens")
	if strings.Contains(list.Body, token) {
		t.Fatal("the token list shows the whole token again")
	}
	row := list.Doc.Find(byTestID("token-row")).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return text(s.Find(byTestID("token-name"))) == "Wix sync"
	})
	if row.Length() != 1 {
		t.Fatalf("token rows: %q", text(list.Doc.Find(byTestID("tokens"))))
	}
	if got := text(row.Find(byTestID("token-hint"))); got != "…"+token[len(token)-4:] {
		t.Errorf("hint = %q", got)
	}
	if got := text(row.Find(byTestID("token-state"))); got != "active" {
		t.Errorf("state = %q", got)
	}

	href, _ := row.Find(byTestID("token-revoke")).Attr("href")
	if c := getPage(t, srv, admin, href); c.Status != http.StatusOK || c.Doc.Find(byTestID("confirm")).Length() != 1 {
		t.Fatalf("GET %s: %d, want the confirmation", href, c.Status)
	}
	if status, _ := bearerMe(t, srv, token); status != http.StatusOK {
		t.Fatalf("the token stopped working before the revocation was confirmed: %d", status)
	}
	after := postDone(t, srv, admin, href, url.Values{"confirm": {"yes"}}, "/admin/tokens")
	if got := text(after.Doc.Find(byTestID("token-state")).First()); got != "revoked" {
		t.Errorf("state after revoking = %q", got)
	}
	if status, _ := bearerMe(t, srv, token); status != http.StatusUnauthorized {
		t.Errorf("revoked token: status %d, want 401", status)
	}
}

func TestAdmin_IPRuleLockout(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")

	p := getPage(t, srv, admin, "/admin/network")
	if got := text(p.Doc.Find(byTestID("my-ip"))); got != "127.0.0.1" {
		t.Errorf("the page shows the viewer's address as %q", got)
	}

	// 10.0.0.0/8 does not include 127.0.0.1: refused, with a box to tick.
	r := postPage(t, srv, admin, "/admin/network", url.Values{"cidr": {"10.0.0.0/8"}, "note": {"head office"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("locking rule: status %d, want 422", r.Status)
	}
	if msg := text(r.Doc.Find(byTestID("lockout-message"))); !strings.Contains(msg, "127.0.0.1") {
		t.Errorf("lockout message = %q", msg)
	}
	box := r.Doc.Find(byTestID("ip-rule-form") + ` input[type=checkbox][name="confirmLockout"][value="true"]`)
	if box.Length() != 1 {
		t.Fatal("no confirmation box in the form")
	}
	if id, _ := box.Attr("id"); text(r.Doc.Find(`label[for="`+id+`"]`)) != "Yes, add it even though it locks out my address" {
		t.Errorf("the box's label is %q", text(r.Doc.Find(`label[for="`+id+`"]`)))
	}
	if v, _ := r.Doc.Find("#rule-cidr").Attr("value"); v != "10.0.0.0/8" {
		t.Errorf("the address was not kept: %q", v)
	}
	if v, _ := r.Doc.Find("#rule-note").Attr("value"); v != "head office" {
		t.Errorf("the note was not kept: %q", v)
	}
	if p := getPage(t, srv, admin, "/admin/network"); p.Doc.Find(byTestID("ip-rule-row")).Length() != 0 {
		t.Fatal("the refused rule was added")
	}

	// Confirmed: added, and the very next request from 127.0.0.1 is refused
	// by the location's allowlist, the API included.
	r = postPage(t, srv, admin, "/admin/network", url.Values{"cidr": {"10.0.0.0/8"}, "note": {"head office"}, "confirmLockout": {"true"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("confirmed: status %d, errors %q", r.Status, errorsOn(r))
	}
	if p := getPage(t, srv, admin, "/admin/network"); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "127.0.0.1") {
		t.Errorf("after locking out: status %d %q, want 403 from the allowlist", p.Status, p.Body)
	}
	// The allowlist answers in plain text, not GraphQL.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query": "{ ipRules { totalCount } }"}`))
	req.Header.Set("Content-Type", "application/json")
	if g := fetch(t, admin, req); g.Status != http.StatusForbidden {
		t.Errorf("GraphQL after locking out: status %d %q", g.Status, g.Body)
	}
}

func TestAdmin_IPRuleIPv6AndRemoval(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")

	// ::1/128 alone would leave 127.0.0.1 (IPv4) out.
	r := postPage(t, srv, admin, "/admin/network", url.Values{"cidr": {"::1/128"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Doc.Find(byTestID("lockout-message"))), "127.0.0.1") {
		t.Fatalf("::1/128 alone: status %d, errors %q", r.Status, errorsOn(r))
	}
	// A bad address is a field error, not a lockout.
	r = postPage(t, srv, admin, "/admin/network", url.Values{"cidr": {"10.0.0.300/8"}})
	if r.Status != http.StatusUnprocessableEntity || r.Doc.Find(byTestID("field-error-rule-cidr")).Length() != 1 || r.Doc.Find(byTestID("lockout")).Length() != 0 {
		t.Errorf("bad address: status %d, errors %q", r.Status, errorsOn(r))
	}

	// Our own address first, then ::1 is no lockout.
	postDone(t, srv, admin, "/admin/network", url.Values{"cidr": {"127.0.0.1"}, "note": {"this machine"}}, "/admin/network")
	p := postDone(t, srv, admin, "/admin/network", url.Values{"cidr": {"::1/128"}, "note": {"loopback v6"}}, "/admin/network")
	var cidrs []string
	p.Doc.Find(byTestID("ip-rule-cidr")).Each(func(_ int, s *goquery.Selection) { cidrs = append(cidrs, text(s)) })
	if strings.Join(cidrs, " ") != "127.0.0.1/32 ::1/128" {
		t.Errorf("rules = %q", cidrs)
	}
	if !strings.Contains(text(p.Doc.Find(byTestID("ip-rules"))), "Priya Sharma") {
		t.Error("the rules do not name who added them")
	}

	// Removing 127.0.0.1/32 would lock us out: the confirmation asks again,
	// with the box.
	var removeHref string
	p.Doc.Find(byTestID("ip-rule-row")).Each(func(_ int, s *goquery.Selection) {
		if text(s.Find(byTestID("ip-rule-cidr"))) == "127.0.0.1/32" {
			removeHref, _ = s.Find(byTestID("ip-rule-remove")).Attr("href")
		}
	})
	r = postPage(t, srv, admin, removeHref, url.Values{"confirm": {"yes"}})
	if r.Status != http.StatusUnprocessableEntity || r.Doc.Find(byTestID("confirm")+` input[name="confirmLockout"]`).Length() != 1 ||
		!strings.Contains(text(r.Doc.Find(byTestID("lockout-message"))), "127.0.0.1") {
		t.Fatalf("removing our own rule: status %d, errors %q", r.Status, errorsOn(r))
	}
	if g := getPage(t, srv, admin, "/admin/network"); g.Status != http.StatusOK || g.Doc.Find(byTestID("ip-rule-row")).Length() != 2 {
		t.Fatalf("after the refused removal: %d, %d rules", g.Status, g.Doc.Find(byTestID("ip-rule-row")).Length())
	}
	// Removing ::1/128 is harmless.
	p.Doc.Find(byTestID("ip-rule-row")).Each(func(_ int, s *goquery.Selection) {
		if text(s.Find(byTestID("ip-rule-cidr"))) == "::1/128" {
			removeHref, _ = s.Find(byTestID("ip-rule-remove")).Attr("href")
		}
	})
	after := postDone(t, srv, admin, removeHref, url.Values{"confirm": {"yes"}}, "/admin/network")
	if n := after.Doc.Find(byTestID("ip-rule-row")).Length(); n != 1 {
		t.Errorf("%d rules after removing ::1/128, want 1", n)
	}
}
