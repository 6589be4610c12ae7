package graph_test

import (
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// The reports' operations end to end on the demo data: a manager runs a
// report, asks a question in words, saves a report, runs it and reads the
// stored run; a viewer may read reports but not save them.
func TestReportsOperations(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	mgr := srv.SignIn(t, "manager@example.com")

	var gen struct {
		GenerateReport struct {
			Kind    string
			Request struct {
				From, To, CompareFrom, CompareTo string
				Description                      string
			}
			Totals []struct {
				Key                string
				Value              float64
				Count, Denominator *int
			}
			Breakdowns []struct {
				Key  string
				Rows []struct{ Label string }
			}
			Insights []struct{ Kind, Text string }
		}
	}
	srv.MustGraphQL(t, mgr, `{ generateReport(request: {kind: NO_SHOWS, from: "2026-02-01", to: "2026-02-28", groupBy: [WEEKDAY]}) {
		kind request { from to compareFrom compareTo description } totals { key value count denominator }
		breakdowns { key rows { label } } insights { kind text } } }`, nil).Decode(t, &gen)
	g := gen.GenerateReport
	if g.Kind != "NO_SHOWS" || g.Request.CompareFrom != "2026-01-04" || g.Request.CompareTo != "2026-01-31" {
		t.Errorf("request %+v", g.Request)
	}
	if len(g.Totals) == 0 || g.Totals[0].Key != "no_show_rate" || g.Totals[0].Denominator == nil {
		t.Fatalf("totals %+v", g.Totals)
	}
	if len(g.Breakdowns) == 0 || g.Breakdowns[0].Key != "weekday" {
		t.Errorf("the weekday breakdown first, asked for: %+v", g.Breakdowns)
	}

	var q struct {
		ReportQuery struct {
			OK          bool
			Request     *struct{ Kind string }
			Result      *struct{ Totals []struct{ Key string } }
			Suggestions []string
		}
	}
	srv.MustGraphQL(t, mgr, `query($t: String!) { reportQuery(text: $t) { ok request { kind } result { totals { key } } suggestions } }`,
		map[string]any{"t": "revenue by source last month"}).Decode(t, &q)
	if !q.ReportQuery.OK || q.ReportQuery.Request == nil || q.ReportQuery.Request.Kind != "REVENUE" || q.ReportQuery.Result == nil {
		t.Errorf("reportQuery: %+v", q.ReportQuery)
	}
	srv.MustGraphQL(t, mgr, `query($t: String!) { reportQuery(text: $t) { ok request { kind } suggestions } }`,
		map[string]any{"t": "what's for lunch"}).Decode(t, &q)
	if q.ReportQuery.OK || len(q.ReportQuery.Suggestions) < 3 {
		t.Errorf("unreadable question: %+v", q.ReportQuery)
	}

	var saved struct {
		SaveReport struct {
			ID      string
			Name    string
			Request struct{ NamedPeriod, From string }
		}
	}
	srv.MustGraphQL(t, mgr, `mutation { saveReport(input: {name: "Monthly no-shows", request: {kind: NO_SHOWS, namedPeriod: LAST_MONTH}, schedule: MONTHLY}) {
		id name request { namedPeriod from } } }`, nil).Decode(t, &saved)
	if saved.SaveReport.Request.NamedPeriod != "LAST_MONTH" || saved.SaveReport.Request.From != "2026-02-01" {
		t.Errorf("saved %+v", saved.SaveReport)
	}
	var run struct {
		RunReport struct {
			ID     string
			Result struct{ Totals []struct{ Key string } }
		}
	}
	srv.MustGraphQL(t, mgr, `mutation($id: ID!) { runReport(id: $id) { id result { totals { key } } } }`,
		map[string]any{"id": saved.SaveReport.ID}).Decode(t, &run)
	var runs struct {
		ReportRuns []struct{ ID, Trigger string }
		ReportRun  struct{ ID string }
	}
	srv.MustGraphQL(t, mgr, `query($r: ID!, $id: ID!) { reportRuns(reportID: $r) { id trigger } reportRun(id: $id) { id } }`,
		map[string]any{"r": saved.SaveReport.ID, "id": run.RunReport.ID}).Decode(t, &runs)
	if len(runs.ReportRuns) != 1 || runs.ReportRuns[0].ID != run.RunReport.ID || runs.ReportRuns[0].Trigger != "manual" || runs.ReportRun.ID != run.RunReport.ID {
		t.Errorf("runs %+v", runs)
	}

	viewerC := srv.SignIn(t, "viewer@example.com")
	r := srv.GraphQL(t, viewerC, `mutation { saveReport(input: {name: "x", request: {kind: FUNNEL, namedPeriod: LAST_MONTH}}) { id } }`, nil)
	if r.FirstCode() != "FORBIDDEN" {
		t.Errorf("a viewer saving a report: %s", r.FirstCode())
	}
	r = srv.GraphQL(t, viewerC, `{ reports { id name } }`, nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "Monthly no-shows") {
		t.Errorf("a viewer reading saved reports: %s %+v", r.Data, r.Errors)
	}
	r = srv.GraphQL(t, mgr, `{ generateReport(request: {kind: FUNNEL, from: "2026-03-01", to: "2026-02-01"}) { kind } }`, nil)
	if r.FirstCode() != "INVALID" {
		t.Errorf("a period that ends before it starts: %s", r.FirstCode())
	}
}
