// Package reportquery turns a question about the clinic's numbers ("no-
// shows for last quarter at Sydney by service") into a structured report
// request: a report kind, a period and a comparison period, locations,
// group-by dimensions and filters, all checked against a catalogue the
// caller supplies. It never produces SQL; the reports package runs the
// request it returns. Text it cannot read yields suggestions.
package reportquery

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Report kinds (the GraphQL enum of the reports issue).
const (
	KindWarmnessTrends = "WARMNESS_TRENDS"
	KindNoShows        = "NO_SHOWS"
	KindFunnel         = "FUNNEL"
	KindRevenue        = "REVENUE"
	KindStages         = "STAGES"
)

// Dimensions a report may be grouped or filtered by.
const (
	DimLocation     = "location"
	DimService      = "service"
	DimModality     = "modality"
	DimSource       = "source"
	DimCampaign     = "campaign"
	DimWeekday      = "weekday"
	DimHour         = "hour"
	DimPractitioner = "practitioner"
	DimMonth        = "month"
	DimWeek         = "week"
	DimStage        = "stage"
	DimLeadTime     = "lead_time"
	DimReminder     = "reminder"
	DimBand         = "band"
)

// KindSpec is a report kind and what it can be grouped and filtered by.
type KindSpec struct {
	Kind       string
	Dimensions []string
	Filters    []string
}

// Location is a location the viewer may ask about.
type Location struct {
	ID, Code, Name string
	// Aliases are other names people use ("Parra").
	Aliases []string
}

// Catalogue is what exists: the report kinds, the locations the viewer
// may see, the services and the lead sources. The reports package
// implements it; Static is a fixed one.
type Catalogue interface {
	Kinds() []KindSpec
	Locations() []Location
	// Services are the catalogue's service names.
	Services() []string
	// Sources are the lead source values (meta_ads, google_ads …).
	Sources() []string
}

// Static is a Catalogue of fixed values.
type Static struct {
	KindSpecs    []KindSpec
	Locs         []Location
	ServiceNames []string
	SourceNames  []string
}

// Kinds implements Catalogue.
func (s Static) Kinds() []KindSpec { return s.KindSpecs }

// Locations implements Catalogue.
func (s Static) Locations() []Location { return s.Locs }

// Services implements Catalogue.
func (s Static) Services() []string { return s.ServiceNames }

// Sources implements Catalogue.
func (s Static) Sources() []string { return s.SourceNames }

// DefaultKinds are the five reports of the reports issue with the
// dimensions each is planned to support.
func DefaultKinds() []KindSpec {
	return []KindSpec{
		{KindWarmnessTrends, []string{DimWeek, DimMonth, DimLocation, DimSource, DimBand}, []string{DimLocation, DimSource}},
		{KindNoShows, []string{DimLocation, DimService, DimModality, DimWeekday, DimHour, DimSource, DimLeadTime, DimReminder, DimPractitioner, DimMonth, DimWeek},
			[]string{DimLocation, DimService, DimModality, DimSource, DimWeekday, DimHour, DimPractitioner}},
		{KindFunnel, []string{DimSource, DimMonth, DimWeek, DimLocation, DimCampaign}, []string{DimLocation, DimSource, DimCampaign}},
		{KindRevenue, []string{DimSource, DimCampaign, DimMonth, DimWeek, DimLocation, DimService, DimModality}, []string{DimLocation, DimSource, DimCampaign, DimService, DimModality}},
		{KindStages, []string{DimStage, DimLocation, DimMonth, DimSource}, []string{DimLocation, DimSource, DimStage}},
	}
}

// DefaultSources are the contact lead source values.
var DefaultSources = []string{"meta_ads", "google_ads", "referral", "gp_referral", "wix", "manychat", "walk_in", "other"}

// Period is a span of days in the clinic's zone, both ends included.
type Period struct {
	// From and To are dates, YYYY-MM-DD.
	From string `json:"from"`
	To   string `json:"to"`
}

// Filter restricts a report to some values of a dimension.
type Filter struct {
	Dimension string `json:"dimension"`
	// Op is "in" (Values are the values), "gte" or "lt" (one value, an
	// hour for DimHour).
	Op     string   `json:"op"`
	Values []string `json:"values"`
}

// Request is a report to run.
type Request struct {
	Kind   string `json:"kind"`
	Period Period `json:"period"`
	// Compare is the comparison period, nil for none.
	Compare *Period `json:"compare"`
	// Locations are location IDs; empty means every location the viewer
	// may see.
	Locations []string `json:"locations"`
	GroupBy   []string `json:"groupBy"`
	Filters   []Filter `json:"filters"`
}

// Validate checks a request against a catalogue: a known kind, dimensions
// and filters the kind supports, known locations, dates in order.
func (r Request) Validate(cat Catalogue) error {
	i := slices.IndexFunc(cat.Kinds(), func(k KindSpec) bool { return k.Kind == r.Kind })
	if i < 0 {
		return fmt.Errorf("unknown report %q", r.Kind)
	}
	spec := cat.Kinds()[i]
	for _, d := range r.GroupBy {
		if !slices.Contains(spec.Dimensions, d) {
			return fmt.Errorf("%s cannot be grouped by %s", r.Kind, d)
		}
	}
	for _, f := range r.Filters {
		if !slices.Contains(spec.Filters, f.Dimension) {
			return fmt.Errorf("%s cannot be filtered by %s", r.Kind, f.Dimension)
		}
		switch f.Op {
		case "in":
			if len(f.Values) == 0 {
				return fmt.Errorf("the %s filter has no values", f.Dimension)
			}
		case "gte", "lt":
			if len(f.Values) != 1 {
				return fmt.Errorf("the %s filter needs one value", f.Dimension)
			}
		default:
			return fmt.Errorf("the %s filter has an unknown operator %q", f.Dimension, f.Op)
		}
		if f.Dimension == DimSource {
			for _, v := range f.Values {
				if !slices.Contains(cat.Sources(), v) {
					return fmt.Errorf("unknown lead source %q", v)
				}
			}
		}
		if f.Dimension == DimService {
			for _, v := range f.Values {
				if !slices.Contains(cat.Services(), v) {
					return fmt.Errorf("unknown service %q", v)
				}
			}
		}
	}
	for _, id := range r.Locations {
		if !slices.ContainsFunc(cat.Locations(), func(l Location) bool { return l.ID == id }) {
			return fmt.Errorf("unknown location %q", id)
		}
	}
	for _, p := range []*Period{&r.Period, r.Compare} {
		if p == nil {
			continue
		}
		from, err1 := time.Parse(time.DateOnly, p.From)
		to, err2 := time.Parse(time.DateOnly, p.To)
		if err1 != nil || err2 != nil || to.Before(from) {
			return fmt.Errorf("the period %s – %s is not a valid range of dates", p.From, p.To)
		}
	}
	return nil
}

// Describe says a request in words, as chips would show it.
func (r Request) Describe(cat Catalogue) string {
	var b strings.Builder
	b.WriteString(KindTitle(r.Kind))
	fmt.Fprintf(&b, ", %s to %s", r.Period.From, r.Period.To)
	if r.Compare != nil {
		fmt.Fprintf(&b, " (against %s to %s)", r.Compare.From, r.Compare.To)
	}
	if len(r.Locations) > 0 {
		var names []string
		for _, id := range r.Locations {
			for _, l := range cat.Locations() {
				if l.ID == id {
					names = append(names, l.Name)
				}
			}
		}
		b.WriteString(", at " + strings.Join(names, " and "))
	}
	if len(r.GroupBy) > 0 {
		b.WriteString(", by " + strings.ReplaceAll(strings.Join(r.GroupBy, " and "), "_", " "))
	}
	for _, f := range r.Filters {
		fmt.Fprintf(&b, ", %s %s %s", strings.ReplaceAll(f.Dimension, "_", " "), f.Op, strings.Join(f.Values, "/"))
	}
	return b.String()
}

// KindTitle names a report kind for people.
func KindTitle(kind string) string {
	switch kind {
	case KindWarmnessTrends:
		return "Warmness trends"
	case KindNoShows:
		return "No-shows"
	case KindFunnel:
		return "Conversion funnel"
	case KindRevenue:
		return "Revenue"
	case KindStages:
		return "Pipeline stages"
	}
	return kind
}
