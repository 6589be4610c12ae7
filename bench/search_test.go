package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// BenchmarkSearchContacts searches the Sydney contacts (100,000 and the demo
// data) as the staff user through the search service, 20 results as
// searchContacts returns by default, one sub-benchmark per kind of query,
// each cycling through its queries. The fixture's 22 first and 20 last
// names make every surname about 5,000 contacts: far more per name than a
// real clinic's list, so the exact, prefix and typo figures are a worst
// case.
func BenchmarkSearchContacts(b *testing.B) {
	f := getFixture(b)
	sys := viewer.Seed.Grant(b.Context(), "test")
	// Real numbers of the fixture, typed as people type them.
	cs, err := f.DB.Client.Contact.Query().
		Where(contact.LocationID(f.Location), contact.PhoneNotNil(), contact.LastName("Kelly")).
		Limit(3).All(sys)
	if err != nil || len(cs) < 3 {
		b.Fatalf("contacts with phones: %d, %v", len(cs), err)
	}
	var phones, phoneOwners []string
	for _, c := range cs {
		nsn := strings.TrimPrefix(*c.Phone, "+61") // 412345678
		national := "0" + nsn[:3] + " " + nsn[3:6] + " " + nsn[6:]
		phones = append(phones, national, *c.Phone, nsn[:3]+" "+nsn[3:5], nsn[3:6]+" "+nsn[6:])
		phoneOwners = append(phoneOwners, string(c.ID), string(c.ID), "", "")
	}
	kinds := []struct {
		name    string
		queries []string
		// first names the contact that must come first, when one must.
		first []string
		limit int
	}{
		{name: "exact_surname", queries: []string{"Nguyen", "Smith", "Papadopoulos", "O'Brien"}},
		{name: "prefix", queries: []string{"papa", "Chlo", "Wils", "hadd"}},
		// Three letters that begin the first name of one contact in 22 and
		// two surnames of one in 20 each, and their email addresses:
		// 17,000 candidates.
		{name: "prefix_3_letters_common", queries: []string{"Wil"}},
		{name: "one_typo", queries: []string{"Nguyem", "Smtih", "Wiliams", "Tayler"}},
		{name: "two_tokens_typos", queries: []string{"Olivai Smtih", "Jack Wilsno", "Priya Patle", "Conor Murphey"}},
		{name: "phone", queries: phones, first: phoneOwners},
		{name: "mixed_top50", limit: 50, queries: []string{"Nguyen", "papa", "Smtih", "Olivai Smtih", phones[0], phones[3]}},
	}
	ctx := testutil.As(b, f.DB.Client, "staff@example.com")
	idx := search.New(f.DB.Client)
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			opts := search.Options{Limit: search.DefaultLimit}
			if k.limit > 0 {
				opts.Limit = k.limit
			}
			for i, q := range k.queries {
				t0 := time.Now()
				rs, err := idx.Search(ctx, q, opts)
				took := time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				if len(rs) == 0 {
					b.Fatalf("%q found nothing", q)
				}
				if i < len(k.first) && k.first[i] != "" && string(rs[0].Contact.ID) != k.first[i] {
					b.Fatalf("%q found %s %s (%s) first", q, rs[0].Contact.FirstName, rs[0].Contact.LastName, rs[0].Matched)
				}
				if testing.Verbose() {
					b.Logf("%q: %d results in %s, first %s %s (%.2f, %s)", q, len(rs), took.Round(time.Microsecond),
						rs[0].Contact.FirstName, rs[0].Contact.LastName, rs[0].Score, rs[0].Matched)
				}
			}
			measure(b, func(i int) error {
				_, err := idx.Search(ctx, k.queries[i%len(k.queries)], opts)
				return err
			})
		})
	}

	// The whole stack: HTTP, session, gqlgen, the search, JSON.
	b.Run("http_mixed", func(b *testing.B) {
		srv := testutil.StartServer(b, testutil.ServerOptions{DatabaseURL: "sqlite:" + f.Path, Env: serverEnv()})
		c := srv.SignIn(b, "staff@example.com")
		query := `query($q: String!) { searchContacts(query: $q) { score matched contact { id firstName lastName phone email warmness } } }`
		qs := kinds[len(kinds)-1].queries
		for _, q := range qs {
			var out struct{ SearchContacts []struct{ Score float64 } }
			srv.MustGraphQL(b, c, query, map[string]any{"q": q}).Decode(b, &out)
			if len(out.SearchContacts) == 0 {
				b.Fatalf("%q found nothing over HTTP", q)
			}
		}
		measure(b, func(i int) error {
			r := srv.GraphQL(b, c, query, map[string]any{"q": qs[i%len(qs)]})
			if err := gqlErr(r); err != nil {
				return fmt.Errorf("%q: %w", qs[i%len(qs)], err)
			}
			return nil
		})
	})
}
