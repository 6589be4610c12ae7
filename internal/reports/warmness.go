package reports

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/warmnesssnapshot"
)

// Bands are the warmness bands: 0–20, 21–40, 41–60, 61–80, 81–100.
var bandLabels = []string{"0–20", "21–40", "41–60", "61–80", "81–100"}

// HighBand is the band of high-warmness leads (81–100).
const HighBand = 4

// Band is the band of a warmness score.
func Band(score int) int {
	switch {
	case score <= 20:
		return 0
	case score <= 40:
		return 1
	case score <= 60:
		return 2
	case score <= 80:
		return 3
	}
	return 4
}

// bandAt walks one contact's snapshots (sorted by day) to find its band
// on given days.
type bandHistory struct {
	days  []types.Date
	bands []int
}

// at is the band on day d: the latest snapshot at or before it; -1 when
// there is none yet.
func (h *bandHistory) at(d types.Date) int {
	b := -1
	for i, day := range h.days {
		if day > d {
			break
		}
		b = h.bands[i]
	}
	return b
}

// scanBands streams one location's snapshots up to the day last, per
// contact, calling fn with each contact's history.
func (s *Service) scanBands(ctx context.Context, loc location, last types.Date, f Filters, fn func(*bandHistory)) error {
	b := newBuilder(s.Dialect)
	q := "SELECT w.contact_id, w.day, w.band FROM warmness_snapshots w"
	where := " WHERE w.location_id = " + b.arg(string(loc.ID)) + " AND w.day <= " + b.arg(string(last))
	if cf := b.contactFilters(f); cf != "" {
		q += " JOIN contacts c ON c.id = w.contact_id"
		where += cf
	}
	rows, err := s.SQL.QueryContext(ctx, q+where+" ORDER BY w.contact_id, w.day", b.args...)
	if err != nil {
		return fmt.Errorf("reports: warmness snapshots: %w", err)
	}
	defer rows.Close()
	var cur string
	h := &bandHistory{}
	for rows.Next() {
		var id, day string
		var band int
		if err := rows.Scan(&id, &day, &band); err != nil {
			return err
		}
		if id != cur && cur != "" {
			fn(h)
			h = &bandHistory{}
		}
		cur = id
		h.days = append(h.days, types.Date(day))
		h.bands = append(h.bands, band)
	}
	if cur != "" {
		fn(h)
	}
	return rows.Err()
}

func prevDay(d types.Date) types.Date {
	t, _ := time.Parse(types.DateLayout, string(d))
	return dateOf(t.AddDate(0, 0, -1))
}

// warmnessTrends is the warmness report: how many contacts were in each
// band at the end of each week (or month), how contacts moved between
// bands from the day before the period to its last day, and the
// high-warmness (81–100) leads gained and lost.
func (s *Service) warmnessTrends(ctx context.Context, r *run) error {
	bk := bucketsOf(r.spec.From, r.spec.To, r.zone)
	dist := make([][5]int, len(bk.starts))
	before := prevDay(r.spec.From)
	var moves [5][5]int
	var entered [5]int
	var high, prevHigh, gained, lost, up, down int
	last := r.spec.To
	compare := r.spec.CompareFrom != nil
	for _, loc := range r.locs {
		err := s.scanBands(ctx, loc, last, r.spec.Filters, func(h *bandHistory) {
			for i, end := range bk.tos {
				if b := h.at(end); b >= 0 {
					dist[i][b]++
				}
			}
			from, to := h.at(before), h.at(r.spec.To)
			switch {
			case to < 0:
			case from < 0:
				entered[to]++
			default:
				moves[from][to]++
				if to > from {
					up++
				} else if to < from {
					down++
				}
			}
			if to == HighBand {
				high++
				if from != HighBand {
					gained++
				}
			} else if from == HighBand {
				lost++
			}
			if compare && h.at(*r.spec.CompareTo) == HighBand {
				prevHigh++
			}
		})
		if err != nil {
			return err
		}
	}
	r.res.Totals = append(r.res.Totals,
		countTotal("hot_leads", "High-warmness leads (81–100)", high, compare, prevHigh, false),
		Total{Key: "hot_gained", Label: "High-warmness leads gained", Unit: UnitCount, Value: float64(gained)},
		Total{Key: "hot_lost", Label: "High-warmness leads lost", Unit: UnitCount, Value: float64(lost), LowerIsBetter: true},
		Total{Key: "warmed", Label: "Contacts that moved up a band or more", Unit: UnitCount, Value: float64(up)},
		Total{Key: "cooled", Label: "Contacts that moved down a band or more", Unit: UnitCount, Value: float64(down), LowerIsBetter: true})
	for band, label := range bandLabels {
		ser := Series{Key: fmt.Sprintf("band_%d", band), Label: "Warmness " + label, Unit: UnitCount, Points: []Point{}}
		for i := range bk.starts {
			ser.Points = append(ser.Points, Point{Label: bk.labels[i], From: bk.froms[i], To: bk.tos[i], Value: float64(dist[i][band])})
		}
		r.res.Series = append(r.res.Series, ser)
	}
	mv := Breakdown{Key: "movement", Dimension: ptr(DimBand), Label: "Movement between bands", Unit: UnitCount, Rows: []Row{}}
	for from := range 5 {
		for to := range 5 {
			if from != to && moves[from][to] > 0 {
				mv.Rows = append(mv.Rows, Row{Key: fmt.Sprintf("%d-%d", from, to), Label: bandLabels[from] + " → " + bandLabels[to], Count: moves[from][to]})
			}
		}
	}
	for to := range 5 {
		if entered[to] > 0 {
			mv.Rows = append(mv.Rows, Row{Key: fmt.Sprintf("new-%d", to), Label: "New → " + bandLabels[to], Count: entered[to]})
		}
	}
	r.res.Breakdowns = append(r.res.Breakdowns, mv)
	end := Breakdown{Key: "band", Dimension: ptr(DimBand), Label: "Contacts by band at the end of the period", Unit: UnitCount, Rows: []Row{}}
	if n := len(dist); n > 0 {
		for band, label := range bandLabels {
			end.Rows = append(end.Rows, Row{Key: fmt.Sprint(band), Label: label, Count: dist[n-1][band]})
		}
	}
	r.res.Breakdowns = append(r.res.Breakdowns, end)
	return nil
}

// Snapshot writes the day's warmness bands of one location's contacts
// (today in its zone): a row for each contact whose band differs from its
// latest snapshot (today's is replaced). The warmness schedule calls it
// after rescoring, as a job; it returns how many rows it wrote.
func (s *Service) Snapshot(ctx context.Context, loc pulid.ID, zone *time.Location) (int, error) {
	today := dateOf(s.now().In(zone))
	b := newBuilder(s.Dialect)
	q := "SELECT c.id, c.warmness, " +
		"(SELECT w.band FROM warmness_snapshots w WHERE w.contact_id = c.id ORDER BY w.day DESC LIMIT 1), " +
		"(SELECT w.day FROM warmness_snapshots w WHERE w.contact_id = c.id ORDER BY w.day DESC LIMIT 1) " +
		"FROM contacts c WHERE c.location_id = " + b.arg(string(loc)) + " AND c.archived_at IS NULL AND c.merged_into_id IS NULL"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return 0, fmt.Errorf("reports: snapshot: %w", err)
	}
	type change struct {
		id      pulid.ID
		score   int
		replace bool
	}
	var changes []change
	for rows.Next() {
		var id pulid.ID
		var score int
		var band sql.NullInt64
		var day sql.NullString
		if err := rows.Scan(&id, &score, &band, &day); err != nil {
			rows.Close()
			return 0, err
		}
		if !band.Valid || int(band.Int64) != Band(score) {
			changes = append(changes, change{id, score, day.Valid && types.Date(day.String) == today})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	c := s.client(ctx)
	for part := range slices.Chunk(changes, 500) {
		var replace []pulid.ID
		for _, ch := range part {
			if ch.replace {
				replace = append(replace, ch.id)
			}
		}
		if len(replace) > 0 {
			if _, err := c.WarmnessSnapshot.Delete().Where(warmnesssnapshot.ContactIDIn(replace...), warmnesssnapshot.Day(string(today))).Exec(ctx); err != nil {
				return 0, err
			}
		}
		creates := make([]*ent.WarmnessSnapshotCreate, 0, len(part))
		for _, ch := range part {
			creates = append(creates, c.WarmnessSnapshot.Create().SetLocationID(loc).SetContactID(ch.id).
				SetDay(string(today)).SetScore(ch.score).SetBand(Band(ch.score)))
		}
		if err := c.WarmnessSnapshot.CreateBulk(creates...).Exec(ctx); err != nil {
			return 0, fmt.Errorf("reports: snapshot: %w", err)
		}
	}
	return len(changes), nil
}

// SnapshotAll writes the day's warmness snapshots of every location (see
// Snapshot); ctx is the warmness job's, which acts everywhere.
func (s *Service) SnapshotAll(ctx context.Context) (int, error) {
	rows, err := s.SQL.QueryContext(ctx, "SELECT id, timezone FROM locations ORDER BY id")
	if err != nil {
		return 0, fmt.Errorf("reports: locations: %w", err)
	}
	type loc struct {
		id   pulid.ID
		zone string
	}
	var locs []loc
	for rows.Next() {
		var l loc
		if err := rows.Scan(&l.id, &l.zone); err != nil {
			rows.Close()
			return 0, err
		}
		locs = append(locs, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	total := 0
	for _, l := range locs {
		zone, err := time.LoadLocation(l.zone)
		if err != nil {
			return total, fmt.Errorf("reports: location %s: zone %q: %w", l.id, l.zone, err)
		}
		n, err := s.Snapshot(ctx, l.id, zone)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
