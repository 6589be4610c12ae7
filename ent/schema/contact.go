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

// LeadSources are where a contact first came from.
var LeadSources = []string{"meta_ads", "google_ads", "referral", "gp_referral", "wix", "manychat", "walk_in", "other", "sms", "website"}

// Pipelines a contact moves through.
var Pipelines = []string{"lead", "pre_appointment", "post_appointment", "partnership"}

// Stages of all pipelines, in pipeline order.
var Stages = []string{
	"new_lead", "contacted", "qualified", "booked", // lead
	"confirmed", "reminded", "ready", // pre_appointment
	"completed", "results_sent", "recalled", // post_appointment
	"referral_sent", "partnership_active", // partnership
}

// Contact is a lead or a patient.
type Contact struct{ ent.Schema }

// Mixin of the Contact.
func (Contact) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Contact, "contacts"), TimeMixin{}, TenantMixin{Read: rbac.Contacts, Write: rbac.Contacts, NoIndex: true}}
}

// Fields of the Contact.
func (Contact) Fields() []ent.Field {
	skipInput := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.String("first_name").NotEmpty().MaxLen(100).
			Annotations(entgql.OrderField("FIRST_NAME")),
		field.String("last_name").Default("").MaxLen(100).
			Annotations(entgql.OrderField("LAST_NAME")),
		field.String("phone").Optional().Nillable().MaxLen(20).
			Comment("E.164, e.g. +61412345678"),
		field.String("email").Optional().Nillable().MaxLen(254).
			Comment("Lower-cased"),
		field.String("date_of_birth").GoType(types.Date("")).Optional().Nillable().
			Annotations(entgql.Type("Date")),
		field.Enum("lead_source").Values(LeadSources...).Default("other").
			Annotations(entgql.Type("LeadSource")),
		field.String("referrer").Optional().Nillable().MaxLen(200).
			Comment("Who referred the contact: a GP practice, a patient, a partner"),
		field.Enum("pipeline").Values(Pipelines...).Default("lead").
			Annotations(entgql.Type("Pipeline")),
		field.Enum("stage").Values(Stages...).Default("new_lead").
			Annotations(entgql.Type("Stage"), entgql.OrderField("STAGE")),
		field.Time("stage_changed_at").Default(time.Now).
			Annotations(skipInput),
		field.Int("warmness").Default(0).Range(0, 100).
			Comment("0 cold to 100 hot; computed, see warmness_reasons").
			Annotations(entgql.OrderField("WARMNESS"), skipInput),
		field.JSON("warmness_reasons", []types.WarmnessReason{}).Optional().
			Annotations(entgql.Type("[WarmnessReason!]"), skipInput),
		field.Time("warmness_scored_at").Optional().Nillable().
			Annotations(skipInput),
		field.Strings("tags").Optional().Default([]string{}),
		field.Bool("sms_consent").Default(false),
		field.Bool("email_consent").Default(false),
		field.Text("notes").Default(""),
		field.String("assigned_to_id").GoType(pulid.ID("")).Optional().Nillable(),
		// New fields go last (SQLite adds columns only at the end).
		field.Time("archived_at").Optional().Nillable().
			Comment("Set when archived: hidden from lists, restorable").
			Annotations(skipInput),
		field.String("merged_into_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The contact this one was merged into; set on the archived duplicate").
			// No edge (and so no foreign key): SQLite would rebuild the
			// table to add one.
			Annotations(skipInput, entgql.Type("ID"), entgql.Skip(entgql.SkipWhereInput)),
		// What the contact's own words (its notes) ask for, read by the AI
		// layer when they are written (internal/aiwire, docs/AI.md): the
		// built-in engine in the change's transaction, a remote model's
		// refinement after the commit. Stored on the row itself so that
		// enriching a create costs no extra write.
		field.String("interested_service_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The catalogue service the contact's notes ask about; no edge, like merged_into_id").
			Annotations(skipInput, entgql.Type("ID"), entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("lead_intent").Values(LeadIntents...).Optional().Nillable().
			Comment("What the lead wants, read from its notes").
			Annotations(skipInput, entgql.Type("LeadIntent")),
		field.Enum("urgency").Values(Urgencies...).Optional().Nillable().
			Comment("How urgent the lead says it is, read from its notes").
			Annotations(skipInput, entgql.Type("Urgency")),
		field.JSON("enrichment", &types.ContactEnrichment{}).Optional().
			Comment("Which engine read the notes, how sure it was and why").
			Annotations(skipInput, entgql.Type("ContactEnrichment")),
		field.Time("sms_failed_at").Optional().Nillable().
			Comment("When an SMS to the phone failed permanently (a delivery receipt); cleared when the phone changes").
			Annotations(skipInput),
		field.String("sms_failed_reason").Optional().Nillable().MaxLen(200).
			Comment("The provider's reason for that failure").
			Annotations(skipInput),
		// Where a lead came from on the web (the website lead form's
		// utm_* fields, internal/leadform).
		field.String("utm_source").Optional().Nillable().MaxLen(200),
		field.String("utm_medium").Optional().Nillable().MaxLen(200),
		field.String("utm_campaign").Optional().Nillable().MaxLen(200),
		field.String("utm_term").Optional().Nillable().MaxLen(200),
		field.String("utm_content").Optional().Nillable().MaxLen(200),
		// Double opt-in: the SHA-256 of the token in the confirmation
		// email's link; clicking it sets email_consent and clears it.
		field.String("consent_token_hash").Optional().Nillable().Sensitive().MaxLen(64).
			Annotations(entgql.Skip(entgql.SkipAll)),
		// Reports (issue 18): revenue is attributed to the lead's source
		// and campaign.
		field.String("campaign").Optional().Nillable().MaxLen(120).
			Comment("The advertising campaign the lead came from (utm_campaign), for revenue attribution"),
		// Email campaigns (issue 17). An unsubscribe holds for every
		// future campaign until the person gives consent again (staff
		// setting email_consent clears it, internal/campaigns).
		field.Time("email_unsubscribed_at").Optional().Nillable().
			Comment("When the contact unsubscribed from marketing email (a campaign's link or one-click header)").
			Annotations(skipInput),
		field.Time("email_failed_at").Optional().Nillable().
			Comment("When an email to the address bounced permanently; cleared when the address changes").
			Annotations(skipInput),
		field.String("email_failed_reason").Optional().Nillable().MaxLen(200).
			Comment("The provider's reason for that bounce").
			Annotations(skipInput),
		// The warmness schedule rescores only contacts whose score can
		// have moved with the clock alone (internal/warmness, Due): at
		// 100,000 contacts rescoring all of them every 15 minutes held
		// SQLite's writer for 35 s. Null: nothing about the score
		// depends on the time (no contact from the patient, no booking
		// to come).
		field.Time("warmness_due_at").Optional().Nillable().
			Comment("When the score next changes with the clock alone (a touch ages, a booking starts)").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// LeadIntents are what a lead wants (internal/ai's Lead* constants).
var LeadIntents = []string{"book", "price", "question", "results", "other"}

// Urgencies are how urgent a lead is (internal/ai's Urgency* constants).
var Urgencies = []string{"low", "normal", "high", "urgent"}

// Edges of the Contact.
func (Contact) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("assigned_to", User.Type).Field("assigned_to_id").Unique(),
		edge.From("touchpoints", Touchpoint.Type).Ref("contact").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("bookings", Booking.Type).Ref("contact").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("tasks", Task.Type).Ref("contact").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("stage_changes", StageChange.Type).Ref("contact").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// notArchived makes an index partial: only contacts not archived.
var notArchived = entsql.IndexWhere("archived_at IS NULL")

// Indexes of the Contact.
func (Contact) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "phone"),
		// The reports join every booking to its contact's source and
		// campaign, and every stage move to its contact's creation: read
		// from this index, not the wide contact row.
		index.Fields("id", "lead_source", "campaign", "created_at"),
		index.Fields("location_id", "email"),
		// id last lets the index alone answer COUNT(id) and the
		// warmness-then-id order of paginated lists, without a sort.
		// Partial (archived contacts left out, as every list leaves them
		// out) so that the "not archived" condition needs no table read:
		// a count over 40,000 leads takes 2 ms instead of 40.
		index.Fields("location_id", "warmness", "id").Annotations(notArchived),
		index.Fields("location_id", "pipeline", "warmness", "id").Annotations(notArchived),
		// id makes it cover COUNT(id) by stage, like the others.
		index.Fields("location_id", "pipeline", "stage", "id").Annotations(notArchived),
		index.Fields("location_id", "last_name", "first_name"),
		// For the duplicate check by name and date of birth. There is
		// deliberately no index on archived_at: with one, SQLite (which
		// has no statistics here, see docs/DECISIONS.md) picks it for
		// every "not archived" query and scans the location's contacts.
		index.Fields("location_id", "date_of_birth"),
		// Partial: only contacts with a pending consent token, so a create
		// (which has none) writes no entry. The lookup by "=" implies
		// IS NOT NULL, so SQLite and PostgreSQL still use it.
		index.Fields("consent_token_hash").Annotations(entsql.IndexWhere("consent_token_hash IS NOT NULL")),
		// The warmness schedule's "due by now" scan, in due order (id
		// breaks ties, for its keyset pages). Partial: most contacts are
		// never due; "<=" implies IS NOT NULL for both databases.
		index.Fields("warmness_due_at", "id").Annotations(entsql.IndexWhere("warmness_due_at IS NOT NULL")),
	}
}

// Annotations of the Contact.
func (Contact) Annotations() []schema.Annotation {
	return []schema.Annotation{
		queryField("", rbac.Contacts),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
