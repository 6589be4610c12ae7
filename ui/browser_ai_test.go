package ui_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestBrowser_AdminAITryIt: a manager opens the admin AI page the way a
// person does, sees the month's totals and the chart, types a patient's
// reply into the try-it box and sees, without leaving the page (htmx swaps
// the answer in), that it reads as a cancellation, how sure the system is,
// and what it would do. The call is then counted on the page. No page may
// log an error or break the CSP.
func TestBrowser_AdminAITryIt(t *testing.T) {
	srv, ctx := startSignedIn(t, "manager@example.com")
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}

	load(t, ctx, "open Admin", chromedp.Click(sel("nav-admin")))
	load(t, ctx, "open AI", chromedp.Click(sel("admin-ai")))
	if got := location(t, ctx); got != srv.URL+"/admin/ai" {
		t.Fatalf("the AI tab opened %s", got)
	}
	check("admin AI")
	callsBefore := callsThisMonth(t, testutil.Text(t, ctx, testutil.TestID("ai-totals")))
	if got := testutil.Text(t, ctx, testutil.TestID("ai-spent")); !strings.Contains(got, "spent") {
		t.Errorf("the month's spending reads %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('svg [data-testid="ai-chart-bar"]').length`); n == 0 {
		t.Error("the chart has no bars")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="ai-budget-form"]').length`); n != 0 {
		t.Error("a manager is shown the budget form (administrators set the budget)")
	}

	// The try-it box. htmx posts it and swaps the answer in place: the
	// page is not reloaded, so a marker set on the window survives.
	eval[chromedp.Void](t, ctx, `window.__stay = true`)
	do(t, ctx, "type a reply",
		chromedp.SendKeys(chromedp.ID("ai-try-text"), "can't make it sorry"),
		chromedp.Click(sel("ai-try-submit")),
	)
	testutil.WaitJS(t, ctx, stepTimeout, "the answer to be swapped in",
		`(document.querySelector('[data-testid="ai-try-intent"]') || {}).textContent === "cancel"`)
	if !eval[bool](t, ctx, `window.__stay === true`) {
		t.Error("the try-it box reloaded the page instead of swapping the answer in")
	}
	conf := testutil.Text(t, ctx, testutil.TestID("ai-try-confidence"))
	if !regexp.MustCompile(`^(0\.\d+|1(\.0+)?|\d{1,3}%)$`).MatchString(conf) {
		t.Errorf("confidence reads %q", conf)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("ai-try-engine")); got != "builtin" {
		t.Errorf("engine reads %q", got)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("ai-try-reason")); got == "" {
		t.Error("no reason given")
	}
	if got := testutil.Text(t, ctx, testutil.TestID("ai-try-action")); !strings.Contains(got, "Cancel the booking") {
		t.Errorf("what would happen reads %q", got)
	}
	check("after trying a reply")

	// The call was recorded: the totals count it.
	load(t, ctx, "reload", chromedp.Reload())
	if after := callsThisMonth(t, testutil.Text(t, ctx, testutil.TestID("ai-totals"))); after <= callsBefore {
		t.Errorf("calls this month: %d before trying, %d after", callsBefore, after)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("ai-usage")); !strings.Contains(got, "sms_intent") {
		t.Errorf("the usage table has no sms_intent row: %q", got)
	}
	check("after reloading")
}

// callsThisMonth reads "N calls this month: …".
func callsThisMonth(t *testing.T, totals string) int {
	t.Helper()
	m := regexp.MustCompile(`^([\d,]+) calls this month`).FindStringSubmatch(strings.TrimSpace(totals))
	if m == nil {
		t.Fatalf("the totals read %q", totals)
	}
	n := 0
	for _, r := range strings.ReplaceAll(m[1], ",", "") {
		n = n*10 + int(r-'0')
	}
	return n
}
