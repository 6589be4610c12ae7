// Package reports computes the clinic's reports (issue 18): warmness
// trends, no-shows, the conversion funnel, revenue by source and pipeline
// stages. A typed Request becomes a typed Result by SQL aggregates that run
// the same on SQLite and PostgreSQL, bucketed by boundaries computed in Go
// in each location's zone; insights are facts computed here, worded by
// internal/ai. Saved reports and their immutable runs, ad spend and the
// Monday summary email live here too. docs/REPORTS.md defines each figure.
package reports

import (
	"time"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
)

// Kind is a report (the GraphQL enum ReportKind).
type Kind string

// The reports.
const (
	WarmnessTrends Kind = "WARMNESS_TRENDS"
	NoShows        Kind = "NO_SHOWS"
	Funnel         Kind = "FUNNEL"
	Revenue        Kind = "REVENUE"
	Stages         Kind = "STAGES"
)

// Kinds lists the reports.
var Kinds = []Kind{WarmnessTrends, NoShows, Funnel, Revenue, Stages}

// NamedPeriod is a period named in words, resolved against today in the
// location's zone when the report runs (a saved "last month" stays last
// month).
type NamedPeriod string

// The named periods. Weeks start on Monday; quarters are calendar
// quarters; the financial year starts on 1 July (Australia).
const (
	LastWeek          NamedPeriod = "LAST_WEEK"
	ThisWeek          NamedPeriod = "THIS_WEEK"
	ThisMonth         NamedPeriod = "THIS_MONTH"
	LastMonth         NamedPeriod = "LAST_MONTH"
	ThisQuarter       NamedPeriod = "THIS_QUARTER"
	LastQuarter       NamedPeriod = "LAST_QUARTER"
	ThisYear          NamedPeriod = "THIS_YEAR"
	LastYear          NamedPeriod = "LAST_YEAR"
	ThisFinancialYear NamedPeriod = "THIS_FINANCIAL_YEAR"
	LastFinancialYear NamedPeriod = "LAST_FINANCIAL_YEAR"
	Last7Days         NamedPeriod = "LAST_7_DAYS"
	Last30Days        NamedPeriod = "LAST_30_DAYS"
	Last90Days        NamedPeriod = "LAST_90_DAYS"
	Last12Months      NamedPeriod = "LAST_12_MONTHS"
	YearToDate        NamedPeriod = "YEAR_TO_DATE"
)

// NamedPeriods lists the named periods.
var NamedPeriods = []NamedPeriod{LastWeek, ThisWeek, ThisMonth, LastMonth, ThisQuarter, LastQuarter, ThisYear, LastYear,
	ThisFinancialYear, LastFinancialYear, Last7Days, Last30Days, Last90Days, Last12Months, YearToDate}

// Comparison says which period a report compares with.
type Comparison string

// The comparisons.
const (
	PreviousPeriod     Comparison = "PREVIOUS_PERIOD"
	SamePeriodLastYear Comparison = "SAME_PERIOD_LAST_YEAR"
	CustomComparison   Comparison = "CUSTOM"
	NoComparison       Comparison = "NONE"
)

// Comparisons lists the comparisons.
var Comparisons = []Comparison{PreviousPeriod, SamePeriodLastYear, CustomComparison, NoComparison}

// Dimension is what a report can be broken down or filtered by.
type Dimension string

// The dimensions.
const (
	DimLocation     Dimension = "LOCATION"
	DimService      Dimension = "SERVICE"
	DimModality     Dimension = "MODALITY"
	DimSource       Dimension = "SOURCE"
	DimCampaign     Dimension = "CAMPAIGN"
	DimWeekday      Dimension = "WEEKDAY"
	DimHour         Dimension = "HOUR"
	DimPractitioner Dimension = "PRACTITIONER"
	DimMonth        Dimension = "MONTH"
	DimWeek         Dimension = "WEEK"
	DimStage        Dimension = "STAGE"
	DimLeadTime     Dimension = "LEAD_TIME"
	DimReminder     Dimension = "REMINDER"
	DimBand         Dimension = "BAND"
)

// Dimensions lists the dimensions.
var Dimensions = []Dimension{DimLocation, DimService, DimModality, DimSource, DimCampaign, DimWeekday, DimHour,
	DimPractitioner, DimMonth, DimWeek, DimStage, DimLeadTime, DimReminder, DimBand}

// Unit is the unit of a figure.
type Unit string

// The units.
const (
	// UnitCount is a number of things.
	UnitCount Unit = "COUNT"
	// UnitRate is a fraction from 0 to 1 (0.25 is 25%).
	UnitRate Unit = "RATE"
	// UnitCents is money in the location's currency, in cents.
	UnitCents Unit = "CENTS"
	// UnitDays is a duration in days.
	UnitDays Unit = "DAYS"
	// UnitRatio is a multiple (2.5 is 2.5 times).
	UnitRatio Unit = "RATIO"
)

// Units lists the units.
var Units = []Unit{UnitCount, UnitRate, UnitCents, UnitDays, UnitRatio}

// InsightKind is what an insight sentence is.
type InsightKind string

// The insight kinds.
const (
	// Finding says what happened.
	Finding InsightKind = "FINDING"
	// Recommendation says what to do.
	Recommendation InsightKind = "RECOMMENDATION"
	// Anomaly says what looks wrong: a significant change for the worse,
	// an outlier.
	Anomaly InsightKind = "ANOMALY"
)

// InsightKinds lists the insight kinds.
var InsightKinds = []InsightKind{Finding, Recommendation, Anomaly}

// Schedule is how often a saved report runs by itself.
type Schedule string

// The schedules (stored lower-case in ent).
const (
	Never   Schedule = "NONE"
	Daily   Schedule = "DAILY"
	Weekly  Schedule = "WEEKLY"
	Monthly Schedule = "MONTHLY"
)

// Schedules lists the schedules.
var Schedules = []Schedule{Never, Daily, Weekly, Monthly}

// Request is a report to run (GraphQL input ReportRequest). The period is
// From–To (both days included, in the location's zone) or NamedPeriod;
// the comparison defaults to the previous period of the same length.
type Request struct {
	Kind        Kind         `json:"kind"`
	From        *types.Date  `json:"from,omitempty"`
	To          *types.Date  `json:"to,omitempty"`
	NamedPeriod *NamedPeriod `json:"namedPeriod,omitempty"`
	Comparison  *Comparison  `json:"comparison,omitempty"`
	// CompareFrom and CompareTo give a CUSTOM comparison period.
	CompareFrom *types.Date `json:"compareFrom,omitempty"`
	CompareTo   *types.Date `json:"compareTo,omitempty"`
	// LocationIDs are the locations to report on; empty means every
	// location the viewer may read reports of. A location the viewer may
	// not see is FORBIDDEN.
	LocationIDs []pulid.ID `json:"locationIDs,omitempty"`
	// GroupBy are the breakdowns wanted first; the report adds its
	// standard ones after them.
	GroupBy []Dimension `json:"groupBy,omitempty"`
	Filters *Filters    `json:"filters,omitempty"`
}

// Filters restrict the rows a report counts. Empty lists do not filter.
type Filters struct {
	// Services are service names (the same name at every location).
	Services        []string             `json:"services,omitempty"`
	Sources         []contact.LeadSource `json:"sources,omitempty"`
	Campaigns       []string             `json:"campaigns,omitempty"`
	PractitionerIDs []pulid.ID           `json:"practitionerIDs,omitempty"`
	// Weekdays are 0 (Sunday) to 6 (Saturday), in the location's zone.
	Weekdays []int `json:"weekdays,omitempty"`
	// Hours are 0 to 23, the local hour an appointment starts in.
	Hours []int `json:"hours,omitempty"`
}

// Spec is a request with everything resolved: dates, comparison,
// locations (GraphQL ReportSpec). A run stores it, so it reads the same
// later.
type Spec struct {
	Kind        Kind         `json:"kind"`
	From        types.Date   `json:"from"`
	To          types.Date   `json:"to"`
	NamedPeriod *NamedPeriod `json:"namedPeriod,omitempty"`
	Comparison  Comparison   `json:"comparison"`
	CompareFrom *types.Date  `json:"compareFrom,omitempty"`
	CompareTo   *types.Date  `json:"compareTo,omitempty"`
	LocationIDs []pulid.ID   `json:"locationIDs"`
	GroupBy     []Dimension  `json:"groupBy"`
	Filters     Filters      `json:"filters"`
	// Description says the request in words, as the chips show it.
	Description string `json:"description"`
}

// Result is a report's figures (GraphQL ReportResult).
type Result struct {
	Kind Kind `json:"kind"`
	// Request is the request as run: dates, comparison and locations
	// resolved.
	Request     Spec      `json:"request"`
	GeneratedAt time.Time `json:"generatedAt"`
	// Currency of the CENTS figures (the locations' currency).
	Currency string `json:"currency"`
	// Zone is the time zone the days, weeks and hours are in.
	Zone       string      `json:"zone"`
	Totals     []Total     `json:"totals"`
	Series     []Series    `json:"series"`
	Breakdowns []Breakdown `json:"breakdowns"`
	Insights   []Insight   `json:"insights"`
	// InsightsEngine is the engine that worded the insights.
	InsightsEngine string `json:"insightsEngine"`
}

// Total is a figure for the whole period, compared with the comparison
// period.
type Total struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Unit  Unit    `json:"unit"`
	Value float64 `json:"value"`
	// Previous is the comparison period's value; nil without one.
	Previous *float64 `json:"previous,omitempty"`
	// Count and Denominator are the counts behind a rate.
	Count       *int `json:"count,omitempty"`
	Denominator *int `json:"denominator,omitempty"`
	// Significant says a rate's change passed the two-proportion z-test
	// at the 5% level (always false for other units).
	Significant bool `json:"significant"`
	// PValue is the z-test's two-sided p-value, for a rate.
	PValue *float64 `json:"pValue,omitempty"`
	// LowerIsBetter marks figures where a rise is bad.
	LowerIsBetter bool `json:"lowerIsBetter"`
}

// Series is a figure over time (a line or bars per week or month).
type Series struct {
	Key    string  `json:"key"`
	Label  string  `json:"label"`
	Unit   Unit    `json:"unit"`
	Points []Point `json:"points"`
}

// Point is one bucket of a series: the days From–To, both included.
type Point struct {
	Label       string     `json:"label"`
	From        types.Date `json:"from"`
	To          types.Date `json:"to"`
	Value       float64    `json:"value"`
	Count       *int       `json:"count,omitempty"`
	Denominator *int       `json:"denominator,omitempty"`
}

// Breakdown is a figure per value of a dimension (a bar chart and its
// table).
type Breakdown struct {
	// Key names the breakdown (usually the dimension, lower-case:
	// "weekday"; "movement", "funnel:meta_ads" …).
	Key       string     `json:"key"`
	Dimension *Dimension `json:"dimension,omitempty"`
	Label     string     `json:"label"`
	// Unit is the unit of the rows' Value (Rate is always a fraction).
	Unit Unit  `json:"unit"`
	Rows []Row `json:"rows"`
}

// Row is one value of a breakdown.
type Row struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Count is what was counted (no-shows, conversions, bookings …).
	Count int `json:"count"`
	// Denominator is what Count is out of; Rate is Count/Denominator.
	Denominator *int     `json:"denominator,omitempty"`
	Rate        *float64 `json:"rate,omitempty"`
	// Value is the row's figure in the breakdown's unit when it is not a
	// rate (revenue in cents, days).
	Value *float64 `json:"value,omitempty"`
	// MedianDays is the median time of the row's step or stage.
	MedianDays *float64 `json:"medianDays,omitempty"`
	// SpendCents, CostPerBookedCents and ReturnOnSpend are the revenue
	// report's figures with ad spend entered.
	SpendCents         *int64   `json:"spendCents,omitempty"`
	CostPerBookedCents *int64   `json:"costPerBookedCents,omitempty"`
	ReturnOnSpend      *float64 `json:"returnOnSpend,omitempty"`
	// LowSample marks a rate out of fewer than MinSample, which the
	// charts grey out and insights never cite.
	LowSample bool `json:"lowSample"`
}

// MinSample is the smallest denominator a rate is shown as meaningful
// for: 1 of 2 is not 50% of anything much.
const MinSample = 10

// Insight is one sentence about a result.
type Insight struct {
	Kind InsightKind `json:"kind"`
	Text string      `json:"text"`
}

// Saved is a saved report (GraphQL SavedReport).
type Saved struct {
	ID       pulid.ID `json:"id"`
	Name     string   `json:"name"`
	Kind     Kind     `json:"kind"`
	Schedule Schedule `json:"schedule"`
	// Stored is the request as saved (a named period stays named).
	Stored Request `json:"stored"`
	// Request is the stored request resolved as of now (named periods to
	// dates).
	Request     Spec       `json:"request"`
	CreatedByID *pulid.ID  `json:"createdByID,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	LastRunAt   *time.Time `json:"lastRunAt,omitempty"`
}

// Run is one stored run of a report (GraphQL ReportRun).
type Run struct {
	ID       pulid.ID  `json:"id"`
	ReportID *pulid.ID `json:"reportID,omitempty"`
	Kind     Kind      `json:"kind"`
	// Trigger is "manual" or "schedule".
	Trigger string    `json:"trigger"`
	RanAt   time.Time `json:"ranAt"`
	RanByID *pulid.ID `json:"ranByID,omitempty"`
	Result  Result    `json:"result"`
}

// AdSpend is what one location spent on one source in one month.
type AdSpend struct {
	LocationID pulid.ID           `json:"locationID"`
	Source     contact.LeadSource `json:"source"`
	Month      string             `json:"month"`
	Cents      int64              `json:"cents"`
}

// SaveInput saves a report (a new one, or ID's).
type SaveInput struct {
	ID       *pulid.ID `json:"id,omitempty"`
	Name     string    `json:"name"`
	Request  Request   `json:"request"`
	Schedule *Schedule `json:"schedule,omitempty"`
}

// QueryAnswer is what a question in words gives: the request read from
// it, its result, or suggestions (GraphQL ReportQueryResult).
type QueryAnswer struct {
	OK      bool    `json:"ok"`
	Text    string  `json:"text"`
	Request *Spec   `json:"request,omitempty"`
	Result  *Result `json:"result,omitempty"`
	// Notes say what was assumed or left out.
	Notes       []string `json:"notes"`
	Suggestions []string `json:"suggestions"`
	// Engine is the engine that read the question (builtin or a model).
	Engine string `json:"engine"`
}
