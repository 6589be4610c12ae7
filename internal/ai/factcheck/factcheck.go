// Package factcheck keeps generated sentences honest about numbers: every
// number a sentence cites must be one of the numbers computed by code
// (or a rounding of one). Reports may use words from a model, never
// figures.
package factcheck

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Number is a number found in a sentence.
type Number struct {
	// Text is how it was written ("12.5%", "$1,240", "three").
	Text  string
	Value float64
	// Decimals is how precisely it was written: 12.5 has 1, 1,240 has 0.
	// A word ("three", "twice") counts as exact.
	Decimals int
}

var numberRE = regexp.MustCompile(`(?i)(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s?(k)\b)?`)

var numberWords = map[string]float64{
	// "one", "half" and "quarter" are left out: "one of", "the first
	// half", "last quarter" are not figures.
	"zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
	"twice": 2, "double": 2, "doubled": 2, "triple": 3, "tripled": 3, "halved": 0.5, "thrice": 3,
}

// Extract returns the numbers in s: digits (with thousands separators,
// decimals, and k/m suffixes) and number words.
func Extract(s string) []Number {
	var out []Number
	for _, m := range numberRE.FindAllStringSubmatchIndex(s, -1) {
		digits := strings.ReplaceAll(s[m[2]:m[3]], ",", "")
		v, err := strconv.ParseFloat(digits, 64)
		if err != nil {
			continue
		}
		dec := 0
		if i := strings.IndexByte(digits, '.'); i >= 0 {
			dec = len(digits) - i - 1
		}
		if m[4] >= 0 { // "12.4k"
			v, dec = v*1e3, dec-3
		}
		out = append(out, Number{Text: s[m[0]:m[1]], Value: v, Decimals: dec})
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		if v, ok := numberWords[w]; ok {
			out = append(out, Number{Text: w, Value: v, Decimals: 6})
		}
	}
	return out
}

// Allowed is the set of numbers sentences may cite.
type Allowed struct {
	values  []float64
	derived []float64
}

// AddDerived allows values computed from the facts (a difference, a
// change in percent, a ratio). Below 10 they must be written to their
// first decimal: a ratio of 1.56 may be cited as "1.6" but not as "2",
// so that a coincidence of rounding does not pass an invented figure.
func (a *Allowed) AddDerived(vs ...float64) {
	for _, v := range vs {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			a.derived = append(a.derived, v, -v)
		}
	}
}

// Add allows each value.
func (a *Allowed) Add(vs ...float64) {
	for _, v := range vs {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			a.values = append(a.values, v, -v)
		}
	}
}

// AddText allows every number written in s (a period label "March 2026",
// a segment "Friday 4 pm").
func (a *Allowed) AddText(s string) {
	for _, n := range Extract(s) {
		a.Add(n.Value)
	}
}

// Allows reports whether n is an allowed value as written: 12.5 written
// "13" or "12.5", but not "14".
func (a *Allowed) Allows(n Number) bool {
	tol := 0.5*math.Pow(10, -float64(n.Decimals)) + 1e-9
	if n.Decimals >= 6 {
		tol = 1e-9
	}
	for _, v := range a.values {
		if math.Abs(v-n.Value) <= tol {
			return true
		}
	}
	for _, v := range a.derived {
		if math.Abs(v-n.Value) <= tol && (math.Abs(v) >= 10 || n.Decimals >= 1) {
			return true
		}
	}
	return false
}

// Check returns the numbers in s that are not allowed; none means the
// sentence may be shown.
func (a *Allowed) Check(s string) []string {
	var bad []string
	for _, n := range Extract(s) {
		if !a.Allows(n) {
			bad = append(bad, n.Text)
		}
	}
	return bad
}
