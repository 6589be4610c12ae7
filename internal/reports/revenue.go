package reports

import (
	"context"
	"fmt"
)

// revenueCell is one group of the revenue scan by time and service.
type revenueCell struct {
	bucket    int
	service   string
	cents     int64
	completed int
}

// scanRevenue sums the price of one location's completed bookings that
// started in the span, by bucket and service (the bookings alone; the
// contact's source and campaign are scanSources').
func (s *Service) scanRevenue(ctx context.Context, loc location, sp span, f Filters, buckets bucketing) ([]revenueCell, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT " + b.bucket("b.starts_at", buckets.starts) + ", b.service_id, SUM(b.price_cents), COUNT(*) FROM bookings b"
	if needsContact(f) {
		q += " JOIN contacts c ON c.id = b.contact_id"
	}
	q += " WHERE b.location_id = " + b.arg(string(loc.ID)) +
		" AND b.starts_at >= " + b.arg(sp.start) + " AND b.starts_at < " + b.arg(sp.end) +
		" AND b.status = 'completed'" + b.bookingFilters(f, loc.Zone, sp.start, sp.end) +
		" GROUP BY 1, 2"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: revenue: %w", err)
	}
	defer rows.Close()
	var out []revenueCell
	for rows.Next() {
		var c revenueCell
		if err := rows.Scan(&c.bucket, &c.service, &c.cents, &c.completed); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	names, err := s.serviceNames(ctx, loc.ID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].service = names[out[i].service]
	}
	return out, nil
}

// sourceCell is one lead source and campaign's revenue, completed
// bookings and booked patients.
type sourceCell struct {
	source, campaign string
	cents            int64
	completed        int
	booked           int
}

// scanSources sums one location's bookings that started in the span by
// the contact's lead source and campaign: the revenue and count of the
// completed ones, and the booked patients (the different contacts with a
// booking not cancelled). Counted per contact first (the bookings alone),
// then each contact read once from the covering index on (id,
// lead_source, campaign, created_at) — not once per booking. A contact
// has one source and one campaign, so the counts add up.
func (s *Service) scanSources(ctx context.Context, loc location, sp span, f Filters) ([]sourceCell, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT c.lead_source, COALESCE(c.campaign, ''), SUM(x.cents), SUM(x.completed), COUNT(*) FROM (SELECT b.contact_id, " +
		"SUM(CASE WHEN b.status = 'completed' THEN b.price_cents ELSE 0 END) AS cents, " +
		"SUM(CASE WHEN b.status = 'completed' THEN 1 ELSE 0 END) AS completed FROM bookings b" +
		" WHERE b.location_id = " + b.arg(string(loc.ID)) +
		" AND b.starts_at >= " + b.arg(sp.start) + " AND b.starts_at < " + b.arg(sp.end) +
		" AND b.status <> 'cancelled'" + b.apptFilters(f, loc.Zone, sp.start, sp.end) +
		" GROUP BY b.contact_id) x JOIN contacts c ON c.id = x.contact_id WHERE 1 = 1" + b.contactFilters(f) + " GROUP BY 1, 2"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: revenue by source: %w", err)
	}
	defer rows.Close()
	var out []sourceCell
	for rows.Next() {
		var c sourceCell
		if err := rows.Scan(&c.source, &c.campaign, &c.cents, &c.completed, &c.booked); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// revenueTotal sums the price of one location's completed bookings that
// started in the span (the comparison period needs no more).
func (s *Service) revenueTotal(ctx context.Context, loc location, sp span, f Filters) (int64, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT COALESCE(SUM(b.price_cents), 0) FROM bookings b"
	if needsContact(f) {
		q += " JOIN contacts c ON c.id = b.contact_id"
	}
	q += " WHERE b.location_id = " + b.arg(string(loc.ID)) +
		" AND b.starts_at >= " + b.arg(sp.start) + " AND b.starts_at < " + b.arg(sp.end) +
		" AND b.status = 'completed'" + b.bookingFilters(f, loc.Zone, sp.start, sp.end)
	var cents int64
	if err := s.SQL.QueryRowContext(ctx, q, b.args...).Scan(&cents); err != nil {
		return 0, fmt.Errorf("reports: revenue: %w", err)
	}
	return cents, nil
}

// spend sums the ad spend of the locations by source over the months
// from–to (YYYY-MM, both included).
func (s *Service) spend(ctx context.Context, locs []location, from, to string) (map[string]int64, error) {
	b := newBuilder(s.Dialect)
	ids := make([]string, len(locs))
	for i, l := range locs {
		ids[i] = string(l.ID)
	}
	q := "SELECT source, SUM(cents) FROM ad_spends WHERE location_id IN (" + list(b, ids) + ") AND month >= " +
		b.arg(from) + " AND month <= " + b.arg(to) + " GROUP BY source"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: ad spend: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var src string
		var c int64
		if err := rows.Scan(&src, &c); err != nil {
			return nil, err
		}
		out[src] += c
	}
	return out, rows.Err()
}

// revenue is the revenue report: completed bookings' prices by lead
// source and campaign, with ad spend per source and month → cost per
// booked patient and return on spend.
func (s *Service) revenue(ctx context.Context, r *run) error {
	bk := bucketsOf(r.spec.From, r.spec.To, r.zone)
	series := make([]int64, len(bk.starts))
	bySource := newTally("source", DimSource, "Revenue by lead source")
	byCampaign := newTally("campaign", DimCampaign, "Revenue by campaign")
	byService := newTally("service", DimService, "Revenue by service")
	byLocation := newTally("location", DimLocation, "Revenue by location")
	values := map[*Row]int64{}
	addValue := func(row *Row, c int64) { values[row] += c }
	var total int64
	var completed, booked int
	for _, loc := range r.locs {
		sp := spanOf(r.spec.From, r.spec.To, loc.Zone)
		cells, err := s.scanRevenue(ctx, loc, sp, r.spec.Filters, bucketsOf(r.spec.From, r.spec.To, loc.Zone))
		if err != nil {
			return err
		}
		for _, c := range cells {
			total += c.cents
			completed += c.completed
			if c.bucket < len(series) {
				series[c.bucket] += c.cents
			}
			addValue(byService.add(c.service, c.service, 0, c.completed), c.cents)
			addValue(byLocation.add(string(loc.ID), loc.Name, 0, c.completed), c.cents)
		}
		sources, err := s.scanSources(ctx, loc, sp, r.spec.Filters)
		if err != nil {
			return err
		}
		for _, c := range sources {
			booked += c.booked
			addValue(bySource.add(c.source, sourceLabel(c.source), c.booked, c.completed), c.cents)
			camp := c.campaign
			label := camp
			if camp == "" {
				label = "No campaign"
			}
			addValue(byCampaign.add(c.source+"/"+camp, sourceLabel(c.source)+": "+label, c.booked, c.completed), c.cents)
		}
	}
	spend, err := s.spend(ctx, r.locs, string(r.spec.From)[:7], string(r.spec.To)[:7])
	if err != nil {
		return err
	}
	var totalSpend int64
	for src, c := range spend {
		totalSpend += c
		bySource.add(src, sourceLabel(src), 0, 0)
	}
	// Rows: Count is booked patients, Denominator the completed bookings
	// (shown as such, not a rate), Value the revenue.
	finish := func(t *tally, withSpend bool) Breakdown {
		for _, row := range t.rows {
			v := float64(values[row])
			row.Value = &v
			if withSpend {
				if sc, ok := spend[row.Key]; ok {
					row.SpendCents = ptr(sc)
					if row.Count > 0 {
						row.CostPerBookedCents = ptr(sc / int64(row.Count))
					}
					if sc > 0 {
						row.ReturnOnSpend = ptr(float64(values[row]) / float64(sc))
					}
				}
			}
		}
		bd := Breakdown{Key: t.key, Dimension: t.dim, Label: t.label, Unit: UnitCents, Rows: []Row{}}
		for _, row := range t.rows {
			bd.Rows = append(bd.Rows, *row)
		}
		sortRows(bd.Rows)
		return bd
	}
	var prev int64
	compare := r.spec.CompareFrom != nil
	if compare {
		for _, loc := range r.locs {
			sp := spanOf(*r.spec.CompareFrom, *r.spec.CompareTo, loc.Zone)
			cents, err := s.revenueTotal(ctx, loc, sp, r.spec.Filters)
			if err != nil {
				return err
			}
			prev += cents
		}
	}
	rev := Total{Key: "revenue", Label: "Revenue", Unit: UnitCents, Value: float64(total)}
	if compare {
		rev.Previous = ptr(float64(prev))
	}
	r.res.Totals = append(r.res.Totals, rev,
		Total{Key: "completed_bookings", Label: "Completed bookings", Unit: UnitCount, Value: float64(completed)},
		Total{Key: "booked_patients", Label: "Booked patients", Unit: UnitCount, Value: float64(booked)},
		Total{Key: "ad_spend", Label: "Ad spend", Unit: UnitCents, Value: float64(totalSpend)})
	if totalSpend > 0 {
		r.res.Totals = append(r.res.Totals, Total{Key: "return_on_spend", Label: "Return on ad spend", Unit: UnitRatio, Value: float64(total) / float64(totalSpend)})
	}
	ser := Series{Key: "revenue", Label: "Revenue", Unit: UnitCents, Points: []Point{}}
	for i := range bk.starts {
		ser.Points = append(ser.Points, Point{Label: bk.labels[i], From: bk.froms[i], To: bk.tos[i], Value: float64(series[i])})
	}
	r.res.Series = append(r.res.Series, ser)
	out := map[Dimension]Breakdown{
		DimSource: finish(bySource, true), DimCampaign: finish(byCampaign, false),
		DimService: finish(byService, false), DimLocation: finish(byLocation, false),
	}
	for _, d := range r.dims([]Dimension{DimSource, DimCampaign, DimService, DimLocation}) {
		if bd, ok := out[d]; ok {
			r.res.Breakdowns = append(r.res.Breakdowns, bd)
		}
	}
	return nil
}

// sortRows orders rows by value, highest first, then by label.
func sortRows(rows []Row) {
	val := func(r Row) float64 {
		if r.Value == nil {
			return 0
		}
		return *r.Value
	}
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0; j-- {
			a, b := rows[j-1], rows[j]
			if val(a) > val(b) || val(a) == val(b) && a.Label <= b.Label {
				break
			}
			rows[j-1], rows[j] = b, a
		}
	}
}
