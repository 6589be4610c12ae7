package reports

import (
	"context"
	"fmt"
)

// revenueCell is one group of the revenue scan.
type revenueCell struct {
	bucket                    int
	source, campaign, service string
	cents                     int64
	completed                 int
}

// scanRevenue sums the price of one location's completed bookings that
// started in the span, by bucket, lead source, campaign and service.
func (s *Service) scanRevenue(ctx context.Context, loc location, sp span, f Filters, buckets bucketing) ([]revenueCell, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT " + b.bucket("b.starts_at", buckets.starts) + ", c.lead_source, COALESCE(c.campaign, ''), b.service_id, " +
		"SUM(b.price_cents), COUNT(*) " +
		"FROM bookings b JOIN contacts c ON c.id = b.contact_id " +
		"WHERE b.location_id = " + b.arg(string(loc.ID)) +
		" AND b.starts_at >= " + b.arg(sp.start) + " AND b.starts_at < " + b.arg(sp.end) +
		" AND b.status = 'completed'" + b.bookingFilters(f, loc.Zone, sp.start, sp.end) +
		" GROUP BY 1, 2, 3, 4"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: revenue: %w", err)
	}
	defer rows.Close()
	var out []revenueCell
	for rows.Next() {
		var c revenueCell
		if err := rows.Scan(&c.bucket, &c.source, &c.campaign, &c.service, &c.cents, &c.completed); err != nil {
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

// scanBooked counts one location's booked patients by lead source and
// campaign: the different contacts with a booking (not cancelled) that
// started in the span. A contact has one source and one campaign, so the
// counts add up.
func (s *Service) scanBooked(ctx context.Context, loc location, sp span, f Filters) (map[[2]string]int, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT c.lead_source, COALESCE(c.campaign, ''), COUNT(DISTINCT b.contact_id) " +
		"FROM bookings b JOIN contacts c ON c.id = b.contact_id " +
		"WHERE b.location_id = " + b.arg(string(loc.ID)) +
		" AND b.starts_at >= " + b.arg(sp.start) + " AND b.starts_at < " + b.arg(sp.end) +
		" AND b.status <> 'cancelled'" + b.bookingFilters(f, loc.Zone, sp.start, sp.end) +
		" GROUP BY 1, 2"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: booked patients: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]int{}
	for rows.Next() {
		var src, camp string
		var n int
		if err := rows.Scan(&src, &camp, &n); err != nil {
			return nil, err
		}
		out[[2]string{src, camp}] += n
	}
	return out, rows.Err()
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
			addValue(bySource.add(c.source, sourceLabel(c.source), 0, c.completed), c.cents)
			camp := c.campaign
			label := camp
			if camp == "" {
				label = "No campaign"
			}
			addValue(byCampaign.add(c.source+"/"+camp, sourceLabel(c.source)+": "+label, 0, c.completed), c.cents)
			addValue(byService.add(c.service, c.service, 0, c.completed), c.cents)
			addValue(byLocation.add(string(loc.ID), loc.Name, 0, c.completed), c.cents)
		}
		bookedBy, err := s.scanBooked(ctx, loc, sp, r.spec.Filters)
		if err != nil {
			return err
		}
		for k, n := range bookedBy {
			booked += n
			bySource.add(k[0], sourceLabel(k[0]), n, 0)
			camp := k[1]
			label := camp
			if camp == "" {
				label = "No campaign"
			}
			byCampaign.add(k[0]+"/"+camp, sourceLabel(k[0])+": "+label, n, 0)
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
