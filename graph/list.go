package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// List says what an in-process caller of a list operation (an Ops method
// over a connection: Contacts, Bookings, …) reads of the answer besides
// the rows, as a GraphQL request says it with its selection. Called with
// no List, a connection counts every matching row for TotalCount: entgql
// counts whenever no selection is in the context, to be safe. A page that
// shows no total passes List{} and is spared that COUNT (the dashboard's
// four lists counted all of a location's touchpoints on every view).
//
// The rows come whole (every column), and PageInfo (next and previous
// page, cursors) is right without Total: it comes from the page's rows.
type List struct {
	// Total asks for TotalCount: a COUNT of every row the filter matches.
	Total bool
	// With names edges of the node, by their GraphQL names ("service",
	// "assignedTo"), loaded for the whole page in one query each instead
	// of one query a row when the page reads them.
	With []string
}

// listing returns ctx carrying the selection a GraphQL request would make
// for what list asks of a connection of node: the resolvers' entgql
// pagination reads it as it reads a request's (count or not, which edges
// to load with the rows). The Ops stand in for the GraphQL executor on the
// in-process road, so building the selection is theirs, as checking the
// permission is; a caller never builds one. Without a List ctx is left
// alone. An edge node does not have is an error, not a silent query a row.
func listing(ctx context.Context, node string, list []List) (context.Context, error) {
	if len(list) == 0 {
		return ctx, nil
	}
	if len(list) > 1 {
		return ctx, fmt.Errorf("graph: one List for a list operation, got %d", len(list))
	}
	l := list[0]
	def := parsedSchema.Types[node]
	if def == nil {
		return ctx, fmt.Errorf("graph: no type %q in the schema", node)
	}
	nodeSel := ast.SelectionSet{allColumns()}
	for _, e := range l.With {
		f := def.Fields.ForName(e)
		if f == nil || parsedSchema.Types[f.Type.Name()] == nil || parsedSchema.Types[f.Type.Name()].Kind != ast.Object {
			return ctx, fmt.Errorf("graph: %s has no edge %q to load with the rows", node, e)
		}
		nodeSel = append(nodeSel, &ast.Field{Name: e, Alias: e, Definition: f, SelectionSet: ast.SelectionSet{allColumns()}})
	}
	sel := ast.SelectionSet{&ast.Field{Name: "edges", Alias: "edges", SelectionSet: ast.SelectionSet{
		&ast.Field{Name: "node", Alias: "node", SelectionSet: nodeSel},
	}}}
	if l.Total {
		sel = append(sel, &ast.Field{Name: "totalCount", Alias: "totalCount"})
	}
	if !graphql.HasOperationContext(ctx) {
		ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{Doc: &ast.QueryDocument{}})
	}
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{
		Field: graphql.CollectedField{Field: &ast.Field{Name: "list", SelectionSet: sel}, Selections: sel},
	}), nil
}

// allColumns is a field no entity has: entgql's field collection then
// loads every column of the node (the pages read them all) instead of
// only the selected ones.
func allColumns() *ast.Field { return &ast.Field{Name: "_allColumns", Alias: "_allColumns"} }
