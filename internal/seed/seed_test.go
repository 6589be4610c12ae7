package seed_test

import (
	"context"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/seed"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

func TestDemo(t *testing.T) {
	d := testutil.OpenDB(t)
	ctx := context.Background()
	res, err := seed.Demo(ctx, testutil.Client(t, d), seed.Options{Now: testutil.Now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Locations != 2 || res.Contacts != 210 || res.Users != 10 || res.Bookings < 100 || res.Tasks < 20 || res.Touchpoints < 400 {
		t.Fatalf("unexpected demo size: %s", res)
	}
	sys := viewer.Seed.Grant(ctx, "test")

	t.Run("RunAgainCreatesNothing", func(t *testing.T) {
		again, err := seed.Demo(ctx, testutil.Client(t, d), seed.Options{Now: testutil.Now.Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if again != (seed.Result{}) {
			t.Fatalf("second run created %s", again)
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		d2 := testutil.OpenDB(t)
		if _, err := seed.Demo(ctx, testutil.Client(t, d2), seed.Options{Now: testutil.Now}); err != nil {
			t.Fatal(err)
		}
		names := func(c *ent.Client) []string {
			cs, err := c.Contact.Query().Order(contact.ByCreatedAt(), contact.ByPhone()).All(sys)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]string, len(cs))
			for i, c := range cs {
				out[i] = c.FirstName + " " + c.LastName + " " + string(c.Stage)
				if c.Phone != nil {
					out[i] += " " + *c.Phone
				}
			}
			return out
		}
		a, b := names(d.Client), names(d2.Client)
		if len(a) != len(b) {
			t.Fatalf("%d vs %d contacts", len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("contact %d differs: %q vs %q", i, a[i], b[i])
			}
		}
	})

	t.Run("NoResourceDoubleBooked", func(t *testing.T) {
		bs, err := d.Client.Booking.Query().Where(booking.StatusNEQ(booking.StatusCancelled)).WithService().All(sys)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range bs {
			for _, b := range bs[i+1:] {
				if a.LocationID == b.LocationID && a.Edges.Service.Resource == b.Edges.Service.Resource &&
					a.StartsAt.Before(b.EndsAt) && b.StartsAt.Before(a.EndsAt) {
					t.Errorf("%s double-booked: %s and %s", a.Edges.Service.Resource, a.ID, b.ID)
				}
			}
		}
	})

	t.Run("TodayHasAppointmentsInSydney", func(t *testing.T) {
		syd, err := d.Client.Location.Query().Where(location.Code("SYD")).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		tz, _ := time.LoadLocation(syd.Timezone)
		l := testutil.Now.In(tz)
		start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, tz)
		n, err := d.Client.Booking.Query().Where(booking.LocationID(syd.ID), booking.StartsAtGTE(start), booking.StartsAtLT(start.AddDate(0, 0, 1))).Count(sys)
		if err != nil {
			t.Fatal(err)
		}
		if n < 5 {
			t.Fatalf("%d bookings today in Sydney, want at least 5", n)
		}
		hot, err := d.Client.Contact.Query().Where(contact.LocationID(syd.ID), contact.WarmnessGT(80)).Count(sys)
		if err != nil || hot < 3 {
			t.Fatalf("%d contacts above 80 (err %v), want some", hot, err)
		}
	})
}
