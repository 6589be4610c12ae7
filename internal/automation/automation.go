// Package automation runs a location's rules on the domain events of
// internal/events: a rule has a trigger (an event type), an optional
// condition (an expr expression over the event, the contact and the
// booking, type-checked on save), an optional delay and actions (send an
// SMS or an email, create a task, move the contact's stage, notify staff).
//
// Each event's job (events.Args) finds the location's enabled rules for
// its type and enqueues one job per rule (RuleArgs, unique by rule and
// event, scheduled after the rule's delay). That job checks the rule again
// when it runs (a rule disabled mid-delay is skipped), evaluates the
// condition against the contact and booking as they are then, and runs the
// actions in one transaction with the AutomationRun that records them:
// the run is unique by rule and event, so a job run twice (its process
// killed before River recorded it done) finds the run and does nothing.
// docs/AUTOMATION.md has the rule format and the guarantees.
package automation

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
)

// SMS templates a send_sms action may name (internal/messaging seeds
// them per location).
var SMSTemplates = []string{"welcome", "confirmation", "reminder_24h", "reminder_2h", "recall", "no_show_followup"}

// SMSInput is one SMS for the sender to queue. It mirrors
// messaging.SMSInput field for field, so the messaging service plugs in
// with a one-line adapter.
type SMSInput struct {
	ContactID pulid.ID
	BookingID *pulid.ID
	// Template is one of SMSTemplates; Body, when set, replaces its text.
	Template string
	Body     string
	RuleID   *pulid.ID
	SentBy   *pulid.ID
	// Marketing needs consent and carries an opt-out line; Urgent ignores
	// quiet hours.
	Marketing, Urgent bool
	// Key is the idempotency key: the same key queues one message.
	Key string
	// Contact, when set, is the contact ContactID as the caller read it
	// in c's transaction and unchanged since: the sender need not read
	// it again.
	Contact *ent.Contact
	// KeyNew says no message can hold Key yet (the event job's first run
	// of the rule for the event): the sender need not look for one. The
	// unique key still refuses a second.
	KeyNew bool
}

// SMSSender queues an SMS in the transaction of c (an outbox Message
// that a job hands to the provider) and returns the message's ID. The
// messaging service (messaging.Service.QueueSMS) is the real one.
type SMSSender interface {
	QueueSMS(ctx context.Context, c *ent.Client, in SMSInput) (pulid.ID, error)
}

// SMSSenderFunc adapts a function to SMSSender.
type SMSSenderFunc func(ctx context.Context, c *ent.Client, in SMSInput) (pulid.ID, error)

// QueueSMS calls f.
func (f SMSSenderFunc) QueueSMS(ctx context.Context, c *ent.Client, in SMSInput) (pulid.ID, error) {
	return f(ctx, c, in)
}

// EmailInput is what a send_email action queues.
type EmailInput struct {
	ContactID     pulid.ID
	Template      string
	Subject, Body string
	Marketing     bool
	RuleID        *pulid.ID
	Key           string
}

// EmailSender queues an email in the transaction of c (a Message of
// channel email that a job hands to the email provider) and returns the
// message's ID, or "" with the reason when the contact cannot get it (no
// address, no consent for marketing, unsubscribed). The campaigns
// service (campaigns.Service.QueueEmail) is the real one.
type EmailSender interface {
	QueueEmail(ctx context.Context, c *ent.Client, in EmailInput) (id pulid.ID, skipped string, err error)
}

// Tasks creates tasks (the tasks service, with its auto-assignment).
type Tasks interface {
	Create(ctx context.Context, in tasks.NewTask) (*ent.Task, error)
}

// Stages moves contacts between stages (the pipeline service).
type Stages interface {
	Move(ctx context.Context, contactID pulid.ID, to contact.Stage, reason string) (*ent.Contact, error)
}

// Service manages and runs the rules.
type Service struct {
	Client *ent.Client
	// Jobs enqueues the rules' jobs (in the event job's transaction).
	Jobs jobs.Enqueuer
	// SMS queues SMS; nil fails send_sms actions (recorded, not dropped).
	SMS SMSSender
	// Email queues send_email's emails through the email provider; nil
	// keeps them in the run as an outbox note.
	Email EmailSender
	// Tasks and Stages run create_task and move_stage.
	Tasks  Tasks
	Stages Stages
	// Now is the clock.
	Now clock.Clock
	// Fanout, when set, turns each dispatched event into the outbound
	// webhook deliveries it causes, in the dispatch's transaction
	// (internal/webhooks).
	Fanout Fanout

	batches batches // DispatchBatch's locks and done events
}

// Fanout writes what an event causes outside the rules, in the
// transaction of c and ctx that marks the event dispatched.
type Fanout interface {
	Fanout(ctx context.Context, c *ent.Client, ev *ent.Event) error
}

func (s *Service) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}
