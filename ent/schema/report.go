package schema

import (
	"context"
	"errors"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// The reports' entities (issue 18, internal/reports). None is an ent
// GraphQL type: graph/reports.graphql states the API and internal/reports
// shapes it, so a stored JSON result is read back as the same typed result.

// ReportSchedules are how often a saved report runs by itself.
var ReportSchedules = []string{"none", "daily", "weekly", "monthly"}

// SavedReport is a report request saved with a name, run now or on a
// schedule. Its request is stored as the JSON of reports.Request, with a
// named period kept by name so "last month" stays last month.
type SavedReport struct{ ent.Schema }

// Mixin of the SavedReport.
func (SavedReport) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.SavedReport, "saved_reports"), TimeMixin{},
		TenantMixin{Read: rbac.Reports, Write: rbac.Reports, WriteAs: rbac.Manage}}
}

// Fields of the SavedReport.
func (SavedReport) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(120),
		field.String("kind").NotEmpty().MaxLen(40),
		field.Text("request").Comment("JSON of reports.Request"),
		field.Enum("schedule").Values(ReportSchedules...).Default("none"),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.Time("last_run_at").Optional().Nillable(),
	}
}

// Indexes of the SavedReport.
func (SavedReport) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "name")}
}

// Annotations of the SavedReport.
func (SavedReport) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// ReportRun is one run of a report: the request with its dates fixed, the
// result and the insights, as JSON. Runs are immutable, so last month's
// report reads the same next year.
type ReportRun struct{ ent.Schema }

// Mixin of the ReportRun.
func (ReportRun) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.ReportRun, "report_runs"),
		TenantMixin{Read: rbac.Reports, Write: rbac.Reports, WriteAs: rbac.Read}}
}

// Fields of the ReportRun.
func (ReportRun) Fields() []ent.Field {
	return []ent.Field{
		field.String("report_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Comment("The saved report; nil for a run of an unsaved request"),
		field.String("kind").NotEmpty().MaxLen(40).Immutable(),
		field.Enum("trigger").Values("manual", "schedule").Default("manual").Immutable(),
		field.String("ran_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.Time("ran_at").Default(time.Now).Immutable(),
		field.String("period_key").Default("").MaxLen(40).Immutable().
			Comment("The schedule's period (2026-W11); unique with report_id so a rerun stores nothing twice"),
		field.Text("request").Immutable().Comment("JSON of reports.Request with its dates fixed"),
		field.Text("result").Immutable().Comment("JSON of reports.Result, insights included"),
	}
}

// Indexes of the ReportRun.
func (ReportRun) Indexes() []ent.Index {
	return []ent.Index{index.Fields("report_id", "ran_at"), index.Fields("report_id", "period_key").Unique()}
}

// Hooks of the ReportRun: a run, once stored, never changes.
func (ReportRun) Hooks() []ent.Hook {
	return []ent.Hook{immutable("report run")}
}

// Annotations of the ReportRun.
func (ReportRun) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// WarmnessSnapshot is a contact's warmness band on a day (in the
// location's zone), written by the warmness schedule only when the band
// differs from the contact's latest snapshot: the band on any day is the
// latest snapshot at or before it. The warmness trends read it.
type WarmnessSnapshot struct{ ent.Schema }

// Mixin of the WarmnessSnapshot.
func (WarmnessSnapshot) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.WarmnessSnapshot, "warmness_snapshots"),
		TenantMixin{Read: rbac.Contacts, Write: rbac.Contacts, NoIndex: true}}
}

// Fields of the WarmnessSnapshot.
func (WarmnessSnapshot) Fields() []ent.Field {
	return []ent.Field{
		field.String("contact_id").GoType(pulid.ID("")).Immutable(),
		field.String("day").MinLen(10).MaxLen(10).Immutable().Comment("YYYY-MM-DD in the location's zone"),
		field.Int("score").Range(0, 100).Immutable(),
		field.Int("band").Range(0, 4).Immutable().Comment("0: 0–20, 1: 21–40, 2: 41–60, 3: 61–80, 4: 81–100"),
	}
}

// Indexes of the WarmnessSnapshot.
func (WarmnessSnapshot) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("contact_id", "day").Unique(),
		// The warmness report reads a location's snapshots contact by
		// contact, in day order, from this index alone (no sort).
		index.Fields("location_id", "contact_id", "day", "band"),
	}
}

// Annotations of the WarmnessSnapshot.
func (WarmnessSnapshot) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// AdSpend is what a location spent on advertising from one lead source in
// one month, entered by a manager: the revenue report's cost per booked
// patient and return on spend.
type AdSpend struct{ ent.Schema }

// Mixin of the AdSpend.
func (AdSpend) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.AdSpend, "ad_spends"), TimeMixin{},
		TenantMixin{Read: rbac.Reports, Write: rbac.Reports, WriteAs: rbac.Manage}}
}

// Fields of the AdSpend.
func (AdSpend) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("source").Values(LeadSources...),
		field.String("month").MinLen(7).MaxLen(7).Comment("YYYY-MM"),
		field.Int64("cents").NonNegative(),
	}
}

// Indexes of the AdSpend.
func (AdSpend) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "source", "month").Unique()}
}

// Annotations of the AdSpend.
func (AdSpend) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// ReportSubscription is a member's choice to get the Monday summary email
// of a location.
type ReportSubscription struct{ ent.Schema }

// Mixin of the ReportSubscription.
func (ReportSubscription) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.ReportSubscription, "report_subscriptions"), TimeMixin{},
		TenantMixin{Read: rbac.Reports, Write: rbac.Reports, WriteAs: rbac.Manage}}
}

// Fields of the ReportSubscription.
func (ReportSubscription) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").GoType(pulid.ID("")).Immutable(),
		field.Bool("weekly").Default(false),
	}
}

// Indexes of the ReportSubscription.
func (ReportSubscription) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "user_id").Unique()}
}

// Annotations of the ReportSubscription.
func (ReportSubscription) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// ReportEmail is a report email sent, or stored to be shown when no email
// provider is configured (the outbox): the Monday summary. Its key is
// unique per location, so running the schedule twice sends once.
type ReportEmail struct{ ent.Schema }

// Mixin of the ReportEmail.
func (ReportEmail) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.ReportEmail, "report_emails"), TimeMixin{},
		TenantMixin{Read: rbac.Reports, Write: rbac.Reports, WriteAs: rbac.Manage}}
}

// Fields of the ReportEmail.
func (ReportEmail) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").NotEmpty().MaxLen(200).Immutable().Comment("weekly-summary:<week>:<user>"),
		field.String("user_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.String("to").MaxLen(254).Immutable(),
		field.String("subject").MaxLen(300).Immutable(),
		field.Text("html").Immutable(),
		field.Text("text").Immutable(),
		field.String("provider").Default("outbox").MaxLen(40),
		field.Enum("status").Values("stored", "sent", "failed").Default("stored"),
		field.String("error").Default("").MaxLen(500),
		field.Time("sent_at").Optional().Nillable(),
	}
}

// Indexes of the ReportEmail.
func (ReportEmail) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "key").Unique()}
}

// Annotations of the ReportEmail.
func (ReportEmail) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// immutable refuses updates and deletes of an entity whose rows are a
// record (a report run).
func immutable(what string) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !m.Op().Is(ent.OpCreate) {
				return nil, errors.New(what + " is immutable")
			}
			return next.Mutate(ctx, m)
		})
	}
}
