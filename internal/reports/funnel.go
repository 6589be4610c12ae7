package reports

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The funnel's steps.
var funnelSteps = []struct{ key, label string }{
	{"lead", "Lead"}, {"contacted", "Contacted"}, {"booked", "Booked"}, {"attended", "Attended"},
}

// lead is one lead of the funnel's cohort: when it reached each step, in
// seconds since 1970 (0: not reached).
type lead struct {
	bucket int
	source string
	steps  [4]int64
}

// scanLeads reads one location's leads created in the span: when each
// was contacted (its first move out of new_lead), first booked (the
// first booking made, whatever became of it) and first attended (the
// start of its first completed booking).
func (s *Service) scanLeads(ctx context.Context, loc location, sp span, f Filters, buckets []time.Time) ([]lead, error) {
	b := newBuilder(s.Dialect)
	// Each step is the earliest of its rows: MIN of the column itself (times
	// are stored in UTC, so their order is time order), which an index on
	// (contact_id, …, column) answers with one seek per lead.
	q := "SELECT " + b.bucket("c.created_at", buckets) + ", c.lead_source, " + b.epoch("c.created_at") + ", " +
		b.epoch("(SELECT MIN(sc.at) FROM stage_changes sc WHERE sc.contact_id = c.id AND sc.from_stage = 'new_lead')") + ", " +
		b.epoch("(SELECT MIN(bk.created_at) FROM bookings bk WHERE bk.contact_id = c.id)") + ", " +
		b.epoch("(SELECT MIN(ba.starts_at) FROM bookings ba WHERE ba.contact_id = c.id AND ba.status = 'completed')") + " " +
		"FROM contacts c WHERE c.location_id = " + b.arg(string(loc.ID)) +
		" AND c.created_at >= " + b.arg(sp.start) + " AND c.created_at < " + b.arg(sp.end) +
		" AND c.merged_into_id IS NULL" + b.contactFilters(f)
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: funnel: %w", err)
	}
	defer rows.Close()
	var out []lead
	for rows.Next() {
		var l lead
		var contacted, booked, attended sql.NullInt64
		if err := rows.Scan(&l.bucket, &l.source, &l.steps[0], &contacted, &booked, &attended); err != nil {
			return nil, err
		}
		l.steps[1], l.steps[2], l.steps[3] = contacted.Int64, booked.Int64, attended.Int64
		// A later step implies the earlier ones: a lead booked without a
		// recorded call was contacted when it booked.
		for i := 2; i >= 1; i-- {
			if l.steps[i] == 0 && l.steps[i+1] != 0 {
				l.steps[i] = l.steps[i+1]
			}
			if l.steps[i] != 0 && l.steps[i+1] != 0 && l.steps[i+1] < l.steps[i] {
				l.steps[i] = l.steps[i+1]
			}
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// leadTotals counts one location's leads created in the span and those
// of them who attended (a completed booking, at any time up to now): what
// the comparison period needs.
func (s *Service) leadTotals(ctx context.Context, loc location, sp span, f Filters) (leads, attended int, err error) {
	b := newBuilder(s.Dialect)
	q := "SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM bookings ba WHERE ba.contact_id = c.id AND ba.status = 'completed') THEN 1 ELSE 0 END), 0) " +
		"FROM contacts c WHERE c.location_id = " + b.arg(string(loc.ID)) +
		" AND c.created_at >= " + b.arg(sp.start) + " AND c.created_at < " + b.arg(sp.end) +
		" AND c.merged_into_id IS NULL" + b.contactFilters(f)
	if err := s.SQL.QueryRowContext(ctx, q, b.args...).Scan(&leads, &attended); err != nil {
		return 0, 0, fmt.Errorf("reports: funnel: %w", err)
	}
	return leads, attended, nil
}

// contactFilters writes the filters that apply to contacts c (source and
// campaign); the others are about appointments.
func (b *builder) contactFilters(f Filters) string {
	out := ""
	if len(f.Sources) > 0 {
		vs := make([]string, len(f.Sources))
		for i, v := range f.Sources {
			vs[i] = string(v)
		}
		out += " AND c.lead_source IN (" + list(b, vs) + ")"
	}
	if len(f.Campaigns) > 0 {
		out += " AND c.campaign IN (" + list(b, f.Campaigns) + ")"
	}
	return out
}

// funnel is the conversion funnel: leads created in the period, and how
// many of them were contacted, booked and attended (at any time up to
// now), by lead source and by month of the lead, with the median days
// between steps.
func (s *Service) funnel(ctx context.Context, r *run) error {
	bk := bucketsOf(r.spec.From, r.spec.To, r.zone)
	var counts [4]int
	var gaps [4][]float64 // gaps[i]: days from step i-1 to step i
	type srcCounts struct{ steps [4]int }
	bySource := map[string]*srcCounts{}
	byBucket := make([][4]int, len(bk.starts))
	for _, loc := range r.locs {
		sp := spanOf(r.spec.From, r.spec.To, loc.Zone)
		leads, err := s.scanLeads(ctx, loc, sp, r.spec.Filters, bucketsOf(r.spec.From, r.spec.To, loc.Zone).starts)
		if err != nil {
			return err
		}
		for _, l := range leads {
			sc := bySource[l.source]
			if sc == nil {
				sc = &srcCounts{}
				bySource[l.source] = sc
			}
			for i := range 4 {
				if l.steps[i] == 0 {
					break
				}
				counts[i]++
				sc.steps[i]++
				if l.bucket < len(byBucket) {
					byBucket[l.bucket][i]++
				}
				if i > 0 {
					gaps[i] = append(gaps[i], float64(max(0, l.steps[i]-l.steps[i-1]))/86400)
				}
			}
		}
	}
	// The comparison period's conversion, lead → attended.
	var prevLeads, prevAttended int
	compare := r.spec.CompareFrom != nil
	if compare {
		for _, loc := range r.locs {
			sp := spanOf(*r.spec.CompareFrom, *r.spec.CompareTo, loc.Zone)
			n, attended, err := s.leadTotals(ctx, loc, sp, r.spec.Filters)
			if err != nil {
				return err
			}
			prevLeads += n
			prevAttended += attended
		}
	}
	r.res.Totals = append(r.res.Totals,
		countTotal("leads", "New leads", counts[0], compare, prevLeads, false),
		rateTotal("conversion_rate", "Lead to attended conversion", counts[3], counts[0], compare, prevAttended, prevLeads))
	if m := median(append([]float64(nil), gaps[2]...)); m != nil {
		r.res.Totals = append(r.res.Totals, Total{Key: "median_days_to_book", Label: "Median days from contacted to booked", Unit: UnitDays, Value: round1(*m), LowerIsBetter: true})
	}
	steps := Breakdown{Key: "funnel", Label: "Conversion funnel", Unit: UnitCount, Rows: []Row{}}
	for i, st := range funnelSteps {
		row := Row{Key: st.key, Label: st.label, Count: counts[i]}
		if i > 0 {
			row.Denominator = ptr(counts[i-1])
			if counts[i-1] > 0 {
				row.Rate = ptr(rate(counts[i], counts[i-1]))
			}
			row.LowSample = counts[i-1] < MinSample
			if m := median(gaps[i]); m != nil {
				row.MedianDays = ptr(round1(*m))
			}
		}
		steps.Rows = append(steps.Rows, row)
	}
	r.res.Breakdowns = append(r.res.Breakdowns, steps)
	for i, st := range funnelSteps[1:] {
		t := newTally("source_"+st.key, DimSource, st.label+" out of leads, by lead source")
		t.order = byLabel
		for src, sc := range bySource {
			t.add(src, sourceLabel(src), sc.steps[i+1], sc.steps[0])
		}
		r.res.Breakdowns = append(r.res.Breakdowns, t.breakdown(UnitRate))
	}
	for i, st := range funnelSteps {
		ser := Series{Key: st.key, Label: st.label, Unit: UnitCount, Points: []Point{}}
		for j := range bk.starts {
			ser.Points = append(ser.Points, Point{Label: bk.labels[j], From: bk.froms[j], To: bk.tos[j], Value: float64(byBucket[j][i])})
		}
		r.res.Series = append(r.res.Series, ser)
	}
	return nil
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
