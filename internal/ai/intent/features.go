package intent

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize puts a message into the form the classifier and the rules
// read: NFKC (full-width letters and compatibility forms folded), lower
// case, typographic apostrophes straightened and dropped inside words
// ("can’t" → "cant"), runs of three or more of one letter cut to two
// ("yesss" → "yess"), punctuation other than "?" turned into spaces, and
// white space collapsed. Emoji and other symbols stay, one per token.
func Normalize(s string) string {
	if !norm.NFKC.IsNormalString(s) {
		s = norm.NFKC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	var prev, prev2 rune
	space := true
	for i, r := range s {
		r = unicode.ToLower(r)
		if r == '؟' || r == ';' && unicode.Is(unicode.Greek, prev) {
			// The Arabic question mark, and the Greek one (NFKC makes it
			// a semicolon).
			r = '?'
		}
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`':
			// An apostrophe between letters joins them; anywhere else it
			// separates words.
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if unicode.IsLetter(prev) && unicode.IsLetter(next) {
				continue
			}
			r = ' '
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if r == prev && r == prev2 && unicode.IsLetter(r) {
				continue
			}
		case r == '?' || unicode.Is(unicode.So, r):
			// Symbols (emoji, "?") are tokens of their own.
			if !space {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			b.WriteByte(' ')
			space, prev, prev2 = true, ' ', ' '
			continue
		default:
			r = ' '
		}
		if r == ' ' {
			if !space {
				b.WriteByte(' ')
			}
			space, prev, prev2 = true, ' ', ' '
			continue
		}
		b.WriteRune(r)
		space, prev2, prev = false, prev, r
	}
	return strings.TrimSpace(b.String())
}

// Tokens splits a normalised message into its words and symbols.
func Tokens(normalized string) []string { return strings.Fields(normalized) }

// FNV-1a, 32 bits: feature names are hashed, never built as strings, so
// extracting features allocates nothing.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashByte(h uint32, c byte) uint32 { return (h ^ uint32(c)) * fnvPrime }

func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// Feature namespaces, so that the word "day" and the character trigram
// "day" are different features.
const (
	nsWord   = 'w'
	nsBigram = 'b'
	nsChar   = 'c'
	nsFlag   = 'f'
	nsFirst  = 'F'
	nsCue    = 'x'
	nsNeg    = 'n'
)

// features appends the hashed features of a normalised message to dst:
// words, word bigrams, the first word, character 2- to 4-grams of the
// whole message (they carry typos and scripts written without spaces),
// single characters outside ASCII, and a few flags (a question mark, the
// length, words that name a day, a time or a part of the day).
func features(dst []uint32, normalized string) []uint32 {
	// Words and bigrams.
	var prevTok string
	n, negScope := 0, 0
	rest := normalized
	for len(rest) > 0 {
		i := strings.IndexByte(rest, ' ')
		tok := rest
		if i >= 0 {
			tok, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if tok == "" {
			continue
		}
		dst = append(dst, hashString(hashByte(fnvOffset, nsWord), tok))
		if n == 0 {
			dst = append(dst, hashString(hashByte(fnvOffset, nsFirst), tok))
		} else {
			h := hashString(hashByte(fnvOffset, nsBigram), prevTok)
			dst = append(dst, hashString(hashByte(h, ' '), tok))
		}
		for _, f := range lexFlags(tok) {
			if f != "" {
				dst = append(dst, hashString(hashByte(fnvOffset, nsFlag), f))
			}
		}
		c := wordCue(tok)
		if c != "" {
			dst = append(dst, hashString(hashByte(fnvOffset, nsCue), c))
		}
		if negScope > 0 {
			negScope--
			dst = append(dst, hashString(hashByte(fnvOffset, nsNeg), tok))
			if c != "" {
				dst = append(dst, hashString(hashString(hashByte(fnvOffset, nsNeg), "cue:"), c))
			}
		}
		if negators[tok] {
			negScope = 2
		}
		prevTok = tok
		n++
	}
	for _, p := range cueParts {
		if strings.Contains(normalized, p.part) {
			dst = append(dst, hashString(hashByte(fnvOffset, nsCue), p.name))
		}
	}
	if n == 1 {
		dst = append(dst, hashString(hashString(hashByte(fnvOffset, nsFlag), "single:"), prevTok))
	}
	dst = append(dst, hashString(hashByte(fnvOffset, nsFlag), lengthBucket(n)))
	// Character n-grams over " message ", on rune boundaries.
	var offs [5]int // byte offsets of the last runes seen, newest last
	seen := 0
	push := func(end int) {
		copy(offs[:], offs[1:])
		offs[4] = end
		seen++
		for k := 2; k <= 4; k++ {
			if seen > k {
				dst = append(dst, hashPadded(hashByte(hashByte(fnvOffset, nsChar), byte('0'+k)), normalized, offs[4-k], end))
			}
		}
	}
	push(0)
	push(1) // the leading pad
	for i, r := range normalized {
		size := utf8.RuneLen(r)
		push(i + 1 + size)
		if r >= utf8.RuneSelf && !unicode.Is(unicode.So, r) {
			dst = append(dst, hashString(hashByte(fnvOffset, nsChar), normalized[i:i+size]))
		}
	}
	push(len(normalized) + 2)
	return dst
}

// hashPadded hashes the bytes [from, to) of " " + s + " " without
// building that string.
func hashPadded(h uint32, s string, from, to int) uint32 {
	for p := from; p < to; p++ {
		c := byte(' ')
		if p >= 1 && p <= len(s) {
			c = s[p-1]
		}
		h = hashByte(h, c)
	}
	return h
}

func lengthBucket(n int) string {
	switch {
	case n <= 1:
		return "len:1"
	case n == 2:
		return "len:2"
	case n <= 5:
		return "len:3-5"
	case n <= 10:
		return "len:6-10"
	}
	return "len:11+"
}

// lexFlags names the small word classes that generalise beyond the words
// seen in training: any day of the week or a time is a hint of a new
// appointment time.
func lexFlags(tok string) [2]string {
	var out [2]string
	if _, ok := weekdays[tok]; ok {
		out[0] = "lex:day"
	} else if _, ok := partsOfDay[tok]; ok {
		out[0] = "lex:part"
	} else if _, ok := relativeDays[tok]; ok {
		out[0] = "lex:rel"
	} else if looksLikeTime(tok) {
		out[0] = "lex:time"
	} else if looksLikeDate(tok) {
		out[0] = "lex:date"
	}
	if tok == "?" {
		out[1] = "lex:q"
	}
	return out
}

var weekdays = map[string]struct{}{
	"mon": {}, "monday": {}, "tue": {}, "tues": {}, "tuesday": {}, "wed": {}, "weds": {}, "wednesday": {},
	"thu": {}, "thur": {}, "thurs": {}, "thursday": {}, "fri": {}, "friday": {}, "sat": {}, "saturday": {},
	"sun": {}, "sunday": {}, "weekend": {},
}

var partsOfDay = map[string]struct{}{
	"morning": {}, "arvo": {}, "afternoon": {}, "evening": {}, "tonight": {}, "lunchtime": {}, "lunch": {},
	"midday": {}, "noon": {}, "am": {}, "pm": {}, "earlier": {}, "later": {}, "sooner": {},
}

var relativeDays = map[string]struct{}{
	"tomorrow": {}, "tmrw": {}, "tmr": {}, "2moro": {}, "tommorow": {}, "tomorow": {}, "today": {},
	"week": {}, "fortnight": {}, "month": {},
}

// looksLikeTime matches 3pm, 10am, 12, 930, 12 30 written as "12" "30"
// (the normaliser splits "12:30").
func looksLikeTime(t string) bool {
	t = strings.TrimSuffix(strings.TrimSuffix(t, "pm"), "am")
	t = strings.TrimSuffix(t, "ish")
	if t == "" || len(t) > 4 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// looksLikeDate matches ordinals such as 14th, 2nd, 23rd.
func looksLikeDate(t string) bool {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if d, ok := strings.CutSuffix(t, suf); ok && d != "" && len(d) <= 2 {
			for i := 0; i < len(d); i++ {
				if d[i] < '0' || d[i] > '9' {
					return false
				}
			}
			return true
		}
	}
	return false
}
