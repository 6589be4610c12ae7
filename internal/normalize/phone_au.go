package normalize

import (
	"regexp"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The fast path for the Australian numbers an import is full of ("0412
// 345 678", "+61 2 9876 5432", "61412345678"). The library's Parse and
// IsValidNumber cost about 20 µs a number: Parse runs its regular
// expressions over the text, and IsValidNumber tries up to eleven number
// types, twice each, compiling-by-lookup every pattern. For a number
// that is only digits and spaces in one of these forms the national
// significant number is plain to see, and the library's answer is
// "+61" followed by it exactly when AU's metadata gives it a number
// type: AU is the first region of country code 61 and has no leading
// digits, so IsValidNumber is settled by AU's types alone. The check
// below uses the library's own patterns and lengths (read from its
// metadata, not copied), mobile and fixed line first. Anything else,
// including a number AU's types reject (the library would go on to try
// CC and CX), takes the library's road. TestPhoneFastPathMatchesLibrary
// compares the two over every four-digit prefix and the forms people
// type.

// auDesc is one of AU's number types: its pattern, anchored as the
// library anchors it, and its possible lengths (none: any).
type auDesc struct {
	re      *regexp.Regexp
	lengths []int32
}

func (d auDesc) match(nsn string) bool {
	if len(d.lengths) > 0 {
		ok := false
		for _, l := range d.lengths {
			if int(l) == len(nsn) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return d.re.MatchString(nsn)
}

var au struct {
	once    sync.Once
	ok      bool // the metadata is as the fast path assumes
	general auDesc
	types   []auDesc
}

func loadAU() {
	regions := phonenumbers.GetRegionCodesForCountryCode(61)
	if len(regions) == 0 || regions[0] != "AU" {
		return
	}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return
	}
	var m *phonenumbers.PhoneMetadata
	for _, md := range coll.GetMetadata() {
		if md.GetId() == "AU" {
			m = md
		}
	}
	if m == nil || m.GetLeadingDigits() != "" || m.GetGeneralDesc() == nil {
		return
	}
	desc := func(d *phonenumbers.PhoneNumberDesc) (auDesc, bool) {
		re, err := regexp.Compile("^(?:" + d.GetNationalNumberPattern() + ")$")
		if err != nil {
			return auDesc{}, false
		}
		return auDesc{re: re, lengths: d.GetPossibleLength()}, true
	}
	var ok bool
	if au.general, ok = desc(m.GetGeneralDesc()); !ok {
		return
	}
	// Any one type is enough for IsValidNumber; the order is for speed.
	for _, d := range []*phonenumbers.PhoneNumberDesc{
		m.GetMobile(), m.GetFixedLine(), m.GetTollFree(), m.GetPremiumRate(),
		m.GetSharedCost(), m.GetVoip(), m.GetPersonalNumber(), m.GetPager(),
		m.GetUan(), m.GetVoicemail(),
	} {
		if d == nil {
			continue // the library's empty pattern matches no number
		}
		t, ok := desc(d)
		if !ok {
			return
		}
		au.types = append(au.types, t)
	}
	au.ok = true
}

// auValid reports whether the library finds nsn, an Australian national
// significant number, valid.
func auValid(nsn string) bool {
	if !au.general.match(nsn) {
		return false
	}
	for _, t := range au.types {
		if t.match(nsn) {
			return true
		}
	}
	return false
}

// fastAU returns raw in E.164 form when it is an Australian number in a
// common form the library would accept, and false when the library must
// decide.
func fastAU(raw, region string) (string, bool) {
	if region != "AU" && region != "" {
		return "", false
	}
	au.once.Do(loadAU)
	if !au.ok {
		return "", false
	}
	var d [11]byte
	n, plus := 0, false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c >= '0' && c <= '9':
			if n == len(d) {
				return "", false
			}
			d[n] = c
			n++
		case c == ' ':
		case c == '+' && i == 0:
			plus = true
		default:
			return "", false
		}
	}
	var nsn []byte
	switch {
	case !plus && n == 10 && d[0] == '0':
		nsn = d[1:10] // the national prefix, as the library strips it
	case n == 11 && d[0] == '6' && d[1] == '1':
		nsn = d[2:11] // +61…, or 61… which parsePhone reads as +61…
	default:
		return "", false
	}
	switch nsn[0] {
	case '2', '3', '4', '7', '8':
	default:
		return "", false
	}
	if !auValid(string(nsn)) {
		return "", false
	}
	return "+61" + string(nsn), true
}
