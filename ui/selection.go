package ui

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// rowsOnly returns ctx in which a connection query called in-process (the
// graph.Ops the pages call) fetches its rows as a GraphQL request asking
// `edges { node { … } }` would: without the COUNT it runs for totalCount
// and pageInfo when no GraphQL request is in the context (entgql counts
// then, to be safe), and with the named edges of each node (their GraphQL
// names: "service", "assignee") loaded in one query each instead of one
// query per row. Not contacts: see the dashboard. A page that shows neither a total nor a next page uses
// it: the dashboard counted all touchpoints and every contact warmer than
// 80 at each view for nothing.
//
// Every node and edge still carries all its columns: the selection names
// a field ent does not know (allColumns), which makes it load them all.
func rowsOnly(ctx context.Context, edges ...string) context.Context {
	return selecting(ctx, false, edges)
}

// rowsWithTotal is rowsOnly for a page that shows the total and links to
// the next page: the count and the page info stay, the named edges are
// loaded in one query each.
func rowsWithTotal(ctx context.Context, edges ...string) context.Context {
	return selecting(ctx, true, edges)
}

func selecting(ctx context.Context, total bool, edges []string) context.Context {
	node := &ast.Field{Name: "node", Alias: "node", SelectionSet: ast.SelectionSet{allColumns()}}
	for _, e := range edges {
		node.SelectionSet = append(node.SelectionSet,
			&ast.Field{Name: e, Alias: e, SelectionSet: ast.SelectionSet{allColumns()}})
	}
	sel := ast.SelectionSet{&ast.Field{Name: "edges", Alias: "edges", SelectionSet: ast.SelectionSet{node}}}
	if total {
		sel = append(sel, &ast.Field{Name: "totalCount", Alias: "totalCount"},
			&ast.Field{Name: "pageInfo", Alias: "pageInfo", SelectionSet: ast.SelectionSet{
				&ast.Field{Name: "hasNextPage", Alias: "hasNextPage"}, &ast.Field{Name: "hasPreviousPage", Alias: "hasPreviousPage"},
				&ast.Field{Name: "startCursor", Alias: "startCursor"}, &ast.Field{Name: "endCursor", Alias: "endCursor"},
			}})
	}
	if !graphql.HasOperationContext(ctx) {
		ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{Doc: &ast.QueryDocument{}})
	}
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{
		Field: graphql.CollectedField{Field: &ast.Field{Name: "rows", SelectionSet: sel}, Selections: sel},
	})
}

// allColumns is a selection no entity has: ent then selects every column.
func allColumns() *ast.Field { return &ast.Field{Name: "_allColumns", Alias: "_allColumns"} }
