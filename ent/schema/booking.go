package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	entsql "entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// BookingStatuses are the states of a booking.
var BookingStatuses = []string{"pending", "confirmed", "completed", "cancelled", "no_show"}

// Booking is an appointment of a contact for a service at a location.
type Booking struct{ ent.Schema }

// Mixin of the Booking.
func (Booking) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Booking, "bookings"), TimeMixin{}, TenantMixin{Read: rbac.Bookings, Write: rbac.Bookings}}
}

// Fields of the Booking.
func (Booking) Fields() []ent.Field {
	skipInput := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.String("contact_id").GoType(pulid.ID("")),
		field.String("service_id").GoType(pulid.ID("")),
		field.String("staff_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The staff member assigned to the appointment"),
		field.Time("starts_at").Comment("UTC").
			Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at").Comment("UTC"),
		field.Enum("status").Values(BookingStatuses...).Default("pending").
			Annotations(entgql.Type("BookingStatus")),
		field.Enum("source").Values("wix", "manual", "api").Default("manual").
			Annotations(entgql.Type("BookingSource")),
		field.String("external_id").Optional().Nillable().MaxLen(120).
			Comment("The booking's id in the system it came from, e.g. Wix"),
		field.String("cancel_reason").Optional().Nillable().MaxLen(500).
			Annotations(skipInput),
		field.Time("confirmed_at").Optional().Nillable().Annotations(skipInput),
		field.Time("cancelled_at").Optional().Nillable().Annotations(skipInput),
		field.Time("completed_at").Optional().Nillable().Annotations(skipInput),
		field.Int("price_cents").Default(0).NonNegative(),
		field.Text("notes").Default(""),
	}
}

// Edges of the Booking.
func (Booking) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("contact", Contact.Type).Field("contact_id").Unique().Required().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("service", Service.Type).Field("service_id").Unique().Required(),
		edge.To("staff", User.Type).Field("staff_id").Unique(),
		edge.From("tasks", Task.Type).Ref("booking").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("events", BookingEvent.Type).Ref("booking").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the Booking.
func (Booking) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "starts_at"),
		index.Fields("contact_id", "starts_at"),
		index.Fields("location_id", "source", "external_id").Unique(),
		// The funnel's steps per lead: the first booking made and the
		// first completed one, each one seek (MIN of the last column).
		index.Fields("contact_id", "created_at"),
		index.Fields("contact_id", "status", "starts_at"),
		// The reports' scans (internal/reports): every column a no-show or
		// revenue aggregate reads, so a year of bookings is read from the
		// index alone, in order, instead of one table row per booking.
		index.Fields("location_id", "starts_at", "status", "contact_id", "service_id", "created_at", "confirmed_at", "staff_id", "price_cents"),
	}
}

// Annotations of the Booking.
func (Booking) Annotations() []schema.Annotation {
	return []schema.Annotation{
		queryField("", rbac.Bookings),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
