package search

import "testing"

// SetSmallTier makes tiers of more than n members take the large tiers'
// road (the warmness index with a membership test) for the rest of tb.
func SetSmallTier(tb testing.TB, n int) {
	old := smallTier
	smallTier = n
	tb.Cleanup(func() { smallTier = old })
}

// SetTiered turns the tiered path for one name word on or off for the rest
// of tb.
func SetTiered(tb testing.TB, on bool) {
	old := tiered
	tiered = on
	tb.Cleanup(func() { tiered = old })
}

// SetWholeContacts turns reading whole contacts in the statement that
// narrows a search for several words on or off for the rest of tb.
func SetWholeContacts(tb testing.TB, on bool) {
	old := wholeContacts
	wholeContacts = on
	tb.Cleanup(func() { wholeContacts = old })
}

// SetSkipEmpty turns skipping the pairs of tiers with a tier of no rows
// on or off for the rest of tb.
func SetSkipEmpty(tb testing.TB, on bool) {
	old := skipEmpty
	skipEmpty = on
	tb.Cleanup(func() { skipEmpty = old })
}
