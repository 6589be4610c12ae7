package ui_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestBrowser_ReportsAskAdjustExportSave: a manager opens Reports, asks a
// question in words, sees it read back as chips, changes the breakdown
// chip (the report runs again), sees the chart and the insights, downloads
// the CSV and saves the report with a name. No page may log an error or
// break the CSP.
func TestBrowser_ReportsAskAdjustExportSave(t *testing.T) {
	srv, ctx := startSignedIn(t, "manager@example.com")
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}

	load(t, ctx, "open Reports", chromedp.Click(sel("nav-reports")))
	if got := location(t, ctx); got != srv.URL+"/reports" {
		t.Fatalf("Reports opened %s", got)
	}
	check("reports")

	// Ask in words.
	do(t, ctx, "type a question", chromedp.SendKeys(sel("report-question"), "no-shows last quarter by weekday"))
	load(t, ctx, "ask", chromedp.Click(sel("report-ask")))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="chip-kind-select"]').value`); got != "NO_SHOWS" {
		t.Errorf("the kind chip reads %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="chip-by-select"]').value`); got != "WEEKDAY" {
		t.Errorf("the breakdown chip reads %q", got)
	}
	if !strings.Contains(testutil.Text(t, ctx, testutil.TestID("report-kind")), "No-shows") {
		t.Error("no No-shows report after the question")
	}
	check("after asking")

	// Adjust a chip: by service instead of weekday. The select submits
	// its form (app.js) and the report runs again.
	load(t, ctx, "change the breakdown", chromedp.SetValue(sel("chip-by-select"), "SERVICE"))
	u, _ := url.Parse(location(t, ctx))
	if u.Query().Get("by") != "SERVICE" || u.Query().Get("kind") != "NO_SHOWS" || u.Query().Get("from") != "2025-10-01" {
		t.Errorf("after changing the chip the URL is %s", u)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('figure[data-chart="breakdown-service"] svg[role="img"]').length`); n != 1 {
		t.Errorf("%d charts by service", n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('figure[data-chart] svg [data-testid="chart-bar"], figure[data-chart] svg [data-testid="chart-point"]').length`); n == 0 {
		t.Error("the charts have no marks")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('figure[data-chart] table.chart-data').length`); n != eval[int](t, ctx, `document.querySelectorAll('figure[data-chart] svg').length`) {
		t.Error("a chart without its data table")
	}
	insights := testutil.Text(t, ctx, testutil.TestID("report-insights"))
	if !strings.Contains(insights, "What it says") {
		t.Errorf("the insights read %q", insights)
	}
	check("after adjusting")

	// Printed (A4, @media print): the report without navigation, forms
	// or buttons, its charts and tables kept.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	printed := eval[string](t, ctx, `[
		getComputedStyle(document.querySelector("nav.side")).display,
		getComputedStyle(document.querySelector('[data-testid="report-form"]')).display,
		getComputedStyle(document.querySelector('[data-testid="report-save-form"]')).display,
		getComputedStyle(document.querySelector('figure[data-chart] svg')).display,
		getComputedStyle(document.querySelector('figure[data-chart] table.chart-data')).display,
		getComputedStyle(document.querySelector('[data-testid="report-insights"]')).display,
	].join(" ")`)
	if printed != "none none none block table block" {
		t.Errorf("printed, nav/chips/save/chart/table/insights display as %q", printed)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}

	// Export: the link downloads the CSV of this very report.
	csv, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const a = document.querySelector('[data-testid="report-export"]');
		const r = await fetch(a.href, {credentials: "same-origin"});
		return r.status + " " + r.headers.get("content-type") + "\n" + await r.text();
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download the CSV: %v", err)
	}
	head, body, _ := strings.Cut(csv, "\n")
	if !strings.HasPrefix(head, "200 text/csv") || !strings.HasPrefix(body, "section,key,label,from,to,unit,value") || !strings.Contains(body, "breakdown:service") {
		t.Errorf("the CSV: %s\n%.300s", head, body)
	}

	// Save it with a name.
	do(t, ctx, "name the report", chromedp.SendKeys(sel("report-save-name"), "No-shows by service"))
	load(t, ctx, "save", chromedp.Click(sel("report-save")))
	if !strings.Contains(location(t, ctx), "/reports/saved/") {
		t.Fatalf("saving went to %s", location(t, ctx))
	}
	if got := testutil.Text(t, ctx, testutil.TestID("saved-report-name")); got != "No-shows by service" {
		t.Errorf("the saved report is named %q", got)
	}
	var api struct {
		Reports []struct {
			Name    string
			Request struct {
				Kind, From, To string
				GroupBy        []string
			}
		}
	}
	srv.MustGraphQL(t, srv.SignIn(t, "manager@example.com"), `{ reports { name request { kind from to groupBy } } }`, nil).Decode(t, &api)
	found := false
	for _, r := range api.Reports {
		if r.Name == "No-shows by service" && r.Request.Kind == "NO_SHOWS" && r.Request.From == "2025-10-01" && r.Request.To == "2025-12-31" && len(r.Request.GroupBy) > 0 && r.Request.GroupBy[0] == "SERVICE" {
			found = true
		}
	}
	if !found {
		t.Errorf("the API has no such saved report: %+v", api.Reports)
	}
	check("after saving")
}
