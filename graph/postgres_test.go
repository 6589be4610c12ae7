package graph_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestPostgresParity runs the same GraphQL operations against the whole
// application on PostgreSQL and on SQLite, each holding the demo data, and
// checks that both give the same answers: contact lists with filters,
// ordering and cursors, node lookups, create/update/delete with phone
// normalisation, and tenancy (a Sydney user never reaches a Parramatta
// contact). It is skipped without a PostgreSQL server; see
// testutil.PostgresURL.
func TestPostgresParity(t *testing.T) {
	pgURL := testutil.PostgresURL(t)
	backends := []struct {
		name string
		srv  *testutil.Server
	}{
		{"sqlite", testutil.StartServer(t, testutil.ServerOptions{})},
		// An empty PostgreSQL database: the app migrates it and, with
		// AVATARCRM_SEED_DEMO, loads the same demo data at testutil.Now.
		{"postgres", testutil.StartServer(t, testutil.ServerOptions{
			DatabaseURL: pgURL,
			Env:         map[string]string{"AVATARCRM_SEED_DEMO": "true"},
		})},
	}
	if d := backends[1].srv.App.DB.Dialect; d != dialect.Postgres {
		t.Fatalf("postgres server runs on %s", d)
	}
	if d := backends[0].srv.App.DB.Dialect; d != dialect.SQLite {
		t.Fatalf("sqlite server runs on %s", d)
	}

	results := map[string]parityResult{}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			results[b.name] = exerciseContacts(t, b.srv)
		})
	}
	lite, pg := results["sqlite"], results["postgres"]
	t.Logf("postgres: SYD %d, PAR %d contacts, %d warm leads; sqlite: SYD %d, PAR %d, %d warm leads",
		pg.SYD, pg.PAR, pg.WarmLeads, lite.SYD, lite.PAR, lite.WarmLeads)
	if lite.SYD != 160 || lite.PAR != 50 {
		t.Errorf("sqlite demo contacts: SYD %d, PAR %d; want 160 and 50", lite.SYD, lite.PAR)
	}
	if pg.SYD != lite.SYD || pg.PAR != lite.PAR {
		t.Errorf("demo contacts per location differ: postgres SYD %d PAR %d, sqlite SYD %d PAR %d", pg.SYD, pg.PAR, lite.SYD, lite.PAR)
	}
	if pg.WarmLeads != lite.WarmLeads {
		t.Errorf("warm leads: postgres %d, sqlite %d", pg.WarmLeads, lite.WarmLeads)
	}
	if !slices.Equal(pg.WarmLeadKeys, lite.WarmLeadKeys) {
		t.Errorf("warm leads differ:\npostgres %v\nsqlite   %v", pg.WarmLeadKeys, lite.WarmLeadKeys)
	}
	if !slices.Equal(pg.Warmness, lite.Warmness) {
		t.Errorf("warmness order differs:\npostgres %v\nsqlite   %v", pg.Warmness, lite.Warmness)
	}
	if pg.Created != lite.Created {
		t.Errorf("created contact differs:\npostgres %s\nsqlite   %s", pg.Created, lite.Created)
	}
	if pg.Updated != lite.Updated {
		t.Errorf("updated contact differs:\npostgres %s\nsqlite   %s", pg.Updated, lite.Updated)
	}
}

// parityResult is what exerciseContacts saw, compared across databases.
type parityResult struct {
	// SYD and PAR are the contacts visible at each demo location.
	SYD, PAR int
	// WarmLeads counts SYD leads with warmness >= 50; WarmLeadKeys
	// describes each of them (IDs differ between databases), sorted.
	WarmLeads    int
	WarmLeadKeys []string
	// Warmness is the warmness of the filtered list in result order.
	Warmness []int
	// Created and Updated describe the contact written by the test.
	Created, Updated string
}

type gqlContact struct {
	ID        string
	FirstName string
	LastName  string
	Phone     *string
	Email     *string
	Pipeline  string
	Stage     string
	Warmness  int
	Notes     string
	Tags      []string
	Location  struct{ Code string }
}

func (c gqlContact) key() string {
	return fmt.Sprintf("%s %s %s %s/%s w%d", c.FirstName, c.LastName, deref(c.Phone), c.Pipeline, c.Stage, c.Warmness)
}

func (c gqlContact) describe() string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%d|%q|%v|%s", c.FirstName, c.LastName, deref(c.Phone), deref(c.Email),
		c.Pipeline, c.Stage, c.Warmness, c.Notes, c.Tags, c.Location.Code)
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

const contactFields = `id firstName lastName phone email pipeline stage warmness notes tags location { code }`

type connection struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Edges []struct {
		Cursor string
		Node   gqlContact
	}
}

func (c connection) nodes() []gqlContact {
	out := make([]gqlContact, 0, len(c.Edges))
	for _, e := range c.Edges {
		out = append(out, e.Node)
	}
	return out
}

const listContacts = `query($first: Int!, $after: Cursor, $where: ContactWhereInput) {
	contacts(first: $first, after: $after, where: $where, orderBy: {field: WARMNESS, direction: DESC}) {
		totalCount pageInfo { hasNextPage endCursor }
		edges { cursor node { ` + contactFields + ` } }
	}
}`

func list(t *testing.T, srv *testutil.Server, c *http.Client, first int, after *string, where map[string]any) connection {
	t.Helper()
	vars := map[string]any{"first": first, "where": where}
	if after != nil {
		vars["after"] = *after
	}
	var out struct{ Contacts connection }
	srv.MustGraphQL(t, c, listContacts, vars).Decode(t, &out)
	return out.Contacts
}

func getNode(t *testing.T, srv *testutil.Server, c *http.Client, id string) (*gqlContact, testutil.GQLResponse) {
	t.Helper()
	r := srv.GraphQL(t, c, `query($id: ID!) { node(id: $id) { __typename ... on Contact { `+contactFields+` } } }`, map[string]any{"id": id})
	var out struct{ Node *gqlContact }
	if len(r.Data) > 0 && string(r.Data) != "null" {
		r.Decode(t, &out)
	}
	return out.Node, r
}

func exerciseContacts(t *testing.T, srv *testutil.Server) parityResult {
	var res parityResult
	staff := srv.SignIn(t, "staff@example.com")            // staff at SYD
	manager := srv.SignIn(t, "manager@example.com")        // manager at SYD: may delete
	parStaff := srv.SignIn(t, "par-staff@example.com")     // staff at PAR
	parManager := srv.SignIn(t, "par-manager@example.com") // manager at PAR

	// Counts per location: each user sees only their location.
	res.SYD = list(t, srv, staff, 1, nil, nil).TotalCount
	parList := list(t, srv, parStaff, 5, nil, nil)
	res.PAR = parList.TotalCount
	if len(parList.Edges) == 0 {
		t.Fatal("no PAR contacts")
	}
	parContact := parList.Edges[0].Node
	if parContact.Location.Code != "PAR" {
		t.Fatalf("par-staff sees a %s contact", parContact.Location.Code)
	}

	// A filtered, ordered list, all of it (fewer than 200), then the same
	// list page by page through cursors.
	where := map[string]any{"pipeline": "lead", "warmnessGTE": 50}
	all := list(t, srv, staff, 200, nil, where)
	res.WarmLeads = all.TotalCount
	if all.TotalCount == 0 || len(all.Edges) != all.TotalCount || all.PageInfo.HasNextPage {
		t.Fatalf("warm leads: totalCount %d, %d edges, hasNextPage %v", all.TotalCount, len(all.Edges), all.PageInfo.HasNextPage)
	}
	prev := 101
	for _, n := range all.nodes() {
		if n.Location.Code != "SYD" || n.Pipeline != "lead" || n.Warmness < 50 {
			t.Errorf("filter let through %s: %s %s warmness %d", n.ID, n.Location.Code, n.Pipeline, n.Warmness)
		}
		if n.Warmness > prev {
			t.Errorf("not ordered by warmness: %d after %d", n.Warmness, prev)
		}
		prev = n.Warmness
		res.WarmLeadKeys = append(res.WarmLeadKeys, n.key())
		res.Warmness = append(res.Warmness, n.Warmness)
	}
	slices.Sort(res.WarmLeadKeys)

	var paged []string
	var after *string
	for page := 0; ; page++ {
		if page > 50 {
			t.Fatal("paging does not end")
		}
		p := list(t, srv, staff, 7, after, where)
		for _, n := range p.nodes() {
			paged = append(paged, n.ID)
		}
		if !p.PageInfo.HasNextPage {
			break
		}
		after = p.PageInfo.EndCursor
	}
	var allIDs []string
	for _, n := range all.nodes() {
		allIDs = append(allIDs, n.ID)
	}
	if !slices.Equal(paged, allIDs) {
		t.Errorf("paging by 7 gives %d contacts %v,\none page gives %d %v", len(paged), paged, len(allIDs), allIDs)
	}

	// One contact by node(id:).
	first := all.Edges[0].Node
	got, r := getNode(t, srv, staff, first.ID)
	if len(r.Errors) > 0 || got == nil || got.describe() != first.describe() {
		t.Errorf("node(%s) = %+v, errors %+v; want %+v", first.ID, got, r.Errors, first)
	}

	// Create, with the phone as a receptionist types it.
	var created struct{ CreateContact gqlContact }
	srv.MustGraphQL(t, staff, `mutation($input: CreateContactInput!) { createContact(input: $input) { `+contactFields+` } }`,
		map[string]any{"input": map[string]any{
			"firstName": "  Ava ", "lastName": "Parity", "phone": "0412 555 019", "email": "Ava.Parity@Example.COM",
			"leadSource": "gp_referral", "pipeline": "lead", "stage": "new_lead", "tags": []string{"parity"},
		}}).Decode(t, &created)
	cc := created.CreateContact
	// The automation's welcome SMS adds a touchpoint, and so warmness, when
	// it is sent: wait for it, so both databases compare the same state.
	srv.SettleMessages(t, cc.ID)
	if deref(cc.Phone) != "+61412555019" {
		t.Errorf("phone stored as %q, want +61412555019", deref(cc.Phone))
	}
	if cc.FirstName != "Ava" || deref(cc.Email) != "ava.parity@example.com" || cc.Location.Code != "SYD" {
		t.Errorf("created %s", cc.describe())
	}
	res.Created = cc.describe()
	if n := list(t, srv, staff, 1, nil, nil).TotalCount; n != res.SYD+1 {
		t.Errorf("after create SYD has %d contacts, want %d", n, res.SYD+1)
	}
	// The new contact is found by its normalised phone.
	if c := list(t, srv, staff, 5, nil, map[string]any{"phone": "+61412555019"}); c.TotalCount != 1 || c.Edges[0].Node.ID != cc.ID {
		t.Errorf("lookup by phone: %+v", c)
	}

	// Update.
	var updated struct{ UpdateContact gqlContact }
	srv.MustGraphQL(t, staff, `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { `+contactFields+` } }`,
		map[string]any{"id": cc.ID, "input": map[string]any{
			"stage": "contacted", "notes": "Called, wants a Saturday", "phone": "(02) 9200 0199", "appendTags": []string{"saturday"},
		}}).Decode(t, &updated)
	uc := updated.UpdateContact
	if uc.Stage != "contacted" || deref(uc.Phone) != "+61292000199" || !slices.Equal(uc.Tags, []string{"parity", "saturday"}) {
		t.Errorf("updated %s", uc.describe())
	}
	res.Updated = uc.describe()
	if got, _ := getNode(t, srv, staff, cc.ID); got == nil || got.describe() != uc.describe() {
		t.Errorf("node after update = %+v, want %s", got, uc.describe())
	}

	// Delete: staff may not, a manager may.
	del := `mutation($id: ID!) { deleteContact(id: $id) }`
	if r := srv.GraphQL(t, staff, del, map[string]any{"id": cc.ID}); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("staff deleteContact: code %q, want FORBIDDEN (%+v)", r.FirstCode(), r.Errors)
	}
	var deleted struct{ DeleteContact string }
	srv.MustGraphQL(t, manager, del, map[string]any{"id": cc.ID}).Decode(t, &deleted)
	if deleted.DeleteContact != cc.ID {
		t.Errorf("deleteContact returned %q, want %q", deleted.DeleteContact, cc.ID)
	}
	// deleteContact archives: the contact leaves lists (it stays readable
	// by ID, and restorable).
	if n := list(t, srv, staff, 5, nil, map[string]any{"id": cc.ID}).TotalCount; n != 0 {
		t.Errorf("deleted contact still listed (%d)", n)
	}
	if n := list(t, srv, staff, 1, nil, nil).TotalCount; n != res.SYD {
		t.Errorf("after delete SYD has %d contacts, want %d", n, res.SYD)
	}

	// Tenancy: a Parramatta contact does not exist for Sydney users.
	t.Run("tenancy", func(t *testing.T) {
		checkTenancy(t, srv, staff, manager, parContact)
		// And it is untouched for its own location.
		got, r := getNode(t, srv, parManager, parContact.ID)
		if len(r.Errors) > 0 || got == nil || got.describe() != parContact.describe() {
			t.Errorf("PAR contact after the SYD attempts = %+v (errors %+v), want %s", got, r.Errors, parContact.describe())
		}
	})
	return res
}

func checkTenancy(t *testing.T, srv *testutil.Server, staff, manager *http.Client, par gqlContact) {
	got, r := getNode(t, srv, staff, par.ID)
	if got != nil {
		t.Errorf("SYD staff read PAR contact %s by node(id:): %+v", par.ID, got)
	}
	if len(r.Errors) > 0 && r.FirstCode() != "NOT_FOUND" {
		t.Errorf("node(PAR id): code %q, want NOT_FOUND or a null node (%+v)", r.FirstCode(), r.Errors)
	}
	if r.Errors != nil && strings.Contains(string(r.Data), par.FirstName) {
		t.Errorf("node(PAR id) leaked data: %s", r.Data)
	}

	for _, where := range []map[string]any{
		{"id": par.ID},
		{"idIn": []string{par.ID}},
		{"firstName": par.FirstName, "lastName": par.LastName, "phone": deref(par.Phone)},
	} {
		if c := list(t, srv, staff, 10, nil, where); c.TotalCount != 0 || len(c.Edges) != 0 {
			for _, n := range c.nodes() {
				if n.ID == par.ID || n.Location.Code != "SYD" {
					t.Errorf("SYD staff found %s (%s) with where %v", n.ID, n.Location.Code, where)
				}
			}
		}
	}

	upd := `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id notes } }`
	for _, c := range []*http.Client{staff, manager} {
		r := srv.GraphQL(t, c, upd, map[string]any{"id": par.ID, "input": map[string]any{"notes": "overwritten from SYD"}})
		if r.FirstCode() != "NOT_FOUND" {
			t.Errorf("updateContact(PAR id) from SYD: code %q, want NOT_FOUND (%+v, data %s)", r.FirstCode(), r.Errors, r.Data)
		}
	}
	r = srv.GraphQL(t, manager, `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": par.ID})
	if r.FirstCode() != "NOT_FOUND" {
		t.Errorf("deleteContact(PAR id) by SYD manager: code %q, want NOT_FOUND (%+v, data %s)", r.FirstCode(), r.Errors, r.Data)
	}
}
