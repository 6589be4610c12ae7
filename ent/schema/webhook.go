package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// WebhookEventStatuses are the states of a stored webhook event: received
// (stored and acknowledged, its job pending), processed, failed (its job
// is retrying; last_error says why), ignored (nothing to do, e.g. a
// receipt for a message we never sent), dead (out of attempts: the dead
// letter, replayable), rejected (refused on arrival with a 4xx, e.g. an
// unknown event type or content type: kept as a record, never processed).
var WebhookEventStatuses = []string{"received", "processed", "failed", "ignored", "dead", "rejected"}

// WebhookEvent is one request an outside system sent to /hooks/..., stored
// as received before it is acknowledged (internal/hooks): the source
// (clicksend, later wix and manychat), the kind (inbound, receipt), the
// sender's event id it is deduplicated by, and the payload. Its processing
// job updates the status, attempts and last error.
type WebhookEvent struct{ ent.Schema }

// Mixin of the WebhookEvent.
func (WebhookEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.WebhookEvent, "webhook_events"), TenantMixin{Read: rbac.Settings, Write: rbac.Settings}}
}

// Fields of the WebhookEvent.
func (WebhookEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("source").NotEmpty().MaxLen(40).Immutable().Comment("clicksend, wix, manychat"),
		field.String("kind").NotEmpty().MaxLen(40).Immutable().Comment("inbound, receipt, …"),
		field.String("event_id").NotEmpty().MaxLen(200).Immutable().Comment("The sender's id, the deduplication key"),
		field.Text("payload").Immutable().Comment("The parsed request as JSON (form fields or the JSON body)"),
		field.Time("received_at").Default(time.Now).Immutable(),
		field.Enum("status").Values(WebhookEventStatuses...).Default("received"),
		field.Int("attempts").Default(0).NonNegative(),
		field.String("last_error").Default("").MaxLen(1000),
		field.Time("processed_at").Optional().Nillable(),
		field.Int("duplicates").Default(0).NonNegative().Comment("How many times the same event came again"),
		// New fields go last (SQLite adds columns only at the end).
		field.JSON("history", []types.WebhookAttempt{}).Optional().
			Comment("Every processing attempt: when, how long, the outcome and the error (the events page)"),
		field.String("event_type").Default("").MaxLen(120).Immutable().
			Comment("The sender's event type (wix.bookings.v2.booking_created); kind is what we do with it"),
	}
}

// Indexes of the WebhookEvent.
func (WebhookEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "source", "kind", "event_id").Unique(),
		index.Fields("location_id", "received_at"),
		index.Fields("location_id", "source", "status", "received_at"),
	}
}

// Annotations of the WebhookEvent.
func (WebhookEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
