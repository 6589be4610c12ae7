// Package entrule turns the rbac permission table and location tenancy into
// ent privacy rules. Every query and mutation of a tenant-owned entity passes
// through these rules, whatever path it came by (GraphQL, UI, CLI, jobs).
package entrule

import (
	"context"

	"entgo.io/ent/entql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// ErrNoViewer is the decision for a request that carries no identity.
var ErrNoViewer = &apperr.Error{Code: apperr.Unauthenticated, Message: "sign in first", Err: privacy.Deny}

// DenyIfNoViewer denies any query or mutation that carries no viewer with an
// active location.
func DenyIfNoViewer() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		v := viewer.FromContext(ctx)
		if v == nil || (!v.System && (v.UserID == "" || v.LocationID == "")) {
			return ErrNoViewer
		}
		return privacy.Skip
	})
}

// FilterToLocation narrows every query, update and delete to rows of the
// viewer's active location. Rows of other locations are then simply absent:
// reading one by ID is "not found", never "forbidden", so IDs leak nothing.
func FilterToLocation() privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil || v.LocationID == "" {
			return ErrNoViewer
		}
		f.Where(entql.FieldEQ("location_id", string(v.LocationID)))
		return privacy.Skip
	})
}

// FilterToFoldedLocation is FilterToLocation for an entity that stores its
// location as pulid.Fold of the ID in field (the search index's keys, a
// dozen rows a contact, where the 30-byte text cost 44 bytes a row).
func FilterToFoldedLocation(field string) privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil || v.LocationID == "" {
			return ErrNoViewer
		}
		f.Where(entql.FieldEQ(field, pulid.Fold(v.LocationID)))
		return privacy.Skip
	})
}

// DenyCreateElsewhere refuses to create a row for a location other than the
// viewer's active one.
func DenyCreateElsewhere() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if !m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		v := viewer.FromContext(ctx)
		loc, ok := m.Field("location_id")
		if !ok {
			// The tenant hook stamps the viewer's location after this rule.
			return privacy.Skip
		}
		if v == nil || loc != v.LocationID {
			return privacy.Denyf("rows can only be created at the active location")
		}
		return privacy.Skip
	})
}

// forbidden is the decision of a permission rule that said no: a
// privacy.Deny that callers see as FORBIDDEN, naming what was refused.
func forbidden(res rbac.Resource, act rbac.Action) error {
	return &apperr.Error{Code: apperr.Forbidden, Message: "not allowed to " + string(act) + " " + string(res), Err: privacy.Deny}
}

// QueryPermission requires the viewer's read permission on res. When the
// grant is limited to the viewer's own records, ownField (if not empty) is
// filtered to the viewer's user ID.
func QueryPermission(res rbac.Resource, ownField string) privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		return decide(ctx, f, res, rbac.Read, ownField)
	})
}

// QueryPermissionOrOwn is QueryPermission for rows everyone may read of
// themselves: without the read permission on res (or with it limited to
// their own records) the viewer reads only the rows whose ownField is
// their user ID, such as their own membership.
func QueryPermissionOrOwn(res rbac.Resource, ownField string) privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if d := v.Can(res, rbac.Read); d.Allowed && d.Condition != rbac.OwnRecordsOnly {
			return privacy.Skip
		}
		if v == nil || v.UserID == "" {
			return forbidden(res, rbac.Read)
		}
		f.Where(entql.FieldEQ(ownField, string(v.UserID)))
		return privacy.Skip
	})
}

// MutationPermission requires the permission on res that matches the
// mutation: create, update or delete. ownField works as in QueryPermission.
func MutationPermission(res rbac.Resource, ownField string) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		act := rbac.Update
		switch {
		case m.Op().Is(ent.OpCreate):
			act = rbac.Create
		case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
			act = rbac.Delete
		}
		if act == rbac.Create {
			return decideCreate(ctx, m, res, ownField)
		}
		filter := privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
			return decide(ctx, f, res, act, ownField)
		})
		return filter.EvalMutation(ctx, m)
	})
}

// MutationPermissionAs requires act on res for every mutation, whatever
// its operation: an entity whose changes are one permission (saved
// reports and their settings: reports:manage).
func MutationPermissionAs(res rbac.Resource, act rbac.Action) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if !viewer.FromContext(ctx).Can(res, act).Allowed {
			return forbidden(res, act)
		}
		return privacy.Skip
	})
}

func decide(ctx context.Context, f privacy.Filter, res rbac.Resource, act rbac.Action, ownField string) error {
	v := viewer.FromContext(ctx)
	d := v.Can(res, act)
	if !d.Allowed {
		return forbidden(res, act)
	}
	if d.Condition == rbac.OwnRecordsOnly {
		if ownField == "" {
			return forbidden(res, act)
		}
		f.Where(entql.FieldEQ(ownField, string(v.UserID)))
	}
	return privacy.Skip
}

func decideCreate(ctx context.Context, m ent.Mutation, res rbac.Resource, ownField string) error {
	var owner *pulid.ID
	if got, ok := m.Field(ownField); ownField != "" && ok {
		if id, ok := got.(pulid.ID); ok {
			owner = &id
		}
	}
	if !viewer.FromContext(ctx).CanOn(res, rbac.Create, owner) {
		return forbidden(res, rbac.Create)
	}
	return privacy.Skip
}

// FilterLocationsOfViewer narrows locations to those the viewer belongs to.
func FilterLocationsOfViewer() privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil || v.UserID == "" {
			return ErrNoViewer
		}
		ids := make([]driverValue, 0, len(v.Memberships))
		for _, id := range v.LocationIDs() {
			ids = append(ids, string(id))
		}
		f.Where(entql.FieldIn("id", ids...))
		return privacy.Skip
	})
}

// FilterUsersOfLocation narrows users to members of the viewer's active
// location, and the viewer themself.
func FilterUsersOfLocation() privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil || v.LocationID == "" {
			return ErrNoViewer
		}
		f.Where(entql.Or(
			entql.FieldEQ("id", string(v.UserID)),
			entql.HasEdgeWith("memberships", entql.FieldEQ("location_id", string(v.LocationID))),
		))
		return privacy.Skip
	})
}

// OnlyActiveLocation limits location mutations to the viewer's active
// location, with the settings permission; a new location is created by
// whoever holds settings:create at their active location (createLocation)
// or by the system (avatarcrm setup, the demo seed).
func OnlyActiveLocation() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v := viewer.FromContext(ctx)
		if m.Op().Is(ent.OpCreate) {
			// A new location (createLocation): whoever may create settings
			// at their active location, its administrators by default.
			if v.Can(rbac.Settings, rbac.Create).Allowed {
				return privacy.Skip
			}
			return forbidden(rbac.Settings, rbac.Create)
		}
		act := rbac.Update
		if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
			act = rbac.Delete
		}
		if !v.Can(rbac.Settings, act).Allowed {
			return forbidden(rbac.Settings, act)
		}
		return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
			f.Where(entql.FieldEQ("id", string(v.LocationID)))
			return privacy.Skip
		}).EvalMutation(ctx, m)
	})
}

type driverValue = any
