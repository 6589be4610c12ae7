package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits bounds the shape of an operation, so a single request cannot make
// the server walk the whole graph: nesting depth, and the number of aliased
// fields (aliases multiply work without multiplying the query's size).
// Complexity is bounded separately by gqlgen's FixedComplexityLimit.
type Limits struct {
	MaxDepth   int
	MaxAliases int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Limits{}

// ExtensionName implements graphql.HandlerExtension.
func (Limits) ExtensionName() string { return "Limits" }

// Validate implements graphql.HandlerExtension.
func (Limits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (l Limits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := walker{frags: oc.Doc.Fragments, seen: map[string]bool{}}
	depth := w.depth(oc.Operation.SelectionSet, 1)
	if l.MaxDepth > 0 && depth > l.MaxDepth {
		return limitError("operation is nested %d levels deep; the limit is %d", depth, l.MaxDepth)
	}
	if l.MaxAliases > 0 && w.aliases > l.MaxAliases {
		return limitError("operation uses %d aliases; the limit is %d", w.aliases, l.MaxAliases)
	}
	return nil
}

func limitError(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": "INVALID"}
	return err
}

type walker struct {
	frags   ast.FragmentDefinitionList
	seen    map[string]bool
	aliases int
}

// depth returns the deepest field nesting under set. Fragment spreads count
// toward the depth of the fields they contain; a fragment is expanded once
// per path, and validation has already refused fragment cycles.
func (w *walker) depth(set ast.SelectionSet, level int) int {
	deepest := level - 1
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
			}
			d := level
			if len(s.SelectionSet) > 0 {
				d = w.depth(s.SelectionSet, level+1)
			}
			deepest = max(deepest, d)
		case *ast.InlineFragment:
			deepest = max(deepest, w.depth(s.SelectionSet, level))
		case *ast.FragmentSpread:
			f := w.frags.ForName(s.Name)
			if f == nil || w.seen[s.Name] {
				continue
			}
			w.seen[s.Name] = true
			deepest = max(deepest, w.depth(f.SelectionSet, level))
			delete(w.seen, s.Name)
		}
	}
	return deepest
}
