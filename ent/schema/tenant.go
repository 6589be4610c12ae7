package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	gen "github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/rbac/entrule"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TenantMixin makes an entity belong to one location (the tenant). The
// location is set from the viewer on create and can never change. The
// privacy policy filters every query and mutation to the viewer's location,
// so a row of another location reads as "not found", even by ID, and checks
// the viewer's permission on the entity's resource.
type TenantMixin struct {
	mixin.Schema
	// Read is the resource whose read permission a query needs; empty lets
	// every member of the location read.
	Read rbac.Resource
	// Write is the resource whose create/update/delete permission a
	// mutation needs.
	Write rbac.Resource
	// WriteAs, when set, is the one action every mutation needs on Write
	// instead of create/update/delete (saved reports: reports:manage).
	WriteAs rbac.Action
	// Own names the field holding the owner's user ID, for grants limited to
	// the viewer's own records (rbac.OwnRecordsOnly).
	Own string
	// ReadOwn lets a viewer without the Read permission read their own rows
	// (by Own) instead of none, e.g. their own membership.
	ReadOwn bool
	// NoIndex leaves out the index on location_id alone, for an entity
	// whose own indexes start with location_id: it would be a prefix of
	// theirs, and it cost a contact 45 bytes (docs/PERFORMANCE.md, i12disk2).
	NoIndex bool
}

// Fields of the TenantMixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("location_id").
			GoType(pulid.ID("")).
			Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
	}
}

// Edges of the TenantMixin.
func (TenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("location", Location.Type).
			Field("location_id").
			Unique().
			Required().
			Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
	}
}

// Indexes of the TenantMixin.
func (m TenantMixin) Indexes() []ent.Index {
	if m.NoIndex {
		return nil
	}
	return []ent.Index{index.Fields("location_id")}
}

// Policy of the TenantMixin.
func (m TenantMixin) Policy() ent.Policy {
	query := privacy.QueryPolicy{entrule.DenyIfNoViewer()}
	switch {
	case m.Read != "" && m.ReadOwn:
		query = append(query, entrule.QueryPermissionOrOwn(m.Read, m.Own))
	case m.Read != "":
		query = append(query, entrule.QueryPermission(m.Read, m.Own))
	}
	query = append(query, entrule.FilterToLocation())
	return privacy.Policy{
		Query: query,
		Mutation: privacy.MutationPolicy{
			entrule.DenyIfNoViewer(),
			entrule.DenyCreateElsewhere(),
			m.mutationPermission(),
			entrule.FilterToLocation(),
		},
	}
}

func (m TenantMixin) mutationPermission() privacy.MutationRule {
	if m.WriteAs != "" {
		return entrule.MutationPermissionAs(m.Write, m.WriteAs)
	}
	return entrule.MutationPermission(m.Write, m.Own)
}

// Hooks of the TenantMixin.
func (TenantMixin) Hooks() []ent.Hook {
	return []ent.Hook{setLocation, sameLocationRefs}
}

// setLocation stamps a new row with the viewer's active location.
func setLocation(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if m.Op().Is(ent.OpCreate) {
			if _, ok := m.Field("location_id"); !ok {
				v := viewer.FromContext(ctx)
				if v == nil || v.LocationID == "" {
					return nil, fmt.Errorf("create %s: no active location", m.Type())
				}
				if err := m.SetField("location_id", v.LocationID); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}

// refFields are the foreign keys of tenant-owned entities that point at
// other tenant-owned rows (or at users, who belong through memberships).
var refFields = []string{"contact_id", "service_id", "booking_id", "staff_id", "assignee_id", "actor_id", "assigned_to_id"}

// sameLocationRefs refuses a row that points at a row of another location: a
// booking of a Parramatta contact made at Sydney would leak one tenant's data
// into another. The referenced row reads as not found, like any other row of
// another location.
func sameLocationRefs(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		var loc pulid.ID
		if v, ok := m.Field("location_id"); ok {
			loc, _ = v.(pulid.ID)
		} else if vw := viewer.FromContext(ctx); vw != nil {
			loc = vw.LocationID
		}
		cm, ok := m.(interface{ Client() *gen.Client })
		if loc == "" || !ok {
			return next.Mutate(ctx, m)
		}
		sys := viewer.Integrity.Grant(ctx, "")
		for _, name := range refFields {
			v, ok := m.Field(name)
			if !ok {
				continue
			}
			id, _ := v.(pulid.ID)
			if id == "" || viewer.IsCheckedAt(ctx, loc, id) {
				// Read at loc in this transaction by the caller
				// (viewer.CheckedAt): no second query.
				continue
			}
			found, err := existsAt(sys, cm.Client(), loc, id)
			if err != nil {
				return nil, err
			}
			if !found {
				return nil, apperr.NotFoundf(name, "%s %s not found", refName(name), id)
			}
		}
		return next.Mutate(ctx, m)
	})
}

func refName(field string) string {
	switch field {
	case "contact_id":
		return "contact"
	case "service_id":
		return "service"
	case "booking_id":
		return "booking"
	}
	return "user"
}

// existsAt reports whether id names a row at location loc.
func existsAt(ctx context.Context, c *gen.Client, loc, id pulid.ID) (bool, error) {
	switch id.Prefix() {
	case pulid.Contact:
		return c.Contact.Query().Where(contact.ID(id), contact.LocationID(loc)).Exist(ctx)
	case pulid.Service:
		return c.Service.Query().Where(service.ID(id), service.LocationID(loc)).Exist(ctx)
	case pulid.Booking:
		return c.Booking.Query().Where(booking.ID(id), booking.LocationID(loc)).Exist(ctx)
	case pulid.Task:
		return c.Task.Query().Where(task.ID(id), task.LocationID(loc)).Exist(ctx)
	case pulid.User:
		return c.User.Query().Where(user.ID(id), user.HasMembershipsWith(membership.LocationID(loc))).Exist(ctx)
	}
	return false, nil
}
