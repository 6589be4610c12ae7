package ui_test

// Issue 11's staff gaps in headless Chromium at 1280 × 900: a receptionist
// logs a call on a contact and sees it on the timeline and in the warmness
// reasons; the booking form with a past time asks what to record; the
// sign-in page's role badges fit their buttons, phone numbers do not wrap,
// and the day calendar fits the screen.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

func TestBrowser_ReceptionistLogsACallAndRecordsAPastVisit(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}

	// The sign-in page: every role badge inside its button.
	load(t, ctx, "open /login", chromedp.Navigate(srv.URL+"/login"))
	overflow := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="dev-users"] button')].filter(b => {
		const r = b.getBoundingClientRect(), s = b.querySelector(".badge").getBoundingClientRect();
		return s.right > r.right + 0.5 || s.left < r.left - 0.5 || b.scrollWidth > b.clientWidth + 1;
	}).map(b => b.textContent.trim())`)
	if len(overflow) > 0 {
		t.Errorf("role badges overflow their buttons: %q", overflow)
	}
	check("sign-in page")

	srv.SignInBrowser(t, ctx, "staff@example.com")
	api := srv.SignIn(t, "staff@example.com")
	ct := ctCreate(t, srv, api, map[string]any{"firstName": "Rhiannon", "lastName": "Caller", "phone": "0491 570 156", "leadSource": "google_ads"}, true)

	// Logging a call from the contact page.
	load(t, ctx, "open the contact", chromedp.Navigate(srv.URL+"/contacts/"+ct.ID))
	if ws := eval[string](t, ctx, `getComputedStyle(document.querySelector('[data-testid="contact-phone"]')).whiteSpace`); ws != "nowrap" {
		t.Errorf("the phone number may wrap: white-space %q", ws)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("warmness-reasons")); !strings.Contains(got, "No contact from the patient on record") {
		t.Errorf("before the call the reasons read %q", got)
	}
	check("contact page")
	do(t, ctx, "fill in the call",
		chromedp.SetValue(sel("log-channel"), "call"),
		chromedp.SetValue(sel("log-direction"), "inbound"),
		chromedp.SendKeys(sel("log-text"), "Rang to ask whether her GP referral arrived"),
	)
	load(t, ctx, "log it", chromedp.Click(sel("log-submit")))
	if got := testutil.Text(t, ctx, ".flash"); !strings.Contains(got, "Logged") {
		t.Errorf("flash %q", got)
	}
	first := testutil.TestID("timeline") + " li"
	if kind := eval[string](t, ctx, `document.querySelector(`+testutil.JSString(first)+`).dataset.kind`); kind != "call_in" {
		t.Errorf("the newest timeline item is %q", kind)
	}
	if got := testutil.Text(t, ctx, first); !strings.Contains(got, "Call from the patient") || !strings.Contains(got, "Rang to ask whether her GP referral arrived") {
		t.Errorf("the newest timeline item reads %q", got)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("warmness-reasons")); !strings.Contains(got, "Last contact from the patient in the last 24 hours") {
		t.Errorf("after the call the reasons read %q", got)
	}
	check("contact page after logging")

	// A booking with a past time asks what to record instead of booking it
	// as upcoming.
	load(t, ctx, "open the booking form", chromedp.Navigate(srv.URL+"/bookings/new?contact="+ct.ID))
	do(t, ctx, "a time yesterday",
		chromedp.SetValue(chromedp.ID("booking-service"), bkServiceID(t, srv, api, "X-Ray Chest")),
		chromedp.SetValue(chromedp.ID("booking-date"), "2026-03-10"),
		chromedp.SetValue(chromedp.ID("booking-time"), "10:00"),
	)
	problems.Ignore = func(s string) bool { return strings.Contains(s, "status of 422") }
	submitExpecting(t, ctx, "book yesterday", http.StatusUnprocessableEntity, chromedp.Click(sel("booking-submit")))
	if got := testutil.Text(t, ctx, testutil.TestID("past-visit")); !strings.Contains(got, "This time has passed. What should be recorded?") || !strings.Contains(got, "no-show") {
		t.Fatalf("the form does not ask what to record: %q", got)
	}
	check("booking form asking")
	problems.Ignore = nil
	do(t, ctx, "the patient came", chromedp.Click(sel("past-completed")))
	load(t, ctx, "record the visit", chromedp.Click(sel("booking-submit")))
	if got := testutil.Text(t, ctx, testutil.TestID("booking-status")); got != "Completed" {
		t.Errorf("the recorded visit is %q", got)
	}
	check("recorded visit")

	// The day calendar fits the screen with every room.
	load(t, ctx, "the day calendar", chromedp.Navigate(srv.URL+"/bookings?view=day&date=2026-03-11"))
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		t.Errorf("the day calendar is %d px wider than the 1280 px window", w)
	}
	check("day calendar")
}
