package ui_test

// Browser tests: the staff UI in headless Chromium, driven by chromedp,
// against the whole application on a copy of the demo database. Each test
// checks what a person sees, and cross-checks it against the GraphQL API so
// a page showing the wrong data fails. They skip when no Chromium is
// installed (see testutil.Browser).

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// stepTimeout bounds one step of a test (a navigation, a click and its
// page load, a wait), so a broken page fails fast and says where.
const stepTimeout = 15 * time.Second

// sel is the chromedp selector of the first element with that data-testid.
func sel(testid string) chromedp.CSS { return chromedp.CSS(testutil.TestID(testid)) }

// do runs the actions, failing the test with what on error.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// load runs the actions, which must cause a page load (a click on a link or
// a submit button, or a navigation), waits for it and checks its status.
func load(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, actions...)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp == nil || resp.Status != 200 {
		status := int64(0)
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("%s: status %d", what, status)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// location is the URL of the page.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `location.href`)
}

// startSignedIn starts the app and a browser signed in as email.
func startSignedIn(t *testing.T, email string) (*testutil.Server, context.Context) {
	t.Helper()
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	srv.SignInBrowser(t, ctx, email)
	return srv, ctx
}

type person struct {
	ID        string `json:"id"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
	Warmness  int    `json:"warmness"`
	Stage     string `json:"stage"`
}

func (p person) Name() string { return p.FirstName + " " + p.LastName }

// allContacts lists every contact the user sees at their active location,
// hottest first as the contacts page sorts them.
func allContacts(t *testing.T, srv *testutil.Server, email string) []person {
	t.Helper()
	c := srv.SignIn(t, email)
	var out struct {
		Contacts struct {
			TotalCount int
			Edges      []struct{ Node person }
		}
	}
	srv.MustGraphQL(t, c, `{ contacts(first: 1000, orderBy: {field: WARMNESS, direction: DESC}) {
		totalCount edges { node { id firstName lastName email warmness stage } } } }`, nil).Decode(t, &out)
	if out.Contacts.TotalCount != len(out.Contacts.Edges) {
		t.Fatalf("contacts: got %d of %d", len(out.Contacts.Edges), out.Contacts.TotalCount)
	}
	ps := make([]person, 0, len(out.Contacts.Edges))
	for _, e := range out.Contacts.Edges {
		ps = append(ps, e.Node)
	}
	return ps
}

func TestBrowser_DashboardShowsTodayAndHotLeads(t *testing.T) {
	srv, ctx := startSignedIn(t, "staff@example.com")
	api := srv.SignIn(t, "staff@example.com")

	if got := testutil.Text(t, ctx, testutil.TestID("whoami")); !strings.Contains(got, "Chloe Nguyen") {
		t.Errorf("whoami = %q, want Chloe Nguyen", got)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("location-name")); !strings.Contains(got, "Avatar Imaging Sydney") {
		t.Errorf("location = %q, want Avatar Imaging Sydney", got)
	}
	// The clock is Wed 11 March 2026 09:00 in Sydney (22:00 UTC the day
	// before): the page must show the Sydney day, not the UTC one.
	if got := testutil.Text(t, ctx, "h1"); got != "Today at Avatar Imaging Sydney Wednesday 11 March 2026" {
		t.Errorf("heading = %q", got)
	}

	// Today's appointments: the bookings of the Sydney day that are not
	// cancelled, earliest first.
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	now := testutil.Now.In(syd)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, syd)
	var bk struct {
		Bookings struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					StartsAt time.Time
					Status   string
					Contact  person
					Service  struct{ Name string }
				}
			}
		}
	}
	srv.MustGraphQL(t, api, `query($from: Time!, $to: Time!) {
		bookings(first: 100, orderBy: {field: STARTS_AT, direction: ASC},
		         where: {startsAtGTE: $from, startsAtLT: $to, statusNEQ: cancelled}) {
			totalCount edges { node { startsAt status contact { firstName lastName } service { name } } } } }`,
		map[string]any{"from": from, "to": from.AddDate(0, 0, 1)}).Decode(t, &bk)
	if bk.Bookings.TotalCount == 0 {
		t.Fatal("the demo data has no appointments today: the test would prove nothing")
	}
	appts := testutil.Texts(t, ctx, testutil.TestID("today-appointments")+" "+testutil.TestID("appointment"))
	if len(appts) != bk.Bookings.TotalCount {
		t.Fatalf("the dashboard lists %d appointments, the API has %d today:\n%s",
			len(appts), bk.Bookings.TotalCount, strings.Join(appts, "\n"))
	}
	for i, e := range bk.Bookings.Edges {
		b := e.Node
		want := b.StartsAt.In(syd).Format("15:04") + " " + b.Contact.Name() + " " + b.Service.Name
		if !strings.HasPrefix(appts[i], want) {
			t.Errorf("appointment %d = %q, want it to start with %q", i, appts[i], want)
		}
		if strings.Contains(appts[i], "Cancelled") {
			t.Errorf("appointment %d is cancelled: %q", i, appts[i])
		}
	}

	// Hot leads: warmness above 80, hottest first.
	var hot struct {
		Contacts struct{ Edges []struct{ Node person } }
	}
	srv.MustGraphQL(t, api, `{ contacts(first: 10, orderBy: {field: WARMNESS, direction: DESC}, where: {warmnessGT: 80}) {
		edges { node { firstName lastName warmness } } } }`, nil).Decode(t, &hot)
	if len(hot.Contacts.Edges) == 0 {
		t.Fatal("the demo data has no contact above 80: the test would prove nothing")
	}
	hotRows := testutil.Texts(t, ctx, testutil.TestID("hot-contact"))
	if len(hotRows) != len(hot.Contacts.Edges) {
		t.Fatalf("the dashboard lists %d hot contacts, the API has %d:\n%s", len(hotRows), len(hot.Contacts.Edges), strings.Join(hotRows, "\n"))
	}
	for i, e := range hot.Contacts.Edges {
		c := e.Node
		if !strings.HasPrefix(hotRows[i], c.Name()+" ") || !strings.HasSuffix(hotRows[i], fmt.Sprint(c.Warmness)) {
			t.Errorf("hot contact %d = %q, want %s with warmness %d", i, hotRows[i], c.Name(), c.Warmness)
		}
	}

	// Latest touchpoints, newest first.
	var tp struct {
		Touchpoints struct {
			Edges []struct {
				Node struct {
					Summary string
					Contact person
				}
			}
		}
	}
	srv.MustGraphQL(t, api, `{ touchpoints(first: 10, orderBy: {field: OCCURRED_AT, direction: DESC}) {
		edges { node { summary contact { firstName lastName } } } } }`, nil).Decode(t, &tp)
	touches := testutil.Texts(t, ctx, testutil.TestID("touchpoint"))
	if len(touches) == 0 || len(touches) != len(tp.Touchpoints.Edges) {
		t.Fatalf("the dashboard lists %d touchpoints, the API has %d", len(touches), len(tp.Touchpoints.Edges))
	}
	for i, e := range tp.Touchpoints.Edges {
		want := e.Node.Contact.Name() + " " + strings.Join(strings.Fields(e.Node.Summary), " ")
		if !strings.HasPrefix(touches[i], want) {
			t.Errorf("touchpoint %d = %q, want it to start with %q", i, touches[i], want)
		}
	}
}

func TestBrowser_ContactSearchUpdatesWithoutReload(t *testing.T) {
	srv, ctx := startSignedIn(t, "staff@example.com")
	contacts := allContacts(t, srv, "staff@example.com")

	// A surname a few contacts share: the results fit on one page, and are
	// fewer than the whole list so the change is visible. A one-word search
	// matches the first name, the last name or the email, ignoring case.
	matches := func(word string) []person {
		var out []person
		w := strings.ToLower(word)
		for _, c := range contacts {
			if strings.Contains(strings.ToLower(c.FirstName), w) || strings.Contains(strings.ToLower(c.LastName), w) ||
				strings.Contains(strings.ToLower(c.Email), w) {
				out = append(out, c)
			}
		}
		return out
	}
	var word string
	var want []person
	byName := slices.Clone(contacts)
	slices.SortStableFunc(byName, func(a, b person) int { return strings.Compare(a.LastName, b.LastName) })
	for _, c := range byName {
		if m := matches(c.LastName); len(m) >= 2 && len(m) <= 10 {
			word, want = c.LastName, m
			break
		}
	}
	if word == "" {
		t.Fatal("no surname in the demo data matches between 2 and 10 contacts")
	}
	t.Logf("searching for %q: %d contacts", word, len(want))

	load(t, ctx, "open /contacts", chromedp.Click(sel("nav-contacts")))
	before := testutil.Text(t, ctx, testutil.TestID("contact-count"))
	if before != fmt.Sprintf("%d contacts", len(contacts)) {
		t.Fatalf("before the search the count is %q, want %d contacts", before, len(contacts))
	}
	// htmx must be running for the page to update in place.
	testutil.WaitJS(t, ctx, stepTimeout, "htmx to load", `window.htmx && document.readyState === "complete"`)
	eval[chromedp.Void](t, ctx, `window.__marker = 42`)

	do(t, ctx, "type in the search box", chromedp.SendKeys(sel("contact-search"), word))
	wantCount := fmt.Sprintf("%d contacts matching “%s”", len(want), word)
	testutil.WaitJS(t, ctx, stepTimeout, "the results to show "+wantCount,
		`document.querySelector(`+testutil.JSString(testutil.TestID("contact-count"))+`)?.innerText.replace(/\s+/g, " ").trim() === `+testutil.JSString(wantCount))

	if m := eval[int](t, ctx, `window.__marker || 0`); m != 42 {
		t.Fatalf("window.__marker = %d after the search: the page reloaded instead of updating in place", m)
	}
	rows := testutil.Texts(t, ctx, testutil.TestID("contact-results")+" "+testutil.TestID("contact-row"))
	if len(rows) != len(want) {
		t.Fatalf("%d rows for %q, want %d:\n%s", len(rows), word, len(want), strings.Join(rows, "\n"))
	}
	for _, r := range rows {
		if !strings.Contains(strings.ToLower(r), strings.ToLower(word)) {
			t.Errorf("row %q does not contain %q", r, word)
		}
	}
	got := testutil.Texts(t, ctx, testutil.TestID("contact-results")+" "+testutil.TestID("contact-name"))
	wantNames := names(want)
	slices.Sort(got)
	slices.Sort(wantNames)
	if !slices.Equal(got, wantNames) {
		t.Errorf("contacts found for %q = %q, want %q", word, got, wantNames)
	}
	u, err := url.Parse(location(t, ctx))
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/contacts" || u.Query().Get("q") != word {
		t.Errorf("the URL is %s, want /contacts?q=%s (hx-push-url)", u, word)
	}
	if v := eval[string](t, ctx, `document.getElementById("q").value`); v != word {
		t.Errorf("the search box holds %q, want %q", v, word)
	}
}

func TestBrowser_ContactsWorkWithoutJavaScript(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	// Pages must work with no script at all: forms and links only.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	srv.SignInBrowser(t, ctx, "staff@example.com")
	contacts := allContacts(t, srv, "staff@example.com")

	// First a narrow filter: a word and a stage, submitted with the button.
	// A search shows the best matches in score order, as searchContacts
	// finds them; the stage narrows them. A common surname of the demo data
	// whose matches span stages:
	word, stage, narrow, broad := searchWithStage(t, srv, contacts)
	if len(contacts) <= 25 {
		t.Fatalf("only %d contacts: the pager would not show", len(contacts))
	}
	t.Logf("%q in stage %s: %d contacts; %q alone: %d", word, stage, len(narrow), word, len(broad))

	load(t, ctx, "open /contacts", chromedp.Click(sel("nav-contacts")))
	if eval[bool](t, ctx, `typeof window.htmx !== "undefined"`) {
		t.Fatal("htmx ran although JavaScript is off")
	}
	submit := chromedp.Click(chromedp.CSS(testutil.TestID("contact-filters") + ` button[type="submit"]`))
	// With scripts off, the input and change events SetValue fires reach
	// no listener: only the button submits.
	do(t, ctx, "fill in the filters",
		chromedp.SendKeys(sel("contact-search"), word),
		chromedp.SetValue(chromedp.ID("stage"), stage),
	)
	load(t, ctx, "submit the filters", submit)

	u, _ := url.Parse(location(t, ctx))
	if u.Path != "/contacts" || u.Query().Get("q") != word || u.Query().Get("stage") != stage {
		t.Fatalf("after submitting the form the URL is %s", u)
	}
	countSel := testutil.TestID("contact-count")
	if got, want := testutil.Text(t, ctx, countSel), fmt.Sprintf("%d contacts matching “%s”", len(narrow), word); got != want {
		t.Errorf("count = %q, want %q", got, want)
	}
	rowSel := testutil.TestID("contact-results") + " " + testutil.TestID("contact-name")
	if got, want := testutil.Texts(t, ctx, rowSel), names(narrow); !slices.Equal(got, want) {
		t.Errorf("filtered rows = %q, want %q", got, want)
	}
	if n := len(testutil.Texts(t, ctx, testutil.TestID("next-page"))); n != 0 {
		t.Errorf("%d contacts fit on one page, yet there is a Next link", len(narrow))
	}
	// The form shows what was asked.
	if v := eval[string](t, ctx, `document.getElementById("stage").value + " " + document.getElementById("q").value`); v != stage+" "+word {
		t.Errorf("the form shows %q after the reload, want %q", v, stage+" "+word)
	}

	// Then the whole list, across pages: no search, All stages again (a
	// search shows its best matches on one page).
	do(t, ctx, "clear the search, choose All stages", chromedp.Clear(sel("contact-search")), chromedp.SetValue(chromedp.ID("stage"), ""))
	load(t, ctx, "submit the filters", submit)
	wantCount := fmt.Sprintf("%d contacts", len(contacts))
	if got := testutil.Text(t, ctx, countSel); got != wantCount {
		t.Fatalf("count = %q, want %q", got, wantCount)
	}
	page1 := testutil.Texts(t, ctx, rowSel)
	if want := names(contacts[:25]); !slices.Equal(page1, want) {
		t.Fatalf("page 1 = %q, want %q", page1, want)
	}

	load(t, ctx, "follow Next →", chromedp.Click(sel("next-page")))
	u, _ = url.Parse(location(t, ctx))
	if u.Query().Get("after") == "" {
		t.Errorf("the next page is %s, want a cursor", u)
	}
	if got := testutil.Text(t, ctx, countSel); got != wantCount {
		t.Errorf("count on page 2 = %q, want %q", got, wantCount)
	}
	rest := contacts[25:]
	if len(rest) > 25 {
		rest = rest[:25]
	}
	if got, want := testutil.Texts(t, ctx, rowSel), names(rest); !slices.Equal(got, want) {
		t.Errorf("page 2 = %q, want %q", got, want)
	}
	load(t, ctx, "follow ← Previous", chromedp.Click(sel("prev-page")))
	if got := testutil.Texts(t, ctx, rowSel); !slices.Equal(got, page1) {
		t.Errorf("← Previous shows %q, want page 1 again %q", got, page1)
	}
}

// searchWithStage finds a surname of the demo data whose search results
// (searchContacts, best first) fall in more than one stage, and the stage
// holding most of them: the search, then the search within that stage.
func searchWithStage(t *testing.T, srv *testutil.Server, contacts []person) (word, stage string, narrow, broad []person) {
	t.Helper()
	c := srv.SignIn(t, "staff@example.com")
	count := map[string]int{}
	for _, p := range contacts {
		count[p.LastName]++
	}
	surnames := slices.Collect(maps.Keys(count))
	slices.SortFunc(surnames, func(a, b string) int { return cmp.Or(cmp.Compare(count[b], count[a]), strings.Compare(a, b)) })
	for _, word = range surnames {
		var out struct{ SearchContacts []struct{ Contact person } }
		srv.MustGraphQL(t, c, `query($q: String!) { searchContacts(query: $q, first: 200) {
			contact { id firstName lastName email warmness stage } } }`, map[string]any{"q": word}).Decode(t, &out)
		byStage := map[string][]person{}
		broad = broad[:0]
		for _, r := range out.SearchContacts {
			byStage[r.Contact.Stage] = append(byStage[r.Contact.Stage], r.Contact)
			broad = append(broad, r.Contact)
		}
		stage = ""
		for s, cs := range byStage {
			if n := len(byStage[stage]); len(cs) > n || (len(cs) == n && s < stage) {
				stage = s
			}
		}
		if narrow = byStage[stage]; len(narrow) >= 2 && len(narrow) < len(broad) {
			return word, stage, narrow, broad
		}
	}
	t.Fatal("no surname in the demo data finds contacts in several stages, two or more in one")
	return
}

func names(ps []person) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name())
	}
	return out
}

func TestBrowser_OpenContactFromList(t *testing.T) {
	srv, ctx := startSignedIn(t, "staff@example.com")
	load(t, ctx, "open /contacts", chromedp.Click(sel("nav-contacts")))

	link := testutil.TestID("contact-results") + " " + testutil.TestID("contact-name")
	name := testutil.Text(t, ctx, link)
	href := eval[string](t, ctx, `document.querySelector(`+testutil.JSString(link)+`).getAttribute("href")`)
	id := strings.TrimPrefix(href, "/contacts/")
	if id == href || id == "" {
		t.Fatalf("the first contact links to %q", href)
	}
	load(t, ctx, "click "+name, chromedp.Click(chromedp.CSS(link)))

	if got := location(t, ctx); got != srv.URL+href {
		t.Errorf("the contact page is %s, want %s", got, srv.URL+href)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("contact-title")); got != name {
		t.Errorf("title = %q, want %q", got, name)
	}
	do(t, ctx, "see the timeline", chromedp.WaitVisible(sel("timeline")))

	var n struct {
		Node struct {
			FirstName string
			LastName  string
		}
		ContactTimeline []struct{ Summary string }
	}
	srv.MustGraphQL(t, srv.SignIn(t, "staff@example.com"), `query($id: ID!) { node(id: $id) { ... on Contact { firstName lastName } }
		contactTimeline(id: $id, first: 100) { summary } }`,
		map[string]any{"id": id}).Decode(t, &n)
	if got := n.Node.FirstName + " " + n.Node.LastName; got != name {
		t.Errorf("the API names %s %q, the list said %q", id, got, name)
	}
	// The timeline is contactTimeline's: touchpoints, bookings and their
	// history, tasks and stage moves, newest first.
	items := testutil.Texts(t, ctx, testutil.TestID("timeline")+" li")
	if len(n.ContactTimeline) == 0 {
		t.Fatalf("%s has no history in the demo data: the timeline check would prove nothing", name)
	}
	if len(items) != len(n.ContactTimeline) {
		t.Fatalf("the timeline has %d entries, the API %d:\n%s", len(items), len(n.ContactTimeline), strings.Join(items, "\n"))
	}
	for i, e := range n.ContactTimeline {
		if want := strings.Join(strings.Fields(e.Summary), " "); !strings.HasSuffix(items[i], want) {
			t.Errorf("timeline entry %d = %q, want it to end with %q", i, items[i], want)
		}
	}
}

func TestBrowser_LocationSwitcher(t *testing.T) {
	srv, ctx := startSignedIn(t, "admin@example.com")
	syd := len(allContacts(t, srv, "admin@example.com"))
	par := len(allContacts(t, srv, "par-admin@example.com"))
	if syd == par {
		t.Fatalf("Sydney and Parramatta both have %d contacts: the switch would not show", syd)
	}

	load(t, ctx, "open /contacts", chromedp.Click(sel("nav-contacts")))
	if got, want := testutil.Text(t, ctx, testutil.TestID("contact-count")), fmt.Sprintf("%d contacts", syd); got != want {
		t.Fatalf("at Sydney the count is %q, want %q", got, want)
	}
	options := testutil.Texts(t, ctx, testutil.TestID("location-switcher")+" option")
	if !slices.Contains(options, "Avatar Imaging Sydney (SYD)") || !slices.Contains(options, "Avatar Imaging Parramatta (PAR)") {
		t.Fatalf("the location switcher offers %q", options)
	}
	if got := eval[string](t, ctx, `document.querySelector("#location option:checked").textContent`); got != "Avatar Imaging Sydney (SYD)" {
		t.Errorf("the switcher shows %q, want Sydney", got)
	}
	// app.js submits on change, so the button is hidden.
	testutil.WaitJS(t, ctx, stepTimeout, "app.js to hide the Switch button",
		`document.querySelector("[data-autosubmit-button]").hidden`)

	// Choose Parramatta: chromedp.SetValue picks the option and fires input
	// and change, as a person's choice does; app.js submits the form.
	// The switch is a plain form post: no htmx request may go with it
	// (the contacts filters once listened to every select on the page, the
	// switcher included, and raced it with a search of the old location).
	parID := eval[string](t, ctx, `Array.from(document.querySelectorAll("#location option")).find(o => o.textContent.includes("(PAR)")).value`)
	var mu sync.Mutex
	var xhr []string
	lctx, stopListening := context.WithCancel(ctx)
	if err := chromedp.Listen(lctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok && (ev.Type == network.ResourceTypeXHR || ev.Type == network.ResourceTypeFetch) {
			mu.Lock()
			xhr = append(xhr, ev.Request.Method+" "+ev.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	load(t, ctx, "choose Parramatta", chromedp.SetValue(chromedp.ID("location"), parID))
	stopListening()
	mu.Lock()
	if len(xhr) > 0 {
		t.Errorf("switching the location also sent %q", xhr)
	}
	mu.Unlock()

	if got := location(t, ctx); got != srv.URL+"/contacts" {
		t.Errorf("after switching the page is %s, want back on /contacts", got)
	}
	if got, want := testutil.Text(t, ctx, testutil.TestID("contact-count")), fmt.Sprintf("%d contacts", par); got != want {
		t.Errorf("at Parramatta the count is %q, want %q", got, want)
	}
	if got := eval[string](t, ctx, `document.querySelector("#location option:checked").textContent`); got != "Avatar Imaging Parramatta (PAR)" {
		t.Errorf("the switcher shows %q, want Parramatta", got)
	}
	load(t, ctx, "open the dashboard", chromedp.Click(sel("nav-dashboard")))
	if got := testutil.Text(t, ctx, "h1"); !strings.HasPrefix(got, "Today at Avatar Imaging Parramatta ") {
		t.Errorf("dashboard heading = %q, want Parramatta", got)
	}
}

func TestBrowser_NoConsoleErrors(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}

	do(t, ctx, "open /login", chromedp.Navigate(srv.URL+"/login"))
	check("sign-in page")
	srv.SignInBrowser(t, ctx, "admin@example.com")
	check("dashboard")

	load(t, ctx, "open /contacts", chromedp.Click(sel("nav-contacts")))
	testutil.WaitJS(t, ctx, stepTimeout, "htmx to load", `window.htmx && document.readyState === "complete"`)
	check("contacts")
	// htmx at work: the pager, then a live search, both swapped in place
	// (search results come on one page).
	do(t, ctx, "click Next →", chromedp.Click(sel("next-page")))
	testutil.WaitJS(t, ctx, stepTimeout, "page 2", `location.search.includes("after=") && !!document.querySelector('[data-testid="prev-page"]')`)
	check("contacts page 2")
	do(t, ctx, "type in the search box", chromedp.SendKeys(sel("contact-search"), "ol"))
	testutil.WaitJS(t, ctx, stepTimeout, "the search results",
		`document.querySelector('[data-testid="contact-count"]')?.innerText.includes("“ol”") && !!document.querySelector('[data-testid="contact-row"]')`)
	check("contacts after a search")

	load(t, ctx, "open a contact", chromedp.Click(sel("contact-name")))
	check("contact")
	load(t, ctx, "open /bookings", chromedp.Click(sel("nav-bookings")))
	check("bookings")
	load(t, ctx, "open /tasks", chromedp.Click(sel("nav-tasks")))
	check("tasks")
	load(t, ctx, "open /contacts", chromedp.Click(sel("nav-contacts")))
	testutil.WaitJS(t, ctx, stepTimeout, "htmx to load", `window.htmx && document.readyState === "complete"`)
	// SetValue fires change, which htmx listens for.
	do(t, ctx, "choose a stage", chromedp.SetValue(chromedp.ID("stage"), "booked"))
	testutil.WaitJS(t, ctx, stepTimeout, "the filtered results", `location.search.includes("stage=booked")`)
	check("contacts filtered by stage")

	// The watcher itself must see a violation, or the checks above prove
	// nothing: an inline style is what the CSP forbids.
	eval[chromedp.Void](t, ctx, `document.head.insertAdjacentHTML("beforeend", "<style>body{}</style>")`)
	testutil.WaitJS(t, ctx, stepTimeout, "the CSP to refuse an inline style", `window.__cspViolations.length > 0`)
	if got := problems.Check(t, ctx); len(got) == 0 {
		t.Error("an inline <style> was not reported: the console and CSP watcher is blind")
	} else {
		t.Logf("the watcher works: %s", strings.Join(got, "; "))
	}
}
