package bookings_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
)

// TestExternalID: an empty external ID is none (a form's empty field must
// not make the second such booking a duplicate of the first), and an
// update to another booking's external ID is refused like a create is,
// naming the booking it duplicates, with nothing changed.
func TestExternalID(t *testing.T) {
	f := newFixture(t)
	ct := f.service(t, "CT Chest")

	t.Run("EmptyIsNone", func(t *testing.T) {
		for _, hm := range []string{"08:00", "09:00"} {
			b, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: ct.ID, StartsAt: local("2026-07-01", hm), ExternalID: ptr("")})
			if err != nil {
				t.Fatal(err)
			}
			if b.ExternalID != nil {
				t.Fatalf("external ID %q stored", *b.ExternalID)
			}
		}
		b := f.book(t, "CT Chest", local("2026-07-01", "10:00"))
		if _, err := f.svc.Update(f.ctx, b.ID, ent.UpdateBookingInput{ExternalID: ptr("")}); err != nil {
			t.Fatal(err)
		}
		if got := f.reload(t, b.ID); got.ExternalID != nil {
			t.Fatalf("external ID %q stored", *got.ExternalID)
		}
	})

	t.Run("UpdateToAnothersIsConflict", func(t *testing.T) {
		first := f.book(t, "CT Chest", local("2026-07-02", "08:00"), func(nb *bookings.NewBooking) {
			nb.Source, nb.ExternalID = booking.SourceWix, ptr("wix-77")
		})
		other := f.book(t, "CT Chest", local("2026-07-02", "09:00"), func(nb *bookings.NewBooking) {
			nb.Source = booking.SourceWix
		})
		_, err := f.svc.Update(f.ctx, other.ID, ent.UpdateBookingInput{ExternalID: ptr("wix-77"), Notes: ptr("from Wix")})
		if ae := asAppErr(t, err, apperr.Conflict); ae.Field != "externalID" || ae.Details["conflictWith"] != string(first.ID) {
			t.Fatalf("duplicate external ID: %+v", ae)
		}
		if got := f.reload(t, other.ID); got.ExternalID != nil || got.Notes != "" {
			t.Fatalf("booking changed: %+v", got)
		}
		// Its own external ID again is no conflict.
		if _, err := f.svc.Update(f.ctx, first.ID, ent.UpdateBookingInput{ExternalID: ptr("wix-77"), Source: ptr(booking.SourceWix)}); err != nil {
			t.Fatal(err)
		}
	})
}
