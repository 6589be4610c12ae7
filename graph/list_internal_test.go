package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// A List names edges by their GraphQL names; one the node does not have
// is an error (it would otherwise load nothing together and cost a query
// a row, silently), and a node type not in the schema too. No List leaves
// the context as the executor would find it: no selection, so entgql
// counts.
func TestListing_RefusesWhatTheSchemaDoesNotHave(t *testing.T) {
	ctx := context.Background()
	if got, err := listing(ctx, "Booking", nil); err != nil || graphql.GetFieldContext(got) != nil {
		t.Fatalf("no List: a selection was made (%v)", err)
	}
	if _, err := listing(ctx, "Booking", []List{{With: []string{"service", "staf"}}}); err == nil || !strings.Contains(err.Error(), `"staf"`) {
		t.Errorf("an edge Booking lacks: err = %v", err)
	}
	if _, err := listing(ctx, "Booking", []List{{With: []string{"notes"}}}); err == nil {
		t.Error("a scalar field was taken for an edge")
	}
	if _, err := listing(ctx, "Bookin", []List{{}}); err == nil {
		t.Error("a type not in the schema was accepted")
	}
	if _, err := listing(ctx, "Booking", []List{{}, {Total: true}}); err == nil {
		t.Error("two Lists were accepted")
	}
	got, err := listing(ctx, "Booking", []List{{Total: true, With: []string{"service", "staff"}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range graphql.GetFieldContext(got).Field.Selections {
		names = append(names, f.(*ast.Field).Name)
	}
	if strings.Join(names, ",") != "edges,totalCount" {
		t.Errorf("List{Total} selects %v, want edges and totalCount", names)
	}
}
