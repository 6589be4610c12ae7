package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
)

// Kinds of search key (SearchKey.kind).
const (
	// kindWord is a whole word: a name, an email address or its local
	// part, a phone number's digits.
	kindWord int8 = 0
	// kindDeletion was a name word with one letter deleted, a dozen rows
	// a contact; deletions now live in the location's dictionary
	// (SearchWord, one set per distinct word) and this kind is no longer
	// written (the migration of issue 12 deleted the old rows).
	kindDeletion int8 = 1
	// kindPhoneSuffix is a phone's national significant number reversed, so
	// that "ends with these digits" is a prefix range scan like any other;
	// SearchKey.word holds the number the right way round.
	kindPhoneSuffix int8 = 2
)

// Parts of a contact a key comes from (SearchKey.part).
const (
	partFirstName int8 = 0
	partLastName  int8 = 1
	partEmail     int8 = 2
	partPhone     int8 = 3
)

// maxKeyLen is SearchKey.key's and .word's MaxLen, in bytes.
const maxKeyLen = 120

// minDeletionWord is the shortest name word whose one-letter deletions are
// in the dictionary.
const minDeletionWord = 4

// maxDeletionWord is the longest name word (in letters) whose one-letter
// deletions are in the dictionary: a longer word still matches exactly, by
// prefix and against a query word's deletions, but a 40-letter "name"
// should not cost 40 rows.
const maxDeletionWord = 24

// minSuffixDigits is the fewest digits matched against the end of a phone
// number ("345 678" finds 0412 345 678).
const minSuffixDigits = 6

// minPhonePrefix is the fewest digits matched as the start of a phone
// number; shorter runs of digits must match a whole number. Prefixes of
// two or three digits ("04", "614") would select most of the location.
const minPhonePrefix = 4

// key is one row of the index for a contact.
type key struct {
	kind, part int8
	key, word  string
}

// fold returns s lower-cased with accents removed ("Zoë" → "zoe", "Łukasz" →
// "lukasz", "Straße" → "strasse"). Letters without an ASCII form (Greek,
// Cyrillic, CJK) stay as they are, lower-cased.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue // a combining accent, separated from its letter by NFD
		}
		r = unicode.ToLower(r)
		if m, ok := special[r]; ok {
			b.WriteString(m)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// special are the Latin letters NFD does not split into a letter and an
// accent.
var special = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l",
	'þ': "th", 'ı': "i", 'ħ': "h", 'ŀ': "l", 'ŧ': "t", 'ĸ': "k", 'ŋ': "n",
}

// isApostrophe reports whether r joins the parts of a name ("O'Brien").
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', '`', '´':
		return true
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// nameWords splits a name into folded words: spaces, hyphens and other
// punctuation separate words; apostrophes join ("O'Brien" → "obrien").
// The parts are not words of their own: "Brien" is one letter from
// "obrien", and "O Brien" is that and a one-letter prefix, so both find
// O'Brien, without an extra row of every O'Brien that a search for
// "obrien" would read twice.
func nameWords(s string) []string {
	var out []string
	var word strings.Builder
	for _, r := range fold(s) {
		switch {
		case isWordRune(r):
			word.WriteRune(r)
		case isApostrophe(r):
		default:
			if word.Len() > 0 {
				out = append(out, word.String())
				word.Reset()
			}
		}
	}
	if word.Len() > 0 {
		out = append(out, word.String())
	}
	return out
}

// compact keeps only the letters and digits of s, folded: email addresses
// are indexed and queried in this form ("Olivia.Smith@example.net" →
// "oliviasmithexamplenet"), so that keys never hold punctuation, whose
// place in a PostgreSQL collation's order is not its byte order.
func compact(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		if isWordRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncate cuts s to at most maxKeyLen bytes, at a rune boundary.
func truncate(s string) string {
	if len(s) <= maxKeyLen {
		return s
	}
	i := maxKeyLen
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// deletions returns every distinct string made by deleting one letter of w.
func deletions(w string) []string {
	rs := []rune(w)
	out := make([]string, 0, len(rs))
	buf := make([]rune, 0, len(rs))
	for i := range rs {
		if i > 0 && rs[i] == rs[i-1] {
			continue // deleting either letter of a double gives the same string
		}
		buf = append(append(buf[:0], rs[:i]...), rs[i+1:]...)
		out = append(out, string(buf))
	}
	return out
}

// phoneForms returns the digit forms of an E.164 number under which it is
// found: all digits ("61412345678"), the national form with its trunk
// prefix ("0412345678") and the national significant number ("412345678").
func phoneForms(e164 string) (forms []string, nsn string) {
	all := normalize.PhoneDigits(e164)
	if all == "" {
		return nil, ""
	}
	forms = []string{all}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return forms, ""
	}
	nsn = phonenumbers.GetNationalSignificantNumber(num)
	national := normalize.PhoneDigits(phonenumbers.Format(num, phonenumbers.NATIONAL))
	for _, f := range []string{national, nsn} {
		if f != "" && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	return forms, nsn
}

func reverse(s string) string {
	b := []byte(s) // digits only
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// contactKeys returns the index rows of c: the words of its names, its email
// and phone, and its phone reversed. Typos of its name words are found
// through the dictionary (dictKeys).
func contactKeys(c *ent.Contact) []key { return keysOf(c, true) }

// keysOf returns c's keys, with or without the phone's.
func keysOf(c *ent.Contact, phone bool) []key {
	var out []key
	seen := map[key]bool{}
	add := func(k key) {
		k.key, k.word = truncate(k.key), truncate(k.word)
		if k.key == "" || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, k)
	}
	for _, n := range []struct {
		part int8
		name string
	}{{partFirstName, c.FirstName}, {partLastName, c.LastName}} {
		for _, w := range nameWords(n.name) {
			add(key{kind: kindWord, part: n.part, key: w})
		}
	}
	if c.Email != nil && *c.Email != "" {
		add(key{kind: kindWord, part: partEmail, key: compact(*c.Email)})
		if at := strings.LastIndexByte(*c.Email, '@'); at > 0 {
			add(key{kind: kindWord, part: partEmail, key: compact((*c.Email)[:at])})
		}
	}
	if phone && c.Phone != nil && *c.Phone != "" {
		forms, nsn := phoneForms(*c.Phone)
		for _, f := range forms {
			add(key{kind: kindWord, part: partPhone, key: f})
		}
		if len(nsn) >= minSuffixDigits {
			add(key{kind: kindPhoneSuffix, part: partPhone, key: reverse(nsn), word: nsn})
		}
	}
	return out
}

// dictKeys returns the dictionary keys of a name word: the word itself and,
// for words of minDeletionWord to maxDeletionWord letters, its one-letter
// deletions. Words of three letters have no deletions: theirs would have
// two letters, and words of two letters take no typos.
func dictKeys(w string) []string {
	w = truncate(w)
	out := []string{w}
	if l := utf8.RuneCountInString(w); l >= minDeletionWord && l <= maxDeletionWord {
		for _, d := range deletions(w) {
			if d != "" && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// contactNameWords returns the distinct name words of c, as the index
// stores them.
func contactNameWords(c *ent.Contact) []string {
	var out []string
	for _, name := range []string{c.FirstName, c.LastName} {
		for _, w := range nameWords(name) {
			if w = truncate(w); w != "" && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// tokenKind is how a query token is matched.
type tokenKind int

const (
	// tokName is a word of a name: exact, prefix and typos.
	tokName tokenKind = iota
	// tokEmail is something typed with an @ or a dot inside: exact and
	// prefix of the compacted email forms.
	tokEmail
	// tokDigits is a phone number or part of one, typed in any format:
	// exact, prefix (minPhonePrefix digits or more) and suffix
	// (minSuffixDigits or more).
	tokDigits
)

// token is one word of a query, in the form the index stores.
type token struct {
	text  string
	kind  tokenKind
	runes int
}

// maxTokens caps the words of a query that count; the rest are ignored.
const maxTokens = 8

// parseQuery splits what a person typed into tokens. Runs of digits with
// phone punctuation are one phone token however they were spaced ("0412 345
// 678", "+61 412-345-678"); a word with "@" or an inner dot is an email;
// everything else is split like a name.
func parseQuery(q string) []token {
	var out []token
	seen := map[string]bool{}
	addTok := func(t token) {
		if t.text == "" || seen[t.text] || len(out) >= maxTokens {
			return
		}
		seen[t.text] = true
		t.text = truncate(t.text)
		t.runes = utf8.RuneCountInString(t.text)
		out = append(out, t)
	}
	var digits strings.Builder
	flushDigits := func() {
		if digits.Len() > 0 {
			addTok(token{text: digits.String(), kind: tokDigits})
			digits.Reset()
		}
	}
	for _, chunk := range strings.Fields(q) {
		switch {
		case isPhoneChunk(chunk):
			digits.WriteString(normalize.PhoneDigits(chunk))
			continue
		case isEmailChunk(chunk):
			flushDigits()
			addTok(token{text: compact(chunk), kind: tokEmail})
		default:
			flushDigits()
			for _, w := range nameWords(chunk) {
				addTok(token{text: w, kind: tokName})
			}
		}
	}
	flushDigits()
	return out
}

// isPhoneChunk reports whether s is digits with phone punctuation only:
// "0412", "+61", "(02)", "9876-5432".
func isPhoneChunk(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n++
		case strings.ContainsRune("+()-./", r):
		default:
			return false
		}
	}
	return n > 0
}

// isEmailChunk reports whether s looks like (part of) an email address: it
// holds an @, or a dot, underscore or plus between letters or digits
// ("olivia.smith").
func isEmailChunk(s string) bool {
	if strings.ContainsRune(s, '@') {
		return true
	}
	rs := []rune(s)
	for i := 1; i+1 < len(rs); i++ {
		if strings.ContainsRune("._+", rs[i]) && isWordRune(rs[i-1]) && isWordRune(rs[i+1]) {
			return true
		}
	}
	return false
}

// successor returns the smallest string greater than every string that
// starts with s, for the range scan key >= s AND key < successor(s): the
// last character incremented. Keys hold lower-case letters and digits, in
// the same order in byte order and in any PostgreSQL collation; ok is false
// when there is no such string (s is all 'z's, say), and the scan has no
// upper bound.
func successor(s string) (string, bool) {
	rs := []rune(s)
	for len(rs) > 0 {
		last := rs[len(rs)-1]
		switch {
		case last == '9':
			rs[len(rs)-1] = 'a'
			return string(rs), true
		case last == 'z':
			rs = rs[:len(rs)-1] // "az" → "b"
			continue
		case last == unicode.MaxRune:
			rs = rs[:len(rs)-1]
			continue
		}
		rs[len(rs)-1] = last + 1
		return string(rs), true
	}
	return "", false
}
