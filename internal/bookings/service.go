// Package bookings runs a clinic's appointments: creating them with
// resource and staff conflict checks, the status state machine (confirm,
// complete, no-show, cancel, reschedule; see Transitions), the history of
// every change (BookingEvent, and a booking_event touchpoint on the
// contact's timeline), the contact's pipeline stage that follows a booking,
// the follow-up and recall tasks, lists by the location's local days, and
// the location's cancel reasons.
//
// Every method acts at the viewer's active location, as the viewer: the
// ent privacy rules decide what they may do. A method runs in the
// transaction of its context when there is one (a GraphQL mutation) and in
// its own transaction otherwise, so a change and its history, stage move
// and tasks are written together or not at all.
package bookings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/clock"

	"entgo.io/ent/dialect"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/bookingevent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Stages moves a contact between pipeline stages; the pipeline service
// implements it, validating the move and recording the stage history.
type Stages interface {
	Move(ctx context.Context, contactID pulid.ID, to contact.Stage, reason string) (*ent.Contact, error)
}

// Tasks creates tasks; the tasks service implements it, including
// auto-assignment by skill and workload.
type Tasks interface {
	Create(ctx context.Context, in tasks.NewTask) (*ent.Task, error)
}

// MaxLength is the longest a booking may last. Nothing the clinics offer
// takes longer; a longer booking is a typing mistake (a wrong day or AM/PM)
// that would block a machine for a day.
const MaxLength = 12 * time.Hour

// FollowUpSkill is the skill a no-show follow-up and a recall need: they
// are phone calls.
const FollowUpSkill = "calls"

// Service runs bookings. Client, Stages, Tasks and Now are required.
type Service struct {
	Client *ent.Client
	// Stages moves the contact's pipeline stage as bookings change.
	Stages Stages
	// Tasks creates the no-show follow-up and recall tasks.
	Tasks Tasks
	// Now is the clock.
	Now clock.Clock
	// Outbox writes booking.created, .confirmed, .rescheduled, .cancelled,
	// .completed and .no_show in the change's transaction; nil writes none.
	Outbox *events.Outbox
	// Dialect is the database's (dialect.SQLite or dialect.Postgres). On
	// PostgreSQL a write that checks for conflicts first locks the
	// location's row: two transactions could otherwise both find a slot
	// free and both book it. SQLite transactions are immediate (one writer
	// at a time), so they need no lock.
	Dialect string
}

// NewBooking is what Create needs. Zero values take the defaults noted.
type NewBooking struct {
	ContactID pulid.ID
	ServiceID pulid.ID
	StartsAt  time.Time
	// EndsAt defaults to StartsAt plus the service's duration.
	EndsAt  time.Time
	StaffID *pulid.ID
	// Source defaults to manual.
	Source     booking.Source
	ExternalID *string
	Notes      string
	// PriceCents defaults to the service's price.
	PriceCents *int
	// Past records a visit that has already happened, with its outcome; a
	// booking that has ended by now is refused without it, so nothing in
	// the past is created as if it were still to come.
	Past *PastVisit
}

// Outcomes of a past visit.
const (
	PastCompleted = "completed"
	PastNoShow    = "no_show"
	PastCancelled = "cancelled"
)

// PastVisit is what happened at a visit recorded after it ended.
type PastVisit struct {
	// Outcome is PastCompleted, PastNoShow or PastCancelled.
	Outcome string
	// CancelReason is the reason of a cancelled one (default "Recorded
	// after the visit").
	CancelReason string
}

// NewBookingFrom reads the generated GraphQL create input (createBooking)
// as a NewBooking. A new booking starts pending, so any other status is
// INVALID: confirming, completing and cancelling go through the state
// machine's own operations.
func NewBookingFrom(in ent.CreateBookingInput) (NewBooking, error) {
	if in.Status != nil && *in.Status != booking.StatusPending {
		return NewBooking{}, apperr.Invalidf("status", "a new booking starts pending; confirm it with confirmBooking")
	}
	nb := NewBooking{
		ContactID: in.ContactID, ServiceID: in.ServiceID, StaffID: in.StaffID,
		StartsAt: in.StartsAt, EndsAt: in.EndsAt,
		ExternalID: in.ExternalID, PriceCents: in.PriceCents,
	}
	if in.Notes != nil {
		nb.Notes = *in.Notes
	}
	if in.Source != nil {
		nb.Source = *in.Source
	}
	return nb, nil
}

// op is one operation's transaction and the location it acts at.
type op struct {
	ctx context.Context // carries the transaction and the viewer
	c   *ent.Client     // the transaction's client
	loc *ent.Location
	tz  *time.Location
	now time.Time
	// actor is the signed-in user, if a person acts.
	actor *pulid.ID
}

// run runs fn in the context's transaction, or in a new one committed when
// fn succeeds. The transaction's client goes into the context, so the
// pipeline and tasks services called from fn write in it too.
func (s *Service) run(ctx context.Context, fn func(o *op) error) error {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return err
	}
	if s.Stages == nil || s.Tasks == nil {
		// A booking service without them would silently skip stage moves
		// and follow-up tasks.
		return errors.New("bookings: Stages and Tasks must be set")
	}
	return txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		loc, err := c.Location.Get(ctx, v.LocationID)
		if err != nil {
			return err
		}
		tz, err := zone(loc.Timezone)
		if err != nil {
			return err
		}
		o := &op{ctx: ctx, c: c, loc: loc, tz: tz, now: s.Now.Now()}
		if v.UserID != "" {
			id := v.UserID
			o.actor = &id
		}
		return fn(o)
	})
}

// lock serialises the conflict check and the write that follows it with
// every other booking write at the location (PostgreSQL only; see Dialect).
func (s *Service) lock(o *op) error {
	if s.Dialect != dialect.Postgres {
		return nil
	}
	_, err := o.c.Location.Query().Where(location.ID(o.loc.ID)).ForUpdate().Only(viewer.Integrity.Grant(o.ctx, ""))
	return err
}

// load reads a booking with its service and contact. A booking of another
// location is not found.
func (s *Service) load(o *op, id pulid.ID) (*ent.Booking, error) {
	b, err := o.c.Booking.Query().Where(booking.ID(id)).WithService().WithContact().Only(o.ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("id", "booking %s not found", id)
	}
	return b, err
}

// Get returns a booking of the active location.
func (s *Service) Get(ctx context.Context, id pulid.ID) (*ent.Booking, error) {
	b, err := s.client(ctx).Booking.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("id", "booking %s not found", id)
	}
	return b, err
}

func (s *Service) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}

// Create books a contact for a service. The booking starts pending. It is
// refused with INVALID when the times are wrong (no start, the end not
// after the start, longer than MaxLength) or the service is no longer
// offered, with NOT_FOUND when the contact, service or staff member is not
// at this location, and with CONFLICT when the service's resource or the
// staff member is already booked at that time, or another booking has the
// same source and external ID (an empty external ID is none). A contact
// still in the lead pipeline moves to booked.
func (s *Service) Create(ctx context.Context, in NewBooking) (*ent.Booking, error) {
	var out *ent.Booking
	err := s.run(ctx, func(o *op) error {
		svc, err := activeService(o, in.ServiceID)
		if err != nil {
			return err
		}
		ct, err := o.c.Contact.Get(o.ctx, in.ContactID)
		if ent.IsNotFound(err) {
			return apperr.NotFoundf("contactID", "contact %s not found", in.ContactID)
		} else if err != nil {
			return err
		}
		if ct.ArchivedAt != nil {
			return apperr.Invalidf("contactID", "%s is archived; restore the contact first", normalize.FullName(ct.FirstName, ct.LastName))
		}
		start := clean(in.StartsAt)
		end := clean(in.EndsAt)
		if end.IsZero() && !start.IsZero() {
			end = start.Add(time.Duration(svc.DurationMinutes) * time.Minute)
		}
		if err := checkTimes(start, end); err != nil {
			return err
		}
		if err := checkPast(o, in.Past, start, end); err != nil {
			return err
		}
		price := svc.PriceCents
		if in.PriceCents != nil {
			if *in.PriceCents < 0 {
				return apperr.Invalidf("priceCents", "cannot be negative")
			}
			price = *in.PriceCents
		}
		source := in.Source
		if source == "" {
			source = booking.SourceManual
		}
		if err := booking.SourceValidator(source); err != nil {
			return apperr.Invalidf("source", "unknown source %q", source)
		}
		if err := s.lock(o); err != nil {
			return err
		}
		externalID := noEmpty(in.ExternalID)
		if err := s.uniqueExternalID(o, source, externalID, ""); err != nil {
			return err
		}
		if err := s.checkConflicts(o, svc.Resource, in.StaffID, start, end, ""); err != nil {
			return err
		}
		b, err := o.c.Booking.Create().
			SetContactID(ct.ID).SetServiceID(svc.ID).SetNillableStaffID(in.StaffID).
			SetStartsAt(start).SetEndsAt(end).SetStatus(booking.StatusPending).
			SetSource(source).SetNillableExternalID(externalID).
			SetPriceCents(price).SetNotes(in.Notes).
			Save(o.ctx)
		if err != nil {
			return err
		}
		b.Edges.Service, b.Edges.Contact = svc, ct
		err = s.record(o, b, change{
			kind:    bookingevent.KindCreated,
			summary: fmt.Sprintf("Booked %s for %s", svc.Name, o.when(start)),
			to:      &span{start, end},
		})
		if err != nil {
			return err
		}
		// A lead with an appointment is booked, and so is a recalled
		// patient whose recall turned into a booking; a contact already
		// further along (preparing for or just after another appointment,
		// a partner) stays where they are.
		if (ct.Pipeline == contact.PipelineLead && ct.Stage != contact.StageBooked) || ct.Stage == contact.StageRecalled {
			if err := s.move(o, ct, contact.StageBooked, "Booked "+svc.Name+" for "+o.when(start)); err != nil {
				return err
			}
		}
		out = b
		if in.Past != nil {
			out, err = s.recordOutcome(o, b, in.Past)
		}
		return err
	})
	return detach(out), err
}

// checkPast refuses a booking that has already ended unless it is recorded
// as a past visit, and a past visit that has not ended.
func checkPast(o *op, past *PastVisit, start, end time.Time) error {
	ended := !end.After(o.now)
	switch {
	case ended && past == nil:
		return apperr.Invalidf("pastVisit", "%s has already passed: to record a visit that happened, say how it went (completed, no-show or cancelled)", o.when(start))
	case !ended && past != nil:
		return apperr.Invalidf("pastVisit", "the booking at %s has not ended yet: book it as usual", o.when(start))
	case past != nil && past.Outcome != PastCompleted && past.Outcome != PastNoShow && past.Outcome != PastCancelled:
		return apperr.Invalidf("pastVisit", "say how the visit went: completed, no_show or cancelled")
	}
	return nil
}

// recordOutcome takes a past visit just created to its outcome through the
// state machine's own steps, in the same transaction, so its history,
// stage moves and follow-up tasks are those of a visit recorded live.
func (s *Service) recordOutcome(o *op, b *ent.Booking, past *PastVisit) (*ent.Booking, error) {
	if past.Outcome == PastCancelled {
		reason := past.CancelReason
		if strings.TrimSpace(reason) == "" {
			reason = "Recorded after the visit"
		}
		return s.Cancel(o.ctx, b.ID, reason)
	}
	if _, err := s.Confirm(o.ctx, b.ID); err != nil {
		return nil, err
	}
	if past.Outcome == PastNoShow {
		out, _, err := s.MarkNoShow(o.ctx, b.ID)
		return out, err
	}
	return s.Complete(o.ctx, b.ID)
}

// Confirm confirms a pending booking: the patient has agreed and the
// clinic has checked the referral. A contact still in the lead pipeline
// moves to confirmed (pre-appointment).
func (s *Service) Confirm(ctx context.Context, id pulid.ID) (*ent.Booking, error) {
	var out *ent.Booking
	err := s.run(ctx, func(o *op) error {
		b, err := s.load(o, id)
		if err != nil {
			return err
		}
		to, err := Next(b.Status, ActionConfirm)
		if err != nil {
			return err
		}
		if out, err = o.c.Booking.UpdateOne(b).SetStatus(to).SetConfirmedAt(o.now).Save(o.ctx); err != nil {
			return err
		}
		svc, ct := b.Edges.Service, b.Edges.Contact
		out.Edges = b.Edges
		if err := s.record(o, out, change{
			kind:    bookingevent.KindConfirmed,
			summary: fmt.Sprintf("Confirmed %s for %s", svc.Name, o.when(b.StartsAt)),
		}); err != nil {
			return err
		}
		// Contacts in pre-appointment are already confirmed or further
		// (reminded, ready); after-care and partnership are not about this
		// appointment.
		if ct.Pipeline == contact.PipelineLead {
			return s.move(o, ct, contact.StageConfirmed, "Confirmed "+svc.Name+" for "+o.when(b.StartsAt))
		}
		return nil
	})
	return detach(out), err
}

// Complete records that the patient attended a confirmed booking. The
// contact moves to completed (post-appointment), and when the service asks
// for a recall a recall task is created, due the service's recall months
// later.
func (s *Service) Complete(ctx context.Context, id pulid.ID) (*ent.Booking, error) {
	b, _, err := s.CompleteWithRecall(ctx, id)
	return b, err
}

// CompleteWithRecall is Complete that also returns the recall task (nil
// when the service has no recall).
func (s *Service) CompleteWithRecall(ctx context.Context, id pulid.ID) (*ent.Booking, *ent.Task, error) {
	var out *ent.Booking
	var recall *ent.Task
	err := s.run(ctx, func(o *op) error {
		b, err := s.load(o, id)
		if err != nil {
			return err
		}
		to, err := Next(b.Status, ActionComplete)
		if err != nil {
			return err
		}
		if err := o.started(b, "completed"); err != nil {
			return err
		}
		if out, err = o.c.Booking.UpdateOne(b).SetStatus(to).SetCompletedAt(o.now).Save(o.ctx); err != nil {
			return err
		}
		svc, ct := b.Edges.Service, b.Edges.Contact
		out.Edges = b.Edges
		if err := s.record(o, out, change{
			kind:    bookingevent.KindCompleted,
			summary: fmt.Sprintf("Attended %s on %s", svc.Name, o.when(b.StartsAt)),
		}); err != nil {
			return err
		}
		// An attended appointment starts a new after-care round (results to
		// send, a recall), even for a contact who was at results_sent or
		// recalled after an earlier one. Partners (GP practices) are not
		// patients.
		if ct.Pipeline != contact.PipelinePartnership && ct.Stage != contact.StageCompleted {
			if err := s.move(o, ct, contact.StageCompleted, "Attended "+svc.Name+" on "+o.when(b.StartsAt)); err != nil {
				return err
			}
		}
		if svc.RecallMonths > 0 {
			// Counted from the appointment, not from when it was marked
			// completed: the recall interval is clinical.
			due := o.recallDue(b.StartsAt, svc.RecallMonths)
			// Left unassigned (with the skill, so auto-assignment can pick
			// someone when it is due): who works here in a year is not
			// known today.
			recall, err = s.Tasks.Create(o.ctx, tasks.NewTask{
				Title: normalize.Truncate(fmt.Sprintf("Recall %s: %s", normalize.FullName(ct.FirstName, ct.LastName), svc.Name), 200),
				Description: fmt.Sprintf("Attended %s on %s. The %d-month recall is due: call to book the follow-up.",
					svc.Name, o.when(b.StartsAt), svc.RecallMonths),
				ContactID: &ct.ID,
				BookingID: &b.ID,
				Kind:      task.KindRecall,
				Skill:     ptr(FollowUpSkill),
				DueAt:     &due,
			})
			if err != nil {
				return fmt.Errorf("recall task: %w", err)
			}
		}
		return nil
	})
	return detach(out), recall, err
}

// MarkNoShow records that the patient missed a confirmed booking and
// creates a follow-up call, due the next business morning at 09:00 in the
// location's zone and assigned to someone with the calls skill; when
// nobody has it the task is created unassigned rather than failing the
// no-show. A contact whose only upcoming appointment this was moves back
// to qualified.
func (s *Service) MarkNoShow(ctx context.Context, id pulid.ID) (*ent.Booking, *ent.Task, error) {
	var out *ent.Booking
	var follow *ent.Task
	err := s.run(ctx, func(o *op) error {
		b, err := s.load(o, id)
		if err != nil {
			return err
		}
		to, err := Next(b.Status, ActionNoShow)
		if err != nil {
			return err
		}
		if err := o.started(b, "marked as a no-show"); err != nil {
			return err
		}
		if out, err = o.c.Booking.UpdateOne(b).SetStatus(to).Save(o.ctx); err != nil {
			return err
		}
		svc, ct := b.Edges.Service, b.Edges.Contact
		out.Edges = b.Edges
		if err := s.record(o, out, change{
			kind:    bookingevent.KindNoShow,
			summary: fmt.Sprintf("Did not attend %s on %s", svc.Name, o.when(b.StartsAt)),
		}); err != nil {
			return err
		}
		if err := s.moveBack(o, b, "Did not attend "+svc.Name+" on "+o.when(b.StartsAt)); err != nil {
			return err
		}
		due := o.nextBusinessMorning(o.now)
		nt := tasks.NewTask{
			Title: normalize.Truncate("Follow up no-show: "+normalize.FullName(ct.FirstName, ct.LastName), 200),
			Description: fmt.Sprintf("Missed %s on %s. Call to rebook and check the referral is still valid.",
				svc.Name, o.when(b.StartsAt)),
			ContactID:  &ct.ID,
			BookingID:  &b.ID,
			Kind:       task.KindNoShowFollowUp,
			Skill:      ptr(FollowUpSkill),
			DueAt:      &due,
			AutoAssign: true,
			// No priority: the tasks service computes it (a no-show
			// follow-up is at least high) and raises it as the task
			// falls due.
		}
		follow, err = s.Tasks.Create(o.ctx, nt)
		if err != nil && nobodyToAssign(err) {
			slog.WarnContext(o.ctx, "no-show follow-up created unassigned", "booking", b.ID, "reason", err)
			nt.AutoAssign = false
			follow, err = s.Tasks.Create(o.ctx, nt)
		}
		if err != nil {
			return fmt.Errorf("no-show follow-up: %w", err)
		}
		return nil
	})
	return detach(out), follow, err
}

// detach drops the edges loaded while changing a booking: the contact's
// may predate its stage move, and a caller (a GraphQL selection) must load
// them fresh.
func detach(b *ent.Booking) *ent.Booking {
	if b != nil {
		b.Edges = ent.BookingEdges{}
	}
	return b
}

// nobodyToAssign reports whether the tasks service refused a task because
// auto-assignment found nobody to take it: it answers CONFLICT, before
// writing anything, so the same transaction can go on. (A database
// constraint error is not an *apperr.Error and is not retried.)
func nobodyToAssign(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Code == apperr.Conflict
}

// Cancel cancels a pending or confirmed booking. The reason is required
// (at most 500 bytes): one of the location's cancel reasons, matched
// without regard to case and stored in its standard spelling, or free
// text. A contact whose only upcoming appointment this was moves back to
// qualified.
func (s *Service) Cancel(ctx context.Context, id pulid.ID, reason string) (*ent.Booking, error) {
	var out *ent.Booking
	err := s.run(ctx, func(o *op) error {
		b, err := s.load(o, id)
		if err != nil {
			return err
		}
		to, err := Next(b.Status, ActionCancel)
		if err != nil {
			return err
		}
		reason, err := s.cancelReason(o, reason)
		if err != nil {
			return err
		}
		if out, err = o.c.Booking.UpdateOne(b).SetStatus(to).SetCancelReason(reason).SetCancelledAt(o.now).Save(o.ctx); err != nil {
			return err
		}
		svc := b.Edges.Service
		out.Edges = b.Edges
		if err := s.record(o, out, change{
			kind:    bookingevent.KindCancelled,
			summary: fmt.Sprintf("Cancelled %s for %s: %s", svc.Name, o.when(b.StartsAt), reason),
			reason:  reason,
		}); err != nil {
			return err
		}
		return s.moveBack(o, b, "Cancelled "+svc.Name+" for "+o.when(b.StartsAt))
	})
	return detach(out), err
}

// Reschedule moves a pending or confirmed booking to a new time; end nil
// keeps its length. The new time is checked for conflicts (the booking
// itself aside), and the earlier time stays in the booking's history.
func (s *Service) Reschedule(ctx context.Context, id pulid.ID, start time.Time, end *time.Time) (*ent.Booking, error) {
	var out *ent.Booking
	err := s.run(ctx, func(o *op) error {
		b, err := s.load(o, id)
		if err != nil {
			return err
		}
		if _, err := Next(b.Status, ActionReschedule); err != nil {
			return err
		}
		start = clean(start)
		e := start.Add(b.EndsAt.Sub(b.StartsAt))
		if end != nil {
			e = clean(*end)
		}
		if err := checkTimes(start, e); err != nil {
			return err
		}
		if start.Equal(b.StartsAt) && e.Equal(b.EndsAt) {
			return apperr.Invalidf("startsAt", "the booking is already at %s", o.when(start))
		}
		if err := s.lock(o); err != nil {
			return err
		}
		if err := s.checkConflicts(o, b.Edges.Service.Resource, b.StaffID, start, e, b.ID); err != nil {
			return err
		}
		out, err = s.reschedule(o, b, start, e)
		return err
	})
	return detach(out), err
}

// reschedule writes a checked new time and its history.
func (s *Service) reschedule(o *op, b *ent.Booking, start, end time.Time) (*ent.Booking, error) {
	out, err := o.c.Booking.UpdateOne(b).SetStartsAt(start).SetEndsAt(end).Save(o.ctx)
	if err != nil {
		return nil, err
	}
	out.Edges = b.Edges
	err = s.record(o, out, change{
		kind:    bookingevent.KindRescheduled,
		summary: fmt.Sprintf("Rescheduled %s from %s to %s", b.Edges.Service.Name, o.when(b.StartsAt), o.when(start)),
		from:    &span{b.StartsAt, b.EndsAt},
		to:      &span{start, end},
	})
	return out, err
}

// Update changes a booking's details: service, staff member, price,
// notes, source and external ID. The status never changes here (INVALID:
// use Confirm, Cancel, Complete or MarkNoShow); a new time goes through
// the state machine as a reschedule; the contact cannot change (INVALID: a
// booking belongs to one patient, so cancel it and book the other). A
// status or time equal to the current one is no change. Changes to an
// active booking's time, service or staff member are checked for
// conflicts, and a new source or external ID for duplicates, as Create
// does.
func (s *Service) Update(ctx context.Context, id pulid.ID, in ent.UpdateBookingInput) (*ent.Booking, error) {
	var out *ent.Booking
	err := s.run(ctx, func(o *op) error {
		b, err := s.load(o, id)
		if err != nil {
			return err
		}
		if in.Status != nil && *in.Status != b.Status {
			return apperr.Invalidf("status", "a booking's status changes through confirmBooking, cancelBooking, completeBooking and markNoShow, which keep its history; it is %s", b.Status)
		}
		if in.ContactID != nil && *in.ContactID != b.ContactID {
			return apperr.Invalidf("contactID", "a booking belongs to one patient: cancel it and book the other patient")
		}
		start, end := b.StartsAt, b.EndsAt
		if in.StartsAt != nil {
			start = clean(*in.StartsAt)
			if in.EndsAt == nil {
				end = start.Add(b.EndsAt.Sub(b.StartsAt))
			}
		}
		if in.EndsAt != nil {
			end = clean(*in.EndsAt)
		}
		moved := !start.Equal(b.StartsAt) || !end.Equal(b.EndsAt)
		if moved {
			if _, err := Next(b.Status, ActionReschedule); err != nil {
				return err
			}
			if err := checkTimes(start, end); err != nil {
				return err
			}
		}
		svc := b.Edges.Service
		if in.ServiceID != nil && *in.ServiceID != b.ServiceID {
			if svc, err = activeService(o, *in.ServiceID); err != nil {
				return err
			}
		}
		staff := b.StaffID
		if in.ClearStaff {
			staff = nil
		}
		if in.StaffID != nil {
			staff = in.StaffID
		}
		if in.PriceCents != nil && *in.PriceCents < 0 {
			return apperr.Invalidf("priceCents", "cannot be negative")
		}
		if in.ExternalID != nil && *in.ExternalID == "" {
			in.ExternalID, in.ClearExternalID = nil, true
		}
		if in.ExternalID != nil || in.Source != nil {
			source, externalID := b.Source, b.ExternalID
			if in.Source != nil {
				source = *in.Source
			}
			if in.ClearExternalID {
				externalID = nil
			}
			if in.ExternalID != nil {
				externalID = in.ExternalID
			}
			if err := s.uniqueExternalID(o, source, externalID, b.ID); err != nil {
				return err
			}
		}
		restaffed := !samePtr(staff, b.StaffID)
		if Active(b.Status) && (moved || svc.ID != b.ServiceID || restaffed) {
			if err := s.lock(o); err != nil {
				return err
			}
			if err := s.checkConflicts(o, svc.Resource, staff, start, end, b.ID); err != nil {
				return err
			}
		}
		cur := b
		if moved {
			if cur, err = s.reschedule(o, b, start, end); err != nil {
				return err
			}
		}
		// What is left are plain details.
		in.Status, in.ContactID, in.StartsAt, in.EndsAt = nil, nil, nil, nil
		up := o.c.Booking.UpdateOne(cur)
		in.Mutate(up.Mutation())
		changed := changedFields(up.Mutation(), cur)
		if len(changed) == 0 {
			out = cur
			return nil
		}
		if out, err = up.Save(o.ctx); err != nil {
			return err
		}
		out.Edges = cur.Edges
		out.Edges.Service = svc
		return s.record(o, out, change{
			kind:    bookingevent.KindUpdated,
			summary: fmt.Sprintf("Updated %s on %s: %s", svc.Name, o.when(out.StartsAt), strings.Join(changed, ", ")),
			reason:  "changed " + strings.Join(changed, ", "),
		})
	})
	return detach(out), err
}

// changedFields names the fields m really changes on b, in the API's
// terms; setting a field to its current value is no change.
func changedFields(m *ent.BookingMutation, b *ent.Booking) []string {
	var out []string
	if v, ok := m.ServiceID(); ok && v != b.ServiceID {
		out = append(out, "service")
	}
	if v, ok := m.StaffID(); ok && (b.StaffID == nil || *b.StaffID != v) {
		out = append(out, "staff")
	} else if m.StaffIDCleared() && b.StaffID != nil {
		out = append(out, "staff")
	}
	if v, ok := m.PriceCents(); ok && v != b.PriceCents {
		out = append(out, "price")
	}
	if v, ok := m.Notes(); ok && v != b.Notes {
		out = append(out, "notes")
	}
	if v, ok := m.Source(); ok && v != b.Source {
		out = append(out, "source")
	}
	if v, ok := m.ExternalID(); ok && (b.ExternalID == nil || *b.ExternalID != v) {
		out = append(out, "external ID")
	} else if m.ExternalIDCleared() && b.ExternalID != nil {
		out = append(out, "external ID")
	}
	return out
}

// History returns a booking's events, oldest first.
func (s *Service) History(ctx context.Context, id pulid.ID) ([]*ent.BookingEvent, error) {
	b, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.Events(ctx, b)
}

// Events returns the events of a booking the caller has already read,
// oldest first.
func (s *Service) Events(ctx context.Context, b *ent.Booking) ([]*ent.BookingEvent, error) {
	return s.client(ctx).BookingEvent.Query().Where(bookingevent.BookingID(b.ID)).
		Order(bookingevent.ByAt(), bookingevent.ByID()).All(ctx)
}

// uniqueExternalID returns CONFLICT, with details {conflictWith: id}, when
// another booking of the location (other than self) has the same source
// and external ID. It is checked first rather than left to the unique
// index: a failed write aborts a PostgreSQL transaction, and the caller
// deserves the ID of the booking it duplicates.
func (s *Service) uniqueExternalID(o *op, source booking.Source, externalID *string, self pulid.ID) error {
	if externalID == nil {
		return nil
	}
	q := o.c.Booking.Query().
		Where(booking.LocationID(o.loc.ID), booking.SourceEQ(source), booking.ExternalID(*externalID))
	if self != "" {
		q.Where(booking.IDNEQ(self))
	}
	dup, err := q.FirstID(viewer.Integrity.Grant(o.ctx, ""))
	switch {
	case err == nil:
		return &apperr.Error{Code: apperr.Conflict, Field: "externalID",
			Message: fmt.Sprintf("a %s booking with external ID %q already exists", source, *externalID),
			Details: map[string]any{"conflictWith": string(dup)}}
	case ent.IsNotFound(err):
		return nil
	}
	return err
}

// noEmpty is nil for an empty string: an empty external ID is none.
func noEmpty(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// activeService reads a service a booking is for: NOT_FOUND when it is not
// at this location, INVALID when it is no longer offered.
func activeService(o *op, id pulid.ID) (*ent.Service, error) {
	svc, err := o.c.Service.Get(o.ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("serviceID", "service %s not found", id)
	} else if err != nil {
		return nil, err
	}
	if !svc.Active {
		return nil, apperr.Invalidf("serviceID", "%s is no longer offered", svc.Name)
	}
	return svc, nil
}

// checkConflicts returns CONFLICT, with details {conflictWith: id}, when a
// pending or confirmed booking (other than self) overlaps [start, end) on
// the same resource or with the same staff member. Intervals are half
// open: one booking may end at 10:30 and the next start at 10:30.
// Cancelled, completed and no-show bookings hold no time.
//
// The check reads every booking of the location whatever the viewer may
// read: a slot is taken whether or not the viewer can see who took it.
func (s *Service) checkConflicts(o *op, resource string, staffID *pulid.ID, start, end time.Time, self pulid.ID) error {
	all := viewer.Integrity.Grant(o.ctx, "")
	overlapping := []predicate.Booking{
		booking.LocationID(o.loc.ID),
		booking.StatusIn(booking.StatusPending, booking.StatusConfirmed),
		booking.StartsAtLT(end),
		booking.EndsAtGT(start),
	}
	if self != "" {
		overlapping = append(overlapping, booking.IDNEQ(self))
	}
	if resource != "" {
		other, err := o.c.Booking.Query().Where(overlapping...).
			Where(booking.HasServiceWith(service.Resource(resource))).
			Order(booking.ByStartsAt(), booking.ByID()).First(all)
		switch {
		case err == nil:
			return &apperr.Error{Code: apperr.Conflict, Field: "startsAt",
				Message: fmt.Sprintf("%s is already booked from %s to %s", resource, o.when(other.StartsAt), o.clock(other.EndsAt)),
				Details: map[string]any{"conflictWith": string(other.ID)}}
		case !ent.IsNotFound(err):
			return err
		}
	}
	if staffID != nil {
		other, err := o.c.Booking.Query().Where(overlapping...).Where(booking.StaffID(*staffID)).
			Order(booking.ByStartsAt(), booking.ByID()).First(all)
		switch {
		case err == nil:
			return &apperr.Error{Code: apperr.Conflict, Field: "staffID",
				Message: fmt.Sprintf("the staff member already has a booking from %s to %s", o.when(other.StartsAt), o.clock(other.EndsAt)),
				Details: map[string]any{"conflictWith": string(other.ID)}}
		case !ent.IsNotFound(err):
			return err
		}
	}
	return nil
}

// span is a booking's times.
type span struct{ start, end time.Time }

// change is one entry of a booking's history.
type change struct {
	kind     bookingevent.Kind
	summary  string
	reason   string
	from, to *span
}

// record writes a change to the booking's history and, as a booking_event
// touchpoint, to the contact's timeline.
//
// Both rows are written past the permission rules (still at the viewer's
// location and in the viewer's name): they are the record of a change the
// viewer was allowed to make, and a role that may confirm bookings must not
// be refused because it may not write touchpoints by hand.
func (s *Service) record(o *op, b *ent.Booking, ch change) error {
	ctx := viewer.Consequences.Grant(o.ctx, "")
	ev := o.c.BookingEvent.Create().SetBookingID(b.ID).SetKind(ch.kind).SetAt(o.now).SetNillableActorID(o.actor)
	if cause, ok := causeOf(o.ctx); ok {
		// An automatic change from a patient's SMS names the message.
		ch.summary = cause.describe(ch.summary)
		if ch.reason == "" {
			ch.reason = ch.summary
		} else {
			ch.reason = cause.describe(ch.reason)
		}
		ev.SetMessageID(cause.MessageID)
	}
	ev.SetReason(normalize.Truncate(ch.reason, 500))
	if ch.from != nil {
		ev.SetFromStartsAt(ch.from.start).SetFromEndsAt(ch.from.end)
	}
	if ch.to != nil {
		ev.SetToStartsAt(ch.to.start).SetToEndsAt(ch.to.end)
	}
	if err := ev.Exec(ctx); err != nil {
		return err
	}
	err := o.c.Touchpoint.Create().SetContactID(b.ContactID).SetBookingID(b.ID).
		SetKind(touchpoint.KindBookingEvent).SetSummary(normalize.Truncate(ch.summary, 500)).
		SetOccurredAt(o.now).SetNillableActorID(o.actor).
		Exec(ctx)
	if err != nil {
		return err
	}
	typ, ok := eventTypes[ch.kind]
	if !ok {
		return nil
	}
	data := map[string]any{"status": string(b.Status), "starts_at": b.StartsAt.UTC().Format(time.RFC3339)}
	if ch.from != nil {
		data["from_starts_at"] = ch.from.start.UTC().Format(time.RFC3339)
	}
	if ch.reason != "" {
		data["reason"] = ch.reason
	}
	return s.Outbox.Emit(o.ctx, o.c, events.Event{
		Type: typ, LocationID: b.LocationID, Subject: b.ID, ContactID: b.ContactID, BookingID: b.ID, Data: data,
	})
}

// eventTypes are the automation events of a booking's history kinds; a
// change of details (updated) raises none.
var eventTypes = map[bookingevent.Kind]string{
	bookingevent.KindCreated:     events.BookingCreated,
	bookingevent.KindConfirmed:   events.BookingConfirmed,
	bookingevent.KindRescheduled: events.BookingRescheduled,
	bookingevent.KindCancelled:   events.BookingCancelled,
	bookingevent.KindCompleted:   events.BookingCompleted,
	bookingevent.KindNoShow:      events.BookingNoShow,
}

// move asks the pipeline to move the contact. The pipeline's rules decide:
// when it refuses the move (INVALID), the booking change still stands (a
// patient's cancellation cannot be refused because of the sales pipeline),
// and the refusal is logged.
func (s *Service) move(o *op, ct *ent.Contact, to contact.Stage, reason string) error {
	_, err := s.Stages.Move(o.ctx, ct.ID, to, normalize.Truncate(reason, 300))
	if err != nil && apperr.CodeOf(err) == apperr.Invalid {
		slog.WarnContext(o.ctx, "bookings: pipeline refused a stage move", "contact", ct.ID, "from", ct.Stage, "to", to, "err", err)
		return nil
	}
	return err
}

// appointmentStages are the stages that mean "has an appointment coming".
var appointmentStages = map[contact.Stage]bool{
	contact.StageBooked: true, contact.StageConfirmed: true, contact.StageReminded: true, contact.StageReady: true,
}

// moveBack returns a contact to qualified after a cancellation or a
// no-show, when they have no other upcoming booking: they are still a
// patient to win back, but no longer booked.
func (s *Service) moveBack(o *op, b *ent.Booking, reason string) error {
	ct := b.Edges.Contact
	if !appointmentStages[ct.Stage] {
		return nil
	}
	other, err := o.c.Booking.Query().Where(
		booking.ContactID(ct.ID), booking.IDNEQ(b.ID),
		booking.StatusIn(booking.StatusPending, booking.StatusConfirmed),
		booking.EndsAtGT(o.now),
	).Exist(viewer.Integrity.Grant(o.ctx, ""))
	if err != nil || other {
		return err
	}
	return s.move(o, ct, contact.StageQualified, reason)
}

// started refuses to record the outcome of an appointment that has not
// begun: marking tomorrow's booking as a no-show would call the patient
// about an appointment they have not missed.
func (o *op) started(b *ent.Booking, what string) error {
	if !Started(b, o.now) {
		return &apperr.Error{Code: apperr.Invalid, Field: "status",
			Message: fmt.Sprintf("the appointment at %s has not started yet, so it cannot be %s", o.when(b.StartsAt), what)}
	}
	return nil
}

// checkTimes validates a booking's times.
func checkTimes(start, end time.Time) error {
	switch {
	case start.IsZero():
		return apperr.Invalidf("startsAt", "is required")
	case !end.After(start):
		return apperr.Invalidf("endsAt", "must be after the start")
	case end.Sub(start) > MaxLength:
		return apperr.Invalidf("endsAt", "a booking lasts at most %d hours", int(MaxLength.Hours()))
	}
	return nil
}

// clean returns t in UTC without fractions of a second: appointments are
// not timed that finely, and SQLite compares stored times as text, which
// orders them correctly only at one precision.
func clean(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Second)
}

func samePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func ptr[T any](v T) *T { return &v }

// zones caches loaded time zones by name.
var zones sync.Map

func zone(name string) (*time.Location, error) {
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), nil
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("location time zone %q: %w", name, err)
	}
	zones.Store(name, z)
	return z, nil
}
