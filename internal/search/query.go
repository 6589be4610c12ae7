package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// DefaultLimit and MaxLimit bound Options.Limit.
const (
	DefaultLimit = 20
	MaxLimit     = 200
)

// Options tune Search.
type Options struct {
	// Limit is the most results, DefaultLimit when 0, at most MaxLimit.
	Limit int
	// IncludeArchived returns archived contacts too.
	IncludeArchived bool
	// Filter narrows the contacts found (pipeline, stage, …).
	Filter *ent.ContactWhereInput
}

// Result is a contact found, its score and what matched.
type Result struct {
	Contact *ent.Contact
	// Score is the sum over the query's words of the best match: 1 exact,
	// 0.8 prefix, 0.7 end of a phone number, 0.6 one typo, 0.4 two,
	// weighted by part (last name and phone ×1.1, email ×0.9).
	Score float64
	// Matched says which parts matched and how, e.g. `first name "John"
	// (1 typo), last name "Smith"`.
	Matched string
}

// Match qualities, in hundredths.
const (
	qExact  = 100
	qPrefix = 80
	qSuffix = 70
	qEdit1  = 60
	qEdit2  = 40
)

// partWeight is each part's weight, in hundredths.
var partWeight = [...]int{partFirstName: 100, partLastName: 110, partEmail: 90, partPhone: 110}

var partName = [...]string{partFirstName: "first name", partLastName: "last name", partEmail: "email", partPhone: "phone"}

// match is how one query token matched one contact.
type match struct {
	points  int // quality × part weight / 100
	quality int
	part    int8
}

// candidate is a contact some token matched, with what ranking needs.
type candidate struct {
	id          pulid.ID
	best        []match // per token; points 0 = no match
	matched     int     // tokens matched
	points      int
	warmness    int
	first, last string
	// loaded is the whole contact when the ranking read it (the large
	// tiers' road): load does not read it again.
	loaded *ent.Contact
}

func (c *candidate) record(i int, m match) {
	if old := c.best[i]; m.points > old.points {
		if old.points == 0 {
			c.matched++
		}
		c.points += m.points - old.points
		c.best[i] = m
	}
}

// Search finds the contacts at the viewer's location that match q, best
// first: every word of q must match a word of the contact (exact, prefix,
// typo, phone digits), or, when no contact matches them all, the contacts
// matching the most words are returned. Ties go to the warmer contact, then
// by name. The index and the contacts are read with ctx, so the viewer's
// privacy rules apply (their location only, contacts:read).
func (s *Index) Search(ctx context.Context, q string, opts Options) ([]Result, error) {
	toks := parseQuery(q)
	if len(toks) == 0 {
		return nil, nil
	}
	release, err := s.limit.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	var filter predicate.Contact
	if opts.Filter != nil {
		p, err := opts.Filter.P()
		switch {
		case errors.Is(err, ent.ErrEmptyContactWhereInput):
		case err != nil:
			return nil, apperr.Invalidf("filter", "%s", err)
		default:
			filter = p
		}
	}
	var where []predicate.Contact
	if !opts.IncludeArchived {
		where = append(where, contact.ArchivedAtIsNil())
	}
	if filter != nil {
		where = append(where, filter)
	}
	f := fetcher{s: s, includeArchived: opts.IncludeArchived, filter: filter}
	if v := viewer.FromContext(ctx); v != nil {
		f.loc = v.LocationID
		f.locKey = pulid.Fold(v.LocationID)
	}

	// One-letter words are too common to look up alone; with other words
	// they are checked as a prefix of the names the others found
	// ("Olivia S").
	var long, short []int
	for i, t := range toks {
		if t.kind == tokName && t.runes == 1 {
			short = append(short, i)
		} else {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		// Only single letters: they must match a whole word.
		long, short = short, nil
	}
	typos, err := f.typos(ctx, toks, long)
	if err != nil {
		return nil, err
	}
	per := make([]lookups, len(toks))
	for _, i := range long {
		per[i] = tokenLookups(toks[i], typos[i])
	}
	for _, i := range short {
		per[i].prefix(kindWord, nil, boundOneLetter, toks[i].text)
	}

	// Several words: the contacts that match them all, found by the
	// database. Each word's rows are read only for contacts that also
	// have a row of every other word, so "Olivia Smith" reads the 200
	// Olivia Smiths, not 5,000 Olivias and 5,000 Smiths; and those rows
	// come with the contact's warmness and names (for ranking, and for
	// one-letter words: "Olivia S").
	if len(short) == 0 && filter == nil && !opts.IncludeArchived && f.loc != "" && pairsOK(toks) {
		// Two name words: a pair of tiers at a time (pairs.go).
		if res, ok, err := s.searchPairs(ctx, &f, toks, typos, where, limit); ok || err != nil {
			return res, err
		}
	}
	if len(toks) >= 2 {
		f.join = true
		d := driver(toks, long)
		var restrict []lookups
		for j := range toks {
			if j != d {
				restrict = append(restrict, per[j].unparted())
			}
		}
		var hits []hit
		var whole map[pulid.ID]*ent.Contact // the contacts read whole, by ID
		if f.loc != "" && wholeContacts {
			cs, err := f.fetchContacts(ctx, per[d].unparted(), restrict, where)
			if err != nil {
				return nil, err
			}
			hits, whole = contactHits(cs)
		} else if hits, err = f.fetch(ctx, per[d].unparted(), restrict); err != nil {
			return nil, err
		}
		// Every word is scored against the words of the contacts found,
		// read with them, rather than read from the index again.
		phone := false
		for _, i := range long {
			phone = phone || toks[i].kind == tokDigits
		}
		seen := map[pulid.ID]bool{}
		var fields []hit
		for _, h := range hits {
			if !seen[h.ContactID] {
				seen[h.ContactID] = true
				fields = append(fields, fieldHits(h, phone)...)
			}
		}
		cands := map[pulid.ID]*candidate{}
		scoreHits(toks, long, fields, cands)
		refine(toks, short, cands)
		var full []*candidate
		for _, c := range cands {
			if c.matched == len(toks) {
				c.loaded = whole[c.id]
				full = append(full, c)
			}
		}
		if len(full) > 0 {
			return s.rankKnown(ctx, toks, full, limit)
		}
	}

	// One word, or no contact matches them all: every contact that matches
	// a word. The rows alone, unless one-letter words need the names;
	// when they are few, they are read again with their contacts, which
	// is quicker than reading the contacts one by one; otherwise warmness
	// is read afterwards for the few that need it (tierOrder).
	f.join = len(short) > 0
	if len(toks) == 1 && len(long) == 1 && filter == nil && !opts.IncludeArchived && f.loc != "" && tieredOK(toks[0]) {
		// One name word: a tier of equal score at a time (tiers.go).
		if res, ok, err := s.searchTiered(ctx, &f, toks, typos[0], where, limit); ok || err != nil {
			return res, err
		}
	}
	var ls []lookups
	for _, i := range long {
		ls = append(ls, per[i])
	}
	// One word scores its best match, so its lookups are read best first
	// and the rest skipped once they cannot change the results: "Nguyen"
	// needs no typos of Nguyen when 5,000 contacts are called Nguyen. A
	// filter could drop what was found, so not with a filter.
	stages := []lookups{merge(ls...)}
	if len(long) == 1 && len(short) == 0 && filter == nil {
		stages = per[long[0]].stages()
	}
	c := collector{f: &f, toks: toks, long: long, short: short, typos: typos}
	if err := c.read(ctx, stages, limit); err != nil {
		return nil, err
	}
	if !f.join && f.rows <= rereadRows {
		// Few rows: read them again with their contacts.
		f.join = true
		if err := c.reread(ctx); err != nil {
			return nil, err
		}
	}
	for {
		res, err := c.results(ctx, where, limit)
		if err != nil || c.next == len(c.stages) {
			return res, err
		}
		// Stopped early: right if the results are full and all better
		// than anything the skipped lookups could find.
		if len(res) == limit && int(math.Round(res[len(res)-1].Score*100)) > c.stages[c.next][0].bound {
			return res, nil
		}
		if err := c.read(ctx, nil, 0); err != nil {
			return nil, err
		}
	}
}

// rereadRows is the most index rows read again with their contacts.
const rereadRows = 2000

// collector reads the lookups of a search in stages and keeps the
// candidates.
type collector struct {
	f           *fetcher
	toks        []token
	long, short []int
	stages      []lookups
	typos       map[int]typoWords
	next        int // the first stage not read
	cands       map[pulid.ID]*candidate
}

// read reads stages (or, when nil, the rest of the stages set before)
// until the candidates better than the next stage's bound are limit
// (when limit > 0), then looks for two typos if a long word matched
// nothing.
func (c *collector) read(ctx context.Context, stages []lookups, limit int) error {
	if stages != nil {
		c.stages, c.next, c.cands = stages, 0, map[pulid.ID]*candidate{}
	}
	for c.next < len(c.stages) {
		hits, err := c.f.fetch(ctx, c.stages[c.next], nil)
		if err != nil {
			return err
		}
		scoreHits(c.toks, c.long, hits, c.cands)
		c.next++
		if limit > 0 && c.next < len(c.stages) && c.better(c.stages[c.next][0].bound) >= limit {
			return nil
		}
	}
	// Two typos are looked for only for a long word nothing closer
	// matched.
	var deep []lookups
	for _, i := range c.long {
		if c.toks[i].kind == tokName && c.toks[i].runes >= 8 && !anyMatch(c.cands, i) && len(c.typos[i].two) > 0 {
			deep = append(deep, deepLookups(c.typos[i]))
		}
	}
	if len(deep) > 0 {
		more, err := c.f.fetch(ctx, merge(deep...), nil)
		if err != nil {
			return err
		}
		scoreHits(c.toks, c.long, more, c.cands)
	}
	refine(c.toks, c.short, c.cands)
	return nil
}

// reread reads the stages read so far again, with the contacts.
func (c *collector) reread(ctx context.Context) error {
	all, n := c.stages, c.next
	c.f.rows = 0
	if err := c.read(ctx, all[:n:n], 0); err != nil {
		return err
	}
	c.stages, c.next = all, n
	return nil
}

// better counts the candidates scoring more than points.
func (c *collector) better(points int) int {
	n := 0
	for _, cd := range c.cands {
		if cd.points > points {
			n++
		}
	}
	return n
}

// results ranks what was read.
func (c *collector) results(ctx context.Context, where []predicate.Contact, limit int) ([]Result, error) {
	var full, partial []*candidate
	for _, cd := range c.cands {
		if cd.matched == len(c.toks) {
			full = append(full, cd)
		} else if cd.matched > 0 {
			partial = append(partial, cd)
		}
	}
	if len(full) == 0 {
		// No contact matches every word: the best partial matches.
		full = partial
	}
	if c.f.join {
		return c.f.s.rankKnown(ctx, c.toks, full, limit)
	}
	return c.f.s.rank(ctx, c.toks, full, where, !c.f.includeArchived, limit)
}

// driver picks the word whose rows the database reads, narrowed by the
// others: digits or an email, which few contacts share, else the longest.
func driver(toks []token, long []int) int {
	best := long[0]
	rank := func(t token) int {
		switch t.kind {
		case tokDigits:
			return 2000 + len(t.text)
		case tokEmail:
			return 1000 + t.runes
		}
		return t.runes
	}
	for _, i := range long[1:] {
		if rank(toks[i]) > rank(toks[best]) {
			best = i
		}
	}
	return best
}

func anyMatch(cands map[pulid.ID]*candidate, i int) bool {
	for _, c := range cands {
		if c.best[i].points > 0 {
			return true
		}
	}
	return false
}

// scoreHits records, for every hit and every token in which, the best
// match per contact.
func scoreHits(toks []token, which []int, hits []hit, cands map[pulid.ID]*candidate) {
	var slab []match // candidates' best, allocated in blocks
	newBest := func() []match {
		if len(slab) < len(toks) {
			slab = make([]match, 256*len(toks))
		}
		b := slab[:len(toks):len(toks)]
		slab = slab[len(toks):]
		return b
	}
	trs := make([][]rune, len(toks))
	for _, i := range which {
		trs[i] = []rune(toks[i].text)
	}
	var buf []rune
	for k := range hits {
		h := &hits[k]
		var wr []rune // the row's word as runes, once a row
		for _, i := range which {
			q := quality(toks[i], trs[i], h, &wr, &buf)
			if q == 0 {
				continue
			}
			c := cands[h.ContactID]
			if c == nil {
				c = &candidate{id: h.ContactID, best: newBest(), warmness: h.Warmness, first: h.FirstName, last: h.LastName}
				cands[h.ContactID] = c
			}
			c.record(i, match{points: q * partWeight[h.Part] / 100, quality: q, part: h.Part})
		}
	}
}

// quality returns how well the index row h matches token t (0: not at all).
// It decides every match itself: the SQL only gathers candidates.
func quality(t token, tr []rune, h *hit, wr, buf *[]rune) int {
	if int(h.Part) >= len(partWeight) || h.Part < 0 {
		return 0
	}
	w := h.Key
	if h.Kind != kindWord {
		w = h.Word
	}
	switch t.kind {
	case tokDigits:
		switch {
		case h.Kind == kindPhoneSuffix:
			if len(t.text) >= minSuffixDigits && strings.HasSuffix(w, t.text) {
				if w == t.text {
					return qExact
				}
				return qSuffix
			}
		case h.Kind != kindWord:
		case w == t.text:
			return qExact
		case len(t.text) >= minPhonePrefix && strings.HasPrefix(w, t.text):
			return qPrefix
		case strings.HasPrefix(t.text, "00") && len(t.text) > 2+minPhonePrefix && strings.HasPrefix(w, t.text[2:]):
			if w == t.text[2:] {
				return qExact
			}
			return qPrefix
		}
		return 0
	case tokEmail:
		switch {
		case h.Kind != kindWord:
		case w == t.text:
			return qExact
		case t.runes >= 2 && strings.HasPrefix(w, t.text):
			return qPrefix
		}
		return 0
	}
	// A name word.
	switch {
	case h.Kind == kindPhoneSuffix:
		return 0
	case w == t.text:
		return qExact
	case t.runes >= 2 && strings.HasPrefix(w, t.text):
		return qPrefix
	case h.Part > partLastName:
		// Typos count in names only: emails and phones have no
		// deletions in the index.
		return 0
	case t.runes == 3:
		if utf8.RuneCountInString(w) == 4 && slices.Contains(deletions(w), t.text) {
			return qEdit1
		}
	case t.runes >= 4:
		max := 1
		if t.runes >= 8 {
			max = 2
		}
		if d := len(w) - len(t.text); d > 2*max || -d > 2*max {
			return 0 // more letters apart than max edits, even in UTF-8
		}
		if *wr == nil {
			*buf = append((*buf)[:0], []rune(w)...)
			*wr = *buf
		}
		switch d := osa(tr, *wr, max); {
		case d == 1:
			return qEdit1
		case d == 2 && max == 2 && oneDeletionApart(t.text, w):
			return qEdit2
		}
	}
	return 0
}

// refine checks one-letter tokens as a prefix of a word of the names of
// the contacts that matched every other token ("Olivia S").
func refine(toks []token, short []int, cands map[pulid.ID]*candidate) {
	if len(short) == 0 {
		return
	}
	others := len(toks) - len(short)
	for _, c := range cands {
		if c.matched != others {
			continue
		}
		for _, n := range []struct {
			part int8
			name string
		}{{partFirstName, c.first}, {partLastName, c.last}} {
			for _, w := range nameWords(n.name) {
				for _, i := range short {
					if strings.HasPrefix(w, toks[i].text) {
						q := qPrefix
						if w == toks[i].text {
							q = qExact
						}
						c.record(i, match{points: q * partWeight[n.part] / 100, quality: q, part: n.part})
					}
				}
			}
		}
	}
}

// rank orders the candidates by matched tokens and score, then by
// warmness and name, and loads the first limit that pass where, through
// the viewer's client. Contacts of equal score form a tier; a tier that
// fits is loaded whole, and the tier that crosses the limit (often all
// 5,000 holders of a common surname) is ordered by warmness cheaply: see
// tierOrder.
func (s *Index) rank(ctx context.Context, toks []token, cands []*candidate, where []predicate.Contact, liveOnly bool, limit int) ([]Result, error) {
	// Order within a tier is tierOrder's.
	slices.SortFunc(cands, func(a, b *candidate) int {
		return cmp.Or(cmp.Compare(b.matched, a.matched), cmp.Compare(b.points, a.points))
	})
	var chosen []*candidate
	for i := 0; i < len(cands) && len(chosen) < limit; {
		j := i + 1
		for j < len(cands) && cands[j].matched == cands[i].matched && cands[j].points == cands[i].points {
			j++
		}
		got, err := s.tierOrder(ctx, cands[i:j], where, liveOnly, limit-len(chosen))
		if err != nil {
			return nil, err
		}
		chosen = append(chosen, got...)
		i = j
	}
	return s.load(ctx, toks, chosen)
}

// rankKnown orders candidates whose warmness and names the fetch read,
// and loads the first limit through the viewer's client.
func (s *Index) rankKnown(ctx context.Context, toks []token, cands []*candidate, limit int) ([]Result, error) {
	slices.SortFunc(cands, func(a, b *candidate) int {
		return cmp.Or(cmp.Compare(b.matched, a.matched), cmp.Compare(b.points, a.points), byWarmthAndName(a, b))
	})
	return s.load(ctx, toks, cands[:min(len(cands), limit)])
}

// load reads the chosen contacts in full, one query each by primary key.
func (s *Index) load(ctx context.Context, toks []token, chosen []*candidate) ([]Result, error) {
	out := make([]Result, 0, len(chosen))
	for _, cd := range chosen {
		if cd.loaded != nil {
			out = append(out, Result{Contact: cd.loaded, Score: float64(cd.points) / 100, Matched: describe(toks, cd, cd.loaded)})
			continue
		}
		c, err := s.client.Contact.Query().Where(contact.ID(cd.id)).Only(ctx)
		switch {
		case ent.IsNotFound(err):
			continue // deleted since
		case err != nil:
			return nil, fmt.Errorf("search: load %s: %w", cd.id, err)
		}
		out = append(out, Result{Contact: c, Score: float64(cd.points) / 100, Matched: describe(toks, cd, c)})
	}
	return out, nil
}

func byWarmthAndName(a, b *candidate) int {
	return cmp.Or(
		cmp.Compare(b.warmness, a.warmness),
		strings.Compare(a.last, b.last),
		strings.Compare(a.first, b.first),
		strings.Compare(string(a.id), string(b.id)),
	)
}

// Costs that choose how a tier is ordered, in microseconds: reading one
// contact by ID, and one entry of the (location_id, warmness, id) index.
const (
	costByID   = 40
	costByScan = 1.5
)

// tierOrder returns the first need contacts of one tier that pass where,
// warmest first, then by name. Contacts are read one by one by primary key
// (an IN list beside the tenant filter makes SQLite, without statistics,
// scan the location), unless the tier is large: then the location's
// contacts are read in warmness order from the (location_id, warmness, id)
// index until need of the tier are found, which for 5,000 Smiths among
// 100,000 contacts takes a few hundred index entries.
// liveOnly says where leaves archived contacts out: only then may the scan
// use the warmness index, which holds only contacts not archived.
func (s *Index) tierOrder(ctx context.Context, tier []*candidate, where []predicate.Contact, liveOnly bool, need int) ([]*candidate, error) {
	byID := make(map[pulid.ID]*candidate, len(tier))
	for _, c := range tier {
		byID[c.id] = c
	}
	var got []*candidate
	seen := map[pulid.ID]bool{}
	// light reads what ordering needs of c, if it passes where.
	light := func(c *candidate) error {
		seen[c.id] = true
		x, err := s.client.Contact.Query().Where(contact.ID(c.id)).Where(where...).
			Select(contact.FieldID, contact.FieldWarmness, contact.FieldFirstName, contact.FieldLastName).
			Only(ctx)
		switch {
		case ent.IsNotFound(err):
			return nil
		case err != nil:
			return err
		}
		c.warmness, c.first, c.last = x.Warmness, x.FirstName, x.LastName
		got = append(got, c)
		return nil
	}
	if liveOnly && len(tier) > 3*need+10 {
		// The scan reads about need × (contacts / tier) entries: a few
		// hundred for a common surname. It stops when reading one by one
		// would have been as quick, and then reads the rest that way.
		budget := int(float64(len(tier)*costByID) / costByScan)
		done, err := s.scanWarmness(ctx, byID, need, budget, light, &got)
		if err != nil {
			return nil, err
		}
		if done {
			return sortTier(got, need), nil
		}
	}
	for _, c := range tier {
		if !seen[c.id] {
			if err := light(c); err != nil {
				return nil, err
			}
		}
	}
	return sortTier(got, need), nil
}

// sortTier orders contacts of equal score warmest first, then by name, and
// keeps need.
func sortTier(got []*candidate, need int) []*candidate {
	slices.SortFunc(got, byWarmthAndName)
	return got[:min(len(got), need)]
}

// The warmness scan reads pages of the index, growing from the first
// to the largest size.
const (
	firstScanPage = 250
	maxScanPage   = 2000
)

// scanWarmness reads the location's contacts warmest first, in pages, and
// hands each member of the tier to light, until need have passed and every
// contact as warm as the last of them is in (ties are ordered by name):
// then it is done. It gives up after budget entries; the tier members it
// did not reach are then read one by one.
func (s *Index) scanWarmness(ctx context.Context, tier map[pulid.ID]*candidate, need, budget int, light func(*candidate) error, got *[]*candidate) (done bool, err error) {
	var after *ent.Contact
	read, size := 0, firstScanPage
	for read < budget {
		// Not archived: the (location_id, warmness, id) index is partial.
		q := s.client.Contact.Query().Where(contact.ArchivedAtIsNil())
		if after != nil {
			q.Where(contact.Or(
				contact.WarmnessLT(after.Warmness),
				contact.And(contact.Warmness(after.Warmness), contact.IDLT(after.ID)),
			))
		}
		page, err := q.Order(contact.ByWarmness(sql.OrderDesc()), contact.ByID(sql.OrderDesc())).
			Select(contact.FieldID, contact.FieldWarmness).
			Limit(size).All(ctx)
		if err != nil {
			return false, err
		}
		for _, x := range page {
			read++
			if len(*got) >= need && x.Warmness < (*got)[len(*got)-1].warmness {
				return true, nil // need found, and all as warm as the last
			}
			if c := tier[x.ID]; c != nil {
				if err := light(c); err != nil {
					return false, err
				}
			}
		}
		if len(page) < size {
			return true, nil // the whole location read
		}
		after = page[len(page)-1]
		size = min(2*size, maxScanPage)
	}
	return false, nil
}

// describe says what matched, e.g. `first name "John" (1 typo), last name
// "Smith"`.
func describe(toks []token, cd *candidate, c *ent.Contact) string {
	var parts []string
	for i, m := range cd.best {
		if m.points == 0 {
			continue
		}
		var v string
		switch m.part {
		case partFirstName:
			v = strconv.Quote(c.FirstName)
		case partLastName:
			v = strconv.Quote(c.LastName)
		case partEmail:
			if c.Email != nil {
				v = *c.Email
			}
		case partPhone:
			if c.Phone != nil {
				v = *c.Phone
			}
		}
		s := partName[m.part] + " " + v
		switch m.quality {
		case qPrefix:
			s += " (starts with " + strconv.Quote(toks[i].text) + ")"
		case qSuffix:
			s += " (ends with " + toks[i].text + ")"
		case qEdit1:
			s += " (1 typo)"
		case qEdit2:
			s += " (2 typos)"
		}
		if !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}
