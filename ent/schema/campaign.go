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
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// CampaignStatuses are the states of an email campaign (internal/campaigns):
// draft → scheduled → sending → sent, with paused (resumable) and
// cancelled (final) on the way.
var CampaignStatuses = []string{"draft", "scheduled", "sending", "paused", "sent", "cancelled"}

// CampaignRecipientStatuses are the states of one contact in a campaign:
// queued (its send job waits), sent, bounced (the provider refused the
// address for good), failed (another permanent error), suppressed (never
// sent, with the reason: unsubscribed since, consent withdrawn, cancelled).
var CampaignRecipientStatuses = []string{"queued", "sent", "bounced", "failed", "suppressed"}

// CampaignEventKinds are what a recipient did, one row each time
// (analytics over time): opened the email (the pixel), clicked a link,
// unsubscribed.
var CampaignEventKinds = []string{"open", "click", "unsubscribe"}

// Campaign is an email campaign of a location: who it goes to (a saved
// filter), what it says (html/template bodies rendered per contact), from
// whom, and where it is in sending. Written by internal/campaigns only.
type Campaign struct{ ent.Schema }

// Mixin of the Campaign.
func (Campaign) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Campaign, "campaigns"), TimeMixin{}, TenantMixin{Read: rbac.Campaigns, Write: rbac.Campaigns}}
}

// Fields of the Campaign.
func (Campaign) Fields() []ent.Field {
	hidden := entgql.Skip(entgql.SkipAll)
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(120).
			Annotations(entgql.OrderField("NAME")),
		field.Text("goal").Default("").MaxLen(1000).
			Comment("What the campaign is for, in words (the draft engine reads it)"),
		field.JSON("audience", &types.CampaignAudience{}).Optional().
			Annotations(entgql.Type("CampaignAudience")),
		field.String("subject").Default("").MaxLen(200).
			Comment("A html/template text: {{.FirstName}} and the other variables"),
		field.Text("html_body").Default("").MaxLen(200_000).
			Comment("A html/template body, sanitised when saved"),
		field.Text("text_body").Default("").MaxLen(100_000).
			Comment("The plain-text part (a text/template body); made from the HTML when empty"),
		field.String("from_name").Default("").MaxLen(120),
		field.String("from_address").Default("").MaxLen(254).
			Comment("Empty: AVATARCRM_EMAIL_FROM"),
		field.Enum("status").Values(CampaignStatuses...).Default("draft").
			Annotations(entgql.Type("CampaignStatus"), entgql.OrderField("STATUS")),
		field.String("status_note").Default("").MaxLen(500).
			Comment("Why the campaign is where it is, in words: the daily quota reached, the provider refusing, …"),
		field.Time("scheduled_at").Optional().Nillable().
			Comment("When sending starts (UTC; chosen in the location's zone)").
			Annotations(entgql.OrderField("SCHEDULED_AT")),
		field.Time("started_at").Optional().Nillable(),
		field.Time("finished_at").Optional().Nillable().
			Comment("When the last recipient was sent, or the campaign cancelled"),
		field.Strings("links").Optional().
			Comment("The URLs of the HTML body in order: a click token names an index into this list"),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().
			Annotations(entgql.Type("ID")),
		field.Int("recipient_count").Default(0).NonNegative().
			Comment("Recipients queued when sending started"),
		field.Time("send_after").Optional().Nillable().
			Comment("Batches wait until then (the daily quota, a pause's resume)").
			Annotations(hidden),
		field.Int("round").Default(0).NonNegative().
			Comment("Incremented by each resume: send jobs of an earlier round stop").
			Annotations(hidden),
	}
}

// Edges of the Campaign.
func (Campaign) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("recipients", CampaignRecipient.Type).Ref("campaign").
			Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the Campaign.
func (Campaign) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "created_at"),
		index.Fields("location_id", "status"),
	}
}

// Annotations of the Campaign: the campaigns query is hand-written
// (graph/campaigns.graphql).
func (Campaign) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// CampaignRecipient is one contact of a campaign: the address it went to,
// what became of it, and what the person did with it. One row per
// campaign × contact (unique), made when sending starts.
type CampaignRecipient struct{ ent.Schema }

// Mixin of the CampaignRecipient.
func (CampaignRecipient) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.CampaignRecipient, "campaign_recipients"), TimeMixin{}, TenantMixin{Read: rbac.Campaigns, Write: rbac.Campaigns}}
}

// Fields of the CampaignRecipient.
func (CampaignRecipient) Fields() []ent.Field {
	return []ent.Field{
		field.String("campaign_id").GoType(pulid.ID("")).Immutable(),
		field.String("contact_id").GoType(pulid.ID("")).Immutable(),
		field.String("address").NotEmpty().MaxLen(254),
		field.Enum("status").Values(CampaignRecipientStatuses...).Default("queued").
			Annotations(entgql.Type("CampaignRecipientStatus")),
		field.String("reason").Default("").MaxLen(500).
			Comment("Why it was suppressed, bounced or failed"),
		field.String("provider").Default("").MaxLen(40),
		field.String("account").Optional().MaxLen(254).
			Comment("The sending account (a Gmail mailbox, an SMTP login): its daily quota counts the emails sent through it from every location"),
		field.String("provider_message_id").Optional().Nillable().MaxLen(200),
		field.String("message_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The Message row (channel email) that records the send").
			Annotations(entgql.Type("ID")),
		field.Time("sent_at").Optional().Nillable().
			Annotations(entgql.OrderField("SENT_AT")),
		field.Time("first_opened_at").Optional().Nillable(),
		field.Int("open_count").Default(0).NonNegative(),
		field.Time("first_clicked_at").Optional().Nillable(),
		field.Int("click_count").Default(0).NonNegative(),
		field.Time("unsubscribed_at").Optional().Nillable(),
		field.Int("attempts").Default(0).NonNegative().
			Comment("Send attempts (a rate limit backs off and tries again)"),
		field.Time("claimed_until").Optional().Nillable().
			Comment("A send job holds the recipient until then: no second job sends it meanwhile").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the CampaignRecipient.
func (CampaignRecipient) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("campaign", Campaign.Type).Field("campaign_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("contact", Contact.Type).Field("contact_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the CampaignRecipient.
func (CampaignRecipient) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("campaign_id", "contact_id").Unique(),
		index.Fields("campaign_id", "status"),
		index.Fields("contact_id", "created_at"),
		index.Fields("account", "sent_at"),
	}
}

// Annotations of the CampaignRecipient.
func (CampaignRecipient) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// CampaignEvent is one thing a recipient did with a campaign's email:
// opened it, clicked a link (its index in the campaign's links),
// unsubscribed. Written by the tracking handlers (no login); the analytics
// count and bucket them.
type CampaignEvent struct{ ent.Schema }

// Mixin of the CampaignEvent.
func (CampaignEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.CampaignEvent, "campaign_events"), TenantMixin{Read: rbac.Campaigns, Write: rbac.Campaigns}}
}

// Fields of the CampaignEvent.
func (CampaignEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("campaign_id").GoType(pulid.ID("")).Immutable(),
		field.String("recipient_id").GoType(pulid.ID("")).Immutable(),
		field.Enum("kind").Values(CampaignEventKinds...).Immutable(),
		field.Int("link_index").Optional().Nillable().Immutable(),
		field.Time("occurred_at").Default(time.Now).Immutable(),
	}
}

// Edges of the CampaignEvent.
func (CampaignEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("campaign", Campaign.Type).Field("campaign_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("recipient", CampaignRecipient.Type).Field("recipient_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the CampaignEvent.
func (CampaignEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("campaign_id", "occurred_at"),
	}
}

// Annotations of the CampaignEvent.
func (CampaignEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
