package ai

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai/reportquery"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Report query types, from internal/ai/reportquery.
type (
	// ReportCatalogue is what the caller's reports support: kinds with
	// their dimensions, the viewer's locations, services and sources.
	ReportCatalogue = reportquery.Catalogue
	// ReportRequest is a structured report request.
	ReportRequest = reportquery.Request
	// ReportPeriod is a span of days, both ends included.
	ReportPeriod = reportquery.Period
	// ReportFilter restricts a report to some values of a dimension.
	ReportFilter = reportquery.Filter
)

// MaxQueryLength bounds a report question.
const MaxQueryLength = 500

// ReportQueryInput is a question about the clinic's numbers.
type ReportQueryInput struct {
	LocationID string
	Text       string
	// Now is when it was asked; zero means the AI's clock.
	Now time.Time
	// Zone is the clinic's time zone; nil means Options.Zone.
	Zone      *time.Location
	Catalogue ReportCatalogue
}

// ReportQuery is what a question asks for.
type ReportQuery struct {
	Answer
	// Request is the report to run, validated against the catalogue; nil
	// when the text named no report.
	Request *ReportRequest `json:"request"`
	OK      bool           `json:"ok"`
	// Notes say what was assumed or left out.
	Notes []string `json:"notes,omitempty"`
	// Suggestions are questions the catalogue can answer, when the text
	// named no report.
	Suggestions []string `json:"suggestions,omitempty"`
}

// ParseReportQuery implements Service. It answers INVALID without a
// catalogue or for a question longer than MaxQueryLength; text it cannot
// read is not an error but a ReportQuery with suggestions.
func (a *AI) ParseReportQuery(ctx context.Context, in ReportQueryInput) (ReportQuery, error) {
	if in.Catalogue == nil {
		return ReportQuery{}, apperr.Invalidf("catalogue", "a report catalogue is required")
	}
	if len(in.Text) > MaxQueryLength {
		return ReportQuery{}, apperr.Invalidf("text", "the question is %d bytes; at most %d", len(in.Text), MaxQueryLength)
	}
	now := a.nowOr(in.Now)
	zone := in.Zone
	if zone == nil {
		zone = a.o.Zone
	}
	res := reportquery.Parse(in.Text, now, zone, in.Catalogue)
	b := ReportQuery{
		Answer:  Answer{Engine: EngineBuiltin, Model: BuiltinModel, Confidence: res.Confidence},
		Request: res.Request, OK: res.OK, Notes: res.Notes, Suggestions: res.Suggestions,
	}
	if res.OK {
		b.Reason = "Read as: " + res.Request.Describe(in.Catalogue)
	} else {
		b.Reason = "No report named; try one of the suggestions"
	}
	sc, err := reportQuerySchema(in.Catalogue)
	if err != nil {
		return ReportQuery{}, err
	}
	return run(ctx, a, request[ReportQuery]{
		uc: UseReportQuery, location: in.LocationID, builtin: b,
		answer: func(r *ReportQuery) *Answer { return &r.Answer },
		final:  strings.TrimSpace(in.Text) == "",
		schema: sc,
		prompt: func() (string, string) { return a.reportQueryPrompt(in, now, zone) },
		accept: func(raw []byte) (ReportQuery, error) { return acceptReportQuery(raw, in, b, now, zone) },
	}), nil
}

// Period presets a model picks from; the dates are computed by the
// built-in parser from the words, never by the model.
var periodPresets = map[string]string{
	"today": "today", "yesterday": "yesterday", "this_week": "this week", "last_week": "last week",
	"this_month": "this month", "last_month": "last month", "this_quarter": "this quarter", "last_quarter": "last quarter",
	"this_year": "this year", "last_year": "last year", "this_financial_year": "this financial year",
	"last_financial_year": "last financial year", "last_7_days": "last 7 days", "last_30_days": "last 30 days",
	"last_90_days": "last 90 days", "last_12_months": "last 12 months", "year_to_date": "year to date",
}

// reportQuerySchema builds the answer schema from the catalogue: kinds,
// dimensions and location ids are enumerations, so a model can only
// name what exists.
func reportQuerySchema(cat ReportCatalogue) (*schema, error) {
	var kinds, dims, locs []string
	for _, k := range cat.Kinds() {
		kinds = append(kinds, k.Kind)
		for _, d := range append(slices.Clone(k.Dimensions), k.Filters...) {
			if !slices.Contains(dims, d) {
				dims = append(dims, d)
			}
		}
	}
	for _, l := range cat.Locations() {
		locs = append(locs, l.ID)
	}
	presets := make([]string, 0, len(periodPresets)+1)
	for p := range periodPresets {
		presets = append(presets, p)
	}
	slices.Sort(presets)
	presets = append(presets, "custom")
	slices.Sort(dims)
	str := func(enum []string) map[string]any {
		if len(enum) == 0 {
			return map[string]any{"type": "string", "maxLength": 0}
		}
		return map[string]any{"type": "string", "enum": enum}
	}
	date := map[string]any{"type": []string{"string", "null"}, "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
	doc := map[string]any{
		"type": "object", "additionalProperties": false,
		"required": []string{"kind", "period", "from", "to", "compare", "locations", "group_by", "filters"},
		"properties": map[string]any{
			"kind":      map[string]any{"type": []string{"string", "null"}, "enum": append(anySlice(kinds), nil)},
			"period":    str(presets),
			"from":      date,
			"to":        date,
			"compare":   str([]string{"previous_period", "same_period_last_year", "none"}),
			"locations": map[string]any{"type": "array", "maxItems": 20, "items": str(locs)},
			"group_by":  map[string]any{"type": "array", "maxItems": 3, "items": str(dims)},
			"filters": map[string]any{"type": "array", "maxItems": 6, "items": map[string]any{
				"type": "object", "additionalProperties": false, "required": []string{"dimension", "op", "values"},
				"properties": map[string]any{
					"dimension": str(dims),
					"op":        str([]string{"in", "gte", "lt"}),
					"values":    map[string]any{"type": "array", "minItems": 1, "maxItems": 24, "items": map[string]any{"type": "string", "maxLength": 120}},
				},
			}},
		},
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return compileSchema(string(UseReportQuery), raw)
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (a *AI) reportQueryPrompt(in ReportQueryInput, now time.Time, zone *time.Location) (string, string) {
	var kinds []map[string]any
	for _, k := range in.Catalogue.Kinds() {
		kinds = append(kinds, map[string]any{"kind": k.Kind, "group_by": k.Dimensions, "filters": k.Filters})
	}
	var locs []map[string]string
	for _, l := range in.Catalogue.Locations() {
		locs = append(locs, map[string]string{"id": l.ID, "code": l.Code, "name": l.Name})
	}
	data := map[string]any{
		"question": a.redactor(now).Redact(in.Text), "today": now.In(zone).Format("Monday 2 January 2006"),
		"reports": kinds, "locations": locs, "services": in.Catalogue.Services(), "sources": in.Catalogue.Sources(),
	}
	sys := `You turn a clinic manager's question into a report request for a medical imaging CRM. kind is one of the reports (null when the question asks for none of them). period is a preset, or custom with from and to dates (YYYY-MM-DD, inclusive); compare is previous_period unless the question asks for the same period last year or no comparison. locations are ids from the list (empty for all). group_by and filters use only the dimensions the report allows; filter values for source and service must come from the lists. Never write SQL.
` + guard
	return sys, promptJSON(data)
}

type reportQueryAnswer struct {
	Kind      *string        `json:"kind"`
	Period    string         `json:"period"`
	From      *string        `json:"from"`
	To        *string        `json:"to"`
	Compare   string         `json:"compare"`
	Locations []string       `json:"locations"`
	GroupBy   []string       `json:"group_by"`
	Filters   []ReportFilter `json:"filters"`
}

// acceptReportQuery builds a request from a model's answer, computing
// the dates in code, and validates it against the catalogue.
func acceptReportQuery(raw []byte, in ReportQueryInput, b ReportQuery, now time.Time, zone *time.Location) (ReportQuery, error) {
	var m reportQueryAnswer
	if err := json.Unmarshal(raw, &m); err != nil {
		return ReportQuery{}, reject("%v", err)
	}
	if m.Kind == nil {
		r := b
		r.Request, r.OK, r.Confidence = nil, false, 0.5
		r.Suggestions = reportquery.Suggestions(in.Catalogue)
		r.Reason = "The model found no report in the question; try one of the suggestions"
		return r, nil
	}
	req := &ReportRequest{Kind: *m.Kind, Locations: m.Locations, GroupBy: m.GroupBy, Filters: m.Filters}
	if req.Locations == nil {
		req.Locations = []string{}
	}
	if req.Filters == nil {
		req.Filters = []ReportFilter{}
	}
	// Dates: a preset is read by the built-in parser from its words; a
	// custom range is taken as given, then checked.
	var per ReportPeriod
	if m.Period == "custom" {
		if m.From == nil || m.To == nil {
			return ReportQuery{}, reject("a custom period without dates")
		}
		per = ReportPeriod{From: *m.From, To: *m.To}
	} else {
		words := periodPresets[m.Period]
		res := reportquery.Parse("no shows "+words, now, zone, reportquery.Static{KindSpecs: reportquery.DefaultKinds(), SourceNames: reportquery.DefaultSources})
		if !res.OK {
			return ReportQuery{}, reject("period %q", m.Period)
		}
		per = res.Request.Period
	}
	req.Period = per
	if err := setCompare(req, m.Compare); err != nil {
		return ReportQuery{}, err
	}
	if err := req.Validate(in.Catalogue); err != nil {
		return ReportQuery{}, reject("%v", err)
	}
	r := b
	r.Request, r.OK, r.Notes, r.Suggestions = req, true, nil, nil
	r.Confidence = 0.8
	r.Reason = "The model read it as: " + req.Describe(in.Catalogue)
	return r, nil
}

// setCompare sets the comparison period: the period before of the same
// length, the same dates a year before, or none.
func setCompare(req *ReportRequest, compare string) error {
	from, err1 := time.Parse(time.DateOnly, req.Period.From)
	to, err2 := time.Parse(time.DateOnly, req.Period.To)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 3*366*24*time.Hour {
		return reject("period %s – %s", req.Period.From, req.Period.To)
	}
	switch compare {
	case "none":
		req.Compare = nil
	case "same_period_last_year":
		req.Compare = &ReportPeriod{From: from.AddDate(-1, 0, 0).Format(time.DateOnly), To: to.AddDate(-1, 0, 0).Format(time.DateOnly)}
	default:
		days := int(to.Sub(from).Hours()/24) + 1
		req.Compare = &ReportPeriod{From: from.AddDate(0, 0, -days).Format(time.DateOnly), To: from.AddDate(0, 0, -1).Format(time.DateOnly)}
	}
	return nil
}
