package ui

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/reports"
)

func ptrTo[T any](v T) *T { return &v }

// The CSV of a hand-made result: every figure exact (a third stays
// 0.3333333333333333, cents stay cents), empty where a figure does not
// exist, and a typed name that looks like a formula defused.
func TestWriteReportCSV(t *testing.T) {
	res := &reports.Result{
		Kind: reports.Revenue, Currency: "AUD", Zone: "Australia/Sydney", GeneratedAt: time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC),
		Request: reports.Spec{Kind: reports.Revenue, From: "2026-02-01", To: "2026-02-28", Comparison: reports.PreviousPeriod,
			CompareFrom: ptrTo(types.Date("2026-01-04")), CompareTo: ptrTo(types.Date("2026-01-31")),
			LocationIDs: []pulid.ID{"loc_A", "loc_B"}, Description: "Revenue by source, February 2026"},
		Totals: []reports.Total{
			{Key: "revenue", Label: "Revenue", Unit: reports.UnitCents, Value: 1234550, Previous: ptrTo(1000000.0)},
			{Key: "no_show_rate", Label: "No-show rate", Unit: reports.UnitRate, Value: 1.0 / 3, Count: ptrTo(1), Denominator: ptrTo(3),
				Significant: false, PValue: ptrTo(0.41)},
		},
		Series: []reports.Series{{Key: "revenue_week", Label: "Revenue per week", Unit: reports.UnitCents,
			Points: []reports.Point{{Label: "W1", From: "2026-02-02", To: "2026-02-08", Value: 50000}}}},
		Breakdowns: []reports.Breakdown{{Key: "source", Label: "By source", Unit: reports.UnitCents, Rows: []reports.Row{
			{Key: "meta_ads", Label: "Meta ads", Count: 12, Value: ptrTo(900000.0), SpendCents: ptrTo(int64(300000)),
				CostPerBookedCents: ptrTo(int64(25000)), ReturnOnSpend: ptrTo(3.0)},
			{Key: "campaign", Label: "=HYPERLINK(\"x\")", Count: 1, Value: ptrTo(-5000.0), LowSample: true},
		}}},
		Insights: []reports.Insight{{Kind: reports.Finding, Text: "Meta ads returned 3.0 times its spend."}},
	}
	var b strings.Builder
	if err := writeReportCSV(&b, res); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], reportCSVHeader) {
		t.Fatalf("header %q", rows[0])
	}
	rec := func(i int) map[string]string {
		m := map[string]string{}
		for j, h := range rows[0] {
			m[h] = rows[i][j]
		}
		return m
	}
	for i, want := range []map[string]string{
		{"section": "report", "key": "REVENUE", "label": "Revenue by source, February 2026", "from": "2026-02-01", "to": "2026-02-28", "unit": "AUD",
			"note": "zone=Australia/Sydney; locations=loc_A loc_B; generated=2026-03-11T00:00:00Z"},
		{"section": "comparison", "key": "PREVIOUS_PERIOD", "from": "2026-01-04", "to": "2026-01-31"},
		{"section": "total", "key": "revenue", "unit": "CENTS", "value": "1234550", "previous": "1000000", "count": "", "rate": ""},
		{"section": "total", "key": "no_show_rate", "unit": "RATE", "value": "0.3333333333333333", "rate": "0.3333333333333333",
			"count": "1", "denominator": "3", "significant": "false", "p_value": "0.41", "previous": ""},
		{"section": "series:revenue_week", "key": "W1", "from": "2026-02-02", "to": "2026-02-08", "value": "50000"},
		{"section": "breakdown:source", "key": "meta_ads", "label": "Meta ads", "count": "12", "value": "900000",
			"spend_cents": "300000", "cost_per_booked_cents": "25000", "return_on_spend": "3", "low_sample": "false", "rate": ""},
		{"section": "breakdown:source", "key": "campaign", "label": "'=HYPERLINK(\"x\")", "value": "-5000", "low_sample": "true", "spend_cents": ""},
		{"section": "insight", "key": "1", "label": "Meta ads returned 3.0 times its spend.", "unit": "FINDING"},
	} {
		if i+1 >= len(rows) {
			t.Fatalf("only %d rows", len(rows))
		}
		got := rec(i + 1)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("row %d (%s) %s = %q, want %q", i+1, want["section"], k, got[k], v)
			}
		}
	}
	if len(rows) != 9 {
		t.Errorf("%d rows, want 9", len(rows))
	}
}
