package bookings_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/bookingevent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// sydney is the demo locations' zone.
var sydney = func() *time.Location {
	z, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		panic(err)
	}
	return z
}()

// local returns the instant of a Sydney wall-clock time, e.g.
// local("2026-04-05", "09:00").
func local(date, hm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+hm, sydney)
	if err != nil {
		panic(err)
	}
	return t
}

// utc parses an RFC 3339 instant.
func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// clock is a settable clock shared by the services under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// fixture is a fresh copy of the demo database with the real pipeline and
// tasks services behind the bookings service, acting as Sydney's staff
// member.
type fixture struct {
	c        *ent.Client
	svc      *bookings.Service
	clock    *clock
	ctx      context.Context
	services map[string]*ent.Service // Sydney's, by name
	users    map[string]pulid.ID     // Sydney's members, by email
	n        int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := testutil.DemoDB(t)
	clk := &clock{t: testutil.Now}
	f := &fixture{
		c:     d.Client,
		clock: clk,
		svc: &bookings.Service{
			Client:  d.Client,
			Stages:  &pipeline.Service{Client: d.Client, Now: clk.Now},
			Tasks:   &tasks.Service{Client: d.Client, Now: clk.Now},
			Now:     clk.Now,
			Dialect: d.Dialect,
		},
		ctx:      testutil.As(t, d.Client, "staff@example.com"),
		services: map[string]*ent.Service{},
		users:    map[string]pulid.ID{},
	}
	svcs, err := d.Client.Service.Query().All(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range svcs {
		f.services[s.Name] = s
	}
	us, err := d.Client.User.Query().Select(user.FieldID, user.FieldEmail).All(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		f.users[u.Email] = u.ID
	}
	return f
}

// contact creates a new contact at Sydney, a lead unless a stage is given.
func (f *fixture) contact(t *testing.T, stage ...contact.Stage) *ent.Contact {
	t.Helper()
	f.n++
	b := f.c.Contact.Create().SetFirstName("Test").SetLastName(fmt.Sprintf("Patient%d", f.n))
	if len(stage) > 0 {
		b.SetStage(stage[0]).SetPipeline(pipeline.PipelineOf(stage[0]))
	}
	ct, err := b.Save(f.ctx)
	if err != nil {
		t.Fatalf("contact: %v", err)
	}
	return ct
}

// service returns a Sydney service by name.
func (f *fixture) service(t *testing.T, name string) *ent.Service {
	t.Helper()
	s, ok := f.services[name]
	if !ok {
		t.Fatalf("no service %q in the demo data", name)
	}
	return s
}

// book creates a booking for a new lead contact.
func (f *fixture) book(t *testing.T, svc string, start time.Time, opts ...func(*bookings.NewBooking)) *ent.Booking {
	t.Helper()
	in := bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: f.service(t, svc).ID, StartsAt: start}
	for _, o := range opts {
		o(&in)
	}
	// A booking of a time the clock has passed was made before it: book
	// it as of the day before (an ended one is refused unless recorded
	// as a past visit, TestPastVisit).
	if now := f.clock.Now(); in.Past == nil && start.Before(now) {
		f.clock.Set(start.Add(-24 * time.Hour))
		defer f.clock.Set(now)
	}
	b, err := f.svc.Create(f.ctx, in)
	if err != nil {
		t.Fatalf("book %s at %s: %v", svc, start, err)
	}
	return b
}

func withStaff(id pulid.ID) func(*bookings.NewBooking) {
	return func(in *bookings.NewBooking) { in.StaffID = &id }
}

func forContact(id pulid.ID) func(*bookings.NewBooking) {
	return func(in *bookings.NewBooking) { in.ContactID = id }
}

// reload reads a booking back from the database.
func (f *fixture) reload(t *testing.T, id pulid.ID) *ent.Booking {
	t.Helper()
	b, err := f.c.Booking.Get(f.ctx, id)
	if err != nil {
		t.Fatalf("reload %s: %v", id, err)
	}
	return b
}

func (f *fixture) stage(t *testing.T, id pulid.ID) contact.Stage {
	t.Helper()
	ct, err := f.c.Contact.Get(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return ct.Stage
}

// events returns a booking's history.
func (f *fixture) events(t *testing.T, id pulid.ID) []*ent.BookingEvent {
	t.Helper()
	evs, err := f.svc.History(f.ctx, id)
	if err != nil {
		t.Fatalf("history of %s: %v", id, err)
	}
	return evs
}

func kinds(evs []*ent.BookingEvent) []bookingevent.Kind {
	out := make([]bookingevent.Kind, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

// touchpoints returns the booking_event touchpoints of a booking, oldest
// first.
func (f *fixture) touchpoints(t *testing.T, id pulid.ID) []*ent.Touchpoint {
	t.Helper()
	tps, err := f.c.Touchpoint.Query().
		Where(touchpoint.BookingID(id), touchpoint.KindEQ(touchpoint.KindBookingEvent)).
		Order(touchpoint.ByOccurredAt(), touchpoint.ByID()).All(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tps
}

// inStatus makes a booking at start and takes it to status through the
// service (the clock must be past start for completed and no_show).
func (f *fixture) inStatus(t *testing.T, status booking.Status, start time.Time) *ent.Booking {
	t.Helper()
	b := f.book(t, "MRI Knee", start)
	var err error
	switch status {
	case booking.StatusPending:
	case booking.StatusConfirmed:
		b, err = f.svc.Confirm(f.ctx, b.ID)
	case booking.StatusCompleted:
		if b, err = f.svc.Confirm(f.ctx, b.ID); err == nil {
			b, err = f.svc.Complete(f.ctx, b.ID)
		}
	case booking.StatusNoShow:
		if b, err = f.svc.Confirm(f.ctx, b.ID); err == nil {
			b, _, err = f.svc.MarkNoShow(f.ctx, b.ID)
		}
	case booking.StatusCancelled:
		b, err = f.svc.Cancel(f.ctx, b.ID, "Patient unwell")
	}
	if err != nil {
		t.Fatalf("take booking to %s: %v", status, err)
	}
	if b.Status != status {
		t.Fatalf("booking is %s, want %s", b.Status, status)
	}
	return b
}

// asAppErr returns err as an *apperr.Error, failing the test when it is
// not one with the wanted code.
func asAppErr(t *testing.T, err error, want apperr.Code) *apperr.Error {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want an apperr %s", err, err, want)
	}
	if ae.Code != want {
		t.Fatalf("code = %s (%s), want %s", ae.Code, ae.Message, want)
	}
	return ae
}

func ptr[T any](v T) *T { return &v }
