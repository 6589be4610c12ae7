package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// checkPermissions implements @hasPermission(resource:, action:) in the
// GraphQL executor: a field that declares it fails early with FORBIDDEN
// when the viewer lacks the permission, and a Query or Mutation field that
// declares none (the short allowlist of TestEveryOperationDeclaresAPermission)
// still needs a signed-in viewer. Ops does the same on the in-process road
// with the same function, authorize. The ent privacy rules check again
// underneath.
func checkPermissions(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Definition == nil {
		return next(ctx)
	}
	if d := fc.Field.Definition.Directives.ForName("hasPermission"); d != nil {
		p := rbac.Perm(rbac.Resource(d.Arguments.ForName("resource").Value.Raw), rbac.Action(d.Arguments.ForName("action").Value.Raw))
		if err := authorize(ctx, p); err != nil {
			return nil, err
		}
	} else if fc.IsResolver && (fc.Object == "Query" || fc.Object == "Mutation") {
		if err := authorize(ctx, ""); err != nil {
			return nil, err
		}
	}
	return next(ctx)
}

// authorize is the one permission check of an operation, on both roads:
// p, or with p "" a signed-in viewer.
func authorize(ctx context.Context, p rbac.Permission) error {
	var err error
	if p == "" {
		_, err = viewer.Required(ctx)
	} else {
		_, err = viewer.Authorize(ctx, p)
	}
	return err
}
