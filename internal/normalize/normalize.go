// Package normalize puts the contact details people type into one canonical
// form, so that the same person typed two ways is found as a duplicate:
// phones become E.164, emails lower case, names trimmed.
package normalize

import (
	"errors"
	"net/mail"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// ErrPhone is returned for a phone number that cannot be read.
var ErrPhone = errors.New("is not a valid phone number")

// ErrEmail is returned for an email address that cannot be read.
var ErrEmail = errors.New("is not a valid email address")

// Phone parses raw as a phone number, reading local numbers in region (an
// ISO 3166 code such as "AU"), and returns it in E.164 form ("+61412345678").
func Phone(raw, region string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", ErrPhone
	}
	if canonical.has(raw) {
		// A number this function wrote: E.164 reads back as itself in
		// any region. The contact hook re-reads every phone a service
		// or the importer has just normalised; this spares it the
		// parse.
		return raw, nil
	}
	e164, ok := fastAU(raw, region)
	var err error
	if !ok {
		e164, err = parsePhone(raw, region)
	}
	if err == nil {
		canonical.add(e164)
	}
	return e164, err
}

// canonical holds E.164 numbers Phone returned recently.
var canonical = &recent{m: map[string]struct{}{}}

// recentMax bounds canonical: when full it starts again, empty.
const recentMax = 4096

// recent is a bounded set of strings, safe for concurrent use.
type recent struct {
	mu sync.Mutex
	m  map[string]struct{}
}

func (r *recent) has(s string) bool {
	r.mu.Lock()
	_, ok := r.m[s]
	r.mu.Unlock()
	return ok
}

func (r *recent) add(s string) {
	r.mu.Lock()
	if len(r.m) >= recentMax {
		clear(r.m)
	}
	r.m[s] = struct{}{}
	r.mu.Unlock()
}

func parsePhone(raw, region string) (string, error) {
	if region == "" {
		region = "AU"
	}
	// Numbers written 0061… or 61412… without a plus are common in
	// spreadsheets; phonenumbers reads the first but not the second.
	digits := onlyDigits(raw)
	if !strings.HasPrefix(raw, "+") && !strings.HasPrefix(digits, "0") {
		if cc := phonenumbers.GetCountryCodeForRegion(region); cc > 0 {
			prefix := itoa(cc)
			if strings.HasPrefix(digits, prefix) && len(digits) > len(prefix)+8 {
				raw = "+" + digits
			}
		}
	}
	num, err := phonenumbers.Parse(raw, strings.ToUpper(region))
	if (err != nil || !phonenumbers.IsValidNumber(num)) && strings.HasPrefix(digits, "00") {
		// "00" is the international prefix in most of the world, though
		// not in Australia (0011); people write it anyway.
		num, err = phonenumbers.Parse("+"+digits[2:], strings.ToUpper(region))
	}
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", ErrPhone
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// DisplayPhone formats a stored E.164 number for people: in national form
// ("0412 345 678") when it belongs to region, in international form
// ("+44 20 7946 0958") otherwise. A value it cannot read comes back as is.
func DisplayPhone(e164, region string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	if region != "" && phonenumbers.GetRegionCodeForNumber(num) == strings.ToUpper(region) {
		return phonenumbers.Format(num, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// PhoneDigits returns the digits of a phone-like search string, so that a
// search for "0412 345 678" can match "+61412345678".
func PhoneDigits(s string) string { return onlyDigits(s) }

// LooksLikePhone reports whether s is mostly digits, as a phone search is.
func LooksLikePhone(s string) bool {
	d := onlyDigits(s)
	return len(d) >= 4 && len(d)*2 >= len(strings.ReplaceAll(s, " ", ""))
}

// Email lower-cases and validates an email address.
func Email(raw string) (string, error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "" {
		return "", ErrEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return "", ErrEmail
	}
	return s, nil
}

// Name trims a name and collapses inner runs of white space.
func Name(raw string) string {
	return strings.Join(strings.Fields(raw), " ")
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [12]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// FullName joins a first and last name as people read them ("Olivia
// Smith"; just "Olivia" without a last name).
func FullName(first, last string) string {
	return strings.TrimSpace(first + " " + last)
}

// Truncate shortens s to at most n bytes (the unit the schema's MaxLen
// counts), on a character boundary, ending in "…" when it cut. n must
// leave room for the ellipsis (3 bytes).
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
