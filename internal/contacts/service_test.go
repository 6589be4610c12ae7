package contacts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

func TestService_Create(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	first, err := e.svc.Create(staff, ent.CreateContactInput{FirstName: " Olivia ", LastName: ptr("Smith"),
		Phone: ptr("0412 555 019"), Email: ptr("Olivia.Smith@Example.com")}, false)
	if err != nil {
		t.Fatal(err)
	}
	if *first.Phone != "+61412555019" || *first.Email != "olivia.smith@example.com" || first.FirstName != "Olivia" {
		t.Fatalf("not normalised: %+v", first)
	}

	dupOf := func(t *testing.T, err error, on string) {
		t.Helper()
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Conflict {
			t.Fatalf("error %v, want CONFLICT", err)
		}
		if ae.Details["duplicateOf"] != string(first.ID) || ae.Details["matchedOn"] != on || ae.Field != on {
			t.Fatalf("details %+v field %q, want duplicateOf %s matchedOn %s", ae.Details, ae.Field, first.ID, on)
		}
	}
	t.Run("ErrDuplicatePhoneTypedDifferently", func(t *testing.T) {
		_, err := e.svc.Create(staff, ent.CreateContactInput{FirstName: "Liv", Phone: ptr("+61 412 555 019")}, false)
		dupOf(t, err, "phone")
	})
	t.Run("ErrDuplicateEmailCase", func(t *testing.T) {
		_, err := e.svc.Create(staff, ent.CreateContactInput{FirstName: "Liv", Email: ptr("OLIVIA.SMITH@example.COM")}, false)
		dupOf(t, err, "email")
	})
	t.Run("OK_AllowDuplicate", func(t *testing.T) {
		ct, err := e.svc.Create(staff, ent.CreateContactInput{FirstName: "Liv", Phone: ptr("0412555019")}, true)
		if err != nil || *ct.Phone != "+61412555019" {
			t.Fatalf("allowDuplicate: %v", err)
		}
	})
	t.Run("OK_ArchivedIsNoDuplicate", func(t *testing.T) {
		mgr := e.as(t, "manager@example.com")
		old := e.create(t, staff, ent.CreateContactInput{FirstName: "Old", Email: ptr("old@example.com")})
		if _, err := e.svc.Archive(mgr, old.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Create(staff, ent.CreateContactInput{FirstName: "New", Email: ptr("old@example.com")}, false); err != nil {
			t.Fatalf("archived contact counted as a duplicate: %v", err)
		}
	})
	t.Run("OK_OtherLocationIsNoDuplicate", func(t *testing.T) {
		par := e.as(t, "par-staff@example.com")
		if _, err := e.svc.Create(par, ent.CreateContactInput{FirstName: "Olivia", Phone: ptr("0412 555 019")}, false); err != nil {
			t.Fatalf("a Sydney contact blocked a Parramatta one: %v", err)
		}
	})
	t.Run("ErrInvalidPhone", func(t *testing.T) {
		_, err := e.svc.Create(staff, ent.CreateContactInput{FirstName: "Bad", Phone: ptr("12345")}, false)
		wantCode(t, err, apperr.Invalid)
		if apperr.From(err).Field != "phone" {
			t.Fatalf("field %q", apperr.From(err).Field)
		}
	})
}

func TestService_ArchiveRestore(t *testing.T) {
	e := newEnv(t)
	staff, mgr := e.as(t, "staff@example.com"), e.as(t, "manager@example.com")
	ct := e.create(t, staff, ent.CreateContactInput{FirstName: "Archie", LeadSource: ptr(contact.LeadSourceGpReferral)})
	listed := func() bool {
		w := contacts.ListFilter(&ent.ContactWhereInput{ID: &ct.ID})
		p, err := w.P()
		if err != nil {
			t.Fatal(err)
		}
		ok, err := e.client.Contact.Query().Where(p).Exist(staff)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !listed() {
		t.Fatal("new contact not listed")
	}
	t.Run("ErrStaffForbidden", func(t *testing.T) {
		_, err := e.svc.Archive(staff, ct.ID)
		wantCode(t, err, apperr.Forbidden)
	})
	got, err := e.svc.Archive(mgr, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ArchivedAt == nil || !got.ArchivedAt.Equal(testutil.Now) || got.Warmness != 0 || listed() {
		t.Fatalf("archived: at %v, warmness %d, listed %v", got.ArchivedAt, got.Warmness, listed())
	}
	// Asking about archivedAt lists the archive.
	w := contacts.ListFilter(&ent.ContactWhereInput{ArchivedAtNotNil: true, ID: &ct.ID})
	p, _ := w.P()
	if n, _ := e.client.Contact.Query().Where(p).Count(staff); n != 1 {
		t.Fatalf("archivedAtNotNil lists %d", n)
	}
	got, err = e.svc.Restore(mgr, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ArchivedAt != nil || got.Warmness == 0 || !listed() {
		t.Fatalf("restored: at %v, warmness %d, listed %v", got.ArchivedAt, got.Warmness, listed())
	}
	t.Run("OK_RestoreLiveChangesNothing", func(t *testing.T) {
		again, err := e.svc.Restore(mgr, ct.ID)
		if err != nil || again.ArchivedAt != nil || !again.UpdatedAt.Equal(got.UpdatedAt) {
			t.Fatalf("restore of a live contact: %v, %+v", err, again)
		}
	})
	t.Run("ErrOtherLocation", func(t *testing.T) {
		_, err := e.svc.Archive(mgr, e.parContact(t))
		wantCode(t, err, apperr.NotFound)
	})
}

func TestService_Purge(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	ct := e.create(t, staff, ent.CreateContactInput{FirstName: "Percy"})
	svc, err := e.client.Service.Query().FirstID(staff)
	if err != nil {
		t.Fatal(err)
	}
	start := testutil.Now.Add(72 * time.Hour)
	b, err := e.client.Booking.Create().SetContactID(ct.ID).SetServiceID(svc).SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).Save(staff)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.client.Touchpoint.Create().SetContactID(ct.ID).SetBookingID(b.ID).SetKind(touchpoint.KindSmsIn).SetSummary("Yes please").Exec(staff); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Task.Create().SetTitle("Call Percy").SetContactID(ct.ID).SetAssigneeID(e.userID(t, "staff@example.com")).Exec(staff); err != nil {
		t.Fatal(err)
	}

	t.Run("ErrManagerForbidden", func(t *testing.T) {
		wantCode(t, e.svc.Purge(e.as(t, "manager@example.com"), ct.ID), apperr.Forbidden)
	})
	t.Run("ErrOtherLocation", func(t *testing.T) {
		wantCode(t, e.svc.Purge(e.as(t, "admin@example.com"), e.parContact(t)), apperr.NotFound)
	})
	if err := e.svc.Purge(e.as(t, "admin@example.com"), ct.ID); err != nil {
		t.Fatal(err)
	}
	count := func(n int, err error) int {
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count(e.client.Contact.Query().Where(contact.ID(ct.ID)).Count(e.sys)) != 0 ||
		count(e.client.Touchpoint.Query().Where(touchpoint.ContactID(ct.ID)).Count(e.sys)) != 0 ||
		count(e.client.Booking.Query().Where(booking.ContactID(ct.ID)).Count(e.sys)) != 0 ||
		count(e.client.Task.Query().Where(task.Title("Call Percy")).Count(e.sys)) != 0 {
		t.Fatal("purge left rows behind")
	}
	// Each row's deletion is in the audit trail.
	if err := e.audit.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	entries, err := e.client.AuditEntry.Query().All(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	deleted := map[string]bool{}
	for _, a := range entries {
		if a.Action == "delete" {
			deleted[a.ResourceType] = true
		}
	}
	if !deleted["Contact"] || !deleted["Booking"] || !deleted["Touchpoint"] || !deleted["Task"] {
		t.Fatalf("audited deletions: %v", deleted)
	}
}

// A lead that arrives with a utm_campaign (the website form, an integrator)
// is attributed to that campaign for the revenue report; a campaign given
// explicitly wins.
func TestService_Create_CampaignFromUTM(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	tagged := e.create(t, staff, ent.CreateContactInput{FirstName: "Ada", UtmCampaign: ptr(" spring-mri ")})
	if tagged.Campaign == nil || *tagged.Campaign != "spring-mri" {
		t.Fatalf("campaign %v, want spring-mri from utm_campaign", tagged.Campaign)
	}
	explicit := e.create(t, staff, ent.CreateContactInput{FirstName: "Bea", UtmCampaign: ptr("spring-mri"), Campaign: ptr("GP referrals")})
	if explicit.Campaign == nil || *explicit.Campaign != "GP referrals" {
		t.Fatalf("campaign %v, want the explicit one", explicit.Campaign)
	}
	plain := e.create(t, staff, ent.CreateContactInput{FirstName: "Cy"})
	if plain.Campaign != nil {
		t.Fatalf("campaign %q without any utm_campaign", *plain.Campaign)
	}
}
