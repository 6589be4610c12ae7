package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

func TestOperationLimits(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "staff@example.com")

	t.Run("Depth", func(t *testing.T) {
		// contacts → edges → node → bookings → edges → node → contact → …
		q := "{ contacts(first: 1) { edges { node { id " + strings.Repeat("bookings(first: 1) { edges { node { contact { ", 4) +
			"id" + strings.Repeat(" } } } }", 4) + " } } } }"
		r := srv.GraphQL(t, c, q, nil)
		if r.FirstCode() != "INVALID" || !strings.Contains(r.Errors[0].Message, "levels deep") {
			t.Fatalf("deep query: %+v", r.Errors)
		}
	})
	t.Run("Aliases", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{")
		for i := range 40 {
			fmt.Fprintf(&b, " a%d: me { role }", i)
		}
		b.WriteString(" }")
		r := srv.GraphQL(t, c, b.String(), nil)
		if r.FirstCode() != "INVALID" || !strings.Contains(r.Errors[0].Message, "aliases") {
			t.Fatalf("alias flood: %+v", r.Errors)
		}
	})
	t.Run("NormalQueryPasses", func(t *testing.T) {
		srv.MustGraphQL(t, c, `query Dash { a: contacts(first: 5) { edges { node { id bookings(first: 2) { edges { node { service { name } } } } } } } }`, nil)
	})
}
