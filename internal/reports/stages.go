package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// stageOrder is the patient journey (ent/schema.Stages, in order): a
// conversion from a stage reaches any stage after it.
var stageOrder = []string{
	"new_lead", "contacted", "qualified", "booked",
	"confirmed", "reminded", "ready",
	"completed", "results_sent", "recalled",
	"referral_sent", "partnership_active",
}

func stageLabel(s string) string {
	return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
}

// stageMove is a move into a stage during the period: when, when the
// contact had entered the stage it left (0: unknown), and the furthest
// stage (its index in stageOrder) the contact reached after it (-1: none).
type stageMove struct {
	contact       string
	from, to      string
	at, fromEntry int64
	furthest      int
}

func (b *builder) stageIndex(col string) string {
	var s strings.Builder
	s.WriteString("(CASE " + col)
	for i, st := range stageOrder {
		fmt.Fprintf(&s, " WHEN '%s' THEN %d", st, i)
	}
	s.WriteString(" ELSE -1 END)")
	return s.String()
}

// move is one stage change of a contact, as the ordered scan reads it.
type move struct {
	from, to string
	t        time.Time // exact: "before" and "after" compare it
	at       int64     // seconds since 1970: durations use it
	inPeriod bool
}

// scanStageMoves reads the moves made at the location during the span,
// each with when the contact had entered the stage it left (their latest
// earlier move into it, or for new_lead their creation) and the furthest
// stage they reached later (at any location, up to now). One ordered scan
// of every move of the contacts who moved here in the span, contact by
// contact and in time order (covering indexes on (location_id, at,
// contact_id) and (contact_id, at, from_stage, to_stage, location_id));
// the rest is worked out here, contact by contact.
func (s *Service) scanStageMoves(ctx context.Context, loc location, sp span) ([]stageMove, error) {
	b := newBuilder(s.Dialect)
	in := "s.location_id = " + b.arg(string(loc.ID)) + " AND s.at >= " + b.arg(sp.start) + " AND s.at < " + b.arg(sp.end)
	// The move's time is read as a time (exact to the fraction of a second,
	// which the seconds since 1970 drop): "before" and "after" compare it.
	q := "SELECT s.contact_id, COALESCE(s.from_stage, ''), s.to_stage, s.at, " +
		"CASE WHEN " + in + " THEN 1 ELSE 0 END, " + b.epoch("c.created_at") + " " +
		"FROM stage_changes s LEFT JOIN contacts c ON c.id = s.contact_id " +
		"WHERE s.contact_id IN (SELECT p.contact_id FROM stage_changes p WHERE p.location_id = " + b.arg(string(loc.ID)) +
		" AND p.at >= " + b.arg(sp.start) + " AND p.at < " + b.arg(sp.end) + ") ORDER BY s.contact_id, s.at"
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: stages: %w", err)
	}
	defer rows.Close()
	var out []stageMove
	var cur string
	var created sql.NullInt64
	var ms []move
	flush := func() {
		out = contactMoves(out, cur, created, ms)
		ms = ms[:0]
	}
	// The text columns are read as raw bytes: a contact's ID is copied
	// once per contact and a stage's name not at all, not once per row.
	var id, from, to sql.RawBytes
	for rows.Next() {
		var m move
		var inPeriod int
		var cr sql.NullInt64
		if err := rows.Scan(&id, &from, &to, &m.t, &inPeriod, &cr); err != nil {
			return nil, err
		}
		m.at = m.t.Unix()
		if string(id) != cur {
			if cur != "" {
				flush()
			}
			cur = string(id)
		}
		created = cr
		m.from, m.to, m.inPeriod = internStage(from), internStage(to), inPeriod == 1
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if cur != "" {
		flush()
	}
	return out, nil
}

// contactMoves adds one contact's moves in the period to out. ms are all
// the contact's moves in time order.
func contactMoves(out []stageMove, contact string, created sql.NullInt64, ms []move) []stageMove {
	for i, m := range ms {
		if !m.inPeriod {
			continue
		}
		sm := stageMove{contact: contact, from: m.from, to: m.to, at: m.at, furthest: -1}
		// The latest move into the stage left, strictly before this one.
		entry := -1
		for j := i - 1; j >= 0; j-- {
			if ms[j].t.Before(m.t) && ms[j].to == m.from && m.from != "" {
				entry = j
				break
			}
		}
		switch {
		case entry >= 0:
			sm.fromEntry = ms[entry].at
		case m.from == "new_lead" && created.Valid:
			// A contact's first move leaves the stage it was created in.
			sm.fromEntry = created.Int64
		}
		// The furthest stage reached by the moves strictly after it.
		for j := i + 1; j < len(ms); j++ {
			if ms[j].t.After(m.t) {
				sm.furthest = max(sm.furthest, index(ms[j].to))
			}
		}
		out = append(out, sm)
	}
	return out
}

// internStage returns the stage's name without a copy per row.
func internStage(b []byte) string {
	for _, st := range stageOrder {
		if string(b) == st {
			return st
		}
	}
	return string(b)
}

// stages is the pipeline stage report: per stage, the contacts who
// entered it in the period and how many of them moved further along the
// journey (conversion), and the median days spent in it by the moves out
// of it during the period.
func (s *Service) stages(ctx context.Context, r *run) error {
	entered := map[string]map[string]bool{}
	converted := map[string]map[string]bool{}
	durations := map[string][]float64{}
	moves := 0
	for _, loc := range r.locs {
		ms, err := s.scanStageMoves(ctx, loc, spanOf(r.spec.From, r.spec.To, loc.Zone))
		if err != nil {
			return err
		}
		moves += len(ms)
		for _, m := range ms {
			if entered[m.to] == nil {
				entered[m.to], converted[m.to] = map[string]bool{}, map[string]bool{}
			}
			entered[m.to][m.contact] = true
			if idx := index(m.to); m.furthest > idx && idx >= 0 {
				converted[m.to][m.contact] = true
			}
			if m.from != "" && m.fromEntry > 0 && m.at >= m.fromEntry {
				durations[m.from] = append(durations[m.from], float64(m.at-m.fromEntry)/86400)
			}
		}
	}
	conv := Breakdown{Key: "stage", Dimension: ptr(DimStage), Label: "Conversion by stage", Unit: UnitRate, Rows: []Row{}}
	for i, st := range stageOrder {
		n := len(entered[st])
		_, hasTime := durations[st]
		if n == 0 && !hasTime {
			continue
		}
		row := Row{Key: st, Label: stageLabel(st), Count: len(converted[st]), Denominator: ptr(n), LowSample: n < MinSample}
		if n > 0 && i < len(stageOrder)-1 {
			row.Rate = ptr(rate(len(converted[st]), n))
		}
		if m := median(durations[st]); m != nil {
			row.MedianDays = ptr(round1(*m))
			row.Value = ptr(round1(*m))
		}
		conv.Rows = append(conv.Rows, row)
	}
	r.res.Breakdowns = append(r.res.Breakdowns, conv)
	timeIn := Breakdown{Key: "time_in_stage", Dimension: ptr(DimStage), Label: "Median days in stage", Unit: UnitDays, Rows: []Row{}}
	for _, st := range stageOrder {
		if m := median(durations[st]); m != nil {
			timeIn.Rows = append(timeIn.Rows, Row{Key: st, Label: stageLabel(st), Count: len(durations[st]), Value: ptr(round1(*m)), MedianDays: ptr(round1(*m)), LowSample: len(durations[st]) < MinSample})
		}
	}
	r.res.Breakdowns = append(r.res.Breakdowns, timeIn)
	r.res.Totals = append(r.res.Totals, Total{Key: "stage_moves", Label: "Stage moves", Unit: UnitCount, Value: float64(moves)})
	return nil
}

func index(stage string) int {
	for i, s := range stageOrder {
		if s == stage {
			return i
		}
	}
	return -1
}
