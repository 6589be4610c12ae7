package bookings_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/bookingevent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
)

// eventOf is the history entry each action writes.
var eventOf = map[bookings.Action]bookingevent.Kind{
	bookings.ActionConfirm:    bookingevent.KindConfirmed,
	bookings.ActionComplete:   bookingevent.KindCompleted,
	bookings.ActionNoShow:     bookingevent.KindNoShow,
	bookings.ActionCancel:     bookingevent.KindCancelled,
	bookings.ActionReschedule: bookingevent.KindRescheduled,
}

// words are how a refusal names an action and a status.
var (
	actionWord = map[bookings.Action]string{
		bookings.ActionConfirm: "confirm", bookings.ActionComplete: "complete", bookings.ActionNoShow: "no-show",
		bookings.ActionCancel: "cancel", bookings.ActionReschedule: "reschedule",
	}
	statusWord = map[booking.Status]string{
		booking.StatusPending: "pending", booking.StatusConfirmed: "confirmed", booking.StatusCompleted: "completed",
		booking.StatusCancelled: "cancelled", booking.StatusNoShow: "no-show",
	}
)

// TestTransitionTable tries every action on a booking in every status,
// through the service, and holds the outcome to bookings.Transitions: an
// allowed pair changes the status as the table says and writes its event
// and touchpoint; any other pair is INVALID, names the status and the
// action, and changes nothing.
func TestTransitionTable(t *testing.T) {
	f := newFixture(t)
	// Far after every booking below, so completing and no-shows are allowed.
	f.clock.Set(local("2026-12-01", "12:00"))
	day := 0
	for _, from := range bookings.Statuses {
		for _, act := range bookings.Actions {
			start := time.Date(2026, 6, 1+day, 10, 0, 0, 0, sydney)
			day++
			t.Run(string(from)+"/"+string(act), func(t *testing.T) {
				b := f.inStatus(t, from, start)
				evBefore := f.events(t, b.ID)
				tpBefore := f.touchpoints(t, b.ID)
				to, allowed := bookings.Transitions[from][act]

				got, err := do(f, act, b.ID, start)

				if allowed {
					if err != nil {
						t.Fatalf("%s from %s: %v", act, from, err)
					}
					if got.Status != to || f.reload(t, b.ID).Status != to {
						t.Fatalf("status = %s, want %s", got.Status, to)
					}
					evs := f.events(t, b.ID)
					if len(evs) != len(evBefore)+1 || evs[len(evs)-1].Kind != eventOf[act] {
						t.Fatalf("history = %v, want %v plus %s", kinds(evs), kinds(evBefore), eventOf[act])
					}
					if tps := f.touchpoints(t, b.ID); len(tps) != len(tpBefore)+1 {
						t.Fatalf("touchpoints: %d, want %d", len(tps), len(tpBefore)+1)
					}
					return
				}
				ae := asAppErr(t, err, apperr.Invalid)
				if !strings.Contains(ae.Message, actionWord[act]) || !strings.Contains(ae.Message, statusWord[from]) {
					t.Errorf("message %q does not name the action %q and the status %q", ae.Message, actionWord[act], statusWord[from])
				}
				if ae.Details["status"] != string(from) || ae.Details["action"] != string(act) {
					t.Errorf("details = %v", ae.Details)
				}
				after := f.reload(t, b.ID)
				if after.Status != from || !after.StartsAt.Equal(b.StartsAt) || !after.EndsAt.Equal(b.EndsAt) {
					t.Errorf("refused %s changed the booking: %s %s–%s", act, after.Status, after.StartsAt, after.EndsAt)
				}
				if evs := f.events(t, b.ID); len(evs) != len(evBefore) {
					t.Errorf("refused %s wrote history: %v", act, kinds(evs))
				}
				if tps := f.touchpoints(t, b.ID); len(tps) != len(tpBefore) {
					t.Errorf("refused %s wrote a touchpoint", act)
				}
			})
		}
	}
}

// do runs an action through the service.
func do(f *fixture, act bookings.Action, id pulid.ID, start time.Time) (*ent.Booking, error) {
	switch act {
	case bookings.ActionConfirm:
		return f.svc.Confirm(f.ctx, id)
	case bookings.ActionComplete:
		return f.svc.Complete(f.ctx, id)
	case bookings.ActionNoShow:
		b, _, err := f.svc.MarkNoShow(f.ctx, id)
		return b, err
	case bookings.ActionCancel:
		return f.svc.Cancel(f.ctx, id, "Clashes with work")
	case bookings.ActionReschedule:
		return f.svc.Reschedule(f.ctx, id, start.Add(2*time.Hour), nil)
	}
	panic("unknown action " + act)
}

// TestFinalStatuses: completed, cancelled and no-show accept nothing, and
// pending and confirmed are not final.
func TestFinalStatuses(t *testing.T) {
	var final []booking.Status
	for _, s := range bookings.Statuses {
		if bookings.Final(s) {
			final = append(final, s)
		}
	}
	want := []booking.Status{booking.StatusCompleted, booking.StatusCancelled, booking.StatusNoShow}
	if !slices.Equal(final, want) {
		t.Fatalf("final statuses = %v, want %v", final, want)
	}
	for _, s := range bookings.Statuses {
		if bookings.Active(s) == bookings.Final(s) {
			t.Errorf("%s: active %v, final %v", s, bookings.Active(s), bookings.Final(s))
		}
	}
}

// TestRefusalsSayWhatToDo: the refusals a front desk meets most often say
// how to get there.
func TestRefusalsSayWhatToDo(t *testing.T) {
	cases := []struct {
		from booking.Status
		act  bookings.Action
		want string
	}{
		{booking.StatusPending, bookings.ActionComplete, "confirm it first"},
		{booking.StatusPending, bookings.ActionNoShow, "confirm it first"},
		{booking.StatusConfirmed, bookings.ActionConfirm, "already confirmed"},
		{booking.StatusCancelled, bookings.ActionReschedule, "final"},
		{booking.StatusCompleted, bookings.ActionCancel, "final"},
	}
	for _, c := range cases {
		_, err := bookings.Next(c.from, c.act)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s from %s: %v, want a message containing %q", c.act, c.from, err, c.want)
		}
	}
}

// Allowed: the transition table, and an outcome only once the appointment
// has started.
func TestAllowed(t *testing.T) {
	now := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)
	at := func(s booking.Status, start time.Time) *ent.Booking { return &ent.Booking{Status: s, StartsAt: start} }
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	for _, tc := range []struct {
		b    *ent.Booking
		a    bookings.Action
		want bool
	}{
		{at(booking.StatusConfirmed, past), bookings.ActionComplete, true},
		{at(booking.StatusConfirmed, now), bookings.ActionNoShow, true},
		{at(booking.StatusConfirmed, future), bookings.ActionComplete, false},
		{at(booking.StatusConfirmed, future), bookings.ActionNoShow, false},
		{at(booking.StatusConfirmed, future), bookings.ActionCancel, true},
		{at(booking.StatusPending, future), bookings.ActionConfirm, true},
		{at(booking.StatusCompleted, past), bookings.ActionCancel, false},
		{at(booking.StatusCancelled, past), bookings.ActionComplete, false},
	} {
		if got := bookings.Allowed(tc.b, tc.a, now); got != tc.want {
			t.Errorf("%s a %s booking starting %s: %v, want %v", tc.a, tc.b.Status, tc.b.StartsAt.Sub(now), got, tc.want)
		}
	}
}
