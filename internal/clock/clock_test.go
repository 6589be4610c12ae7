package clock_test

import (
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/clock"
)

// Every clock answers in UTC, whatever zone its source uses; the nil clock
// is the system's.
func TestClockNow(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 11, 9, 0, 0, 0, syd)
	got := clock.Fixed(at).Now()
	if got.Location() != time.UTC || !got.Equal(at) {
		t.Fatalf("fixed clock: %v, want %v in UTC", got, at)
	}
	var none clock.Clock
	before := time.Now()
	if n := none.Now(); n.Location() != time.UTC || n.Before(before.Add(-time.Second)) {
		t.Fatalf("nil clock: %v", n)
	}
	if n := clock.System.Now(); n.Location() != time.UTC {
		t.Fatalf("system clock in %v", n.Location())
	}
}
