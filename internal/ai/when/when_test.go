package when_test

import (
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai/when"
)

func TestFind(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 30 March 2026, 10 am in Sydney; daylight saving ends on
	// Sunday 5 April at 3 am.
	now := time.Date(2026, 3, 30, 10, 0, 0, 0, syd)
	appt := time.Date(2026, 4, 2, 14, 0, 0, 0, syd)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, syd) }
	for _, tc := range []struct {
		msg        string
		appt       *time.Time
		start, end time.Time
		gran       when.Granularity
	}{
		{"can we do Tues arvo instead", nil, at(3, 31, 12, 0), at(3, 31, 17, 0), when.PartOfDay},
		{"tmrw at 3:30", nil, at(3, 31, 15, 30), at(3, 31, 15, 30), when.Exact},
		{"Friday at 3pm instead?", nil, at(4, 3, 15, 0), at(4, 3, 15, 0), when.Exact},
		{"Thursday next week", nil, at(4, 9, 0, 0), at(4, 10, 0, 0), when.Day},
		{"next week instead please", nil, at(4, 6, 0, 0), at(4, 13, 0, 0), when.Span},
		{"the 14th in the morning", nil, at(4, 14, 8, 0), at(4, 14, 12, 0), when.PartOfDay},
		{"Can we do Monday", nil, at(4, 6, 0, 0), at(4, 7, 0, 0), when.Day},
		{"this arvo?", nil, at(3, 30, 12, 0), at(3, 30, 17, 0), when.PartOfDay},
		{"only free after 5", nil, at(3, 30, 17, 0), at(3, 30, 20, 0), when.PartOfDay},
		{"2moro morning", nil, at(3, 31, 8, 0), at(3, 31, 12, 0), when.PartOfDay},
		{"Dec 3 please", nil, time.Date(2026, 12, 3, 0, 0, 0, 0, syd), time.Date(2026, 12, 4, 0, 0, 0, 0, syd), when.Day},
		{"is 14/3 ok", nil, time.Date(2027, 3, 14, 0, 0, 0, 0, syd), time.Date(2027, 3, 15, 0, 0, 0, 0, syd), when.Day},
		{"2nd of April at 10am", nil, at(4, 2, 10, 0), at(4, 2, 10, 0), when.Exact},
		{"can I come at 11 instead", &appt, at(4, 2, 11, 0), at(4, 2, 11, 0), when.Exact},
		{"anything earlier?", &appt, at(4, 2, 7, 0), at(4, 2, 14, 0), when.PartOfDay},
		{"the day after", &appt, at(4, 3, 0, 0), at(4, 4, 0, 0), when.Day},
		{"day after tomorrow", nil, at(4, 1, 0, 0), at(4, 2, 0, 0), when.Day},
		{"weekend better", nil, at(4, 4, 0, 0), at(4, 6, 0, 0), when.Span},
		{"9ish tmrw?", nil, at(3, 31, 9, 0), at(3, 31, 9, 0), when.Exact},
	} {
		p, ok := when.Find(tc.msg, when.Context{Now: now, Location: syd, Appointment: tc.appt})
		if !ok {
			t.Errorf("%q: found nothing", tc.msg)
			continue
		}
		if !p.Start.Equal(tc.start) || !p.End.Equal(tc.end) || p.Granularity != tc.gran {
			t.Errorf("%q: got %s – %s (%s), want %s – %s (%s)", tc.msg, p.Start, p.End, p.Granularity, tc.start, tc.end, tc.gran)
		}
	}
}

// A day across the end of daylight saving is 25 hours long, and a time on
// it has the right offset.
func TestFindAcrossDaylightSaving(t *testing.T) {
	syd, _ := time.LoadLocation("Australia/Sydney")
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, syd)
	p, ok := when.Find("can I come Sunday", when.Context{Now: now, Location: syd})
	if !ok || p.End.Sub(p.Start) != 25*time.Hour {
		t.Fatalf("Sunday 5 April: got %s – %s, want a 25-hour day", p.Start, p.End)
	}
	p, _ = when.Find("sunday at 10am", when.Context{Now: now, Location: syd})
	if _, off := p.Start.Zone(); off != 10*3600 || p.Start.UTC().Hour() != 0 {
		t.Errorf("Sunday 10 am: got %s, want 10:00 AEST (00:00 UTC)", p.Start)
	}
}

func TestWeekdaySaidOnThatDay(t *testing.T) {
	syd, _ := time.LoadLocation("Australia/Sydney")
	tue := time.Date(2026, 3, 31, 8, 0, 0, 0, syd)
	p, _ := when.Find("tues?", when.Context{Now: tue, Location: syd})
	if p.Start.Day() != 7 {
		t.Errorf("tues said on a Tuesday: got %s, want the next Tuesday (7 April)", p.Start)
	}
	p, _ = when.Find("this tuesday", when.Context{Now: tue, Location: syd})
	if p.Start.Day() != 31 {
		t.Errorf("this tuesday said on a Tuesday: got %s, want today", p.Start)
	}
}

func TestFindNothing(t *testing.T) {
	now := time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC)
	for _, msg := range []string{
		"yes see you then", "Can I bring my 2 kids", "How long is the scan, 15 minutes?", "STOP", "I'm 45 years old",
		"Level 2, 123 Macquarie St", "call me on 0412 345 678", "", "can't make it",
	} {
		if p, ok := when.Find(msg, when.Context{Now: now}); ok {
			t.Errorf("%q: found %s – %s (%q), want nothing", msg, p.Start, p.End, p.Text)
		}
	}
}
