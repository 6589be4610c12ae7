package viewer

import (
	"context"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// Required returns the viewer of ctx: a signed-in person with an active
// location, or the system. Without one it returns an UNAUTHENTICATED
// error, "sign in first".
func Required(ctx context.Context) (*Viewer, error) {
	v := FromContext(ctx)
	if v == nil || (!v.System && (v.UserID == "" || v.LocationID == "")) {
		return nil, apperr.Unauthenticatedf("sign in first")
	}
	return v, nil
}

// Authorize returns the viewer of ctx when it holds p at the active
// location: UNAUTHENTICATED without a viewer, FORBIDDEN without the
// permission. It is the one check behind @hasPermission on every road: the
// GraphQL executor and the in-process operations (graph.Ops) both call it.
func Authorize(ctx context.Context, p rbac.Permission) (*Viewer, error) {
	v, err := Required(ctx)
	if err != nil {
		return nil, err
	}
	if !v.Allowed(p) {
		return nil, apperr.Forbiddenf("your role (%s) may not %s %s", v.Role, p.Action(), p.Resource())
	}
	return v, nil
}

// Allowed reports whether the viewer holds p at the active location.
func (v *Viewer) Allowed(p rbac.Permission) bool { return v.Can(p.Resource(), p.Action()).Allowed }

// AtLocation is Required for work that happens at one location: the
// viewer (a person, or the system acting for a location) must have an
// active location.
func AtLocation(ctx context.Context) (*Viewer, error) {
	v, err := Required(ctx)
	if err != nil {
		return nil, err
	}
	if v.LocationID == "" {
		return nil, apperr.Unauthenticatedf("sign in first")
	}
	return v, nil
}
