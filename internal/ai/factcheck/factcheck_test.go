package factcheck_test

import (
	"slices"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/ai/factcheck"
)

func TestCheck(t *testing.T) {
	var a factcheck.Allowed
	a.Add(12.5, 8, 30, 9, 12400)
	a.AddText("Friday 4 pm, March 2026")
	a.AddDerived(4.5, 1.5625, 56.25)
	for _, tc := range []struct {
		s   string
		bad []string
	}{
		{"No-shows rose from 8% to 12.5% in March 2026.", nil},
		{"No-shows rose to 13%.", nil},                 // 12.5 rounded
		{"No-shows rose to 14%.", []string{"14"}},      // not a rounding of any fact
		{"Friday 4 pm has 9 of 30 missed.", nil},       //
		{"Meta returned $12,400.", nil},                //
		{"Meta returned $12.4k.", nil},                 //
		{"Meta returned $13,000.", []string{"13,000"}}, //
		{"Google does three times better.", []string{"three"}},
		{"One of the sources did well in the last quarter.", nil},
		{"Book 25 more patients.", []string{"25"}},
		{"Up 4.5 points, 56% worse, 1.6 times.", nil},           // derived, written precisely
		{"Cut it to 5%, or 2 times fewer.", []string{"5", "2"}}, // roundings of derived values below 10
	} {
		if got := a.Check(tc.s); !slices.Equal(got, tc.bad) {
			t.Errorf("%q: got %q, want %q", tc.s, got, tc.bad)
		}
	}
}
