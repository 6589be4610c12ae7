package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
)

// builder collects a query's arguments with placeholders in the
// dialect's style (? for SQLite, $n for PostgreSQL). The SQL is written
// to run the same on both: no date functions but the number of seconds
// since 1970 (epoch); every day, week, month, local hour and weekday is
// computed from boundaries and zone offsets worked out in Go, in the
// location's zone, so a daylight-saving change moves nothing.
type builder struct {
	dialect string
	args    []any
}

func newBuilder(d string) *builder { return &builder{dialect: d} }

// arg adds an argument and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	if b.dialect == dialect.Postgres {
		return "$" + strconv.Itoa(len(b.args))
	}
	return "?"
}

// list adds the values and returns "p1, p2, …".
func list[T any](b *builder, vs []T) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = b.arg(v)
	}
	return strings.Join(ph, ", ")
}

// epoch is col (a timestamp) as whole seconds since 1970 UTC. SQLite
// stores ent's times as text in UTC (internal/db's driver), which
// unixepoch reads (an integer: no text to format and parse again, as
// strftime('%s') would); PostgreSQL's timestamptz is an instant.
func (b *builder) epoch(col string) string {
	if b.dialect == dialect.Postgres {
		return "CAST(EXTRACT(EPOCH FROM " + col + ") AS BIGINT)"
	}
	return "unixepoch(" + col + ")"
}

// offset is the zone's offset from UTC in seconds at col, for col in
// [from, to): a CASE over the zone's transitions in that span (a year in
// Sydney has two or three).
func (b *builder) offset(col string, zone *time.Location, from, to time.Time) string {
	type seg struct {
		end time.Time
		off int
	}
	var segs []seg
	t := from
	for t.Before(to) {
		_, off := t.In(zone).Zone()
		_, end := t.In(zone).ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			segs = append(segs, seg{to, off})
			break
		}
		segs = append(segs, seg{end, off})
		t = end
	}
	if len(segs) == 1 {
		return strconv.Itoa(segs[0].off)
	}
	var s strings.Builder
	s.WriteString("(CASE")
	for _, g := range segs[:len(segs)-1] {
		fmt.Fprintf(&s, " WHEN %s < %s THEN %d", col, b.arg(g.end.UTC()), g.off)
	}
	fmt.Fprintf(&s, " ELSE %d END)", segs[len(segs)-1].off)
	return s.String()
}

// localSeconds is col in seconds since 1970 on the location's wall clock.
func (b *builder) localSeconds(col string, zone *time.Location, from, to time.Time) string {
	return "(" + b.epoch(col) + " + " + b.offset(col, zone, from, to) + ")"
}

// hour is the local hour of col, 0 to 23.
func (b *builder) hour(col string, zone *time.Location, from, to time.Time) string {
	return "((" + b.localSeconds(col, zone, from, to) + " / 3600) % 24)"
}

// weekday is the local weekday of col, 0 (Sunday) to 6: 1 January 1970
// was a Thursday (4).
func (b *builder) weekday(col string, zone *time.Location, from, to time.Time) string {
	return "(((" + b.localSeconds(col, zone, from, to) + " / 86400) + 4) % 7)"
}

// bucket is the index of the bucket col falls in, given the buckets'
// starts (ascending; the last bucket ends where the query's range ends):
// 0 before starts[1], 1 before starts[2], and so on.
func (b *builder) bucket(col string, starts []time.Time) string {
	if len(starts) <= 1 {
		return "0"
	}
	var s strings.Builder
	s.WriteString("(CASE")
	for i, st := range starts[1:] {
		fmt.Fprintf(&s, " WHEN %s < %s THEN %d", col, b.arg(st.UTC()), i)
	}
	fmt.Fprintf(&s, " ELSE %d END)", len(starts)-1)
	return s.String()
}
