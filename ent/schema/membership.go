package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// Membership is a user's role at a location.
type Membership struct{ ent.Schema }

// Mixin of the Membership.
func (Membership) Mixin() []ent.Mixin {
	// Everyone reads their own membership; others' (their roles and
	// skills) need users:read.
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Membership, "memberships"), TimeMixin{}, TenantMixin{Read: rbac.Users, Write: rbac.Users, Own: "user_id", ReadOwn: true}}
}

// Fields of the Membership.
func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").GoType(pulid.ID("")).Immutable(),
		field.Enum("role").Values("admin", "manager", "staff", "viewer").Default("staff").
			Annotations(entgql.Type("Role")),
		field.Strings("skills").Optional().
			Comment("What the member can do, e.g. mri, ct, calls; used by task auto-assignment"),
		field.Time("disabled_at").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("Set while the person may not act at this location; their other locations are not affected"),
	}
}

// Edges of the Membership.
func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Membership.
func (Membership) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id", "location_id").Unique()}
}

// Annotations of the Membership.
func (Membership) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
