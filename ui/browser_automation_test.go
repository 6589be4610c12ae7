package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestBrowser_AutomationRuleEditAndDryRun: an administrator opens a rule,
// types a condition with a misspelt field and sees it refused beside the
// field as they type (htmx) and again when saving (with its position),
// corrects it, saves, and dry-runs the rule against a contact to see what
// it would do.
func TestBrowser_AutomationRuleEditAndDryRun(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}
	srv.SignInBrowser(t, ctx, "admin@example.com")
	load(t, ctx, "open Automation", chromedp.Navigate(srv.URL+"/admin/automation"))
	check("rules")
	href := eval[string](t, ctx, `[...document.querySelectorAll('[data-testid="rule-link"]')].find(a => a.textContent.includes("welcome SMS")).href`)
	load(t, ctx, "open the welcome rule", chromedp.Navigate(href))
	check("rule")

	// As you type: refused next to the field, with where.
	do(t, ctx, "type a misspelt condition",
		chromedp.Clear(chromedp.ID("rule-condition")),
		chromedp.SendKeys(chromedp.ID("rule-condition"), `contact.warmnes > 80`),
	)
	testutil.WaitJS(t, ctx, stepTimeout, "the condition check",
		`(document.querySelector('#rule-condition-check [data-testid="field-error-rule-condition"]') || {}).textContent?.includes("warmnes")`)
	if got := testutil.Text(t, ctx, `#rule-condition-check`); !strings.Contains(got, "column 9") || !strings.Contains(got, "contact has no field warmnes") {
		t.Errorf("the check as you type reads %q", got)
	}
	// Saving anyway: the form comes back (422) with the error beside the field.
	problems.Ignore = func(s string) bool { return strings.Contains(s, "status of 422") }
	do(t, ctx, "save the bad condition", chromedp.Click(sel("rule-save")))
	testutil.WaitJS(t, ctx, stepTimeout, "the refused form",
		`document.querySelector('#rule-condition[aria-invalid="true"]') !== null`)
	if got := testutil.Text(t, ctx, testutil.TestID("field-error-rule-condition")); !strings.Contains(strings.ToLower(got), "line 1, column 9") {
		t.Errorf("the refusal reads %q", got)
	}
	if got := eval[string](t, ctx, `document.getElementById("rule-condition").value`); got != "contact.warmnes > 80" {
		t.Errorf("the input was not kept: %q", got)
	}
	check("refused")
	problems.Ignore = nil

	// Corrected: valid as you type, then saved.
	do(t, ctx, "correct the condition",
		chromedp.Clear(chromedp.ID("rule-condition")),
		chromedp.SendKeys(chromedp.ID("rule-condition"), `contact.warmness >= 0`),
	)
	testutil.WaitJS(t, ctx, stepTimeout, "the condition is valid",
		`document.querySelector('#rule-condition-check [data-testid="condition-ok"]') !== null`)
	load(t, ctx, "save the rule", chromedp.Click(sel("rule-save")))
	if got := testutil.Text(t, ctx, ".flash"); !strings.Contains(got, "Rule saved") {
		t.Errorf("flash = %q", got)
	}

	// The dry run against the first contact offered.
	load(t, ctx, "dry-run", chromedp.Click(sel("dry-run-submit")))
	got := testutil.Text(t, ctx, testutil.TestID("dry-run-result"))
	if !strings.Contains(got, "Would run 1 action") || !strings.Contains(got, "welcome SMS") {
		t.Errorf("the dry run reads %q", got)
	}
	// And it is in the rule's history as a dry run.
	if got := testutil.Text(t, ctx, testutil.TestID("rule-history")); !strings.Contains(got, "dry run") {
		t.Errorf("the history reads %q", got)
	}
	check("dry run")
}

// TestBrowser_AutomationNewRule: an administrator fills the new-rule form
// on the rules page — a trigger from the list, a condition refused beside
// the field as they type, then corrected, a delay and an action — creates
// the rule and sees it listed with its trigger, delay and action.
func TestBrowser_AutomationNewRule(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	srv.SignInBrowser(t, ctx, "admin@example.com")
	load(t, ctx, "open Automation", chromedp.Navigate(srv.URL+"/admin/automation"))
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="rule-row"]').length`); n == 0 {
		t.Fatal("no rules listed")
	}
	before := eval[int](t, ctx, `document.querySelectorAll('[data-testid="rule-row"]').length`)

	do(t, ctx, "fill the new rule",
		chromedp.SendKeys(chromedp.ID("rule-name"), "No-show: tell the desk"),
		chromedp.SetValue(chromedp.ID("rule-trigger"), "booking.no_show"),
		chromedp.Clear(chromedp.ID("rule-delay")),
		chromedp.SendKeys(chromedp.ID("rule-delay"), "3600"),
		chromedp.SetValue(chromedp.ID("rule-actions"), `[{"type": "notify_staff", "message": "A patient missed their scan"}]`),
		chromedp.SendKeys(chromedp.ID("rule-condition"), `booking.statsu == "no_show"`),
	)
	testutil.WaitJS(t, ctx, stepTimeout, "the condition check",
		`(document.querySelector('#rule-condition-check [data-testid="field-error-rule-condition"]') || {}).textContent?.includes("statsu")`)
	if got := testutil.Text(t, ctx, `#rule-condition-check`); !strings.Contains(got, "booking has no field statsu") {
		t.Errorf("the check as you type reads %q", got)
	}
	eval[string](t, ctx, `document.getElementById("rule-condition").value = ""`)
	do(t, ctx, "correct the condition",
		chromedp.SendKeys(chromedp.ID("rule-condition"), `booking.status == "no_show"`),
	)
	testutil.WaitJS(t, ctx, stepTimeout, "the condition is valid",
		`document.querySelector('#rule-condition-check [data-testid="condition-ok"]') !== null`)
	load(t, ctx, "create the rule", chromedp.Click(sel("rule-create")))
	if got := testutil.Text(t, ctx, ".flash"); !strings.Contains(got, "Rule created") {
		t.Errorf("flash = %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="rule-row"]').length`); n != before+1 {
		t.Errorf("%d rules listed after creating one, want %d", n, before+1)
	}
	row := eval[string](t, ctx, `[...document.querySelectorAll('[data-testid="rule-row"]')].find(r => r.textContent.includes("No-show: tell the desk"))?.textContent ?? ""`)
	for _, want := range []string{"booking.no_show", "+ 1 h", `booking.status == "no_show"`, "Notice: A patient missed their scan", "Enabled"} {
		if !strings.Contains(row, want) {
			t.Errorf("the new rule's row %q does not show %q", row, want)
		}
	}
	for _, p := range problems.Check(t, ctx) {
		t.Errorf("rules page: %s", p)
	}
}
