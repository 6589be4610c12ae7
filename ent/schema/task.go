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

// TaskStatuses are the states of a task.
var TaskStatuses = []string{"pending", "in_progress", "completed", "cancelled"}

// TaskKinds are what a task is about.
var TaskKinds = []string{"general", "call", "follow_up", "no_show_follow_up", "results", "recall", "admin"}

// TaskPriorities are the priorities of a task, lowest first.
var TaskPriorities = []string{"low", "normal", "high", "urgent"}

// Task is a piece of work for staff: call a warm lead, chase a no-show.
type Task struct{ ent.Schema }

// Mixin of the Task.
func (Task) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Task, "tasks"), TimeMixin{}, TenantMixin{Read: rbac.Tasks, Write: rbac.Tasks, Own: "assignee_id"}}
}

// Fields of the Task.
func (Task) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").NotEmpty().MaxLen(200),
		field.Text("description").Default(""),
		field.String("contact_id").GoType(pulid.ID("")).Optional().Nillable(),
		field.String("booking_id").GoType(pulid.ID("")).Optional().Nillable(),
		field.String("assignee_id").GoType(pulid.ID("")).Optional().Nillable(),
		field.Enum("status").Values(TaskStatuses...).Default("pending").
			Annotations(entgql.Type("TaskStatus")),
		field.Enum("priority").Values(TaskPriorities...).Default("normal").
			Annotations(entgql.Type("TaskPriority")),
		field.Time("due_at").Optional().Nillable().
			Annotations(entgql.OrderField("DUE_AT")),
		field.Time("completed_at").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// New fields go last, nullable and without a database default:
		// Atlas adds such columns to SQLite in place, where it rebuilds the
		// table for NOT NULL or DEFAULT. The task hook fills them in on
		// create; a data migration filled the rows that existed before.
		field.Enum("kind").Values(TaskKinds...).Optional().
			Annotations(entgql.Type("TaskKind")),
		field.String("skill").Optional().Nillable().MaxLen(40).
			Comment("Skill the assignee needs, e.g. mri or calls; auto-assignment honours it"),
		field.Bool("priority_manual").Optional().
			Comment("Whether the priority was set by a person and must not be recomputed"),
		field.Int("priority_rank").Optional().
			Comment("0 low, 1 normal, 2 high, 3 urgent: sortable priority, kept in step by a hook").
			Annotations(entgql.OrderField("PRIORITY"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges of the Task.
func (Task) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("contact", Contact.Type).Field("contact_id").Unique(),
		edge.To("booking", Booking.Type).Field("booking_id").Unique(),
		edge.To("assignee", User.Type).Field("assignee_id").Unique(),
		edge.From("events", TaskEvent.Type).Ref("task").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the Task.
func (Task) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "status", "due_at"),
		index.Fields("assignee_id", "status"),
		index.Fields("location_id", "status", "priority_rank"),
	}
}

// Annotations of the Task.
func (Task) Annotations() []schema.Annotation {
	return []schema.Annotation{
		queryField("", rbac.Tasks),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
