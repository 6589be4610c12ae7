package reports

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/ai/reportquery"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// catalogue is what the viewer's reports can answer, for the question
// parser: the report kinds, the readable locations, the services offered
// there and the lead sources.
func (s *Service) catalogue(ctx context.Context, locs []location) (reportquery.Static, error) {
	cat := reportquery.Static{KindSpecs: reportquery.DefaultKinds(), SourceNames: reportquery.DefaultSources}
	ids := make([]pulid.ID, len(locs))
	for i, l := range locs {
		ids[i] = l.ID
		cat.Locs = append(cat.Locs, reportquery.Location{ID: string(l.ID), Code: l.Code, Name: l.Name,
			Aliases: aliases(l.Name)})
	}
	q, args := s.in("SELECT DISTINCT name FROM services WHERE location_id IN (%s) ORDER BY name", ids)
	rows, err := s.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return cat, fmt.Errorf("reports: services: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return cat, err
		}
		cat.ServiceNames = append(cat.ServiceNames, n)
	}
	return cat, rows.Err()
}

// aliases are the short names people use for a location: "Avatar
// Imaging Parramatta" is also "Parramatta".
func aliases(name string) []string {
	f := strings.Fields(name)
	if len(f) > 1 {
		return []string{f[len(f)-1]}
	}
	return nil
}

// Query reads a question in words into a request (internal/ai's
// ParseReportQuery, checked against the viewer's catalogue) and runs it.
// Text it cannot read gives suggestions, not an error.
func (s *Service) Query(ctx context.Context, text string) (*QueryAnswer, error) {
	if s.AI == nil {
		return nil, apperr.Errorf(apperr.Internal, "reports: no question parser configured")
	}
	locs, err := s.locations(ctx, nil)
	if err != nil {
		return nil, err
	}
	cat, err := s.catalogue(ctx, locs)
	if err != nil {
		return nil, err
	}
	zone := zoneOf(ctx, locs)
	in := ai.ReportQueryInput{Text: text, Now: s.now(), Zone: zone, Catalogue: cat}
	if len(locs) > 0 {
		in.LocationID = string(locs[0].ID)
	}
	parsed, err := s.AI.ParseReportQuery(ctx, in)
	if err != nil {
		return nil, err
	}
	ans := &QueryAnswer{Text: text, Notes: parsed.Notes, Suggestions: parsed.Suggestions, Engine: parsed.Engine}
	if ans.Notes == nil {
		ans.Notes = []string{}
	}
	if ans.Suggestions == nil {
		ans.Suggestions = []string{}
	}
	if !parsed.OK || parsed.Request == nil {
		if len(ans.Suggestions) == 0 {
			ans.Suggestions = reportquery.Suggestions(cat)
		}
		return ans, nil
	}
	req, notes := FromParsed(*parsed.Request)
	ans.Notes = append(ans.Notes, notes...)
	res, err := s.Generate(ctx, req)
	if err != nil {
		return nil, err
	}
	ans.OK, ans.Request, ans.Result = true, &res.Request, res
	return ans, nil
}

// FromParsed turns the parser's request into a report request; notes say
// what it could not carry over.
func FromParsed(p reportquery.Request) (Request, []string) {
	var notes []string
	from, to := types.Date(p.Period.From), types.Date(p.Period.To)
	req := Request{Kind: Kind(p.Kind), From: &from, To: &to, Filters: &Filters{}}
	cmp := NoComparison
	if p.Compare != nil {
		cmp = CustomComparison
		cf, ct := types.Date(p.Compare.From), types.Date(p.Compare.To)
		req.CompareFrom, req.CompareTo = &cf, &ct
	}
	req.Comparison = &cmp
	for _, id := range p.Locations {
		req.LocationIDs = append(req.LocationIDs, pulid.ID(id))
	}
	for _, d := range p.GroupBy {
		req.GroupBy = append(req.GroupBy, Dimension(strings.ToUpper(d)))
	}
	f := req.Filters
	for _, fl := range p.Filters {
		switch fl.Dimension {
		case reportquery.DimSource:
			for _, v := range fl.Values {
				f.Sources = append(f.Sources, contact.LeadSource(v))
			}
		case reportquery.DimService:
			f.Services = append(f.Services, fl.Values...)
		case reportquery.DimCampaign:
			f.Campaigns = append(f.Campaigns, fl.Values...)
		case reportquery.DimLocation:
			for _, v := range fl.Values {
				if !slices.Contains(req.LocationIDs, pulid.ID(v)) {
					req.LocationIDs = append(req.LocationIDs, pulid.ID(v))
				}
			}
		case reportquery.DimWeekday:
			for _, v := range fl.Values {
				if i := slices.IndexFunc(weekdayNames, func(n string) bool { return strings.EqualFold(n, v) }); i >= 0 {
					f.Weekdays = append(f.Weekdays, i)
				}
			}
		case reportquery.DimHour:
			var hs []int
			for _, v := range fl.Values {
				if h, err := strconv.Atoi(v); err == nil && h >= 0 && h <= 23 {
					hs = append(hs, h)
				}
			}
			switch {
			case fl.Op == "gte" && len(hs) == 1:
				for h := hs[0]; h < 24; h++ {
					f.Hours = append(f.Hours, h)
				}
			case fl.Op == "lt" && len(hs) == 1:
				for h := 0; h < hs[0]; h++ {
					f.Hours = append(f.Hours, h)
				}
			default:
				f.Hours = append(f.Hours, hs...)
			}
		default:
			notes = append(notes, "the "+strings.ReplaceAll(fl.Dimension, "_", " ")+" filter is not applied by this report")
		}
	}
	return req, notes
}
