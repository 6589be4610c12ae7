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
	// notPrefixes leaves out deletion rows of words that start with one
	// of these (the query's words): those words are read whole by the
	// query word's prefix range, and every row is scored against every
	// query word, so nothing is lost; "chlo" would otherwise read every
	// Chloe twice, and "nguyen" every Nguyen's six deletions.
	notPrefixes []string
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
func (l lookups) unparted() lookups {
	var out lookups
	var not []string
	for _, x := range l {
		if x.keys != nil {
			out.exact(x.kind, nil, boundAny, x.keys...)
			not = append(not, x.notPrefixes...)
			continue
		}
		y := lookup{kind: x.kind, lo: x.lo, hi: x.hi, bound: boundAny}
		if !slices.ContainsFunc(out, func(z lookup) bool { return z.keys == nil && z.kind == y.kind && z.lo == y.lo && z.hi == y.hi }) {
			out = append(out, y)
		}
	}
	for _, w := range not {
		out.without(w)
	}
	return out
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

// without leaves deletion rows of words starting with prefix out of the
// deletion lookups.
func (l *lookups) without(prefix string) {
	for i := range *l {
		if x := &(*l)[i]; x.kind == kindDeletion && x.keys != nil && !slices.Contains(x.notPrefixes, prefix) {
			x.notPrefixes = append(x.notPrefixes, prefix)
		}
	}
}

// merge returns the lookups of several tokens with their IN lists merged
// by kind, so a query runs as few statements as it can.
func merge(ls ...lookups) lookups {
	var out lookups
	var not []string
	for _, l := range ls {
		for _, x := range l {
			if x.keys == nil {
				out = append(out, x)
				continue
			}
			out.exact(x.kind, x.parts, x.bound, x.keys...)
			not = append(not, x.notPrefixes...)
		}
	}
	for _, w := range not {
		out.without(w)
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

// tokenLookups returns the lookups that find a token's candidates at one
// edit or less.
func tokenLookups(t token) lookups {
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
		// Typos count in names only.
		switch {
		case t.runes == 3:
			// A missing letter only: "jon" finds John.
			l.exact(kindDeletion, names, boundTypo, t.text)
			l.without(t.text)
		case t.runes >= 4:
			// A letter too many ("johhn"): its deletions are words.
			l.exact(kindWord, names, boundTypo, deletions(t.text)...)
			// A letter missing ("jhn"): the token is a word's deletion.
			l.exact(kindDeletion, names, boundTypo, t.text)
			// A letter changed or two swapped ("kohn", "jhon"): the
			// token's variants are words. (The deletions of token and
			// word meet too, but looking that up reads every deletion of
			// the exact word as well: six rows a Nguyen.)
			l.exact(kindWord, names, boundTypo, variants(t.text)...)
			if !isASCIIWord(t.text) {
				// Variants change letters into a–z only; other letters
				// meet through the deletions.
				l.exact(kindDeletion, names, boundTypo, deletions(t.text)...)
			}
			l.without(t.text)
		}
	}
	return l
}

// deepLookups returns the lookups for two typos in a long name word: its
// deletions meet the words' deletions, or are words, and it may be a
// deletion itself.
func deepLookups(t token) lookups {
	var l lookups
	dels := deletions(t.text)
	l.exact(kindDeletion, names, boundTwoTypos, append(dels, t.text)...)
	l.exact(kindWord, names, boundTwoTypos, dels...)
	l.without(t.text)
	return l
}

// variants returns w with each letter replaced by every other letter a–z,
// and with each pair of neighbouring letters swapped.
func variants(w string) []string {
	rs := []rune(w)
	out := make([]string, 0, 26*len(rs)+len(rs))
	buf := make([]rune, len(rs))
	for i := range rs {
		copy(buf, rs)
		for r := 'a'; r <= 'z'; r++ {
			if r != rs[i] {
				buf[i] = r
				out = append(out, string(buf))
			}
		}
	}
	for i := 0; i+1 < len(rs); i++ {
		if rs[i] != rs[i+1] {
			copy(buf, rs)
			buf[i], buf[i+1] = buf[i+1], buf[i]
			out = append(out, string(buf))
		}
	}
	return out
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
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
	if len(x.notPrefixes) > 0 {
		var ors []predicate.SearchKey
		for _, w := range x.notPrefixes {
			if hi, ok := successor(w); ok {
				ors = append(ors, searchkey.And(searchkey.WordGTE(w), searchkey.WordLT(hi)))
			} else {
				ors = append(ors, searchkey.WordGTE(w))
			}
		}
		p = append(p, searchkey.Not(searchkey.Or(ors...)))
	}
	return searchkey.And(p...)
}

// sqlPred is the lookup on table t at location loc, for a subquery.
func (x lookup) sqlPred(t *sql.SelectTable, loc pulid.ID) *sql.Predicate {
	p := []*sql.Predicate{sql.EQ(t.C(searchkey.FieldLocationID), loc), sql.EQ(t.C(searchkey.FieldKind), x.kind)}
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
	if len(x.notPrefixes) > 0 {
		var ors []*sql.Predicate
		for _, w := range x.notPrefixes {
			if hi, ok := successor(w); ok {
				ors = append(ors, sql.And(sql.GTE(t.C(searchkey.FieldWord), w), sql.LT(t.C(searchkey.FieldWord), hi)))
			} else {
				ors = append(ors, sql.GTE(t.C(searchkey.FieldWord), w))
			}
		}
		p = append(p, sql.Not(sql.Or(ors...)))
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
	ks := keysOf(c, false, phone)
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
			q.Where(searchkey.LocationIDEQ(f.loc))
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

// restrictTo keeps rows of contacts with a row matching one of ls.
func (f *fetcher) restrictTo(i int, ls lookups) predicate.SearchKey {
	return func(s *sql.Selector) {
		t := sql.Table(searchkey.Table).As("r" + string(rune('0'+i)))
		ors := make([]*sql.Predicate, 0, len(ls))
		for _, x := range ls.split() {
			ors = append(ors, x.sqlPred(t, f.loc))
		}
		s.Where(sql.In(s.C(searchkey.FieldContactID),
			sql.Select(t.C(searchkey.FieldContactID)).From(t).Where(sql.Or(ors...))))
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
