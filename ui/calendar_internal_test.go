package ui

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

func calTestTZ(t *testing.T) *time.Location {
	t.Helper()
	tz, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	return tz
}

// appt is a booking of room from start for minutes.
func appt(id, room string, start time.Time, minutes int) views.Appointment {
	return views.Appointment{
		Booking: &ent.Booking{ID: pulid.ID(id), StartsAt: start.UTC(), EndsAt: start.Add(time.Duration(minutes) * time.Minute).UTC(), Status: booking.StatusConfirmed},
		Contact: &ent.Contact{FirstName: "Pat", LastName: id},
		Service: &ent.Service{Name: "Scan", Resource: room},
	}
}

// layout lists each row's cells, for checking the layout: E<id>/<span> for
// a booking, + for a bookable slot, . for an empty one, x for a gap.
func layout(g *views.CalGrid) [][]string {
	out := make([][]string, len(g.Rows))
	for i, row := range g.Rows {
		for _, c := range row.Cells {
			switch {
			case c.Event != nil:
				out[i] = append(out[i], "E"+c.Event.ID+"/"+strconv.Itoa(c.Span))
			case c.Gap:
				out[i] = append(out[i], "x")
			case c.CreateHref != "":
				out[i] = append(out[i], "+")
			default:
				out[i] = append(out[i], ".")
			}
		}
	}
	return out
}

func TestCalHoursOf(t *testing.T) {
	for _, tc := range []struct {
		in   types.LocationSettings
		want calHours
	}{
		{types.DefaultLocationSettings(), calHours{7 * 60, 19 * 60, 15}},
		{types.LocationSettings{OpensAt: "08:30", ClosesAt: "17:00", SlotMinutes: 10}, calHours{510, 1020, 10}},
		{types.LocationSettings{OpensAt: "18:00", ClosesAt: "08:00", SlotMinutes: 0}, calHours{7 * 60, 19 * 60, 15}},
		{types.LocationSettings{OpensAt: "7am", ClosesAt: "24:00", SlotMinutes: 500}, calHours{7 * 60, 19 * 60, 15}},
		{types.LocationSettings{OpensAt: "00:00", ClosesAt: "24:00", SlotMinutes: 30}, calHours{0, 1440, 30}},
	} {
		if got := calHoursOf(tc.in); got != tc.want {
			t.Errorf("%+v: %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestCalLanesAndSpans(t *testing.T) {
	tz := calTestTZ(t)
	day := calDate(2026, 3, 11)
	at := func(h, m int) time.Time { return time.Date(2026, 3, 11, h, m, 0, 0, tz) }
	h := calHours{open: 9 * 60, close: 10 * 60, slot: 15}
	as := []views.Appointment{
		appt("a", "MRI-1", at(9, 0), 30),  // rows 0-1, lane 0
		appt("b", "MRI-1", at(9, 15), 30), // rows 1-2, overlaps a: lane 1
		appt("c", "MRI-1", at(9, 30), 10), // row 2, a has ended: lane 0
		appt("d", "CT-1", at(9, 50), 20),  // starts mid-slot: row 3, ends 10:10, widening the grid to 10:15
	}
	in := calDayGrid(day, day, []string{"CT-1", "MRI-1"}, as, h, false, tz)
	in.create = func(time.Time) string { return "/new" }
	g := calAssemble(in)
	if got := []int{g.Groups[0].Lanes, g.Groups[1].Lanes}; !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("lanes %v, want CT-1 1 and MRI-1 2", got)
	}
	want := [][]string{
		{"+", "Ea/2", "+"},
		{"+", "Eb/2"},
		{"+", "Ec/1"},
		{"Ed/2", "+", "+"},
		{"+", "+"},
	}
	if got := layout(g); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("layout\n got %q\nwant %q", got, want)
	}
	var labels []string
	for _, r := range g.Rows {
		labels = append(labels, r.Label)
	}
	if !slices.Equal(labels, []string{"09:00", "09:15", "09:30", "09:45", "10:00"}) {
		t.Errorf("labels %q", labels)
	}
	// Only the first free lane of a group in a row is in the tab order.
	if c := g.Rows[0].Cells[2]; !c.Primary || c.CreateLabel != "New booking Wed 11 Mar 09:00 (MRI-1 column)" {
		t.Errorf("row 0 MRI-1 free cell %+v", c)
	}
	if c := g.Rows[4].Cells[1]; c.Primary || !g.Rows[4].Cells[0].Primary {
		t.Error("the second free lane of MRI-1 at 10:00 is in the tab order")
	}
}

func TestCalDaylightSaving(t *testing.T) {
	tz := calTestTZ(t)
	h := calHours{open: 7 * 60, close: 19 * 60, slot: 15}
	for _, tc := range []struct {
		day        time.Time
		rows       int
		first, nth string
		n          int
		nthStart   time.Time
	}{
		// 25 hours: 02:00 to 02:59 happens twice.
		{calDate(2026, 4, 5), 100, "00:00 AEDT", "02:00 AEST", 12, time.Date(2026, 4, 4, 16, 0, 0, 0, time.UTC)},
		// 23 hours: 02:00 to 02:59 does not happen.
		{calDate(2026, 10, 4), 92, "00:00 AEST", "03:00 AEDT", 8, time.Date(2026, 10, 3, 16, 0, 0, 0, time.UTC)},
		{calDate(2026, 3, 11), 96, "00:00", "02:00", 8, time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)},
	} {
		in := calDayGrid(tc.day, tc.day, nil, nil, h, true, tz)
		if len(in.labels) != tc.rows || in.labels[0] != tc.first || in.labels[tc.n] != tc.nth {
			t.Errorf("%s: %d rows, %q … row %d %q", tc.day.Format("2 Jan"), len(in.labels), in.labels[0], tc.n, in.labels[tc.n])
		}
		if got, _ := in.slotAt(0, tc.n); !got.Equal(tc.nthStart) {
			t.Errorf("%s: row %d starts %s, want %s", tc.day.Format("2 Jan"), tc.n, got, tc.nthStart)
		}
		// Opening hours: 07:00 to 19:00 local, 48 rows, either way.
		open := calDayGrid(tc.day, tc.day, nil, nil, h, false, tz)
		if start, _ := open.slotAt(0, 0); len(open.labels) != 48 || start.In(tz).Format("15:04") != "07:00" {
			t.Errorf("%s: opening hours %d rows from %s", tc.day.Format("2 Jan"), len(open.labels), start.In(tz))
		}
	}

	// The week view's rows are wall-clock times: on 4 October the times
	// the clocks skip are gaps, not bookable.
	days := make([]time.Time, 7)
	for i := range days {
		days[i] = calDate(2026, 9, 28).AddDate(0, 0, i)
	}
	in := calWeekGrid(days, days[0], nil, h, true, tz)
	in.create = func(time.Time) string { return "/new" }
	g := calAssemble(in)
	row := g.Rows[8] // 02:00
	if row.Label != "02:00" || !row.Cells[6].Gap || row.Cells[5].Gap || row.Cells[5].CreateHref == "" {
		t.Errorf("02:00 in the week of 4 October: %q sunday gap %v, saturday %+v", row.Label, row.Cells[6].Gap, row.Cells[5])
	}
}

func TestCalWeekWidensToBookings(t *testing.T) {
	tz := calTestTZ(t)
	days := []time.Time{calDate(2026, 3, 9), calDate(2026, 3, 10)}
	h := calHours{open: 9 * 60, close: 10 * 60, slot: 30}
	as := []views.Appointment{
		appt("early", "XR-1", time.Date(2026, 3, 10, 7, 45, 0, 0, tz), 10),
		appt("late", "XR-1", time.Date(2026, 3, 9, 10, 10, 0, 0, tz), 40),
	}
	in := calWeekGrid(days, days[1], as, h, false, tz)
	g := calAssemble(in)
	var labels []string
	for _, r := range g.Rows {
		labels = append(labels, r.Label)
	}
	if !slices.Equal(labels, []string{"07:30", "08:00", "08:30", "09:00", "09:30", "10:00", "10:30"}) {
		t.Errorf("rows %q", labels)
	}
	if !g.Groups[1].Today || g.Groups[0].Today {
		t.Error("today is not the second day")
	}
	got := layout(g)
	if got[0][1] != "Eearly/1" || got[5][0] != "Elate/2" {
		t.Errorf("layout %q", got)
	}
}

func TestLocalStart(t *testing.T) {
	tz := calTestTZ(t)
	for _, tc := range []struct {
		date, clock string
		want        time.Time
		field       string
	}{
		{"2026-03-12", "10:00", time.Date(2026, 3, 11, 23, 0, 0, 0, time.UTC), ""},
		{"2026-04-05", "09:00", time.Date(2026, 4, 4, 23, 0, 0, 0, time.UTC), ""},
		{"2026-10-04", "09:00", time.Date(2026, 10, 3, 22, 0, 0, 0, time.UTC), ""},
		// Twice on 5 April: the first, in daylight time.
		{"2026-04-05", "02:30", time.Date(2026, 4, 4, 15, 30, 0, 0, time.UTC), ""},
		{"2026-10-04", "02:30", time.Time{}, "time"},
		{"2026-02-30", "09:00", time.Time{}, "date"},
		{"2026-03-12", "9", time.Time{}, "time"},
		{"2026-03-12", "24:00", time.Time{}, "time"},
	} {
		got, errs := localStart(tc.date, tc.clock, tz)
		if tc.field != "" {
			if !errs.Has(tc.field) {
				t.Errorf("%s %s: errors %v, want one on %s", tc.date, tc.clock, errs, tc.field)
			}
			continue
		}
		if len(errs) > 0 || !got.Equal(tc.want) {
			t.Errorf("%s %s = %s %v, want %s", tc.date, tc.clock, got.UTC(), errs, tc.want)
		}
	}
}

func TestCalTitleAndMonth(t *testing.T) {
	for _, tc := range []struct {
		view     string
		from, to time.Time
		want     string
	}{
		{views.ViewWeek, calDate(2026, 3, 9), calDate(2026, 3, 15), "9 – 15 March 2026"},
		{views.ViewWeek, calDate(2026, 3, 30), calDate(2026, 4, 5), "30 March – 5 April 2026"},
		{views.ViewWeek, calDate(2025, 12, 29), calDate(2026, 1, 4), "29 December 2025 – 4 January 2026"},
		{views.ViewDay, calDate(2026, 4, 5), calDate(2026, 4, 5), "Sunday 5 April 2026"},
		{views.ViewMonth, calDate(2026, 3, 1), calDate(2026, 3, 1), "March 2026"},
	} {
		if got := calTitle(tc.view, tc.from, tc.to); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.view, tc.from.Format("2006-01-02"), got, tc.want)
		}
	}
	// Periods: the week around a Wednesday, the month around a date.
	if p := calPeriodOf(views.ViewWeek, calDate(2026, 3, 11)); p.from != calDate(2026, 3, 9) || p.to != calDate(2026, 3, 15) ||
		p.prev != calDate(2026, 3, 2) || p.next != calDate(2026, 3, 16) || !p.has(calDate(2026, 3, 15)) || p.has(calDate(2026, 3, 16)) {
		t.Errorf("week period %+v", p)
	}
	if p := calPeriodOf(views.ViewMonth, calDate(2026, 1, 31)); p.anchor != calDate(2026, 1, 1) || p.from != calDate(2025, 12, 29) ||
		p.to != calDate(2026, 2, 1) || p.last != calDate(2026, 1, 31) || p.prev != calDate(2025, 12, 1) || p.next != calDate(2026, 2, 1) ||
		p.has(calDate(2025, 12, 31)) {
		t.Errorf("month period %+v", p)
	}
	tz := calTestTZ(t)
	// February 2027 starts on a Monday and has four weeks.
	m := calMonthGrid(calDate(2027, 2, 1), calDate(2027, 2, 3), nil, tz, func(time.Time) string { return "" })
	if len(m.Weeks) != 4 || m.Weeks[0][0].Date != "2027-02-01" || m.Weeks[3][6].Date != "2027-02-28" || !m.Weeks[0][2].Today {
		t.Errorf("February 2027: %d weeks from %s", len(m.Weeks), m.Weeks[0][0].Date)
	}
	if !slices.Equal(m.Weekdays, []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}) {
		t.Errorf("weekdays %q", m.Weekdays)
	}
}
