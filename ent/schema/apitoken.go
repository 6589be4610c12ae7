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

// APIToken lets an integrator's script act as a user at one location. The
// token is shown once; only its SHA-256 is stored.
type APIToken struct{ ent.Schema }

// Mixin of the APIToken.
func (APIToken) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.APIToken, "api_tokens"), TimeMixin{}, TenantMixin{Read: rbac.APITokens, Write: rbac.APITokens}}
}

// Fields of the APIToken.
func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(100).Comment("What the token is for, e.g. Wix sync"),
		field.String("user_id").GoType(pulid.ID("")).Immutable().Comment("The token acts with this user's permissions"),
		field.Bytes("token_hash").Unique().Sensitive().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("hint").Immutable().Comment("The last characters of the token, to recognise it"),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
	}
}

// Edges of the APIToken.
func (APIToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable(),
		edge.To("created_by", User.Type).Field("created_by_id").Unique().Immutable(),
	}
}

// Indexes of the APIToken.
func (APIToken) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id")}
}

// Annotations of the APIToken.
func (APIToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), queryField("apiTokens", rbac.APITokens)}
}
