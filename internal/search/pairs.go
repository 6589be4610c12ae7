package search

import (
	"context"
	"slices"
	"strconv"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/searchkey"
)

// Two name words, tiered: each word's tiers (tiers.go) score a fixed
// number of points, so a contact with a row of tier x of the first word
// and of tier y of the second scores at least x + y, and exactly that when
// the pair is the best it is in. The pairs are read best sum first, one
// statement each: the contacts with a row of both tiers, an INTERSECT of
// the two runs (one (key, part) run of the lookup index is sorted by
// contact, so SQLite merges them), joined to the contacts read whole. The
// search stops at the score that fills the results: "Olivai Smtih" reads
// the 221 Olivia Smiths of one pair, not 5,000 Olivias checked against
// 5,000 Smiths.

// maxPairs caps the pairs of tiers read; more and the general path reads
// the rows (a pair found empty still costs a statement).
const maxPairs = 36

// pairsOn turns the tiered path for two words on; tests compare it with
// the general one.
var pairsOn = true

// skipEmpty turns off reading the pairs with a tier of no rows; tests
// compare the pairs road with and without it.
var skipEmpty = true

// pairsOK reports whether the tiered path for two words can answer toks.
func pairsOK(toks []token) bool {
	return pairsOn && tiered && len(toks) == 2 && tieredOK(toks[0]) && tieredOK(toks[1])
}

// searchPairs answers a search for the two name words toks as the general
// path would; ok is false when it cannot (then nothing was decided).
func (s *Index) searchPairs(ctx context.Context, f *fetcher, toks []token, typos map[int]typoWords, where []predicate.Contact, limit int) ([]Result, bool, error) {
	var ts [2][]tier
	for i := range ts {
		one, _, ok, err := f.tiers(ctx, toks[i], typos[i])
		if err != nil || !ok {
			return nil, false, err
		}
		for _, tr := range one {
			if len(tr.ls.split()) != 1 {
				return nil, false, nil // an IN list of more than maxInList words
			}
		}
		ts[i] = one
	}
	type pair struct {
		a, b   tier
		points int
	}
	if n := len(ts[0]) * len(ts[1]); n > maxPairs || n == 0 {
		return nil, false, nil
	}
	// A pair with a tier of no rows is empty: most are ("olivai" as a
	// whole email address, "smith" as a first name), and each would cost
	// a statement before the pair that fills the results.
	filled := make([]bool, len(ts[0])+len(ts[1]))
	for i := range filled {
		filled[i] = true
	}
	if skipEmpty {
		var err error
		if filled, err = s.filledTiers(ctx, f, slices.Concat(ts[0], ts[1])); err != nil {
			return nil, true, err
		}
	}
	n0 := len(ts[0])
	var ps []pair
	for i, a := range ts[0] {
		for j, b := range ts[1] {
			if filled[i] && filled[n0+j] {
				ps = append(ps, pair{a, b, a.points + b.points})
			}
		}
	}
	slices.SortStableFunc(ps, func(p, q pair) int { return q.points - p.points })
	// A contact in two pairs of equal sum is also in a better pair (the
	// better tier of each word), so it was taken there.
	var chosen []*candidate
	taken := map[pulid.ID]bool{}
	for i := 0; i < len(ps) && len(chosen) < limit; {
		var level []*candidate
		j := i
		for ; j < len(ps) && ps[j].points == ps[i].points; j++ {
			p := ps[j]
			cs, err := s.readPair(ctx, f, p.a, p.b, where, taken, limit-len(chosen))
			if err != nil {
				return nil, true, err
			}
			for _, c := range cs {
				if taken[c.ID] {
					continue
				}
				taken[c.ID] = true
				level = append(level, &candidate{
					id: c.ID,
					best: []match{
						{points: p.a.points, quality: p.a.quality, part: p.a.part},
						{points: p.b.points, quality: p.b.quality, part: p.b.part},
					},
					matched: 2, points: p.points,
					warmness: c.Warmness, first: c.FirstName, last: c.LastName, loaded: c,
				})
			}
		}
		chosen = append(chosen, sortTier(level, limit-len(chosen))...)
		i = j
	}
	if len(chosen) == 0 {
		// No contact matches both words: the general path returns the
		// best partial matches.
		return nil, false, nil
	}
	res, err := s.load(ctx, toks, chosen)
	return res, true, err
}

// readPair reads, whole, the contacts passing where with a row of tier a
// and a row of tier b that may be among the need best of the pair not
// taken (warmest first, then by name): the warmest need + len(taken), in
// SQL, and then every contact as warm as the last needed one, whose order
// is by name. "Olivai Smtih" thus reads about 20 of the 221 Olivia
// Smiths, not all of them to keep 20.
func (s *Index) readPair(ctx context.Context, f *fetcher, a, b tier, where []predicate.Contact, taken map[pulid.ID]bool, need int) ([]*ent.Contact, error) {
	arm := func(tr tier, alias string) *sql.Selector {
		t := sql.Table(searchkey.Table).As(alias)
		return sql.Select(t.C(searchkey.FieldContactID)).From(t).Where(tr.ls[0].sqlPred(t, f.locKey))
	}
	both := func() predicate.Contact {
		sub := arm(a, "pa").Intersect(arm(b, "pb"))
		sub.As("n")
		return func(s *sql.Selector) {
			s.Join(sub).On(s.C(contact.FieldID), sub.C(searchkey.FieldContactID))
		}
	}
	// Taken contacts of this pair may come first: read past them. The
	// order is by +warmness, which no index has: SQLite (no statistics)
	// otherwise walks the location's warmness index to skip the sort and
	// probes the pair for each of 100,000 contacts (10 s a search).
	// Reading the pair first and sorting its few hundred rows is the plan.
	page := need + len(taken)
	byWarmness := func(s *sql.Selector) {
		s.OrderExpr(sql.Expr("+" + s.C(contact.FieldWarmness) + " DESC"))
	}
	cs, err := s.client.Contact.Query().Where(where...).Where(both()).
		Order(byWarmness, contact.ByID(sql.OrderDesc())).
		Limit(page + 1).All(ctx)
	if err != nil || len(cs) <= page {
		return cs, err // the whole pair
	}
	var kept []*ent.Contact
	for _, c := range cs {
		if !taken[c.ID] {
			kept = append(kept, c)
		}
	}
	if len(kept) <= need {
		// Cannot happen (the page passes every taken contact); cheap to
		// be sure of: the pair whole.
		return s.client.Contact.Query().Where(where...).Where(both()).All(ctx)
	}
	// Contacts as warm as the last one needed are ordered by name, so all
	// of them count; cooler ones do not. The row read past the page says
	// whether they are all in: when it is cooler, they are.
	last := kept[need-1].Warmness
	kept = slices.DeleteFunc(kept, func(c *ent.Contact) bool { return c.Warmness < last })
	if cs[len(cs)-1].Warmness < last {
		return kept, nil
	}
	kept = slices.DeleteFunc(kept, func(c *ent.Contact) bool { return c.Warmness == last })
	// +warmness again: through the pair, not the warmness index.
	sameWarmness := func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("+" + s.C(contact.FieldWarmness) + " = ").Arg(last)
		}))
	}
	ties, err := s.client.Contact.Query().Where(where...).Where(both(), sameWarmness).All(ctx)
	if err != nil {
		return nil, err
	}
	return append(kept, ties...), nil
}

// filledTiers reports, for each of ts, whether the index holds a row of
// it, in one statement: a bit a tier, each an EXISTS probe of the lookup
// index, selected beside the first index row of the location (through
// the index's policy, like every read). No row at all means the location
// has no rows: every tier is empty.
func (s *Index) filledTiers(ctx context.Context, f *fetcher, ts []tier) ([]bool, error) {
	bits := sql.ExprFunc(func(b *sql.Builder) {
		for i, tr := range ts {
			if i > 0 {
				b.WriteString(" + ")
			}
			t := sql.Table(searchkey.Table).As("e" + strconv.Itoa(i))
			probe := sql.Select(t.C(searchkey.FieldContactID)).From(t).Where(tr.ls[0].sqlPred(t, f.locKey))
			// CASE, not the EXISTS itself: PostgreSQL's is a boolean.
			b.WriteString("CASE WHEN ").Join(sql.Exists(probe)).WriteString(" THEN " + strconv.Itoa(1<<i) + " ELSE 0 END")
		}
	})
	var rows []struct {
		Kind   int8  `sql:"kind"`
		Filled int64 `sql:"filled"`
	}
	err := s.client.SearchKey.Query().Where(searchkey.LocationEQ(f.locKey), func(s *sql.Selector) {
		s.AppendSelectExprAs(bits, "filled")
	}).Limit(1).Select(searchkey.FieldKind).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(ts))
	for i := range out {
		out[i] = len(rows) == 1 && rows[0].Filled&(1<<i) != 0
	}
	return out, nil
}
