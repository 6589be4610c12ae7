package sms

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/aiwire"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/hooks/clicksendwire"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// IntentDetector reads a reply (internal/ai's DetectSMSIntent).
type IntentDetector interface {
	DetectSMSIntent(ctx context.Context, in ai.SMSInput) (ai.SMSIntent, error)
}

// Deps are the services processing needs beyond Service's own fields.
type Deps struct {
	Bookings *bookings.Service
	Tasks    *tasks.Service
	Events   *events.Outbox
	AI       IntentDetector
}

// Register makes s the processor of ClickSend's inbound messages and
// receipts in the webhook pipeline.
func (s *Service) Register(p *hooks.Pipeline) {
	p.Register(hooks.SourceClickSend, hooks.KindInbound, hooks.ProcessorFunc(s.ProcessInbound))
	p.Register(hooks.SourceClickSend, hooks.KindReceipt, hooks.ProcessorFunc(s.ProcessReceipt))
}

// inboundKey is the idempotency key of the Message an inbound event makes.
func inboundKey(ev *ent.WebhookEvent) string { return "inbound:" + ev.EventID }

// ProcessInbound acts on a stored inbound SMS (the webhook.process job, as
// the job capability at the event's location). It runs once however often
// it is called: the Message it writes is keyed by ClickSend's message id.
//
// The sender is matched by E.164 phone among the location's contacts that
// are not archived (several: the one with the next booking; none: a new
// lead with source sms). The intent is read outside the transaction (a
// remote model may take seconds), then the message, its touchpoint, the
// sms.received event, what the intent leads to (aiwire.Plan) and any reply
// commit together.
func (s *Service) ProcessInbound(ctx context.Context, ev *ent.WebhookEvent) error {
	p, err := clicksendwire.ReadPayload(ev.Payload)
	if err != nil {
		return &hooks.Permanent{Err: fmt.Errorf("payload: %w", err)}
	}
	in, err := clicksendwire.ParseInbound(p.Fields)
	if err != nil {
		return &hooks.Permanent{Err: err}
	}
	c := s.Client
	done, err := c.Message.Query().Where(message.LocationID(ev.LocationID), message.Key(inboundKey(ev))).Exist(ctx)
	if err != nil || done {
		return err
	}
	loc, err := c.Location.Get(ctx, ev.LocationID)
	if err != nil {
		return err
	}
	from, err := normalize.Phone(in.From, loc.Region)
	if err != nil {
		from = strings.TrimSpace(in.From)
	}
	now := s.Now.Now()
	zone := zoneOf(loc)
	ct, next, err := s.match(ctx, c, loc.ID, from, now)
	if err != nil {
		return err
	}
	// The intent, with the next booking as context.
	sin := ai.SMSInput{LocationID: string(loc.ID), Message: in.Body, Now: now, Zone: zone}
	if ct != nil {
		sin.ContactNames = []string{ct.FirstName, ct.LastName}
	}
	if next != nil {
		sin.Appointment = &next.StartsAt
		if next.Edges.Service != nil {
			sin.Service = next.Edges.Service.Name
		}
	}
	if in.OriginalBody != "" {
		sin.Prompt = in.OriginalBody
	}
	var res ai.SMSIntent
	if s.AI != nil {
		body := in.Body
		if len(body) > ai.MaxSMSLength {
			sin.Message = body[:ai.MaxSMSLength]
		}
		if res, err = s.AI.DetectSMSIntent(ctx, sin); err != nil {
			return fmt.Errorf("intent: %w", err)
		}
	} else {
		res = ai.SMSIntent{Intent: ai.IntentOther, NeedsReview: true}
		res.Reason = "No AI layer is connected"
	}
	if res.Confidence < Threshold(loc) && res.Intent != ai.IntentOptOut && res.Intent != ai.IntentOptIn {
		res.NeedsReview = true
	}
	return txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		if ct == nil {
			if ct, err = s.newLead(ctx, c, loc, from, now); err != nil {
				return err
			}
		}
		return s.act(ctx, c, actInput{ev: ev, in: in, loc: loc, zone: zone, from: from, ct: ct, next: next, res: res, now: now})
	})
}

// match finds the contact a number belongs to, and their next booking.
func (s *Service) match(ctx context.Context, c *ent.Client, loc pulid.ID, phone string, now time.Time) (*ent.Contact, *ent.Booking, error) {
	cts, err := c.Contact.Query().
		Where(contact.LocationID(loc), contact.Phone(phone), contact.ArchivedAtIsNil()).
		Order(ent.Asc(contact.FieldCreatedAt)).All(ctx)
	if err != nil || len(cts) == 0 {
		return nil, nil, err
	}
	ids := make([]pulid.ID, len(cts))
	for i, ct := range cts {
		ids[i] = ct.ID
	}
	next, err := c.Booking.Query().
		Where(booking.ContactIDIn(ids...), booking.StatusIn(booking.StatusPending, booking.StatusConfirmed), booking.StartsAtGT(now)).
		Order(ent.Asc(booking.FieldStartsAt)).WithService().First(ctx)
	if ent.IsNotFound(err) {
		// Nobody has a booking: the contact written to most recently.
		best := cts[0]
		for _, ct := range cts[1:] {
			if ct.UpdatedAt.After(best.UpdatedAt) {
				best = ct
			}
		}
		return best, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for _, ct := range cts {
		if ct.ID == next.ContactID {
			return ct, next, nil
		}
	}
	return cts[0], nil, nil
}

// newLead creates the contact of an unknown number: a lead from SMS.
func (s *Service) newLead(ctx context.Context, c *ent.Client, loc *ent.Location, phone string, now time.Time) (*ent.Contact, error) {
	create := c.Contact.Create().SetLocationID(loc.ID).SetFirstName("SMS").SetLastName(phone).
		SetLeadSource(contact.LeadSourceSms).SetNotes("Created from an SMS from an unknown number.").
		SetCreatedAt(now).SetUpdatedAt(now)
	if strings.HasPrefix(phone, "+") {
		create.SetPhone(phone)
	}
	ct, err := create.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("new lead: %w", err)
	}
	return ct, s.Events.Emit(ctx, c, events.Event{Type: events.ContactCreated, LocationID: loc.ID, Subject: ct.ID, ContactID: ct.ID})
}

type actInput struct {
	ev   *ent.WebhookEvent
	in   clicksendwire.Inbound
	loc  *ent.Location
	zone *time.Location
	from string
	ct   *ent.Contact
	next *ent.Booking
	res  ai.SMSIntent
	now  time.Time
}

// act records the inbound message and does what its intent leads to.
func (s *Service) act(ctx context.Context, c *ent.Client, a actInput) error {
	intent := string(a.res.Intent)
	plan := aiwire.Plan(intent, a.res.NeedsReview)
	note := a.res.Reason
	if (plan == aiwire.ActionConfirm || plan == aiwire.ActionCancel || plan == aiwire.ActionReschedule) && a.next == nil {
		plan = aiwire.ActionNeedsReply
		note = strings.TrimSpace(note + "; no upcoming booking to act on")
	}
	create := c.Message.Create().SetLocationID(a.loc.ID).SetContactID(a.ct.ID).SetChannel(message.ChannelSms).
		SetDirection(message.DirectionInbound).SetStatus(message.StatusReceived).
		SetFrom(a.from).SetTo(a.in.To).SetBody(a.in.Body).SetSegments(messaging.CountSMS(a.in.Body).Segments).
		SetProvider(messaging.ClickSendName).SetProviderMessageID(a.in.MessageID).SetKey(inboundKey(a.ev)).
		SetCreatedAt(a.now).SetUpdatedAt(a.now).SetSentAt(orNow(a.in.At, a.now))
	if intent != "" {
		create.SetIntent(message.Intent(intent)).SetIntentConfidence(a.res.Confidence)
	}
	if a.next != nil {
		create.SetBookingID(a.next.ID)
	}
	m, err := create.Save(ctx)
	if err != nil {
		return fmt.Errorf("inbound message: %w", err)
	}
	if err := c.Touchpoint.Create().SetLocationID(a.loc.ID).SetContactID(a.ct.ID).SetKind(touchpoint.KindSmsIn).
		SetSummary(normalize.Truncate("SMS: "+a.in.Body, 500)).SetOccurredAt(a.now).
		SetNillableBookingID(bookingID(a.next)).Exec(ctx); err != nil {
		return err
	}
	data := map[string]any{"message_id": string(m.ID), "intent": intent, "confidence": a.res.Confidence, "needs_review": a.res.NeedsReview}
	if err := s.Events.Emit(ctx, c, events.Event{Type: events.SMSReceived, LocationID: a.loc.ID, Subject: m.ID,
		ContactID: a.ct.ID, BookingID: derefID(bookingID(a.next)), Data: data}); err != nil {
		return err
	}
	o := outcome{action: plan, note: note, undo: map[string]string{}}
	var reply string
	bctx := bookings.WithCause(ctx, bookings.Cause{MessageID: m.ID, Text: a.in.Body})
	switch plan {
	case aiwire.ActionConfirm:
		if a.next.Status == booking.StatusConfirmed {
			o.note = appendNote(o.note, "the booking was already confirmed")
		} else {
			if _, err := s.Bookings.Confirm(bctx, a.next.ID); err != nil {
				return fmt.Errorf("confirm: %w", err)
			}
			o.undo = map[string]string{"booking": string(a.next.ID), "from": "confirmed", "to": string(a.next.Status)}
		}
		reply = "Thanks {{first_name}}, your {{service}} on {{booking_time}} is confirmed. See you then."
	case aiwire.ActionCancel:
		prev := a.next.Status
		if _, err := s.Bookings.Cancel(bctx, a.next.ID, CancelReason); err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
		t, err := s.task(bctx, c, a, m, task.KindFollowUp, "Cancelled by SMS: offer "+a.ct.FirstName+" another time",
			fmt.Sprintf("The patient cancelled %s by SMS: “%s”. The slot is free again.", describe(a.next, a.zone), a.in.Body), task.PriorityHigh)
		if err != nil {
			return err
		}
		o.task = &t.ID
		o.undo = map[string]string{"booking": string(a.next.ID), "from": "cancelled", "to": string(prev), "task": string(t.ID)}
		reply = "Thanks {{first_name}}, your {{service}} on {{booking_time}} is cancelled. Reply or call us on {{clinic_phone}} to book a new time."
	case aiwire.ActionReschedule:
		when := "a new time"
		if a.res.Proposed != nil {
			when = a.res.Proposed.Text + " (" + window(a.res.Proposed, a.zone) + ")"
		}
		t, err := s.task(bctx, c, a, m, task.KindCall, "Reschedule "+a.ct.FirstName+": proposes "+when,
			fmt.Sprintf("The patient asked by SMS to move %s: “%s”. Proposed: %s.", describe(a.next, a.zone), a.in.Body, when), task.PriorityHigh)
		if err != nil {
			return err
		}
		o.task, o.note = &t.ID, appendNote(o.note, "proposed "+when)
		o.undo = map[string]string{"task": string(t.ID)}
		reply = "Thanks {{first_name}}, we got your message about your {{service}} on {{booking_time}}. The clinic will call you to find a new time."
	case aiwire.ActionQuestion:
		t, err := s.task(bctx, c, a, m, task.KindCall, "Answer "+a.ct.FirstName+"'s SMS question",
			fmt.Sprintf("The patient asked by SMS: “%s”.", a.in.Body), task.PriorityNormal)
		if err != nil {
			return err
		}
		o.task, o.needsReply = &t.ID, true
		o.undo = map[string]string{"task": string(t.ID)}
	case aiwire.ActionOptOut:
		had, err := s.optedOut(ctx, c, a.loc.ID, a.from)
		if err != nil {
			return err
		}
		if err := messaging.OptOutAddressAt(ctx, c, a.loc.ID, optout.ChannelSms, a.from, "reply_stop", a.now); err != nil {
			return err
		}
		o.undo = map[string]string{"optout": a.from, "consent": fmt.Sprint(a.ct.SmsConsent)}
		if had {
			o.note = appendNote(o.note, "the number had opted out already")
		} else {
			reply = "You will get no more texts from {{clinic}}. Reply START to receive them again."
		}
		if err := c.Contact.UpdateOneID(a.ct.ID).SetSmsConsent(false).Exec(ctx); err != nil {
			return err
		}
	case aiwire.ActionOptIn:
		n, err := c.OptOut.Delete().Where(optout.LocationID(a.loc.ID), optout.ChannelEQ(optout.ChannelSms), optout.Address(a.from)).Exec(ctx)
		if err != nil {
			return err
		}
		if err := c.Contact.UpdateOneID(a.ct.ID).SetSmsConsent(true).Exec(ctx); err != nil {
			return err
		}
		o.undo = map[string]string{"optin": a.from, "consent": fmt.Sprint(a.ct.SmsConsent), "had_optout": fmt.Sprint(n > 0)}
		reply = "You will get texts from {{clinic}} again. Reply STOP to stop them."
	default:
		o.action, o.needsReply = aiwire.ActionNeedsReply, true
	}
	up := c.Message.UpdateOneID(m.ID).SetAction(message.Action(o.action)).SetActionNote(normalize.Truncate(o.note, 500)).SetNillableTaskID(o.task)
	if len(o.undo) > 0 {
		up.SetUndo(o.undo)
	}
	if m, err = up.Save(ctx); err != nil {
		return err
	}
	if err := s.touch(ctx, c, m, touchInbound, o.needsReply); err != nil {
		return err
	}
	if reply != "" {
		return s.reply(ctx, c, a, m, reply)
	}
	return nil
}

// CancelReason is the reason a booking cancelled by SMS carries.
const CancelReason = "patient SMS"

type outcome struct {
	action     aiwire.Action
	note       string
	task       *pulid.ID
	needsReply bool
	undo       map[string]string
}

// reply queues the automatic answer to m: urgent (the patient just wrote,
// so quiet hours do not hold it back) and a reply (it goes to a number
// that just opted out, which is the confirmation the law asks for).
func (s *Service) reply(ctx context.Context, c *ent.Client, a actInput, m *ent.Message, text string) error {
	var bks []*ent.Booking
	if a.next != nil {
		bks = []*ent.Booking{a.next}
	}
	body, _ := messaging.Render(text, messaging.Vars(a.ct, a.loc, bks, a.zone))
	in := messaging.SMSInput{ContactID: a.ct.ID, Body: body, Urgent: true, ReplyTo: &m.ID, Key: "reply:" + string(m.ID)}
	if a.ct.Phone == nil || *a.ct.Phone != a.from {
		// The reply goes to the number that wrote, whatever the contact's
		// phone says now; QueueSMS sends to the contact's phone, so only
		// reply when they are the same.
		return nil
	}
	r, err := s.Messaging.QueueSMS(ctx, c, in)
	if err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	return s.touch(ctx, c, r, touchOutbound)
}

// task creates a task for reception about m.
func (s *Service) task(ctx context.Context, c *ent.Client, a actInput, m *ent.Message, kind task.Kind, title, desc string, prio task.Priority) (*ent.Task, error) {
	due := a.now.Add(2 * time.Hour)
	t, err := s.Tasks.Create(ctx, tasks.NewTask{
		Title: normalize.Truncate(title, 200), Description: desc, ContactID: &a.ct.ID, BookingID: bookingID(a.next),
		Kind: kind, DueAt: &due, Priority: &prio, AutoAssign: true,
	})
	if err != nil {
		return nil, fmt.Errorf("task: %w", err)
	}
	return t, nil
}

func (s *Service) optedOut(ctx context.Context, c *ent.Client, loc pulid.ID, phone string) (bool, error) {
	return c.OptOut.Query().Where(optout.LocationID(loc), optout.ChannelEQ(optout.ChannelSms), optout.Address(phone)).Exist(ctx)
}

func describe(b *ent.Booking, zone *time.Location) string {
	name := "the appointment"
	if b.Edges.Service != nil {
		name = b.Edges.Service.Name
	}
	return name + " on " + b.StartsAt.In(zone).Format("Mon 2 Jan 15:04")
}

func window(p *ai.ProposedTime, zone *time.Location) string {
	s, e := p.Start.In(zone), p.End.In(zone)
	switch {
	case !e.After(s):
		return s.Format("Mon 2 Jan 15:04")
	case s.YearDay() == e.Add(-time.Nanosecond).YearDay():
		return s.Format("Mon 2 Jan 15:04") + "–" + e.Format("15:04")
	}
	return s.Format("Mon 2 Jan 15:04") + " – " + e.Format("Mon 2 Jan 15:04")
}

func appendNote(note, more string) string {
	if note == "" {
		return more
	}
	return note + "; " + more
}

func bookingID(b *ent.Booking) *pulid.ID {
	if b == nil {
		return nil
	}
	return &b.ID
}

func derefID(id *pulid.ID) pulid.ID {
	if id == nil {
		return ""
	}
	return *id
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}
