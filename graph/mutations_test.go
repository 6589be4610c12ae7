package graph_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

const createContact = `mutation($in: CreateContactInput!) { createContact(input: $in) { id firstName lastName phone email leadSource stage location { code } } }`

func TestCreateContact(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")

	t.Run("OK_Normalised", func(t *testing.T) {
		r := srv.MustGraphQL(t, staff, createContact, map[string]any{"in": map[string]any{
			"firstName": "  Ada ", "lastName": "Lovelace", "phone": "0412 555 019", "email": " Ada.Lovelace@Example.COM ",
			"leadSource": "gp_referral", "dateOfBirth": "1985-12-10",
		}})
		var out struct {
			CreateContact struct {
				ID, FirstName, LastName, Phone, Email, LeadSource, Stage string
				Location                                                 struct{ Code string }
			}
		}
		r.Decode(t, &out)
		c := out.CreateContact
		if !strings.HasPrefix(c.ID, "con_") || c.FirstName != "Ada" || c.Phone != "+61412555019" || c.Email != "ada.lovelace@example.com" || c.Stage != "new_lead" || c.Location.Code != "SYD" {
			t.Fatalf("unexpected contact: %+v", c)
		}
	})

	invalid := []struct {
		name, field string
		in          map[string]any
	}{
		{"ErrPhone", "phone", map[string]any{"firstName": "Bad", "phone": "12345"}},
		{"ErrEmail", "email", map[string]any{"firstName": "Bad", "email": "not-an-email"}},
		{"ErrFirstNameRequired", "first_name", map[string]any{"firstName": "   "}},
		{"ErrDateOfBirth", "dateOfBirth", map[string]any{"firstName": "Bad", "dateOfBirth": "2999-01-01"}},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.GraphQL(t, staff, createContact, map[string]any{"in": tc.in})
			if r.FirstCode() != "INVALID" {
				t.Fatalf("code = %q, want INVALID (%+v)", r.FirstCode(), r.Errors)
			}
			if f, _ := r.Errors[0].Extensions["field"].(string); f != tc.field {
				t.Errorf("field = %q, want %q (message %q)", f, tc.field, r.Errors[0].Message)
			}
		})
	}

	t.Run("ErrBadEnum", func(t *testing.T) {
		r := srv.GraphQL(t, staff, createContact, map[string]any{"in": map[string]any{"firstName": "X", "leadSource": "carrier_pigeon"}})
		if len(r.Errors) == 0 {
			t.Fatal("unknown lead source accepted")
		}
	})

	t.Run("ErrViewerForbidden", func(t *testing.T) {
		v := srv.SignIn(t, "viewer@example.com")
		r := srv.GraphQL(t, v, createContact, map[string]any{"in": map[string]any{"firstName": "Nope"}})
		if r.FirstCode() != "FORBIDDEN" {
			t.Fatalf("code = %q, want FORBIDDEN", r.FirstCode())
		}
		var n struct{ Contacts struct{ TotalCount int } }
		srv.MustGraphQL(t, v, `{ contacts(where: {firstName: "Nope"}) { totalCount } }`, nil).Decode(t, &n)
		if n.Contacts.TotalCount != 0 {
			t.Fatal("forbidden create still wrote a contact")
		}
	})
}

func TestUpdateAndDeleteContact(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	var created struct{ CreateContact struct{ ID string } }
	srv.MustGraphQL(t, staff, createContact, map[string]any{"in": map[string]any{"firstName": "Grace", "lastName": "Hopper", "phone": "0412 555 020"}}).Decode(t, &created)
	id := created.CreateContact.ID

	var upd struct {
		UpdateContact struct {
			Stage, Notes string
			Phone        *string
			Tags         []string
		}
	}
	srv.MustGraphQL(t, staff, `mutation($id: ID!) { updateContact(id: $id, input: {stage: contacted, notes: "Called", clearPhone: true, appendTags: ["vip"]}) { stage notes phone tags } }`,
		map[string]any{"id": id}).Decode(t, &upd)
	if upd.UpdateContact.Stage != "contacted" || upd.UpdateContact.Phone != nil || len(upd.UpdateContact.Tags) != 1 {
		t.Fatalf("update: %+v", upd.UpdateContact)
	}

	r := srv.GraphQL(t, staff, `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": id})
	if r.FirstCode() != "FORBIDDEN" {
		t.Fatalf("staff delete: code = %q, want FORBIDDEN", r.FirstCode())
	}
	mgr := srv.SignIn(t, "manager@example.com")
	var del struct{ DeleteContact string }
	srv.MustGraphQL(t, mgr, `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": id}).Decode(t, &del)
	if del.DeleteContact != id {
		t.Fatalf("deleted %q, want %q", del.DeleteContact, id)
	}
	// deleteContact archives: the contact leaves the list but keeps its
	// record (restoreContact brings it back; purgeContact deletes).
	var after struct {
		Node     struct{ ArchivedAt *string }
		Contacts struct{ TotalCount int }
	}
	srv.MustGraphQL(t, mgr, `query($id: ID!) { node(id: $id) { ... on Contact { archivedAt } } contacts(where: {id: $id}) { totalCount } }`,
		map[string]any{"id": id}).Decode(t, &after)
	if after.Node.ArchivedAt == nil || after.Contacts.TotalCount != 0 {
		t.Fatalf("deleted contact: archivedAt %v, in the list %d times", after.Node.ArchivedAt, after.Contacts.TotalCount)
	}
}

func TestErrorsHideInternals(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	// A duplicate service name breaks a unique index: CONFLICT, and the
	// message carries no SQL.
	var svc struct {
		Services struct {
			Edges []struct{ Node struct{ Name string } }
		}
	}
	srv.MustGraphQL(t, admin, `{ services(first: 1) { edges { node { name } } } }`, nil).Decode(t, &svc)
	r := srv.GraphQL(t, admin, `mutation($n: String!) { createService(input: {name: $n, durationMinutes: 10, priceCents: 100}) { id } }`,
		map[string]any{"n": svc.Services.Edges[0].Node.Name})
	if r.FirstCode() != "CONFLICT" {
		t.Fatalf("code = %q, want CONFLICT (%+v)", r.FirstCode(), r.Errors)
	}
	for _, bad := range []string{"UNIQUE", "constraint", "sqlite", "SQL"} {
		if strings.Contains(r.Errors[0].Message, bad) {
			t.Errorf("message leaks %q: %s", bad, r.Errors[0].Message)
		}
	}
	r = srv.GraphQL(t, admin, `{ node(id: "zzz_01J00000000000000000000000") { id } }`, nil)
	if r.FirstCode() != "NOT_FOUND" {
		t.Fatalf("unknown prefix: code = %q, want NOT_FOUND", r.FirstCode())
	}
	r = srv.GraphQL(t, admin, `{ contacts(first: 1) { nope } }`, nil)
	if r.FirstCode() != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("bad query: code = %q", r.FirstCode())
	}
}

func TestMe(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	v := srv.SignIn(t, "viewer@example.com")
	var out struct {
		Me struct {
			Role        string
			Location    struct{ Code, Timezone string }
			Locations   []struct{ Location struct{ Code string } }
			Permissions []string
		}
	}
	srv.MustGraphQL(t, v, `{ me { role location { code timezone } locations { location { code } } permissions } }`, nil).Decode(t, &out)
	if out.Me.Role != "viewer" || out.Me.Location.Code != "SYD" || out.Me.Location.Timezone != "Australia/Sydney" || len(out.Me.Locations) != 1 {
		t.Fatalf("me: %+v", out.Me)
	}
	for _, p := range out.Me.Permissions {
		if !strings.HasSuffix(p, ":read") {
			t.Errorf("viewer holds %s", p)
		}
	}
	a := srv.SignIn(t, "admin@example.com")
	srv.MustGraphQL(t, a, `{ me { role location { code timezone } locations { location { code } } permissions } }`, nil).Decode(t, &out)
	if len(out.Me.Locations) != 2 {
		t.Fatalf("admin belongs to %d locations, want SYD and PAR", len(out.Me.Locations))
	}
}

func TestDevOnlySurfaces(t *testing.T) {
	prod := testutil.StartServer(t, testutil.ServerOptions{NoDev: true})
	resp, err := http.PostForm(prod.URL+"/auth/dev", url.Values{"email": {"admin@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("dev sign-in with dev mode off: status %d, want 403", resp.StatusCode)
	}
	if resp.Header.Get("Set-Cookie") != "" {
		t.Fatal("dev sign-in set a cookie with dev mode off")
	}
	resp, err = http.Get(prod.URL + "/playground")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatal("playground served with dev mode off")
	}

	dev := testutil.StartServer(t, testutil.ServerOptions{})
	resp, err = http.Get(dev.URL + "/playground")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("playground in dev mode: status %d", resp.StatusCode)
	}
	c := dev.SignIn(t, "staff@example.com")
	if r := dev.GraphQL(t, c, `{ __schema { queryType { name } } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("introspection in dev mode: %+v", r.Errors)
	}
}

func TestHealth(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", p, resp.StatusCode)
		}
	}
}

// updateContact with a stage goes through the pipeline rules: the move is
// recorded like moveStage, a move the table refuses changes nothing, and a
// pipeline that does not match the stage is refused.
func TestUpdateContactStageFollowsPipelineRules(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	var created struct{ CreateContact struct{ ID string } }
	srv.MustGraphQL(t, staff, createContact, map[string]any{"in": map[string]any{"firstName": "Ada", "lastName": "Byron", "phone": "0412 555 021"}}).Decode(t, &created)
	id := created.CreateContact.ID

	var upd struct {
		UpdateContact struct{ Stage, Pipeline, Notes string }
	}
	srv.MustGraphQL(t, staff, `mutation($id: ID!) { updateContact(id: $id, input: {stage: booked, notes: "Walk-in booked"}) { stage pipeline notes } }`,
		map[string]any{"id": id}).Decode(t, &upd)
	if upd.UpdateContact.Stage != "booked" || upd.UpdateContact.Pipeline != "lead" || upd.UpdateContact.Notes != "Walk-in booked" {
		t.Fatalf("update: %+v", upd.UpdateContact)
	}
	var hist struct {
		Node struct {
			StageChanges []struct{ FromStage, ToStage string }
		}
	}
	srv.MustGraphQL(t, staff, `query($id: ID!) { node(id: $id) { ... on Contact { stageChanges { fromStage toStage } } } }`,
		map[string]any{"id": id}).Decode(t, &hist)
	if len(hist.Node.StageChanges) != 1 || hist.Node.StageChanges[0].FromStage != "new_lead" || hist.Node.StageChanges[0].ToStage != "booked" {
		t.Fatalf("stage history after updateContact: %+v, want one new_lead → booked", hist.Node.StageChanges)
	}

	// booked → completed skips the appointment: INVALID, and the notes
	// sent with it are not written either.
	r := srv.GraphQL(t, staff, `mutation($id: ID!) { updateContact(id: $id, input: {stage: completed, notes: "lost"}) { id } }`, map[string]any{"id": id})
	if r.FirstCode() != "INVALID" || !strings.Contains(r.Errors[0].Message, "cannot move from booked to completed") {
		t.Fatalf("skip to completed: %+v", r.Errors)
	}
	r = srv.GraphQL(t, staff, `mutation($id: ID!) { updateContact(id: $id, input: {stage: confirmed, pipeline: lead}) { id } }`, map[string]any{"id": id})
	if r.FirstCode() != "INVALID" {
		t.Fatalf("mismatched pipeline: code %q, want INVALID", r.FirstCode())
	}
	var now struct{ Node struct{ Stage, Notes string } }
	srv.MustGraphQL(t, staff, `query($id: ID!) { node(id: $id) { ... on Contact { stage notes } } }`, map[string]any{"id": id}).Decode(t, &now)
	if now.Node.Stage != "booked" || now.Node.Notes != "Walk-in booked" {
		t.Fatalf("after refused updates: %+v, want booked and the earlier notes", now.Node)
	}
}
