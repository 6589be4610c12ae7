package graph

import (
	"context"
	"slices"

	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

func (r *Resolver) viewer(ctx context.Context) (*Viewer, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	// The viewer may always see their own record, whatever users:read says.
	u, err := r.Client.User.Get(viewer.Identity.Grant(ctx, ""), v.UserID)
	if err != nil {
		return nil, err
	}
	locs, err := r.Client.Location.Query().Where(location.IDIn(v.LocationIDs()...)).Order(location.ByName()).All(ctx)
	if err != nil {
		return nil, err
	}
	out := &Viewer{User: u, Role: membership.Role(v.Role)}
	for _, l := range locs {
		out.Locations = append(out.Locations, &LocationAccess{Location: l, Role: membership.Role(v.Memberships[l.ID])})
		if l.ID == v.LocationID {
			out.Location = l
		}
	}
	if out.Location == nil {
		return nil, apperr.Forbiddenf("no access to the active location")
	}
	for _, p := range rbac.AllPermissions() {
		if v.Allowed(p) {
			out.Permissions = append(out.Permissions, string(p))
		}
	}
	slices.Sort(out.Permissions)
	return out, nil
}
