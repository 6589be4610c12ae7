package schema

import (
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/rbac/entrule"
)

// User is a person who signs in: staff, clinicians, managers, admins.
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.User, "users"), TimeMixin{}}
}

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").NotEmpty().MaxLen(254).Unique().
			Validate(func(s string) error {
				if s != strings.ToLower(strings.TrimSpace(s)) || !strings.Contains(s, "@") {
					return errInvalidEmail
				}
				return nil
			}).
			Annotations(entgql.OrderField("EMAIL")),
		field.String("name").Default("").MaxLen(120).
			Annotations(entgql.OrderField("NAME")),
		field.Enum("status").Values("active", "invited", "disabled").Default("active").
			Annotations(entgql.Type("UserStatus")),
		field.String("oidc_subject").Optional().Nillable().Unique().Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("invited_at").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("last_seen_at").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("default_location_id").GoType(pulid.ID("")).Optional().Nillable(),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("default_location", Location.Type).Field("default_location_id").Unique(),
		edge.From("memberships", Membership.Type).Ref("user").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Annotations of the User.
func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		queryField("", rbac.Users),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// Policy of the User: members of a location see each other; changing users
// needs the users permission and reaches only members of the active location.
func (User) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{entrule.DenyIfNoViewer(), entrule.QueryPermission(rbac.Users, ""), entrule.FilterUsersOfLocation()},
		Mutation: privacy.MutationPolicy{
			entrule.DenyIfNoViewer(),
			entrule.MutationPermission(rbac.Users, ""),
			privacy.OnMutationOperation(entrule.FilterUsersOfLocation(), ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne),
		},
	}
}
