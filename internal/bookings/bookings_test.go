package bookings_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/bookingevent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

func TestCreate(t *testing.T) {
	f := newFixture(t)
	knee := f.service(t, "MRI Knee")

	t.Run("DefaultsHistoryAndStage", func(t *testing.T) {
		ct := f.contact(t)
		start := local("2026-06-10", "10:00")
		b, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: ct.ID, ServiceID: knee.ID, StartsAt: start, Notes: "Left knee"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b.ID), "bkg_") || b.Status != booking.StatusPending || b.Source != booking.SourceManual {
			t.Fatalf("booking %+v", b)
		}
		if !b.EndsAt.Equal(start.Add(30*time.Minute)) || b.PriceCents != knee.PriceCents || b.Notes != "Left knee" {
			t.Fatalf("defaults: ends %s, price %d", b.EndsAt, b.PriceCents)
		}
		evs := f.events(t, b.ID)
		if len(evs) != 1 || evs[0].Kind != bookingevent.KindCreated || !evs[0].ToStartsAt.Equal(start) || evs[0].ActorID == nil || *evs[0].ActorID != f.users["staff@example.com"] {
			t.Fatalf("history %+v", evs)
		}
		tps := f.touchpoints(t, b.ID)
		if len(tps) != 1 || tps[0].Summary != "Booked MRI Knee for Wed 10 Jun 10:00" || tps[0].ContactID != ct.ID {
			t.Fatalf("touchpoints %+v", tps)
		}
		// The lead is booked now, and the pipeline recorded the move.
		if s := f.stage(t, ct.ID); s != contact.StageBooked {
			t.Fatalf("stage = %s, want booked", s)
		}
		n, err := f.c.StageChange.Query().Where(stagechange.ContactID(ct.ID), stagechange.ToStageEQ(stagechange.ToStageBooked)).Count(f.ctx)
		if err != nil || n != 1 {
			t.Fatalf("stage changes to booked: %d, %v", n, err)
		}
	})

	t.Run("ExplicitEndAndPrice", func(t *testing.T) {
		start, end, price := local("2026-06-10", "12:00"), local("2026-06-10", "13:00"), 0
		b, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: knee.ID, StartsAt: start, EndsAt: end, PriceCents: &price, Source: booking.SourceWix, ExternalID: ptr("wix-1")})
		if err != nil {
			t.Fatal(err)
		}
		if !b.EndsAt.Equal(end) || b.PriceCents != 0 || b.Source != booking.SourceWix {
			t.Fatalf("booking %+v", b)
		}
		// The same Wix booking again is a conflict naming the first.
		_, err = f.svc.Create(f.ctx, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: f.service(t, "CT Chest").ID, StartsAt: start, Source: booking.SourceWix, ExternalID: ptr("wix-1")})
		if ae := asAppErr(t, err, apperr.Conflict); ae.Details["conflictWith"] != string(b.ID) || ae.Field != "externalID" {
			t.Fatalf("duplicate external ID: %+v", ae)
		}
	})

	t.Run("FurtherAlongKeepsStage", func(t *testing.T) {
		for _, st := range []contact.Stage{contact.StageConfirmed, contact.StageCompleted, contact.StageResultsSent, contact.StagePartnershipActive} {
			ct := f.contact(t, st)
			f.book(t, "CT Chest", local("2026-06-11", "08:00").Add(time.Duration(f.n)*time.Hour), forContact(ct.ID))
			if got := f.stage(t, ct.ID); got != st {
				t.Errorf("%s contact moved to %s by a new booking", st, got)
			}
		}
	})

	t.Run("RecalledBooksAgain", func(t *testing.T) {
		ct := f.contact(t, contact.StageRecalled)
		f.book(t, "CT Chest", local("2026-06-12", "08:00"), forContact(ct.ID))
		if got := f.stage(t, ct.ID); got != contact.StageBooked {
			t.Fatalf("recalled contact is %s after booking, want booked", got)
		}
	})

	invalid := []struct {
		name, field string
		in          func(*bookings.NewBooking)
	}{
		{"ErrNoStart", "startsAt", func(in *bookings.NewBooking) { in.StartsAt = time.Time{} }},
		{"ErrEndBeforeStart", "endsAt", func(in *bookings.NewBooking) { in.EndsAt = in.StartsAt.Add(-time.Minute) }},
		{"ErrEndAtStart", "endsAt", func(in *bookings.NewBooking) { in.EndsAt = in.StartsAt }},
		{"ErrLongerThan12h", "endsAt", func(in *bookings.NewBooking) { in.EndsAt = in.StartsAt.Add(12*time.Hour + time.Minute) }},
		{"ErrNegativePrice", "priceCents", func(in *bookings.NewBooking) { in.PriceCents = ptr(-1) }},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			in := bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: knee.ID, StartsAt: local("2026-06-15", "10:00")}
			tc.in(&in)
			_, err := f.svc.Create(f.ctx, in)
			if ae := asAppErr(t, err, apperr.Invalid); ae.Field != tc.field {
				t.Fatalf("field = %q, want %q (%s)", ae.Field, tc.field, ae.Message)
			}
		})
	}

	t.Run("Exactly12hIsAllowed", func(t *testing.T) {
		start := local("2026-06-16", "07:00")
		if _, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: f.service(t, "DEXA Bone Density").ID, StartsAt: start, EndsAt: start.Add(12 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrInactiveService", func(t *testing.T) {
		admin := testutil.As(t, f.c, "admin@example.com")
		old, err := f.c.Service.Create().SetName("Retired scan").SetDurationMinutes(20).SetPriceCents(100).SetActive(false).Save(admin)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Create(f.ctx, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: old.ID, StartsAt: local("2026-06-15", "10:00")})
		if ae := asAppErr(t, err, apperr.Invalid); ae.Field != "serviceID" {
			t.Fatalf("field = %q", ae.Field)
		}
	})

	t.Run("ErrUnknownContactAndService", func(t *testing.T) {
		_, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: pulid.New(pulid.Contact), ServiceID: knee.ID, StartsAt: local("2026-06-15", "10:00")})
		if ae := asAppErr(t, err, apperr.NotFound); ae.Field != "contactID" {
			t.Fatalf("field = %q", ae.Field)
		}
		_, err = f.svc.Create(f.ctx, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: pulid.New(pulid.Service), StartsAt: local("2026-06-15", "10:00")})
		if ae := asAppErr(t, err, apperr.NotFound); ae.Field != "serviceID" {
			t.Fatalf("field = %q", ae.Field)
		}
	})

	t.Run("ErrViewerForbidden", func(t *testing.T) {
		v := testutil.As(t, f.c, "viewer@example.com")
		_, err := f.svc.Create(v, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: knee.ID, StartsAt: local("2026-06-15", "14:00")})
		asAppErr(t, err, apperr.Forbidden)
	})
}

func TestConflicts(t *testing.T) {
	f := newFixture(t)
	day := "2026-06-17"                                 // a Wednesday, clear of the demo data
	first := f.book(t, "MRI Knee", local(day, "10:00")) // MRI-1, 10:00–10:30
	tech := f.users["mri.tech@example.com"]

	conflict := func(t *testing.T, err error, with pulid.ID, field string) {
		t.Helper()
		ae := asAppErr(t, err, apperr.Conflict)
		if ae.Details["conflictWith"] != string(with) || ae.Field != field {
			t.Fatalf("conflict %+v, want conflictWith %s on %s", ae, with, field)
		}
	}

	t.Run("SameResourceOtherService", func(t *testing.T) {
		// MRI Brain runs on MRI-1 too.
		_, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: f.service(t, "MRI Brain").ID, StartsAt: local(day, "10:15")})
		conflict(t, err, first.ID, "startsAt")
		if !strings.Contains(err.Error(), "MRI-1") || !strings.Contains(err.Error(), "10:00") {
			t.Errorf("message %q does not say what is booked when", err)
		}
	})
	t.Run("Enclosing", func(t *testing.T) {
		_, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: f.service(t, "MRI Lumbar Spine").ID, StartsAt: local(day, "09:50"), EndsAt: local(day, "10:40")})
		conflict(t, err, first.ID, "startsAt")
	})
	t.Run("TouchingIntervalsAllowed", func(t *testing.T) {
		f.book(t, "MRI Knee", local(day, "09:30"))         // 09:30–10:00
		f.book(t, "MRI Lumbar Spine", local(day, "10:30")) // 10:30–11:10
	})
	t.Run("OtherResourceAllowed", func(t *testing.T) {
		f.book(t, "CT Chest", local(day, "10:00"))
	})
	t.Run("StaffOverlap", func(t *testing.T) {
		withTech := f.book(t, "Ultrasound Abdomen", local(day, "14:00"), withStaff(tech)) // US-1, 14:00–14:30
		_, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: f.contact(t).ID, ServiceID: f.service(t, "CT Abdomen & Pelvis").ID, StartsAt: local(day, "14:20"), StaffID: &tech})
		conflict(t, err, withTech.ID, "staffID")
		// Right after is fine, and so is another member at the same time.
		f.book(t, "CT Abdomen & Pelvis", local(day, "14:30"), withStaff(tech))
		f.book(t, "X-Ray Chest", local(day, "14:10"), withStaff(f.users["staff@example.com"]))
	})
	t.Run("FinalBookingsDoNotBlock", func(t *testing.T) {
		f.clock.Set(local(day, "18:00"))
		defer f.clock.Set(testutil.Now)
		cancelled := f.inStatus(t, booking.StatusCancelled, local(day, "16:00"))
		noShow := f.book(t, "MRI Knee", local(day, "16:00")) // the cancelled slot is free
		if _, err := f.svc.Confirm(f.ctx, noShow.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.MarkNoShow(f.ctx, noShow.ID); err != nil {
			t.Fatal(err)
		}
		done := f.inStatus(t, booking.StatusCompleted, local(day, "16:00")) // the no-show's slot is free
		again := f.book(t, "MRI Brain", local(day, "16:00"))                // and the completed one's
		if cancelled.ID == again.ID || done.ID == again.ID {
			t.Fatal("IDs reused")
		}
	})
	t.Run("RescheduleExcludesItself", func(t *testing.T) {
		// 10:15–10:45 overlaps the booking's own 10:00–10:30 and the 10:30
		// one; move to 10:00–10:30 + 2h instead, then into its own old slot.
		b, err := f.svc.Reschedule(f.ctx, first.ID, local(day, "12:00"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if b, err = f.svc.Reschedule(f.ctx, b.ID, local(day, "12:10"), nil); err != nil {
			t.Fatalf("overlapping its own slot: %v", err)
		}
		if !b.EndsAt.Equal(local(day, "12:40")) {
			t.Fatalf("length not kept: ends %s", b.EndsAt.In(sydney))
		}
	})
	t.Run("RescheduleIntoAnother", func(t *testing.T) {
		other := f.book(t, "MRI Knee", local(day, "08:00"))
		_, err := f.svc.Reschedule(f.ctx, first.ID, local(day, "08:15"), nil)
		conflict(t, err, other.ID, "startsAt")
	})
	t.Run("UpdateStaffIntoClash", func(t *testing.T) {
		b := f.book(t, "DEXA Bone Density", local(day, "14:05"))
		_, err := f.svc.Update(f.ctx, b.ID, ent.UpdateBookingInput{StaffID: &tech})
		if ae := asAppErr(t, err, apperr.Conflict); ae.Field != "staffID" {
			t.Fatalf("field = %q", ae.Field)
		}
	})
}

// TestLifecycleHistory follows one booking from creation to completion and
// reads its history and the contact's timeline.
func TestLifecycleHistory(t *testing.T) {
	f := newFixture(t)
	ct := f.contact(t)
	b := f.book(t, "MRI Knee", local("2026-06-23", "10:15"), forContact(ct.ID)) // a Tuesday
	if _, err := f.svc.Confirm(f.ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if s := f.stage(t, ct.ID); s != contact.StageConfirmed {
		t.Fatalf("stage after confirm = %s", s)
	}
	if _, err := f.svc.Reschedule(f.ctx, b.ID, local("2026-06-25", "09:00"), nil); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Reschedule(f.ctx, b.ID, local("2026-06-26", "11:30"), ptr(local("2026-06-26", "12:15")))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != booking.StatusConfirmed {
		t.Fatalf("reschedule changed the status to %s", got.Status)
	}
	f.clock.Set(local("2026-06-26", "12:30"))
	if _, err := f.svc.Complete(f.ctx, b.ID); err != nil {
		t.Fatal(err)
	}

	evs := f.events(t, b.ID)
	want := []bookingevent.Kind{bookingevent.KindCreated, bookingevent.KindConfirmed, bookingevent.KindRescheduled, bookingevent.KindRescheduled, bookingevent.KindCompleted}
	if !slices.Equal(kinds(evs), want) {
		t.Fatalf("history = %v, want %v", kinds(evs), want)
	}
	// Each reschedule keeps the times it moved from.
	r1, r2 := evs[2], evs[3]
	if !r1.FromStartsAt.Equal(local("2026-06-23", "10:15")) || !r1.FromEndsAt.Equal(local("2026-06-23", "10:45")) ||
		!r1.ToStartsAt.Equal(local("2026-06-25", "09:00")) || !r1.ToEndsAt.Equal(local("2026-06-25", "09:30")) {
		t.Errorf("first reschedule %s–%s → %s–%s", r1.FromStartsAt, r1.FromEndsAt, r1.ToStartsAt, r1.ToEndsAt)
	}
	if !r2.FromStartsAt.Equal(local("2026-06-25", "09:00")) || !r2.ToStartsAt.Equal(local("2026-06-26", "11:30")) || !r2.ToEndsAt.Equal(local("2026-06-26", "12:15")) {
		t.Errorf("second reschedule %s → %s–%s", r2.FromStartsAt, r2.ToStartsAt, r2.ToEndsAt)
	}
	var summaries []string
	for _, tp := range f.touchpoints(t, b.ID) {
		summaries = append(summaries, tp.Summary)
	}
	wantSummaries := []string{
		"Booked MRI Knee for Tue 23 Jun 10:15",
		"Confirmed MRI Knee for Tue 23 Jun 10:15",
		"Rescheduled MRI Knee from Tue 23 Jun 10:15 to Thu 25 Jun 09:00",
		"Rescheduled MRI Knee from Thu 25 Jun 09:00 to Fri 26 Jun 11:30",
		"Attended MRI Knee on Fri 26 Jun 11:30",
	}
	if !slices.Equal(summaries, wantSummaries) {
		t.Fatalf("timeline:\n%s\nwant:\n%s", strings.Join(summaries, "\n"), strings.Join(wantSummaries, "\n"))
	}
	t.Run("ErrRescheduleToSameTime", func(t *testing.T) {
		p := f.book(t, "CT Chest", local("2026-06-29", "10:00"))
		_, err := f.svc.Reschedule(f.ctx, p.ID, p.StartsAt, nil)
		asAppErr(t, err, apperr.Invalid)
	})
}

func TestComplete(t *testing.T) {
	f := newFixture(t)

	t.Run("RecallTask", func(t *testing.T) {
		ct := f.contact(t)
		b := f.book(t, "MRI Brain", local("2026-06-10", "10:00"), forContact(ct.ID)) // recall after 12 months
		if _, err := f.svc.Confirm(f.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(local("2026-06-10", "11:00"))
		done, recall, err := f.svc.CompleteWithRecall(f.ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != booking.StatusCompleted || done.CompletedAt == nil || !done.CompletedAt.Equal(local("2026-06-10", "11:00")) {
			t.Fatalf("completed %+v", done)
		}
		fresh, err := f.c.Contact.Get(f.ctx, ct.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fresh.Pipeline != contact.PipelinePostAppointment || fresh.Stage != contact.StageCompleted {
			t.Fatalf("contact is %s/%s, want post_appointment/completed", fresh.Pipeline, fresh.Stage)
		}
		// 10 June 2027 is a Thursday: 09:00 AEST is 23:00 UTC the day before.
		if recall == nil || recall.Kind != task.KindRecall || recall.DueAt == nil || !recall.DueAt.Equal(utc("2027-06-09T23:00:00Z")) {
			t.Fatalf("recall task %+v", recall)
		}
		if recall.ContactID == nil || *recall.ContactID != ct.ID || recall.BookingID == nil || *recall.BookingID != b.ID ||
			recall.Skill == nil || *recall.Skill != "calls" {
			t.Fatalf("recall task links %+v", recall)
		}
	})

	t.Run("NoRecallWithoutRecallMonths", func(t *testing.T) {
		b := f.book(t, "MRI Knee", local("2026-06-10", "10:00"))
		if _, err := f.svc.Confirm(f.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(local("2026-06-10", "11:00"))
		if _, recall, err := f.svc.CompleteWithRecall(f.ctx, b.ID); err != nil || recall != nil {
			t.Fatalf("recall %+v, %v", recall, err)
		}
		n, _ := f.c.Task.Query().Where(task.BookingID(b.ID)).Count(f.ctx)
		if n != 0 {
			t.Fatalf("%d tasks for a service without recall", n)
		}
	})

	t.Run("ErrNotStarted", func(t *testing.T) {
		b := f.book(t, "MRI Knee", local("2026-07-01", "10:00"))
		if _, err := f.svc.Confirm(f.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(local("2026-07-01", "09:59"))
		_, err := f.svc.Complete(f.ctx, b.ID)
		asAppErr(t, err, apperr.Invalid)
		_, _, err = f.svc.MarkNoShow(f.ctx, b.ID)
		asAppErr(t, err, apperr.Invalid)
		if f.reload(t, b.ID).Status != booking.StatusConfirmed {
			t.Fatal("status changed")
		}
	})
}

func TestRecallDue(t *testing.T) {
	cases := []struct {
		from   time.Time
		months int
		want   time.Time
	}{
		// Same day a year on, 09:00 local.
		{local("2026-06-10", "11:00"), 12, local("2027-06-10", "09:00")},
		// 31 August plus 6 months is the last day of February (Sunday 28
		// February 2027), then the Monday after.
		{local("2026-08-31", "15:00"), 6, local("2027-03-01", "09:00")},
		// Into daylight time: 09:00 AEDT.
		{local("2026-06-03", "12:00"), 6, local("2026-12-03", "09:00")},
	}
	for _, c := range cases {
		if got := bookings.RecallDue(c.from, c.months, sydney); !got.Equal(c.want) {
			t.Errorf("RecallDue(%s, %d) = %s, want %s", c.from, c.months, got.In(sydney), c.want)
		}
	}
}

func TestMarkNoShow(t *testing.T) {
	f := newFixture(t)

	noShow := func(t *testing.T, start, now time.Time, opts ...func(*bookings.NewBooking)) (*ent.Booking, *ent.Task) {
		t.Helper()
		b := f.book(t, "MRI Knee", start, opts...)
		if _, err := f.svc.Confirm(f.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(now)
		got, follow, err := f.svc.MarkNoShow(f.ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != booking.StatusNoShow || follow == nil {
			t.Fatalf("no-show %s, task %v", got.Status, follow)
		}
		return got, follow
	}

	t.Run("FollowUpAssignedToCaller", func(t *testing.T) {
		b, follow := noShow(t, local("2026-06-10", "10:00"), local("2026-06-10", "10:40")) // Wednesday
		if follow.Kind != task.KindNoShowFollowUp || follow.BookingID == nil || *follow.BookingID != b.ID ||
			follow.ContactID == nil || *follow.ContactID != b.ContactID {
			t.Fatalf("follow-up %+v", follow)
		}
		if follow.DueAt == nil || !follow.DueAt.Equal(local("2026-06-11", "09:00")) {
			t.Fatalf("due %v, want Thursday 09:00", follow.DueAt)
		}
		if follow.Priority != task.PriorityHigh && follow.Priority != task.PriorityUrgent {
			t.Errorf("priority %s", follow.Priority)
		}
		if follow.AssigneeID == nil {
			t.Fatal("follow-up not assigned")
		}
		m, err := f.c.Membership.Query().Where(membership.UserID(*follow.AssigneeID), membership.LocationID(b.LocationID)).Only(viewer.Seed.Grant(f.ctx, "test"))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(m.Skills, "calls") {
			t.Fatalf("assigned to a member without the calls skill: %v", m.Skills)
		}
		if !strings.HasPrefix(follow.Title, "Follow up no-show: Test Patient") {
			t.Errorf("title %q", follow.Title)
		}
		// The missed appointment was the contact's only one: back to
		// qualified.
		if s := f.stage(t, b.ContactID); s != contact.StageQualified {
			t.Errorf("stage = %s, want qualified", s)
		}
	})

	t.Run("FridayToMonday", func(t *testing.T) {
		_, follow := noShow(t, local("2026-06-12", "15:00"), local("2026-06-12", "16:00"))
		if !follow.DueAt.Equal(local("2026-06-15", "09:00")) {
			t.Fatalf("due %s, want Monday 09:00", follow.DueAt.In(sydney))
		}
	})

	t.Run("UnassignedWhenNobodyCalls", func(t *testing.T) {
		sys := viewer.Seed.Grant(f.ctx, "test")
		ms, err := f.c.Membership.Query().All(sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			skills := slices.DeleteFunc(slices.Clone(m.Skills), func(s string) bool { return s == "calls" })
			if err := f.c.Membership.UpdateOne(m).SetSkills(skills).Exec(sys); err != nil {
				t.Fatal(err)
			}
		}
		defer func() {
			for _, m := range ms {
				_ = f.c.Membership.UpdateOne(m).SetSkills(m.Skills).Exec(sys)
			}
		}()
		_, follow := noShow(t, local("2026-06-16", "10:00"), local("2026-06-16", "11:00"))
		if follow.AssigneeID != nil {
			t.Fatalf("assigned to %s although nobody has the skill", *follow.AssigneeID)
		}
		if follow.Skill == nil || *follow.Skill != "calls" {
			t.Fatalf("skill %v", follow.Skill)
		}
	})

	t.Run("OtherUpcomingBookingKeepsStage", func(t *testing.T) {
		ct := f.contact(t)
		f.book(t, "CT Chest", local("2026-08-03", "10:00"), forContact(ct.ID))
		b, _ := noShow(t, local("2026-06-17", "10:00"), local("2026-06-17", "11:00"), forContact(ct.ID))
		if s := f.stage(t, b.ContactID); s != contact.StageConfirmed {
			t.Fatalf("stage = %s, want confirmed (another booking is coming)", s)
		}
	})
}

func TestCancel(t *testing.T) {
	f := newFixture(t)

	t.Run("StandardReasonAndStageBack", func(t *testing.T) {
		b := f.book(t, "MRI Knee", local("2026-06-10", "10:00"))
		if _, err := f.svc.Confirm(f.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Cancel(f.ctx, b.ID, "  patient   UNWELL ")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != booking.StatusCancelled || got.CancelReason == nil || *got.CancelReason != "Patient unwell" || got.CancelledAt == nil {
			t.Fatalf("cancelled %+v", got)
		}
		evs := f.events(t, b.ID)
		if last := evs[len(evs)-1]; last.Kind != bookingevent.KindCancelled || last.Reason != "Patient unwell" {
			t.Fatalf("event %+v", last)
		}
		tps := f.touchpoints(t, b.ID)
		if s := tps[len(tps)-1].Summary; s != "Cancelled MRI Knee for Wed 10 Jun 10:00: Patient unwell" {
			t.Fatalf("summary %q", s)
		}
		if s := f.stage(t, b.ContactID); s != contact.StageQualified {
			t.Fatalf("stage = %s, want qualified", s)
		}
	})

	t.Run("FreeText", func(t *testing.T) {
		b := f.book(t, "MRI Knee", local("2026-06-10", "11:00"))
		got, err := f.svc.Cancel(f.ctx, b.ID, "Dog ate the referral")
		if err != nil || *got.CancelReason != "Dog ate the referral" {
			t.Fatalf("%v %v", got, err)
		}
	})

	t.Run("OtherUpcomingBookingKeepsStage", func(t *testing.T) {
		ct := f.contact(t)
		b := f.book(t, "MRI Knee", local("2026-06-10", "12:00"), forContact(ct.ID))
		f.book(t, "CT Chest", local("2026-06-20", "12:00"), forContact(ct.ID))
		if _, err := f.svc.Cancel(f.ctx, b.ID, "Clinic rescheduled"); err != nil {
			t.Fatal(err)
		}
		if s := f.stage(t, ct.ID); s != contact.StageBooked {
			t.Fatalf("stage = %s, want booked", s)
		}
	})

	for name, reason := range map[string]string{"ErrEmptyReason": "   ", "ErrReasonTooLong": strings.Repeat("x", 501)} {
		t.Run(name, func(t *testing.T) {
			b := f.book(t, "MRI Knee", local("2026-06-11", "10:00").Add(time.Duration(f.n)*time.Hour))
			_, err := f.svc.Cancel(f.ctx, b.ID, reason)
			if ae := asAppErr(t, err, apperr.Invalid); ae.Field != "reason" {
				t.Fatalf("field %q", ae.Field)
			}
			if f.reload(t, b.ID).Status != booking.StatusPending {
				t.Fatal("cancelled anyway")
			}
		})
	}

	t.Run("500BytesIsAllowed", func(t *testing.T) {
		b := f.book(t, "MRI Knee", local("2026-06-12", "10:00"))
		if _, err := f.svc.Cancel(f.ctx, b.ID, strings.Repeat("y", 500)); err != nil {
			t.Fatal(err)
		}
		// The touchpoint's summary is cut to fit, not refused.
		tps := f.touchpoints(t, b.ID)
		if s := tps[len(tps)-1].Summary; len(s) > 500 || !strings.HasSuffix(s, "…") {
			t.Fatalf("summary of %d bytes", len(s))
		}
	})
}

func TestEnsureCancelReasons(t *testing.T) {
	f := newFixture(t)
	for range 2 {
		rs, err := f.svc.EnsureCancelReasons(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var labels []string
		for _, r := range rs {
			labels = append(labels, r.Label)
		}
		if !slices.Equal(labels, bookings.DefaultCancelReasons) {
			t.Fatalf("reasons = %v", labels)
		}
	}
	// Parramatta gets its own list.
	par := testutil.As(t, f.c, "par-staff@example.com")
	rs, err := f.svc.EnsureCancelReasons(par)
	if err != nil || len(rs) != len(bookings.DefaultCancelReasons) {
		t.Fatalf("PAR reasons: %d, %v", len(rs), err)
	}
	for _, ctx := range []context.Context{f.ctx, par} {
		n, err := f.c.CancelReason.Query().Count(ctx)
		if err != nil || n != len(bookings.DefaultCancelReasons) {
			t.Fatalf("%d reasons stored, %v", n, err)
		}
	}
}

func TestUpdate(t *testing.T) {
	f := newFixture(t)
	b := f.book(t, "MRI Knee", local("2026-06-10", "10:00"))

	t.Run("ErrStatus", func(t *testing.T) {
		st := booking.StatusConfirmed
		_, err := f.svc.Update(f.ctx, b.ID, ent.UpdateBookingInput{Status: &st})
		if ae := asAppErr(t, err, apperr.Invalid); ae.Field != "status" || !strings.Contains(ae.Message, "confirmBooking") {
			t.Fatalf("%+v", ae)
		}
	})
	t.Run("SameStatusIsNoChange", func(t *testing.T) {
		st := booking.StatusPending
		got, err := f.svc.Update(f.ctx, b.ID, ent.UpdateBookingInput{Status: &st})
		if err != nil || got.Status != booking.StatusPending {
			t.Fatalf("%v %v", got, err)
		}
		if n := len(f.events(t, b.ID)); n != 1 {
			t.Fatalf("%d events for no change", n)
		}
	})
	t.Run("ErrContact", func(t *testing.T) {
		other := f.contact(t).ID
		_, err := f.svc.Update(f.ctx, b.ID, ent.UpdateBookingInput{ContactID: &other})
		if ae := asAppErr(t, err, apperr.Invalid); ae.Field != "contactID" {
			t.Fatalf("%+v", ae)
		}
	})
	t.Run("TimesBecomeAReschedule", func(t *testing.T) {
		start := local("2026-06-11", "14:00")
		got, err := f.svc.Update(f.ctx, b.ID, ent.UpdateBookingInput{StartsAt: &start, Notes: ptr("moved by phone")})
		if err != nil {
			t.Fatal(err)
		}
		if !got.StartsAt.Equal(start) || !got.EndsAt.Equal(start.Add(30*time.Minute)) || got.Notes != "moved by phone" {
			t.Fatalf("updated %+v", got)
		}
		evs := f.events(t, b.ID)
		want := []bookingevent.Kind{bookingevent.KindCreated, bookingevent.KindRescheduled, bookingevent.KindUpdated}
		if !slices.Equal(kinds(evs), want) {
			t.Fatalf("history %v", kinds(evs))
		}
		if evs[2].Reason != "changed notes" {
			t.Errorf("reason %q", evs[2].Reason)
		}
		tps := f.touchpoints(t, b.ID)
		if s := tps[len(tps)-1].Summary; s != "Updated MRI Knee on Thu 11 Jun 14:00: notes" {
			t.Errorf("summary %q", s)
		}
	})
	t.Run("ErrTimesOfAFinalBooking", func(t *testing.T) {
		c := f.inStatus(t, booking.StatusCancelled, local("2026-06-12", "10:00"))
		start := local("2026-06-13", "10:00")
		_, err := f.svc.Update(f.ctx, c.ID, ent.UpdateBookingInput{StartsAt: &start})
		if ae := asAppErr(t, err, apperr.Invalid); ae.Details["action"] != "reschedule" {
			t.Fatalf("%+v", ae)
		}
		// Notes of a final booking may still be corrected.
		if _, err := f.svc.Update(f.ctx, c.ID, ent.UpdateBookingInput{Notes: ptr("called back")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ServiceChangeChecksItsResource", func(t *testing.T) {
		ct := f.book(t, "CT Chest", local("2026-06-11", "14:00")) // CT-1
		brain := f.service(t, "MRI Brain").ID                     // MRI-1, where b now is
		_, err := f.svc.Update(f.ctx, ct.ID, ent.UpdateBookingInput{ServiceID: &brain})
		if ae := asAppErr(t, err, apperr.Conflict); ae.Details["conflictWith"] != string(b.ID) {
			t.Fatalf("%+v", ae)
		}
	})
}

// TestTenancy: a booking of Parramatta does not exist for Sydney, whatever
// is tried on it.
func TestTenancy(t *testing.T) {
	f := newFixture(t)
	par := testutil.As(t, f.c, "par-staff@example.com")
	parContact, err := f.c.Contact.Create().SetFirstName("Par").Save(par)
	if err != nil {
		t.Fatal(err)
	}
	parSvc, err := f.c.Service.Query().First(par)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := f.svc.Create(par, bookings.NewBooking{ContactID: parContact.ID, ServiceID: parSvc.ID, StartsAt: local("2026-06-10", "10:00")})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(local("2026-06-10", "11:00"))
	start := local("2026-06-11", "10:00")
	attempts := map[string]func() error{
		"Confirm":    func() error { _, err := f.svc.Confirm(f.ctx, pb.ID); return err },
		"Cancel":     func() error { _, err := f.svc.Cancel(f.ctx, pb.ID, "Patient unwell"); return err },
		"Complete":   func() error { _, err := f.svc.Complete(f.ctx, pb.ID); return err },
		"MarkNoShow": func() error { _, _, err := f.svc.MarkNoShow(f.ctx, pb.ID); return err },
		"Reschedule": func() error { _, err := f.svc.Reschedule(f.ctx, pb.ID, start, nil); return err },
		"Update": func() error {
			_, err := f.svc.Update(f.ctx, pb.ID, ent.UpdateBookingInput{Notes: ptr("x")})
			return err
		},
		"History": func() error { _, err := f.svc.History(f.ctx, pb.ID); return err },
		"Get":     func() error { _, err := f.svc.Get(f.ctx, pb.ID); return err },
		"BookTheirContact": func() error {
			_, err := f.svc.Create(f.ctx, bookings.NewBooking{ContactID: parContact.ID, ServiceID: f.service(t, "MRI Knee").ID, StartsAt: start})
			return err
		},
	}
	for name, try := range attempts {
		t.Run(name, func(t *testing.T) {
			asAppErr(t, try(), apperr.NotFound)
		})
	}
	fresh, err := f.c.Booking.Get(par, pb.ID)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := f.svc.History(par, pb.ID)
	if err != nil || fresh.Status != booking.StatusPending || len(evs) != 1 {
		t.Fatalf("PAR booking changed from SYD: %+v %v", fresh, err)
	}
	// Sydney's calendar does not show it, nor do Parramatta's resources
	// block Sydney's.
	list, err := f.svc.InRange(f.ctx, "2026-06-10", "2026-06-10", bookings.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range list {
		if b.ID == pb.ID {
			t.Fatal("PAR booking in SYD's range")
		}
	}
	var sameName string
	for name, s := range f.services {
		if s.Resource == parSvc.Resource {
			sameName = name
		}
	}
	f.book(t, sameName, pb.StartsAt)
}
