package pipeline

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// StageStat is one stage's numbers for a period [from, to).
type StageStat struct {
	Pipeline contact.Pipeline
	Stage    contact.Stage
	// Current counts the contacts in the stage now (archived ones aside),
	// whatever the period.
	Current int
	// Entered counts the moves into the stage during the period.
	Entered int
	// EnteredContacts counts the different contacts behind Entered: the
	// cohort the conversion rate is about.
	EnteredContacts int
	// NextStage is the stage a conversion reaches (see NextStage); nil for
	// partnership_active.
	NextStage *contact.Stage
	// Converted counts the cohort's contacts who, after entering the stage
	// in the period, entered the next stage or skipped past it along the
	// patient journey, at any time up to now.
	Converted int
	// ConversionRate is Converted / EnteredContacts, from 0 to 1; nil when
	// nobody entered or the stage has no next stage.
	ConversionRate *float64
	// Exits counts the moves out of the stage during the period whose
	// entry is known: the sample of MedianTimeInStage.
	Exits int
	// MedianTimeInStage is the median time from entering the stage to
	// leaving it, over the moves that left it during the period; nil
	// without any.
	MedianTimeInStage *time.Duration
}

// change is the part of a StageChange the analytics read.
type change struct {
	contact pulid.ID
	from    contact.Stage // "" for a contact's first recorded stage
	to      contact.Stage
	at      time.Time
	id      pulid.ID
}

// chunk bounds the IDs in one IN (…) list: SQLite allows 32766 variables and
// PostgreSQL 65535, and smaller statements plan faster.
const chunk = 500

// DefaultPeriod is how far back stage analytics look when not told.
const DefaultPeriod = 30 * 24 * time.Hour

// Period fills in an analytics period: to defaults to now, from to
// DefaultPeriod before to.
func (s *Service) Period(from, to *time.Time) (time.Time, time.Time) {
	end := s.Now.Now()
	if to != nil {
		end = *to
	}
	start := end.Add(-DefaultPeriod)
	if from != nil {
		start = *from
	}
	return start, end
}

// Analytics returns each stage's numbers for the period [from, to), in
// pipeline order, read from the StageChange history of the viewer's
// location (see StageStat for each figure).
//
// The time in a stage runs from the latest move into it to the move out. A
// contact's first recorded move leaves the stage it was created in, so that
// stage's entry is the contact's creation; a move out without any known
// entry (the stage was set by other means) is left out of the median.
//
// The work is done in Go over the history of the contacts that moved in the
// period, with plain queries that run the same on SQLite and PostgreSQL.
func (s *Service) Analytics(ctx context.Context, from, to time.Time) ([]StageStat, error) {
	if !from.Before(to) {
		return nil, apperr.Invalidf("from", "the period must start before it ends")
	}
	from, to = from.UTC(), to.UTC()
	c := s.Client
	if tc := ent.FromContext(ctx); tc != nil {
		c = tc
	}
	current, err := currentCounts(ctx, c)
	if err != nil {
		return nil, err
	}
	moved, err := c.StageChange.Query().
		Where(stagechange.AtGTE(from), stagechange.AtLT(to)).
		Unique(true).Select(stagechange.FieldContactID).Strings(ctx)
	if err != nil {
		return nil, err
	}
	history := map[pulid.ID][]change{}
	for part := range slices.Chunk(moved, chunk) {
		ids := make([]pulid.ID, len(part))
		for i, id := range part {
			ids[i] = pulid.ID(id)
		}
		rows, err := c.StageChange.Query().
			Where(stagechange.ContactIDIn(ids...)).
			Select(stagechange.FieldContactID, stagechange.FieldFromStage, stagechange.FieldToStage, stagechange.FieldAt).
			All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			ch := change{contact: r.ContactID, to: contact.Stage(r.ToStage), at: r.At.UTC(), id: r.ID}
			if r.FromStage != nil {
				ch.from = contact.Stage(*r.FromStage)
			}
			history[r.ContactID] = append(history[r.ContactID], ch)
		}
	}
	for _, hs := range history {
		sortChanges(hs)
	}
	created, err := creationTimes(ctx, c, history, from, to)
	if err != nil {
		return nil, err
	}
	return compute(current, history, created, from, to), nil
}

// currentCounts counts the contacts in each stage now.
func currentCounts(ctx context.Context, c *ent.Client) (map[contact.Stage]int, error) {
	var rows []struct {
		Stage contact.Stage `json:"stage"`
		Count int           `json:"count"`
	}
	if err := c.Contact.Query().Where(contact.ArchivedAtIsNil()).
		GroupBy(contact.FieldStage).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[contact.Stage]int, len(rows))
	for _, r := range rows {
		out[r.Stage] = r.Count
	}
	return out, nil
}

// creationTimes returns when each contact was created, for the contacts
// whose first recorded move (histories are sorted by time) leaves its
// stage during the period: the only moves whose entry is the creation.
func creationTimes(ctx context.Context, c *ent.Client, history map[pulid.ID][]change, from, to time.Time) (map[pulid.ID]time.Time, error) {
	var need []pulid.ID
	for id, hs := range history {
		first := hs[0]
		if first.from != "" && !first.at.Before(from) && first.at.Before(to) {
			need = append(need, id)
		}
	}
	out := make(map[pulid.ID]time.Time, len(need))
	for part := range slices.Chunk(need, chunk) {
		var rows []struct {
			ID        pulid.ID  `json:"id"`
			CreatedAt time.Time `json:"created_at"`
		}
		if err := c.Contact.Query().Where(contact.IDIn(part...)).
			Select(contact.FieldID, contact.FieldCreatedAt).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r.CreatedAt.UTC()
		}
	}
	return out, nil
}

func sortChanges(hs []change) {
	slices.SortFunc(hs, func(a, b change) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.id, b.id))
	})
}

// compute turns the histories (each sorted by time) into the stats.
func compute(current map[contact.Stage]int, history map[pulid.ID][]change, created map[pulid.ID]time.Time, from, to time.Time) []StageStat {
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	entered := map[contact.Stage]int{}
	cohort := map[contact.Stage]int{}
	converted := map[contact.Stage]int{}
	durations := map[contact.Stage][]time.Duration{}
	for id, hs := range history {
		firstEntry := map[contact.Stage]int{} // stage → index of the first entry in the period
		for i, ch := range hs {
			if !in(ch.at) {
				continue
			}
			entered[ch.to]++
			if _, ok := firstEntry[ch.to]; !ok {
				firstEntry[ch.to] = i
			}
			if ch.from == "" {
				continue
			}
			// Time in the stage just left: back to the latest entry.
			entry, known := time.Time{}, false
			for j := i - 1; j >= 0; j-- {
				if hs[j].to == ch.from {
					entry, known = hs[j].at, true
					break
				}
			}
			if !known && i == 0 {
				entry, known = created[id]
			}
			if known && !entry.After(ch.at) {
				durations[ch.from] = append(durations[ch.from], ch.at.Sub(entry))
			}
		}
		for st, i := range firstEntry {
			cohort[st]++
			for _, later := range hs[i+1:] {
				if reached(st, later.to) {
					converted[st]++
					break
				}
			}
		}
	}
	out := make([]StageStat, 0, len(Stages))
	for _, st := range Stages {
		ss := StageStat{
			Pipeline:        PipelineOf(st),
			Stage:           st,
			Current:         current[st],
			Entered:         entered[st],
			EnteredContacts: cohort[st],
			Converted:       converted[st],
			Exits:           len(durations[st]),
		}
		if next, ok := NextStage(st); ok {
			ss.NextStage = &next
			if ss.EnteredContacts > 0 {
				r := float64(ss.Converted) / float64(ss.EnteredContacts)
				ss.ConversionRate = &r
			}
		}
		if d := durations[st]; len(d) > 0 {
			m := median(d)
			ss.MedianTimeInStage = &m
		}
		out = append(out, ss)
	}
	return out
}

// median of ds (not empty); the mean of the middle two for an even count.
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return ds[n/2-1] + (ds[n/2]-ds[n/2-1])/2
}
