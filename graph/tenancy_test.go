package graph_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestTenancy proves a Sydney user cannot reach a Parramatta contact by any
// path: by ID, by list filter, or by mutation. Each reads as not found.
func TestTenancy(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	syd := srv.SignIn(t, "staff@example.com")
	par := srv.SignIn(t, "par-staff@example.com")

	var parList struct {
		Contacts struct {
			TotalCount int
			Edges      []struct {
				Node struct{ ID, FirstName string }
			}
		}
	}
	srv.MustGraphQL(t, par, `{ contacts(first: 1) { totalCount edges { node { id firstName } } } }`, nil).Decode(t, &parList)
	if parList.Contacts.TotalCount != 50 {
		t.Fatalf("PAR sees %d contacts, want the 50 demo ones", parList.Contacts.TotalCount)
	}
	parID := parList.Contacts.Edges[0].Node.ID

	var sydList struct {
		Contacts struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID string } }
		}
	}
	srv.MustGraphQL(t, syd, `{ contacts(first: 1) { totalCount edges { node { id } } } }`, nil).Decode(t, &sydList)
	if sydList.Contacts.TotalCount != 160 {
		t.Fatalf("SYD sees %d contacts, want the 160 demo ones", sydList.Contacts.TotalCount)
	}
	sydID := sydList.Contacts.Edges[0].Node.ID

	t.Run("NodeByID", func(t *testing.T) {
		r := srv.GraphQL(t, syd, `query($id: ID!) { node(id: $id) { id ... on Contact { firstName } } }`, map[string]any{"id": parID})
		if r.FirstCode() != "NOT_FOUND" {
			t.Fatalf("code = %q, want NOT_FOUND; errors %+v data %s", r.FirstCode(), r.Errors, r.Data)
		}
		var out struct{ Node *struct{ ID string } }
		r.Decode(t, &out)
		if out.Node != nil {
			t.Fatalf("PAR contact leaked to SYD: %+v", out.Node)
		}
	})
	t.Run("Nodes", func(t *testing.T) {
		r := srv.GraphQL(t, syd, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{sydID, parID}})
		var out struct{ Nodes []*struct{ ID string } }
		r.Decode(t, &out)
		if len(out.Nodes) != 2 || out.Nodes[0] == nil || out.Nodes[0].ID != sydID || out.Nodes[1] != nil {
			t.Fatalf("nodes = %s, want [SYD contact, null]", r.Data)
		}
		if r.FirstCode() != "NOT_FOUND" {
			t.Fatalf("code = %q, want NOT_FOUND", r.FirstCode())
		}
	})
	t.Run("ListFilter", func(t *testing.T) {
		var out struct{ Contacts struct{ TotalCount int } }
		srv.MustGraphQL(t, syd, `query($id: ID!) { contacts(first: 10, where: {id: $id}) { totalCount } }`, map[string]any{"id": parID}).Decode(t, &out)
		if out.Contacts.TotalCount != 0 {
			t.Fatalf("filter by PAR id found %d contacts at SYD", out.Contacts.TotalCount)
		}
		srv.MustGraphQL(t, syd, `query($id: ID!) { touchpoints(first: 10, where: {contactID: $id}) { totalCount } }`, map[string]any{"id": parID}).Decode(t, &struct{}{})
	})
	t.Run("Update", func(t *testing.T) {
		r := srv.GraphQL(t, syd, `mutation($id: ID!) { updateContact(id: $id, input: {notes: "hijacked"}) { id } }`, map[string]any{"id": parID})
		if r.FirstCode() != "NOT_FOUND" {
			t.Fatalf("code = %q, want NOT_FOUND (%+v)", r.FirstCode(), r.Errors)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		mgr := srv.SignIn(t, "manager@example.com")
		r := srv.GraphQL(t, mgr, `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": parID})
		if r.FirstCode() != "NOT_FOUND" {
			t.Fatalf("code = %q, want NOT_FOUND (%+v)", r.FirstCode(), r.Errors)
		}
	})
	t.Run("ReferenceFromAnotherLocation", func(t *testing.T) {
		var svc struct {
			Services struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		srv.MustGraphQL(t, syd, `{ services(first: 1) { edges { node { id } } } }`, nil).Decode(t, &svc)
		r := srv.GraphQL(t, syd, `mutation($c: ID!, $s: ID!) { createBooking(input: {contactID: $c, serviceID: $s, startsAt: "2026-03-20T00:00:00Z", endsAt: "2026-03-20T00:30:00Z"}) { id } }`,
			map[string]any{"c": parID, "s": svc.Services.Edges[0].Node.ID})
		if r.FirstCode() != "NOT_FOUND" {
			t.Fatalf("booking a PAR contact at SYD: code = %q, want NOT_FOUND (%+v)", r.FirstCode(), r.Errors)
		}
		r = srv.GraphQL(t, syd, `mutation($c: ID!) { createTask(input: {title: "x", contactID: $c}) { id } }`, map[string]any{"c": parID})
		if r.FirstCode() != "NOT_FOUND" {
			t.Fatalf("task on a PAR contact at SYD: code = %q, want NOT_FOUND", r.FirstCode())
		}
	})
	t.Run("StillThereForPAR", func(t *testing.T) {
		var out struct{ Node struct{ Notes string } }
		srv.MustGraphQL(t, par, `query($id: ID!) { node(id: $id) { ... on Contact { notes } } }`, map[string]any{"id": parID}).Decode(t, &out)
		if out.Node.Notes == "hijacked" {
			t.Fatal("SYD changed a PAR contact")
		}
	})
}
