package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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

func (s *Service) scanStageMoves(ctx context.Context, loc location, sp span) ([]stageMove, error) {
	b := newBuilder(s.Dialect)
	q := "SELECT sc.contact_id, COALESCE(sc.from_stage, ''), sc.to_stage, " + b.epoch("sc.at") + ", " +
		"(SELECT MAX(" + b.epoch("p.at") + ") FROM stage_changes p WHERE p.contact_id = sc.contact_id AND p.at < sc.at AND p.to_stage = sc.from_stage), " +
		"(SELECT " + b.epoch("c.created_at") + " FROM contacts c WHERE c.id = sc.contact_id), " +
		"(SELECT MAX(" + b.stageIndex("n.to_stage") + ") FROM stage_changes n WHERE n.contact_id = sc.contact_id AND n.at > sc.at) " +
		"FROM stage_changes sc WHERE sc.location_id = " + b.arg(string(loc.ID)) +
		" AND sc.at >= " + b.arg(sp.start) + " AND sc.at < " + b.arg(sp.end)
	rows, err := s.SQL.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: stages: %w", err)
	}
	defer rows.Close()
	var out []stageMove
	for rows.Next() {
		var m stageMove
		var entry, created, furthest sql.NullInt64
		if err := rows.Scan(&m.contact, &m.from, &m.to, &m.at, &entry, &created, &furthest); err != nil {
			return nil, err
		}
		m.fromEntry = entry.Int64
		if !entry.Valid && m.from == "new_lead" && created.Valid {
			// A contact's first move leaves the stage it was created in.
			m.fromEntry = created.Int64
		}
		m.furthest = -1
		if furthest.Valid {
			m.furthest = int(furthest.Int64)
		}
		out = append(out, m)
	}
	return out, rows.Err()
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
