package ui_test

// The contacts pages over plain HTTP: bulk changes from the list, the CSV
// export, the new and edit forms (field errors, duplicates), stage moves,
// archive, restore and permanent deletion, merging duplicates, and CSV
// import from upload to report. Every change is checked against the
// GraphQL API, and every refusal against what did not change.

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/importjob"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// ctContact is a contact as the GraphQL API returns it.
type ctContact struct {
	ID           string
	FirstName    string
	LastName     string
	Phone        *string
	Email        *string
	Stage        string
	Tags         []string
	Referrer     *string
	ArchivedAt   *time.Time
	MergedIntoID *string
	AssignedTo   *struct{ ID, Name string }
	Touchpoints  struct{ TotalCount int }
	Bookings     struct{ TotalCount int }
}

func (c ctContact) name() string { return c.FirstName + " " + c.LastName }

const ctFields = `id firstName lastName phone email stage tags referrer archivedAt mergedIntoID assignedTo { id name }
	touchpoints { totalCount } bookings { totalCount }`

// ctList lists the contacts matching where (a ContactWhereInput), oldest
// first.
func ctList(t *testing.T, srv *testutil.Server, c *http.Client, where map[string]any) []ctContact {
	t.Helper()
	var out struct {
		Contacts struct{ Edges []struct{ Node ctContact } }
	}
	srv.MustGraphQL(t, c, `query($w: ContactWhereInput) { contacts(first: 1000, where: $w, orderBy: {field: CREATED_AT, direction: ASC}) {
		edges { node { `+ctFields+` } } } }`, map[string]any{"w": where}).Decode(t, &out)
	cs := make([]ctContact, 0, len(out.Contacts.Edges))
	for _, e := range out.Contacts.Edges {
		cs = append(cs, e.Node)
	}
	return cs
}

// ctGet reads a contact (archived ones too); ok is false when it is gone.
func ctGet(t *testing.T, srv *testutil.Server, c *http.Client, id string) (ctContact, bool) {
	t.Helper()
	var out struct{ Node *ctContact }
	r := srv.GraphQL(t, c, `query($id: ID!) { node(id: $id) { ... on Contact { `+ctFields+` } } }`, map[string]any{"id": id})
	if r.FirstCode() == "NOT_FOUND" {
		return ctContact{}, false
	}
	if len(r.Errors) > 0 {
		t.Fatalf("node %s: %s %s", id, r.FirstCode(), r.Errors[0].Message)
	}
	r.Decode(t, &out)
	if out.Node == nil {
		return ctContact{}, false
	}
	return *out.Node, true
}

func ctMust(t *testing.T, srv *testutil.Server, c *http.Client, id string) ctContact {
	t.Helper()
	ct, ok := ctGet(t, srv, c, id)
	if !ok {
		t.Fatalf("contact %s not found", id)
	}
	return ct
}

// ctCreate creates a contact through the API.
func ctCreate(t *testing.T, srv *testutil.Server, c *http.Client, in map[string]any, allowDuplicate bool) ctContact {
	t.Helper()
	var out struct{ CreateContact ctContact }
	srv.MustGraphQL(t, c, `mutation($in: CreateContactInput!, $dup: Boolean) { createContact(input: $in, allowDuplicate: $dup) { `+ctFields+` } }`,
		map[string]any{"in": in, "dup": allowDuplicate}).Decode(t, &out)
	return out.CreateContact
}

// ctTimeline is the contact's timeline as the API gives it.
func ctTimeline(t *testing.T, srv *testutil.Server, c *http.Client, id string) []struct{ Kind, Summary string } {
	t.Helper()
	var out struct {
		ContactTimeline []struct{ Kind, Summary string }
	}
	srv.MustGraphQL(t, c, `query($id: ID!) { contactTimeline(id: $id, first: 100) { kind summary } }`, map[string]any{"id": id}).Decode(t, &out)
	return out.ContactTimeline
}

// ctStatus fails unless the page has the status.
func ctStatus(t *testing.T, p page, want int, what string) {
	t.Helper()
	if p.Status != want {
		t.Fatalf("%s: status %d, want %d; errors %q", what, p.Status, want, errorsOn(p))
	}
}

// flashOf is the page's flash message (success or error).
func flashOf(p page) string { return text(p.Doc.Find(".flash").First()) }

func ctIDs(cs []ctContact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestContacts_BulkAssignTagAndStage(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	mgr := srv.SignIn(t, "manager@example.com")
	staffID := meID(t, srv, srv.SignIn(t, "staff@example.com"))

	leads := ctList(t, srv, mgr, map[string]any{"stage": "new_lead"})
	done := ctList(t, srv, mgr, map[string]any{"stage": "completed"})
	if len(leads) < 3 || len(done) < 1 {
		t.Fatalf("the demo data has %d new leads and %d completed contacts", len(leads), len(done))
	}
	three := leads[:3]

	list := getPage(t, srv, mgr, "/contacts?stage=new_lead")
	ctStatus(t, list, http.StatusOK, "GET /contacts?stage=new_lead")
	if list.Doc.Find(byTestID("bulk-form")).Length() != 1 {
		t.Fatal("a manager gets no bulk bar")
	}
	if n, rows := list.Doc.Find(`input[name=ids][form=bulk-form]`).Length(), list.Doc.Find(byTestID("contact-row")).Length(); n != rows || n == 0 {
		t.Errorf("%d row check boxes for %d rows", n, rows)
	}
	if list.Doc.Find(`#bulk-assign option[value="`+staffID+`"]`).Length() != 1 {
		t.Error("the assign select does not offer the staff member")
	}
	next, _ := list.Doc.Find(`#bulk-form input[name=next]`).Attr("value")
	if next != "/contacts?stage=new_lead" {
		t.Errorf("the bulk form returns to %q, want the filtered list", next)
	}

	t.Run("assign and tag", func(t *testing.T) {
		form := url.Values{"ids": ctIDs(three), "assign_to": {staffID}, "add_tag": {"bulk-test, second"}, "next": {next}}
		p := postPage(t, srv, mgr, "/contacts/bulk", form)
		ctStatus(t, p, http.StatusOK, "POST /contacts/bulk")
		if got := flashOf(p); got != "Updated 3 contacts." {
			t.Errorf("flash %q, want %q", got, "Updated 3 contacts.")
		}
		if got := p.Doc.Find(`#stage option[selected]`).AttrOr("value", ""); got != "new_lead" {
			t.Errorf("after the change the list is filtered by stage %q, want new_lead (the list it came from)", got)
		}
		for _, c := range three {
			got := ctMust(t, srv, mgr, c.ID)
			if got.AssignedTo == nil || got.AssignedTo.ID != staffID {
				t.Errorf("%s: assigned to %+v, want the staff member", c.name(), got.AssignedTo)
			}
			if !slices.Contains(got.Tags, "bulk-test") || !slices.Contains(got.Tags, "second") {
				t.Errorf("%s: tags %q, want bulk-test and second added", c.name(), got.Tags)
			}
		}
	})

	t.Run("remove tag", func(t *testing.T) {
		p := postPage(t, srv, mgr, "/contacts/bulk", url.Values{"ids": ctIDs(three[:2]), "remove_tag": {"bulk-test"}, "next": {next}})
		ctStatus(t, p, http.StatusOK, "POST /contacts/bulk remove")
		if got := flashOf(p); got != "Updated 2 contacts." {
			t.Errorf("flash %q", got)
		}
		if got := ctMust(t, srv, mgr, three[0].ID).Tags; slices.Contains(got, "bulk-test") || !slices.Contains(got, "second") {
			t.Errorf("tags after removing bulk-test: %q", got)
		}
		if got := ctMust(t, srv, mgr, three[2].ID).Tags; !slices.Contains(got, "bulk-test") {
			t.Errorf("a contact that was not ticked lost its tag: %q", got)
		}
	})

	t.Run("stage with a refusal", func(t *testing.T) {
		if err := pipeline.CanMove(contact.StageCompleted, contact.StageContacted); err == nil {
			t.Fatal("completed → contacted is allowed: the refusal below would prove nothing")
		}
		refused := done[0]
		ids := append(ctIDs(three[:2]), refused.ID)
		p := postPage(t, srv, mgr, "/contacts/bulk", url.Values{"ids": ids, "stage": {"contacted"}, "next": {next}})
		ctStatus(t, p, http.StatusOK, "POST /contacts/bulk stage")
		msg := flashOf(p)
		for _, want := range []string{"Updated 2 contacts; 1 could not be changed:", refused.name() + ": cannot move from completed to contacted"} {
			if !strings.Contains(msg, want) {
				t.Errorf("flash %q does not say %q", msg, want)
			}
		}
		for _, c := range three[:2] {
			if got := ctMust(t, srv, mgr, c.ID).Stage; got != "contacted" {
				t.Errorf("%s: stage %s, want contacted", c.name(), got)
			}
		}
		if got := ctMust(t, srv, mgr, refused.ID).Stage; got != "completed" {
			t.Errorf("the refused contact moved to %s", got)
		}
	})

	t.Run("nothing ticked", func(t *testing.T) {
		p := postPage(t, srv, mgr, "/contacts/bulk", url.Values{"add_tag": {"x"}, "next": {next}})
		ctStatus(t, p, http.StatusUnprocessableEntity, "POST /contacts/bulk without contacts")
		if got := flashOf(p); !strings.Contains(got, "Tick at least one contact") {
			t.Errorf("flash %q", got)
		}
	})
}

func TestContacts_BulkRefused(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	mgr := srv.SignIn(t, "manager@example.com")
	viewerC := srv.SignIn(t, "viewer@example.com")
	c := ctList(t, srv, mgr, map[string]any{"stage": "new_lead"})[0]

	list := getPage(t, srv, viewerC, "/contacts")
	ctStatus(t, list, http.StatusOK, "viewer GET /contacts")
	for _, id := range []string{"bulk-form", "new-contact", "import-contacts", "export-csv"} {
		if list.Doc.Find(byTestID(id)).Length() > 0 {
			t.Errorf("a viewer sees %s", id)
		}
	}
	if list.Doc.Find(`input[name=ids]`).Length() > 0 {
		t.Error("a viewer gets row check boxes")
	}

	form := url.Values{"ids": {c.ID}, "add_tag": {"viewer-tag"}, "stage": {"contacted"}, "next": {"/contacts"}}
	p := postPage(t, srv, viewerC, "/contacts/bulk", form)
	ctStatus(t, p, http.StatusForbidden, "viewer POST /contacts/bulk")

	// A cross-site form post (CSRF) is refused before it reaches the page.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/contacts/bulk", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	if p := fetch(t, mgr, req); p.Status != http.StatusForbidden {
		t.Errorf("cross-site POST /contacts/bulk: status %d, want 403", p.Status)
	}

	got := ctMust(t, srv, mgr, c.ID)
	if slices.Contains(got.Tags, "viewer-tag") || got.Stage != "new_lead" {
		t.Errorf("refused bulk changes changed the contact: tags %q, stage %s", got.Tags, got.Stage)
	}
}

func TestContacts_ExportCSV(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	mgr := srv.SignIn(t, "manager@example.com")
	staff := srv.SignIn(t, "staff@example.com")
	want := ctList(t, srv, mgr, map[string]any{"stage": "booked"})
	if len(want) < 2 {
		t.Fatalf("only %d booked contacts in the demo data", len(want))
	}

	list := getPage(t, srv, mgr, "/contacts?stage=booked&sort=name")
	href, ok := list.Doc.Find(byTestID("export-csv")).Attr("href")
	if !ok || href != "/contacts/export.csv?stage=booked" {
		t.Fatalf("export link %q, want the list's filter", href)
	}
	resp, body := get(t, mgr, srv.URL+href)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", href, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, `filename="contacts-2026-03-11.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v", err)
	}
	if !slices.Equal(rows[0], contacts.ExportColumns) {
		t.Errorf("header %q", rows[0])
	}
	idCol, stageCol := slices.Index(rows[0], "ID"), slices.Index(rows[0], "Stage")
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[idCol])
		if r[stageCol] != "booked" {
			t.Errorf("row %s has stage %s", r[idCol], r[stageCol])
		}
	}
	wantIDs := ctIDs(want)
	slices.Sort(got)
	slices.Sort(wantIDs)
	if !slices.Equal(got, wantIDs) {
		t.Errorf("exported %d contacts, the API lists %d booked", len(got), len(wantIDs))
	}

	// The export is in the audit trail, with its row count.
	ctx := viewer.Seed.Grant(context.Background(), "test")
	deadline := time.Now().Add(3 * time.Second)
	var detail string
	for time.Now().Before(deadline) && detail == "" {
		es, err := srv.App.DB.Client.AuditEntry.Query().
			Where(auditentry.Action("export"), auditentry.Email("manager@example.com")).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			detail = e.Detail
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(detail, "contacts CSV") || !strings.Contains(detail, strconv.Itoa(len(want))+" rows") {
		t.Errorf("audit export entry %q, want the row count %d", detail, len(want))
	}

	// A search exports its matches only.
	name := want[0].LastName
	resp, body = get(t, mgr, srv.URL+"/contacts/export.csv?q="+url.QueryEscape(name))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export of a search: %d", resp.StatusCode)
	}
	rows, _ = csv.NewReader(strings.NewReader(body)).ReadAll()
	if len(rows) < 2 || len(rows) > 51 {
		t.Errorf("the search for %q exported %d rows", name, len(rows)-1)
	}
	found := false
	for _, r := range rows[1:] {
		found = found || r[idCol] == want[0].ID
	}
	if !found {
		t.Errorf("the export of the search for %q lacks %s", name, want[0].name())
	}

	// Staff may not export: no link, and 403.
	if getPage(t, srv, staff, "/contacts").Doc.Find(byTestID("export-csv")).Length() > 0 {
		t.Error("staff see the export link")
	}
	if resp, _ := get(t, staff, srv.URL+"/contacts/export.csv"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff export: status %d, want 403", resp.StatusCode)
	}
}

func TestContacts_CreateWithFieldErrorsAndDuplicates(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	existing := ctCreate(t, srv, staff, map[string]any{"firstName": "Olive", "lastName": "Original", "phone": "0412 555 019"}, false)

	p := getPage(t, srv, staff, "/contacts")
	if href, _ := p.Doc.Find(byTestID("new-contact")).Attr("href"); href != "/contacts/new" {
		t.Errorf("New contact links to %q", href)
	}
	form := getPage(t, srv, staff, "/contacts/new")
	ctStatus(t, form, http.StatusOK, "GET /contacts/new")
	form.Doc.Find(`[data-testid=contact-form] input[name], [data-testid=contact-form] select, [data-testid=contact-form] textarea`).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		if id == "" || form.Doc.Find(`label[for="`+id+`"]`).Length() == 0 {
			n, _ := s.Attr("name")
			t.Errorf("the input %q has no label", n)
		}
	})

	t.Run("missing first name", func(t *testing.T) {
		p := postPage(t, srv, staff, "/contacts/new", url.Values{"last_name": {"Nofirst"}, "phone": {"0412 000 111"}, "lead_source": {"walk_in"}})
		ctStatus(t, p, http.StatusUnprocessableEntity, "POST without a first name")
		if got := text(p.Doc.Find(byTestID("field-error-contact-first-name"))); got != "A contact needs a first name." {
			t.Errorf("first name error %q", got)
		}
		if v, _ := p.Doc.Find("#contact-phone").Attr("value"); v != "0412 000 111" {
			t.Errorf("the phone typed was not kept: %q", v)
		}
		if v, _ := p.Doc.Find("#contact-source option[selected]").Attr("value"); v != "walk_in" {
			t.Errorf("the source chosen was not kept: %q", v)
		}
	})

	t.Run("bad phone", func(t *testing.T) {
		p := postPage(t, srv, staff, "/contacts/new", url.Values{"first_name": {"Badphone"}, "phone": {"12345"}})
		ctStatus(t, p, http.StatusUnprocessableEntity, "POST with a bad phone")
		if got := text(p.Doc.Find(byTestID("field-error-contact-phone"))); !strings.Contains(got, "12345") {
			t.Errorf("phone error %q", got)
		}
		if v, _ := p.Doc.Find("#contact-phone").Attr("aria-invalid"); v != "true" {
			t.Error("the phone input is not marked invalid")
		}
		if n := len(ctList(t, srv, staff, map[string]any{"firstName": "Badphone"})); n != 0 {
			t.Errorf("%d contacts created", n)
		}
	})

	newForm := url.Values{"first_name": {"Olivia"}, "last_name": {"Again"}, "phone": {"+61412555019"}, "email": {"olivia.again@example.com"},
		"date_of_birth": {"1984-05-06"}, "lead_source": {"referral"}, "tags": {"mri, follow-up"}, "sms_consent": {"yes"}, "notes": {"Prefers mornings"}}

	t.Run("duplicate", func(t *testing.T) {
		p := postPage(t, srv, staff, "/contacts/new", newForm)
		ctStatus(t, p, http.StatusConflict, "POST a duplicate")
		warn := p.Doc.Find(byTestID("duplicate-warning"))
		if !strings.Contains(text(warn), "This looks like Olive Original (the same phone)") {
			t.Errorf("warning %q", text(warn))
		}
		if href, _ := warn.Find(byTestID("duplicate-link")).Attr("href"); href != "/contacts/"+existing.ID {
			t.Errorf("the warning links to %q, want %s", href, existing.ID)
		}
		if p.Doc.Find(byTestID("create-anyway")).Length() != 1 {
			t.Error("no Create anyway button")
		}
		if v, _ := p.Doc.Find("#contact-email").Attr("value"); v != "olivia.again@example.com" {
			t.Errorf("the email typed was not kept: %q", v)
		}
		if n := len(ctList(t, srv, staff, map[string]any{"phone": "+61412555019"})); n != 1 {
			t.Errorf("%d contacts have the phone, want only the first", n)
		}
	})

	t.Run("create anyway", func(t *testing.T) {
		form := url.Values{}
		for k, v := range newForm {
			form[k] = v
		}
		form.Set("allow_duplicate", "yes")
		p := postPage(t, srv, staff, "/contacts/new", form)
		ctStatus(t, p, http.StatusSeeOther, "POST Create anyway")
		same := ctList(t, srv, staff, map[string]any{"phone": "+61412555019"})
		if len(same) != 2 {
			t.Fatalf("%d contacts with the phone, want 2", len(same))
		}
		created := same[1]
		if p.Location != "/contacts/"+created.ID+"?done=contact-created" {
			t.Errorf("redirect to %q", p.Location)
		}
		if created.name() != "Olivia Again" || !slices.Equal(created.Tags, []string{"mri", "follow-up"}) || created.Email == nil {
			t.Errorf("created %+v", created)
		}
		page := getPage(t, srv, staff, p.Location)
		if got := flashOf(page); got != "Contact created." {
			t.Errorf("flash %q", got)
		}
		if dups := page.Doc.Find(byTestID("duplicate")); dups.AttrOr("data-contact-id", "") != existing.ID {
			t.Errorf("the new contact's possible duplicates are %q, want %s", text(dups), existing.name())
		}
	})
}

func TestContacts_Edit(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	c := ctCreate(t, srv, staff, map[string]any{"firstName": "Edna", "lastName": "Edit", "email": "edna@example.com", "referrer": "Dr Who", "tags": []string{"old"}}, false)
	path := "/contacts/" + c.ID + "/edit"

	p := getPage(t, srv, staff, "/contacts/"+c.ID)
	if href, _ := p.Doc.Find(byTestID("contact-edit")).Attr("href"); href != path {
		t.Fatalf("Edit links to %q", href)
	}
	form := getPage(t, srv, staff, path)
	ctStatus(t, form, http.StatusOK, "GET edit")
	if v, _ := form.Doc.Find("#contact-referrer").Attr("value"); v != "Dr Who" {
		t.Errorf("the form shows referrer %q", v)
	}

	bad := url.Values{"first_name": {"Edna"}, "last_name": {"Changed"}, "email": {"not an email"}}
	p = postPage(t, srv, staff, path, bad)
	ctStatus(t, p, http.StatusUnprocessableEntity, "POST a bad email")
	if got := text(p.Doc.Find(byTestID("field-error-contact-email"))); !strings.Contains(got, "not an email") {
		t.Errorf("email error %q", got)
	}
	if v, _ := p.Doc.Find("#contact-last-name").Attr("value"); v != "Changed" {
		t.Errorf("the last name typed was not kept: %q", v)
	}
	if got := ctMust(t, srv, staff, c.ID); got.LastName != "Edit" {
		t.Errorf("a refused edit saved the last name %q", got.LastName)
	}

	good := url.Values{"first_name": {"Edna"}, "last_name": {"Changed"}, "email": {"Edna.Changed@Example.com"}, "tags": {"a; b"}, "lead_source": {"wix"}}
	postDone(t, srv, staff, path, good, "/contacts/"+c.ID)
	got := ctMust(t, srv, staff, c.ID)
	if got.LastName != "Changed" || got.Email == nil || *got.Email != "edna.changed@example.com" || got.Referrer != nil || !slices.Equal(got.Tags, []string{"a", "b"}) {
		t.Errorf("after the edit: %+v (referrer %v)", got, got.Referrer)
	}

	if resp, _ := get(t, srv.SignIn(t, "viewer@example.com"), srv.URL+path); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer GET edit: %d, want 403", resp.StatusCode)
	}
}

func TestContacts_MoveStage(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	c := ctCreate(t, srv, staff, map[string]any{"firstName": "Stella", "lastName": "Stage"}, false)
	path := "/contacts/" + c.ID

	p := getPage(t, srv, staff, path)
	var offered []string
	p.Doc.Find("#stage-to option").Each(func(_ int, s *goquery.Selection) { offered = append(offered, s.AttrOr("value", "")) })
	var want []string
	for _, s := range pipeline.Targets(contact.StageNewLead) {
		want = append(want, string(s))
	}
	if !slices.Equal(offered, want) {
		t.Errorf("the stage select offers %q, want the pipeline's targets %q", offered, want)
	}

	postDone(t, srv, staff, path+"/stage", url.Values{"stage": {"contacted"}, "reason": {"Called back"}}, path)
	if got := ctMust(t, srv, staff, c.ID).Stage; got != "contacted" {
		t.Fatalf("stage %s, want contacted", got)
	}
	page := getPage(t, srv, staff, path)
	if got := text(page.Doc.Find(byTestID("timeline") + ` li[data-kind="stage_change"]`)); !strings.Contains(got, "New lead → Contacted (Called back)") {
		t.Errorf("timeline stage change %q", got)
	}

	p = postPage(t, srv, staff, path+"/stage", url.Values{"stage": {"completed"}})
	ctStatus(t, p, http.StatusUnprocessableEntity, "a move the pipeline refuses")
	if got := text(p.Doc.Find(byTestID("field-error-stage-to"))); !strings.Contains(got, "Cannot move from contacted to completed") {
		t.Errorf("stage error %q", got)
	}
	if got := ctMust(t, srv, staff, c.ID).Stage; got != "contacted" {
		t.Errorf("a refused move left the contact in %s", got)
	}

	if p := postPage(t, srv, srv.SignIn(t, "viewer@example.com"), path+"/stage", url.Values{"stage": {"qualified"}}); p.Status != http.StatusForbidden {
		t.Errorf("viewer move: status %d, want 403", p.Status)
	}
	if got := ctMust(t, srv, staff, c.ID).Stage; got != "contacted" {
		t.Errorf("a viewer moved the contact to %s", got)
	}
}

func TestContacts_ArchiveRestorePurge(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	mgr := srv.SignIn(t, "manager@example.com")
	admin := srv.SignIn(t, "admin@example.com")
	staff := srv.SignIn(t, "staff@example.com")
	c := ctCreate(t, srv, mgr, map[string]any{"firstName": "Archie", "lastName": "Archivable", "email": "archie@example.com"}, false)
	path := "/contacts/" + c.ID

	if p := postPage(t, srv, staff, path+"/archive", nil); p.Status != http.StatusForbidden {
		t.Errorf("staff archive: %d, want 403", p.Status)
	}
	if getPage(t, srv, staff, path).Doc.Find(byTestID("contact-archive")).Length() > 0 {
		t.Error("staff see Archive")
	}

	page := postDone(t, srv, mgr, path+"/archive", nil, path)
	if got := text(page.Doc.Find(byTestID("archived-banner"))); !strings.Contains(got, "Archived on Wed 11 Mar 2026") {
		t.Errorf("banner %q", got)
	}
	if ctMust(t, srv, mgr, c.ID).ArchivedAt == nil {
		t.Fatal("not archived")
	}
	if list := getPage(t, srv, mgr, "/contacts?q=Archivable"); list.Doc.Find(`[data-contact-id="`+c.ID+`"]`).Length() > 0 {
		t.Error("an archived contact is still in the search")
	}
	if page.Doc.Find(byTestID("contact-purge")).Length() > 0 {
		t.Error("a manager sees Delete permanently")
	}

	page = postDone(t, srv, mgr, path+"/restore", nil, path)
	if page.Doc.Find(byTestID("archived-banner")).Length() > 0 || ctMust(t, srv, mgr, c.ID).ArchivedAt != nil {
		t.Error("not restored")
	}

	if resp, _ := get(t, mgr, srv.URL+path+"/purge"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("manager GET purge: %d, want 403", resp.StatusCode)
	}
	if p := postPage(t, srv, mgr, path+"/purge", url.Values{"confirm": {"yes"}}); p.Status != http.StatusForbidden {
		t.Errorf("manager POST purge: %d, want 403", p.Status)
	}
	if _, ok := ctGet(t, srv, mgr, c.ID); !ok {
		t.Fatal("a manager's refused purge deleted the contact")
	}

	confirm := getPage(t, srv, admin, path+"/purge")
	ctStatus(t, confirm, http.StatusOK, "admin GET purge")
	if !strings.Contains(text(confirm.Doc.Find(byTestID("confirm"))), "cannot be undone") {
		t.Error("the confirmation does not warn")
	}
	if _, ok := ctGet(t, srv, admin, c.ID); !ok {
		t.Fatal("the confirmation page deleted the contact")
	}
	postDone(t, srv, admin, path+"/purge", url.Values{"confirm": {"yes"}}, "/contacts")
	if _, ok := ctGet(t, srv, admin, c.ID); ok {
		t.Error("the contact is still there after the purge")
	}
}

func TestContacts_Merge(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	mgr := srv.SignIn(t, "manager@example.com")
	survivor := ctCreate(t, srv, mgr, map[string]any{"firstName": "Mabel", "lastName": "Merge", "phone": "0412 777 001", "tags": []string{"mri"}}, false)
	dup := ctCreate(t, srv, mgr, map[string]any{"firstName": "Mabel", "lastName": "Merge", "phone": "0412 777 001",
		"email": "mabel@example.com", "tags": []string{"ct"}}, true)
	srv.MustGraphQL(t, mgr, `mutation($c: ID!) { createTouchpoint(input: {contactID: $c, kind: call_in, summary: "Asked about parking"}) { id } }`,
		map[string]any{"c": dup.ID})
	bkID := bkCreate(t, srv, mgr, dup.ID, bkServiceID(t, srv, mgr, "MRI Knee"), time.Date(2026, 3, 20, 10, 0, 0, 0, bkSydney), 30)

	// The call, and the booking's own history and stage move (and the SMS
	// the automation sends, once sent).
	srv.SettleMessages(t, dup.ID)
	dupTouchpoints := ctMust(t, srv, mgr, dup.ID).Touchpoints.TotalCount
	page := getPage(t, srv, mgr, "/contacts/"+dup.ID)
	d := page.Doc.Find(byTestID("duplicate"))
	if d.AttrOr("data-contact-id", "") != survivor.ID || !strings.Contains(text(d), "same phone") {
		t.Fatalf("possible duplicates: %q", text(d))
	}
	href, _ := d.Find(byTestID("merge-duplicate")).Attr("href")
	choose := getPage(t, srv, mgr, href)
	ctStatus(t, choose, http.StatusOK, "GET "+href)
	ticked := choose.Doc.Find(byTestID("merge-with") + `[value="` + survivor.ID + `"]`)
	if _, on := ticked.Attr("checked"); !on {
		t.Error("the duplicate chosen on the contact page is not ticked")
	}

	t.Run("nothing ticked", func(t *testing.T) {
		p := getPage(t, srv, mgr, "/contacts/"+dup.ID+"/merge?step=review&survivor="+dup.ID)
		ctStatus(t, p, http.StatusUnprocessableEntity, "review without a duplicate")
		if got := text(p.Doc.Find(byTestID("field-error-merge-with"))); !strings.Contains(got, "Tick at least one") {
			t.Errorf("error %q", got)
		}
	})

	t.Run("search another", func(t *testing.T) {
		other := ctList(t, srv, mgr, map[string]any{"stage": "booked"})[0]
		p := getPage(t, srv, mgr, "/contacts/"+dup.ID+"/merge?with="+survivor.ID+"&q="+url.QueryEscape(other.name()))
		if p.Doc.Find(byTestID("merge-candidate")+`[data-contact-id="`+other.ID+`"]`).Length() != 1 {
			t.Errorf("the search for %q does not offer them", other.name())
		}
		if _, on := p.Doc.Find(byTestID("merge-with") + `[value="` + survivor.ID + `"]`).Attr("checked"); !on {
			t.Error("searching lost the ticked contact")
		}
	})

	review := getPage(t, srv, mgr, "/contacts/"+dup.ID+"/merge?step=review&with="+survivor.ID+"&survivor="+survivor.ID)
	ctStatus(t, review, http.StatusOK, "review")
	if got := text(review.Doc.Find(byTestID("merge-survivor"))); got != "Mabel Merge" {
		t.Errorf("keeps %q", got)
	}
	moves := review.Doc.Find(byTestID("merge-moves"))
	if moves.Length() != 1 || moves.AttrOr("data-contact-id", "") != dup.ID || !strings.Contains(text(moves), strconv.Itoa(dupTouchpoints)+" touchpoints, 1 booking, 0 tasks move") {
		t.Errorf("summary: %q", text(moves))
	}
	summary := text(review.Doc.Find(byTestID("merge-summary")))
	for _, want := range []string{"Email: mabel@example.com", "ct"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary does not say %q: %s", want, summary)
		}
	}
	if ctMust(t, srv, mgr, dup.ID).ArchivedAt != nil {
		t.Fatal("the review merged")
	}

	form := url.Values{"confirm": {"yes"}}
	review.Doc.Find(`form[method=post] input[type=hidden]`).Each(func(_ int, s *goquery.Selection) {
		form.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	p := postPage(t, srv, mgr, "/contacts/"+dup.ID+"/merge", form)
	ctStatus(t, p, http.StatusSeeOther, "POST merge")
	if p.Location != "/contacts/"+survivor.ID+"?done=contacts-merged" {
		t.Errorf("redirect to %q", p.Location)
	}

	gone := ctMust(t, srv, mgr, dup.ID)
	if gone.ArchivedAt == nil || gone.MergedIntoID == nil || *gone.MergedIntoID != survivor.ID {
		t.Errorf("the duplicate: archived %v, merged into %v", gone.ArchivedAt, gone.MergedIntoID)
	}
	kept := ctMust(t, srv, mgr, survivor.ID)
	if kept.Bookings.TotalCount != 1 || gone.Bookings.TotalCount != 0 || gone.Touchpoints.TotalCount != 0 {
		t.Errorf("bookings: survivor %d, duplicate %d; duplicate touchpoints %d", kept.Bookings.TotalCount, gone.Bookings.TotalCount, gone.Touchpoints.TotalCount)
	}
	if kept.Email == nil || *kept.Email != "mabel@example.com" || !slices.Contains(kept.Tags, "ct") {
		t.Errorf("the survivor did not gain the email and tags: %+v", kept)
	}
	if b := bkGet(t, srv, mgr, bkID); b.Contact.ID != survivor.ID {
		t.Errorf("the booking belongs to %s", b.Contact.ID)
	}

	after := getPage(t, srv, mgr, p.Location)
	if got := flashOf(after); !strings.Contains(got, "Contacts merged") {
		t.Errorf("flash %q", got)
	}
	timeline := text(after.Doc.Find(byTestID("timeline")))
	for _, want := range []string{"Asked about parking", "Merged with Mabel Merge (" + dup.ID + ")", "MRI Knee"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the survivor's timeline lacks %q", want)
		}
	}
	banner := getPage(t, srv, mgr, "/contacts/"+dup.ID).Doc.Find(byTestID("archived-banner"))
	if href, _ := banner.Find(byTestID("merged-into")).Attr("href"); href != "/contacts/"+survivor.ID {
		t.Errorf("the merged contact's banner %q links to %q", text(banner), href)
	}
	if p := postPage(t, srv, mgr, "/contacts/"+dup.ID+"/restore", nil); p.Status != http.StatusConflict {
		t.Errorf("restoring a merged contact: status %d, want 409", p.Status)
	}

	if resp, _ := get(t, srv.SignIn(t, "staff@example.com"), srv.URL+"/contacts/"+survivor.ID+"/merge"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("staff GET merge: %d, want 403", resp.StatusCode)
	}
}

// postFile posts a file the way the upload form does.
func postFile(t *testing.T, srv *testutil.Server, c *http.Client, path, name string, content io.Reader) page {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(fw, content)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return fetch(t, c, req)
}

func TestContacts_ImportCSV(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	// Row 4 of the file has this phone.
	ctCreate(t, srv, staff, map[string]any{"firstName": "Dora", "lastName": "Existing", "phone": "0412 555 019"}, false)
	file, err := os.ReadFile("testdata/contacts_import.csv")
	if err != nil {
		t.Fatal(err)
	}

	if href, _ := getPage(t, srv, staff, "/contacts").Doc.Find(byTestID("import-contacts")).Attr("href"); href != "/contacts/import" {
		t.Errorf("Import links to %q", href)
	}
	ctStatus(t, getPage(t, srv, staff, "/contacts/import"), http.StatusOK, "GET /contacts/import")

	prev := postFile(t, srv, staff, "/contacts/import", "contacts_import.csv", bytes.NewReader(file))
	ctStatus(t, prev, http.StatusOK, "upload")
	if got := text(prev.Doc.Find(byTestID("import-summary"))); !strings.HasPrefix(got, "contacts_import.csv: 6 rows to import.") {
		t.Errorf("summary %q", got)
	}
	chosen := map[string]string{}
	form := url.Values{"token": {prev.Doc.Find(`input[name=token]`).AttrOr("value", "")}}
	prev.Doc.Find(byTestID("import-column")).Each(func(_ int, s *goquery.Selection) {
		sel := s.Find("select")
		v := sel.Find("option[selected]").AttrOr("value", "")
		chosen[text(s.Find("th"))] = v
		form.Set(sel.AttrOr("name", ""), v)
	})
	want := map[string]string{"First Name": "first_name", "Surname": "last_name", "Mobile": "phone", "E-mail": "email",
		"DOB": "date_of_birth", "Source": "lead_source", "Tags": "tags", "Favourite colour": ""}
	for h, f := range want {
		if chosen[h] != f {
			t.Errorf("column %q goes to %q, want %q (the suggestion)", h, chosen[h], f)
		}
	}

	bad := url.Values{"token": form["token"]}
	for k := range form {
		if strings.HasPrefix(k, "map_") {
			bad.Set(k, "")
		}
	}
	p := postPage(t, srv, staff, "/contacts/import/start", bad)
	ctStatus(t, p, http.StatusUnprocessableEntity, "start with every column ignored")
	if got := text(p.Doc.Find(byTestID("form-error"))); !strings.Contains(got, "first name") {
		t.Errorf("error %q", got)
	}

	p = postPage(t, srv, staff, "/contacts/import/start", form)
	ctStatus(t, p, http.StatusSeeOther, "start")
	jobPath, _, _ := strings.Cut(p.Location, "?")
	if !strings.HasPrefix(jobPath, "/contacts/import/imp_") {
		t.Fatalf("start redirected to %q", p.Location)
	}
	var job page
	deadline := time.Now().Add(15 * time.Second)
	for {
		job = getPage(t, srv, staff, p.Location)
		ctStatus(t, job, http.StatusOK, "job page")
		if job.Doc.Find(byTestID("import-job")).AttrOr("data-status", "") == "done" {
			break
		}
		if _, polls := job.Doc.Find(byTestID("import-job")).Attr("hx-trigger"); !polls {
			t.Fatalf("a running job's section does not poll: %s", job.Body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import is not done: %q", text(job.Doc.Find(byTestID("import-progress"))))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := flashOf(job); !strings.Contains(got, "Import started") {
		t.Errorf("flash %q", got)
	}
	if got := text(job.Doc.Find(byTestID("import-progress"))); got != "6 of 6 rows processed: 2 imported, 2 duplicate, 2 invalid." {
		t.Errorf("progress %q", got)
	}
	if _, polls := job.Doc.Find(byTestID("import-job")).Attr("hx-trigger"); polls {
		t.Error("a finished job still polls")
	}
	outcomes := map[string]string{}
	job.Doc.Find(byTestID("import-row")).Each(func(_ int, s *goquery.Selection) {
		outcomes[text(s.Find("td").First())] = s.AttrOr("data-outcome", "") + ": " + text(s.Find("td").Eq(2))
	})
	for row, want := range map[string]string{
		"2": "imported", "3": "imported", "4": "duplicate: same phone as an existing contact",
		"5": "duplicate: same phone as row 3", "6": "invalid: First name", "7": "invalid: Phone",
	} {
		if !strings.HasPrefix(outcomes[row], want) {
			t.Errorf("row %s: %q, want %q…", row, outcomes[row], want)
		}
	}

	problems := getPage(t, srv, staff, jobPath+"?show=problems")
	n := 0
	problems.Doc.Find(byTestID("import-row")).Each(func(_ int, s *goquery.Selection) {
		n++
		if s.AttrOr("data-outcome", "") == "imported" {
			t.Error("problems only shows an imported row")
		}
	})
	if n != 4 {
		t.Errorf("problems only shows %d rows, want 4", n)
	}

	// htmx asks for the section only.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+jobPath, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "import-job")
	frag := fetch(t, staff, req)
	if frag.Doc.Find("nav.side").Length() > 0 || frag.Doc.Find(byTestID("import-job")).Length() != 1 {
		t.Error("the htmx answer is not just the job section")
	}

	imported := ctList(t, srv, staff, map[string]any{"lastName": "Import"})
	if len(imported) != 2 {
		t.Fatalf("%d contacts named Import, want 2", len(imported))
	}

	t.Run("too large", func(t *testing.T) {
		big := io.MultiReader(strings.NewReader("First Name\n"), bytes.NewReader(bytes.Repeat([]byte("x\n"), (contacts.MaxImportBytes+(2<<20))/2)))
		p := postFile(t, srv, staff, "/contacts/import", "big.csv", big)
		ctStatus(t, p, http.StatusRequestEntityTooLarge, "a file over the limit")
		if got := text(p.Doc.Find(byTestID("field-error-import-file"))); !strings.Contains(got, "too large") || !strings.Contains(got, "20 MiB") {
			t.Errorf("error %q", got)
		}
	})

	t.Run("between the limits", func(t *testing.T) {
		// Over the server's default 4 MiB body limit, under the import's:
		// it reaches the service, which reads it.
		var b bytes.Buffer
		b.WriteString("First Name,Notes\n")
		note := strings.Repeat("n", 250)
		for b.Len() < 5<<20 {
			b.WriteString("Person," + note + "\n")
		}
		p := postFile(t, srv, staff, "/contacts/import", "five.csv", &b)
		if p.Status == http.StatusRequestEntityTooLarge {
			t.Fatalf("a 5 MiB file is refused as too large: %q", errorsOn(p))
		}
		if got := text(p.Doc.Find(byTestID("import-summary"))); !strings.Contains(got, "rows to import") {
			t.Errorf("a 5 MiB upload: status %d, %q, errors %q", p.Status, got, errorsOn(p))
		}
	})

	t.Run("upload gone", func(t *testing.T) {
		p := postPage(t, srv, staff, "/contacts/import/start", url.Values{"token": {"nope"}, "map_0": {"first_name"}})
		ctStatus(t, p, http.StatusUnprocessableEntity, "start without an upload")
		if got := text(p.Doc.Find(byTestID("field-error-import-file"))); !strings.Contains(got, "upload it again") {
			t.Errorf("error %q", got)
		}
		// An upload is its uploader's: another person cannot start it.
		prev := postFile(t, srv, staff, "/contacts/import", "again.csv", bytes.NewReader(file))
		token := prev.Doc.Find(`input[name=token]`).AttrOr("value", "")
		p = postPage(t, srv, srv.SignIn(t, "manager@example.com"), "/contacts/import/start", url.Values{"token": {token}, "map_0": {"first_name"}})
		ctStatus(t, p, http.StatusUnprocessableEntity, "start someone else's upload")
	})

	if resp, _ := get(t, srv.SignIn(t, "viewer@example.com"), srv.URL+"/contacts/import"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer GET import: %d, want 403", resp.StatusCode)
	}
}

func TestContacts_PageActionsFollowPermissions(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	c := ctCreate(t, srv, staff, map[string]any{"firstName": "Paula", "lastName": "Prefill"}, false)
	path := "/contacts/" + c.ID

	p := getPage(t, srv, staff, path)
	task, _ := p.Doc.Find(byTestID("contact-new-task")).Attr("href")
	book, _ := p.Doc.Find(byTestID("contact-book")).Attr("href")
	if task != "/tasks/new?contact="+c.ID || book != "/bookings/new?contact="+c.ID {
		t.Fatalf("Create task links to %q, Book to %q", task, book)
	}
	if got := text(getPage(t, srv, staff, task).Doc.Find(byTestID("chosen-contact"))); got != "Paula Prefill" {
		t.Errorf("the task form's contact is %q", got)
	}
	if got := getPage(t, srv, staff, book).Doc.Find(`#booking-contact option[selected]`).AttrOr("value", ""); got != c.ID {
		t.Errorf("the booking form's patient is %q, want %s", got, c.ID)
	}
	// Staff may edit and move, not archive, merge or delete.
	for id, want := range map[string]bool{"contact-edit": true, "stage-form": true, "contact-archive": false, "contact-merge": false, "contact-purge": false} {
		if got := p.Doc.Find(byTestID(id)).Length() > 0; got != want {
			t.Errorf("staff: %s shown %v, want %v", id, got, want)
		}
	}

	v := getPage(t, srv, srv.SignIn(t, "viewer@example.com"), path)
	ctStatus(t, v, http.StatusOK, "viewer GET contact")
	for _, id := range []string{"contact-edit", "contact-new-task", "contact-book", "contact-manage", "merge-duplicate"} {
		if v.Doc.Find(byTestID(id)).Length() > 0 {
			t.Errorf("a viewer sees %s", id)
		}
	}
	if v.Doc.Find(byTestID("warmness-reasons")+" li").Length() == 0 {
		t.Error("a viewer does not see why the contact scores as it does")
	}

	a := getPage(t, srv, srv.SignIn(t, "admin@example.com"), path)
	for _, id := range []string{"contact-archive", "contact-merge", "contact-purge"} {
		if a.Doc.Find(byTestID(id)).Length() == 0 {
			t.Errorf("an admin does not see %s", id)
		}
	}
}

// The job section polls while the import runs and stops once it is done:
// its htmx trigger is there only then.
func TestImportJobSection_PollsUntilDone(t *testing.T) {
	render := func(st importjob.Status) *goquery.Selection {
		t.Helper()
		var b bytes.Buffer
		job := &ent.ImportJob{ID: "imp_1", Status: st, TotalRows: 10, Processed: 4, Imported: 3, Duplicates: 1,
			Report: []types.ImportRow{{Row: 2, Outcome: "imported", ContactID: "con_1"}, {Row: 3, Outcome: "invalid", Field: "phone", Reason: "bad"}}}
		if err := views.ImportJobSection(views.ImportJobPage{Job: job, Rows: job.Report}).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		return doc.Find(byTestID("import-job"))
	}
	for _, st := range []importjob.Status{importjob.StatusPending, importjob.StatusRunning} {
		s := render(st)
		if s.AttrOr("hx-trigger", "") != "every 1s" || s.AttrOr("hx-get", "") != "/contacts/import/imp_1" || s.AttrOr("hx-swap", "") != "outerHTML" {
			t.Errorf("%s: the section does not poll itself: %v", st, s.Nodes[0].Attr)
		}
		if s.Find(byTestID("import-report")).Length() > 0 {
			t.Errorf("%s: the report shows before the job is done", st)
		}
		if got := text(s.Find(byTestID("import-progress"))); got != "4 of 10 rows processed: 3 imported, 1 duplicate, 0 invalid." {
			t.Errorf("%s: progress %q", st, got)
		}
	}
	for _, st := range []importjob.Status{importjob.StatusDone, importjob.StatusFailed} {
		s := render(st)
		if _, polls := s.Attr("hx-trigger"); polls {
			t.Errorf("%s: the section still polls", st)
		}
		if s.Find(byTestID("import-row")).Length() != 2 {
			t.Errorf("%s: the report has %d rows", st, s.Find(byTestID("import-row")).Length())
		}
	}
}
