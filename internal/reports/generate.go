package reports

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/ai/reportquery"
)

// run is one report being computed.
type run struct {
	spec Spec
	locs []location
	zone *time.Location
	res  *Result
}

// dims returns the breakdowns in the order shown: those asked for first,
// then the report's standard ones.
func (r *run) dims(standard []Dimension) []Dimension {
	out := []Dimension{}
	for _, d := range r.spec.GroupBy {
		if slices.Contains(standard, d) && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	for _, d := range standard {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// Generate runs a report for the viewer in ctx and returns its figures
// with insights. Nothing is stored. A location the viewer may not read
// reports of is FORBIDDEN; a bad request INVALID with its field.
func (s *Service) Generate(ctx context.Context, req Request) (*Result, error) {
	res, err := s.compute(ctx, req)
	if err != nil {
		return nil, err
	}
	s.addInsights(ctx, res)
	return res, nil
}

// compute runs a report without insights.
func (s *Service) compute(ctx context.Context, req Request) (*Result, error) {
	locs, err := s.locations(ctx, req.LocationIDs)
	if err != nil {
		return nil, err
	}
	return s.computeAt(ctx, req, locs)
}

// computeAt runs a report over locs, which the caller has checked.
func (s *Service) computeAt(ctx context.Context, req Request, locs []location) (*Result, error) {
	var err error
	zone := zoneOf(ctx, locs)
	now := s.now()
	spec, err := resolve(req, now, zone)
	if err != nil {
		return nil, err
	}
	spec.LocationIDs = make([]pulid.ID, len(locs))
	for i, l := range locs {
		spec.LocationIDs[i] = l.ID
	}
	spec.Description = describe(spec, locs)
	res := &Result{Kind: spec.Kind, Request: spec, GeneratedAt: now, Currency: locs[0].Currency, Zone: zone.String(),
		Totals: []Total{}, Series: []Series{}, Breakdowns: []Breakdown{}, Insights: []Insight{}}
	r := &run{spec: spec, locs: locs, zone: zone, res: res}
	switch spec.Kind {
	case NoShows:
		err = s.noShows(ctx, r)
	case Revenue:
		err = s.revenue(ctx, r)
	case Funnel:
		err = s.funnel(ctx, r)
	case WarmnessTrends:
		err = s.warmnessTrends(ctx, r)
	case Stages:
		err = s.stages(ctx, r)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// describe says a spec in words, as the chips show it.
func describe(sp Spec, locs []location) string {
	var b strings.Builder
	b.WriteString(reportquery.KindTitle(string(sp.Kind)))
	b.WriteString(", " + string(sp.From) + " to " + string(sp.To))
	if sp.CompareFrom != nil {
		b.WriteString(" (against " + string(*sp.CompareFrom) + " to " + string(*sp.CompareTo) + ")")
	}
	names := make([]string, len(locs))
	for i, l := range locs {
		names[i] = l.Name
	}
	b.WriteString(", at " + strings.Join(names, " and "))
	if len(sp.GroupBy) > 0 {
		ds := make([]string, len(sp.GroupBy))
		for i, d := range sp.GroupBy {
			ds[i] = strings.ToLower(strings.ReplaceAll(string(d), "_", " "))
		}
		b.WriteString(", by " + strings.Join(ds, " and "))
	}
	f := sp.Filters
	if len(f.Services) > 0 {
		b.WriteString(", services " + strings.Join(f.Services, "/"))
	}
	if len(f.Sources) > 0 {
		ss := make([]string, len(f.Sources))
		for i, v := range f.Sources {
			ss[i] = sourceLabel(string(v))
		}
		b.WriteString(", sources " + strings.Join(ss, "/"))
	}
	if len(f.Campaigns) > 0 {
		b.WriteString(", campaigns " + strings.Join(f.Campaigns, "/"))
	}
	if len(f.Weekdays) > 0 {
		ws := make([]string, len(f.Weekdays))
		for i, d := range f.Weekdays {
			ws[i] = weekdayNames[d]
		}
		b.WriteString(", " + strings.Join(ws, "/"))
	}
	if len(f.Hours) > 0 {
		hs := make([]string, len(f.Hours))
		for i, h := range f.Hours {
			hs[i] = hourLabel(h)
		}
		b.WriteString(", at " + strings.Join(hs, "/"))
	}
	return b.String()
}
