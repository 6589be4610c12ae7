package ui_test

// The reports pages over plain HTTP: each figure the page and its CSV show
// is checked against the same report run through GraphQL, and who may
// read, save and export is checked both ways.

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	entlocation "github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// apiReport is a result as GraphQL answers it.
type apiReport struct {
	Kind   string
	Totals []struct {
		Key, Label, Unit string
		Value            float64
		Previous         *float64
	}
	Breakdowns []struct {
		Key, Label, Unit string
		Rows             []struct {
			Key, Label  string
			Count       int
			Denominator *int
			Rate, Value *float64
			LowSample   bool
		}
	}
	Series []struct {
		Key, Label, Unit string
		Points           []struct {
			Label string
			Value float64
		}
	}
	Insights []struct{ Kind, Text string }
}

const apiReportFields = `kind totals { key label unit value previous }
	breakdowns { key label unit rows { key label count denominator rate value lowSample } }
	series { key label unit points { label value } } insights { kind text }`

// generate runs a report through GraphQL as the client's user.
func generate(t *testing.T, srv *testutil.Server, c *http.Client, req map[string]any) apiReport {
	t.Helper()
	var out struct{ GenerateReport apiReport }
	srv.MustGraphQL(t, c, `query($r: ReportRequest!) { generateReport(request: $r) { `+apiReportFields+` } }`,
		map[string]any{"r": req}).Decode(t, &out)
	return out.GenerateReport
}

// noShowsByWeekday is the report the tests read: no-shows over the last
// twelve months (the demo data's bookings), by weekday.
const noShowsByWeekday = "/reports?kind=NO_SHOWS&period=LAST_12_MONTHS&compare=PREVIOUS_PERIOD&by=WEEKDAY"

var noShowsByWeekdayAPI = map[string]any{"kind": "NO_SHOWS", "namedPeriod": "LAST_12_MONTHS", "comparison": "PREVIOUS_PERIOD", "groupBy": []string{"WEEKDAY"}}

func TestReports_PageShowsTheReportsFigures(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "manager@example.com")
	want := generate(t, srv, c, noShowsByWeekdayAPI)
	if len(want.Totals) == 0 || len(want.Breakdowns) == 0 {
		t.Fatalf("the report has no figures to compare: %+v", want)
	}

	p := getPage(t, srv, c, noShowsByWeekday)
	bkStatus(t, p, http.StatusOK, "reports page")
	if got := text(p.Doc.Find(byTestID("report-kind"))); got != "No-shows" {
		t.Errorf("the report is %q", got)
	}
	// The chips carry the request.
	for id, v := range map[string]string{"chip-kind-select": "NO_SHOWS", "chip-period-select": "LAST_12_MONTHS", "chip-by-select": "WEEKDAY"} {
		if got := p.Doc.Find(byTestID(id)+" option[selected]").AttrOr("value", ""); got != v {
			t.Errorf("chip %s shows %q, want %q", id, got, v)
		}
	}
	// Totals: every one, formatted in its unit.
	for _, tot := range want.Totals {
		card := p.Doc.Find(byTestID("report-total") + `[data-key="` + tot.Key + `"]`)
		if got, w := text(card.Find(byTestID("report-total-value"))), views.FormatUnit(reports.Unit(tot.Unit), tot.Value); got != w {
			t.Errorf("total %s reads %q, the API says %q", tot.Key, got, w)
		}
	}
	// Every breakdown is a chart with its table, one row per API row, the
	// figure in the breakdown's unit.
	figs := p.Doc.Find(`figure[data-testid="chart"]`)
	for _, b := range want.Breakdowns {
		fig := figs.Filter(`[data-chart="breakdown-` + strings.ToLower(strings.ReplaceAll(b.Key, ":", "-")) + `"]`)
		if fig.Length() != 1 {
			t.Errorf("breakdown %s: %d charts", b.Key, fig.Length())
			continue
		}
		if fig.Find(`svg[role="img"] title`).Length() == 0 {
			t.Errorf("breakdown %s: the chart has no accessible title", b.Key)
		}
		rows := fig.Find("table.chart-data tbody tr")
		if rows.Length() != len(b.Rows) {
			t.Errorf("breakdown %s: %d table rows, the API has %d", b.Key, rows.Length(), len(b.Rows))
			continue
		}
		rows.Each(func(i int, tr *goquery.Selection) {
			r := b.Rows[i]
			var v float64
			switch {
			case b.Unit == "RATE" && r.Rate != nil:
				v = *r.Rate
			case r.Value != nil:
				v = *r.Value
			default:
				v = float64(r.Count)
			}
			if got, w := text(tr.Find("td").First()), views.FormatUnit(reports.Unit(b.Unit), v); b.Unit != "RATE" || r.Rate != nil {
				if got != w {
					t.Errorf("breakdown %s row %s reads %q, the API says %q", b.Key, r.Label, got, w)
				}
			}
			if !strings.HasPrefix(text(tr.Find("th")), r.Label) {
				t.Errorf("breakdown %s row %d is %q, want %q", b.Key, i, text(tr.Find("th")), r.Label)
			}
		})
	}
	// The insights, in the API's words and order.
	var got []string
	p.Doc.Find(byTestID("insight")).Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
	for i, in := range want.Insights {
		if i >= len(got) || !strings.HasSuffix(got[i], in.Text) {
			t.Errorf("insight %d: page %q, API %q", i, got, in.Text)
			break
		}
	}
	if len(got) != len(want.Insights) {
		t.Errorf("%d insights on the page, %d from the API", len(got), len(want.Insights))
	}
	// The CSV link repeats the request.
	href, _ := p.Doc.Find(byTestID("report-export")).Attr("href")
	u, err := url.Parse(href)
	if err != nil || u.Path != "/reports/export.csv" || u.Query().Get("kind") != "NO_SHOWS" || u.Query().Get("by") != "WEEKDAY" {
		t.Errorf("the CSV link is %q", href)
	}
	// The nav has Reports, marked as the current page.
	if cur := p.Doc.Find(byTestID("nav-reports")).AttrOr("aria-current", ""); cur != "page" {
		t.Errorf("nav-reports aria-current = %q", cur)
	}
}

// readCSV gets a CSV download and parses it.
func readCSV(t *testing.T, srv *testutil.Server, c *http.Client, path string) [][]string {
	t.Helper()
	resp, err := c.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("GET %s: Content-Disposition %q", path, cd)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatalf("GET %s: not CSV: %v", path, err)
	}
	return rows
}

// csvRecords are the CSV's rows as header → cell.
func csvRecords(t *testing.T, rows [][]string) []map[string]string {
	t.Helper()
	if len(rows) < 2 {
		t.Fatalf("the CSV has %d rows", len(rows))
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// checkCSVFigures compares a CSV's totals and breakdown rows with the API's
// result, exactly (no rounding).
func checkCSVFigures(t *testing.T, recs []map[string]string, want apiReport) {
	t.Helper()
	if recs[0]["section"] != "report" || recs[0]["key"] != want.Kind {
		t.Errorf("the first row is %v", recs[0])
	}
	totals := map[string]string{}
	rows := map[string][]map[string]string{}
	insights := 0
	for _, r := range recs {
		switch s := r["section"]; {
		case s == "total":
			totals[r["key"]] = r["value"]
		case strings.HasPrefix(s, "breakdown:"):
			rows[strings.TrimPrefix(s, "breakdown:")] = append(rows[strings.TrimPrefix(s, "breakdown:")], r)
		case s == "insight":
			insights++
		}
	}
	for _, tot := range want.Totals {
		if got, w := totals[tot.Key], strconv.FormatFloat(tot.Value, 'f', -1, 64); got != w {
			t.Errorf("CSV total %s = %q, API %s", tot.Key, got, w)
		}
	}
	for _, b := range want.Breakdowns {
		got := rows[b.Key]
		if len(got) != len(b.Rows) {
			t.Errorf("CSV breakdown %s has %d rows, API %d", b.Key, len(got), len(b.Rows))
			continue
		}
		for i, r := range b.Rows {
			if got[i]["label"] != r.Label || got[i]["count"] != strconv.Itoa(r.Count) {
				t.Errorf("CSV breakdown %s row %d = %s %s, API %s %d", b.Key, i, got[i]["label"], got[i]["count"], r.Label, r.Count)
			}
			if r.Rate != nil && got[i]["rate"] != strconv.FormatFloat(*r.Rate, 'f', -1, 64) {
				t.Errorf("CSV breakdown %s row %s rate %q, API %v", b.Key, r.Label, got[i]["rate"], *r.Rate)
			}
			if r.Denominator != nil && got[i]["denominator"] != strconv.Itoa(*r.Denominator) {
				t.Errorf("CSV breakdown %s row %s denominator %q, API %d", b.Key, r.Label, got[i]["denominator"], *r.Denominator)
			}
		}
	}
	if insights != len(want.Insights) {
		t.Errorf("CSV has %d insights, API %d", insights, len(want.Insights))
	}
}

func TestReports_CSVExportHoldsEveryFigureExactly(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "manager@example.com")
	want := generate(t, srv, c, noShowsByWeekdayAPI)
	rows := readCSV(t, srv, c, strings.Replace(noShowsByWeekday, "/reports?", "/reports/export.csv?", 1))
	if !slices.Equal(rows[0][:4], []string{"section", "key", "label", "from"}) {
		t.Errorf("header %q", rows[0])
	}
	checkCSVFigures(t, csvRecords(t, rows), want)

	// Revenue: money stays in cents.
	rev := generate(t, srv, c, map[string]any{"kind": "REVENUE", "namedPeriod": "LAST_12_MONTHS"})
	checkCSVFigures(t, csvRecords(t, readCSV(t, srv, c, "/reports/export.csv?kind=REVENUE&period=LAST_12_MONTHS")), rev)
}

// A viewer may read reports but not save them; one denied reports:read
// gets 403 from every reports page and download, and no nav link.
func TestReports_PermissionsAndLocations(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	viewerC := srv.SignIn(t, "viewer@example.com")

	p := getPage(t, srv, viewerC, noShowsByWeekday)
	bkStatus(t, p, http.StatusOK, "viewer reads a report")
	if p.Doc.Find(byTestID("report-save-form")).Length() != 0 {
		t.Error("a viewer is offered the save form")
	}
	if p.Doc.Find(byTestID("report-subscription")).Length() != 0 {
		t.Error("a viewer is offered the Monday email")
	}
	saved := postPage(t, srv, viewerC, "/reports/save", url.Values{"kind": {"NO_SHOWS"}, "period": {"LAST_MONTH"}, "name": {"Mine"}})
	bkStatus(t, saved, http.StatusForbidden, "viewer saves a report")

	// A location the manager does not belong to is refused, not emptied.
	ctx := viewer.Seed.Grant(context.Background(), "test")
	par, err := srv.App.DB.Client.Location.Query().Where(entlocation.Code("PAR")).OnlyID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	manager := srv.SignIn(t, "manager@example.com")
	p = getPage(t, srv, manager, "/reports?kind=NO_SHOWS&period=LAST_MONTH&loc="+par.String())
	if p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
		t.Errorf("a manager of Sydney asking for Parramatta: status %d", p.Status)
	}
	if p.Doc.Find(byTestID("report-result")).Length() != 0 {
		t.Error("Parramatta's figures shown to a manager of Sydney")
	}

	// Deny the viewer reports:read.
	var me struct {
		Users struct {
			Edges []struct{ Node struct{ ID, Email string } }
		}
	}
	srv.MustGraphQL(t, admin, `{ users(first: 50) { edges { node { id email } } } }`, nil).Decode(t, &me)
	var vid string
	for _, e := range me.Users.Edges {
		if e.Node.Email == "viewer@example.com" {
			vid = e.Node.ID
		}
	}
	srv.MustGraphQL(t, admin, `mutation($u: ID!) { setPermissionOverride(input: {userID: $u, resource: reports, action: read, effect: deny, reason: "test"}) { id } }`,
		map[string]any{"u": vid})
	for _, path := range []string{"/reports", noShowsByWeekday, "/reports?q=no-shows+last+month",
		"/reports/export.csv?kind=NO_SHOWS&period=LAST_MONTH", "/reports/ad-spend", "/reports/runs/rrn_01JX00000000000000000000AA"} {
		p := getPage(t, srv, viewerC, path)
		if p.Status != http.StatusForbidden {
			t.Errorf("viewer without reports:read GET %s: status %d, want 403", path, p.Status)
		}
		if strings.Contains(p.Body, "data-testid=\"report-result\"") {
			t.Errorf("GET %s shows a report", path)
		}
	}
	home := getPage(t, srv, viewerC, "/")
	if home.Doc.Find(byTestID("nav-reports")).Length() != 0 {
		t.Error("the nav offers Reports to a viewer denied reports:read")
	}
}

func TestReports_QuestionInWords(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "manager@example.com")

	p := getPage(t, srv, c, "/reports?q="+url.QueryEscape("no-shows last quarter by weekday"))
	bkStatus(t, p, http.StatusOK, "a question")
	if got := p.Doc.Find(byTestID("chip-kind-select")+" option[selected]").AttrOr("value", ""); got != "NO_SHOWS" {
		t.Errorf("the kind chip reads %q", got)
	}
	// The question's period comes back as its dates: the last quarter
	// before Wednesday 11 March 2026.
	if got := text(p.Doc.Find(byTestID("chip-period-select") + " option[selected]")); got != "1 Oct – 31 Dec 2025" {
		t.Errorf("the period chip reads %q", got)
	}
	if got := p.Doc.Find(byTestID("chip-by-select")+" option[selected]").AttrOr("value", ""); got != "WEEKDAY" {
		t.Errorf("the breakdown chip reads %q", got)
	}
	if p.Doc.Find(byTestID("report-result")).Length() != 1 {
		t.Error("the question ran no report")
	}
	// Removing the breakdown chip re-runs without it.
	href, ok := p.Doc.Find(byTestID("chip-by") + " " + byTestID("chip-remove")).Attr("href")
	if !ok {
		t.Fatal("the breakdown chip cannot be removed")
	}
	u, _ := url.Parse(href)
	if q := u.Query(); q.Has("by") || q.Get("kind") != "NO_SHOWS" || q.Get("from") != "2025-10-01" || q.Get("to") != "2025-12-31" {
		t.Errorf("removing the breakdown links to %s", href)
	}
	bkStatus(t, getPage(t, srv, c, href), http.StatusOK, "without the breakdown")

	// Words that are no report: suggestions, not an error page.
	p = getPage(t, srv, c, "/reports?q="+url.QueryEscape("purple elephants dancing"))
	bkStatus(t, p, http.StatusOK, "an unreadable question")
	if n := p.Doc.Find(byTestID("report-suggestion")).Length(); n == 0 {
		t.Error("no suggestions for an unreadable question")
	}
	if p.Doc.Find(byTestID("report-result")).Length() != 0 {
		t.Error("an unreadable question shows a report")
	}
	// A suggestion is itself a question that works.
	href, _ = p.Doc.Find(byTestID("report-suggestion")).First().Attr("href")
	if sp := getPage(t, srv, c, href); sp.Doc.Find(byTestID("report-result")).Length() != 1 {
		t.Errorf("the suggestion %s ran no report", href)
	}
}

func TestReports_BadRequestIsShownByTheChips(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "manager@example.com")
	for _, path := range []string{
		"/reports?kind=NOPE&period=LAST_MONTH",
		"/reports?kind=NO_SHOWS&from=2026-13-01&to=2026-02-01",
		"/reports?kind=NO_SHOWS&period=LAST_MONTH&by=COLOUR",
		"/reports?kind=NO_SHOWS&period=LAST_MONTH&weekday=9",
	} {
		p := getPage(t, srv, c, path)
		if p.Status != http.StatusUnprocessableEntity {
			t.Errorf("GET %s: status %d, want 422", path, p.Status)
		}
		if len(errorsOn(p)) == 0 || p.Doc.Find(byTestID("report-form")).Length() != 1 {
			t.Errorf("GET %s: no message by the chips", path)
		}
	}
}

func TestReports_SaveRunAndReadTheStoredRun(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "manager@example.com")
	form := url.Values{"kind": {"NO_SHOWS"}, "period": {"LAST_12_MONTHS"}, "compare": {"PREVIOUS_PERIOD"}, "by": {"WEEKDAY"}, "schedule": {"WEEKLY"}}

	// A name is required, shown next to its input with the report kept.
	bad := postPage(t, srv, c, "/reports/save", form)
	bkStatus(t, bad, http.StatusUnprocessableEntity, "save without a name")
	if msg := text(bad.Doc.Find(byTestID("field-error-save-name"))); msg == "" {
		t.Errorf("no message by the name; errors %q", errorsOn(bad))
	}
	if bad.Doc.Find(byTestID("report-result")).Length() != 1 {
		t.Error("the report is gone from the page after a failed save")
	}

	form.Set("name", "Weekday no-shows")
	saved := postPage(t, srv, c, "/reports/save", form)
	if saved.Status != http.StatusSeeOther || !strings.HasPrefix(saved.Location, "/reports/saved/") {
		t.Fatalf("save: status %d to %q; errors %q", saved.Status, saved.Location, errorsOn(saved))
	}
	page := getPage(t, srv, c, saved.Location)
	bkStatus(t, page, http.StatusOK, "the saved report")
	if got := text(page.Doc.Find(byTestID("saved-report-name"))); got != "Weekday no-shows" {
		t.Errorf("saved report name %q", got)
	}
	id := strings.TrimPrefix(strings.SplitN(saved.Location, "?", 2)[0], "/reports/saved/")
	var api struct {
		Report struct {
			Name, Schedule string
			Request        struct {
				Kind, NamedPeriod string
				GroupBy           []string
			}
		}
	}
	srv.MustGraphQL(t, c, `query($id: ID!) { report(id: $id) { name schedule request { kind namedPeriod groupBy } } }`, map[string]any{"id": id}).Decode(t, &api)
	if api.Report.Name != "Weekday no-shows" || api.Report.Schedule != "WEEKLY" || api.Report.Request.Kind != "NO_SHOWS" ||
		api.Report.Request.NamedPeriod != "LAST_12_MONTHS" || !slices.Contains(api.Report.Request.GroupBy, "WEEKDAY") {
		t.Errorf("saved as %+v", api.Report)
	}
	list := getPage(t, srv, c, "/reports")
	if !strings.Contains(text(list.Doc.Find(byTestID("saved-reports"))), "Weekday no-shows") {
		t.Error("the reports page does not list the saved report")
	}

	// Run it now: the run is stored and shown as stored.
	ran := postPage(t, srv, c, "/reports/saved/"+id+"/run", nil)
	if ran.Status != http.StatusSeeOther || !strings.HasPrefix(ran.Location, "/reports/runs/") {
		t.Fatalf("run: status %d to %q; errors %q", ran.Status, ran.Location, errorsOn(ran))
	}
	runID := strings.TrimPrefix(strings.SplitN(ran.Location, "?", 2)[0], "/reports/runs/")
	var run struct{ ReportRun struct{ Result apiReport } }
	srv.MustGraphQL(t, c, `query($id: ID!) { reportRun(id: $id) { result { `+apiReportFields+` } } }`, map[string]any{"id": runID}).Decode(t, &run)
	rp := getPage(t, srv, c, ran.Location)
	bkStatus(t, rp, http.StatusOK, "the run")
	for _, tot := range run.ReportRun.Result.Totals {
		card := rp.Doc.Find(byTestID("report-total") + `[data-key="` + tot.Key + `"]`)
		if got, w := text(card.Find(byTestID("report-total-value"))), views.FormatUnit(reports.Unit(tot.Unit), tot.Value); got != w {
			t.Errorf("the run's total %s reads %q, stored %q", tot.Key, got, w)
		}
	}
	if n := getPage(t, srv, c, "/reports/saved/"+id).Doc.Find(byTestID("report-run-row")).Length(); n != 1 {
		t.Errorf("the saved report lists %d runs, want 1", n)
	}
	checkCSVFigures(t, csvRecords(t, readCSV(t, srv, c, "/reports/runs/"+runID+"/export.csv")), run.ReportRun.Result)

	// Delete: a confirmation first; the run stays readable.
	if p := getPage(t, srv, c, "/reports/saved/"+id+"/delete"); p.Doc.Find(byTestID("confirm")).Length() != 1 {
		t.Error("delete asks no confirmation")
	}
	postDone(t, srv, c, "/reports/saved/"+id+"/delete", url.Values{"confirm": {"yes"}}, "/reports")
	bkStatus(t, getPage(t, srv, c, "/reports/runs/"+runID), http.StatusOK, "the run after its report was deleted")
}

func TestReports_AdSpendTable(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "manager@example.com")
	p := getPage(t, srv, c, "/reports/ad-spend?from=2026-01")
	bkStatus(t, p, http.StatusOK, "ad spend")
	if p.Doc.Find(byTestID("spend.meta_ads.2026-02")).Length() != 1 {
		t.Fatal("no input for Meta ads, February 2026")
	}
	// One bad amount saves nothing and is shown by its cell.
	bad := postPage(t, srv, c, "/reports/ad-spend", url.Values{"from": {"2026-01"},
		"spend.meta_ads.2026-02": {"1,200.50"}, "spend.google_ads.2026-02": {"12x"}})
	bkStatus(t, bad, http.StatusUnprocessableEntity, "a bad amount")
	if msg := text(bad.Doc.Find(byTestID("field-error-spend.google_ads.2026-02"))); msg == "" {
		t.Errorf("no message by the bad cell; errors %q", errorsOn(bad))
	}
	if got := bad.Doc.Find(byTestID("spend.google_ads.2026-02")).AttrOr("value", ""); got != "12x" {
		t.Errorf("the bad cell was not kept: %q", got)
	}
	spend := func() map[string]int {
		var out struct {
			AdSpend []struct {
				Source, Month string
				Cents         int
			}
		}
		srv.MustGraphQL(t, c, `{ adSpend(from: "2026-01", to: "2026-06") { source month cents } }`, nil).Decode(t, &out)
		m := map[string]int{}
		for _, a := range out.AdSpend {
			m[a.Source+" "+a.Month] = a.Cents
		}
		return m
	}
	if got := spend(); got["meta_ads 2026-02"] != 0 {
		t.Errorf("a form with a bad cell saved %v", got)
	}

	postDone(t, srv, c, "/reports/ad-spend", url.Values{"from": {"2026-01"},
		"spend.meta_ads.2026-02": {"$1,200.50"}, "spend.google_ads.2026-03": {"400"},
		"spend.referral.2026-02": {""}, "was.spend.referral.2026-02": {""}}, "/reports/ad-spend")
	got := spend()
	if got["meta_ads 2026-02"] != 120050 || got["google_ads 2026-03"] != 40000 {
		t.Errorf("saved %v, want meta_ads 2026-02 120050 and google_ads 2026-03 40000", got)
	}
	if _, ok := got["referral 2026-02"]; ok {
		t.Error("an untouched empty cell was saved")
	}
	p = getPage(t, srv, c, "/reports/ad-spend?from=2026-01")
	if v := p.Doc.Find(byTestID("spend.meta_ads.2026-02")).AttrOr("value", ""); v != "1200.50" {
		t.Errorf("the table shows %q for Meta ads in February", v)
	}
}

func TestReports_MondayEmailOptIn(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "manager@example.com")
	weekly := func() bool {
		var out struct{ ReportSubscription struct{ Weekly bool } }
		srv.MustGraphQL(t, c, `{ reportSubscription { weekly } }`, nil).Decode(t, &out)
		return out.ReportSubscription.Weekly
	}
	if weekly() {
		t.Fatal("subscribed before opting in")
	}
	next := postDone(t, srv, c, "/reports/subscription", url.Values{"weekly": {"true"}}, "/reports")
	if !weekly() {
		t.Error("opting in did not subscribe")
	}
	if got := text(next.Doc.Find(byTestID("report-subscription-state"))); got != "You get the Monday email." {
		t.Errorf("the page says %q", got)
	}
	postDone(t, srv, c, "/reports/subscription", url.Values{"weekly": {"false"}}, "/reports")
	if weekly() {
		t.Error("opting out did not unsubscribe")
	}
}

// BenchmarkReportRunPage: the page of a stored run, served from the run
// (no figure computed again). Target: under 200 ms.
func BenchmarkReportRunPage(b *testing.B) {
	srv := testutil.StartServer(b, testutil.ServerOptions{})
	c := srv.SignIn(b, "manager@example.com")
	var saved struct{ SaveReport struct{ ID string } }
	srv.MustGraphQL(b, c, `mutation { saveReport(input: {name: "Bench", request: {kind: NO_SHOWS, namedPeriod: LAST_12_MONTHS, groupBy: [WEEKDAY, HOUR, SERVICE, SOURCE]}}) { id } }`, nil).Decode(b, &saved)
	var run struct{ RunReport struct{ ID string } }
	srv.MustGraphQL(b, c, `mutation($id: ID!) { runReport(id: $id) { id } }`, map[string]any{"id": saved.SaveReport.ID}).Decode(b, &run)
	path := srv.URL + "/reports/runs/" + run.RunReport.ID
	b.ResetTimer()
	for b.Loop() {
		resp, err := c.Get(path)
		if err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
}

// The chips can add a filter, not only remove one: a lead source for
// every report that reads contacts, a weekday and an hour of day for the
// reports of appointments. Choosing one re-runs the report with it (the
// GET form submits every chip; the empty "add" selects add nothing).
func TestReports_ChipsAddFilters(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.SignIn(t, "manager@example.com")
	p := getPage(t, srv, c, noShowsByWeekday)
	bkStatus(t, p, http.StatusOK, "reports page")
	for id, want := range map[string][2]string{"chip-add-source": {"meta_ads", "Meta Ads"}, "chip-add-weekday": {"5", "Friday"}, "chip-add-hour": {"16", "4 pm"}} {
		sel := p.Doc.Find("select" + byTestID(id))
		if sel.Length() != 1 {
			t.Errorf("no %s select", id)
			continue
		}
		if got := text(sel.Find(`option[value="` + want[0] + `"]`)); got != want[1] {
			t.Errorf("%s: option %s reads %q, want %q", id, want[0], got, want[1])
		}
		if got := sel.Find("option[selected]").AttrOr("value", "x"); got != "" {
			t.Errorf("%s: %q is chosen before anyone chose", id, got)
		}
	}
	// Choosing Meta ads and Friday: what the form submits.
	p = getPage(t, srv, c, noShowsByWeekday+"&source=meta_ads&weekday=5&hour=")
	bkStatus(t, p, http.StatusOK, "filtered report")
	if got := text(p.Doc.Find(byTestID("chip-source"))); !strings.Contains(got, "Source: Meta Ads") {
		t.Errorf("the source chip reads %q", got)
	}
	if got := text(p.Doc.Find(byTestID("chip-weekday"))); !strings.Contains(got, "On Fridays") {
		t.Errorf("the weekday chip reads %q", got)
	}
	api := map[string]any{"kind": "NO_SHOWS", "namedPeriod": "LAST_12_MONTHS", "comparison": "PREVIOUS_PERIOD", "groupBy": []string{"WEEKDAY"},
		"filters": map[string]any{"sources": []string{"meta_ads"}, "weekdays": []int{5}}}
	want := generate(t, srv, c, api)
	for _, tot := range want.Totals {
		card := p.Doc.Find(byTestID("report-total") + `[data-key="` + tot.Key + `"]`)
		if got, w := text(card.Find(byTestID("report-total-value"))), views.FormatUnit(reports.Unit(tot.Unit), tot.Value); got != w {
			t.Errorf("filtered total %s reads %q, the API with the filters says %q", tot.Key, got, w)
		}
	}
	// The funnel reads contacts: a source, no weekday or hour; the stage
	// report takes no filter.
	p = getPage(t, srv, c, "/reports?kind=FUNNEL&period=LAST_12_MONTHS")
	if p.Doc.Find(byTestID("chip-add-source")).Length() != 1 || p.Doc.Find(byTestID("chip-add-weekday")).Length() != 0 {
		t.Error("the funnel's chips: want a source to add and no weekday")
	}
	p = getPage(t, srv, c, "/reports?kind=STAGES&period=LAST_12_MONTHS")
	if p.Doc.Find(byTestID("chip-add-source")).Length() != 0 {
		t.Error("the stage report offers a source filter it does not apply")
	}
}
