package graph_test

import (
	"net/http"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestSearchContacts runs searchContacts through the whole application: the
// app indexes the demo data at start and the hook indexes what the API
// creates and changes; results stay within the viewer's location.
func TestSearchContacts(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	par := srv.SignIn(t, "par-staff@example.com")

	var created struct{ CreateContact struct{ ID string } }
	srv.MustGraphQL(t, staff, `mutation { createContact(input: {firstName: "Percival", lastName: "Quennell", phone: "0491 570 110"}) { id } }`, nil).
		Decode(t, &created)

	type result struct {
		Contact struct{ ID, FirstName, LastName, Phone string }
		Score   float64
		Matched string
	}
	search := func(c *http.Client, q string) []result {
		t.Helper()
		var out struct{ SearchContacts []result }
		srv.MustGraphQL(t, c, `query($q: String!) { searchContacts(query: $q, first: 5) { contact { id firstName lastName phone } score matched } }`,
			map[string]any{"q": q}).Decode(t, &out)
		return out.SearchContacts
	}
	for _, q := range []string{"Percival Quennell", "Percivel Quenell", "quen", "0491 570 110", "+61 491 570 110"} {
		rs := search(staff, q)
		if len(rs) == 0 || rs[0].Contact.ID != created.CreateContact.ID || rs[0].Score <= 0 || rs[0].Matched == "" {
			t.Errorf("%q: %+v", q, rs)
		}
	}

	// A demo contact, indexed at start.
	var list struct {
		Contacts struct {
			Edges []struct {
				Node struct{ ID, FirstName, LastName string }
			}
		}
	}
	srv.MustGraphQL(t, staff, `{ contacts(first: 1, orderBy: {field: WARMNESS, direction: DESC}) { edges { node { id firstName lastName } } } }`, nil).Decode(t, &list)
	hot := list.Contacts.Edges[0].Node
	found := false
	for _, r := range search(staff, hot.FirstName+" "+hot.LastName) {
		found = found || r.Contact.ID == hot.ID
	}
	if !found {
		t.Errorf("demo contact %s %s not found", hot.FirstName, hot.LastName)
	}

	// A rename through the API moves the contact in the index.
	srv.MustGraphQL(t, staff, `mutation($id: ID!) { updateContact(id: $id, input: {lastName: "Quellington"}) { id } }`,
		map[string]any{"id": created.CreateContact.ID})
	if rs := search(staff, "quennell"); len(rs) != 0 {
		t.Errorf("old name still found: %+v", rs)
	}
	if rs := search(staff, "percival quellington"); len(rs) != 1 {
		t.Errorf("new name: %+v", rs)
	}

	// Another location sees nothing of it.
	for _, r := range search(par, "Percival Quellington") {
		if r.Contact.ID == created.CreateContact.ID {
			t.Error("a Parramatta user found a Sydney contact")
		}
	}

	// first is bounded.
	r := srv.GraphQL(t, staff, `{ searchContacts(query: "smith", first: 1000) { score } }`, nil)
	if r.FirstCode() != "INVALID" || r.Errors[0].Extensions["field"] != "first" {
		t.Errorf("first: 1000 gave %+v", r.Errors)
	}
}
