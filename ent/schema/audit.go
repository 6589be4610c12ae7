package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
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
		// Hashes are stored as bytes (types.HexBlob); the Go value and the
		// canonical form keep the hex. prev_mac is not stored: it is the
		// previous entry's mac (internal/audit).
		field.String("body_sha256").Immutable().
			ValueScanner(types.HexBlob).SchemaType(blob).
			Comment("SHA-256 of the request body (empty without one); the body itself is never stored"),
		field.String("detail").Default("").Immutable(),
		field.String("mac").Immutable().ValueScanner(types.HexBlob).SchemaType(blob),
	}
}

// Indexes of the AuditEntry.
func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{
		// A location's trail newest first (Search, the admin page): on
		// SQLite the index ends with the rowid, which is id, so the order
		// comes from the index. Nothing queries by user_id.
		index.Fields("location_id"),
		// Not partial (WHERE resource_type <> ''), though request entries
		// name no resource: Atlas compares PostgreSQL's rendering of the
		// predicate, ((resource_type)::text <> ''::text), with the schema's
		// text, and SQLite cannot parse that form (docs/DECISIONS.md).
		index.Fields("resource_type", "resource_id"),
	}
}

// blob is the column type of hashes kept as bytes.
var blob = map[string]string{dialect.SQLite: "blob", dialect.Postgres: "bytea"}

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
