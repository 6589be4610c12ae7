package bookings_test

import (
	"slices"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
)

// The two daylight-saving changes of 2026 in Sydney, both on a Sunday:
// on 5 April clocks go back from 03:00 AEDT (UTC+11) to 02:00 AEST
// (UTC+10), a 25-hour day; on 4 October they go forward from 02:00 AEST to
// 03:00 AEDT, a 23-hour day.
var dstDays = []struct {
	name    string
	day     types.Date
	before  types.Date // the day before
	after   types.Date // the day after
	hours   float64
	start   time.Time // local midnight, in UTC
	nineUTC time.Time // 09:00 local on the day, in UTC
}{
	{
		name: "April25h", day: "2026-04-05", before: "2026-04-04", after: "2026-04-06", hours: 25,
		start: utc("2026-04-04T13:00:00Z"), nineUTC: utc("2026-04-04T23:00:00Z"),
	},
	{
		name: "October23h", day: "2026-10-04", before: "2026-10-03", after: "2026-10-05", hours: 23,
		start: utc("2026-10-03T14:00:00Z"), nineUTC: utc("2026-10-03T22:00:00Z"),
	},
}

func TestDayBoundsDST(t *testing.T) {
	for _, d := range dstDays {
		t.Run(d.name, func(t *testing.T) {
			lo, hi := bookings.DayBounds(d.day, sydney)
			if !lo.Equal(d.start) || hi.Sub(lo).Hours() != d.hours {
				t.Fatalf("%s runs %s to %s (%v h), want from %s for %v h", d.day, lo, hi, hi.Sub(lo).Hours(), d.start, d.hours)
			}
		})
	}
}

// TestInRangeDST books the first and last half hours of each change day
// and of its neighbours: the day's list holds exactly its own, and a 09:00
// booking is stored at the right instant.
func TestInRangeDST(t *testing.T) {
	f := newFixture(t)
	for _, d := range dstDays {
		t.Run(d.name, func(t *testing.T) {
			prevLate := f.book(t, "MRI Knee", local(string(d.before), "23:30"))
			early := f.book(t, "MRI Knee", local(string(d.day), "00:30"))
			nine := f.book(t, "MRI Knee", local(string(d.day), "09:00"))
			late := f.book(t, "MRI Knee", local(string(d.day), "23:30"))
			nextEarly := f.book(t, "MRI Knee", local(string(d.after), "00:30"))

			// 09:00 local is stored as the UTC instant of that wall time on
			// that side of the change.
			if got := f.reload(t, nine.ID).StartsAt; !got.Equal(d.nineUTC) || got.Location() != time.UTC {
				t.Fatalf("09:00 stored as %s, want %s", got, d.nineUTC)
			}

			ids := func(from, to types.Date) []pulid.ID {
				t.Helper()
				list, err := f.svc.InRange(f.ctx, from, to, bookings.Filter{ServiceID: &nine.ServiceID})
				if err != nil {
					t.Fatal(err)
				}
				var out []pulid.ID
				for _, b := range list {
					out = append(out, b.ID)
				}
				return out
			}
			if got, want := ids(d.day, d.day), []pulid.ID{early.ID, nine.ID, late.ID}; !slices.Equal(got, want) {
				t.Fatalf("%s holds %v, want %v (neighbours %s, %s)", d.day, got, want, prevLate.ID, nextEarly.ID)
			}
			if got, want := ids(d.before, d.after), []pulid.ID{prevLate.ID, early.ID, nine.ID, late.ID, nextEarly.ID}; !slices.Equal(got, want) {
				t.Fatalf("%s to %s holds %v, want %v", d.before, d.after, got, want)
			}
			if got := ids(d.before, d.before); !slices.Contains(got, prevLate.ID) || slices.Contains(got, early.ID) {
				t.Fatalf("%s holds %v", d.before, got)
			}
			if got := ids(d.after, d.after); !slices.Contains(got, nextEarly.ID) || slices.Contains(got, late.ID) {
				t.Fatalf("%s holds %v", d.after, got)
			}
		})
	}
}

// TestInRangeFilters: status, staff member and service narrow the list.
func TestInRangeFilters(t *testing.T) {
	f := newFixture(t)
	day := types.Date("2026-06-18")
	tech := f.users["mri.tech@example.com"]
	a := f.book(t, "MRI Knee", local(string(day), "09:00"), withStaff(tech))
	b := f.book(t, "CT Chest", local(string(day), "09:00"))
	c := f.book(t, "X-Ray Chest", local(string(day), "11:00"), withStaff(tech))
	if _, err := f.svc.Confirm(f.ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	list := func(flt bookings.Filter) []pulid.ID {
		t.Helper()
		bs, err := f.svc.InRange(f.ctx, day, day, flt)
		if err != nil {
			t.Fatal(err)
		}
		var out []pulid.ID
		for _, x := range bs {
			if x.ID == a.ID || x.ID == b.ID || x.ID == c.ID {
				out = append(out, x.ID)
			}
		}
		return out
	}
	all := list(bookings.Filter{})
	if len(all) != 3 || all[2] != c.ID {
		t.Fatalf("all = %v", all)
	}
	if got := list(bookings.Filter{Status: []booking.Status{booking.StatusConfirmed}}); !slices.Equal(got, []pulid.ID{c.ID}) {
		t.Errorf("confirmed = %v", got)
	}
	if got := list(bookings.Filter{StaffID: &tech}); len(got) != 2 || slices.Contains(got, b.ID) {
		t.Errorf("tech's = %v", got)
	}
	if got := list(bookings.Filter{ServiceID: &b.ServiceID}); !slices.Equal(got, []pulid.ID{b.ID}) {
		t.Errorf("CT Chest = %v", got)
	}
	for name, r := range map[string][2]types.Date{
		"ErrToBeforeFrom": {"2026-06-18", "2026-06-17"},
		"ErrTooLong":      {"2026-01-01", "2026-12-31"},
		"ErrBadDate":      {"2026-02-30", "2026-03-01"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.svc.InRange(f.ctx, r[0], r[1], bookings.Filter{})
			asAppErr(t, err, apperr.Invalid)
		})
	}
}

// TestNoShowFollowUpAcrossDST: the follow-up of a no-show before a change
// falls due at 09:00 local on the Monday after it, not an hour early or
// late as adding whole days of 24 hours would make it.
func TestNoShowFollowUpAcrossDST(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name       string
		start, now time.Time
		due        time.Time
	}{
		// Saturday 4 April, daylight time; Monday 6 April 09:00 AEST.
		{"April", local("2026-04-04", "10:00"), local("2026-04-04", "11:00"), utc("2026-04-05T23:00:00Z")},
		// Friday 2 October, standard time; Monday 5 October 09:00 AEDT.
		{"October", local("2026-10-02", "10:00"), local("2026-10-02", "11:00"), utc("2026-10-04T22:00:00Z")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := f.book(t, "MRI Knee", c.start)
			if _, err := f.svc.Confirm(f.ctx, b.ID); err != nil {
				t.Fatal(err)
			}
			f.clock.Set(c.now)
			_, follow, err := f.svc.MarkNoShow(f.ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if follow.DueAt == nil || !follow.DueAt.Equal(c.due) || follow.DueAt.In(sydney).Hour() != 9 {
				t.Fatalf("due %v, want %s (09:00 local)", follow.DueAt, c.due)
			}
			if got := bookings.NextBusinessMorning(c.now, sydney); !got.Equal(c.due) {
				t.Fatalf("NextBusinessMorning = %s", got)
			}
		})
	}
}

// TestRescheduleAcrossDST: moving a 10:00 booking over a change lands at
// 10:00 local on the new day, keeps its 30 minutes, and the history and
// timeline read in local time.
func TestRescheduleAcrossDST(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name           string
		from, to       time.Time
		fromUTC, toUTC time.Time
		summary        string
		fromDay, toDay types.Date
	}{
		{"April", local("2026-04-03", "10:00"), local("2026-04-07", "10:00"),
			utc("2026-04-02T23:00:00Z"), utc("2026-04-07T00:00:00Z"),
			"Rescheduled MRI Knee from Fri 3 Apr 10:00 to Tue 7 Apr 10:00", "2026-04-03", "2026-04-07"},
		{"October", local("2026-10-02", "10:00"), local("2026-10-05", "10:00"),
			utc("2026-10-02T00:00:00Z"), utc("2026-10-04T23:00:00Z"),
			"Rescheduled MRI Knee from Fri 2 Oct 10:00 to Mon 5 Oct 10:00", "2026-10-02", "2026-10-05"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := f.book(t, "MRI Knee", c.from)
			if !b.StartsAt.Equal(c.fromUTC) {
				t.Fatalf("booked at %s, want %s", b.StartsAt, c.fromUTC)
			}
			got, err := f.svc.Reschedule(f.ctx, b.ID, c.to, nil)
			if err != nil {
				t.Fatal(err)
			}
			stored := f.reload(t, b.ID)
			if !stored.StartsAt.Equal(c.toUTC) || stored.EndsAt.Sub(stored.StartsAt) != 30*time.Minute || !got.StartsAt.Equal(c.toUTC) {
				t.Fatalf("stored %s–%s, want %s for 30 minutes", stored.StartsAt, stored.EndsAt, c.toUTC)
			}
			if h, m, _ := stored.StartsAt.In(sydney).Clock(); h != 10 || m != 0 {
				t.Fatalf("local start %02d:%02d", h, m)
			}
			evs := f.events(t, b.ID)
			last := evs[len(evs)-1]
			if !last.FromStartsAt.Equal(c.fromUTC) || !last.ToStartsAt.Equal(c.toUTC) {
				t.Fatalf("event %s → %s", last.FromStartsAt, last.ToStartsAt)
			}
			tps := f.touchpoints(t, b.ID)
			if s := tps[len(tps)-1].Summary; s != c.summary {
				t.Fatalf("summary %q, want %q", s, c.summary)
			}
			on := func(d types.Date) bool {
				list, err := f.svc.InRange(f.ctx, d, d, bookings.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				return slices.ContainsFunc(list, func(x *ent.Booking) bool { return x.ID == b.ID })
			}
			if on(c.fromDay) || !on(c.toDay) {
				t.Fatalf("listed on %s: %v, on %s: %v", c.fromDay, on(c.fromDay), c.toDay, on(c.toDay))
			}
		})
	}
}
