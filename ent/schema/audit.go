package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/rbac/entrule"
)

// AuditEntry is one entry of the HIPAA audit trail. Entries are numbered
// without gaps and chained: mac = HMAC-SHA256(key, prev_mac || canonical
// content), with a key kept outside the database, so an edited, inserted,
// deleted or reordered row is detected (internal/audit). The database
// refuses UPDATE and DELETE on the table (migration triggers), and only the
// audit writer, acting as the system, may insert.
type AuditEntry struct{ ent.Schema }

// Fields of the AuditEntry.
func (AuditEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("id").Immutable().Comment("Sequence number: the previous entry's plus one"),
		field.Time("at").Default(time.Now).Immutable(),
		field.String("user_id").Default("").Immutable(),
		field.String("email").Default("").Immutable(),
		field.String("location_id").Default("").Immutable(),
		field.String("action").Immutable().Comment("request, create, update, delete, sign_in, sign_out, denied, export, …"),
		field.String("resource_type").Default("").Immutable(),
		field.String("resource_id").Default("").Immutable(),
		field.String("operation").Default("").Immutable().Comment("GraphQL operation name or route"),
		field.String("method").Default("").Immutable(),
		field.String("path").Default("").Immutable(),
		field.String("ip").Default("").Immutable(),
		field.String("user_agent").Default("").Immutable(),
		field.Int("status").Default(0).Immutable(),
		field.Int("latency_ms").Default(0).Immutable(),
		field.Bool("phi").Default(false).Immutable().Comment("Whether protected health information was touched"),
		field.String("body_sha256").Default("").Immutable().Comment("SHA-256 of the request body; the body itself is never stored"),
		field.String("detail").Default("").Immutable(),
		field.String("prev_mac").Immutable(),
		field.String("mac").Immutable(),
	}
}

// Indexes of the AuditEntry.
func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "at"),
		index.Fields("user_id", "at"),
		index.Fields("resource_type", "resource_id"),
	}
}

// Policy of the AuditEntry: admins read their location's trail; nobody
// writes but the audit writer (system context).
func (AuditEntry) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			entrule.DenyIfNoViewer(),
			entrule.QueryPermission(rbac.Audit, ""),
			entrule.FilterToLocation(),
		},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// Annotations of the AuditEntry.
func (AuditEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
