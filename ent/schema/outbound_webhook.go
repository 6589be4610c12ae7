package schema

import (
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

// WebhookSubscription is an integrator's endpoint at one location: the URL
// the CRM posts Standard Webhooks to (internal/webhooks), the event types it
// wants, the signing secret (and, for a grace period after a rotation, the
// previous one: both sign), whether payloads may carry names and contact
// details (include_pii), and its health: consecutive failed attempts,
// since when it has been failing, and why it was disabled.
type WebhookSubscription struct{ ent.Schema }

// Mixin of the WebhookSubscription.
func (WebhookSubscription) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.WebhookSubscription, "webhook_subscriptions"), TimeMixin{}, TenantMixin{Read: rbac.Settings, Write: rbac.Settings}}
}

// Fields of the WebhookSubscription.
func (WebhookSubscription) Fields() []ent.Field {
	return []ent.Field{
		field.String("url").NotEmpty().MaxLen(2000),
		field.String("description").Default("").MaxLen(200),
		field.Strings("event_types").Comment("Event types delivered (contact.created, booking.cancelled, …)"),
		// Stored, not hashed: the CRM signs with it. Never shown again
		// after creation or rotation.
		field.String("secret").Sensitive().NotEmpty().MaxLen(200).Comment("whsec_ + base64 of the key"),
		field.String("previous_secret").Optional().Nillable().Sensitive().MaxLen(200).
			Comment("The secret before the last rotation; signs too until previous_secret_expires_at"),
		field.Time("previous_secret_expires_at").Optional().Nillable(),
		field.Bool("enabled").Default(true),
		field.Bool("include_pii").Default(false).
			Comment("Payloads carry names, phones and emails; off: IDs and changed field names only"),
		field.Int("failure_count").Default(0).NonNegative().Comment("Failed attempts since the last success"),
		field.Time("failing_since").Optional().Nillable().Comment("The first failed attempt since the last success"),
		field.String("disabled_reason").Default("").MaxLen(300),
		field.Time("disabled_at").Optional().Nillable(),
		field.Time("last_success_at").Optional().Nillable(),
	}
}

// Edges of the WebhookSubscription.
func (WebhookSubscription) Edges() []ent.Edge {
	return []ent.Edge{edge.From("deliveries", WebhookDelivery.Type).Ref("subscription")}
}

// Indexes of the WebhookSubscription.
func (WebhookSubscription) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "enabled")}
}

// Annotations of the WebhookSubscription: GraphQL types are hand-written
// (graph/webhooks.graphql) so the secrets never reach the schema.
func (WebhookSubscription) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// WebhookDeliveryStatuses: pending (its job will try, or is retrying),
// delivered (a 2xx), failed (out of attempts, or its subscription was
// disabled or deleted).
var WebhookDeliveryStatuses = []string{"pending", "delivered", "failed"}

// WebhookDelivery is one message to one subscription: the body sent (the
// same bytes on every attempt, so its webhook-id and signature stay
// valid), and the outcome of the latest attempt.
type WebhookDelivery struct{ ent.Schema }

// Mixin of the WebhookDelivery.
func (WebhookDelivery) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.WebhookDelivery, "webhook_deliveries"), TimeMixin{}, TenantMixin{Read: rbac.Settings, Write: rbac.Settings}}
}

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.String("subscription_id").GoType(pulid.ID("")).Immutable(),
		field.String("event_type").NotEmpty().MaxLen(80).Immutable(),
		field.String("source_event_id").NotEmpty().MaxLen(80).Immutable().
			Comment("The domain event delivered (evt_…), or test_… for a test: one delivery per subscription and event"),
		field.Text("payload").Immutable().Comment("The JSON body, as signed"),
		field.Enum("status").Values(WebhookDeliveryStatuses...).Default("pending"),
		field.Int("attempts").Default(0).NonNegative(),
		field.Int("response_code").Optional().Nillable(),
		field.Int("duration_ms").Default(0).NonNegative(),
		field.String("error").Default("").MaxLen(500),
		field.Time("last_attempt_at").Optional().Nillable(),
		field.Time("next_attempt_at").Optional().Nillable(),
		field.Time("delivered_at").Optional().Nillable(),
	}
}

// Edges of the WebhookDelivery.
func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("subscription", WebhookSubscription.Type).Field("subscription_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the WebhookDelivery.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("subscription_id", "source_event_id").Unique(),
		index.Fields("location_id", "created_at"),
		index.Fields("subscription_id", "created_at"),
	}
}

// Annotations of the WebhookDelivery.
func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
