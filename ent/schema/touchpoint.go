package schema

import (
	"time"

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

// Touchpoint is one thing that happened with a contact: a message, a call, a
// note, a booking event, a web form.
type Touchpoint struct{ ent.Schema }

// Mixin of the Touchpoint.
func (Touchpoint) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Touchpoint, "touchpoints"), TimeMixin{}, TenantMixin{Read: rbac.Contacts, Write: rbac.Contacts}}
}

// Fields of the Touchpoint.
func (Touchpoint) Fields() []ent.Field {
	return []ent.Field{
		field.String("contact_id").GoType(pulid.ID("")),
		field.Enum("kind").
			Values("sms_in", "sms_out", "email_in", "email_out", "call_in", "call_out", "note", "booking_event", "web_form", "stage_change",
				// A campaign email's first open, each click, a bounce and an
				// unsubscribe (internal/campaigns writes them; staff do not
				// log them).
				"email_open", "email_click", "email_bounce", "email_unsub").
			Annotations(entgql.Type("TouchpointKind")),
		field.String("summary").NotEmpty().MaxLen(500),
		field.Time("occurred_at").Default(time.Now).
			Annotations(entgql.OrderField("OCCURRED_AT")),
		field.String("actor_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The user who did it, if a person did"),
		field.String("booking_id").GoType(pulid.ID("")).Optional().Nillable(),
	}
}

// Edges of the Touchpoint.
func (Touchpoint) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("contact", Contact.Type).Field("contact_id").Unique().Required().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("actor", User.Type).Field("actor_id").Unique(),
		edge.To("booking", Booking.Type).Field("booking_id").Unique(),
	}
}

// Indexes of the Touchpoint.
func (Touchpoint) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("contact_id", "occurred_at"),
		index.Fields("location_id", "occurred_at"),
	}
}

// Annotations of the Touchpoint.
func (Touchpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{
		queryField("", rbac.Contacts),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate()),
	}
}
