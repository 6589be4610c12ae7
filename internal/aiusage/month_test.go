package aiusage

import (
	"testing"
	"time"
)

// A month is the location's calendar month: at 1 am on 1 December in
// Sydney (still 30 November in UTC) the budget's month is December, and
// it began at Sydney's midnight.
func TestMonthOf(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skip("no zone database")
	}
	at := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC) // 1 Dec 01:00 AEDT
	m := MonthOf(at, syd)
	if m.Label != "2026-12" {
		t.Errorf("label %q, want 2026-12", m.Label)
	}
	if want := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC); !m.Start.Equal(want) {
		t.Errorf("start %s, want %s", m.Start.UTC(), want)
	}
	if want := time.Date(2026, 12, 31, 13, 0, 0, 0, time.UTC); !m.End.Equal(want) {
		t.Errorf("end %s, want %s", m.End.UTC(), want)
	}
	if u := MonthOf(at, time.UTC); u.Label != "2026-11" {
		t.Errorf("in UTC the same moment is %q, want 2026-11", u.Label)
	}
}
