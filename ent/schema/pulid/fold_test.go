package pulid_test

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// Search keys store pulid.Fold of their location: a Fold that changed would
// make every stored key unreachable until a reindex, so its values are
// pinned here.
func TestFold(t *testing.T) {
	for id, want := range map[pulid.ID]int64{
		"loc_01KBAAAAAAAAAAAAAAAAAAAAAA": 708358758414362507,
		"loc_01KBBBBBBBBBBBBBBBBBBBBBBB": 1397069687543065174,
		"":                               8203414616412130826,
	} {
		if got := pulid.Fold(id); got != want {
			t.Errorf("Fold(%q) = %d, want %d", id, got, want)
		}
	}
	a, b := pulid.Fold("loc_01KBAAAAAAAAAAAAAAAAAAAAAA"), pulid.Fold("loc_01KBBBBBBBBBBBBBBBBBBBBBBB")
	if a == b || a < 0 || b < 0 {
		t.Errorf("Fold: %d and %d, want two different positive numbers", a, b)
	}
}
