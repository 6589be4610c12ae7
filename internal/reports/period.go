package reports

import (
	"fmt"
	"slices"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/ai/reportquery"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// MaxPeriodDays bounds a report's period (three years).
const MaxPeriodDays = 3 * 366

// namedWords are the words the question parser reads each named period
// from: a named period means exactly what the same words typed in the
// question box mean.
var namedWords = map[NamedPeriod]string{
	LastWeek: "last week", ThisWeek: "this week", ThisMonth: "this month", LastMonth: "last month",
	ThisQuarter: "this quarter", LastQuarter: "last quarter", ThisYear: "this year", LastYear: "last year",
	ThisFinancialYear: "this financial year", LastFinancialYear: "last financial year",
	Last7Days: "last 7 days", Last30Days: "last 30 days", Last90Days: "last 90 days",
	Last12Months: "last 12 months", YearToDate: "year to date",
}

// day is a date at midnight in zone.
func day(d types.Date, zone *time.Location) (time.Time, error) {
	return time.ParseInLocation(types.DateLayout, string(d), zone)
}

func dateOf(t time.Time) types.Date { return types.Date(t.Format(types.DateLayout)) }

// resolve fixes a request's dates against now in zone: the period, the
// comparison period and the spec's lists (never nil).
func resolve(req Request, now time.Time, zone *time.Location) (Spec, error) {
	if !slices.Contains(Kinds, req.Kind) {
		return Spec{}, apperr.Invalidf("kind", "unknown report %q", req.Kind)
	}
	sp := Spec{Kind: req.Kind, NamedPeriod: req.NamedPeriod, LocationIDs: req.LocationIDs, GroupBy: req.GroupBy}
	if req.Filters != nil {
		sp.Filters = *req.Filters
	}
	var from, to time.Time
	var prev *reportquery.Period
	switch {
	case req.NamedPeriod != nil:
		if req.From != nil || req.To != nil {
			return Spec{}, apperr.Invalidf("namedPeriod", "give a named period or from and to, not both")
		}
		words, ok := namedWords[*req.NamedPeriod]
		if !ok {
			return Spec{}, apperr.Invalidf("namedPeriod", "unknown period %q", *req.NamedPeriod)
		}
		res := reportquery.Parse("no shows "+words, now, zone, reportquery.Static{KindSpecs: reportquery.DefaultKinds(), SourceNames: reportquery.DefaultSources})
		if !res.OK {
			return Spec{}, apperr.Invalidf("namedPeriod", "cannot read %q", words)
		}
		var err error
		if from, err = day(types.Date(res.Request.Period.From), zone); err != nil {
			return Spec{}, err
		}
		if to, err = day(types.Date(res.Request.Period.To), zone); err != nil {
			return Spec{}, err
		}
		prev = res.Request.Compare
	case req.From != nil && req.To != nil:
		var err error
		if from, err = day(*req.From, zone); err != nil {
			return Spec{}, apperr.Invalidf("from", "want a date YYYY-MM-DD")
		}
		if to, err = day(*req.To, zone); err != nil {
			return Spec{}, apperr.Invalidf("to", "want a date YYYY-MM-DD")
		}
	default:
		return Spec{}, apperr.Invalidf("from", "give from and to, or a named period")
	}
	if to.Before(from) {
		return Spec{}, apperr.Invalidf("to", "the period ends before it starts")
	}
	if days(from, to) > MaxPeriodDays {
		return Spec{}, apperr.Invalidf("to", "a report covers at most %d days", MaxPeriodDays)
	}
	sp.From, sp.To = dateOf(from), dateOf(to)
	sp.Comparison = PreviousPeriod
	if req.Comparison != nil {
		sp.Comparison = *req.Comparison
	}
	switch sp.Comparison {
	case PreviousPeriod:
		if prev != nil {
			f, t := types.Date(prev.From), types.Date(prev.To)
			sp.CompareFrom, sp.CompareTo = &f, &t
		} else {
			n := days(from, to)
			f, t := dateOf(from.AddDate(0, 0, -n)), dateOf(from.AddDate(0, 0, -1))
			sp.CompareFrom, sp.CompareTo = &f, &t
		}
	case SamePeriodLastYear:
		f, t := dateOf(from.AddDate(-1, 0, 0)), dateOf(to.AddDate(-1, 0, 0))
		sp.CompareFrom, sp.CompareTo = &f, &t
	case CustomComparison:
		if req.CompareFrom == nil || req.CompareTo == nil {
			return Spec{}, apperr.Invalidf("compareFrom", "a custom comparison needs compareFrom and compareTo")
		}
		cf, err1 := day(*req.CompareFrom, zone)
		ct, err2 := day(*req.CompareTo, zone)
		if err1 != nil || err2 != nil || ct.Before(cf) || days(cf, ct) > MaxPeriodDays {
			return Spec{}, apperr.Invalidf("compareTo", "the comparison period is not a valid range of dates")
		}
		sp.CompareFrom, sp.CompareTo = req.CompareFrom, req.CompareTo
	case NoComparison:
	default:
		return Spec{}, apperr.Invalidf("comparison", "unknown comparison %q", sp.Comparison)
	}
	for _, h := range sp.Filters.Hours {
		if h < 0 || h > 23 {
			return Spec{}, apperr.Invalidf("filters.hours", "an hour is 0 to 23, not %d", h)
		}
	}
	for _, d := range sp.Filters.Weekdays {
		if d < 0 || d > 6 {
			return Spec{}, apperr.Invalidf("filters.weekdays", "a weekday is 0 (Sunday) to 6 (Saturday), not %d", d)
		}
	}
	for _, src := range sp.Filters.Sources {
		if err := contact.LeadSourceValidator(src); err != nil {
			return Spec{}, apperr.Invalidf("filters.sources", "unknown lead source %q", src)
		}
	}
	if sp.GroupBy == nil {
		sp.GroupBy = []Dimension{}
	}
	sp.lists()
	return sp, nil
}

// days is the number of days from–to, both included.
func days(from, to time.Time) int {
	// Calendar days, not 24-hour spans: a DST day has 23 or 25 hours.
	f := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	t := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	return int(t.Sub(f).Hours()/24) + 1
}

// span is a period's instants in a zone: [start, end), local midnights.
type span struct {
	from, to   types.Date
	start, end time.Time
}

func spanOf(from, to types.Date, zone *time.Location) span {
	f, _ := day(from, zone)
	t, _ := day(to, zone)
	return span{from: from, to: to, start: f.UTC(), end: t.AddDate(0, 0, 1).UTC()}
}

// bucketing is how a series is cut: weeks (Monday to Sunday) for periods
// of up to 16 weeks, months otherwise.
type bucketing struct {
	starts []time.Time // local midnights, UTC
	labels []string
	froms  []types.Date
	tos    []types.Date
}

func bucketsOf(from, to types.Date, zone *time.Location) bucketing {
	f, _ := day(from, zone)
	t, _ := day(to, zone)
	var b bucketing
	add := func(s, e time.Time, label string) {
		if s.Before(f) {
			s = f
		}
		if e.After(t) {
			e = t
		}
		b.starts = append(b.starts, s.UTC())
		b.froms = append(b.froms, dateOf(s))
		b.tos = append(b.tos, dateOf(e))
		b.labels = append(b.labels, label)
	}
	if days(f, t) <= 16*7 {
		// Weeks start on Monday; AddDate keeps local midnight across DST.
		ws := f.AddDate(0, 0, -((int(f.Weekday()) + 6) % 7))
		for ; !ws.After(t); ws = ws.AddDate(0, 0, 7) {
			add(ws, ws.AddDate(0, 0, 6), "Week of "+ws.Format("2 Jan"))
		}
		return b
	}
	ms := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, zone)
	for ; !ms.After(t); ms = ms.AddDate(0, 1, 0) {
		add(ms, ms.AddDate(0, 1, -1), ms.Format("Jan 2006"))
	}
	return b
}

// weekdayNames are the weekdays, Sunday first (time.Weekday order).
var weekdayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func hourLabel(h int) string {
	switch {
	case h == 0:
		return "12 am"
	case h < 12:
		return fmt.Sprintf("%d am", h)
	case h == 12:
		return "12 pm"
	}
	return fmt.Sprintf("%d pm", h-12)
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// lists makes the spec's lists empty rather than nil: they are never
// null in the API (ReportSpec, ReportFilterSpec), also when read back from
// a stored run's JSON.
func (sp *Spec) lists() {
	sp.GroupBy = orEmpty(sp.GroupBy)
	sp.LocationIDs = orEmpty(sp.LocationIDs)
	f := &sp.Filters
	f.Services = orEmpty(f.Services)
	f.Sources = orEmpty(f.Sources)
	f.Campaigns = orEmpty(f.Campaigns)
	f.PractitionerIDs = orEmpty(f.PractitionerIDs)
	f.Weekdays = orEmpty(f.Weekdays)
	f.Hours = orEmpty(f.Hours)
}
