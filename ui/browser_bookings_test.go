package ui_test

// The bookings pages in headless Chromium: booking from an empty slot of
// the week view, cancelling with a reason in the dialog, and marking a
// no-show and following the link to its follow-up task. Every page is
// watched for console errors and CSP violations.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// bkBrowser starts the app and a browser watched for problems, signed in
// as staff; check reports the problems of the current page.
func bkBrowser(t *testing.T) (*testutil.Server, context.Context, func(string), *testutil.PageProblems) {
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
	srv.SignInBrowser(t, ctx, "staff@example.com")
	check("dashboard")
	return srv, ctx, check, problems
}

// submitExpecting clicks a submit button and checks the status of the page
// it loads (load wants 200; a refused form answers 422).
func submitExpecting(t *testing.T, ctx context.Context, what string, status int64, click chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, click)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp == nil || resp.Status != status {
		t.Fatalf("%s: response %+v, want status %d", what, resp, status)
	}
}

// waitDialog waits for the action dialog to be open as a modal.
func waitDialog(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	testutil.WaitJS(t, ctx, stepTimeout, what, `document.querySelector("#modal dialog[open]") && document.querySelector("#modal dialog").matches(":modal")`)
}

func TestBrowser_BookingCreateInCalendarThenCancel(t *testing.T) {
	srv, ctx, check, problems := bkBrowser(t)
	api := srv.SignIn(t, "staff@example.com")
	// Someone beyond the first contacts by name, whom the select lists
	// before a search.
	who := bkContacts(t, srv, api, 80)[79]
	knee := bkServiceID(t, srv, api, "MRI Knee")

	load(t, ctx, "open Bookings", chromedp.Click(sel("nav-bookings")))
	if got := testutil.Text(t, ctx, testutil.TestID("cal-title")); got != "9 – 15 March 2026" {
		t.Fatalf("the calendar opens on %q, want this week", got)
	}
	testutil.WaitJS(t, ctx, stepTimeout, "htmx to load", `window.htmx && document.readyState === "complete"`)
	check("week view")
	// The other views, through the switcher, and back.
	for _, v := range []struct{ key, title string }{
		{"day", "Wednesday 11 March 2026"}, {"month", "March 2026"}, {"list", "Bookings list"}, {"week", "9 – 15 March 2026"},
	} {
		load(t, ctx, "switch to "+v.key, chromedp.Click(sel("view-"+v.key)))
		if got := testutil.Text(t, ctx, testutil.TestID("cal-title")); got != v.title {
			t.Errorf("the %s view is titled %q, want %q", v.key, got, v.title)
		}
		if got := eval[string](t, ctx, `document.querySelector('[data-testid="view-`+v.key+`"]').getAttribute("aria-current")`); got != "page" {
			t.Errorf("the switcher does not mark %s as current", v.key)
		}
		check(v.key + " view")
	}

	// Sunday 15 March, 10:00 in Sydney (23:00 UTC on the 14th): an empty
	// slot (the demo data has nothing on Sundays).
	slot := chromedp.CSS(`td[data-date="2026-03-15"] a[data-testid="cal-slot"][href*="start=2026-03-14T23%3A00%3A00Z"]`)
	load(t, ctx, "click the empty 10:00 slot on Sunday", chromedp.Click(slot))
	if u, _ := url.Parse(location(t, ctx)); u.Path != "/bookings/new" {
		t.Fatalf("the slot opened %s", u)
	}
	if got := eval[string](t, ctx, `document.getElementById("booking-date").value + " " + document.getElementById("booking-time").value`); got != "2026-03-15 10:00" {
		t.Errorf("the form starts at %q", got)
	}
	check("new booking form")

	// Find the patient by typing: htmx swaps the select's options in, and
	// the note (a live region) says what it lists.
	if eval[bool](t, ctx, `!!document.querySelector('#booking-contact option[value="`+who.ID+`"]')`) {
		t.Fatalf("%s is offered before the search: the search proves nothing", who.Name())
	}
	eval[chromedp.Void](t, ctx, `window.__marker = 3`)
	do(t, ctx, "type the patient's name", chromedp.SendKeys(sel("contact-search"), who.Name()))
	testutil.WaitJS(t, ctx, stepTimeout, "the search note",
		`document.getElementById("booking-contact-note").textContent.includes(`+testutil.JSString(who.Name())+`)`)
	testutil.WaitJS(t, ctx, stepTimeout, "the patient in the select",
		`!!document.querySelector('#booking-contact option[value="`+who.ID+`"]')`)
	if m := eval[int](t, ctx, `window.__marker || 0`); m != 3 {
		t.Error("the search reloaded the page")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("form, #booking-contact").length`); n != 3 {
		t.Errorf("after the search the page has %d forms and selects, want the booking form, the sign-out form and one select", n)
	}
	do(t, ctx, "choose the patient, the service, a note",
		chromedp.SetValue(chromedp.ID("booking-contact"), who.ID),
		chromedp.SetValue(chromedp.ID("booking-service"), knee),
		chromedp.SendKeys(chromedp.ID("booking-notes"), "Booked from the calendar"),
	)
	// app.js shows the end: 10:00 plus MRI Knee's 30 minutes.
	testutil.WaitJS(t, ctx, stepTimeout, "the end time", `document.querySelector('[data-testid="booking-ends"]').textContent === "10:30"`)
	check("filled form")

	load(t, ctx, "make the booking", chromedp.Click(sel("booking-submit")))
	u, _ := url.Parse(location(t, ctx))
	if u.Path != "/bookings" || u.Query().Get("view") != "week" || u.Query().Get("date") != "2026-03-15" || !strings.HasPrefix(u.Fragment, "booking-bkg_") {
		t.Fatalf("after booking the page is %s", u)
	}
	id := strings.TrimPrefix(u.Fragment, "booking-")
	cell := testutil.TestID("cal-event") + `[data-booking-id="` + id + `"]`
	if got := testutil.Text(t, ctx, cell); !strings.Contains(got, "10:00–10:30") || !strings.Contains(got, who.Name()) {
		t.Errorf("the new booking's cell reads %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector(`+testutil.JSString(cell)+`).dataset.date + " " + document.querySelector(`+testutil.JSString(cell)+`).closest("tr").querySelector("th").textContent`); got != "2026-03-15 10:00" {
		t.Errorf("the booking is in column and row %q", got)
	}
	if got := testutil.Text(t, ctx, ".flash"); !strings.Contains(got, "Booking made") {
		t.Errorf("flash = %q", got)
	}
	if b := bkGet(t, srv, api, id); !b.StartsAt.Equal(time.Date(2026, 3, 14, 23, 0, 0, 0, time.UTC)) || b.Status != "pending" {
		t.Errorf("the API has %s %s", b.StartsAt, b.Status)
	}
	check("calendar after booking")

	// Cancel it: the form opens in a dialog over the booking page.
	load(t, ctx, "open the booking", chromedp.Click(chromedp.CSS(cell+" a")))
	if got := testutil.Text(t, ctx, testutil.TestID("booking-status")); got != "Pending" {
		t.Fatalf("the booking is %q", got)
	}
	testutil.WaitJS(t, ctx, stepTimeout, "htmx to load", `window.htmx && document.readyState === "complete"`)
	eval[chromedp.Void](t, ctx, `window.__marker = 7`)
	do(t, ctx, "click Cancel booking…", chromedp.Click(sel("action-cancel")))
	waitDialog(t, ctx, "the cancel dialog")
	if m := eval[int](t, ctx, `window.__marker || 0`); m != 7 {
		t.Error("the page reloaded instead of opening a dialog")
	}
	check("cancel dialog")

	// Without a reason the form comes back with the message by the field
	// (as a page, status 422, which the browser logs as a failed load).
	problems.Ignore = func(s string) bool { return strings.Contains(s, "status of 422") && strings.Contains(s, "/cancel") }
	submitExpecting(t, ctx, "cancel without a reason", http.StatusUnprocessableEntity, chromedp.Click(sel("cancel-submit")))
	if got := testutil.Text(t, ctx, testutil.TestID("field-error-cancel-reason")); !strings.Contains(got, "reason") {
		t.Errorf("message %q", got)
	}
	check("cancel form with an error")
	problems.Ignore = nil
	do(t, ctx, "choose a reason", chromedp.SetValue(chromedp.ID("cancel-reason"), "Patient unwell"))
	load(t, ctx, "cancel the booking", chromedp.Click(sel("cancel-submit")))
	if got := testutil.Text(t, ctx, testutil.TestID("booking-status")); got != "Cancelled" {
		t.Errorf("status %q after cancelling", got)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("booking-cancel-reason")); got != "Patient unwell" {
		t.Errorf("reason %q", got)
	}
	if b := bkGet(t, srv, api, id); b.Status != "cancelled" || b.CancelReason == nil || *b.CancelReason != "Patient unwell" {
		t.Errorf("the API has %s %v", b.Status, b.CancelReason)
	}
	check("cancelled booking")

	load(t, ctx, "back to the calendar", chromedp.Click(sel("back-to-calendar")))
	if n := eval[int](t, ctx, `document.querySelectorAll(`+testutil.JSString(cell)+`).length`); n != 0 {
		t.Error("the cancelled booking still shows in the calendar")
	}
	check("calendar after cancelling")
}

func TestBrowser_BookingNoShowFollowUp(t *testing.T) {
	srv, ctx, check, _ := bkBrowser(t)
	api := srv.SignIn(t, "staff@example.com")
	who := bkContacts(t, srv, api, 1)[0]
	// Yesterday at 07:00 in Sydney, confirmed: it has started, so its
	// outcome can be recorded.
	id := bkCreate(t, srv, api, who.ID, bkServiceID(t, srv, api, "X-Ray Chest"), time.Date(2026, 3, 10, 7, 0, 0, 0, bkSydney), 10)
	bkConfirm(t, srv, api, id)

	load(t, ctx, "open the booking", chromedp.Navigate(srv.URL+"/bookings/"+id))
	testutil.WaitJS(t, ctx, stepTimeout, "htmx to load", `window.htmx && document.readyState === "complete"`)
	check("booking page")

	// The dialog closes with Escape and gives the focus back.
	do(t, ctx, "click Mark no-show…", chromedp.Click(sel("action-no-show")))
	waitDialog(t, ctx, "the no-show dialog")
	if got := testutil.Text(t, ctx, "#modal dialog h2"); got != "Mark as a no-show?" {
		t.Errorf("the dialog asks %q", got)
	}
	do(t, ctx, "press Escape", chromedp.KeyEvent(kb.Escape))
	testutil.WaitJS(t, ctx, stepTimeout, "the dialog to close and the focus to return",
		`!document.querySelector("#modal dialog") && document.activeElement && document.activeElement.dataset.testid === "action-no-show"`)
	if b := bkGet(t, srv, api, id); b.Status != "confirmed" {
		t.Fatalf("closing the dialog changed the booking: %s", b.Status)
	}

	do(t, ctx, "click Mark no-show… again", chromedp.Click(sel("action-no-show")))
	waitDialog(t, ctx, "the no-show dialog")
	check("no-show dialog")
	load(t, ctx, "mark the no-show", chromedp.Click(chromedp.CSS("#modal "+testutil.TestID("confirm-button"))))
	if got := testutil.Text(t, ctx, testutil.TestID("booking-status")); got != "No-show" {
		t.Errorf("status %q", got)
	}
	if got := testutil.Text(t, ctx, ".flash"); !strings.Contains(got, "follow-up call") {
		t.Errorf("flash %q", got)
	}
	task := testutil.Text(t, ctx, testutil.TestID("booking-task"))
	if !strings.Contains(task, "Follow up no-show: "+who.Name()) {
		t.Fatalf("the booking's task reads %q", task)
	}
	check("booking after the no-show")

	load(t, ctx, "follow the link to the task", chromedp.Click(sel("booking-task-link")))
	if u, _ := url.Parse(location(t, ctx)); u.Path != "/tasks" {
		t.Errorf("the link opened %s", u)
	}
	if got := testutil.Text(t, ctx, "main"); !strings.Contains(got, "Follow up no-show: "+who.Name()) {
		t.Errorf("the tasks page does not list the follow-up:\n%s", got)
	}
	check("tasks page")
}
