package bookings

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/bookingevent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// causeKey carries the message that causes a booking change.
type causeKey struct{}

// Cause is the patient's SMS behind an automatic booking change
// (internal/sms): the change's history entry names it.
type Cause struct {
	MessageID pulid.ID
	// Text is the SMS as the patient wrote it (the start of it).
	Text string
}

// WithCause marks the booking changes made with ctx as caused by an SMS.
func WithCause(ctx context.Context, c Cause) context.Context {
	return context.WithValue(ctx, causeKey{}, c)
}

func causeOf(ctx context.Context) (Cause, bool) {
	c, ok := ctx.Value(causeKey{}).(Cause)
	return c, ok
}

// describe adds the cause to a history summary.
func (c Cause) describe(summary string) string {
	t := []rune(c.Text)
	if len(t) > 120 {
		t = append(t[:119], '…')
	}
	return fmt.Sprintf("%s (from the patient's SMS %s: “%s”)", summary, c.MessageID, string(t))
}

// Revert undoes an automatic change: it puts a booking whose status is
// still from back to to (confirmed → pending, cancelled → pending or
// confirmed), and writes the undo in its history naming the cause's
// message. A booking whose status changed since is a CONFLICT, and so is
// a cancelled one whose slot has been taken meanwhile. Errors: NOT_FOUND,
// CONFLICT.
func (s *Service) Revert(ctx context.Context, id pulid.ID, from, to booking.Status, why string) error {
	return s.run(ctx, func(o *op) error {
		b, err := s.load(o, id)
		if err != nil {
			return err
		}
		if b.Status != from {
			return apperr.Conflictf("the booking is %s now, not %s: it changed since, so there is nothing to undo", b.Status, from)
		}
		up := o.c.Booking.UpdateOne(b).SetStatus(to)
		switch from {
		case booking.StatusCancelled:
			if err := s.lock(o); err != nil {
				return err
			}
			if err := s.checkConflicts(o, b.Edges.Service.Resource, b.StaffID, b.StartsAt, b.EndsAt, b.ID); err != nil {
				return err
			}
			up.ClearCancelReason().ClearCancelledAt()
		case booking.StatusConfirmed:
			up.ClearConfirmedAt()
		}
		if to == booking.StatusConfirmed && b.ConfirmedAt == nil {
			up.SetConfirmedAt(o.now)
		}
		out, err := up.Save(o.ctx)
		if err != nil {
			return err
		}
		out.Edges = b.Edges
		return s.record(o, out, change{
			kind:    bookingevent.KindUpdated,
			summary: fmt.Sprintf("%s %s for %s: back to %s", why, b.Edges.Service.Name, o.when(b.StartsAt), to),
			reason:  why,
		})
	})
}
