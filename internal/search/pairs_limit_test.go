package search_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// A pair of tiers larger than the results is read warmest first with a
// limit in SQL (issue 12, i12pages), not whole: the results are the ones
// the general path gives, in its order, at every limit — also where the
// last result needed shares its warmness with contacts past the limit
// (they are ordered by name, so all of them must be read), and where the
// contacts of a better pair come first in the worse one's order.
func TestPairs_LimitInSQL(t *testing.T) {
	d := testutil.DemoDB(t)
	idx := search.New(d.Client)
	d.Client.Use(idx.Hook())
	staff := testutil.As(t, d.Client, "staff@example.com")
	sys := viewer.Seed.Grant(context.Background(), "test")
	type c struct {
		first, last string
		warmness    int
	}
	var cs []c
	// 30 Olivias named Smith… ("olivia smi" finds all of them), three
	// at each warmness: ties are broken by name, then by id.
	lasts := []string{"Smith", "Smithson", "Smithers"}
	for i := range 30 {
		cs = append(cs, c{"Olivia", lasts[i%3], (i * 7 % 10) * 10})
	}
	for i := range 8 {
		cs = append(cs, c{"Olivia", "Smyth", 95 - i}, c{"Olivea", "Smith", 90 + i%2}, c{"Oliver", "Smith", 100})
	}
	for i, x := range cs {
		b := d.Client.Contact.Create().SetFirstName(x.first).SetLastName(x.last).
			SetEmail(fmt.Sprintf("%c%02d.limit@pairs.test", 'a'+(i*11)%26, i))
		ct, err := b.Save(staff)
		if err != nil {
			t.Fatalf("create %+v: %v", x, err)
		}
		// Warmness is computed, not typed; set it as the scorer would.
		if _, err := ct.Update().SetWarmness(x.warmness).Save(sys); err != nil {
			t.Fatal(err)
		}
	}
	queries := []string{"Olivai Smtih", "olivia smith", "smith olivia", "Olivia Smyth", "olivia smi", "oliv smith"}
	for _, limit := range []int{1, 2, 3, 4, 7, 10, search.DefaultLimit, 50} {
		pairs := answers(t, staff, idx, queries, limit)
		search.SetTiered(t, false)
		general := answers(t, staff, idx, queries, limit)
		search.SetTiered(t, true)
		if pairs != general {
			t.Errorf("limit %d: the pairs road answers differently from the general path:\n%s", limit, firstDiff(pairs, general))
		}
	}
}
