package messaging

import (
	"fmt"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/types"
)

// QuietHours are the local hours in which no patient is sent a
// non-urgent message (a location's settings; default 20:00–08:00).
type QuietHours struct {
	// Start and End are minutes after local midnight; Start > End spans
	// midnight; Start == End means no quiet hours.
	Start, End int
	Zone       *time.Location
}

// QuietHoursOf reads a location's settings; unreadable values fall back
// to 20:00–08:00.
func QuietHoursOf(s types.LocationSettings, zone *time.Location) QuietHours {
	q := QuietHours{Start: 20 * 60, End: 8 * 60, Zone: zone}
	if m, err := clockMinutes(s.QuietHoursStart); err == nil {
		q.Start = m
	}
	if m, err := clockMinutes(s.QuietHoursEnd); err == nil {
		q.End = m
	}
	return q
}

func clockMinutes(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, fmt.Errorf("not a time of day: %q", s)
	}
	return h*60 + m, nil
}

// NextAllowed is t when t is outside quiet hours, else the local end of
// the quiet period t falls in (the wall-clock time, so across a
// daylight-saving change the night is an hour shorter or longer).
func (q QuietHours) NextAllowed(t time.Time) time.Time {
	if q.Start == q.End {
		return t
	}
	l := t.In(q.Zone)
	mins := l.Hour()*60 + l.Minute()
	endOn := func(dayOffset int) time.Time {
		return time.Date(l.Year(), l.Month(), l.Day()+dayOffset, q.End/60, q.End%60, 0, 0, q.Zone).UTC()
	}
	if q.Start > q.End { // spans midnight: quiet from Start to End the next morning
		switch {
		case mins >= q.Start:
			return endOn(1)
		case mins < q.End:
			return endOn(0)
		}
		return t
	}
	if mins >= q.Start && mins < q.End {
		return endOn(0)
	}
	return t
}
