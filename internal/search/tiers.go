package search

import (
	"context"
	"slices"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/searchkey"
	"github.com/avatarimaging/avatarcrm/ent/searchword"
)

// A search for one name word knows, before it reads a single contact,
// every score a contact can get: the dictionary names the words that start
// with it or are a typo away, and each (word, part) scores a fixed number
// of points (a prefix of a last name 88, of a first name 80, …). So the
// contacts are read a tier of equal score at a time, best first, and the
// search stops at the tier that fills the results. A large tier (5,000
// Smiths, 10,000 Wil… surnames) is not read at all: the location's
// contacts are read warmest first from the warmness index, each tested for
// membership by an index probe in the same statement, until the results
// are full; a few hundred entries, however common the word. The general
// path (collector) read every row of every matching word first: 17,000
// rows for "Wil".

// tier is the lookups whose rows all score points, with how.
type tier struct {
	points  int
	quality int
	part    int8
	ls      lookups
}

// maxPrefixWords caps the dictionary words a prefix may name for the tiered
// path; more (a two-letter prefix) and the general path reads the rows.
const maxPrefixWords = 200

// smallTier is the most members of a tier read into memory; a larger tier
// is read from the warmness index with a membership test. A variable so
// tests can send small data sets down the large tiers' road.
var smallTier = 1000

// tiered turns the tiered path on; tests compare it with the general one.
var tiered = true

// tieredOK reports whether the tiered path can answer a search for t: a
// name word of letters only (a digit could match a phone, whose prefixes
// the tiers do not cover) of two or more letters.
func tieredOK(t token) bool {
	if !tiered || t.kind != tokName || t.runes < 2 {
		return false
	}
	for _, r := range t.text {
		if r >= '0' && r <= '9' {
			return false
		}
	}
	return true
}

// tiers returns t's tiers, best first: ok is false when the prefix names too
// many words.
func (f *fetcher) tiers(ctx context.Context, t token, typos typoWords) (one, deep []tier, ok bool, err error) {
	q := f.s.client.SearchWord.Query().Where(searchword.KeyGTE(t.text), isWord)
	if hi, ok := successor(t.text); ok {
		q.Where(searchword.KeyLT(hi))
	}
	if f.loc != "" {
		q.Where(searchword.LocationIDEQ(f.loc))
	}
	words, err := q.Limit(maxPrefixWords + 1).Select(searchword.FieldWord).Strings(ctx)
	if err != nil || len(words) > maxPrefixWords {
		return nil, nil, false, err
	}
	var exact, prefix []string
	for _, w := range words {
		switch {
		case w == t.text:
			exact = append(exact, w)
		case strings.HasPrefix(w, t.text):
			prefix = append(prefix, w)
		}
	}
	add := func(out []tier, quality int, part int8, l lookup) []tier {
		if l.keys == nil && l.lo == "" {
			return out // no words: nothing to read (a nil IN list would be a range over everything)
		}
		l.parts = []int8{part}
		return append(out, tier{points: quality * partWeight[part] / 100, quality: quality, part: part, ls: lookups{l}})
	}
	in := func(keys []string) lookup {
		if len(keys) == 0 {
			return lookup{}
		}
		return lookup{kind: kindWord, keys: keys}
	}
	one = add(one, qExact, partLastName, in(exact))
	one = add(one, qExact, partFirstName, in(exact))
	one = add(one, qExact, partEmail, in([]string{t.text}))
	one = add(one, qPrefix, partLastName, in(prefix))
	one = add(one, qPrefix, partFirstName, in(prefix))
	hi, _ := successor(t.text)
	one = add(one, qPrefix, partEmail, lookup{kind: kindWord, lo: t.text, hi: hi})
	one = add(one, qEdit1, partLastName, in(typos.one))
	one = add(one, qEdit1, partFirstName, in(typos.one))
	if t.runes >= 8 {
		deep = add(deep, qEdit2, partLastName, in(typos.two))
		deep = add(deep, qEdit2, partFirstName, in(typos.two))
	}
	slices.SortStableFunc(one, func(a, b tier) int { return b.points - a.points })
	return one, deep, true, nil
}

// searchTiered answers a search for the one word t, as the general path
// would, reading tier after tier until limit contacts are chosen.
func (s *Index) searchTiered(ctx context.Context, f *fetcher, toks []token, typos typoWords, where []predicate.Contact, limit int) ([]Result, bool, error) {
	t := toks[0]
	one, deep, ok, err := f.tiers(ctx, t, typos)
	if err != nil || !ok {
		return nil, false, err
	}
	var chosen []*candidate
	taken := map[pulid.ID]bool{}
	matched := false // any row found, archived or not: as the general path, which looks for two typos only when nothing closer matched
	run := func(ts []tier) error {
		for _, tr := range ts {
			if len(chosen) >= limit {
				return nil
			}
			got, found, err := s.readTier(ctx, f, tr, taken, where, limit-len(chosen))
			if err != nil {
				return err
			}
			matched = matched || found
			for _, c := range got {
				taken[c.id] = true
			}
			chosen = append(chosen, got...)
		}
		return nil
	}
	if err := run(one); err != nil {
		return nil, true, err
	}
	if !matched {
		if err := run(deep); err != nil {
			return nil, true, err
		}
	}
	res, err := s.load(ctx, toks, chosen)
	return res, true, err
}

// readTier returns the first need contacts of tier tr, warmest first, that
// pass where and are not taken (those scored better in an earlier tier);
// found reports whether the index holds any row of the tier.
func (s *Index) readTier(ctx context.Context, f *fetcher, tr tier, taken map[pulid.ID]bool, where []predicate.Contact, need int) (got []*candidate, found bool, err error) {
	q := s.client.SearchKey.Query().Where(tr.ls[0].pred())
	if f.loc != "" {
		q.Where(searchkey.LocationEQ(f.locKey))
	}
	ids, err := q.Limit(smallTier + 1).Select(searchkey.FieldContactID).Strings(ctx)
	if err != nil || len(ids) == 0 {
		return nil, false, err
	}
	newCand := func(id pulid.ID) *candidate {
		return &candidate{id: id, best: []match{{points: tr.points, quality: tr.quality, part: tr.part}}, matched: 1, points: tr.points}
	}
	if len(ids) <= smallTier {
		var members []*candidate
		seen := map[pulid.ID]bool{}
		for _, id := range ids {
			if id := pulid.ID(id); !taken[id] && !seen[id] {
				seen[id] = true
				members = append(members, newCand(id))
			}
		}
		got, err := s.tierOrder(ctx, members, where, true, need)
		return got, true, err
	}
	// A large tier: the warmest contacts that have a row of it.
	member := f.hasRow(tr.ls)
	page := need + len(taken)
	// Whole contacts: the few chosen are then not read again one by one
	// (load), which was a third of a search's time.
	cs, err := s.client.Contact.Query().Where(where...).Where(member).
		Order(contact.ByWarmness(sql.OrderDesc()), contact.ByID(sql.OrderDesc())).
		Limit(page).All(ctx)
	if err != nil {
		return nil, true, err
	}
	light := func(x *ent.Contact) {
		if !taken[x.ID] {
			c := newCand(x.ID)
			c.warmness, c.first, c.last, c.loaded = x.Warmness, x.FirstName, x.LastName, x
			got = append(got, c)
		}
	}
	for _, x := range cs {
		light(x)
	}
	if len(got) >= need {
		// Contacts as warm as the last one needed are ordered by name: read
		// them all.
		last := got[need-1].warmness
		got = slices.DeleteFunc(got, func(c *candidate) bool { return c.warmness == last })
		ties, err := s.client.Contact.Query().Where(where...).Where(member, contact.Warmness(last)).All(ctx)
		if err != nil {
			return nil, true, err
		}
		for _, x := range ties {
			light(x)
		}
	}
	return sortTier(got, need), true, nil
}

// hasRow is a contact predicate: the contact has an index row matching one
// of ls, tested by an index probe per contact.
func (f *fetcher) hasRow(ls lookups) predicate.Contact {
	return func(s *sql.Selector) {
		t := sql.Table(searchkey.Table).As("m")
		ors := make([]*sql.Predicate, 0, len(ls))
		for _, x := range ls.split() {
			ors = append(ors, x.sqlPred(t, f.locKey))
		}
		s.Where(sql.Exists(sql.Select(t.C(searchkey.FieldContactID)).From(t).
			Where(sql.And(sql.ColumnsEQ(t.C(searchkey.FieldContactID), s.C(contact.FieldID)), sql.Or(ors...)))))
	}
}
