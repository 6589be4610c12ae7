package search

import "slices"

// osa returns the optimal string alignment distance between a and b (the
// Damerau–Levenshtein distance where no substring is edited twice): the
// fewest insertions, deletions, substitutions and transpositions of two
// neighbouring letters that turn a into b. It gives up early and returns
// max+1 once the distance must exceed max.
func osa(a, b []rune, max int) int {
	la, lb := len(a), len(b)
	if d := la - lb; d > max || -d > max {
		return max + 1
	}
	// Three rows: two back (for transpositions), previous and current.
	prev2 := make([]int, lb+1)
	prev := make([]int, lb+1)
	cur := make([]int, lb+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[lb], max+1)
}

// oneDeletionApart reports whether the two words meet through the
// one-letter deletions the index holds: equal, one a deletion of the
// other, or sharing a deletion. These are exactly the pairs the index can
// find, so a distance is only counted for them.
func oneDeletionApart(a, b string) bool {
	if a == b {
		return true
	}
	da, db := deletions(a), deletions(b)
	if slices.Contains(da, b) || slices.Contains(db, a) {
		return true
	}
	for _, x := range da {
		if slices.Contains(db, x) {
			return true
		}
	}
	return false
}
