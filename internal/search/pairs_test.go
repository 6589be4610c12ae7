package search_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// Two words with typos skip the pairs of tiers with a tier of no rows
// (issue 12, i12srch3). A data set where words cross parts — a surname
// that is also a first name, typed words that are whole email addresses
// or start them, a typo that is itself a name — so that some of those
// tiers have rows: the pairs road answers as it does without skipping and
// as the general path, in the same order, at a small limit (the search
// stops after a few pairs) and a large one.
func TestPairs_SkipEmptyTiers(t *testing.T) {
	d := testutil.DemoDB(t)
	idx := search.New(d.Client)
	d.Client.Use(idx.Hook())
	staff := testutil.As(t, d.Client, "staff@example.com")
	type c struct{ first, last, email string }
	var cs []c
	for i := range 6 {
		cs = append(cs, c{"Olivia", "Smith", fmt.Sprintf("olivia.smith%d@pairs.test", i)})
	}
	cs = append(cs,
		c{"Smith", "Olivia", ""},                   // each word in the other part
		c{"Olivia", "Olivia", "olivai@pairs.test"}, // "olivai" a whole email address
		c{"Olive", "Smtih", ""},                    // the typo a surname
		c{"Jack", "Wilson", "smtih.jack@pairs.test"},
		c{"Jack", "Wilsno", ""},
		c{"Wilson", "Jack", "jack@pairs.test"},
		c{"Priya", "Patel", ""},
		c{"Patel", "Priya", "priyapatle@pairs.test"},
		c{"Conor", "Murphy", "conor@murphey.test"},
	)
	for i := range 4 {
		cs = append(cs, c{"Jack", "Wilson", ""}, c{"Olivia", "Smyth", ""}, c{"Conor", fmt.Sprintf("Murphy%c", 'a'+i), ""})
	}
	for _, x := range cs {
		b := d.Client.Contact.Create().SetFirstName(x.first).SetLastName(x.last)
		if x.email != "" {
			b.SetEmail(x.email)
		}
		if _, err := b.Save(staff); err != nil {
			t.Fatalf("create %+v: %v", x, err)
		}
	}
	queries := []string{
		"Olivai Smtih", "Smtih Olivai", "olivia smith", "smith olivia", "olivai olivia",
		"Jack Wilsno", "wilsno jack", "Priya Patle", "patle priya", "Conor Murphey", "oliv smi", "jack wil",
	}
	for _, limit := range []int{2, 5, search.DefaultLimit} {
		order := func() string { return answers(t, staff, idx, queries, limit) }
		skipping := order()
		search.SetSkipEmpty(t, false)
		every := order()
		search.SetTiered(t, false)
		general := order()
		search.SetTiered(t, true)
		search.SetSkipEmpty(t, true)
		if skipping != every {
			t.Errorf("limit %d: skipping empty tiers answers differently:\n%s", limit, firstDiff(skipping, every))
		}
		if skipping != general {
			t.Errorf("limit %d: the pairs road answers differently from the general path:\n%s", limit, firstDiff(skipping, general))
		}
		if !strings.Contains(skipping, "Olivia Smith") || !strings.Contains(skipping, "Jack Wilson") {
			t.Fatalf("limit %d: the searches found too little:\n%s", limit, skipping)
		}
	}
}
