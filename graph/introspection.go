package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

func init() {
	// Like a validation failure: 422 (400 for application/graphql-response+json).
	errcode.RegisterErrorType(string(apperr.IntrospectionDisabled), errcode.KindProtocol)
}

// closeSchema hides the schema while introspection is off: __schema and
// __type are refused with INTROSPECTION_DISABLED before anything runs
// (gqlgen would otherwise answer each with a bare "introspection disabled",
// which reads as an internal error), and validation messages stop
// suggesting names ("Did you mean …?"), which would let a caller map the
// schema field by field.
func closeSchema(srv *handler.Server) {
	srv.Use(noIntrospection{})
	// gqlgen's switch covers field and leaf-selection suggestions; the
	// rules for argument names, type names and enum values suggest too.
	srv.SetDisableSuggestion(true)
	srv.SetValidationRulesFn(func() *rules.Rules {
		r := rules.NewDefaultRules()
		for _, pair := range []struct{ with, without core.Rule }{
			{rules.KnownArgumentNamesRule, rules.KnownArgumentNamesRuleWithoutSuggestions},
			{rules.KnownTypeNamesRule, rules.KnownTypeNamesRuleWithoutSuggestions},
			{rules.ValuesOfCorrectTypeRule, rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
		} {
			r.RemoveRule(pair.with.Name)
			r.AddRule(pair.without.Name, pair.without.RuleFunc)
		}
		return r
	})
}

// noIntrospection refuses operations that select __schema or __type.
// Validation allows them only on the query root, so only the root
// selection set (and the fragments spread into it) is searched.
// __typename stays allowed: clients need it and it reveals nothing.
type noIntrospection struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = noIntrospection{}

func (noIntrospection) ExtensionName() string                   { return "NoIntrospection" }
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

func (noIntrospection) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if f := introspectionField(oc.Operation.SelectionSet, oc.Doc.Fragments, map[string]bool{}); f != nil {
		err := gqlerror.ErrorPosf(f.Position, "introspection is disabled on this server")
		err.Extensions = map[string]any{"code": string(apperr.IntrospectionDisabled)}
		return err
	}
	return nil
}

func introspectionField(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen map[string]bool) *ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return s
			}
		case *ast.InlineFragment:
			if f := introspectionField(s.SelectionSet, frags, seen); f != nil {
				return f
			}
		case *ast.FragmentSpread:
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if d := frags.ForName(s.Name); d != nil {
				if f := introspectionField(d.SelectionSet, frags, seen); f != nil {
					return f
				}
			}
		}
	}
	return nil
}
