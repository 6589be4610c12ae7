package ui

// The bookings calendar's layout: pure functions from bookings to the
// view's grid, no I/O.
//
// The day and week views are a <table>: one row per slot (the location's
// slot minutes, between its opening hours, widened to fit any booking
// outside them), a column group per day (week) or room (day), and in each
// group one column per lane, as many as its bookings overlap. A booking is
// the cell of its first slot, spanning the rows of its slots (rowspan), so
// the placement needs no inline style and no generated CSS. Empty cells
// link to the new booking form at their time.
//
// Times are the location's. The week view's rows are wall-clock times, the
// same for every day; a booking sits at its local start. The day view's
// rows are instants, one slot apart from the first: on a day whose clocks
// change, its whole-day grid has 25 hours (or 23) and the repeated hour
// shows twice, with the zone's abbreviation.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

const (
	calDateLayout = "2006-01-02"
	// calMonthPreview is how many bookings a day of the month view lists.
	calMonthPreview = 3
	calDayMinutes   = 24 * 60
)

// calHours are a location's bookable hours and slot, in minutes.
type calHours struct{ open, close, slot int }

// calHoursOf reads the location's settings, falling back to 07:00–19:00 in
// 15-minute slots for anything unusable.
func calHoursOf(s types.LocationSettings) calHours {
	d := types.DefaultLocationSettings()
	h := calHours{open: calMustClock(d.OpensAt), close: calMustClock(d.ClosesAt), slot: d.SlotMinutes}
	o, okO := calClock(s.OpensAt)
	c, okC := calClock(s.ClosesAt)
	if okO && okC && c > o {
		h.open, h.close = o, c
	}
	if s.SlotMinutes >= 5 && s.SlotMinutes <= 120 {
		h.slot = s.SlotMinutes
	}
	return h
}

// calClock parses "HH:MM" (00:00 to 24:00) as minutes after midnight.
func calClock(s string) (int, bool) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, false
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h*60+m > calDayMinutes {
		return 0, false
	}
	return h*60 + m, true
}

func calMustClock(s string) int {
	m, _ := calClock(s)
	return m
}

// calDate is a calendar date, as midnight UTC: date arithmetic on it never
// meets a daylight-saving change.
func calDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// calDateOf is the local date of t in tz.
func calDateOf(t time.Time, tz *time.Location) time.Time { return calDate(t.In(tz).Date()) }

// calAt is the instant of a local wall-clock time (minutes after
// midnight) on a date in tz. A time the clocks skip comes out an hour
// later (Go's rule); calWallOK tells.
func calAt(day time.Time, minute int, tz *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, minute, 0, 0, tz)
}

// calWallOK reports whether t shows the wall-clock time minute on day in tz:
// false for a time the clocks skipped.
func calWallOK(t, day time.Time, minute int, tz *time.Location) bool {
	l := t.In(tz)
	return calDate(l.Date()) == day && l.Hour()*60+l.Minute() == minute
}

// calLocalMinutes is t's local time of day in minutes, and its date.
func calLocalMinutes(t time.Time, tz *time.Location) (time.Time, int) {
	l := t.In(tz)
	return calDate(l.Date()), l.Hour()*60 + l.Minute()
}

func calFloorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func calCeilDiv(a, b int) int { return -calFloorDiv(-a, b) }

// calWeekStart is the Monday on or before day.
func calWeekStart(day time.Time) time.Time {
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// calPeriod is what a view shows: the days it fetches (from–to: the whole
// weeks around a month), the days it is about (first–last), and where
// Previous and Next go.
type calPeriod struct {
	anchor, from, to, first, last, prev, next time.Time
	// unit names the period: day, week, month.
	unit string
}

// calPeriodOf is the period of a view around the anchor date: the day, the
// week (Monday to Sunday) or the month. A month's anchor becomes its 1st.
func calPeriodOf(view string, anchor time.Time) calPeriod {
	switch view {
	case views.ViewDay:
		return calPeriod{anchor: anchor, from: anchor, to: anchor, first: anchor, last: anchor,
			prev: anchor.AddDate(0, 0, -1), next: anchor.AddDate(0, 0, 1), unit: "day"}
	case views.ViewWeek:
		mon := calWeekStart(anchor)
		return calPeriod{anchor: anchor, from: mon, to: mon.AddDate(0, 0, 6), first: mon, last: mon.AddDate(0, 0, 6),
			prev: mon.AddDate(0, 0, -7), next: mon.AddDate(0, 0, 7), unit: "week"}
	}
	first := calDate(anchor.Year(), anchor.Month(), 1)
	last := first.AddDate(0, 1, -1)
	return calPeriod{anchor: first, from: calWeekStart(first), to: last.AddDate(0, 0, (7-int(last.Weekday()))%7),
		first: first, last: last, prev: first.AddDate(0, -1, 0), next: first.AddDate(0, 1, 0), unit: "month"}
}

// has reports whether the day is one the period is about.
func (p calPeriod) has(day time.Time) bool { return !day.Before(p.first) && !day.After(p.last) }

// calItem is a booking placed in a group's rows [r0, r1).
type calItem struct {
	a      views.Appointment
	g      int
	r0, r1 int
}

// gridInput is what calAssemble lays out.
type gridInput struct {
	groups []views.CalGroup
	labels []string
	hours  []bool
	items  []calItem
	// slotAt is the instant of row i in group g; false when the time
	// does not exist there.
	slotAt func(g, i int) (time.Time, bool)
	// create links an empty slot to the new booking form; nil when the
	// viewer may not create bookings.
	create func(t time.Time) string
	tz     *time.Location
	// rooms marks column groups that are rooms (the day view).
	rooms bool
}

// calWeekGrid lays out the days (calDate dates) of the week view. Rows are
// wall-clock times from the opening hours (or the whole day), widened to
// every booking's local times.
func calWeekGrid(days []time.Time, today time.Time, as []views.Appointment, h calHours, wholeDay bool, tz *time.Location) gridInput {
	from, to := h.open, h.close
	if wholeDay {
		from, to = 0, calDayMinutes
	}
	type span struct {
		day    time.Time
		sm, em int
	}
	spans := make([]span, len(as))
	for i, a := range as {
		sd, sm := calLocalMinutes(a.Booking.StartsAt, tz)
		ed, em := calLocalMinutes(a.Booking.EndsAt, tz)
		if ed.After(sd) {
			em = calDayMinutes
		}
		spans[i] = span{sd, sm, em}
		from = min(from, h.open+calFloorDiv(sm-h.open, h.slot)*h.slot)
		to = max(to, h.open+calCeilDiv(em-h.open, h.slot)*h.slot)
	}
	from, to = max(from, 0), min(to, calDayMinutes)
	n := max(calCeilDiv(to-from, h.slot), 1)
	in := gridInput{tz: tz}
	for i := range n {
		m := from + i*h.slot
		in.labels = append(in.labels, fmt.Sprintf("%02d:%02d", m/60, m%60))
		in.hours = append(in.hours, m%60 == 0)
	}
	index := map[time.Time]int{}
	for g, d := range days {
		index[d] = g
		in.groups = append(in.groups, views.CalGroup{
			Label: d.Format("Mon 2"), Sub: d.Format("Jan"), Date: d.Format(calDateLayout),
			Today: d.Equal(today), Lanes: 1,
		})
	}
	for i, a := range as {
		g, ok := index[spans[i].day]
		if !ok {
			continue
		}
		r0 := calFloorDiv(spans[i].sm-from, h.slot)
		r1 := calCeilDiv(spans[i].em-from, h.slot)
		r0 = min(max(r0, 0), n-1)
		r1 = min(max(r1, r0+1), n)
		in.items = append(in.items, calItem{a: a, g: g, r0: r0, r1: r1})
	}
	in.slotAt = func(g, i int) (time.Time, bool) {
		m := from + i*h.slot
		t := calAt(days[g], m, tz)
		return t, calWallOK(t, days[g], m, tz)
	}
	return in
}

// calDayGrid lays out one day (a calDate date) in columns per room. Rows are
// instants a slot apart from the opening time (or local midnight), so a
// 25-hour day has 25 hours of rows.
func calDayGrid(day, today time.Time, rooms []string, as []views.Appointment, h calHours, wholeDay bool, tz *time.Location) gridInput {
	midnight, next := calAt(day, 0, tz), calAt(day.AddDate(0, 0, 1), 0, tz)
	start, end := calAt(day, h.open, tz), calAt(day, h.close, tz)
	if wholeDay {
		start, end = midnight, next
	}
	slot := time.Duration(h.slot) * time.Minute
	slots := func(d time.Duration) int { return int((d + slot - 1) / slot) }
	for _, a := range as {
		if s := a.Booking.StartsAt; s.Before(start) {
			start = start.Add(-time.Duration(slots(start.Sub(s))) * slot)
		}
		if e := a.Booking.EndsAt; e.After(end) {
			end = start.Add(time.Duration(slots(e.Sub(start))) * slot)
		}
	}
	// A booking past midnight is cut at the day's end.
	if start.Before(midnight) {
		start = midnight
	}
	if end.After(next) {
		end = next
	}
	n := max(slots(end.Sub(start)), 1)
	in := gridInput{tz: tz, rooms: true}
	_, off0 := start.In(tz).Zone()
	_, off1 := start.Add(time.Duration(n-1) * slot).In(tz).Zone()
	for i := range n {
		t := start.Add(time.Duration(i) * slot).In(tz)
		label := t.Format("15:04")
		if off0 != off1 {
			label = t.Format("15:04 MST")
		}
		in.labels = append(in.labels, label)
		in.hours = append(in.hours, t.Minute() == 0)
	}
	index := map[string]int{}
	for g, r := range rooms {
		index[r] = g
		label := r
		if r == "" {
			label = "Other"
		}
		in.groups = append(in.groups, views.CalGroup{Label: label, Date: day.Format(calDateLayout), Today: day.Equal(today), Lanes: 1})
	}
	if len(in.groups) == 0 {
		in.groups = []views.CalGroup{{Label: "Bookings", Date: day.Format(calDateLayout), Today: day.Equal(today), Lanes: 1}}
	}
	for _, a := range as {
		g := index[a.Service.Resource] // an unknown room goes to the first column
		r0 := int(a.Booking.StartsAt.Sub(start) / slot)
		r1 := slots(a.Booking.EndsAt.Sub(start))
		r0 = min(max(r0, 0), n-1)
		r1 = min(max(r1, r0+1), n)
		in.items = append(in.items, calItem{a: a, g: g, r0: r0, r1: r1})
	}
	in.slotAt = func(_, i int) (time.Time, bool) { return start.Add(time.Duration(i) * slot), true }
	return in
}

// calRooms lists the rooms (service resources) the day view has columns
// for: every active service's and every shown booking's, by name, with
// services that need no room ("") last.
func calRooms(active []string, as []views.Appointment) []string {
	seen := map[string]bool{}
	var out []string
	add := func(r string) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, r := range active {
		add(r)
	}
	for _, a := range as {
		add(a.Service.Resource)
	}
	slices.SortFunc(out, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "":
			return 1
		case b == "":
			return -1
		}
		return strings.Compare(a, b)
	})
	return out
}

// calAssemble turns placed bookings into the grid's rows: lanes per group
// (the first free lane, in start order), each booking the cell of its
// first row spanning its rows, and an empty cell everywhere else.
func calAssemble(in gridInput) *views.CalGrid {
	n := len(in.labels)
	byGroup := make([][]calItem, len(in.groups))
	for _, it := range in.items {
		byGroup[it.g] = append(byGroup[it.g], it)
	}
	type key struct{ g, lane, row int }
	starts := map[key]calItem{}
	for g, items := range byGroup {
		slices.SortStableFunc(items, func(a, b calItem) int {
			if a.r0 != b.r0 {
				return a.r0 - b.r0
			}
			if a.r1 != b.r1 {
				return b.r1 - a.r1
			}
			if c := a.a.Booking.StartsAt.Compare(b.a.Booking.StartsAt); c != 0 {
				return c
			}
			return strings.Compare(string(a.a.Booking.ID), string(b.a.Booking.ID))
		})
		var laneEnd []int
		for _, it := range items {
			lane := slices.IndexFunc(laneEnd, func(end int) bool { return end <= it.r0 })
			if lane < 0 {
				lane = len(laneEnd)
				laneEnd = append(laneEnd, 0)
			}
			laneEnd[lane] = it.r1
			starts[key{g, lane, it.r0}] = it
		}
		in.groups[g].Lanes = max(len(laneEnd), 1)
	}
	covered := make([][]int, len(in.groups))
	for g := range in.groups {
		covered[g] = make([]int, in.groups[g].Lanes)
	}
	grid := &views.CalGrid{Groups: in.groups, Rows: make([]views.CalRow, n)}
	for i := range n {
		row := views.CalRow{Label: in.labels[i], Hour: in.hours[i]}
		for g, grp := range in.groups {
			primary := true
			for lane := range grp.Lanes {
				if covered[g][lane] > i {
					continue
				}
				if it, ok := starts[key{g, lane, i}]; ok {
					ev := calEventOf(it.a, in.tz)
					row.Cells = append(row.Cells, views.CalCell{Event: &ev, Span: it.r1 - it.r0, Date: grp.Date, Today: grp.Today})
					covered[g][lane] = it.r1
					continue
				}
				c := views.CalCell{Date: grp.Date, Today: grp.Today, Span: 1}
				if t, ok := in.slotAt(g, i); !ok {
					c.Gap = true
				} else if in.create != nil {
					c.CreateHref = in.create(t)
					c.CreateLabel = "New booking " + t.In(in.tz).Format("Mon 2 Jan 15:04")
					if in.rooms && len(in.groups) > 1 {
						c.CreateLabel += " (" + grp.Label + " column)"
					}
					c.Primary = primary
					primary = false
				}
				row.Cells = append(row.Cells, c)
			}
		}
		grid.Rows[i] = row
	}
	return grid
}

// calEventOf is a booking as a calendar cell shows it.
func calEventOf(a views.Appointment, tz *time.Location) views.CalEvent {
	b := a.Booking
	ev := views.CalEvent{
		ID: b.ID.String(), Href: "/bookings/" + b.ID.String(), Status: string(b.Status),
		Time:    views.Clock(b.StartsAt, tz) + "–" + views.Clock(b.EndsAt, tz),
		Start:   views.Clock(b.StartsAt, tz),
		Patient: views.BookingPatient(a.Contact), StartsAt: b.StartsAt.UTC().Format(time.RFC3339),
	}
	if a.Service != nil {
		ev.Service, ev.Room = a.Service.Name, a.Service.Resource
	}
	if a.Staff != nil {
		ev.Staff = a.Staff.Name
	}
	return ev
}

// calMonthGrid lays out the weeks (Monday first) that cover month, the calDate
// date of its first day, with each day's count and first bookings.
func calMonthGrid(month, today time.Time, as []views.Appointment, tz *time.Location, dayLink func(time.Time) string) *views.CalMonth {
	first := calWeekStart(month)
	last := month.AddDate(0, 1, -1)
	last = last.AddDate(0, 0, (7-int(last.Weekday()))%7)
	byDay := map[time.Time][]views.Appointment{}
	for _, a := range as {
		d := calDateOf(a.Booking.StartsAt, tz)
		byDay[d] = append(byDay[d], a)
	}
	m := &views.CalMonth{}
	for d := range 7 {
		m.Weekdays = append(m.Weekdays, first.AddDate(0, 0, d).Format("Mon"))
	}
	for w := first; !w.After(last); w = w.AddDate(0, 0, 7) {
		week := make([]views.CalDay, 0, 7)
		for i := range 7 {
			d := w.AddDate(0, 0, i)
			day := views.CalDay{
				Date: d.Format(calDateLayout), Number: d.Day(), Label: d.Format("Monday 2 January"),
				Href: dayLink(d), InMonth: d.Month() == month.Month(), Today: d.Equal(today),
				Count: len(byDay[d]),
			}
			for j, a := range byDay[d] {
				if j == calMonthPreview {
					day.More = len(byDay[d]) - calMonthPreview
					break
				}
				day.Events = append(day.Events, calEventOf(a, tz))
			}
			week = append(week, day)
		}
		m.Weeks = append(m.Weeks, week)
	}
	return m
}

// calTitle names the period a view shows.
func calTitle(view string, from, to time.Time) string {
	switch view {
	case views.ViewDay:
		return from.Format("Monday 2 January 2006")
	case views.ViewMonth:
		return from.Format("January 2006")
	}
	switch {
	case from.Year() != to.Year():
		return from.Format("2 January 2006") + " – " + to.Format("2 January 2006")
	case from.Month() != to.Month():
		return from.Format("2 January") + " – " + to.Format("2 January 2006")
	}
	return from.Format("2") + " – " + to.Format("2 January 2006")
}
