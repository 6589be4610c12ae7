package search

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/searchkey"
	"github.com/avatarimaging/avatarcrm/ent/searchword"
)

// maxKeyRows caps the index rows one search reads. Only a query of two or
// three very common letters comes near it; past it the results are drawn
// from the rows read and may miss warmer contacts.
const maxKeyRows = 50_000

// maxInList is the most keys one IN (…) list holds.
const maxInList = 500

// lookup is one index lookup: key IN (keys) or lo <= key < hi, of one kind.
type lookup struct {
	kind   int8
	keys   []string // an IN list; a range when nil
	lo, hi string   // no upper bound when hi is empty
	// parts keeps rows of these parts only (all when nil); the index
	// does not hold the part, but a row not read into Go costs little.
	parts []int8
	// bound is the most points a row of the lookup can score: a search
	// for one word reads the lookups best first and stops when the rest
	// cannot change its results.
	bound int
}

// lookups are the lookups of a token, or of a query.
type lookups []lookup

// Parts a lookup reads.
var (
	names  = []int8{partFirstName, partLastName}
	email  = []int8{partEmail}
	others = []int8{partEmail, partPhone}
)

// exact adds keys to the IN list of that kind, parts and bound.
func (l *lookups) exact(kind int8, parts []int8, bound int, keys ...string) {
	for i := range *l {
		if x := &(*l)[i]; x.kind == kind && x.keys != nil && slices.Equal(x.parts, parts) && x.bound == bound {
			for _, k := range keys {
				if k != "" && !slices.Contains(x.keys, k) {
					x.keys = append(x.keys, k)
				}
			}
			return
		}
	}
	var ks []string
	for _, k := range keys {
		if k != "" && !slices.Contains(ks, k) {
			ks = append(ks, k)
		}
	}
	if len(ks) > 0 {
		*l = append(*l, lookup{kind: kind, keys: ks, parts: parts, bound: bound})
	}
}

// prefix adds the range of keys starting with s.
func (l *lookups) prefix(kind int8, parts []int8, bound int, s string) {
	hi, _ := successor(s)
	*l = append(*l, lookup{kind: kind, lo: s, hi: hi, parts: parts, bound: bound})
}

// unparted returns the lookups without their parts, each range once and
// one IN list a kind: fewer statements where the rows only say which
// contacts match, and the words are scored from the contacts themselves.
// Keys a range of the same kind already covers are left out of the IN
// list: without parts they would read the same rows twice ("priya" and
// the range of words starting with "priya": 5,000 rows more).
func (l lookups) unparted() lookups {
	var out lookups
	for _, x := range l {
		if x.keys != nil {
			out.exact(x.kind, nil, boundAny, x.keys...)
			continue
		}
		y := lookup{kind: x.kind, lo: x.lo, hi: x.hi, bound: boundAny}
		if !slices.ContainsFunc(out, func(z lookup) bool { return z.keys == nil && z.kind == y.kind && z.lo == y.lo && z.hi == y.hi }) {
			out = append(out, y)
		}
	}
	covered := func(kind int8, k string) bool {
		return slices.ContainsFunc(out, func(r lookup) bool {
			return r.keys == nil && r.kind == kind && k >= r.lo && (r.hi == "" || k < r.hi)
		})
	}
	for i := range out {
		if x := &out[i]; x.keys != nil {
			x.keys = slices.DeleteFunc(x.keys, func(k string) bool { return covered(x.kind, k) })
		}
	}
	return slices.DeleteFunc(out, func(x lookup) bool { return x.keys != nil && len(x.keys) == 0 })
}

// stages groups the lookups by bound, best first.
func (l lookups) stages() []lookups {
	sorted := slices.Clone(l)
	slices.SortStableFunc(sorted, func(a, b lookup) int { return b.bound - a.bound })
	var out []lookups
	for i, x := range sorted {
		if i == 0 || x.bound != sorted[i-1].bound {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], x)
	}
	return out
}

// merge returns the lookups of several tokens with their IN lists merged
// by kind, so a query runs as few statements as it can.
func merge(ls ...lookups) lookups {
	var out lookups
	for _, l := range ls {
		for _, x := range l {
			if x.keys == nil {
				out = append(out, x)
				continue
			}
			out.exact(x.kind, x.parts, x.bound, x.keys...)
		}
	}
	return out
}

// Bounds of lookups: the best match a row can be, times its part's
// weight.
const (
	boundAny       = qExact * 110 / 100 // an exact last name or phone
	boundEmail     = qExact * 90 / 100  // an exact email
	boundOthers    = qPrefix * 90 / 100 // the start of an email
	boundTypo      = qEdit1 * 110 / 100 // a typo in a last name
	boundTwoTypos  = qEdit2 * 110 / 100
	boundOneLetter = boundAny
)

// typoWords are the dictionary's words at one and at two edits from a
// query word (words it starts with left out: its prefix range reads them).
type typoWords struct{ one, two []string }

// tokenLookups returns the lookups that find a token's candidates at one
// edit or less; typos are the words of the dictionary one edit away.
func tokenLookups(t token, typos typoWords) lookups {
	var l lookups
	switch t.kind {
	case tokDigits:
		if len(t.text) >= minPhonePrefix {
			l.prefix(kindWord, nil, boundAny, t.text)
		} else {
			l.exact(kindWord, nil, boundAny, t.text)
		}
		if len(t.text) >= minSuffixDigits {
			l.prefix(kindPhoneSuffix, nil, boundAny, reverse(t.text))
		}
		if strings.HasPrefix(t.text, "00") && len(t.text) > 2+minPhonePrefix {
			// 0061 412 345 678: the international prefix most of the
			// world dials.
			l.prefix(kindWord, nil, boundAny, t.text[2:])
		}
	case tokEmail:
		if t.runes >= 2 {
			l.prefix(kindWord, nil, boundAny, t.text)
		} else {
			l.exact(kindWord, nil, boundAny, t.text)
		}
	case tokName:
		if t.runes < 2 {
			l.exact(kindWord, nil, boundOneLetter, t.text)
			break
		}
		// The names, then the email as a whole word, then the start of
		// emails (and phones, for words with digits).
		l.prefix(kindWord, names, boundAny, t.text)
		l.exact(kindWord, email, boundEmail, t.text)
		l.prefix(kindWord, others, boundOthers, t.text)
		// Typos count in names only: the dictionary's words one edit
		// away ("jon" → john, "jhon" → john, "johhn" → john), read by
		// word.
		if t.runes >= 3 {
			l.exact(kindWord, names, boundTypo, typos.one...)
		}
	}
	return l
}

// deepLookups returns the lookups for two typos in a long name word: the
// dictionary's words two edits away.
func deepLookups(typos typoWords) lookups {
	var l lookups
	l.exact(kindWord, names, boundTwoTypos, typos.two...)
	return l
}

// dictQueryKeys returns the dictionary keys a name token looks up: itself
// (it is a word, or a word with a letter missing) and, from four letters,
// its deletions (a letter too many: a deletion is a word; a letter changed
// or two swapped: token and word share a deletion).
func dictQueryKeys(t token) []string {
	if t.kind != tokName || t.runes < 3 {
		return nil
	}
	if t.runes == 3 {
		return []string{t.text}
	}
	return append([]string{t.text}, deletions(t.text)...)
}

// typosOf sorts the dictionary words found for token t into one and two
// edits, by the same measure the scoring applies (quality), leaving out the
// word itself and the words it starts with.
func typosOf(t token, words []string) typoWords {
	var out typoWords
	tr := []rune(t.text)
	for _, w := range words {
		if w == t.text || strings.HasPrefix(w, t.text) || slices.Contains(out.one, w) || slices.Contains(out.two, w) {
			continue
		}
		if t.runes == 3 {
			if utf8.RuneCountInString(w) == 4 && slices.Contains(deletions(w), t.text) {
				out.one = append(out.one, w)
			}
			continue
		}
		max := 1
		if t.runes >= 8 {
			max = 2
		}
		switch d := osa(tr, []rune(w), max); {
		case d == 1:
			out.one = append(out.one, w)
		case d == 2 && max == 2 && oneDeletionApart(t.text, w):
			out.two = append(out.two, w)
		}
	}
	return out
}

// typos looks up the name tokens of toks (those in which) in the viewer's
// dictionary, in one statement for all of them, and returns each one's
// words at one and two edits.
func (f *fetcher) typos(ctx context.Context, toks []token, which []int) (map[int]typoWords, error) {
	var keys []string
	for _, i := range which {
		for _, k := range dictQueryKeys(toks[i]) {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	out := map[int]typoWords{}
	if len(keys) == 0 {
		return out, nil
	}
	type row struct {
		Key  string `sql:"key"`
		Word string `sql:"word"`
	}
	var rows []row
	for start := 0; start < len(keys); start += maxInList {
		q := f.s.client.SearchWord.Query().Where(searchword.KeyIn(keys[start:min(start+maxInList, len(keys))]...))
		if f.loc != "" {
			q.Where(searchword.LocationIDEQ(f.loc))
		}
		var rs []row
		if err := q.Select(searchword.FieldKey, searchword.FieldWord).Scan(ctx, &rs); err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	for _, i := range which {
		ks := dictQueryKeys(toks[i])
		var words []string
		for _, r := range rows {
			if slices.Contains(ks, r.Key) {
				words = append(words, r.Word)
			}
		}
		out[i] = typosOf(toks[i], words)
	}
	return out, nil
}

// split returns each lookup with its IN list cut to maxInList keys.
func (l lookups) split() lookups {
	var out lookups
	for _, x := range l {
		if x.keys == nil || len(x.keys) <= maxInList {
			out = append(out, x)
			continue
		}
		for start := 0; start < len(x.keys); start += maxInList {
			y := x
			y.keys = x.keys[start:min(start+maxInList, len(x.keys))]
			out = append(out, y)
		}
	}
	return out
}

// pred is the lookup as an ent predicate of a search_keys query.
func (x lookup) pred() predicate.SearchKey {
	p := []predicate.SearchKey{searchkey.KindEQ(x.kind)}
	if x.keys != nil {
		p = append(p, searchkey.KeyIn(x.keys...))
	} else {
		p = append(p, searchkey.KeyGTE(x.lo))
		if x.hi != "" {
			p = append(p, searchkey.KeyLT(x.hi))
		}
	}
	if x.parts != nil {
		p = append(p, searchkey.PartIn(x.parts...))
	}
	return searchkey.And(p...)
}

// sqlPred is the lookup on table t at the location whose pulid.Fold is
// loc, for a subquery.
func (x lookup) sqlPred(t *sql.SelectTable, loc int64) *sql.Predicate {
	p := []*sql.Predicate{sql.EQ(t.C(searchkey.FieldLocation), loc), sql.EQ(t.C(searchkey.FieldKind), x.kind)}
	if x.keys != nil {
		args := make([]any, len(x.keys))
		for i, k := range x.keys {
			args[i] = k
		}
		p = append(p, sql.In(t.C(searchkey.FieldKey), args...))
	} else {
		p = append(p, sql.GTE(t.C(searchkey.FieldKey), x.lo))
		if x.hi != "" {
			p = append(p, sql.LT(t.C(searchkey.FieldKey), x.hi))
		}
	}
	if x.parts != nil {
		args := make([]any, len(x.parts))
		for i, v := range x.parts {
			args[i] = v
		}
		p = append(p, sql.In(t.C(searchkey.FieldPart), args...))
	}
	return sql.And(p...)
}

// hit is an index row of a contact the viewer may see.
type hit struct {
	ContactID pulid.ID `sql:"contact_id"`
	Kind      int8     `sql:"kind"`
	Part      int8     `sql:"part"`
	Key       string   `sql:"key"`
	Word      string   `sql:"word"`
	// The contact's, when the fetch joined it.
	Warmness  int            `sql:"c_warmness"`
	FirstName string         `sql:"c_first_name"`
	LastName  string         `sql:"c_last_name"`
	Email     sql.NullString `sql:"c_email"`
	Phone     sql.NullString `sql:"c_phone"`
}

// fieldHits returns the rows the index holds for the contact h joined, but
// for the deletions (typos are measured against the words): the other
// words of a query are scored against them instead of being read too.
func fieldHits(h hit, phone bool) []hit {
	c := &ent.Contact{FirstName: h.FirstName, LastName: h.LastName}
	if h.Email.Valid {
		c.Email = &h.Email.String
	}
	if h.Phone.Valid {
		c.Phone = &h.Phone.String
	}
	ks := keysOf(c, phone)
	out := make([]hit, len(ks))
	for i, k := range ks {
		out[i] = hit{ContactID: h.ContactID, Kind: k.kind, Part: k.part, Key: k.key, Word: k.word,
			Warmness: h.Warmness, FirstName: h.FirstName, LastName: h.LastName}
	}
	return out
}

// fetcher reads index rows.
type fetcher struct {
	s   *Index
	loc pulid.ID
	// locKey is pulid.Fold(loc), the location as search keys store it.
	locKey int64
	// join reads each row's contact (by primary key) for its warmness and
	// names, and applies the archived flag and the filter to it. It costs a
	// contact lookup a row: worth it for rows already narrowed down.
	join bool
	// where are the contact conditions (not archived, the filter) join
	// applies.
	includeArchived bool
	filter          predicate.Contact
	rows            int
}

// fetch runs each lookup as its own statement and returns the rows, at
// most maxKeyRows in all: SQLite uses the (location_id, kind, key) index
// for one range or IN list beside the location filter the privacy rule
// adds, but not for an OR of several, for which it scans the location.
// restrict, when set, narrows the rows to the contacts that also have a
// row matching each of those lookups (the other words of the query); the
// subqueries carry the location themselves, so SQLite runs each of their
// lookups through the index. The index is read through ent with the
// viewer's context: its policy filters to the viewer's location and needs
// contacts:read.
func (f *fetcher) fetch(ctx context.Context, ls lookups, restrict []lookups) ([]hit, error) {
	var out []hit
	for _, x := range ls.split() {
		// A word's row is its key; a deletion's or phone suffix's, its
		// word. Fewer columns read are a measurable part of a search
		// that reads 5,000 rows.
		fields := []string{searchkey.FieldContactID, searchkey.FieldPart, searchkey.FieldKey}
		if x.kind != kindWord {
			fields[2] = searchkey.FieldWord
		}
		if f.rows >= maxKeyRows {
			break
		}
		q := f.s.client.SearchKey.Query().Where(x.pred())
		if f.loc != "" {
			q.Where(searchkey.LocationEQ(f.locKey))
		}
		for i, r := range restrict {
			q.Where(f.restrictTo(i, r))
		}
		q.Limit(maxKeyRows - f.rows)
		if f.join {
			var hs []hit
			if err := q.Where(f.withContact).Select(fields...).Scan(ctx, &hs); err != nil {
				return nil, err
			}
			for i := range hs {
				hs[i].Kind = x.kind
			}
			out = append(out, hs...)
			f.rows += len(hs)
			continue
		}
		ks, err := q.Select(fields...).All(ctx)
		if err != nil {
			return nil, err
		}
		out = slices.Grow(out, len(ks))
		for _, k := range ks {
			out = append(out, hit{ContactID: k.ContactID, Kind: x.kind, Part: k.Part, Key: k.Key, Word: k.Word})
		}
		f.rows += len(ks)
	}
	return out, nil
}

// restrictTo keeps rows of contacts with a row matching one of ls: an IN
// of a UNION ALL with one arm a lookup, each arm its own index range. An
// OR of the lookups in one subquery (as before issue 12's i12srch) let
// SQLite read the location's whole (location_id, kind) span of the index
// instead (half a million entries at 100,000 contacts).
func (f *fetcher) restrictTo(i int, ls lookups) predicate.SearchKey {
	return func(s *sql.Selector) {
		var sub *sql.Selector
		for j, x := range ls.split() {
			t := sql.Table(searchkey.Table).As("r" + strconv.Itoa(i) + "_" + strconv.Itoa(j))
			arm := sql.Select(t.C(searchkey.FieldContactID)).From(t).Where(x.sqlPred(t, f.locKey))
			if sub == nil {
				sub = arm
			} else {
				sub.UnionAll(arm)
			}
		}
		if sub == nil {
			s.Where(sql.False())
			return
		}
		s.Where(sql.In(s.C(searchkey.FieldContactID), sub))
	}
}

// withContact joins each index row to its contact by primary key, selects
// its warmness, names, email and phone, and applies the archived flag and
// the filter.
func (f *fetcher) withContact(s *sql.Selector) {
	c := sql.Table(contact.Table).As("c")
	s.Join(c).On(s.C(searchkey.FieldContactID), c.C(contact.FieldID))
	s.AppendSelect(
		sql.As(c.C(contact.FieldWarmness), "c_warmness"),
		sql.As(c.C(contact.FieldFirstName), "c_first_name"),
		sql.As(c.C(contact.FieldLastName), "c_last_name"),
		sql.As(c.C(contact.FieldEmail), "c_email"),
		sql.As(c.C(contact.FieldPhone), "c_phone"),
	)
	if !f.includeArchived {
		s.Where(sql.IsNull(c.C(contact.FieldArchivedAt)))
	}
	if f.filter != nil {
		// The filter is written for a contacts query: apply it to the
		// contact in a subquery found by its primary key.
		fc := sql.Table(contact.Table).As("f")
		sub := sql.Select(fc.C(contact.FieldID)).From(fc).
			Where(sql.ColumnsEQ(fc.C(contact.FieldID), s.C(searchkey.FieldContactID)))
		f.filter(sub)
		s.Where(sql.Exists(sub))
	}
}
