package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// WixService maps a Wix Bookings service id to one of the location's
// services (internal/wix): a Wix booking of a service with no mapping
// becomes a task for staff instead of a booking. Edited on the admin
// integrations page (settings:update).
type WixService struct{ ent.Schema }

// Mixin of the WixService.
func (WixService) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.WixService, "wix_services"), TimeMixin{}, TenantMixin{Read: rbac.Settings, Write: rbac.Settings}}
}

// Fields of the WixService.
func (WixService) Fields() []ent.Field {
	return []ent.Field{
		field.String("wix_service_id").NotEmpty().MaxLen(100).Comment("Wix's service id (a GUID)"),
		field.String("wix_name").Default("").MaxLen(200).Comment("What Wix calls it, for the admin page"),
		// No edge: a foreign key would make SQLite rebuild services' table
		// on schema changes, and the service is checked on write.
		field.String("service_id").GoType(pulid.ID("")).Comment("Our service"),
	}
}

// Indexes of the WixService.
func (WixService) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "wix_service_id").Unique()}
}

// Annotations of the WixService: GraphQL types in graph/inbound.graphql.
func (WixService) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// StaffAlertStatuses: pending (its send job waits), sent (Slack took it),
// outbox (no Slack webhook configured: stored and shown, nothing sent),
// failed (Slack refused it for good).
var StaffAlertStatuses = []string{"pending", "sent", "outbox", "failed"}

// StaffAlert is a message to staff about something that needs a person
// (internal/alert): a webhook event failing again and again, a dead
// letter. Sent to Slack's incoming webhook when configured; otherwise the
// row is the outbox, shown on the admin events page.
type StaffAlert struct{ ent.Schema }

// Mixin of the StaffAlert.
func (StaffAlert) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.StaffAlert, "staff_alerts"), TenantMixin{Read: rbac.Settings, Write: rbac.Settings}}
}

// Fields of the StaffAlert.
func (StaffAlert) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(time.Now).Immutable(),
		field.String("topic").NotEmpty().MaxLen(60).Immutable().Comment("what it is about: webhook.failing, webhook.dead, …"),
		field.String("subject").Default("").MaxLen(200).Immutable().Comment("the ID of what it is about (a webhook event)"),
		field.Text("text").Immutable().Comment("the message, without patient data"),
		field.Enum("status").Values(StaffAlertStatuses...).Default("pending"),
		field.String("channel").Default("").MaxLen(40).Comment("slack or outbox"),
		field.String("last_error").Default("").MaxLen(500),
		field.Time("sent_at").Optional().Nillable(),
	}
}

// Indexes of the StaffAlert.
func (StaffAlert) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "created_at"),
		index.Fields("location_id", "topic", "subject").Unique(),
	}
}

// Annotations of the StaffAlert.
func (StaffAlert) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
