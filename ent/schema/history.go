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
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// StageChange records a contact moving between pipeline stages: the
// contact's timeline and the stage analytics (conversion, time in stage)
// are read from it.
type StageChange struct{ ent.Schema }

// Mixin of the StageChange.
func (StageChange) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.StageChange, "stage_changes"), TenantMixin{Read: rbac.Contacts, Write: rbac.Contacts}}
}

// Fields of the StageChange.
func (StageChange) Fields() []ent.Field {
	return []ent.Field{
		field.String("contact_id").GoType(pulid.ID("")).Immutable(),
		field.Enum("from_pipeline").Values(Pipelines...).Optional().Nillable().Immutable().Annotations(entgql.Type("Pipeline"), entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("from_stage").Values(Stages...).Optional().Nillable().Immutable().Annotations(entgql.Type("Stage"), entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("to_pipeline").Values(Pipelines...).Immutable().Annotations(entgql.Type("Pipeline"), entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("to_stage").Values(Stages...).Immutable().Annotations(entgql.Type("Stage"), entgql.Skip(entgql.SkipWhereInput)),
		field.Time("at").Default(time.Now).Immutable().Annotations(entgql.OrderField("AT")),
		field.String("actor_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		field.String("reason").Default("").MaxLen(300).Immutable(),
	}
}

// Edges of the StageChange.
func (StageChange) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("contact", Contact.Type).Field("contact_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("actor", User.Type).Field("actor_id").Unique().Immutable(),
	}
}

// Indexes of the StageChange.
func (StageChange) Indexes() []ent.Index {
	return []ent.Index{
		// A contact's moves in time order, with every column the stage
		// report reads (internal/reports): one ordered scan, no row read.
		index.Fields("contact_id", "at", "from_stage", "to_stage", "location_id"),
		index.Fields("location_id", "to_stage", "at"),
		// The contacts who moved at a location in a period (reports).
		index.Fields("location_id", "at", "contact_id"),
		// The funnel's first move out of new_lead per lead: one seek.
		index.Fields("contact_id", "from_stage", "at"),
	}
}

// Annotations of the StageChange.
func (StageChange) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), queryField("stageChanges", rbac.Contacts)}
}

// BookingEventKinds are what can happen to a booking.
var BookingEventKinds = []string{"created", "confirmed", "rescheduled", "cancelled", "completed", "no_show", "updated"}

// BookingEvent is one step in a booking's history: created, confirmed,
// rescheduled (with the earlier times), cancelled (with the reason), …
type BookingEvent struct{ ent.Schema }

// Mixin of the BookingEvent.
func (BookingEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.BookingEvent, "booking_events"), TenantMixin{Read: rbac.Bookings, Write: rbac.Bookings}}
}

// Fields of the BookingEvent.
func (BookingEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("booking_id").GoType(pulid.ID("")).Immutable(),
		field.Enum("kind").Values(BookingEventKinds...).Immutable().Annotations(entgql.Type("BookingEventKind")),
		field.Time("at").Default(time.Now).Immutable().Annotations(entgql.OrderField("AT")),
		field.Time("from_starts_at").Optional().Nillable().Immutable(),
		field.Time("from_ends_at").Optional().Nillable().Immutable(),
		field.Time("to_starts_at").Optional().Nillable().Immutable(),
		field.Time("to_ends_at").Optional().Nillable().Immutable(),
		field.String("reason").Default("").MaxLen(500).Immutable(),
		field.String("actor_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
		// No edge (no foreign key): SQLite would rebuild the table to add one.
		field.String("message_id").GoType(pulid.ID("")).Optional().Nillable().Immutable().
			Comment("The patient's SMS that caused the change (two-way SMS), or the one whose change it undoes").
			Annotations(entgql.Type("ID")),
	}
}

// Edges of the BookingEvent.
func (BookingEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("booking", Booking.Type).Field("booking_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("actor", User.Type).Field("actor_id").Unique().Immutable(),
	}
}

// Indexes of the BookingEvent.
func (BookingEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("booking_id", "at")}
}

// Annotations of the BookingEvent.
func (BookingEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// TaskEventKinds are what can happen to a task.
var TaskEventKinds = []string{"created", "assigned", "auto_assigned", "status", "priority", "updated"}

// TaskEvent is one step in a task's history, e.g. why auto-assignment chose
// its assignee.
type TaskEvent struct{ ent.Schema }

// Mixin of the TaskEvent.
func (TaskEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.TaskEvent, "task_events"), TenantMixin{Read: rbac.Tasks, Write: rbac.Tasks}}
}

// Fields of the TaskEvent.
func (TaskEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("task_id").GoType(pulid.ID("")).Immutable(),
		field.Enum("kind").Values(TaskEventKinds...).Immutable().Annotations(entgql.Type("TaskEventKind")),
		field.Time("at").Default(time.Now).Immutable().Annotations(entgql.OrderField("AT")),
		field.String("detail").Default("").MaxLen(1000).Immutable(),
		field.String("actor_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
	}
}

// Edges of the TaskEvent.
func (TaskEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("task", Task.Type).Field("task_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("actor", User.Type).Field("actor_id").Unique().Immutable(),
	}
}

// Indexes of the TaskEvent.
func (TaskEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("task_id", "at")}
}

// Annotations of the TaskEvent.
func (TaskEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
