package contacts_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/importjob"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// waitImport polls a job until it finishes.
func (e *env) waitImport(t *testing.T, ctx context.Context, id pulid.ID) *ent.ImportJob {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		job, err := e.svc.ImportJob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if job.Status == importjob.StatusDone || job.Status == importjob.StatusFailed {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still %s after 20 s (%d/%d)", id, job.Status, job.Processed, job.TotalRows)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSuggestMapping(t *testing.T) {
	got := contacts.SuggestMapping([]string{"First Name", "Surname", "Mobile", "E-mail", "DOB", "Lead Source", "Referred by", "Tags",
		"Comments", "SMS opt-in", "Email Consent", "Stage", "Favourite colour", "Phone"})
	want := map[string]string{
		"First Name": "first_name", "Surname": "last_name", "Mobile": "phone", "E-mail": "email", "DOB": "date_of_birth",
		"Lead Source": "lead_source", "Referred by": "referrer", "Tags": "tags", "Comments": "notes",
		"SMS opt-in": "sms_consent", "Email Consent": "email_consent", "Stage": "stage",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]types.Date{"1980-04-23": "1980-04-23", "23/04/1980": "1980-04-23", "3/4/1980": "1980-04-03", " 03-04-1980 ": "1980-04-03"} {
		if got, err := contacts.ParseDate(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"31/02/1980", "04/23/1980", "1980", "yesterday", "2999-01-01", "1850-01-01"} {
		if got, err := contacts.ParseDate(in); err == nil {
			t.Errorf("%q read as %q", in, got)
		}
	}
}

func TestService_Import(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	existing, err := e.client.Contact.Query().Where(contact.PhoneNotNil(), contact.ArchivedAtIsNil(),
		contact.HasLocationWith(location.Code("SYD"))).Order(contact.ByID()).First(staff)
	if err != nil {
		t.Fatal(err)
	}
	file := "\ufeffFirst Name,Surname,Mobile,E-mail,DOB,Source,Tags,SMS\n" +
		"Olivia,Smith,0499 555 101,Olivia@Example.com,23/04/1980,GP Referral,vip;mri,yes\n" + // 2 imported
		"Jack,Brown,+61 499 555 102,,1975-01-31,referral,,no\n" + // 3 imported
		"Ella,Jones,0499555101,,,,,\n" + // 4 duplicate of row 2 (phone)
		"Sam,Taylor," + *existing.Phone + ",,,,,\n" + // 5 duplicate of a contact in the database
		"Bad,Phone,12345,,,,,\n" + // 6 invalid phone
		"Bad,Email,,not-an-email,,,,\n" + // 7 invalid email
		"Bad,Date,,,31/02/1980,,,\n" + // 8 invalid date
		",Nofirst,0499 555 109,,,,,\n" + // 9 no first name
		"\n" + // a blank line is skipped
		"Liv,Smith,,OLIVIA@example.COM,,,,\n" // 11 duplicate of row 2 (email)

	job, err := e.svc.StartImport(staff, `C:\Users\chloe\patients.csv`, []byte(file), nil)
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != importjob.StatusPending || job.TotalRows != 9 || job.FileName != "patients.csv" {
		t.Fatalf("new job: %s, %d rows, %q", job.Status, job.TotalRows, job.FileName)
	}
	job = e.waitImport(t, staff, job.ID)
	if job.Status != importjob.StatusDone || job.Processed != 9 || job.Imported != 2 || job.Duplicates != 3 || job.Invalid != 4 ||
		job.Content != nil || job.FinishedAt == nil || job.Error != "" {
		t.Fatalf("job: %s processed %d imported %d duplicates %d invalid %d content %d bytes, error %q",
			job.Status, job.Processed, job.Imported, job.Duplicates, job.Invalid, len(job.Content), job.Error)
	}
	olivia, jack := job.Report[0].ContactID, job.Report[1].ContactID
	want := []types.ImportRow{
		{Row: 2, Outcome: "imported", ContactID: olivia},
		{Row: 3, Outcome: "imported", ContactID: jack},
		{Row: 4, Outcome: "duplicate", Field: "phone", Reason: "same phone as row 2", ContactID: olivia},
		{Row: 5, Outcome: "duplicate", Field: "phone", Reason: "same phone as an existing contact", ContactID: string(existing.ID)},
		{Row: 6, Outcome: "invalid", Field: "phone", Reason: `"12345" is not a valid phone number`},
		{Row: 7, Outcome: "invalid", Field: "email", Reason: `"not-an-email" is not a valid email address`},
		{Row: 8, Outcome: "invalid", Field: "date_of_birth", Reason: `"31/02/1980" is not a date like 1980-04-23 or 23/04/1980`},
		{Row: 9, Outcome: "invalid", Field: "first_name", Reason: "is required"},
		{Row: 11, Outcome: "duplicate", Field: "email", Reason: "same email as row 2", ContactID: olivia},
	}
	if !slices.Equal(job.Report, want) {
		t.Fatalf("report:\n%+v\nwant\n%+v", job.Report, want)
	}
	o := e.get(t, pulid.ID(olivia))
	if o.FirstName != "Olivia" || o.LastName != "Smith" || *o.Phone != "+61499555101" || *o.Email != "olivia@example.com" ||
		*o.DateOfBirth != "1980-04-23" || o.LeadSource != contact.LeadSourceGpReferral || !slices.Equal(o.Tags, []string{"vip", "mri"}) ||
		!o.SmsConsent || o.Warmness == 0 {
		t.Fatalf("imported Olivia: %+v", o)
	}
	if j := e.get(t, pulid.ID(jack)); j.LeadSource != contact.LeadSourceReferral || j.SmsConsent || *j.DateOfBirth != "1975-01-31" {
		t.Fatalf("imported Jack: %+v", j)
	}
	// The contacts were created by the importing user, in the audit trail.
	if err := e.audit.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	n, err := e.client.AuditEntry.Query().Where(auditentry.ResourceID(olivia), auditentry.Action("create"),
		auditentry.Email("staff@example.com")).Count(e.sys)
	if err != nil || n != 1 {
		t.Fatalf("audit entries for the imported contact: %d (%v)", n, err)
	}
}

func TestService_ImportProgress(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	var b strings.Builder
	b.WriteString("first_name;last_name;email;stage\n") // semicolons, field names as headers
	const rows = 1234
	for i := range rows {
		fmt.Fprintf(&b, "Person;Number %d;person%d@example.com;qualified\n", i, i)
	}
	job, err := e.svc.StartImport(staff, "big.csv", []byte(b.String()), map[string]string{
		"first_name": "first_name", "last_name": "last_name", "email": "email", "stage": "stage",
	})
	if err != nil {
		t.Fatal(err)
	}
	job = e.waitImport(t, staff, job.ID)
	if job.Status != importjob.StatusDone || job.Processed != rows || job.Imported != rows || len(job.Report) != rows {
		t.Fatalf("job %s: processed %d imported %d report %d (%s)", job.Status, job.Processed, job.Imported, len(job.Report), job.Error)
	}
	n, err := e.client.Contact.Query().Where(contact.FirstName("Person"), contact.StageEQ(contact.StageQualified), contact.PipelineEQ(contact.PipelineLead)).Count(staff)
	if err != nil || n != rows {
		t.Fatalf("%d imported contacts (%v)", n, err)
	}
}

func TestService_ImportErrors(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	good := []byte("First Name,Mobile\nAda,0412 555 001\n")
	tests := []struct {
		name    string
		content []byte
		mapping map[string]string
		field   string
		msg     string
	}{
		{"Empty", nil, nil, "file", "empty"},
		{"TooLarge", bytes.Repeat([]byte("a"), contacts.MaxImportBytes+1), nil, "file", "limit is 20 MiB"},
		{"TooManyRows", []byte("first_name\n" + strings.Repeat("Ada\n", contacts.MaxImportRows+1)), nil, "file", "more than 50000 rows"},
		{"HeaderOnly", []byte("First Name,Mobile\n"), nil, "file", "no contacts"},
		{"NotUTF8", []byte("First Name\nZo\xe9\n"), nil, "file", "UTF-8"},
		{"UnknownColumn", good, map[string]string{"First Name": "first_name", "Landline": "phone"}, "mapping", `no column "Landline"`},
		{"UnknownField", good, map[string]string{"First Name": "first_name", "Mobile": "fax"}, "mapping", "not a contact field"},
		{"FieldTwice", good, map[string]string{"First Name": "first_name", "Mobile": "first_name"}, "mapping", "two columns"},
		{"NoFirstName", good, map[string]string{"Mobile": "phone"}, "mapping", "first_name"},
		{"Unreadable", []byte("First Name\n\"Ada\"x\"\n"), nil, "", ""},
	}
	for _, tc := range tests {
		t.Run("Err"+tc.name, func(t *testing.T) {
			_, err := e.svc.StartImport(staff, "x.csv", tc.content, tc.mapping)
			if tc.name == "Unreadable" {
				// Lazy quotes read a stray quote as text rather than fail.
				if err != nil {
					t.Fatalf("lazy quotes: %v", err)
				}
				return
			}
			wantCode(t, err, apperr.Invalid)
			if ae := apperr.From(err); ae.Field != tc.field || !strings.Contains(ae.Message, tc.msg) {
				t.Fatalf("field %q message %q, want %q containing %q", ae.Field, ae.Message, tc.field, tc.msg)
			}
		})
	}
	t.Run("ErrViewerForbidden", func(t *testing.T) {
		_, err := e.svc.StartImport(e.as(t, "viewer@example.com"), "x.csv", good, nil)
		wantCode(t, err, apperr.Forbidden)
	})
}

func TestService_Preview(t *testing.T) {
	e := newEnv(t)
	var b strings.Builder
	b.WriteString("Given Name,Family Name,Phone Number,Notes\n")
	for i := range 8 {
		fmt.Fprintf(&b, "P%d,Q,0412 555 %03d,\"line one\nline two\"\n", i, i)
	}
	p, err := e.svc.Preview(e.as(t, "staff@example.com"), []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalRows != 8 || len(p.Rows) != 5 || p.Rows[0][3] != "line one\nline two" ||
		fmt.Sprint(p.SuggestedMapping) != "[{Given Name first_name} {Family Name last_name} {Phone Number phone} {Notes notes}]" {
		t.Fatalf("preview %+v", p)
	}
}

func TestService_Export(t *testing.T) {
	e := newEnv(t)
	mgr := e.as(t, "manager@example.com")
	staff := e.as(t, "staff@example.com")
	ct := e.create(t, staff, ent.CreateContactInput{FirstName: "=HYPERLINK(\"x\")", LastName: ptr("Export"), Phone: ptr("0412 555 077"),
		Tags: []string{"a", "b"}, SmsConsent: ptr(true), Stage: ptr(contact.StageQualified)})
	gone := e.create(t, staff, ent.CreateContactInput{FirstName: "Gone", Stage: ptr(contact.StageQualified)})
	if _, err := e.svc.Archive(mgr, gone.ID); err != nil {
		t.Fatal(err)
	}
	where := &ent.ContactWhereInput{Stage: ptr(contact.StageQualified)}
	var buf bytes.Buffer
	n, err := e.svc.Export(mgr, &buf, where)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want, err := e.client.Contact.Query().Where(contact.StageEQ(contact.StageQualified), contact.ArchivedAtIsNil()).Count(mgr)
	if err != nil {
		t.Fatal(err)
	}
	if n != want || len(rows) != want+1 || !slices.Equal(rows[0], contacts.ExportColumns) {
		t.Fatalf("exported %d (%d rows), want %d; header %v", n, len(rows), want, rows[0])
	}
	var mine []string
	for _, r := range rows[1:] {
		if r[12] == string(gone.ID) {
			t.Fatal("archived contact exported")
		}
		if r[12] == string(ct.ID) {
			mine = r
		}
	}
	if strings.Join(mine[:12], "|") != `'=HYPERLINK("x")|Export|+61412555077|||other||a;b||yes|no|qualified` {
		t.Fatalf("row %q", strings.Join(mine, "|"))
	}

	t.Run("Paged", func(t *testing.T) {
		// More than a page (500) of contacts: every demo contact and some.
		for i := range 450 {
			e.create(t, staff, ent.CreateContactInput{FirstName: fmt.Sprintf("Bulk%d", i)})
		}
		total, err := e.client.Contact.Query().Where(contact.ArchivedAtIsNil()).Count(mgr)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		n, err := e.svc.Export(mgr, &buf, nil)
		if err != nil || n != total || total <= 500 || strings.Count(buf.String(), "\n") != total+1 {
			t.Fatalf("exported %d of %d: %v", n, total, err)
		}
		_, err = e.svc.ExportLimit(mgr, &bytes.Buffer{}, nil, 100)
		wantCode(t, err, apperr.Invalid)
	})
	t.Run("ErrStaffForbidden", func(t *testing.T) {
		_, err := e.svc.Export(staff, &bytes.Buffer{}, nil)
		wantCode(t, err, apperr.Forbidden)
	})
	t.Run("Audited", func(t *testing.T) {
		if err := e.audit.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		entries, err := e.client.AuditEntry.Query().Where(auditentry.Action("export")).Order(auditentry.ByID()).All(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 || entries[0].Email != "manager@example.com" || entries[0].ResourceType != "Contact" || !entries[0].Phi ||
			entries[0].Detail != fmt.Sprintf("contacts CSV: %d rows", want) {
			t.Fatalf("export entries: %d, first %+v", len(entries), entries[0])
		}
	})
}

// The staff UI's two-step import: the upload waits as a staged job (in the
// database, so any instance can start it), only its uploader may start it,
// once; a bad mapping leaves it staged; the worker never picks up a staged
// job; staged jobs past StagedTTL are deleted.
func TestService_StagedImport(t *testing.T) {
	e := newEnv(t)
	staff := e.as(t, "staff@example.com")
	file := []byte("Given,Family,Mobile\nStella,Staged,0499 555 301\nSam,Staged,0499 555 302\n")

	job, prev, err := e.svc.StageImport(staff, "C:\\exports\\staged.csv", file)
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != importjob.StatusStaged || job.FileName != "staged.csv" || job.TotalRows != 2 || prev.TotalRows != 2 || !slices.Equal(prev.Headers, []string{"Given", "Family", "Mobile"}) {
		t.Fatalf("staged %s %q %d rows, preview %+v", job.Status, job.FileName, job.TotalRows, prev)
	}
	time.Sleep(100 * time.Millisecond)
	if n := e.client.Contact.Query().Where(contact.LastName("Staged")).CountX(staff); n != 0 {
		t.Fatalf("a staged upload imported %d contacts before it was started", n)
	}
	if _, _, err := e.svc.StagedImport(e.as(t, "manager@example.com"), job.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another person's staged upload: %v, want NOT_FOUND", err)
	}
	if _, err := e.svc.StartStagedImport(e.as(t, "manager@example.com"), job.ID, nil); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another person starting it: %v, want NOT_FOUND", err)
	}
	// "Given" is not a known header, so the mapping must name it.
	if _, err := e.svc.StartStagedImport(staff, job.ID, map[string]string{"Nope": "first_name"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("unknown column: %v, want INVALID", err)
	}
	if j, _, err := e.svc.StagedImport(staff, job.ID); err != nil || j.Status != importjob.StatusStaged {
		t.Fatalf("after a refused start: %v %v, want still staged", j, err)
	}
	started, err := e.svc.StartStagedImport(staff, job.ID, map[string]string{"Given": "first_name", "Family": "last_name", "Mobile": "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if done := e.waitImport(t, staff, started.ID); done.Status != importjob.StatusDone || done.Imported != 2 {
		t.Fatalf("import: %s, %d imported, %q", done.Status, done.Imported, done.Error)
	}
	if _, err := e.svc.StartStagedImport(staff, job.ID, nil); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("starting it twice: %v, want NOT_FOUND", err)
	}

	// An upload nobody started goes after a day.
	old, err := e.client.ImportJob.Create().SetStatus(importjob.StatusStaged).SetFileName("old.csv").SetContent(file).
		SetCreatedByID(e.userID(t, "staff@example.com")).SetCreatedAt(testutil.Now.Add(-contacts.StagedTTL - time.Minute)).Save(staff)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.StagedImport(staff, old.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("an expired upload: %v, want NOT_FOUND", err)
	}
	if _, _, err := e.svc.StageImport(staff, "new.csv", file); err != nil {
		t.Fatal(err)
	}
	if n := e.client.ImportJob.Query().Where(importjob.ID(old.ID)).CountX(staff); n != 0 {
		t.Error("the expired upload was not deleted by the next one")
	}
}
