package bookings_test

import (
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/bookingevent"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
)

// TestPastVisit: a booking whose time has passed is refused (INVALID on
// pastVisit, nothing written) unless it says how the visit went; then it is
// recorded with that outcome through the state machine's own steps, with
// their history. A past-visit outcome for a booking still to come is
// refused; an unknown outcome is refused.
func TestPastVisit(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	yesterday := now.Add(-24 * time.Hour).Truncate(time.Hour)
	ct := f.contact(t)
	svc := f.service(t, "X-Ray Chest")
	create := func(start time.Time, past *bookings.PastVisit) (*booking.Status, []bookingevent.Kind, error) {
		b, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: ct.ID, ServiceID: svc.ID, StartsAt: start, Past: past})
		if err != nil {
			return nil, nil, err
		}
		return &b.Status, kinds(f.events(t, b.ID)), nil
	}
	before, err := f.c.Booking.Query().Count(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := create(yesterday, nil); apperr.CodeOf(err) != apperr.Invalid || apperr.From(err).Field != "pastVisit" {
		t.Fatalf("a booking yesterday without an outcome: %v", err)
	}
	if after, _ := f.c.Booking.Query().Count(f.ctx); after != before {
		t.Fatal("the refused booking was written")
	}
	if _, _, err := create(now.Add(48*time.Hour), &bookings.PastVisit{Outcome: bookings.PastCompleted}); apperr.CodeOf(err) != apperr.Invalid || apperr.From(err).Field != "pastVisit" {
		t.Fatalf("a future booking recorded as past: %v", err)
	}
	if _, _, err := create(yesterday, &bookings.PastVisit{Outcome: "maybe"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("an unknown outcome: %v", err)
	}
	for i, tc := range []struct {
		outcome string
		status  booking.Status
		last    bookingevent.Kind
	}{
		{bookings.PastCompleted, booking.StatusCompleted, bookingevent.KindCompleted},
		{bookings.PastNoShow, booking.StatusNoShow, bookingevent.KindNoShow},
		{bookings.PastCancelled, booking.StatusCancelled, bookingevent.KindCancelled},
	} {
		status, evs, err := create(yesterday.Add(-time.Duration(i)*24*time.Hour), &bookings.PastVisit{Outcome: tc.outcome})
		if err != nil {
			t.Fatalf("%s: %v", tc.outcome, err)
		}
		if *status != tc.status || len(evs) == 0 || evs[len(evs)-1] != tc.last || evs[0] != bookingevent.KindCreated {
			t.Errorf("%s: status %s, history %v", tc.outcome, *status, evs)
		}
	}
}
