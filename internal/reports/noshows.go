package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
)

// bookingFilters writes the spec's filters over bookings b and contacts c,
// for bookings starting in [start, end) at a location in zone.
func (b *builder) bookingFilters(f Filters, zone *time.Location, start, end time.Time) string {
	return b.apptFilters(f, zone, start, end) + b.contactFilters(f)
}

// apptFilters writes the spec's filters over bookings b alone (service,
// practitioner, weekday, hour).
func (b *builder) apptFilters(f Filters, zone *time.Location, start, end time.Time) string {
	var w []string
	if len(f.Services) > 0 {
		// By name, through the small services table: the scans join no
		// service row per booking.
		w = append(w, "b.service_id IN (SELECT id FROM services WHERE name IN ("+list(b, f.Services)+"))")
	}
	if len(f.PractitionerIDs) > 0 {
		vs := make([]string, len(f.PractitionerIDs))
		for i, v := range f.PractitionerIDs {
			vs[i] = string(v)
		}
		w = append(w, "b.staff_id IN ("+list(b, vs)+")")
	}
	if len(f.Weekdays) > 0 {
		w = append(w, b.weekday("b.starts_at", zone, start, end)+" IN ("+ints(f.Weekdays)+")")
	}
	if len(f.Hours) > 0 {
		w = append(w, b.hour("b.starts_at", zone, start, end)+" IN ("+ints(f.Hours)+")")
	}
	if len(w) == 0 {
		return ""
	}
	return " AND " + strings.Join(w, " AND ")
}

// ints writes validated small integers inline (they are not text).
func ints(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}

// Lead time buckets: whole 24-hour days from booking to appointment.
var leadTimes = []struct {
	below int // days
	label string
}{{1, "Under 1 day"}, {3, "1–2 days"}, {8, "3–7 days"}, {15, "8–14 days"}, {31, "15–30 days"}, {1 << 30, "31 days or more"}}

// noShowTime is one group of the no-show scan by time: the local hour
// (hours since 1970 on the location's wall clock), whence the day, the
// bucket, the weekday and the hour of day.
type noShowTime struct {
	localHour         int64
	noShows, outcomes int
}

// noShowAttr is one group of the no-show scan by the booking's other
// dimensions.
type noShowAttr struct {
	service           string
	leadDays          int64
	confirmed         bool
	staff             string
	noShows, outcomes int
}

// needsContact says whether the filters read the contact (c).
func needsContact(f Filters) bool { return len(f.Sources) > 0 || len(f.Campaigns) > 0 }

// noShowFrom is the FROM and WHERE of the no-show scans: one location's
// bookings that started in the span with a recorded outcome, filtered.
func (b *builder) noShowFrom(loc location, sp span, f Filters, withContact bool) string {
	from := "FROM bookings b"
	if withContact || needsContact(f) {
		from += " JOIN contacts c ON c.id = b.contact_id"
	}
	return from + " WHERE b.location_id = " + b.arg(string(loc.ID)) +
		" AND b.starts_at >= " + b.arg(sp.start) + " AND b.starts_at < " + b.arg(sp.end) +
		" AND b.status IN ('completed', 'no_show')" + b.bookingFilters(f, loc.Zone, sp.start, sp.end)
}

const noShowCounts = "COALESCE(SUM(CASE WHEN b.status = 'no_show' THEN 1 ELSE 0 END), 0), COUNT(*)"

// noShowTotals counts one location's no-shows and outcomes in the span
// (the comparison period needs no more).
func (s *Service) noShowTotals(ctx context.Context, loc location, sp span, f Filters) (noShows, outcomes int, err error) {
	b := newBuilder(s.Dialect)
	q := "SELECT " + noShowCounts + " " + b.noShowFrom(loc, sp, f, false)
	if err := s.SQL.QueryRowContext(ctx, q, b.args...).Scan(&noShows, &outcomes); err != nil {
		return 0, 0, fmt.Errorf("reports: no-shows: %w", err)
	}
	return noShows, outcomes, nil
}

// scanNoShowTimes groups one location's outcomes in the span by local
// hour (a year of clinic hours is a few thousand groups); the day, week
// or month, weekday and hour of day follow from it in Go.
func (s *Service) scanNoShowTimes(ctx context.Context, loc location, sp span, f Filters) ([]noShowTime, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT " + b.localSeconds("b.starts_at", loc.Zone, sp.start, sp.end) + " / 3600, " + noShowCounts + " " +
		b.noShowFrom(loc, sp, f, false) + " GROUP BY 1"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: no-shows by time: %w", err)
	}
	defer rows.Close()
	var out []noShowTime
	for rows.Next() {
		var c noShowTime
		if err := rows.Scan(&c.localHour, &c.noShows, &c.outcomes); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// scanNoShowAttrs groups one location's outcomes in the span by service,
// whole days of lead time, reminder confirmation and practitioner (the
// booking's own columns, no contact read).
func (s *Service) scanNoShowAttrs(ctx context.Context, loc location, sp span, f Filters) ([]noShowAttr, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT b.service_id, (" + b.epoch("b.starts_at") + " - " + b.epoch("b.created_at") + ") / 86400, " +
		"CASE WHEN b.confirmed_at IS NULL THEN 0 ELSE 1 END, COALESCE(b.staff_id, ''), " + noShowCounts + " " +
		b.noShowFrom(loc, sp, f, false) + " GROUP BY 1, 2, 3, 4"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: no-shows: %w", err)
	}
	defer rows.Close()
	var out []noShowAttr
	for rows.Next() {
		var c noShowAttr
		var conf int
		if err := rows.Scan(&c.service, &c.leadDays, &conf, &c.staff, &c.noShows, &c.outcomes); err != nil {
			return nil, err
		}
		c.confirmed = conf == 1
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

// scanNoShowSources groups one location's outcomes in the span by the
// contact's lead source: counted per contact first (the bookings alone),
// then each contact read once, in contact order, from the covering index
// on (id, lead_source, campaign, created_at) — not once per booking.
func (s *Service) scanNoShowSources(ctx context.Context, loc location, sp span, f Filters) (map[string][2]int, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT c.lead_source, SUM(x.n), SUM(x.o) FROM (SELECT b.contact_id, " +
		"SUM(CASE WHEN b.status = 'no_show' THEN 1 ELSE 0 END) AS n, COUNT(*) AS o FROM bookings b" +
		" WHERE b.location_id = " + b.arg(string(loc.ID)) +
		" AND b.starts_at >= " + b.arg(sp.start) + " AND b.starts_at < " + b.arg(sp.end) +
		" AND b.status IN ('completed', 'no_show')" + b.apptFilters(f, loc.Zone, sp.start, sp.end) +
		" GROUP BY b.contact_id) x JOIN contacts c ON c.id = x.contact_id WHERE 1 = 1" + b.contactFilters(f) + " GROUP BY 1"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: no-shows by source: %w", err)
	}
	defer rows.Close()
	out := map[string][2]int{}
	for rows.Next() {
		var src string
		var n, o int
		if err := rows.Scan(&src, &n, &o); err != nil {
			return nil, err
		}
		out[src] = [2]int{n, o}
	}
	return out, rows.Err()
}

// leadTimeOf is the lead-time bucket of whole days of lead time (a
// booking made after its start counts as under a day).
func leadTimeOf(days int64) int {
	for i, l := range leadTimes {
		if days < int64(l.below) {
			return i
		}
	}
	return len(leadTimes) - 1
}

// localDay is the wall-clock date and weekday (0 = Sunday) of a local
// hour counted from 1970.
func localDay(localHour int64) (types.Date, int) {
	d := localHour / 24
	if localHour < 0 && localHour%24 != 0 {
		d--
	}
	return dateOf(time.Unix(d*86400, 0).UTC()), int(((d % 7) + 7 + 4) % 7)
}

// bucketOfDate is the index of the bucket a local date falls in.
func (bk bucketing) bucketOfDate(d types.Date) int {
	i := 0
	for j, from := range bk.froms {
		if from <= d {
			i = j
		}
	}
	return i
}

// noShows is the no-show report: the rate (no-shows out of appointments
// whose outcome is recorded) overall, over time and by location, service,
// weekday, hour, lead source, lead time, reminder confirmation,
// practitioner and weekday × hour.
func (s *Service) noShows(ctx context.Context, r *run) error {
	bk := bucketsOf(r.spec.From, r.spec.To, r.zone)
	tallies := map[Dimension]*tally{
		DimLocation:     newTally("location", DimLocation, "No-show rate by location"),
		DimService:      newTally("service", DimService, "No-show rate by service"),
		DimWeekday:      newTally("weekday", DimWeekday, "No-show rate by weekday"),
		DimHour:         newTally("hour", DimHour, "No-show rate by hour of day"),
		DimSource:       newTally("source", DimSource, "No-show rate by lead source"),
		DimLeadTime:     newTally("lead_time", DimLeadTime, "No-show rate by lead time"),
		DimReminder:     newTally("reminder", DimReminder, "No-show rate by reminder confirmation"),
		DimPractitioner: newTally("practitioner", DimPractitioner, "No-show rate by practitioner"),
	}
	tallies[DimLocation].order = byLabel
	tallies[DimService].order = byLabel
	tallies[DimWeekday].order = byNumericKey
	tallies[DimHour].order = byNumericKey
	tallies[DimLeadTime].order = byNumericKey
	tallies[DimPractitioner].order = byLabel
	cells := newTally("weekday_hour", "", "No-show rate by weekday and hour")
	series := make([][2]int, len(bk.starts))
	var noShows, outcomes int
	staff := map[string]bool{}
	for _, loc := range r.locs {
		sp := spanOf(r.spec.From, r.spec.To, loc.Zone)
		lb := bucketsOf(r.spec.From, r.spec.To, loc.Zone)
		times, err := s.scanNoShowTimes(ctx, loc, sp, r.spec.Filters)
		if err != nil {
			return err
		}
		for _, c := range times {
			noShows += c.noShows
			outcomes += c.outcomes
			date, wd := localDay(c.localHour)
			hour := int(((c.localHour % 24) + 24) % 24)
			if i := lb.bucketOfDate(date); i < len(series) {
				series[i][0] += c.noShows
				series[i][1] += c.outcomes
			}
			tallies[DimLocation].add(string(loc.ID), loc.Name, c.noShows, c.outcomes)
			tallies[DimWeekday].add(strconv.Itoa(wd), weekdayNames[wd], c.noShows, c.outcomes)
			tallies[DimHour].add(strconv.Itoa(hour), hourLabel(hour), c.noShows, c.outcomes)
			key := fmt.Sprintf("%d-%02d", wd, hour)
			cells.add(key, weekdayNames[wd]+" "+hourLabel(hour), c.noShows, c.outcomes)
		}
		attrs, err := s.scanNoShowAttrs(ctx, loc, sp, r.spec.Filters)
		if err != nil {
			return err
		}
		for _, c := range attrs {
			tallies[DimService].add(c.service, c.service, c.noShows, c.outcomes)
			lt := leadTimeOf(c.leadDays)
			tallies[DimLeadTime].add(strconv.Itoa(lt), leadTimes[lt].label, c.noShows, c.outcomes)
			conf := "not_confirmed"
			label := "Reminder not confirmed"
			if c.confirmed {
				conf, label = "confirmed", "Reminder confirmed"
			}
			tallies[DimReminder].add(conf, label, c.noShows, c.outcomes)
			if c.staff != "" {
				staff[c.staff] = true
			}
			tallies[DimPractitioner].add(c.staff, c.staff, c.noShows, c.outcomes)
		}
		bySource, err := s.scanNoShowSources(ctx, loc, sp, r.spec.Filters)
		if err != nil {
			return err
		}
		for src, c := range bySource {
			tallies[DimSource].add(src, sourceLabel(src), c[0], c[1])
		}
	}
	if err := s.labelStaff(ctx, tallies[DimPractitioner]); err != nil {
		return err
	}
	// The comparison period: the totals only.
	var prevNo, prevOut int
	if r.spec.CompareFrom != nil {
		for _, loc := range r.locs {
			sp := spanOf(*r.spec.CompareFrom, *r.spec.CompareTo, loc.Zone)
			n, o, err := s.noShowTotals(ctx, loc, sp, r.spec.Filters)
			if err != nil {
				return err
			}
			prevNo += n
			prevOut += o
		}
	}
	rt := rateTotal("no_show_rate", "No-show rate", noShows, outcomes, r.spec.CompareFrom != nil, prevNo, prevOut)
	rt.LowerIsBetter = true
	r.res.Totals = append(r.res.Totals, rt,
		countTotal("no_shows", "No-shows", noShows, r.spec.CompareFrom != nil, prevNo, true),
		countTotal("attended", "Attended", outcomes-noShows, r.spec.CompareFrom != nil, prevOut-prevNo, false),
		countTotal("appointments", "Appointments with an outcome", outcomes, r.spec.CompareFrom != nil, prevOut, false))
	ser := Series{Key: "no_show_rate", Label: "No-show rate", Unit: UnitRate, Points: []Point{}}
	for i := range bk.starts {
		ser.Points = append(ser.Points, Point{Label: bk.labels[i], From: bk.froms[i], To: bk.tos[i],
			Value: rate(series[i][0], series[i][1]), Count: ptr(series[i][0]), Denominator: ptr(series[i][1])})
	}
	r.res.Series = append(r.res.Series, ser)
	for _, d := range r.dims([]Dimension{DimLocation, DimService, DimWeekday, DimHour, DimSource, DimLeadTime, DimReminder, DimPractitioner}) {
		if t := tallies[d]; t != nil {
			r.res.Breakdowns = append(r.res.Breakdowns, t.breakdown(UnitRate))
		}
	}
	cells.order = byNumericKeyPair
	r.res.Breakdowns = append(r.res.Breakdowns, cells.breakdown(UnitRate))
	return nil
}

// byNumericKeyPair orders "weekday-hour" keys.
func byNumericKeyPair(a, b *Row) int {
	if c := byNumericKey(a, b); c != 0 {
		return c
	}
	_, ah, _ := strings.Cut(a.Key, "-")
	_, bh, _ := strings.Cut(b.Key, "-")
	return atoi(ah) - atoi(bh)
}

// labelStaff replaces practitioner IDs by names ("" is "Not assigned").
func (s *Service) labelStaff(ctx context.Context, t *tally) error {
	var ids []string
	for k := range t.rows {
		if k != "" {
			ids = append(ids, k)
		}
	}
	if r, ok := t.rows[""]; ok {
		r.Label = "Not assigned"
	}
	if len(ids) == 0 {
		return nil
	}
	b := newBuilder(s.Dialect)
	rows, err := s.SQL.QueryContext(ctx, "SELECT id, name, email FROM users WHERE id IN ("+list(b, ids)+")", b.args...)
	if err != nil {
		return fmt.Errorf("reports: practitioners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name, email string
		if err := rows.Scan(&id, &name, &email); err != nil {
			return err
		}
		if name == "" {
			name = email
		}
		t.rows[id].Label = name
	}
	return rows.Err()
}

// serviceNames maps a location's service IDs to their names.
func (s *Service) serviceNames(ctx context.Context, loc pulid.ID) (map[string]string, error) {
	b := newBuilder(s.Dialect)
	rows, err := s.SQL.QueryContext(ctx, "SELECT id, name FROM services WHERE location_id = "+b.arg(string(loc)), b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: services: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
