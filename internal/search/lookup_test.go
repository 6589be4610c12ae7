package search

import (
	"slices"
	"testing"
)

// A word's lookups without parts read each row once: the exact keys a
// prefix range of the same kind covers are left out of the IN list, the
// others (typos) stay.
func TestUnparted_KeysInARangeOnce(t *testing.T) {
	tok := parseQuery("priya")[0]
	got := tokenLookups(tok, typoWords{one: []string{"prya", "pria"}}).unparted()
	var ranges, keys []string
	for _, x := range got {
		if x.keys == nil {
			ranges = append(ranges, x.lo+".."+x.hi)
		} else {
			keys = append(keys, x.keys...)
		}
	}
	if want := []string{"priya..priyb"}; !slices.Equal(ranges, want) {
		t.Errorf("ranges %q, want %q", ranges, want)
	}
	if want := []string{"prya", "pria"}; !slices.Equal(keys, want) {
		t.Errorf("IN keys %q, want %q (priya is in the range)", keys, want)
	}
	// Nothing but covered keys: no IN list at all.
	for _, x := range tokenLookups(tok, typoWords{}).unparted() {
		if x.keys != nil {
			t.Errorf("an IN list of %q for a word without typos", x.keys)
		}
	}
}
