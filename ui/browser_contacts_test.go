package ui_test

// The contacts pages in headless Chromium: finding a contact by typing
// and opening it; ticking every row with "select all" and tagging them;
// creating a duplicate with "Create anyway" and merging it back from the
// "Possible duplicates" panel. Every page is watched for console errors
// and CSP violations.

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// ctBrowser starts the app and a browser watched for problems, signed in
// as email; check reports the problems of the current page.
func ctBrowser(t *testing.T, email string) (*testutil.Server, context.Context, func(string), *testutil.PageProblems) {
	t.Helper()
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}
	srv.SignInBrowser(t, ctx, email)
	check("dashboard")
	return srv, ctx, check, problems
}

func TestBrowser_SearchAndOpenContact(t *testing.T) {
	srv, ctx, check, _ := ctBrowser(t, "staff@example.com")
	api := srv.SignIn(t, "staff@example.com")
	// The hottest booked contact: warmness with several reasons.
	want := ctList(t, srv, api, map[string]any{"stage": "booked"})
	slices.SortFunc(want, func(a, b ctContact) int { return strings.Compare(a.ID, b.ID) })
	who := want[0]

	load(t, ctx, "open /contacts", chromedp.Click(sel("nav-contacts")))
	testutil.WaitJS(t, ctx, stepTimeout, "htmx to load", `window.htmx && document.readyState === "complete"`)
	check("contacts")
	// A typo in the first name still finds them.
	typed := who.FirstName[:1] + who.FirstName[2:] + " " + who.LastName
	do(t, ctx, "type "+typed, chromedp.SendKeys(sel("contact-search"), typed))
	row := testutil.TestID("contact-row") + `[data-contact-id="` + who.ID + `"]`
	testutil.WaitJS(t, ctx, stepTimeout, who.name()+" in the results", `!!document.querySelector(`+testutil.JSString(row)+`)`)
	check("search results")

	load(t, ctx, "open "+who.name(), chromedp.Click(chromedp.CSS(row+" "+testutil.TestID("contact-name"))))
	if got := location(t, ctx); got != srv.URL+"/contacts/"+who.ID {
		t.Errorf("opened %s", got)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("contact-title")); got != who.name() {
		t.Errorf("title %q, want %q", got, who.name())
	}
	var n struct {
		Node struct {
			Warmness        int
			WarmnessReasons []struct{ Detail string }
		}
	}
	srv.MustGraphQL(t, api, `query($id: ID!) { node(id: $id) { ... on Contact { warmness warmnessReasons { detail } } } }`,
		map[string]any{"id": who.ID}).Decode(t, &n)
	reasons := testutil.Texts(t, ctx, testutil.TestID("warmness-reasons")+" li")
	if len(reasons) != len(n.Node.WarmnessReasons) || len(reasons) == 0 {
		t.Fatalf("the page gives %d warmness reasons, the API %d", len(reasons), len(n.Node.WarmnessReasons))
	}
	for i, r := range n.Node.WarmnessReasons {
		if !strings.HasPrefix(reasons[i], r.Detail) {
			t.Errorf("reason %d = %q, want %q", i, reasons[i], r.Detail)
		}
	}
	// Staff may book and create tasks for the contact, and do both from here.
	for _, id := range []string{"contact-edit", "contact-new-task", "contact-book", "stage-form"} {
		if !eval[bool](t, ctx, `!!document.querySelector(`+testutil.JSString(testutil.TestID(id))+`)`) {
			t.Errorf("staff do not get %s", id)
		}
	}
	load(t, ctx, "Create task", chromedp.Click(sel("contact-new-task")))
	if got := testutil.Text(t, ctx, testutil.TestID("chosen-contact")); got != who.name() {
		t.Errorf("the new task is for %q", got)
	}
	check("new task for the contact")
}

func TestBrowser_SelectAllAndTag(t *testing.T) {
	srv, ctx, check, _ := ctBrowser(t, "manager@example.com")
	api := srv.SignIn(t, "manager@example.com")

	load(t, ctx, "open qualified contacts", chromedp.Navigate(srv.URL+"/contacts?stage=qualified&sort=name"))
	testutil.WaitJS(t, ctx, stepTimeout, "app.js to show select all", `!document.getElementById("select-all").hidden`)
	if eval[bool](t, ctx, `!document.querySelector('[data-testid="select-all-link"]').hidden`) {
		t.Error("the no-script select all link still shows")
	}
	ids := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('[data-testid="contact-row"]'), r => r.dataset.contactId)`)
	if len(ids) < 2 {
		t.Fatalf("%d qualified contacts on the page", len(ids))
	}
	do(t, ctx, "tick one row", chromedp.Click(chromedp.ID("pick-"+ids[0])))
	if !eval[bool](t, ctx, `document.getElementById("select-all").indeterminate`) {
		t.Error("with one row ticked, select all is not shown as partly ticked")
	}
	do(t, ctx, "select all", chromedp.Click(chromedp.ID("select-all")))
	if n := eval[int](t, ctx, `document.querySelectorAll('input[name=ids]:checked').length`); n != len(ids) {
		t.Errorf("select all ticked %d of %d rows", n, len(ids))
	}
	do(t, ctx, "type a tag", chromedp.SendKeys(chromedp.ID("bulk-add-tag"), "spring-recall"))
	load(t, ctx, "apply", chromedp.Click(sel("bulk-apply")))
	if got := testutil.Text(t, ctx, ".flash"); got != "Updated "+strconv.Itoa(len(ids))+" contacts." {
		t.Errorf("flash %q", got)
	}
	check("after the bulk change")
	for _, id := range ids {
		if tags := ctMust(t, srv, api, id).Tags; !slices.Contains(tags, "spring-recall") {
			t.Errorf("%s: tags %q", id, tags)
		}
	}
	// The list it came from, filters and all.
	if got := eval[string](t, ctx, `document.getElementById("stage").value + " " + document.getElementById("sort").value`); got != "qualified name" {
		t.Errorf("after the change the filters are %q", got)
	}
}

func TestBrowser_MergeDuplicate(t *testing.T) {
	srv, ctx, check, problems := ctBrowser(t, "manager@example.com")
	api := srv.SignIn(t, "manager@example.com")
	// A demo contact with a phone and a history of their own.
	var orig ctContact
	for _, c := range ctList(t, srv, api, map[string]any{"stage": "booked"}) {
		if c.Phone != nil && c.Touchpoints.TotalCount > 0 {
			orig = c
			break
		}
	}
	if orig.ID == "" {
		t.Fatal("no booked demo contact with a phone and touchpoints")
	}

	// Create the duplicate the way staff would: the form warns, and
	// Create anyway makes it.
	load(t, ctx, "open /contacts", chromedp.Click(sel("nav-contacts")))
	load(t, ctx, "New contact", chromedp.Click(sel("new-contact")))
	check("new contact form")
	do(t, ctx, "fill in the form",
		chromedp.SendKeys(chromedp.ID("contact-first-name"), orig.FirstName),
		chromedp.SendKeys(chromedp.ID("contact-last-name"), orig.LastName),
		chromedp.SendKeys(chromedp.ID("contact-phone"), *orig.Phone),
		chromedp.SendKeys(chromedp.ID("contact-email"), "second.address@example.com"),
	)
	problems.Ignore = func(s string) bool { return strings.Contains(s, "status of 409") }
	submitExpecting(t, ctx, "create the contact", http.StatusConflict, chromedp.Click(sel("contact-submit")))
	if got := testutil.Text(t, ctx, testutil.TestID("duplicate-warning")); !strings.Contains(got, "This looks like "+orig.name()+" (the same phone)") {
		t.Errorf("warning %q", got)
	}
	check("duplicate warning")
	problems.Ignore = nil
	load(t, ctx, "Create anyway", chromedp.Click(sel("create-anyway")))
	u, _ := url.Parse(location(t, ctx))
	dupID := strings.TrimPrefix(u.Path, "/contacts/")
	if !strings.HasPrefix(dupID, "con_") || dupID == orig.ID {
		t.Fatalf("after Create anyway the page is %s", u)
	}
	check("new contact")
	// The duplicate has a history of its own that must survive the merge.
	srv.MustGraphQL(t, api, `mutation($c: ID!) { createTouchpoint(input: {contactID: $c, kind: call_in, summary: "Rang about the second address"}) { id } }`,
		map[string]any{"c": dupID})
	load(t, ctx, "reload", chromedp.Reload())

	dup := testutil.TestID("duplicate") + `[data-contact-id="` + orig.ID + `"]`
	if got := testutil.Text(t, ctx, dup); !strings.Contains(got, orig.name()) || !strings.Contains(got, "same phone") {
		t.Fatalf("possible duplicates: %q", got)
	}
	load(t, ctx, "Merge…", chromedp.Click(chromedp.CSS(dup+" "+testutil.TestID("merge-duplicate"))))
	check("merge page")
	if !eval[bool](t, ctx, `document.getElementById("merge-with-`+orig.ID+`").checked`) {
		t.Error("the duplicate is not ticked")
	}
	do(t, ctx, "keep the original", chromedp.Click(chromedp.ID("merge-keep-"+orig.ID)))
	load(t, ctx, "Review merge", chromedp.Click(sel("merge-review")))
	if got := testutil.Text(t, ctx, testutil.TestID("merge-survivor")); got != orig.name() {
		t.Errorf("keeps %q", got)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("merge-moves")); !strings.Contains(got, "touchpoint") {
		t.Errorf("summary %q", got)
	}
	check("merge review")
	load(t, ctx, "Merge contacts", chromedp.Click(sel("merge-confirm")))

	if got := location(t, ctx); got != srv.URL+"/contacts/"+orig.ID+"?done=contacts-merged" {
		t.Errorf("after the merge the page is %s", got)
	}
	if got := testutil.Text(t, ctx, ".flash"); !strings.Contains(got, "Contacts merged") {
		t.Errorf("flash %q", got)
	}
	timeline := strings.Join(testutil.Texts(t, ctx, testutil.TestID("timeline")+" li"), "\n")
	for _, want := range []string{"Rang about the second address", "Merged with " + orig.name() + " (" + dupID + ")"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the survivor's timeline lacks %q:\n%s", want, timeline)
		}
	}
	if eval[bool](t, ctx, `!!document.querySelector('[data-testid="duplicates"]')`) {
		t.Error("the survivor still lists possible duplicates")
	}
	check("survivor")
	gone := ctMust(t, srv, api, dupID)
	if gone.ArchivedAt == nil || gone.MergedIntoID == nil || *gone.MergedIntoID != orig.ID {
		t.Errorf("the duplicate is not archived into the original: %+v", gone)
	}
	if e := ctMust(t, srv, api, orig.ID).Email; orig.Email == nil && (e == nil || *e != "second.address@example.com") {
		t.Errorf("the original did not gain the duplicate's email: %v", e)
	}
}
