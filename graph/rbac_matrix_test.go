package graph_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// probe is one GraphQL operation that exercises a resource × action.
type probe struct {
	res rbac.Resource
	act rbac.Action
	// op builds the operation for a role; fx holds IDs prepared for it.
	op func(fx fixture) (string, map[string]any)
}

// fixture holds records prepared by an admin so that every role's probe
// has something of its own to read, change or delete.
type fixture struct {
	contact, booking, task, service, ipRule, user, token string
	email                                                string
	// day is the role's own day for bookings: bookings of one resource
	// cannot overlap, and every role books the same service.
	day int
}

// bookingAt returns the role's booking times on the n-th day of its own
// pair of days in April 2026.
func (f fixture) bookingAt(n int) map[string]any {
	start := fmt.Sprintf("2026-04-%02dT00:00:00Z", 1+2*f.day+n)
	end := fmt.Sprintf("2026-04-%02dT00:30:00Z", 1+2*f.day+n)
	return map[string]any{"starts": start, "ends": end}
}

var probes = []probe{
	{rbac.Reports, rbac.Read, func(fixture) (string, map[string]any) {
		return `{ generateReport(request: {kind: NO_SHOWS, namedPeriod: LAST_MONTH}) { totals { key value } } }`, nil
	}},
	{rbac.Reports, rbac.Manage, func(fixture) (string, map[string]any) {
		return `mutation { setAdSpend(source: meta_ads, month: "2026-02", cents: 12500) { cents } }`, nil
	}},
	{rbac.Contacts, rbac.Read, func(fixture) (string, map[string]any) { return `{ contacts(first: 1) { totalCount } }`, nil }},
	{rbac.Contacts, rbac.Create, func(fixture) (string, map[string]any) {
		return `mutation { createContact(input: {firstName: "Matrix"}) { id } }`, nil
	}},
	{rbac.Contacts, rbac.Update, func(f fixture) (string, map[string]any) {
		return `mutation($id: ID!) { updateContact(id: $id, input: {notes: "x"}) { id } }`, map[string]any{"id": f.contact}
	}},
	{rbac.Contacts, rbac.Delete, func(f fixture) (string, map[string]any) {
		return `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": f.contact}
	}},
	{rbac.Bookings, rbac.Read, func(fixture) (string, map[string]any) { return `{ bookings(first: 1) { totalCount } }`, nil }},
	{rbac.Bookings, rbac.Create, func(f fixture) (string, map[string]any) {
		vars := f.bookingAt(0)
		vars["c"], vars["s"] = f.contact, f.service
		return `mutation($c: ID!, $s: ID!, $starts: Time!, $ends: Time!) { createBooking(input: {contactID: $c, serviceID: $s, startsAt: $starts, endsAt: $ends}) { id } }`, vars
	}},
	{rbac.Bookings, rbac.Update, func(f fixture) (string, map[string]any) {
		return `mutation($id: ID!) { updateBooking(id: $id, input: {notes: "x"}) { id } }`, map[string]any{"id": f.booking}
	}},
	{rbac.Bookings, rbac.Delete, func(f fixture) (string, map[string]any) {
		return `mutation($id: ID!) { deleteBooking(id: $id) }`, map[string]any{"id": f.booking}
	}},
	{rbac.Tasks, rbac.Read, func(fixture) (string, map[string]any) { return `{ tasks(first: 1) { totalCount } }`, nil }},
	{rbac.Tasks, rbac.Create, func(fixture) (string, map[string]any) {
		return `mutation { createTask(input: {title: "Matrix"}) { id } }`, nil
	}},
	{rbac.Tasks, rbac.Update, func(f fixture) (string, map[string]any) {
		return `mutation($id: ID!) { updateTask(id: $id, input: {description: "x"}) { id } }`, map[string]any{"id": f.task}
	}},
	{rbac.Tasks, rbac.Delete, func(f fixture) (string, map[string]any) {
		return `mutation($id: ID!) { deleteTask(id: $id) }`, map[string]any{"id": f.task}
	}},
	{rbac.Settings, rbac.Read, func(fixture) (string, map[string]any) { return `{ permissionMatrix { allowed } }`, nil }},
	{rbac.Settings, rbac.Create, func(fixture) (string, map[string]any) {
		return `mutation { addIPRule(input: {cidr: "127.0.0.0/8", note: "matrix"}) { id } }`, nil
	}},
	{rbac.Settings, rbac.Update, func(f fixture) (string, map[string]any) {
		return `mutation($id: ID!) { updateService(id: $id, input: {description: "x"}) { id } }`, map[string]any{"id": f.service}
	}},
	{rbac.Settings, rbac.Delete, func(f fixture) (string, map[string]any) {
		return `mutation($id: ID!) { removeIPRule(id: $id) }`, map[string]any{"id": f.ipRule}
	}},
	{rbac.Users, rbac.Read, func(fixture) (string, map[string]any) { return `{ users(first: 1) { totalCount } }`, nil }},
	{rbac.Users, rbac.Create, func(f fixture) (string, map[string]any) {
		return `mutation($e: String!) { inviteUser(input: {email: $e, role: viewer}) { id } }`, map[string]any{"e": "new-" + f.email}
	}},
	{rbac.Users, rbac.Update, func(f fixture) (string, map[string]any) {
		return `mutation($u: ID!) { setMemberRole(input: {userID: $u, role: viewer, skills: ["calls"]}) { id } }`, map[string]any{"u": f.user}
	}},
	{rbac.Users, rbac.Delete, func(f fixture) (string, map[string]any) {
		return `mutation($u: ID!) { removeMember(userID: $u) }`, map[string]any{"u": f.user}
	}},
	// The admin reads: each on its own permission, on every road (the
	// connection, node(id:), the UI's pages in ui/rbac_matrix_test.go).
	{rbac.APITokens, rbac.Read, func(fixture) (string, map[string]any) { return `{ apiTokens(first: 1) { totalCount } }`, nil }},
	{rbac.APITokens, rbac.Read, func(f fixture) (string, map[string]any) {
		return `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": f.token}
	}},
	{rbac.APITokens, rbac.Read, func(f fixture) (string, map[string]any) {
		return `query($id: ID!) { nodes(ids: [$id]) { id } }`, map[string]any{"id": f.token}
	}},
	{rbac.APITokens, rbac.Create, func(fixture) (string, map[string]any) {
		return `mutation { createAPIToken(input: {name: "Matrix"}) { token } }`, nil
	}},
	{rbac.APITokens, rbac.Update, func(f fixture) (string, map[string]any) {
		return `mutation($id: ID!) { revokeAPIToken(id: $id) { id } }`, map[string]any{"id": f.token}
	}},
	{rbac.Settings, rbac.Read, func(fixture) (string, map[string]any) { return `{ permissionOverrides(first: 1) { totalCount } }`, nil }},
	{rbac.Settings, rbac.Read, func(fixture) (string, map[string]any) { return `{ ipRules(first: 1) { totalCount } }`, nil }},
	{rbac.Settings, rbac.Read, func(f fixture) (string, map[string]any) {
		return `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": f.ipRule}
	}},
	{rbac.Audit, rbac.Read, func(fixture) (string, map[string]any) { return `{ auditEntries(first: 1) { seq } }`, nil }},
	{rbac.Audit, rbac.Export, func(fixture) (string, map[string]any) {
		return `{ exportAuditEntries(filter: {action: "sign_in"}) }`, nil
	}},
}

// TestRBACMatrix runs every role against every resource × action the API
// exposes and compares what happens with the permission table: an allowed
// action never answers FORBIDDEN, a denied one always does. Permissions
// with no operation yet are compared through me.permissions.
func TestRBACMatrix(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	table := rbac.Default

	var svc struct {
		Services struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	srv.MustGraphQL(t, admin, `{ services(first: 1) { edges { node { id } } } }`, nil).Decode(t, &svc)
	service := svc.Services.Edges[0].Node.ID
	// Allow the test's own address first, so later rules lock nobody out.
	srv.MustGraphQL(t, admin, `mutation { addIPRule(input: {cidr: "127.0.0.1/32", note: "tests"}) { id } }`, nil)

	for i, role := range rbac.Roles {
		t.Run(string(role), func(t *testing.T) {
			email := fmt.Sprintf("matrix-%s@example.com", role)
			srv.MustGraphQL(t, admin, `mutation($e: String!, $r: Role!) { inviteUser(input: {email: $e, name: "Matrix", role: $r}) { id } }`,
				map[string]any{"e": email, "r": string(role)})
			// Signing in accepts the invitation.
			c := srv.SignIn(t, email)
			fx := prepare(t, srv, admin, signedInUser(t, srv, c), service, email, i)

			// Deletions last, the contact's very last: deleting it takes its
			// booking with it.
			rank := func(p probe) int {
				return boolInt(p.act == rbac.Delete) + boolInt(p.act == rbac.Delete && p.res == rbac.Contacts)
			}
			ordered := slices.Clone(probes)
			slices.SortStableFunc(ordered, func(a, b probe) int { return rank(a) - rank(b) })
			for _, p := range ordered {
				want := table.Decide(role, p.res, p.act)
				q, vars := p.op(fx)
				r := srv.GraphQL(t, c, q, vars)
				forbidden := r.FirstCode() == "FORBIDDEN"
				switch {
				case want.Allowed && forbidden:
					t.Errorf("%s %s: FORBIDDEN, but the table allows it (%+v)", p.act, p.res, r.Errors)
				case want.Allowed && len(r.Errors) > 0:
					t.Errorf("%s %s: allowed by the table, but failed: %s %s", p.act, p.res, r.FirstCode(), r.Errors[0].Message)
				case !want.Allowed && !forbidden:
					t.Errorf("%s %s: %s (%s), but the table denies it", p.act, p.res, r.FirstCode(), r.Data)
				}
			}

			var me struct {
				Me struct{ Permissions []string }
			}
			srv.MustGraphQL(t, c, `{ me { permissions } }`, nil).Decode(t, &me)
			for _, res := range rbac.Resources {
				for _, act := range rbac.Actions {
					key := string(res) + ":" + string(act)
					if got, want := slices.Contains(me.Me.Permissions, key), table.Decide(role, res, act).Allowed; got != want {
						t.Errorf("me.permissions has %s = %v, table says %v", key, got, want)
					}
				}
			}
		})
	}
}

// prepare makes, as the admin, the records a role's probes act on: a
// contact, a booking, a task assigned to the role's user (so staff's
// own-records-only update applies), an IP rule, and a colleague to change.
func prepare(t *testing.T, srv *testutil.Server, admin *http.Client, userID, service, email string, day int) fixture {
	t.Helper()
	fx := fixture{service: service, email: email, day: day}
	var c struct{ CreateContact struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation { createContact(input: {firstName: "Fixture"}) { id } }`, nil).Decode(t, &c)
	fx.contact = c.CreateContact.ID
	var b struct{ CreateBooking struct{ ID string } }
	vars := fx.bookingAt(1)
	vars["c"], vars["s"] = fx.contact, service
	srv.MustGraphQL(t, admin, `mutation($c: ID!, $s: ID!, $starts: Time!, $ends: Time!) { createBooking(input: {contactID: $c, serviceID: $s, startsAt: $starts, endsAt: $ends}) { id } }`,
		vars).Decode(t, &b)
	fx.booking = b.CreateBooking.ID
	var tk struct{ CreateTask struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation($u: ID!) { createTask(input: {title: "Fixture", assigneeID: $u}) { id } }`, map[string]any{"u": userID}).Decode(t, &tk)
	fx.task = tk.CreateTask.ID
	var ip struct{ AddIPRule struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation($c: String!) { addIPRule(input: {cidr: $c}) { id } }`,
		map[string]any{"c": fmt.Sprintf("127.0.%d.0/24", len(email))}).Decode(t, &ip)
	fx.ipRule = ip.AddIPRule.ID
	srv.MustGraphQL(t, admin, `mutation($e: String!) { inviteUser(input: {email: $e, role: viewer}) { id } }`,
		map[string]any{"e": "colleague-" + email})
	fx.user = signedInUser(t, srv, srv.SignIn(t, "colleague-"+email))
	var tok struct {
		CreateAPIToken struct{ APIToken struct{ ID string } }
	}
	srv.MustGraphQL(t, admin, `mutation($u: ID!) { createAPIToken(input: {name: "Fixture", userID: $u}) { apiToken { id } } }`,
		map[string]any{"u": fx.user}).Decode(t, &tok)
	fx.token = tok.CreateAPIToken.APIToken.ID
	return fx
}

// signedInUser is the ID of the user signed in on c.
func signedInUser(t *testing.T, srv *testutil.Server, c *http.Client) string {
	t.Helper()
	var me struct {
		Me struct{ User struct{ ID string } }
	}
	srv.MustGraphQL(t, c, `{ me { user { id } } }`, nil).Decode(t, &me)
	return me.Me.User.ID
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestOwnRecordsOnly: staff may update their own tasks and nobody else's;
// another's task reads as not found to the update, as rows of another
// location do, so staff learn nothing about it.
func TestOwnRecordsOnly(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	mgr := srv.SignIn(t, "manager@example.com")
	staff := srv.SignIn(t, "staff@example.com")
	var ids struct {
		Users struct {
			Edges []struct{ Node struct{ ID, Email string } }
		}
	}
	srv.MustGraphQL(t, mgr, `{ users(first: 50) { edges { node { id email } } } }`, nil).Decode(t, &ids)
	byEmail := map[string]string{}
	for _, e := range ids.Users.Edges {
		byEmail[e.Node.Email] = e.Node.ID
	}
	mk := func(assignee string) string {
		var out struct{ CreateTask struct{ ID string } }
		srv.MustGraphQL(t, mgr, `mutation($u: ID!) { createTask(input: {title: "Call back", assigneeID: $u}) { id } }`, map[string]any{"u": assignee}).Decode(t, &out)
		return out.CreateTask.ID
	}
	mine, theirs := mk(byEmail["staff@example.com"]), mk(byEmail["mri.tech@example.com"])
	upd := `mutation($id: ID!) { updateTask(id: $id, input: {status: in_progress}) { status } }`
	srv.MustGraphQL(t, staff, upd, map[string]any{"id": mine})
	if r := srv.GraphQL(t, staff, upd, map[string]any{"id": theirs}); r.FirstCode() != "NOT_FOUND" {
		t.Fatalf("staff updating a colleague's task: %s %+v, want NOT_FOUND", r.FirstCode(), r.Errors)
	}
	// Reading is not limited: staff see the whole task list.
	var list struct{ Node struct{ ID string } }
	srv.MustGraphQL(t, staff, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": theirs}).Decode(t, &list)
	if list.Node.ID != theirs {
		t.Fatal("staff cannot read a colleague's task")
	}
	// The manager's grant has no such condition.
	srv.MustGraphQL(t, mgr, upd, map[string]any{"id": theirs})
}
