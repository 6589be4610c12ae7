package bookings

import (
	"context"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// MaxRangeDays bounds InRange: a calendar shows a day, a week or a month.
// Longer spans (reports, exports) page through the bookings connection.
const MaxRangeDays = 92

// Filter narrows InRange. Empty fields match everything.
type Filter struct {
	// Status keeps bookings in any of these statuses.
	Status    []booking.Status
	StaffID   *pulid.ID
	ServiceID *pulid.ID
}

// DayBounds returns the instants (UTC) at which the local day d begins and
// the local day after it begins, in tz. Across a daylight-saving change
// the day is 23 or 25 hours long, which adding 24 hours would get wrong.
func DayBounds(d types.Date, tz *time.Location) (start, next time.Time) {
	t := d.Time()
	start = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, tz)
	next = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, tz)
	return start.UTC(), next.UTC()
}

// InRange returns the bookings that start on the location's local days
// from through to (inclusive), earliest first.
func (s *Service) InRange(ctx context.Context, from, to types.Date, f Filter) ([]*ent.Booking, error) {
	q, err := s.RangeQuery(ctx, from, to, f)
	if err != nil {
		return nil, err
	}
	return q.All(ctx)
}

// RangeQuery is InRange's query, for callers that add to it (the GraphQL
// resolver loads the edges the operation asks for).
func (s *Service) RangeQuery(ctx context.Context, from, to types.Date, f Filter) (*ent.BookingQuery, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := types.ParseDate(string(from)); err != nil {
		return nil, apperr.Invalidf("from", "%s", err)
	}
	if _, err := types.ParseDate(string(to)); err != nil {
		return nil, apperr.Invalidf("to", "%s", err)
	}
	if to.Time().Before(from.Time()) {
		return nil, apperr.Invalidf("to", "must not be before from")
	}
	if days := int(to.Time().Sub(from.Time()).Hours()/24) + 1; days > MaxRangeDays {
		return nil, apperr.Invalidf("to", "at most %d days at a time", MaxRangeDays)
	}
	for _, st := range f.Status {
		if booking.StatusValidator(st) != nil {
			return nil, apperr.Invalidf("status", "unknown status %q", st)
		}
	}
	c := s.client(ctx)
	loc, err := c.Location.Get(ctx, v.LocationID)
	if err != nil {
		return nil, err
	}
	tz, err := zone(loc.Timezone)
	if err != nil {
		return nil, err
	}
	lo, _ := DayBounds(from, tz)
	_, hi := DayBounds(to, tz)
	where := []predicate.Booking{booking.StartsAtGTE(lo), booking.StartsAtLT(hi)}
	if len(f.Status) > 0 {
		where = append(where, booking.StatusIn(f.Status...))
	}
	if f.StaffID != nil {
		where = append(where, booking.StaffID(*f.StaffID))
	}
	if f.ServiceID != nil {
		where = append(where, booking.ServiceID(*f.ServiceID))
	}
	return c.Booking.Query().Where(where...).Order(booking.ByStartsAt(), booking.ByID()), nil
}

// when formats an instant as a person at the location reads it, e.g.
// "Tue 3 Dec 10:15".
func (o *op) when(t time.Time) string { return t.In(o.tz).Format("Mon 2 Jan 15:04") }

// clock formats the local time of day of an instant, e.g. "10:45".
func (o *op) clock(t time.Time) string { return t.In(o.tz).Format("15:04") }

// FollowUpHour is the local hour follow-up tasks fall due.
const FollowUpHour = 9

// NextBusinessMorning returns 09:00 local time on the first weekday (Monday
// to Friday) after the local day of t, in UTC. It is built from the local
// date, not by adding hours, so it stays 09:00 across a daylight-saving
// change. Public holidays are not known to the system.
func NextBusinessMorning(t time.Time, tz *time.Location) time.Time {
	l := t.In(tz)
	d := time.Date(l.Year(), l.Month(), l.Day()+1, FollowUpHour, 0, 0, 0, tz)
	return businessDay(d, tz)
}

// businessDay moves a local 09:00 on a weekend to the Monday after.
func businessDay(d time.Time, tz *time.Location) time.Time {
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = time.Date(d.Year(), d.Month(), d.Day()+1, FollowUpHour, 0, 0, 0, tz)
	}
	return d.UTC()
}

func (o *op) nextBusinessMorning(t time.Time) time.Time { return NextBusinessMorning(t, o.tz) }

// RecallDue returns when a recall falls due: months after the local day of
// t, at 09:00 local on a weekday. A day past the end of the month (31
// August plus six months) becomes the month's last day rather than
// spilling into the next month.
func RecallDue(t time.Time, months int, tz *time.Location) time.Time {
	l := t.In(tz)
	first := time.Date(l.Year(), l.Month()+time.Month(months), 1, FollowUpHour, 0, 0, 0, tz)
	last := time.Date(first.Year(), first.Month()+1, 0, FollowUpHour, 0, 0, 0, tz).Day()
	day := min(l.Day(), last)
	return businessDay(time.Date(first.Year(), first.Month(), day, FollowUpHour, 0, 0, 0, tz), tz)
}

func (o *op) recallDue(t time.Time, months int) time.Time { return RecallDue(t, months, o.tz) }
