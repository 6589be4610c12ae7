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

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// AutomationRule is a location's rule: when an event of its trigger
// happens (contact.created, booking.completed, …) and its condition (an
// expr expression over the event, the contact and the booking) holds,
// after its delay, it runs its actions. internal/automation checks the
// condition and the actions on save and runs the rules.
type AutomationRule struct{ ent.Schema }

// Mixin of the AutomationRule.
func (AutomationRule) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.AutomationRule, "automation_rules"), TimeMixin{}, TenantMixin{Read: rbac.Automation, Write: rbac.Automation}}
}

// Fields of the AutomationRule.
func (AutomationRule) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(120),
		field.String("trigger").NotEmpty().MaxLen(80).Comment("An event type, e.g. contact.created"),
		field.Text("condition").Default("").Comment("An expr expression that must be true; empty is always"),
		field.Int("delay_seconds").Default(0).NonNegative(),
		field.JSON("actions", []types.AutomationAction{}),
		field.Bool("enabled").Default(true),
		field.String("default_key").Default("").MaxLen(40).
			Comment("Which seeded default rule this is (welcome, warm_call, …); empty for a rule an admin wrote"),
	}
}

// Edges of the AutomationRule.
func (AutomationRule) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("runs", AutomationRun.Type).Ref("rule"),
	}
}

// Indexes of the AutomationRule.
func (AutomationRule) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "trigger", "enabled")}
}

// Annotations of the AutomationRule.
func (AutomationRule) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// AutomationOutcomes are how a run of a rule ended.
var AutomationOutcomes = []string{"done", "skipped", "failed", "dry_run"}

// AutomationRun is one run of a rule for one event (or a dry run against a
// contact): what it did, or why it skipped, and any error. A rule runs at
// most once per event: (rule_id, event_id) is unique.
type AutomationRun struct{ ent.Schema }

// Mixin of the AutomationRun.
func (AutomationRun) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.AutomationRun, "automation_runs"), TenantMixin{Read: rbac.Automation, Write: rbac.Automation}}
}

// Fields of the AutomationRun.
func (AutomationRun) Fields() []ent.Field {
	return []ent.Field{
		field.String("rule_id").GoType(pulid.ID("")).Immutable(),
		field.String("event_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.String("event_type").Default("").MaxLen(80).Immutable(),
		field.String("contact_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.String("booking_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.Enum("outcome").Values(AutomationOutcomes...),
		field.Text("detail").Default("").Comment("What it did, or why it skipped"),
		field.JSON("steps", []types.AutomationStep{}).Optional(),
		field.Text("error").Default(""),
		field.Time("started_at").Default(time.Now).Immutable(),
		field.Time("finished_at").Optional().Nillable(),
	}
}

// Edges of the AutomationRun.
func (AutomationRun) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("rule", AutomationRule.Type).Field("rule_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the AutomationRun.
func (AutomationRun) Indexes() []ent.Index {
	return []ent.Index{
		// Once per rule and event, however often its job runs.
		index.Fields("rule_id", "event_id").Unique(),
		index.Fields("location_id", "contact_id", "started_at"),
		index.Fields("rule_id", "started_at"),
	}
}

// Annotations of the AutomationRun.
func (AutomationRun) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
