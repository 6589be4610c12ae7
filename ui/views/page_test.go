package views

import (
	"testing"
	"time"
)

// TestDayShowsTheYearOutsideThisYear: a date of another year than the
// clock's says its year, so a recall due next year does not read as this
// year's (overdue); this year's dates stay short.
func TestDayShowsTheYearOutsideThisYear(t *testing.T) {
	syd, _ := time.LoadLocation("Australia/Sydney")
	SetClock(func() time.Time { return time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC) })
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 12, 3, 0, 0, 0, 0, syd), "Thu 3 Dec"},
		{time.Date(2027, 3, 3, 9, 30, 0, 0, syd), "Wed 3 Mar 2027"},
		{time.Date(2025, 12, 31, 9, 0, 0, 0, syd), "Wed 31 Dec 2025"},
	} {
		if got := Day(tc.at, syd); got != tc.want {
			t.Errorf("Day(%s) = %q, want %q", tc.at, got, tc.want)
		}
	}
	if got := DayTime(time.Date(2027, 3, 3, 9, 30, 0, 0, syd), syd); got != "Wed 3 Mar 2027 09:30" {
		t.Errorf("DayTime = %q", got)
	}
}
