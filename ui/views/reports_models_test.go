package views

import (
	"math"
	"net/url"
	"slices"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/ui/charts"
)

func p[T any](v T) *T { return &v }

func TestResultCharts(t *testing.T) {
	dim := reports.DimHour
	r := &reports.Result{
		Kind: reports.Funnel,
		Series: []reports.Series{
			{Key: "leads", Label: "Leads", Unit: reports.UnitCount, Points: []reports.Point{{Label: "Jan", Value: 10}, {Label: "Feb", Value: 12}}},
			{Key: "booked", Label: "Booked", Unit: reports.UnitCount, Points: []reports.Point{{Label: "Jan", Value: 4}, {Label: "Feb", Value: 6}}},
			{Key: "rate", Label: "Conversion", Unit: reports.UnitRate, Points: []reports.Point{{Label: "Jan", Value: 0.4, Count: p(4), Denominator: p(10)}, {Label: "Feb", Value: 0.5, Count: p(6), Denominator: p(12)}}},
		},
		Breakdowns: []reports.Breakdown{
			{Key: "funnel", Label: "Lead to scan", Unit: reports.UnitCount, Rows: []reports.Row{
				{Key: "lead", Label: "Lead", Count: 22}, {Key: "contacted", Label: "Contacted", Count: 15, MedianDays: p(1.5)},
				{Key: "booked", Label: "Booked", Count: 10, MedianDays: p(3.0)}, {Key: "attended", Label: "Attended", Count: 8, MedianDays: p(7.0)}}},
			{Key: "hour", Dimension: &dim, Label: "No-show rate by hour", Unit: reports.UnitRate, Rows: []reports.Row{
				{Key: "9", Label: "9 am", Count: 3, Denominator: p(30), Rate: p(0.1)},
				{Key: "16", Label: "4 pm", Count: 1, Denominator: p(2), Rate: p(0.5), LowSample: true},
				{Key: "17", Label: "5 pm", Count: 0, Denominator: p(0), LowSample: true}}},
			{Key: "source", Label: "Revenue by source", Unit: reports.UnitCents, Rows: []reports.Row{
				{Key: "meta_ads", Label: "Meta ads", Count: 12, Value: p(900000.0), SpendCents: p(int64(300000)), CostPerBookedCents: p(int64(25000)), ReturnOnSpend: p(3.0)},
				{Key: "referral", Label: "Referral", Count: 3, Value: p(120000.0)}}},
		},
	}
	cs := ResultCharts(r)
	if len(cs) != 5 {
		t.Fatalf("%d charts, want 5 (two series charts, three breakdowns)", len(cs))
	}
	// Leads and booked share a chart (both counts per month); the rate
	// has its own, with the counts behind it.
	if cs[0].Kind != charts.Lines || len(cs[0].Series) != 2 || cs[0].Title != "Leads, Booked" {
		t.Errorf("first chart %+v", cs[0])
	}
	if len(cs[1].Series) != 1 || len(cs[1].Columns) != 1 || !slices.Equal(cs[1].Columns[0].Cells, []string{"4 of 10", "6 of 12"}) {
		t.Errorf("rate chart %+v", cs[1])
	}
	f := cs[2]
	if f.Kind != charts.Funnel || !slices.Equal(f.Series[0].Values, []float64{22, 15, 10, 8}) || f.Notes[2] != "median 3 days from the step before" {
		t.Errorf("funnel %+v", f)
	}
	h := cs[3]
	if h.Kind != charts.Bars || h.LabelHeader != "Hour" || !slices.Equal(h.Muted, []bool{false, true, true}) {
		t.Errorf("hour chart %+v", h)
	}
	if v := h.Series[0].Values; v[0] != 0.1 || v[1] != 0.5 || !math.IsNaN(v[2]) {
		t.Errorf("hour values %v (a rate out of none is missing, not 0)", v)
	}
	if !slices.Equal(h.Columns[0].Cells, []string{"3 of 30", "1 of 2", "0 of 0"}) {
		t.Errorf("hour counts %v", h.Columns)
	}
	rev := cs[4]
	var names []string
	for _, c := range rev.Columns {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"Count", "Ad spend", "Cost per booked patient", "Return on spend"}) {
		t.Errorf("revenue columns %v", names)
	}
	if rev.Columns[1].Cells[0] != "$3,000" || rev.Columns[1].Cells[1] != "" || rev.Columns[3].Cells[0] != "3.0×" {
		t.Errorf("revenue cells %+v", rev.Columns)
	}
}

func TestTotals(t *testing.T) {
	r := &reports.Result{Totals: []reports.Total{
		{Key: "noshow", Label: "No-show rate", Unit: reports.UnitRate, Value: 0.25, Previous: p(0.2), Count: p(25), Denominator: p(100),
			Significant: false, PValue: p(0.41), LowerIsBetter: true},
		{Key: "revenue", Label: "Revenue", Unit: reports.UnitCents, Value: 150000, Previous: p(200000.0)},
		{Key: "leads", Label: "New leads", Unit: reports.UnitCount, Value: 12, Previous: p(0.0)},
		{Key: "flat", Label: "Flat", Unit: reports.UnitCount, Value: 5, Previous: p(5.0)},
		{Key: "alone", Label: "No comparison", Unit: reports.UnitDays, Value: 2.5},
	}}
	got := Totals(r)
	want := []TotalView{
		{Key: "noshow", Label: "No-show rate", Value: "25%", Previous: "20%", Change: "+5.0 pts", Worse: true, OutOf: "25 of 100", Significance: "could be chance (p = 0.41)"},
		{Key: "revenue", Label: "Revenue", Value: "$1,500", Previous: "$2,000", Change: "−25%", Worse: true},
		{Key: "leads", Label: "New leads", Value: "12", Previous: "0", Change: "new", Better: true},
		{Key: "flat", Label: "Flat", Value: "5", Previous: "5", Change: "0%"},
		{Key: "alone", Label: "No comparison", Value: "2.5 days"},
	}
	if !slices.Equal(got, want) {
		for i := range want {
			if i < len(got) && got[i] != want[i] {
				t.Errorf("total %d = %+v\nwant %+v", i, got[i], want[i])
			}
		}
	}
}

// The chips' form: what a question's spec becomes, the links that remove
// one chip, and back to a request.
func TestReportFormFromSpec(t *testing.T) {
	np := reports.LastQuarter
	s := reports.Spec{Kind: reports.NoShows, From: "2026-01-01", To: "2026-03-31", NamedPeriod: &np, Comparison: reports.PreviousPeriod,
		LocationIDs: []pulid.ID{"loc_SYD"}, GroupBy: []reports.Dimension{reports.DimService, reports.DimWeekday},
		Filters: reports.Filters{Sources: []contact.LeadSource{contact.LeadSourceMetaAds}, Weekdays: []int{5}, Hours: []int{16}}}
	f := FormFromSpec(s, 2)
	if f.Period != "LAST_QUARTER" || f.From != "" || !slices.Equal(f.Locations, []string{"loc_SYD"}) || !slices.Equal(f.GroupBy, []string{"SERVICE", "WEEKDAY"}) {
		t.Errorf("form %+v", f)
	}
	if FormFromSpec(s, 1).Locations != nil {
		t.Error("the viewer's only location is a chip")
	}
	chips := f.Chips(ReportOptions{Locations: []Option{{Value: "loc_SYD", Label: "Sydney"}}})
	var labels []string
	for _, c := range chips {
		labels = append(labels, c.Label)
	}
	if !slices.Equal(labels, []string{"Location: Sydney", "Source: Meta Ads", "On Fridays", "At 4 pm"}) {
		t.Errorf("chips %q", labels)
	}
	u, _ := url.Parse(f.Without("by", "SERVICE"))
	if q := u.Query(); !slices.Equal(q["by"], []string{"WEEKDAY"}) || q.Get("weekday") != "5" || q.Get("period") != "LAST_QUARTER" {
		t.Errorf("without SERVICE: %s", u)
	}
	// Dates without a name stay dates.
	s.NamedPeriod = nil
	s.Comparison, s.CompareFrom, s.CompareTo = reports.CustomComparison, p(types.Date("2025-01-01")), p(types.Date("2025-03-31"))
	q := FormFromSpec(s, 2).Values()
	if q.Get("from") != "2026-01-01" || q.Get("to") != "2026-03-31" || q.Get("compare") != "CUSTOM" || q.Get("compare_from") != "2025-01-01" || q.Has("period") {
		t.Errorf("dated form %v", q)
	}
}
