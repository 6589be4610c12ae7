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
	var ps []pair
	for _, a := range ts[0] {
		for _, b := range ts[1] {
			ps = append(ps, pair{a, b, a.points + b.points})
		}
	}
	if len(ps) > maxPairs || len(ps) == 0 {
		return nil, false, nil
	}
	slices.SortStableFunc(ps, func(p, q pair) int { return q.points - p.points })
	// The pairs are read a batch of whole sums at a time, one statement,
	// and the contacts found scored as the general path scores them (their
	// words): after the pairs of sums above x are read, every contact
	// scoring above x is known, since its best pair is one of them.
	var found []*candidate
	taken := map[pulid.ID]bool{}
	all := []int{0, 1}
	for i := 0; i < len(ps); {
		j := min(i+pairBatch, len(ps))
		for j < len(ps) && ps[j].points == ps[j-1].points {
			j++
		}
		var tp [][2]tier
		for _, p := range ps[i:j] {
			tp = append(tp, [2]tier{p.a, p.b})
		}
		cs, err := s.readPairs(ctx, f, tp, where)
		if err != nil {
			return nil, true, err
		}
		hs, byID := contactHits(cs)
		var fields []hit
		for _, h := range hs {
			if !taken[h.ContactID] {
				taken[h.ContactID] = true
				fields = append(fields, fieldHits(h, false)...)
			}
		}
		cands := map[pulid.ID]*candidate{}
		scoreHits(toks, all, fields, cands)
		for _, c := range cands {
			if c.matched == len(toks) {
				c.loaded = byID[c.id]
				found = append(found, c)
			}
		}
		i = j
		if len(found) >= limit {
			break
		}
	}
	slices.SortFunc(found, func(a, b *candidate) int {
		if a.points != b.points {
			return b.points - a.points
		}
		return byWarmthAndName(a, b)
	})
	chosen := found[:min(len(found), limit)]
	if len(chosen) == 0 {
		// No contact matches both words: the general path returns the
		// best partial matches.
		return nil, false, nil
	}
	res, err := s.load(ctx, toks, chosen)
	return res, true, err
}

// pairBatch is the least pairs of tiers one statement reads: most pairs
// are empty (a word's email, two last names), a statement each.
const pairBatch = 8

// readPairs reads, whole, the contacts passing where with a row of both
// tiers of one of the pairs: a UNION ALL of one INTERSECT of the two
// runs a pair. A contact may come more than once.
func (s *Index) readPairs(ctx context.Context, f *fetcher, pairs [][2]tier, where []predicate.Contact) ([]*ent.Contact, error) {
	var sub *sql.Selector
	for i, p := range pairs {
		arm := func(tr tier, alias string) *sql.Selector {
			t := sql.Table(searchkey.Table).As(alias)
			return sql.Select(t.C(searchkey.FieldContactID)).From(t).Where(tr.ls[0].sqlPred(t, f.loc))
		}
		n := strconv.Itoa(i)
		x := arm(p[0], "pa"+n).Intersect(arm(p[1], "pb"+n))
		x.As("x" + n)
		one := sql.Select(x.C(searchkey.FieldContactID)).From(x)
		if sub == nil {
			sub = one
		} else {
			sub.UnionAll(one)
		}
	}
	sub.As("n")
	return s.client.Contact.Query().Where(where...).Where(func(s *sql.Selector) {
		s.Join(sub).On(s.C(contact.FieldID), sub.C(searchkey.FieldContactID))
	}).All(ctx)
}
