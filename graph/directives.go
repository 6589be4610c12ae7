package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// HasPermission implements @hasPermission: it refuses the operation early,
// with FORBIDDEN, when the viewer's role lacks the permission. The ent
// privacy rules check again underneath, so a resolver that forgets the
// directive is still safe.
func HasPermission(ctx context.Context, _ any, next graphql.Resolver, resource Resource, action Action) (any, error) {
	v := viewer.FromContext(ctx)
	if v == nil || (v.UserID == "" && !v.System) {
		return nil, apperr.Unauthenticatedf("sign in first")
	}
	if !v.Can(rbac.Resource(resource), rbac.Action(action)).Allowed {
		return nil, apperr.Forbiddenf("your role (%s) may not %s %s", v.Role, action, resource)
	}
	return next(ctx)
}
