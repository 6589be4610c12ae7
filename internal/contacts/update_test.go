package contacts_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
)

func TestService_Update(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	ct := e.create(t, staff, ent.CreateContactInput{FirstName: "Ada", Tags: []string{"gp"}})
	moves := func(t *testing.T) int {
		t.Helper()
		n, err := e.client.StageChange.Query().Where(stagechange.ContactID(ct.ID)).Count(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("OK_StageMoveRecorded", func(t *testing.T) {
		got, err := e.svc.Update(staff, ct.ID, ent.UpdateContactInput{
			Stage: ptr(contact.StageContacted), Notes: ptr("Called"), AppendTags: []string{"vip"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Stage != contact.StageContacted || got.Pipeline != contact.PipelineLead || got.Notes != "Called" ||
			len(got.Tags) != 2 || got.Tags[0] != "gp" || got.Tags[1] != "vip" {
			t.Fatalf("updated: stage %s pipeline %s notes %q tags %v", got.Stage, got.Pipeline, got.Notes, got.Tags)
		}
		if n := moves(t); n != 1 {
			t.Fatalf("%d stage changes recorded, want 1", n)
		}
	})
	t.Run("ErrPipelineNotOfStage", func(t *testing.T) {
		_, err := e.svc.Update(staff, ct.ID, ent.UpdateContactInput{
			Stage: ptr(contact.StageQualified), Pipeline: ptr(contact.PipelinePartnership), Notes: ptr("changed"),
		})
		wantField(t, err, apperr.Invalid, "pipeline")
		if got := e.get(t, ct.ID); got.Stage != contact.StageContacted || got.Notes != "Called" || moves(t) != 1 {
			t.Fatalf("refused update changed the contact: stage %s notes %q", got.Stage, got.Notes)
		}
	})
	t.Run("ErrStageMoveRefused", func(t *testing.T) {
		// contacted → completed skips the appointment: the move and the
		// rest of the update are refused together.
		_, err := e.svc.Update(staff, ct.ID, ent.UpdateContactInput{Stage: ptr(contact.StageCompleted), Notes: ptr("changed")})
		wantField(t, err, apperr.Invalid, "stage")
		if got := e.get(t, ct.ID); got.Stage != contact.StageContacted || got.Notes != "Called" || moves(t) != 1 {
			t.Fatalf("refused update changed the contact: stage %s notes %q", got.Stage, got.Notes)
		}
	})
	t.Run("ErrNoStages", func(t *testing.T) {
		svc := &contacts.Service{Client: e.client}
		_, err := svc.Update(staff, ct.ID, ent.UpdateContactInput{Stage: ptr(contact.StageQualified)})
		wantField(t, err, apperr.Invalid, "stage")
	})
}

func TestMappingOf(t *testing.T) {
	m, err := contacts.MappingOf([]*contacts.ColumnMapping{
		{Column: "Mobile", Field: contacts.FieldPhone}, {Column: "Given", Field: contacts.FieldFirstName},
	})
	if err != nil || len(m) != 2 || m["Mobile"] != "phone" || m["Given"] != "first_name" {
		t.Fatalf("mapping %v, %v", m, err)
	}
	if m, err := contacts.MappingOf(nil); m != nil || err != nil {
		t.Fatalf("empty list: %v, %v; want nil (the suggested mapping)", m, err)
	}
	_, err = contacts.MappingOf([]*contacts.ColumnMapping{
		{Column: "Mobile", Field: contacts.FieldPhone}, {Column: "Mobile", Field: contacts.FieldNotes},
	})
	wantField(t, err, apperr.Invalid, "mapping")
}
