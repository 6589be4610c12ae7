package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// checkPermissions implements @hasPermission(resource:, action:) for every
// field that declares it: the operation fails early with FORBIDDEN when the
// viewer lacks the permission. The ent privacy rules check again
// underneath, so a field that forgets the directive is still safe.
func checkPermissions(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Definition == nil {
		return next(ctx)
	}
	d := fc.Field.Definition.Directives.ForName("hasPermission")
	if d == nil {
		return next(ctx)
	}
	res := rbac.Resource(d.Arguments.ForName("resource").Value.Raw)
	act := rbac.Action(d.Arguments.ForName("action").Value.Raw)
	if err := Require(ctx, res, act); err != nil {
		return nil, err
	}
	return next(ctx)
}

// Require fails unless the viewer may do act on res.
func Require(ctx context.Context, res rbac.Resource, act rbac.Action) error {
	_, err := viewer.Authorize(ctx, rbac.Perm(res, act))
	return err
}
