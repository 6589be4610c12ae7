// Package events is the outbox of domain events automation reacts to. A
// service writes an event in the transaction of the change it describes
// (Outbox.Emit): the Event row and a River job that will evaluate the
// location's rules for it commit together with the change, or not at all.
// No process polls the table: the job is the wake-up, unique by the
// event's ID, so an event is evaluated once however often it is enqueued.
package events

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Event types. The subject of contact.* is the contact, of booking.* the
// booking, of task.* the task. Every payload names the contact
// ("contact_id") when there is one; booking events name the booking too.
const (
	ContactCreated     = "contact.created"
	ContactUpdated     = "contact.updated" // payload {changed: [field names]}: an edit through the contacts service
	ContactWarm        = "contact.warm"    // payload {from, to}: the score crossed 80 upward
	ContactStageMoved  = "contact.stage_moved"
	BookingCreated     = "booking.created"
	BookingConfirmed   = "booking.confirmed"
	BookingRescheduled = "booking.rescheduled"
	BookingCancelled   = "booking.cancelled"
	BookingCompleted   = "booking.completed"
	BookingNoShow      = "booking.no_show"
	TaskCreated        = "task.created"
	SMSReceived        = "sms.received" // written by two-way SMS (a later issue)
)

// Types lists every event type, in the order the rules page offers them.
var Types = []string{
	ContactCreated, ContactUpdated, ContactWarm, ContactStageMoved,
	BookingCreated, BookingConfirmed, BookingRescheduled, BookingCancelled, BookingCompleted, BookingNoShow,
	TaskCreated, SMSReceived,
}

// Known reports whether t is an event type.
func Known(t string) bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Event is what a service emits.
type Event struct {
	Type       string
	LocationID pulid.ID
	// Subject is the contact, booking or task the event is about.
	Subject pulid.ID
	// ContactID and BookingID go into the payload for the rules' env.
	ContactID pulid.ID
	BookingID pulid.ID
	// Data is more of the payload (from/to stages, the old start, …).
	Data map[string]any
}

// Args is the job that evaluates the location's rules for one event:
// unique by the event, so it is enqueued (and evaluated) once.
// internal/automation registers its worker.
type Args struct {
	EventID    pulid.ID `json:"event_id" river:"unique"`
	LocationID pulid.ID `json:"location_id"`
	Type       string   `json:"type"`
}

// Kind of the job.
func (Args) Kind() string { return "automation.event" }

// InsertOpts make the job unique by its event.
func (Args) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Outbox writes events. A nil *Outbox writes nothing: services built
// without automation (unit tests of other layers, one-off commands).
type Outbox struct {
	// Jobs enqueues the evaluation job in the change's transaction. Until
	// it is set (the app sets it once the queue exists) Emit writes
	// nothing, so the demo seed that runs before it raises no events.
	Jobs jobs.Enqueuer
	// Now is the clock.
	Now clock.Clock
}

// Emit writes e in the transaction of c and ctx (txn.Run) and enqueues its
// evaluation there. Outside a transaction it fails (jobs.ErrNoTransaction):
// an event apart from its change could be lost or invented.
//
// The Event row is the system's record of a fact, not the viewer's
// action (a receptionist may create a contact without automation:create),
// so it is written as the consequences capability, at e's location.
func (o *Outbox) Emit(ctx context.Context, c *ent.Client, e Event) error {
	if o == nil || o.Jobs == nil {
		return nil
	}
	if !Known(e.Type) {
		return fmt.Errorf("events: unknown event type %q", e.Type)
	}
	payload := map[string]any{}
	for k, v := range e.Data {
		payload[k] = v
	}
	if e.ContactID != "" {
		payload["contact_id"] = string(e.ContactID)
	}
	if e.BookingID != "" {
		payload["booking_id"] = string(e.BookingID)
	}
	if cause, ok := CauseOf(ctx); ok {
		payload["caused_by_rule"] = string(cause.RuleID)
		payload["depth"] = cause.Depth
	}
	ev, err := c.Event.Create().
		SetLocationID(e.LocationID).SetType(e.Type).SetSubjectID(string(e.Subject)).
		SetPayload(payload).SetAt(o.Now.Now()).
		Save(viewer.Consequences.Grant(ctx, ""))
	if err != nil {
		return fmt.Errorf("events: %s: %w", e.Type, err)
	}
	if _, err := o.Jobs.Enqueue(ctx, Args{EventID: ev.ID, LocationID: e.LocationID, Type: e.Type}, nil); err != nil {
		return fmt.Errorf("events: %s: enqueue: %w", e.Type, err)
	}
	return nil
}

// causeKey carries the rule run whose actions are writing events.
type causeKey struct{}

// Cause is the rule run that caused an event, for events written by a
// rule's actions (a task it created, a stage it moved).
type Cause struct {
	RuleID pulid.ID
	// Depth is how many rule runs led here: a rule's action causing an
	// event that triggers a rule whose action … The engine stops at
	// MaxDepth, so two rules can never feed each other for ever.
	Depth int
}

// MaxDepth is the longest chain of rules one event may start.
const MaxDepth = 3

// WithCause marks ctx as inside a run of a rule.
func WithCause(ctx context.Context, c Cause) context.Context {
	return context.WithValue(ctx, causeKey{}, c)
}

// CauseOf returns the rule run ctx is inside, if any.
func CauseOf(ctx context.Context) (Cause, bool) {
	c, ok := ctx.Value(causeKey{}).(Cause)
	return c, ok
}

// Active reports whether Emit writes events (an outbox with a queue).
func (o *Outbox) Active() bool { return o != nil && o.Jobs != nil }
