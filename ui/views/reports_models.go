package views

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/ui/charts"
)

// ReportsPage is /reports: the question box, the request as chips, the
// result, the saved reports, the Monday email switch.
type ReportsPage struct {
	// Question is the text asked in words, if any; Answer what it gave.
	Question string
	Answer   *QuestionView
	Form     ReportForm
	Options  ReportOptions
	// Result is the report the form (or the question) ran; nil before one
	// ran or when it failed (Errors say why, next to the chip at fault).
	Result *reports.Result
	Errors FieldErrors
	// Save is the save form under a result.
	Save SaveForm
	// CanSave, CanExport say which actions to offer.
	CanSave, CanExport bool
	Saved              []SavedRow
	// Weekly is the viewer's Monday email subscription; CanSubscribe says
	// whether they may change it.
	Weekly, CanSubscribe bool
	CanAdSpend           bool
}

// QuestionView is what a question in words gave, besides the result.
type QuestionView struct {
	OK          bool
	Notes       []string
	Suggestions []string
	Engine      string
}

// SaveForm is the form that saves the shown request with a name.
type SaveForm struct {
	Name, Schedule string
	Errors         FieldErrors
}

// SavedRow is a saved report in the list.
type SavedRow struct {
	ID, Name, Kind, Schedule, Description string
	LastRun                               *time.Time
}

// ReportOptions are the choices of the chips.
type ReportOptions struct {
	Kinds, Periods, Comparisons, Dimensions, Schedules, Sources []Option
	// Weekdays (0 = Sunday … 6) and Hours (0–23) to filter by.
	Weekdays, Hours []Option
	// Locations the viewer may choose: ID to name.
	Locations []Option
}

// ReportForm is a report request as the page's query string carries it:
// the chips edit it, the save form and the CSV link repeat it.
type ReportForm struct {
	Kind string
	// Period is a named period, or "" with From and To.
	Period, From, To         string
	Compare                  string
	CompareFrom, CompareTo   string
	Locations                []string
	GroupBy                  []string
	Services, Sources        []string
	Campaigns, Practitioners []string
	Weekdays, Hours          []string
}

// Values is the form as query values (only what is set).
func (f ReportForm) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("kind", f.Kind)
	set("period", f.Period)
	if f.Period == "" {
		set("from", f.From)
		set("to", f.To)
	}
	set("compare", f.Compare)
	if f.Compare == string(reports.CustomComparison) {
		set("compare_from", f.CompareFrom)
		set("compare_to", f.CompareTo)
	}
	for k, list := range map[string][]string{"loc": f.Locations, "by": f.GroupBy, "service": f.Services, "source": f.Sources,
		"campaign": f.Campaigns, "practitioner": f.Practitioners, "weekday": f.Weekdays, "hour": f.Hours} {
		for _, s := range list {
			v.Add(k, s)
		}
	}
	return v
}

// Href is the page of the form's report, with base "/reports" or an export.
func (f ReportForm) Href(base string) string {
	if q := f.Values().Encode(); q != "" {
		return base + "?" + q
	}
	return base
}

// Without is the page without one value of a list chip (removing it
// re-runs the report).
func (f ReportForm) Without(key, value string) string {
	v := f.Values()
	list := v[key]
	v.Del(key)
	for _, s := range list {
		if s != value {
			v.Add(key, s)
		}
	}
	return "/reports?" + v.Encode()
}

// Hidden are the form's values as hidden inputs, except the keys the
// chips' own inputs carry.
func (f ReportForm) Hidden(except ...string) []Hidden {
	v := f.Values()
	keys := make([]string, 0, len(v))
	for k := range v {
		if !slices.Contains(except, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []Hidden
	for _, k := range keys {
		for _, s := range v[k] {
			out = append(out, Hidden{Name: k, Value: s})
		}
	}
	return out
}

// FormFromSpec is the form of a resolved request (a question's, a saved
// report's, a run's): a named period stays named, so a saved "last month"
// moves on. allLocations is how many locations the viewer may read: a
// spec naming all of them asked for none in particular.
func FormFromSpec(s reports.Spec, allLocations int) ReportForm {
	f := ReportForm{Kind: string(s.Kind), Compare: string(s.Comparison)}
	if s.NamedPeriod != nil {
		f.Period = string(*s.NamedPeriod)
	} else {
		f.From, f.To = string(s.From), string(s.To)
	}
	if s.Comparison == reports.CustomComparison && s.CompareFrom != nil && s.CompareTo != nil {
		f.CompareFrom, f.CompareTo = string(*s.CompareFrom), string(*s.CompareTo)
	}
	if len(s.LocationIDs) != allLocations {
		for _, id := range s.LocationIDs {
			f.Locations = append(f.Locations, string(id))
		}
	}
	for _, d := range s.GroupBy {
		f.GroupBy = append(f.GroupBy, string(d))
	}
	fl := s.Filters
	f.Services = append(f.Services, fl.Services...)
	for _, src := range fl.Sources {
		f.Sources = append(f.Sources, string(src))
	}
	f.Campaigns = append(f.Campaigns, fl.Campaigns...)
	for _, id := range fl.PractitionerIDs {
		f.Practitioners = append(f.Practitioners, string(id))
	}
	for _, d := range fl.Weekdays {
		f.Weekdays = append(f.Weekdays, strconv.Itoa(d))
	}
	for _, h := range fl.Hours {
		f.Hours = append(f.Hours, strconv.Itoa(h))
	}
	return f
}

// Chip is one removable part of the request.
type Chip struct {
	// Key is the query key; Value its value; Label what the chip says.
	Key, Value, Label string
}

// Chips are the removable chips of the form: locations, filters.
// (Kind, period, comparison and breakdowns are chips with a select.)
func (f ReportForm) Chips(o ReportOptions) []Chip {
	var out []Chip
	for _, id := range f.Locations {
		out = append(out, Chip{"loc", id, "Location: " + optionLabel(o.Locations, id)})
	}
	for _, s := range f.Services {
		out = append(out, Chip{"service", s, "Service: " + s})
	}
	for _, s := range f.Sources {
		out = append(out, Chip{"source", s, "Source: " + SourceLabel(s)})
	}
	for _, s := range f.Campaigns {
		out = append(out, Chip{"campaign", s, "Campaign: " + s})
	}
	for _, s := range f.Practitioners {
		out = append(out, Chip{"practitioner", s, "Practitioner: " + s})
	}
	for _, s := range f.Weekdays {
		out = append(out, Chip{"weekday", s, "On " + WeekdayLabel(s) + "s"})
	}
	for _, s := range f.Hours {
		out = append(out, Chip{"hour", s, "At " + HourLabel(s)})
	}
	return out
}

func optionLabel(opts []Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// ReportKindLabel names a report.
func ReportKindLabel(k string) string {
	switch reports.Kind(k) {
	case reports.WarmnessTrends:
		return "Warmness trends"
	case reports.NoShows:
		return "No-shows"
	case reports.Funnel:
		return "Conversion funnel"
	case reports.Revenue:
		return "Revenue by source"
	case reports.Stages:
		return "Pipeline stages"
	}
	return enumWords(k)
}

// enumWords writes an enum value in words: LAST_7_DAYS is "Last 7 days".
func enumWords(s string) string {
	s = strings.ToLower(strings.ReplaceAll(s, "_", " "))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ComparisonLabel says what a report is compared with.
func ComparisonLabel(c string) string {
	switch reports.Comparison(c) {
	case reports.PreviousPeriod:
		return "the period before"
	case reports.SamePeriodLastYear:
		return "the same period last year"
	case reports.CustomComparison:
		return "custom dates"
	case reports.NoComparison:
		return "nothing"
	}
	return enumWords(c)
}

// DimensionLabel names a breakdown.
func DimensionLabel(d string) string {
	if d == string(reports.DimLeadTime) {
		return "Booking lead time"
	}
	return enumWords(d)
}

// SourceLabel names a lead source.
func SourceLabel(s string) string { return Humanize(s) }

// WeekdayLabel names a weekday 0 (Sunday) to 6.
func WeekdayLabel(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 6 {
		return s
	}
	return time.Weekday(n).String()
}

// HourLabel writes a local hour 0–23 as "4 pm".
func HourLabel(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 23 {
		return s
	}
	switch {
	case n == 0:
		return "12 am"
	case n < 12:
		return strconv.Itoa(n) + " am"
	case n == 12:
		return "12 pm"
	}
	return strconv.Itoa(n-12) + " pm"
}

// ReportOptionsFor lists the chips' choices.
func ReportOptionsFor(locations []LocationOption) ReportOptions {
	var o ReportOptions
	for _, k := range reports.Kinds {
		o.Kinds = append(o.Kinds, Option{Value: string(k), Label: ReportKindLabel(string(k))})
	}
	for _, p := range reports.NamedPeriods {
		o.Periods = append(o.Periods, Option{Value: string(p), Label: enumWords(string(p))})
	}
	for _, c := range reports.Comparisons {
		o.Comparisons = append(o.Comparisons, Option{Value: string(c), Label: "Compared with " + ComparisonLabel(string(c))})
	}
	for _, d := range reports.Dimensions {
		o.Dimensions = append(o.Dimensions, Option{Value: string(d), Label: DimensionLabel(string(d))})
	}
	for _, s := range reports.Schedules {
		label := enumWords(string(s))
		if s == reports.Never {
			label = "Only when run"
		}
		o.Schedules = append(o.Schedules, Option{Value: string(s), Label: label})
	}
	for _, l := range locations {
		o.Locations = append(o.Locations, Option{Value: l.ID, Label: l.Name})
	}
	for _, s := range schema.LeadSources {
		o.Sources = append(o.Sources, Option{Value: s, Label: SourceLabel(s)})
	}
	// Monday first, as the weeks run.
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		o.Weekdays = append(o.Weekdays, Option{Value: strconv.Itoa(d), Label: WeekdayLabel(strconv.Itoa(d))})
	}
	for h := range 24 {
		o.Hours = append(o.Hours, Option{Value: strconv.Itoa(h), Label: HourLabel(strconv.Itoa(h))})
	}
	return o
}

// FormatUnit writes a figure in its unit.
func FormatUnit(u reports.Unit, v float64) string {
	return formatter(u)(v)
}

func formatter(u reports.Unit) func(float64) string {
	switch u {
	case reports.UnitRate:
		return charts.Percent
	case reports.UnitCents:
		return charts.Money
	case reports.UnitDays:
		return charts.Days
	case reports.UnitRatio:
		return charts.Ratio
	}
	return charts.Count
}

// TotalView is one figure of the period with its change.
type TotalView struct {
	Key, Label, Value string
	// Previous is the comparison period's figure, "" without one.
	Previous string
	// Change is the move from Previous ("+4.2 pts", "−12%"); Better says
	// whether it is good news, Worse bad (neither when flat).
	Change        string
	Better, Worse bool
	// OutOf is "12 of 80" behind a rate.
	OutOf string
	// Significance says whether a rate's change is more than chance.
	Significance string
}

// Totals are a result's totals, formatted.
func Totals(r *reports.Result) []TotalView {
	out := make([]TotalView, 0, len(r.Totals))
	for _, t := range r.Totals {
		v := TotalView{Key: t.Key, Label: t.Label, Value: FormatUnit(t.Unit, t.Value)}
		if t.Count != nil && t.Denominator != nil {
			v.OutOf = fmt.Sprintf("%s of %s", charts.Count(float64(*t.Count)), charts.Count(float64(*t.Denominator)))
		}
		if t.Previous != nil {
			p := *t.Previous
			v.Previous = FormatUnit(t.Unit, p)
			d := t.Value - p
			switch {
			case t.Unit == reports.UnitRate:
				v.Change = signedChange(d*100, 1) + " pts"
			case p != 0:
				v.Change = signedChange(d/math.Abs(p)*100, 0) + "%"
			case d != 0:
				v.Change = "new"
			}
			up, down := d > 0, d < 0
			if t.LowerIsBetter {
				up, down = down, up
			}
			v.Better, v.Worse = up, down
			if t.Unit == reports.UnitRate {
				switch {
				case t.Significant:
					v.Significance = "a real change (p < 0.05)"
				case t.PValue != nil:
					v.Significance = fmt.Sprintf("could be chance (p = %.2f)", *t.PValue)
				}
			}
		}
		out = append(out, v)
	}
	return out
}

// signedChange writes a change with its sign and the given decimals; a change
// that rounds to zero is "0".
func signedChange(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if z, _ := strconv.ParseFloat(s, 64); z == 0 {
		return "0"
	}
	if v > 0 {
		return "+" + s
	}
	return "−" + strings.TrimPrefix(s, "-")
}

// ResultCharts are a result's charts: its series as lines (those in one
// unit over the same buckets share a chart) and each breakdown as bars, or
// as a funnel for the conversion steps. Each carries its data table.
func ResultCharts(r *reports.Result) []charts.Chart {
	var out []charts.Chart
	// Series: group by unit and buckets.
	type group struct {
		unit   reports.Unit
		labels []string
		series []reports.Series
	}
	var groups []*group
	for _, s := range r.Series {
		labels := make([]string, len(s.Points))
		for i, p := range s.Points {
			labels[i] = p.Label
		}
		var g *group
		for _, c := range groups {
			if c.unit == s.Unit && slices.Equal(c.labels, labels) {
				g = c
			}
		}
		if g == nil {
			g = &group{unit: s.Unit, labels: labels}
			groups = append(groups, g)
		}
		g.series = append(g.series, s)
	}
	for _, g := range groups {
		c := charts.Chart{Kind: charts.Lines, ID: "series-" + chartID(g.series[0].Key), LabelHeader: "Period",
			Labels: g.labels, Format: formatter(g.unit)}
		var names []string
		for _, s := range g.series {
			vals := make([]float64, len(s.Points))
			for i, p := range s.Points {
				vals[i] = p.Value
			}
			c.Series = append(c.Series, charts.Series{Name: s.Label, Values: vals})
			names = append(names, s.Label)
		}
		c.Title = strings.Join(names, ", ")
		if len(g.series) == 1 {
			c.Columns = pointColumns(g.series[0])
		}
		if len(g.labels) == 1 {
			// One bucket makes no line: draw it as a bar.
			c.Kind = charts.Bars
		}
		out = append(out, c)
	}
	for _, b := range r.Breakdowns {
		out = append(out, breakdownChart(r.Kind, b))
	}
	return out
}

// pointColumns are the counts behind a series of rates.
func pointColumns(s reports.Series) []charts.Column {
	col := charts.Column{Name: "Out of"}
	any := false
	for _, p := range s.Points {
		cell := ""
		if p.Count != nil && p.Denominator != nil {
			cell, any = fmt.Sprintf("%d of %d", *p.Count, *p.Denominator), true
		}
		col.Cells = append(col.Cells, cell)
	}
	if !any {
		return nil
	}
	return []charts.Column{col}
}

// breakdownChart draws a breakdown: rates as bars with their counts (a
// rate out of a few is faint), money with its spend and return, the
// conversion steps as a funnel.
func breakdownChart(kind reports.Kind, b reports.Breakdown) charts.Chart {
	head := "Value"
	if b.Dimension != nil {
		head = DimensionLabel(string(*b.Dimension))
	}
	c := charts.Chart{Kind: charts.Bars, ID: "breakdown-" + chartID(b.Key), Title: b.Label, LabelHeader: head, Format: formatter(b.Unit)}
	vals := make([]float64, len(b.Rows))
	var outOf, median, spend, cpb, ros charts.Column
	outOf.Name, median.Name = "Out of", "Median days"
	spend.Name, cpb.Name, ros.Name = "Ad spend", "Cost per booked patient", "Return on spend"
	has := map[string]bool{}
	for i, row := range b.Rows {
		c.Labels = append(c.Labels, row.Label)
		c.Muted = append(c.Muted, row.LowSample)
		switch {
		case b.Unit == reports.UnitRate && row.Rate != nil:
			vals[i] = *row.Rate
		case b.Unit == reports.UnitRate:
			vals[i] = math.NaN()
		case row.Value != nil:
			vals[i] = *row.Value
		case b.Unit == reports.UnitDays && row.MedianDays != nil:
			vals[i] = *row.MedianDays
		default:
			vals[i] = float64(row.Count)
		}
		cell := func(col *charts.Column, key string, ok bool, s string) {
			if ok {
				has[key] = true
			} else {
				s = ""
			}
			col.Cells = append(col.Cells, s)
		}
		if row.Denominator != nil {
			cell(&outOf, "outOf", true, fmt.Sprintf("%d of %d", row.Count, *row.Denominator))
		} else {
			cell(&outOf, "outOf", b.Unit != reports.UnitCount, charts.Count(float64(row.Count)))
		}
		cell(&median, "median", row.MedianDays != nil && b.Unit != reports.UnitDays, days(row.MedianDays))
		cell(&spend, "spend", row.SpendCents != nil, money(row.SpendCents))
		cell(&cpb, "cpb", row.CostPerBookedCents != nil, money(row.CostPerBookedCents))
		ratio := ""
		if row.ReturnOnSpend != nil {
			ratio = charts.Ratio(*row.ReturnOnSpend)
		}
		cell(&ros, "ros", row.ReturnOnSpend != nil, ratio)
	}
	if b.Unit != reports.UnitRate {
		outOf.Name = "Count"
	}
	c.Series = []charts.Series{{Name: unitName(b.Unit, b.Label), Values: vals}}
	if kind == reports.Funnel && (b.Key == "funnel" || strings.HasPrefix(b.Key, "funnel:")) && b.Unit == reports.UnitCount {
		c.Kind = charts.Funnel
		for _, row := range b.Rows {
			note := ""
			if row.MedianDays != nil {
				note = "median " + charts.Days(*row.MedianDays) + " from the step before"
			}
			c.Notes = append(c.Notes, note)
		}
		has["median"] = false
	}
	for _, col := range []struct {
		key string
		c   charts.Column
	}{{"outOf", outOf}, {"median", median}, {"spend", spend}, {"cpb", cpb}, {"ros", ros}} {
		if has[col.key] {
			c.Columns = append(c.Columns, col.c)
		}
	}
	return c
}

func unitName(u reports.Unit, label string) string {
	switch u {
	case reports.UnitRate:
		return "Rate"
	case reports.UnitCents:
		return "Amount"
	case reports.UnitDays:
		return "Days"
	case reports.UnitRatio:
		return "Times"
	}
	if label != "" {
		return label
	}
	return "Count"
}

func days(v *float64) string {
	if v == nil {
		return ""
	}
	return charts.Days(*v)
}

func money(c *int64) string {
	if c == nil {
		return ""
	}
	return charts.Money(float64(*c))
}

// chartID makes a key safe as an element id.
func chartID(key string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Period writes a result's period: "1 Jan – 31 Mar 2026".
func Period(s reports.Spec) string {
	from, to := s.From.Time(), s.To.Time()
	if from.Year() == to.Year() {
		return from.Format("2 Jan") + " – " + to.Format("2 Jan 2006")
	}
	return from.Format("2 Jan 2006") + " – " + to.Format("2 Jan 2006")
}

// DateRange writes the form's dates as a period, or as typed when they
// are not dates.
func DateRange(from, to string) string {
	f, ferr := types.ParseDate(from)
	t, terr := types.ParseDate(to)
	if ferr != nil || terr != nil {
		return from + " to " + to
	}
	return Period(reports.Spec{From: f, To: t})
}

// ComparedWith writes the comparison period, "" without one.
func ComparedWith(s reports.Spec) string {
	if s.Comparison == reports.NoComparison || s.CompareFrom == nil || s.CompareTo == nil {
		return ""
	}
	return Period(reports.Spec{From: *s.CompareFrom, To: *s.CompareTo})
}

// RunView is a stored run shown as it was.
type RunView struct {
	ID, ReportID, ReportName, Trigger string
	RanAt                             time.Time
	RanBy                             string
	Result                            *reports.Result
}

// SavedPage is a saved report: what it asks, its runs.
type SavedPage struct {
	Saved                SavedRow
	Form                 ReportForm
	Runs                 []RunView
	CanRun, CanManage    bool
	CanExport            bool
	PeriodNow, Described string
}

// AdSpendPage is the ad spend table: sources × months.
type AdSpendPage struct {
	Months  []string // YYYY-MM
	Sources []Option
	// Cells are the dollars entered, by source and month ("" when none).
	Cells   map[string]map[string]string
	Errors  FieldErrors
	Prev    string
	Next    string
	CanEdit bool
}

// SpendCell is the name of a cell's input.
func SpendCell(source, month string) string { return "spend." + source + "." + month }

// MonthLabel writes YYYY-MM as "Mar 2026".
func MonthLabel(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.Format("Jan 2006")
}

func queryEscape(s string) string { return url.QueryEscape(s) }
