// Package viewer carries who is acting, and at which location, through a
// request's context. Every privacy rule reads it; nothing else decides
// identity.
package viewer

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// Viewer is the identity behind a request.
type Viewer struct {
	UserID pulid.ID
	Email  string
	Name   string
	// LocationID is the active location (the tenant) of the request.
	LocationID pulid.ID
	// Role is the viewer's role at LocationID.
	Role rbac.Role
	// Memberships maps every location the user belongs to onto their role there.
	Memberships map[pulid.ID]rbac.Role
	// Permissions decides what Role may do at LocationID; nil means
	// rbac.Default.
	Permissions *rbac.Table
	// Overrides are this user's grants and denials at LocationID.
	Overrides []rbac.Override
	// TokenID is set when the request authenticated with an API token.
	TokenID string
	// System marks work no person is behind (seeding, commands, scheduled
	// maintenance); it runs under a Capability, which is what lets it past
	// the privacy rules.
	System bool
	// Actor names who acted for a system viewer, for the audit trail
	// (e.g. "cli:root", "seed").
	Actor string
}

type ctxKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer in ctx, or nil.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}

// Can reports whether the viewer may do act on res at the active location,
// and under which condition.
func (v *Viewer) Can(res rbac.Resource, act rbac.Action) rbac.Decision {
	if v == nil {
		return rbac.Decision{}
	}
	if v.System {
		return rbac.Decision{Allowed: true}
	}
	if v.LocationID == "" || !v.Role.Valid() {
		return rbac.Decision{}
	}
	t := v.Permissions
	if t == nil {
		t = rbac.Default
	}
	return rbac.Decide(t, v.Overrides, v.Role, res, act)
}

// CanOn reports whether the viewer may do act on res for a row owned by
// owner (nil: nobody): Can, with an own_records_only grant honoured. It is
// the same decision the ent privacy rules make (internal/rbac/entrule),
// for code that holds the row already, such as a page choosing its buttons.
func (v *Viewer) CanOn(res rbac.Resource, act rbac.Action, owner *pulid.ID) bool {
	d := v.Can(res, act)
	if !d.Allowed {
		return false
	}
	return d.Condition != rbac.OwnRecordsOnly || (owner != nil && *owner == v.UserID)
}

// LocationIDs returns the locations the viewer belongs to.
func (v *Viewer) LocationIDs() []pulid.ID {
	ids := make([]pulid.ID, 0, len(v.Memberships))
	for id := range v.Memberships {
		ids = append(ids, id)
	}
	return ids
}
