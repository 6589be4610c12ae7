package schema

import (
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// Invitation asks a person, by email, to join a location with a role. It
// grants nothing until they accept it by signing in; it holds only what the
// inviting administrator typed, so it says nothing of whether an account
// with that email exists elsewhere.
type Invitation struct{ ent.Schema }

// Mixin of the Invitation.
func (Invitation) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Invitation, "invitations"), TimeMixin{}, TenantMixin{Read: rbac.Users, Write: rbac.Users}}
}

// Fields of the Invitation.
func (Invitation) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").NotEmpty().MaxLen(254).Immutable().
			Validate(func(s string) error {
				if s != strings.ToLower(strings.TrimSpace(s)) || !strings.Contains(s, "@") {
					return errInvalidEmail
				}
				return nil
			}),
		field.String("name").Default("").MaxLen(120).Immutable(),
		// The role, as membership.role spells it; GraphQL shows it as Role
		// (graph/admin.graphql).
		field.Enum("role").Values("admin", "manager", "staff", "viewer").Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("invited_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.Time("accepted_at").Optional().Nillable().
			Comment("When the person signed in and became a member; pending while empty"),
	}
}

// Edges of the Invitation.
func (Invitation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("invited_by", User.Type).Field("invited_by_id").Unique().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Invitation.
func (Invitation) Indexes() []ent.Index {
	// Sign-in looks invitations up by email, across locations.
	return []ent.Index{index.Fields("email")}
}

// Annotations of the Invitation.
func (Invitation) Annotations() []schema.Annotation {
	return []schema.Annotation{queryField("invitations", rbac.Users), entgql.RelayConnection()}
}
