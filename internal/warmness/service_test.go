package warmness_test

import (
	"context"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/event"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// env is the demo database with the warmness hook installed, a staff
// member at Sydney and the clock at testutil.Now.
type env struct {
	client  *ent.Client
	svc     *warmness.Service
	staff   context.Context
	service pulid.ID
}

func newEnv(t *testing.T) *env {
	t.Helper()
	d := testutil.DemoDB(t)
	svc := &warmness.Service{Client: d.Client, Now: func() time.Time { return testutil.Now }}
	d.Client.Use(svc.Hook())
	e := &env{client: d.Client, svc: svc, staff: testutil.As(t, d.Client, "staff@example.com")}
	var err error
	if e.service, err = d.Client.Service.Query().FirstID(e.staff); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) mustContact(t *testing.T, c *ent.ContactCreate) *ent.Contact {
	t.Helper()
	ct, err := c.Save(e.staff)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func (e *env) get(t *testing.T, id pulid.ID) *ent.Contact {
	t.Helper()
	ct, err := e.client.Contact.Get(e.staff, id)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func (e *env) touch(t *testing.T, id pulid.ID, kind touchpoint.Kind) {
	t.Helper()
	if err := e.client.Touchpoint.Create().SetContactID(id).SetKind(kind).SetSummary("x").SetOccurredAt(testutil.Now).Exec(e.staff); err != nil {
		t.Fatal(err)
	}
}

func (e *env) book(t *testing.T, id pulid.ID, status booking.Status, in time.Duration) *ent.Booking {
	t.Helper()
	start := testutil.Now.Add(in).Truncate(time.Hour)
	b, err := e.client.Booking.Create().SetContactID(id).SetServiceID(e.service).
		SetStartsAt(start).SetEndsAt(start.Add(30 * time.Minute)).SetStatus(status).Save(e.staff)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *env) warmEvents(t *testing.T, id pulid.ID) []*ent.Event {
	t.Helper()
	evs, err := e.client.Event.Query().Where(event.Type(warmness.EventWarm), event.SubjectID(string(id))).
		Order(event.ByAt(), event.ByID()).All(viewer.Seed.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestService_ScoresStored(t *testing.T) {
	e := newEnv(t)
	ct := e.mustContact(t, e.client.Contact.Create().SetFirstName("Olivia").SetLastName("Smith").
		SetLeadSource(contact.LeadSourceGpReferral).SetSmsConsent(true))
	if ct.Warmness != 24 || ct.WarmnessScoredAt == nil || !ct.WarmnessScoredAt.Equal(testutil.Now) {
		t.Fatalf("new contact: warmness %d scored %v, reasons %+v", ct.Warmness, ct.WarmnessScoredAt, ct.WarmnessReasons)
	}
	stored := e.get(t, ct.ID)
	factors := map[string]int{}
	for _, r := range stored.WarmnessReasons {
		factors[r.Factor] = r.Points
	}
	if factors[warmness.FactorSource] != 20 || factors[warmness.FactorConsent] != 4 || len(stored.WarmnessReasons) != 3 {
		t.Fatalf("stored reasons %+v", stored.WarmnessReasons)
	}
}

func TestService_RecalculatedOnChanges(t *testing.T) {
	e := newEnv(t)
	ct := e.mustContact(t, e.client.Contact.Create().SetFirstName("Liam").SetLeadSource(contact.LeadSourceMetaAds))
	prev := ct.Warmness
	step := func(name string, warmer bool, change func()) {
		t.Helper()
		change()
		got := e.get(t, ct.ID)
		if warmer && got.Warmness <= prev || !warmer && got.Warmness >= prev {
			t.Fatalf("%s: warmness %d after %d (reasons %+v)", name, got.Warmness, prev, got.WarmnessReasons)
		}
		prev = got.Warmness
	}
	// The clinic's own message is not contact from the person.
	e.touch(t, ct.ID, touchpoint.KindSmsOut)
	if got := e.get(t, ct.ID); got.Warmness != prev {
		t.Fatalf("an outbound SMS moved the score %d → %d (%+v)", prev, got.Warmness, got.WarmnessReasons)
	}
	step("InboundCall", true, func() { e.touch(t, ct.ID, touchpoint.KindCallIn) })
	step("Reply", true, func() { e.touch(t, ct.ID, touchpoint.KindSmsIn) })
	var b *ent.Booking
	step("UpcomingBooking", true, func() { b = e.book(t, ct.ID, booking.StatusPending, 72*time.Hour) })
	step("NoShow", false, func() {
		if err := e.client.Booking.UpdateOne(b).SetStatus(booking.StatusNoShow).Exec(e.staff); err != nil {
			t.Fatal(err)
		}
	})
	step("BookingDeleted", true, func() {
		mgr := testutil.As(t, e.client, "manager@example.com")
		if err := e.client.Booking.DeleteOneID(b.ID).Exec(mgr); err != nil {
			t.Fatal(err)
		}
	})
	step("SourceChanged", true, func() {
		got, err := e.client.Contact.UpdateOneID(ct.ID).SetLeadSource(contact.LeadSourceGpReferral).Save(e.staff)
		if err != nil {
			t.Fatal(err)
		}
		if got.Warmness == prev {
			t.Fatal("the update returned the old score")
		}
	})
	step("Consent", true, func() {
		if err := e.client.Contact.UpdateOneID(ct.ID).SetEmailConsent(true).Exec(e.staff); err != nil {
			t.Fatal(err)
		}
	})
	step("Stage", true, func() {
		if err := e.client.Contact.UpdateOneID(ct.ID).SetStage(contact.StageQualified).Exec(e.staff); err != nil {
			t.Fatal(err)
		}
	})
	step("Archived", false, func() {
		if err := e.client.Contact.UpdateOneID(ct.ID).SetArchivedAt(testutil.Now).Exec(e.staff); err != nil {
			t.Fatal(err)
		}
	})
	if prev != 0 {
		t.Fatalf("archived contact scores %d", prev)
	}

	t.Run("NoteDoesNotRescore", func(t *testing.T) {
		ct := e.mustContact(t, e.client.Contact.Create().SetFirstName("Noah"))
		e.touch(t, ct.ID, touchpoint.KindNote)
		if got := e.get(t, ct.ID); !got.UpdatedAt.Equal(ct.UpdatedAt) {
			t.Fatalf("a note rewrote the contact (updated %v → %v)", ct.UpdatedAt, got.UpdatedAt)
		}
	})
	t.Run("UnrelatedUpdateDoesNotRescore", func(t *testing.T) {
		ct := e.mustContact(t, e.client.Contact.Create().SetFirstName("Ava"))
		e.svc.Now = func() time.Time { return testutil.Now.Add(time.Hour) }
		defer func() { e.svc.Now = func() time.Time { return testutil.Now } }()
		got, err := e.client.Contact.UpdateOneID(ct.ID).SetNotes("Prefers mornings").Save(e.staff)
		if err != nil {
			t.Fatal(err)
		}
		if !got.WarmnessScoredAt.Equal(testutil.Now) {
			t.Fatalf("notes change rescored at %v", got.WarmnessScoredAt)
		}
	})
}

func TestService_WarmEvent(t *testing.T) {
	e := newEnv(t)
	ct := e.mustContact(t, e.client.Contact.Create().SetFirstName("Mia").SetLeadSource(contact.LeadSourceGpReferral).
		SetSmsConsent(true).SetEmailConsent(true).SetStage(contact.StageBooked))
	b := e.book(t, ct.ID, booking.StatusConfirmed, 7*24*time.Hour)
	if got := e.get(t, ct.ID); got.Warmness > warmness.WarmThreshold || len(e.warmEvents(t, ct.ID)) != 0 {
		t.Fatalf("not warm yet: %d, %d events", got.Warmness, len(e.warmEvents(t, ct.ID)))
	}

	e.touch(t, ct.ID, touchpoint.KindSmsIn) // crosses 80
	got := e.get(t, ct.ID)
	evs := e.warmEvents(t, ct.ID)
	if got.Warmness <= warmness.WarmThreshold || len(evs) != 1 {
		t.Fatalf("after a reply: warmness %d, %d events", got.Warmness, len(evs))
	}
	if evs[0].LocationID != ct.LocationID || evs[0].Payload["to"] != float64(got.Warmness) && evs[0].Payload["to"] != got.Warmness {
		t.Fatalf("event %+v", evs[0])
	}

	e.touch(t, ct.ID, touchpoint.KindCallIn) // stays above: no new event
	if n := len(e.warmEvents(t, ct.ID)); n != 1 {
		t.Fatalf("staying above 80 wrote %d events", n)
	}

	if err := e.client.Booking.UpdateOne(b).SetStatus(booking.StatusNoShow).Exec(e.staff); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, ct.ID); got.Warmness > warmness.WarmThreshold {
		t.Fatalf("after a no-show still %d", got.Warmness)
	}
	e.book(t, ct.ID, booking.StatusPending, 14*24*time.Hour) // crosses again
	if got, n := e.get(t, ct.ID), len(e.warmEvents(t, ct.ID)); got.Warmness <= warmness.WarmThreshold || n != 2 {
		t.Fatalf("re-crossing: warmness %d, %d events", got.Warmness, n)
	}
}

func TestService_RolledBackWithTheChange(t *testing.T) {
	e := newEnv(t)
	ct := e.mustContact(t, e.client.Contact.Create().SetFirstName("Zoe").SetLeadSource(contact.LeadSourceGpReferral).
		SetSmsConsent(true).SetEmailConsent(true).SetStage(contact.StageBooked))
	e.book(t, ct.ID, booking.StatusConfirmed, 7*24*time.Hour)
	before := e.get(t, ct.ID)
	tx, err := e.client.Tx(e.staff)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Touchpoint.Create().SetContactID(ct.ID).SetKind(touchpoint.KindSmsIn).SetSummary("yes").SetOccurredAt(testutil.Now).Exec(e.staff); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, ct.ID); got.Warmness != before.Warmness || len(e.warmEvents(t, ct.ID)) != 0 {
		t.Fatalf("rolled-back reply left warmness %d (was %d) and %d events", got.Warmness, before.Warmness, len(e.warmEvents(t, ct.ID)))
	}
}

func TestService_Recalculate(t *testing.T) {
	e := newEnv(t)
	sys := viewer.Seed.Grant(context.Background(), "test")
	ct, err := e.client.Contact.Query().Where(contact.HasLocationWith(location.Code("SYD"))).First(sys)
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Now = func() time.Time { return testutil.Now.AddDate(1, 0, 0) } // a year on, everything decayed
	got, err := e.svc.Recalculate(e.staff, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Warmness > ct.Warmness || !got.WarmnessScoredAt.Equal(testutil.Now.AddDate(1, 0, 0)) {
		t.Fatalf("a year later %d (was %d), scored at %v", got.Warmness, ct.Warmness, got.WarmnessScoredAt)
	}

	t.Run("ErrOtherLocation", func(t *testing.T) {
		par, err := e.client.Contact.Query().Where(contact.HasLocationWith(location.Code("PAR"))).FirstID(sys)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Recalculate(e.staff, par); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("PAR contact from SYD: %v, want NOT_FOUND", err)
		}
	})
}

func TestService_RecalculateAll(t *testing.T) {
	e := newEnv(t)
	sys := viewer.Seed.Grant(context.Background(), "test")
	hot, err := e.client.Contact.Query().Where(contact.WarmnessGT(warmness.WarmThreshold)).Count(sys)
	if err != nil || hot == 0 {
		t.Fatalf("%d warm demo contacts (%v)", hot, err)
	}
	total, err := e.client.Contact.Query().Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	// A year on, every touchpoint is old and every booking past: scores
	// decay with nothing changed, which is why a schedule rescores.
	e.svc.Now = func() time.Time { return testutil.Now.AddDate(1, 0, 0) }
	n, err := e.svc.RecalculateAll(sys)
	if err != nil || n != total {
		t.Fatalf("rescored %d of %d (%v)", n, total, err)
	}
	if still, _ := e.client.Contact.Query().Where(contact.WarmnessGT(warmness.WarmThreshold)).Count(sys); still != 0 {
		t.Fatalf("%d contacts still warm a year later", still)
	}
}

// TestService_OnlyThePatientsOwnContact is the example: a patient
// who never got in touch, for whom the clinic made a booking (which they
// cancelled), another they missed, and to whom it sent messages and
// called, has no "last contact" and no frequency: only the penalties and
// what the record says. Their first reply changes that.
func TestService_OnlyThePatientsOwnContact(t *testing.T) {
	e := newEnv(t)
	ct := e.mustContact(t, e.client.Contact.Create().SetFirstName("Never").SetLastName("Replied").
		SetLeadSource(contact.LeadSourceGoogleAds).SetSmsConsent(true))
	e.book(t, ct.ID, booking.StatusCancelled, -48*time.Hour)
	e.book(t, ct.ID, booking.StatusNoShow, -24*time.Hour)
	for _, k := range []touchpoint.Kind{touchpoint.KindSmsOut, touchpoint.KindEmailOut, touchpoint.KindCallOut, touchpoint.KindBookingEvent, touchpoint.KindNote} {
		e.touch(t, ct.ID, k)
	}
	got := e.get(t, ct.ID)
	reasons := map[string]int{}
	for _, r := range got.WarmnessReasons {
		reasons[r.Factor] = r.Points
		if r.Factor == warmness.FactorRecency && (r.Points != 0 || r.Detail != "No contact from the patient on record") {
			t.Errorf("recency %+v, want 0 and no contact from the patient", r)
		}
	}
	if _, ok := reasons[warmness.FactorFrequency]; ok {
		t.Errorf("the clinic's messages count as frequency: %+v", got.WarmnessReasons)
	}
	// Google Ads 10 + SMS consent 4 − cancellation 5 − no-show 10 = 0.
	if got.Warmness != 0 || reasons[warmness.FactorCancellations] != -5 || reasons[warmness.FactorNoShows] != -10 {
		t.Fatalf("warmness %d, reasons %+v", got.Warmness, got.WarmnessReasons)
	}
	e.touch(t, ct.ID, touchpoint.KindSmsIn)
	got = e.get(t, ct.ID)
	for _, r := range got.WarmnessReasons {
		if r.Factor == warmness.FactorRecency && (r.Points != warmness.RecencyMax || r.Detail != "Last contact from the patient in the last 24 hours") {
			t.Errorf("after the reply: recency %+v", r)
		}
	}
	if got.Warmness <= 0 {
		t.Errorf("after the reply: warmness %d", got.Warmness)
	}
	// A visit they came to is their contact too.
	other := e.mustContact(t, e.client.Contact.Create().SetFirstName("Came").SetLastName("In"))
	e.book(t, other.ID, booking.StatusCompleted, -3*24*time.Hour)
	for _, r := range e.get(t, other.ID).WarmnessReasons {
		if r.Factor == warmness.FactorRecency && (r.Points == 0 || r.Detail != "Last contact from the patient 3 days ago") {
			t.Errorf("attended visit: recency %+v", r)
		}
	}
}
