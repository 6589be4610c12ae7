package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/importjob"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestImportResumesAfterRestart stops the job queue of a server in the
// middle of a CSV import, as a shutdown or a crash would, and starts a new
// server on the same SQLite file: the import's job runs again and resumes
// after the last committed batch. Every row ends up imported once (no
// duplicate contact, none lost), the report has one entry a row in file
// order, and the duplicates within the file still name the contact of the
// row they repeat, across the restart.
func TestImportResumesAfterRestart(t *testing.T) {
	path := testutil.DemoDBPath(t)
	env := map[string]string{"AVATARCRM_JOBS_TIMEOUT": "20s", "AVATARCRM_JOBS_RESCUE_AFTER": "20s"}
	a := testutil.StartServer(t, testutil.ServerOptions{DatabaseURL: "sqlite:" + path, Env: env})

	// n rows; every 250th repeats the phone of the row before it.
	const n = 8000
	var b strings.Builder
	b.WriteString("First Name,Last Name,Mobile,Email\n")
	wantDup := 0
	for i := range n {
		phone := i
		if i%250 == 249 {
			phone, wantDup = i-1, wantDup+1
		}
		fmt.Fprintf(&b, "Resume%d,Restart,0491 %03d %03d,resume%d@example.org\n", i, phone/1000, phone%1000, i)
	}
	staff := testutil.As(t, a.App.DB.Client, "staff@example.com")
	job, err := a.App.Contacts.StartImport(staff, "restart.csv", []byte(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	sys := viewer.ImportJob.Grant(context.Background(), "test")
	// The job with its report (kept in parts beside the job row) and
	// whether its file is still kept.
	get := func(s *testutil.Server) (*ent.ImportJob, bool) {
		t.Helper()
		j, err := s.App.Contacts.ImportJob(sys, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := s.App.DB.Client.ImportJob.Query().Where(importjob.ID(job.ID), importjob.ContentNotNil()).Exist(sys)
		if err != nil {
			t.Fatal(err)
		}
		return j, kept
	}
	processed := func(s *testutil.Server) int {
		t.Helper()
		j, err := s.App.Contacts.ImportJobProgress(sys, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		return j.Processed
	}

	// Stop the queue once a batch or two are in: a running job is cut off
	// (its open batch rolls back).
	deadline := time.Now().Add(2 * time.Minute)
	for processed(a) < 500 {
		if time.Now().After(deadline) {
			t.Fatal("the import did not start")
		}
		time.Sleep(2 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	_ = a.App.Jobs.Stop(ctx)
	cancel()
	mid, _ := get(a)
	if mid.Status != importjob.StatusRunning || mid.Processed >= n {
		t.Fatalf("after the stop: %s, %d of %d rows: the import was not cut off midway (raise n)", mid.Status, mid.Processed, n)
	}
	if len(mid.Report) != mid.Processed || mid.Processed%500 != 0 {
		t.Fatalf("after the stop: %d processed, %d in the report: progress is not per committed batch", mid.Processed, len(mid.Report))
	}
	a.Stop(t)
	t.Logf("stopped at %d of %d rows", mid.Processed, n)

	// A new server on the same file resumes it.
	b2 := testutil.StartServer(t, testutil.ServerOptions{DatabaseURL: "sqlite:" + path, Env: env})
	c := b2.App.DB.Client
	var done *ent.ImportJob
	var kept bool
	for deadline := time.Now().Add(3 * time.Minute); ; {
		done, kept = get(b2)
		if done.Status == importjob.StatusDone || done.Status == importjob.StatusFailed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import did not resume: %s, %d of %d rows", done.Status, done.Processed, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if done.Status != importjob.StatusDone || done.Processed != n || len(done.Report) != n ||
		done.Imported != n-wantDup || done.Duplicates != wantDup || done.Invalid != 0 || kept {
		t.Fatalf("import: %s %q, processed %d, report %d, imported %d, duplicates %d, invalid %d",
			done.Status, done.Error, done.Processed, len(done.Report), done.Imported, done.Duplicates, done.Invalid)
	}

	// No contact twice, none missing: one per imported row, each the
	// report's.
	cs, err := c.Contact.Query().Where(contact.LastName("Restart")).All(sys)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != n-wantDup {
		t.Fatalf("%d contacts, want %d", len(cs), n-wantDup)
	}
	byID := map[pulid.ID]*ent.Contact{}
	phones := map[string]bool{}
	for _, ct := range cs {
		byID[ct.ID] = ct
		if ct.Phone == nil || phones[*ct.Phone] {
			t.Fatalf("contact %s: phone %v missing or twice", ct.ID, ct.Phone)
		}
		phones[*ct.Phone] = true
	}
	for i, r := range done.Report {
		if r.Row != i+2 {
			t.Fatalf("report entry %d is row %d, want %d", i, r.Row, i+2)
		}
		ct := byID[pulid.ID(r.ContactID)]
		switch {
		case r.Outcome == contacts.OutcomeImported && (ct == nil || ct.FirstName != fmt.Sprintf("Resume%d", i)):
			t.Fatalf("row %d imported as %s, which is not its contact", r.Row, r.ContactID)
		case r.Outcome == contacts.OutcomeDuplicate && (ct == nil || ct.FirstName != fmt.Sprintf("Resume%d", i-1) || r.Field != "phone"):
			t.Fatalf("row %d: duplicate of %s (%s), want the contact of the row before", r.Row, r.ContactID, r.Field)
		}
	}
}
