package graph_test

import (
	"net/http"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

func TestContactsConnection(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")
	r := srv.MustGraphQL(t, c, `query($first:Int!){ contacts(first:$first, orderBy:{field:WARMNESS, direction:DESC}, where:{pipeline: lead}) {
		totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id firstName phone pipeline warmness location { code } } } } }`,
		map[string]any{"first": 5})
	var out struct {
		Contacts struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
			Edges []struct {
				Node struct {
					ID, FirstName, Pipeline string
					Phone                   *string
					Warmness                int
					Location                struct{ Code string }
				}
			}
		}
	}
	r.Decode(t, &out)
	if len(out.Contacts.Edges) != 5 || !out.Contacts.PageInfo.HasNextPage || out.Contacts.TotalCount <= 5 {
		t.Fatalf("unexpected connection: %+v", out.Contacts)
	}
	prev := 101
	for _, e := range out.Contacts.Edges {
		if e.Node.Location.Code != "SYD" || e.Node.Pipeline != "lead" {
			t.Errorf("contact %s is %s/%s, want SYD/lead", e.Node.ID, e.Node.Location.Code, e.Node.Pipeline)
		}
		if e.Node.Warmness > prev {
			t.Errorf("not sorted by warmness: %d after %d", e.Node.Warmness, prev)
		}
		prev = e.Node.Warmness
	}
}

func TestUnauthenticated(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	r := srv.GraphQL(t, http.DefaultClient, `{ contacts(first: 1) { totalCount } }`, nil)
	if r.FirstCode() != "UNAUTHENTICATED" {
		t.Fatalf("code = %q, want UNAUTHENTICATED (%+v)", r.FirstCode(), r.Errors)
	}
}
