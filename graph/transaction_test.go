package graph_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestMutationIsOneTransaction: a mutation operation runs in one
// transaction (graph.Transactional, over txn.Run): when its second field
// fails, the first one's contact is not there either, and the answer holds
// no data that was never committed.
func TestMutationIsOneTransaction(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	r := srv.GraphQL(t, staff, `mutation {
		a: createContact(input: {firstName: "Atomic", lastName: "Firstfield"}) { id }
		b: createContact(input: {firstName: ""}) { id } }`, nil)
	if r.FirstCode() != "INVALID" || string(r.Data) != "" && string(r.Data) != "null" {
		t.Fatalf("second field refused: %s %s", r.FirstCode(), r.Data)
	}
	var out struct{ Contacts struct{ TotalCount int } }
	srv.MustGraphQL(t, staff, `{ contacts(where: {lastName: "Firstfield"}) { totalCount } }`, nil).Decode(t, &out)
	if out.Contacts.TotalCount != 0 {
		t.Fatalf("the first field's contact was committed: %d", out.Contacts.TotalCount)
	}
	// Both fields fine: both committed.
	srv.MustGraphQL(t, staff, `mutation {
		a: createContact(input: {firstName: "Atomic", lastName: "Firstfield"}) { id }
		b: createContact(input: {firstName: "Atomic", lastName: "Secondfield"}) { id } }`, nil)
	srv.MustGraphQL(t, staff, `{ contacts(where: {lastName: "Firstfield"}) { totalCount } }`, nil).Decode(t, &out)
	if out.Contacts.TotalCount != 1 {
		t.Fatalf("a successful mutation committed %d contacts named Firstfield", out.Contacts.TotalCount)
	}
}
