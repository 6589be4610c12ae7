package graph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/graph"
)

// signedInOnly are the operations that declare no @hasPermission: they need
// a signed-in viewer and nothing more, and the ent privacy rules decide
// what they return. Keep this list short; a new operation declares its
// permission in the schema.
var signedInOnly = []string{
	"Query.me",                  // the viewer's own record
	"Query.node", "Query.nodes", // each type's policy decides (apiTokens need api_tokens:read, …)
	"Query.locations",            // the viewer's own locations
	"Query.services",             // the catalogue every booking form offers
	"Query.cancelReasons",        // the reasons every cancel form offers
	"Mutation.signOutEverywhere", // the viewer's own sessions
}

// TestEveryOperationDeclaresAPermission: every Query and Mutation field
// states its permission with @hasPermission, or is on the short list of
// operations that need only a signed-in viewer.
func TestEveryOperationDeclaresAPermission(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	var without []string
	for _, root := range []string{"Query", "Mutation"} {
		for _, f := range schema.Types[root].Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			name := root + "." + f.Name
			d := f.Directives.ForName("hasPermission")
			if d == nil {
				without = append(without, name)
				if !slices.Contains(signedInOnly, name) {
					t.Errorf("%s declares no @hasPermission(resource:, action:) and is not on the signed-in-only list", name)
				}
				continue
			}
			// The same permission is what the in-process road checks.
			if got := graph.Permission(graph.Op(f.Name)); string(got) != d.Arguments.ForName("resource").Value.Raw+":"+d.Arguments.ForName("action").Value.Raw {
				t.Errorf("%s: Ops checks %q, the schema declares %s:%s", name, got,
					d.Arguments.ForName("resource").Value.Raw, d.Arguments.ForName("action").Value.Raw)
			}
		}
	}
	for _, name := range signedInOnly {
		if !slices.Contains(without, name) {
			t.Errorf("%s is on the signed-in-only list but is not an operation without @hasPermission: take it off", name)
		}
	}
}
