package contacts_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/importjob"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/searchkey"
	"github.com/avatarimaging/avatarcrm/internal/search"
)

var updateGolden = flag.Bool("update-import-golden", false, "rewrite testdata/import_3000.golden from this code's import")

// goldenFile builds a fixed file of 3,000 rows over six batches: rows
// that duplicate an earlier row by phone (written another way) or by
// email (in other case), in the same batch and in earlier ones; rows with
// the phone or email of a contact in the database; rows duplicating a row
// that was invalid (so not a duplicate); invalid phones, emails, dates and
// missing first names; lead sources, stages and consents that move the
// warmness. existing are contacts of the location (with phone and email).
func goldenFile(existing []*ent.Contact) string {
	sources := []string{"walk_in", "referral", "gp_referral", "google_ads", "meta_ads", "wix", "other", ""}
	stages := []string{"", "contacted", "qualified", "booked", "completed"}
	phone := func(i int) string { return fmt.Sprintf("0455 %03d %03d", i/1000, i%1000) }
	email := func(i int) string { return fmt.Sprintf("person%d@example.org", i) }
	var b strings.Builder
	b.WriteString("First Name,Last Name,Mobile,Email,DOB,Lead Source,Stage,SMS,Email Consent\n")
	for i := range 3000 {
		first, last := fmt.Sprintf("Given%d", i%97), fmt.Sprintf("Family%d", i%89)
		ph, em, dob := phone(i), email(i), fmt.Sprintf("%02d/%02d/%d", 1+i%28, 1+i%12, 1940+i%60)
		if i%5 == 0 {
			ph = ""
		}
		if i%3 == 0 {
			em = ""
		}
		switch {
		case i%7 == 3 && i >= 600:
			// Same phone as a row of an earlier batch, as +61.
			ph = "+61 455 " + strings.TrimPrefix(phone(i-601), "0455 ")
		case i%7 == 5 && i >= 10:
			// Same phone as a row of (usually) the same batch.
			ph = phone(i - 9)
		case i%11 == 4 && i >= 20:
			em = strings.ToUpper(email(i - 17))
		case i%13 == 6:
			ph = *existing[i%len(existing)].Phone
		case i%17 == 8:
			em = strings.ToUpper(*existing[(i/17)%len(existing)].Email)
		case i%43 == 9 && i >= 43:
			// Phone of a row, email of a contact in the database.
			ph, em = phone(i-42), *existing[(i/43)%len(existing)].Email
		case i%19 == 2:
			ph = "12345"
		case i%23 == 1:
			em = "not-an-email"
		case i%29 == 3:
			dob = "31/02/1980"
		case i%29 == 4:
			// Same phone as the row before, whose date was bad: imported.
			ph = phone(i - 1)
		case i%31 == 10:
			first = ""
		}
		sms, ec := "", ""
		if i%4 == 0 {
			sms = "yes"
		}
		if i%6 == 0 {
			ec = "yes"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", first, last, ph, em, dob,
			sources[i%len(sources)], stages[i%len(stages)], sms, ec)
	}
	return b.String()
}

// TestService_ImportGolden imports a fixed file of 3,000 rows with
// duplicates within the file and against the database and compares the
// per-row report, the contacts created (fields, warmness and its reasons),
// their search keys and their audit entries to what the row-at-a-time
// import (before issue 12's batching) produced on the same file, kept in
// testdata/import_3000.golden. Contact IDs are new each run: the report
// names them by the row that imported them or by the existing contact's
// place in the list. The audit chain verifies after the import.
func TestService_ImportGolden(t *testing.T) {
	e := newEnv(t)
	idx := search.New(e.client)
	e.client.Use(idx.Hook())
	staff := e.as(t, "staff@example.com")
	existing, err := e.client.Contact.Query().Where(contact.PhoneNotNil(), contact.EmailNotNil(), contact.ArchivedAtIsNil(),
		contact.HasLocationWith(location.Code("SYD"))).Order(contact.ByID()).Limit(40).All(staff)
	if err != nil || len(existing) < 10 {
		t.Fatalf("%d existing contacts (%v)", len(existing), err)
	}
	before, err := e.client.AuditEntry.Query().Count(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	job, err := e.svc.StartImport(staff, "golden.csv", []byte(goldenFile(existing)), nil)
	if err != nil {
		t.Fatal(err)
	}
	job = e.waitImport(t, staff, job.ID)
	if job.Status != importjob.StatusDone || job.Processed != 3000 {
		t.Fatalf("job %s: %d processed (%s)", job.Status, job.Processed, job.Error)
	}
	// Names for contact IDs.
	name := map[string]string{}
	for i, ct := range existing {
		name[string(ct.ID)] = fmt.Sprintf("existing %d", i)
	}
	var ids []pulid.ID
	for _, r := range job.Report {
		if r.Outcome == "imported" {
			name[r.ContactID] = fmt.Sprintf("row %d", r.Row)
			ids = append(ids, pulid.ID(r.ContactID))
		}
	}
	var got strings.Builder
	fmt.Fprintf(&got, "imported %d duplicates %d invalid %d\n", job.Imported, job.Duplicates, job.Invalid)
	for _, r := range job.Report {
		ref := ""
		if r.ContactID != "" {
			ref = name[r.ContactID]
			if ref == "" {
				ref = "unknown contact"
			}
		}
		fmt.Fprintf(&got, "%d %s %s %q %s\n", r.Row, r.Outcome, r.Field, r.Reason, ref)
	}
	// The contacts, their keys and their audit entries.
	keys := map[pulid.ID]int{}
	audits := map[string]int{}
	var cs []*ent.Contact
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		part, err := e.client.Contact.Query().Where(contact.IDIn(chunk...)).All(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, part...)
		var ks []*ent.SearchKey
		if ks, err = e.client.SearchKey.Query().Where(searchkey.ContactIDIn(chunk...)).All(e.sys); err != nil {
			t.Fatal(err)
		}
		for _, k := range ks {
			keys[k.ContactID]++
		}
		strs := make([]string, len(chunk))
		for i, id := range chunk {
			strs[i] = string(id)
		}
		as, err := e.client.AuditEntry.Query().Where(auditentry.ResourceIDIn(strs...)).All(e.sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			audits[a.ResourceID+" "+a.Action+" "+a.Email+" "+a.Operation]++
		}
	}
	slices.SortFunc(cs, func(a, b *ent.Contact) int { return strings.Compare(name[string(a.ID)], name[string(b.ID)]) })
	str := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	for _, c := range cs {
		reasons, _ := json.Marshal(c.WarmnessReasons)
		dob := "-"
		if c.DateOfBirth != nil {
			dob = string(*c.DateOfBirth)
		}
		var mine []string
		for k, n := range audits {
			if strings.HasPrefix(k, string(c.ID)+" ") {
				mine = append(mine, fmt.Sprintf("%s×%d", strings.TrimPrefix(k, string(c.ID)+" "), n))
			}
		}
		slices.Sort(mine)
		fmt.Fprintf(&got, "%s: %s|%s|%s|%s|%s|%s|%s/%s|sms=%t email=%t|warm %d %s|keys %d|audit %s\n",
			name[string(c.ID)], c.FirstName, c.LastName, str(c.Phone), str(c.Email), dob, c.LeadSource, c.Pipeline, c.Stage,
			c.SmsConsent, c.EmailConsent, c.Warmness, reasons, keys[c.ID], strings.Join(mine, ","))
	}
	path := filepath.Join("testdata", "import_3000.golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		g, w := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(g), len(w)) {
			var gl, wl string
			if i < len(g) {
				gl = g[i]
			}
			if i < len(w) {
				wl = w[i]
			}
			if gl != wl {
				t.Fatalf("line %d differs from the golden file:\ngot  %s\nwant %s", i+1, gl, wl)
			}
		}
	}
	// The audit chain holds the import's entries and verifies.
	if err := e.audit.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	after, err := e.client.AuditEntry.Query().Count(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	if after-before < job.Imported {
		t.Fatalf("%d audit entries written for %d imported contacts", after-before, job.Imported)
	}
	rep, err := e.audit.VerifyTail(t.Context(), after-before)
	if err != nil || !rep.OK || rep.Checked != after-before {
		t.Fatalf("audit chain after the import: %+v (%v)", rep, err)
	}
}
