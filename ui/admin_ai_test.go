package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// The admin AI page over plain HTTP: totals and chart, the budget form
// (and its error next to the field), the try-it box, and who may see it.
func TestAdminAI_Page(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")

	// The try-it box: what the system would make of a reply, changing
	// nothing.
	p := postPage(t, srv, admin, "/admin/ai/try", url.Values{"text": {"can we do tues arvo instead"}})
	if p.Status != http.StatusOK {
		t.Fatalf("try it: status %d; errors %q", p.Status, errorsOn(p))
	}
	if got := text(p.Doc.Find(byTestID("ai-try-intent"))); got != "reschedule" {
		t.Errorf("try it: intent %q, want reschedule", got)
	}
	if got := text(p.Doc.Find(byTestID("ai-try-proposed"))); !strings.Contains(got, "Tue") {
		t.Errorf("try it: proposed %q, want a Tuesday", got)
	}
	if got := text(p.Doc.Find(byTestID("ai-try-engine"))); got != "builtin" {
		t.Errorf("try it: engine %q", got)
	}
	if got := text(p.Doc.Find(byTestID("ai-try-action"))); !strings.Contains(got, "move the booking") {
		t.Errorf("try it: action %q", got)
	}
	p = postPage(t, srv, admin, "/admin/ai/try", url.Values{"text": {"STOP"}})
	if got := text(p.Doc.Find(byTestID("ai-try-intent"))); got != "opt_out" {
		t.Errorf("try it STOP: intent %q", got)
	}
	if got := text(p.Doc.Find(byTestID("ai-try-action"))); !strings.Contains(got, "Unsubscribe") {
		t.Errorf("try it STOP: action %q", got)
	}
	p = postPage(t, srv, admin, "/admin/ai/try", url.Values{"text": {""}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find("#ai-try-text-error").Length() == 0 {
		t.Errorf("try it with nothing: status %d, errors %q", p.Status, errorsOn(p))
	}

	// The page: the month's calls (the three above), a bar per day, no
	// budget yet.
	p = getPage(t, srv, admin, "/admin/ai")
	if p.Status != http.StatusOK {
		t.Fatalf("GET /admin/ai: %d", p.Status)
	}
	if got := text(p.Doc.Find(byTestID("ai-spent"))); !strings.Contains(got, "no budget") {
		t.Errorf("spent: %q", got)
	}
	if p.Doc.Find(byTestID("ai-usage-row")).Length() == 0 || !strings.Contains(text(p.Doc.Find(byTestID("ai-usage"))), "sms_intent") {
		t.Errorf("usage table: %q", text(p.Doc.Find(byTestID("ai-usage"))))
	}
	bars := p.Doc.Find(byTestID("ai-chart-bar"))
	if bars.Length() == 0 || !strings.Contains(text(bars.Last().Find("title")), "calls") {
		t.Errorf("chart: %d bars, the last %q; want one a day of the month so far, today's with its calls", bars.Length(), text(bars.Last().Find("title")))
	}

	// The budget form: a bad amount next to the field, then a good one.
	p = postPage(t, srv, admin, "/admin/ai/budget", url.Values{"dollars": {"ten"}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find("#ai-budget-error").Length() == 0 {
		t.Errorf("budget 'ten': status %d, errors %q", p.Status, errorsOn(p))
	}
	p = postDone(t, srv, admin, "/admin/ai/budget", url.Values{"dollars": {"12.50"}}, "/admin/ai")
	if got := text(p.Doc.Find(byTestID("ai-spent"))); !strings.Contains(got, "$12.50 budget") {
		t.Errorf("after setting the budget: %q", got)
	}
	var b struct{ AiBudget struct{ LimitCents int } }
	srv.MustGraphQL(t, admin, `{ aiBudget { limitCents } }`, nil).Decode(t, &b)
	if b.AiBudget.LimitCents != 1250 {
		t.Errorf("aiBudget after the form: %d cents, want 1250", b.AiBudget.LimitCents)
	}

	// Staff may not see the page (settings:read), nor set the budget.
	staff := srv.SignIn(t, "staff@example.com")
	if p := getPage(t, srv, staff, "/admin/ai"); p.Status != http.StatusForbidden {
		t.Errorf("staff GET /admin/ai: %d, want 403", p.Status)
	}
	if p := postPage(t, srv, staff, "/admin/ai/budget", url.Values{"dollars": {"1"}}); p.Status != http.StatusForbidden {
		t.Errorf("staff POST /admin/ai/budget: %d, want 403", p.Status)
	}
	// Staff may classify (the answer alone, as htmx gets it).
	p = postPage(t, srv, staff, "/admin/ai/try", url.Values{"text": {"yes see you then"}})
	if p.Status != http.StatusOK || text(p.Doc.Find(byTestID("ai-try-intent"))) != "confirm" || p.Doc.Find(byTestID("ai-budget-form")).Length() != 0 {
		t.Errorf("staff try it: status %d, intent %q", p.Status, text(p.Doc.Find(byTestID("ai-try-intent"))))
	}
	// A manager sees the page but not the budget form.
	manager := srv.SignIn(t, "manager@example.com")
	p = getPage(t, srv, manager, "/admin/ai")
	if p.Status != http.StatusOK || p.Doc.Find(byTestID("ai-budget-form")).Length() != 0 || p.Doc.Find(byTestID("ai-try-form")).Length() != 1 {
		t.Errorf("manager: status %d, budget form %d, try form %d", p.Status, p.Doc.Find(byTestID("ai-budget-form")).Length(), p.Doc.Find(byTestID("ai-try-form")).Length())
	}
}

// The contact page says which engine scored the warmness, and Recalculate
// rescoring it.
func TestContact_WarmnessEngineAndRecalculate(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	var r struct {
		Contacts struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	srv.MustGraphQL(t, staff, `{ contacts(first: 1) { edges { node { id } } } }`, nil).Decode(t, &r)
	id := r.Contacts.Edges[0].Node.ID
	p := postDone(t, srv, staff, "/contacts/"+id+"/warmness", url.Values{}, "/contacts/"+id)
	if got := text(p.Doc.Find(byTestID("warmness-engine"))); !strings.Contains(got, "built-in engine") {
		t.Errorf("warmness engine: %q", got)
	}
	if p.Doc.Find(byTestID("warmness-recalculate")).Length() != 1 {
		t.Error("no Recalculate button")
	}
	viewer := srv.SignIn(t, "viewer@example.com")
	if p := getPage(t, srv, viewer, "/contacts/"+id); p.Doc.Find(byTestID("warmness-recalculate")).Length() != 0 {
		t.Error("a viewer sees Recalculate")
	}
}

// The contact page shows what the AI layer read in the notes — the
// service asked about, what the lead wants, how urgent — and which engine
// read them; a contact without notes shows none of it.
func TestContact_Enrichment(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	create := func(in map[string]any) string {
		var r struct{ CreateContact struct{ ID string } }
		srv.MustGraphQL(t, staff, `mutation($in: CreateContactInput!) { createContact(input: $in, allowDuplicate: true) { id } }`,
			map[string]any{"in": in}).Decode(t, &r)
		return r.CreateContact.ID
	}
	id := create(map[string]any{"firstName": "Enid", "lastName": "Blyton", "notes": "Need an MRI of my knee asap, in pain, can I book?"})
	p := getPage(t, srv, staff, "/contacts/"+id)
	if got := text(p.Doc.Find(byTestID("contact-interest"))); got != "MRI Knee" {
		t.Errorf("asking about: %q", got)
	}
	if got := text(p.Doc.Find(byTestID("contact-lead-intent"))); got != "To book" {
		t.Errorf("wants: %q", got)
	}
	if got := text(p.Doc.Find(byTestID("contact-urgency"))); got != "Urgent" {
		t.Errorf("urgency: %q", got)
	}
	if got := text(p.Doc.Find(byTestID("contact-enrichment-engine"))); !strings.Contains(got, "the built-in engine") || !strings.Contains(got, "asks about MRI Knee") {
		t.Errorf("read by: %q", got)
	}
	id = create(map[string]any{"firstName": "Noel", "lastName": "Notes"})
	if p := getPage(t, srv, staff, "/contacts/"+id); p.Doc.Find(byTestID("contact-enrichment")).Length() != 0 {
		t.Error("a contact without notes shows a reading")
	}
}
