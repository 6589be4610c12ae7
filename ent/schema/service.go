package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// Service is an item of the clinic's catalogue: an MRI of the knee, a CT of
// the chest, an ultrasound.
type Service struct{ ent.Schema }

// Mixin of the Service.
func (Service) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Service, "services"), TimeMixin{}, TenantMixin{Write: rbac.Settings}}
}

// Fields of the Service.
func (Service) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(120).
			Annotations(entgql.OrderField("NAME")),
		field.Enum("modality").Values("mri", "ct", "xray", "ultrasound", "mammography", "dexa", "nuclear", "other").
			Default("other").
			Annotations(entgql.Type("Modality")),
		field.String("resource").Default("").MaxLen(60).
			Comment("The machine or room the service occupies (e.g. MRI-1); two bookings of one resource cannot overlap"),
		field.Int("duration_minutes").Positive().Max(8 * 60),
		field.Int("price_cents").NonNegative().
			Annotations(entgql.OrderField("PRICE")),
		field.Int("recall_months").Default(0).NonNegative().Max(120).
			Comment("Months after a completed booking to recall the patient; 0 for none"),
		field.Bool("active").Default(true),
		field.Text("description").Default(""),
		// New fields go last (SQLite adds columns only at the end).
		field.Int("reminder_hours").Default(24).Range(3, 14*24).
			Comment("When the first reminder goes before a booking: 24 is the same local time the day before; a multiple of 24 that many local days before; other values that many hours before (the 2-hour reminder follows either way)"),
	}
}

// Indexes of the Service.
func (Service) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "name").Unique()}
}

// Annotations of the Service.
func (Service) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
