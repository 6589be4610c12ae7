package ui

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/reports"
)

// reportCSVHeader is the CSV of a report result: one row per figure, in
// long form so every result (totals, series, breakdowns, insights) fits
// one table a spreadsheet can filter. Numbers are exact: rates as the
// fraction (0.25), money in cents, no rounding, no thousands separators.
var reportCSVHeader = []string{
	"section", "key", "label", "from", "to", "unit", "value", "previous",
	"count", "denominator", "rate", "significant", "p_value", "median_days",
	"spend_cents", "cost_per_booked_cents", "return_on_spend", "low_sample", "note",
}

// writeReportCSV writes res as CSV: a header row, the report's own row
// (kind, period, currency; zone, locations and time in its note), then its totals, series
// points, breakdown rows and insights.
func writeReportCSV(w io.Writer, res *reports.Result) error {
	cw := csv.NewWriter(w)
	row := func(cells map[string]string) {
		out := make([]string, len(reportCSVHeader))
		for i, h := range reportCSVHeader {
			out[i] = csvCell(cells[h])
		}
		_ = cw.Write(out)
	}
	_ = cw.Write(reportCSVHeader)
	locs := make([]string, len(res.Request.LocationIDs))
	for i, id := range res.Request.LocationIDs {
		locs[i] = id.String()
	}
	row(map[string]string{"section": "report", "key": string(res.Kind), "label": res.Request.Description,
		"from": string(res.Request.From), "to": string(res.Request.To), "unit": res.Currency,
		"note": "zone=" + res.Zone + "; locations=" + strings.Join(locs, " ") + "; generated=" + res.GeneratedAt.UTC().Format(time.RFC3339)})
	if res.Request.CompareFrom != nil && res.Request.CompareTo != nil {
		row(map[string]string{"section": "comparison", "key": string(res.Request.Comparison),
			"from": string(*res.Request.CompareFrom), "to": string(*res.Request.CompareTo)})
	}
	for _, t := range res.Totals {
		c := map[string]string{"section": "total", "key": t.Key, "label": t.Label, "from": string(res.Request.From), "to": string(res.Request.To),
			"unit": string(t.Unit), "value": csvNum(t.Value), "count": intp(t.Count), "denominator": intp(t.Denominator),
			"significant": strconv.FormatBool(t.Significant), "p_value": floatp(t.PValue)}
		if t.Previous != nil {
			c["previous"] = csvNum(*t.Previous)
		}
		if t.Unit == reports.UnitRate {
			c["rate"] = csvNum(t.Value)
		}
		row(c)
	}
	for _, s := range res.Series {
		for _, p := range s.Points {
			c := map[string]string{"section": "series:" + s.Key, "key": p.Label, "label": s.Label, "from": string(p.From), "to": string(p.To),
				"unit": string(s.Unit), "value": csvNum(p.Value), "count": intp(p.Count), "denominator": intp(p.Denominator)}
			if s.Unit == reports.UnitRate {
				c["rate"] = csvNum(p.Value)
			}
			row(c)
		}
	}
	for _, b := range res.Breakdowns {
		for _, r := range b.Rows {
			c := map[string]string{"section": "breakdown:" + b.Key, "key": r.Key, "label": r.Label, "from": string(res.Request.From), "to": string(res.Request.To),
				"unit": string(b.Unit), "count": strconv.Itoa(r.Count), "denominator": intp(r.Denominator), "rate": floatp(r.Rate),
				"value": floatp(r.Value), "median_days": floatp(r.MedianDays), "spend_cents": int64p(r.SpendCents),
				"cost_per_booked_cents": int64p(r.CostPerBookedCents), "return_on_spend": floatp(r.ReturnOnSpend),
				"low_sample": strconv.FormatBool(r.LowSample)}
			if c["value"] == "" {
				if b.Unit == reports.UnitRate {
					c["value"] = c["rate"]
				} else {
					c["value"] = c["count"]
				}
			}
			row(c)
		}
	}
	for i, in := range res.Insights {
		row(map[string]string{"section": "insight", "key": strconv.Itoa(i + 1), "label": in.Text, "unit": string(in.Kind)})
	}
	cw.Flush()
	return cw.Error()
}

// num writes a float exactly, as short as it goes (0.25, 1234, 3.0416…).
func csvNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func floatp(f *float64) string {
	if f == nil {
		return ""
	}
	return csvNum(*f)
}

func intp(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func int64p(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

// csvCell defuses spreadsheet formula injection (OWASP "CSV injection") in
// text a person typed (a service or campaign name): a cell starting with
// = + - @ or a tab gets a leading '. A negative number is ours and stays.
func csvCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}
