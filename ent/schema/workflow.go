package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/rbac/entrule"
)

// CancelReason is one of a location's standard reasons for cancelling a
// booking, offered in the cancel dialog; free text is allowed too.
type CancelReason struct{ ent.Schema }

// Mixin of the CancelReason.
func (CancelReason) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.CancelReason, "cancel_reasons"), TimeMixin{}, TenantMixin{Write: rbac.Settings}}
}

// Fields of the CancelReason.
func (CancelReason) Fields() []ent.Field {
	return []ent.Field{
		field.String("label").NotEmpty().MaxLen(120),
		field.Int("position").Default(0),
		field.Bool("active").Default(true),
	}
}

// Indexes of the CancelReason.
func (CancelReason) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "label").Unique()}
}

// Annotations of the CancelReason.
func (CancelReason) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField("cancelReasons")}
}

// ImportJob is a CSV import of contacts: its column mapping, progress and
// the outcome of every row (imported, duplicate, invalid with the reason).
type ImportJob struct{ ent.Schema }

// Mixin of the ImportJob.
func (ImportJob) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.ImportJob, "import_jobs"), TimeMixin{}, TenantMixin{Read: rbac.Contacts, Write: rbac.Contacts}}
}

// Fields of the ImportJob.
func (ImportJob) Fields() []ent.Field {
	return []ent.Field{
		field.String("file_name").Default("").MaxLen(255),
		// staged: uploaded and previewed, waiting for its column mapping
		// (the file waits here, not in one server's memory).
		field.Enum("status").Values("pending", "running", "done", "failed", "staged").Default("pending").
			Annotations(entgql.Type("ImportStatus")),
		field.Bytes("content").Sensitive().Optional().
			Comment("The uploaded CSV, kept until the import finishes").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.JSON("mapping", map[string]string{}).Optional().
			Comment("CSV column → contact field").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("total_rows").Default(0),
		field.Int("processed").Default(0),
		field.Int("imported").Default(0),
		field.Int("duplicates").Default(0),
		field.Int("invalid").Default(0),
		// GraphQL's ImportJob.report is a field resolver (graph/contacts.graphql):
		// the report is this column (jobs of earlier versions) and the job's
		// ImportReportParts, read only when asked for.
		field.JSON("report", []types.ImportRow{}).Optional().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("error").Default(""),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Edges of the ImportJob.
func (ImportJob) Edges() []ent.Edge {
	return []ent.Edge{edge.To("created_by", User.Type).Field("created_by_id").Unique().Immutable()}
}

// Annotations of the ImportJob.
func (ImportJob) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}

// Event is a domain event for automation to act on (an outbox): e.g. a
// contact's warmness crossed 80. It is written in the transaction of the
// change that caused it, so no event is lost or invented.
type Event struct{ ent.Schema }

// Mixin of the Event.
func (Event) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Event, "events"), TenantMixin{Read: rbac.Automation, Write: rbac.Automation}}
}

// Fields of the Event.
func (Event) Fields() []ent.Field {
	return []ent.Field{
		field.String("type").NotEmpty().MaxLen(80).Immutable().Comment("e.g. contact.warm"),
		field.String("subject_id").Default("").Immutable(),
		field.JSON("payload", map[string]any{}).Optional().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("at").Default(time.Now).Immutable(),
		field.Time("processed_at").Optional().Nillable(),
	}
}

// Indexes of the Event.
func (Event) Indexes() []ent.Index {
	return []ent.Index{index.Fields("processed_at", "at"), index.Fields("location_id", "type", "at")}
}

// Annotations of the Event.
func (Event) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// SearchKey is a row of the contact search index: the normalised words of a
// contact (names, email, phone digits) and its phone number reversed, a few
// rows a contact. Typos are found through SearchWord, the location's
// dictionary of name words, and then read here by word; prefixes are a
// range scan over the words. Plain B-tree rows, so the same index works on
// SQLite and PostgreSQL.
type SearchKey struct{ ent.Schema }

// Fields of the SearchKey.
func (SearchKey) Fields() []ent.Field {
	return []ent.Field{
		// The contact's location as pulid.Fold of its ID: 8 bytes instead
		// of 30 in the row and again in the lookup index (44 of a key's
		// 330 bytes). Only compared, never read back.
		field.Int64("location").Immutable().Comment("pulid.Fold of the contact's location ID"),
		field.String("contact_id").GoType(pulid.ID("")).Immutable(),
		field.String("key").NotEmpty().MaxLen(120).Immutable(),
		field.Int8("kind").Default(0).Immutable().Comment("0 a word, 2 a phone's national number reversed (suffix search); 1 (a name word with one letter deleted) is no longer written: see SearchWord"),
		field.Int8("part").Default(0).Immutable().Comment("Which part of the contact: 0 first name, 1 last name, 2 email, 3 phone"),
		field.String("word").Default("").MaxLen(120).Immutable().Comment("For a phone suffix, the number the right way round"),
	}
}

// Edges of the SearchKey.
func (SearchKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("contact", Contact.Type).Field("contact_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the SearchKey. The lookup index holds every column a search
// reads, so a lookup reads neighbouring index entries only and never the
// table rows, which a contact-at-a-time writer (the create hook, the
// importer) scatters over the table: about half the CPU of a name search
// on a live database (docs/PERFORMANCE.md).
func (SearchKey) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location", "kind", "key", "part", "contact_id", "word").StorageKey("searchkey_lookup"),
		index.Fields("contact_id"),
	}
}

// Policy of the SearchKey: read within the viewer's location; written only by
// the contacts service, as the system.
func (SearchKey) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{entrule.DenyIfNoViewer(), entrule.QueryPermission(rbac.Contacts, ""), entrule.FilterToFoldedLocation("location")},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// Annotations of the SearchKey.
func (SearchKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// SearchWord is the typo dictionary of the contact search: for every
// distinct name word of a location, a row keyed by the word itself and a
// row keyed by each of its one-letter deletions. A query word and its
// deletions meet these keys at one edit ("jhon" and "john" share "jon"),
// which gives the few words to read from SearchKey. The rows are per word,
// not per contact: 5,000 Smiths share six rows. Words are added by the
// search index's hook and never removed one by one (a word no contact has
// any more finds nothing in SearchKey); a Reindex of the location rebuilds
// them.
type SearchWord struct{ ent.Schema }

// Fields of the SearchWord.
func (SearchWord) Fields() []ent.Field {
	return []ent.Field{
		field.String("location_id").GoType(pulid.ID("")).Immutable(),
		field.String("key").NotEmpty().MaxLen(120).Immutable().Comment("The word, or the word with one letter deleted"),
		field.String("word").NotEmpty().MaxLen(120).Immutable(),
	}
}

// Indexes of the SearchWord: the unique index is the lookup (location and
// key) and holds the word, so a lookup never reads the table.
func (SearchWord) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "key", "word").Unique().StorageKey("searchword_lookup"),
	}
}

// Policy of the SearchWord: read within the viewer's location; written only
// by the search index, as the system.
func (SearchWord) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{entrule.DenyIfNoViewer(), entrule.QueryPermission(rbac.Contacts, ""), entrule.FilterToLocation()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// Annotations of the SearchWord.
func (SearchWord) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
