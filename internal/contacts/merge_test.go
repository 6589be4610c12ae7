package contacts_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

func TestService_Merge(t *testing.T) {
	e := newEnv(t)
	staff, mgr := e.as(t, "staff@example.com"), e.as(t, "manager@example.com")
	survivor := e.create(t, staff, ent.CreateContactInput{FirstName: "Olivia", LastName: ptr("Smith"), Phone: ptr("0412 555 019"),
		Tags: []string{"vip"}, Notes: ptr("Prefers mornings")})
	dup := e.create(t, staff, ent.CreateContactInput{FirstName: "Liv", LastName: ptr("Smith"), Phone: ptr("0412 555 020"),
		Email: ptr("liv@example.com"), DateOfBirth: ptr(types.Date("1980-04-23")), Referrer: ptr("Dr Lee, Macquarie St"),
		Tags: []string{"mri", "vip"}, Notes: ptr("Referral letter received")})
	dup2 := e.create(t, staff, ent.CreateContactInput{FirstName: "O.", LastName: ptr("Smith"), Email: ptr("o.smith@example.com")})

	svc, err := e.client.Service.Query().FirstID(staff)
	if err != nil {
		t.Fatal(err)
	}
	start := testutil.Now.Add(72 * time.Hour)
	if err := e.client.Booking.Create().SetContactID(dup.ID).SetServiceID(svc).SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).Exec(staff); err != nil {
		t.Fatal(err)
	}
	for _, id := range []pulid.ID{dup.ID, dup2.ID} {
		if err := e.client.Touchpoint.Create().SetContactID(id).SetKind(touchpoint.KindSmsIn).SetSummary("Hello").SetOccurredAt(testutil.Now).Exec(staff); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.client.Task.Create().SetTitle("Call Liv").SetContactID(dup.ID).Exec(mgr); err != nil {
		t.Fatal(err)
	}
	if _, err := (&pipeline.Service{Client: e.client}).Move(staff, dup.ID, contact.StageContacted, "called"); err != nil {
		t.Fatal(err)
	}

	t.Run("ErrStaffForbidden", func(t *testing.T) {
		_, err := e.svc.Merge(staff, survivor.ID, []pulid.ID{dup.ID})
		wantCode(t, err, apperr.Forbidden)
	})
	t.Run("ErrSelfMerge", func(t *testing.T) {
		_, err := e.svc.Merge(mgr, survivor.ID, []pulid.ID{survivor.ID})
		wantCode(t, err, apperr.Invalid)
	})
	t.Run("ErrNamedTwice", func(t *testing.T) {
		_, err := e.svc.Merge(mgr, survivor.ID, []pulid.ID{dup.ID, dup.ID})
		wantCode(t, err, apperr.Invalid)
	})
	t.Run("ErrOtherLocation", func(t *testing.T) {
		par := e.parContact(t)
		_, err := e.svc.Merge(mgr, survivor.ID, []pulid.ID{dup.ID, par})
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.Merge(mgr, par, []pulid.ID{dup.ID})
		wantCode(t, err, apperr.NotFound)
		if got := e.get(t, dup.ID); got.ArchivedAt != nil {
			t.Fatal("a refused merge archived the duplicate")
		}
	})

	got, err := e.svc.Merge(mgr, survivor.ID, []pulid.ID{dup.ID, dup2.ID})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Phone != "+61412555019" || got.Email == nil || *got.Email != "liv@example.com" ||
		got.DateOfBirth == nil || *got.DateOfBirth != "1980-04-23" || got.Referrer == nil || *got.Referrer != "Dr Lee, Macquarie St" {
		t.Errorf("fields not filled from the duplicates: %+v", got)
	}
	if !slices.Equal(got.Tags, []string{"vip", "mri"}) {
		t.Errorf("tags %v", got.Tags)
	}
	if got.Notes != "Prefers mornings\n\nReferral letter received" {
		t.Errorf("notes %q", got.Notes)
	}
	if got.WarmnessScoredAt == nil || got.Warmness <= survivor.Warmness {
		t.Errorf("warmness %d (was %d) not recomputed with the moved history", got.Warmness, survivor.Warmness)
	}
	for _, id := range []pulid.ID{dup.ID, dup2.ID} {
		d := e.get(t, id)
		if d.ArchivedAt == nil || d.MergedIntoID == nil || *d.MergedIntoID != survivor.ID || d.Warmness != 0 {
			t.Errorf("duplicate %s: archived %v merged into %v warmness %d", id, d.ArchivedAt, d.MergedIntoID, d.Warmness)
		}
	}
	count := func(n int, err error) int {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	dups := []pulid.ID{dup.ID, dup2.ID}
	if n := count(e.client.Touchpoint.Query().Where(touchpoint.ContactIDIn(dups...)).Count(e.sys)); n != 0 {
		t.Errorf("%d touchpoints left on the duplicates", n)
	}
	if n := count(e.client.Booking.Query().Where(booking.ContactID(survivor.ID)).Count(e.sys)); n != 1 {
		t.Errorf("survivor has %d bookings", n)
	}
	if n := count(e.client.Task.Query().Where(task.ContactID(survivor.ID)).Count(e.sys)); n != 1 {
		t.Errorf("survivor has %d tasks", n)
	}
	if n := count(e.client.StageChange.Query().Where(stagechange.ContactID(survivor.ID)).Count(e.sys)); n != 1 {
		t.Errorf("survivor has %d stage changes", n)
	}
	note, err := e.client.Touchpoint.Query().Where(touchpoint.ContactID(survivor.ID), touchpoint.KindEQ(touchpoint.KindNote)).Only(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	want := "Merged with Liv Smith (" + string(dup.ID) + "), O. Smith (" + string(dup2.ID) + ")"
	if note.Summary != want || note.ActorID == nil {
		t.Errorf("merge note %q (actor %v), want %q", note.Summary, note.ActorID, want)
	}

	t.Run("ErrRestoreMerged", func(t *testing.T) {
		_, err := e.svc.Restore(mgr, dup.ID)
		wantCode(t, err, apperr.Conflict)
	})
	t.Run("ErrMergeAgain", func(t *testing.T) {
		_, err := e.svc.Merge(mgr, survivor.ID, []pulid.ID{dup.ID})
		wantCode(t, err, apperr.Invalid)
	})
}

func TestService_FindDuplicates(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	a := e.create(t, staff, ent.CreateContactInput{FirstName: "Grace", LastName: ptr("Hopper"), Phone: ptr("0412 555 030"), DateOfBirth: ptr(types.Date("1950-12-09"))})
	byPhone := e.create(t, staff, ent.CreateContactInput{FirstName: "G", Phone: ptr("+61412555030")})
	byEmail := e.create(t, staff, ent.CreateContactInput{FirstName: "Gee", Email: ptr("grace@example.com")})
	byName := e.create(t, staff, ent.CreateContactInput{FirstName: "grace", LastName: ptr("HOPPER "), DateOfBirth: ptr(types.Date("1950-12-09"))})
	e.create(t, staff, ent.CreateContactInput{FirstName: "Grace", LastName: ptr("Hopper"), DateOfBirth: ptr(types.Date("1951-01-01"))}) // another person

	ds, err := e.svc.FindDuplicates(staff, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[pulid.ID]string{}
	for _, d := range ds {
		got[d.Contact.ID] = strings.Join(d.MatchedOn, ",")
	}
	if len(got) != 2 || got[byPhone.ID] != "phone" || got[byName.ID] != "name_dob" {
		t.Fatalf("duplicates of %s: %v", a.ID, got)
	}
	ds, err = e.svc.DuplicatesOf(staff, contacts.Probe{Phone: "0412 555 030", Email: "GRACE@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 || ds[0].Contact.ID != a.ID || ds[2].Contact.ID != byEmail.ID || ds[2].MatchedOn[0] != "email" {
		t.Fatalf("duplicatesOf: %+v", ds)
	}
}

func TestService_BulkUpdate(t *testing.T) {
	e := newEnv(t)
	staff, mgr := e.as(t, "staff@example.com"), e.as(t, "manager@example.com")
	var ids []pulid.ID
	for _, name := range []string{"Ann", "Bob", "Cat"} {
		ids = append(ids, e.create(t, staff, ent.CreateContactInput{FirstName: name, Tags: []string{"old", "mri"}}).ID)
	}
	archived := e.create(t, staff, ent.CreateContactInput{FirstName: "Gone"})
	if _, err := e.svc.Archive(mgr, archived.ID); err != nil {
		t.Fatal(err)
	}
	par := e.parContact(t)
	assignee := e.userID(t, "staff@example.com")
	res, err := e.svc.BulkUpdate(staff, append(ids, par, archived.ID, ids[0]), contacts.BulkChange{
		AssignTo: &assignee, AddTags: []string{"vip", " vip "}, RemoveTags: []string{"old"}, Stage: ptr(contact.StageContacted),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 3 || res.Failed != 2 || len(res.Errors) != 2 ||
		res.Errors[0].ID != par || res.Errors[0].Code != "NOT_FOUND" || res.Errors[1].ID != archived.ID || res.Errors[1].Code != "INVALID" {
		t.Fatalf("result %+v", res)
	}
	for _, id := range ids {
		c := e.get(t, id)
		if c.Stage != contact.StageContacted || c.AssignedToID == nil || *c.AssignedToID != assignee || !slices.Equal(c.Tags, []string{"mri", "vip"}) {
			t.Errorf("%s: stage %s assigned %v tags %v", c.FirstName, c.Stage, c.AssignedToID, c.Tags)
		}
		if n, _ := e.client.StageChange.Query().Where(stagechange.ContactID(id)).Count(e.sys); n != 1 {
			t.Errorf("%s: %d stage changes recorded", c.FirstName, n)
		}
	}

	t.Run("RefusedStageMoveReported", func(t *testing.T) {
		res, err := e.svc.BulkUpdate(staff, ids[:1], contacts.BulkChange{Stage: ptr(contact.StageCompleted)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Updated != 0 || res.Failed != 1 || res.Errors[0].Code != "INVALID" || res.Errors[0].Field != "stage" {
			t.Fatalf("contacted → completed: %+v", res)
		}
	})
	t.Run("ErrUnknownAssignee", func(t *testing.T) {
		other := e.userID(t, "par-staff@example.com")
		_, err := e.svc.BulkUpdate(staff, ids, contacts.BulkChange{AssignTo: &other})
		wantCode(t, err, apperr.NotFound)
	})
	t.Run("ErrNothingToChange", func(t *testing.T) {
		_, err := e.svc.BulkUpdate(staff, ids, contacts.BulkChange{AddTags: []string{"  "}})
		wantCode(t, err, apperr.Invalid)
	})
	t.Run("ErrViewerForbidden", func(t *testing.T) {
		_, err := e.svc.BulkUpdate(e.as(t, "viewer@example.com"), ids, contacts.BulkChange{AddTags: []string{"x"}})
		wantCode(t, err, apperr.Forbidden)
	})
}

func TestService_Timeline(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	ct := e.create(t, staff, ent.CreateContactInput{FirstName: "Tim"})
	at := func(h int) time.Time { return testutil.Now.Add(time.Duration(h) * time.Hour) }
	tp := func(kind touchpoint.Kind, summary string, h int) {
		t.Helper()
		if err := e.client.Touchpoint.Create().SetContactID(ct.ID).SetKind(kind).SetSummary(summary).SetOccurredAt(at(h)).Exec(staff); err != nil {
			t.Fatal(err)
		}
	}
	tp(touchpoint.KindWebForm, "Enquiry form", -72)
	tp(touchpoint.KindSmsOut, "Sent options", -48)
	svc, err := e.client.Service.Query().FirstID(staff)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.client.Booking.Create().SetContactID(ct.ID).SetServiceID(svc).SetStartsAt(at(72)).SetEndsAt(at(73)).
		SetCreatedAt(at(-24)).Save(staff)
	if err != nil {
		t.Fatal(err)
	}
	// The booking's echo on the timeline is left out: the booking stands for it.
	if err := e.client.Touchpoint.Create().SetContactID(ct.ID).SetBookingID(b.ID).SetKind(touchpoint.KindBookingEvent).
		SetSummary("Booked").SetOccurredAt(at(-24)).Exec(staff); err != nil {
		t.Fatal(err)
	}
	mgr := e.as(t, "manager@example.com")
	tk, err := e.client.Task.Create().SetTitle("Confirm Tim").SetContactID(ct.ID).SetCreatedAt(at(-12)).Save(mgr)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.client.Task.UpdateOne(tk).SetStatus("completed").SetCompletedAt(at(-6)).Exec(mgr); err != nil {
		t.Fatal(err)
	}
	if _, err := (&pipeline.Service{Client: e.client, Now: func() time.Time { return at(-2) }}).Move(staff, ct.ID, contact.StageBooked, "booked"); err != nil {
		t.Fatal(err)
	}
	tp(touchpoint.KindSmsIn, "Thanks!", -1)

	items, err := e.svc.Timeline(staff, ct.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for i, it := range items {
		kinds = append(kinds, it.Kind)
		if i > 0 && it.At.After(items[i-1].At) {
			t.Errorf("item %d (%s %v) after %v: not newest first", i, it.Kind, it.At, items[i-1].At)
		}
	}
	want := []string{"sms_in", "stage_change", "task_completed", "task_created", "booking", "sms_out", "web_form"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	if items[4].Ref != b.ID || !strings.Contains(items[4].Summary, "(pending)") || !strings.Contains(items[1].Summary, "New lead → Booked") {
		t.Errorf("items %+v", items)
	}
	if short, _ := e.svc.Timeline(staff, ct.ID, 2); len(short) != 2 || short[0].Kind != "sms_in" {
		t.Errorf("first 2: %+v", short)
	}
	t.Run("ErrOtherLocation", func(t *testing.T) {
		_, err := e.svc.Timeline(staff, e.parContact(t), 10)
		wantCode(t, err, apperr.NotFound)
	})
}
