package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// Session is a signed-in browser. The cookie holds a random token; the
// database holds only its SHA-256, so a copy of the database cannot be used
// to sign in.
type Session struct{ ent.Schema }

// Mixin of the Session.
func (Session) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Session, "sessions")}
}

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.Bytes("token_hash").Unique().Sensitive().Immutable(),
		field.String("user_id").GoType(pulid.ID("")).Immutable(),
		field.String("location_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The active location chosen in this session"),
		field.Enum("method").Values("dev", "oidc").Immutable(),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("last_seen_at").Default(time.Now),
		field.Time("expires_at").Comment("Absolute end of the session"),
		field.String("ip").Default(""),
		field.String("user_agent").Default("").MaxLen(300),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id"), index.Fields("expires_at")}
}

// Policy of the Session: sessions are handled only by the auth package,
// acting as the system; no user query reaches them.
func (Session) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// Annotations of the Session.
func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
