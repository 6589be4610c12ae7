package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
)

// ImportReportPart is one batch of an ImportJob's report: the outcomes of
// the rows [first, first+len(rows)) of the file, written once in the
// batch's transaction. The report lives here rather than in the job row
// because the job row was rewritten whole with every batch (O(rows²)
// bytes: 200 MB of JSON for a 50,000-row file); a part is appended and
// never changed. The job's report is its parts in order of first (after
// the job row's own report, which jobs of earlier versions hold).
type ImportReportPart struct{ ent.Schema }

// Fields of the ImportReportPart.
func (ImportReportPart) Fields() []ent.Field {
	return []ent.Field{
		field.String("job_id").GoType(pulid.ID("")).Immutable(),
		field.Int("first").NonNegative().Immutable().Comment("Index of the batch's first row among the file's rows (0-based)"),
		field.JSON("rows", []types.ImportRow{}).Immutable(),
	}
}

// Indexes of the ImportReportPart: a job's parts in order.
func (ImportReportPart) Indexes() []ent.Index {
	return []ent.Index{index.Fields("job_id", "first").Unique()}
}

// Policy of the ImportReportPart: nobody reads or writes parts but the
// contacts service under the import-job capability (viewer.ImportJob),
// after the job they belong to was read (or claimed) through its own
// policy: location and contacts permission.
func (ImportReportPart) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}

// Annotations of the ImportReportPart: GraphQL shows them as the
// ImportJob's report.
func (ImportReportPart) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
