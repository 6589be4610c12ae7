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

// MessageStatuses are the states of an outbound message (internal/messaging):
// queued → sent → delivered, or deferred (quiet hours) first, or failed
// (the provider refused it, or attempts ran out), or suppressed (never sent,
// with the reason: opted out, no consent, the booking changed). An inbound
// message is received.
var MessageStatuses = []string{"queued", "deferred", "sent", "delivered", "failed", "suppressed", "received"}

// SMSIntents are what a patient's reply means (internal/ai's intents).
var SMSIntents = []string{"confirm", "cancel", "reschedule", "question", "opt_out", "opt_in", "other"}

// SMSActions are what the system did with an inbound SMS
// (internal/aiwire.Plan states the mapping from intent): confirmed or
// cancelled the booking, made a task (reschedule, question), opted the
// number out or back in, put the reply in the needs-a-reply queue, or
// only logged it (no booking to act on).
var SMSActions = []string{"confirmed", "cancelled", "reschedule_task", "question_task", "opted_out", "opted_in", "needs_reply", "logged"}

// Message is one outbound SMS (later email) to a contact: what was or would
// be sent, through which provider, at what cost, and who or which rule sent
// it. Written by internal/messaging only, in the transaction of the change
// that causes it, with its send job.
type Message struct{ ent.Schema }

// Mixin of the Message.
func (Message) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Message, "messages"), TimeMixin{}, TenantMixin{Read: rbac.Contacts, Write: rbac.Contacts}}
}

// Fields of the Message.
func (Message) Fields() []ent.Field {
	skip := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	hidden := entgql.Skip(entgql.SkipAll)
	return []ent.Field{
		field.Enum("channel").Values("sms", "email").Default("sms").
			Annotations(entgql.Type("MessageChannel")),
		field.Enum("status").Values(MessageStatuses...).Default("queued").
			Annotations(entgql.Type("MessageStatus")),
		field.String("suppressed_reason").Optional().Nillable().MaxLen(60).
			Comment("Why a suppressed message was not sent: opted_out, no_consent, booking_cancelled, booking_rescheduled, …"),
		field.String("error").Default("").MaxLen(500).
			Comment("Why a failed message failed (the provider's status; never PHI)"),
		field.String("to").MaxLen(254).Comment("E.164 phone number (or email address)"),
		field.Text("body"),
		field.String("template").Default("").MaxLen(40).
			Comment("The template key it was rendered from; empty for a free text"),
		field.Bool("marketing").Default(false),
		field.Bool("urgent").Default(false),
		field.Int("segments").Default(1).NonNegative(),
		field.Int("cost_cents").Default(0).NonNegative(),
		field.String("provider").Default("").MaxLen(40),
		field.String("provider_message_id").Optional().Nillable().MaxLen(120),
		field.String("contact_id").GoType(pulid.ID("")),
		field.String("booking_id").GoType(pulid.ID("")).Optional().Nillable(),
		field.Time("booking_starts_at").Optional().Nillable().
			Comment("The booking's start when queued: a reminder whose booking moved since is suppressed").
			Annotations(hidden),
		field.Strings("covers").Optional().
			Comment("Bookings a combined reminder covers (IDs)").
			Annotations(hidden),
		// No edge: AutomationRule belongs to the rules engine (it may not
		// exist in every build), and the run history links back.
		field.String("rule_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The automation rule that sent it").
			Annotations(entgql.Type("ID"), skip),
		field.String("sent_by_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The user who sent it, if a person did"),
		field.String("key").Optional().Nillable().MaxLen(200).
			Comment("Idempotency key, unique per location: a second QueueSMS with it is the same message").
			Annotations(hidden),
		field.Time("send_after").Optional().Nillable().
			Comment("Not before this time (quiet hours)"),
		field.Time("sent_at").Optional().Nillable().
			Annotations(entgql.OrderField("SENT_AT")),
		// Two-way SMS (issue 15). New fields go last: SQLite adds columns
		// only at the end. No edges, so no foreign keys (a table rebuild).
		field.Enum("direction").Values("outbound", "inbound").Default("outbound").
			Annotations(entgql.Type("MessageDirection")),
		field.String("from").Optional().Nillable().MaxLen(254).
			Comment("Sender of an inbound message (E.164); to is then the clinic's number"),
		field.Enum("intent").Values(SMSIntents...).Optional().Nillable().
			Comment("What an inbound reply means (DetectSMSIntent)").
			Annotations(entgql.Type("SMSIntent")),
		field.Float("intent_confidence").Optional().Nillable().
			Comment("The classifier's confidence in intent, 0 to 1"),
		field.Enum("action").Values(SMSActions...).Optional().Nillable().
			Comment("What the system did with an inbound reply").
			Annotations(entgql.Type("SMSAction")),
		field.String("action_note").Default("").MaxLen(500).
			Comment("Why, in words: the classifier's reason, the proposed time, why nothing was changed"),
		field.String("task_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The task the reply made (reschedule, question)").
			Annotations(entgql.Type("ID")),
		field.JSON("undo", map[string]string{}).Optional().
			Comment("What undoing the automatic change restores (internal/sms)").
			Annotations(hidden),
		field.Time("action_undone_at").Optional().Nillable().
			Comment("When staff undid the automatic change"),
		field.String("action_undone_by_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("Who undid it").
			Annotations(entgql.Type("ID")),
		field.String("reply_to_id").GoType(pulid.ID("")).Optional().Nillable().
			Comment("The inbound message an automatic reply answers").
			Annotations(entgql.Type("ID")),
	}
}

// Edges of the Message.
func (Message) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("contact", Contact.Type).Field("contact_id").Unique().Required().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("booking", Booking.Type).Field("booking_id").Unique(),
		edge.To("sent_by", User.Type).Field("sent_by_id").Unique(),
	}
}

// Indexes of the Message.
func (Message) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "key").Unique(),
		index.Fields("location_id", "created_at"),
		index.Fields("contact_id", "created_at"),
		index.Fields("location_id", "status"),
		index.Fields("location_id", "updated_at"),
		index.Fields("location_id", "provider_message_id"),
	}
}

// Annotations of the Message.
func (Message) Annotations() []schema.Annotation {
	return []schema.Annotation{
		queryField("messages", rbac.Contacts),
		entgql.RelayConnection(),
	}
}

// SMSTemplate is a location's text for one kind of message (welcome,
// confirmation, reminders, recall, no-show follow-up), with variables such
// as {{first_name}} and {{booking_time}} rendered in the location's zone.
type SMSTemplate struct{ ent.Schema }

// Mixin of the SMSTemplate.
func (SMSTemplate) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.SMSTemplate, "sms_templates"), TimeMixin{}, TenantMixin{Write: rbac.Automation}}
}

// Fields of the SMSTemplate.
func (SMSTemplate) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").NotEmpty().MaxLen(40).Immutable(),
		field.String("name").NotEmpty().MaxLen(120),
		field.Text("body").NotEmpty().MaxLen(1600),
		field.Bool("marketing").Default(false).
			Comment("Marketing needs consent and carries the opt-out line"),
	}
}

// Indexes of the SMSTemplate.
func (SMSTemplate) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "key").Unique()}
}

// OptOut is a phone number (or email address) that asked for no more
// messages from a location ("STOP"). It is kept by number, not by contact,
// so it holds for duplicates and contacts created later with the number.
type OptOut struct{ ent.Schema }

// Mixin of the OptOut.
func (OptOut) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.OptOut, "opt_outs"), TimeMixin{}, TenantMixin{Read: rbac.Contacts, Write: rbac.Contacts}}
}

// Fields of the OptOut.
func (OptOut) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("channel").Values("sms", "email").Default("sms"),
		field.String("address").NotEmpty().MaxLen(254).Comment("E.164 phone or lower-cased email"),
		field.String("source").Default("staff").MaxLen(40).Comment("reply_stop, staff, api"),
	}
}

// Indexes of the OptOut.
func (OptOut) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "channel", "address").Unique()}
}

// Annotations of the OptOut.
func (OptOut) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Conversation is the SMS thread with one contact at one location, as the
// inbox lists it: who handles it, whether it waits for a reply, how many
// inbound messages nobody has opened yet, and when it was last active and
// marked done. The messages themselves are Message rows of the contact; a
// conversation is created with the first message either way and updated
// by internal/sms with each one.
type Conversation struct{ ent.Schema }

// Mixin of the Conversation.
func (Conversation) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Conversation, "conversations"), TimeMixin{}, TenantMixin{Read: rbac.Contacts, Write: rbac.Contacts}}
}

// Fields of the Conversation.
func (Conversation) Fields() []ent.Field {
	skip := entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.String("contact_id").GoType(pulid.ID("")).Immutable(),
		field.String("assignee_id").GoType(pulid.ID("")).Optional().Nillable(),
		field.Bool("needs_reply").Default(false).
			Comment("An inbound message waits for a person (unclear, a question, low confidence)").
			Annotations(entgql.OrderField("NEEDS_REPLY")),
		field.Int("unread_count").Default(0).NonNegative().
			Comment("Inbound messages since staff last opened the thread").
			Annotations(entgql.OrderField("UNREAD_COUNT")),
		field.Time("last_message_at").Optional().Nillable().
			Annotations(entgql.OrderField("LAST_MESSAGE_AT")),
		field.Time("last_inbound_at").Optional().Nillable(),
		field.String("last_message_preview").Default("").MaxLen(200).
			Comment("The start of the newest message, for the inbox list"),
		field.Time("done_at").Optional().Nillable().
			Comment("When staff marked it done; a new inbound message reopens it").
			Annotations(skip),
	}
}

// Edges of the Conversation.
func (Conversation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("contact", Contact.Type).Field("contact_id").Unique().Required().Immutable().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("assignee", User.Type).Field("assignee_id").Unique(),
	}
}

// Indexes of the Conversation.
func (Conversation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "contact_id").Unique(),
		index.Fields("location_id", "needs_reply", "last_message_at"),
		index.Fields("location_id", "updated_at"),
	}
}

// Annotations of the Conversation: the conversations query is hand-written
// (graph/sms.graphql) for its filter and its order.
func (Conversation) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}
