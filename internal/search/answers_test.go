package search_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/search"
)

// answers runs each of queries at limit and prints the results in their
// order, a line each: the contact's id and name, the score and what
// matched. Tests compare the text two roads of the search print.
func answers(t *testing.T, ctx context.Context, idx *search.Index, queries []string, limit int) string {
	t.Helper()
	var b strings.Builder
	for _, q := range queries {
		rs, err := idx.Search(ctx, q, search.Options{Limit: limit})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		fmt.Fprintf(&b, "## %s\n", q)
		for _, r := range rs {
			fmt.Fprintf(&b, "%s %s %s %.4f %s\n", r.Contact.ID, r.Contact.FirstName, r.Contact.LastName, r.Score, r.Matched)
		}
	}
	return b.String()
}
