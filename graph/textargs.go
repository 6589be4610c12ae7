package graph

import (
	"context"
	"maps"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/textcheck"
)

// TextArgs refuses an operation any of whose string arguments (in literals
// or variables, at any depth of an input object or list) is text
// textcheck refuses: not UTF-8, or holding control characters where they
// make no sense. The error is INVALID with extensions.field naming the
// input field (firstName, firstNameContains, query), and nothing runs.
// It checks the whole operation once, before execution, so a filter with a
// NUL can never reach the database.
type TextArgs struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = TextArgs{}

// ExtensionName implements graphql.HandlerExtension.
func (TextArgs) ExtensionName() string { return "TextArgs" }

// Validate implements graphql.HandlerExtension.
func (TextArgs) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (TextArgs) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := textWalker{vars: oc.Variables, frags: oc.Doc.Fragments, seen: map[string]bool{}}
	return w.selections(oc.Operation.SelectionSet)
}

type textWalker struct {
	vars  map[string]any
	frags ast.FragmentDefinitionList
	seen  map[string]bool
}

func (w *textWalker) selections(set ast.SelectionSet) *gqlerror.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, arg := range s.Arguments {
				v, err := arg.Value.Value(w.vars)
				if err != nil {
					continue // validation has already refused it
				}
				if e := w.value(arg.Name, v); e != nil {
					e.Locations = []gqlerror.Location{{Line: arg.Position.Line, Column: arg.Position.Column}}
					return e
				}
			}
			if e := w.selections(s.SelectionSet); e != nil {
				return e
			}
		case *ast.InlineFragment:
			if e := w.selections(s.SelectionSet); e != nil {
				return e
			}
		case *ast.FragmentSpread:
			// A fragment's arguments are the same wherever it is spread
			// (variables are per operation): check it once.
			if w.seen[s.Name] {
				continue
			}
			w.seen[s.Name] = true
			if f := w.frags.ForName(s.Name); f != nil {
				if e := w.selections(f.SelectionSet); e != nil {
					return e
				}
			}
		}
	}
	return nil
}

// value checks v, the value of field: strings directly, the fields of
// input objects under their own names, list items under the list's name.
func (w *textWalker) value(field string, v any) *gqlerror.Error {
	switch x := v.(type) {
	case string:
		if p := textcheck.Problem(x, textcheck.Multiline(field)); p != "" {
			err := gqlerror.Errorf("%s %s", field, p)
			err.Extensions = map[string]any{"code": string(apperr.Invalid), "field": field}
			return err
		}
	case map[string]any:
		// In a fixed order, so the same input always names the same field.
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if e := w.value(k, x[k]); e != nil {
				return e
			}
		}
	case []any:
		for _, vv := range x {
			if e := w.value(field, vv); e != nil {
				return e
			}
		}
	}
	return nil
}
