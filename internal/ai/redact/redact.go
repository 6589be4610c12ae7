// Package redact replaces personal details in text with placeholders
// before the text leaves the building for a remote model, and puts them
// back into what comes back where a draft needs them.
//
// It replaces email addresses, Medicare numbers, phone numbers, dates of
// birth, street addresses and names — the names it is told (the contact's,
// staff's) and names people introduce ("my name is …", "this is …", a
// sign-off such as "Thanks, Priya"). Placeholders look like [PHONE_1]; the
// same value gets the same placeholder throughout one Redactor, so a
// model can still tell that two mentions are the same person.
//
// It is deliberately eager: a word wrongly taken for a name costs a model
// a little context; a name sent away is a privacy breach. Times, days and
// short dates ("3pm", "Tues", "14/3") stay, because reading them is the
// point of most calls.
package redact

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Kinds of placeholder.
const (
	Name     = "NAME"
	Phone    = "PHONE"
	Email    = "EMAIL"
	Address  = "ADDRESS"
	Medicare = "MEDICARE"
	DOB      = "DOB"
)

// Redactor redacts the texts of one call and restores its answer. It is
// not safe for concurrent use.
type Redactor struct {
	// now decides which dates are dates of birth (those with a year at
	// least a year in the past).
	now   time.Time
	names []string
	// byValue maps an original (lower case) to its placeholder; byHolder
	// the placeholder to the original as first seen.
	byValue  map[string]string
	byHolder map[string]string
	counts   map[string]int
}

// New returns a Redactor that also treats known (a contact's first and
// last name, staff names) as names. now is the time of the call.
func New(now time.Time, known ...string) *Redactor {
	r := &Redactor{now: now, byValue: map[string]string{}, byHolder: map[string]string{}, counts: map[string]int{}}
	for _, k := range known {
		for _, part := range strings.Fields(k) {
			part = strings.Trim(part, ".,;:!?\"'()")
			if len([]rune(part)) >= 2 && !slices.Contains(r.names, strings.ToLower(part)) {
				r.names = append(r.names, strings.ToLower(part))
			}
		}
	}
	// Longer names first, so "Anne-Marie" wins over "Anne".
	slices.SortFunc(r.names, func(a, b string) int { return len(b) - len(a) })
	return r
}

var (
	emailRE = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}`)
	// A run of digits with the separators people type in phone and
	// Medicare numbers; the digits are counted afterwards.
	digitsRE = regexp.MustCompile(`\+?\(?\d[\d\s\-().]{6,}\d`)
	// A date with a year: 12/03/1985, 12-3-85, 1985-03-12, 12 March 1985.
	dateYearRE = regexp.MustCompile(`(?i)\b(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*,?\s+(\d{4})\b`)
	// "DOB 12/3", "born 1985", "date of birth: …".
	dobLabelRE = regexp.MustCompile(`(?i)\b(d\.?o\.?b\.?|date of birth|born(?: on| in)?|birthday(?: is)?)\s*[:\-]?\s*([0-9][0-9/\-. ]{2,10}[0-9]|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]+(?:\s+\d{2,4})?)`)
	addressRE  = regexp.MustCompile(`(?i)\b(?:(?:unit|apt|apartment|level|suite|shop|flat)\s*\d+[a-z]?\s*[,/]?\s*)?\d+[a-z]?(?:\s*/\s*\d+[a-z]?)?\s+(?:[a-z][a-z'\-]+\s+){1,3}(?:street|st|road|rd|avenue|ave|av|parade|pde|drive|dr|lane|ln|place|pl|crescent|cres|court|ct|highway|hwy|boulevard|blvd|terrace|tce|way|close|cl|circuit|cct|grove|gr|square|sq|esplanade|esp)\b\.?(?:,?\s+[a-z]{3,}(?:\s[a-z]{3,})?)?(?:,?\s+(?:nsw|vic|qld|wa|sa|tas|act|nt)\b)?(?:\s+\d{4})?|\bp\.?\s?o\.?\s+box\s+\d+`)
	// Names people introduce. The name is the capitalised words after
	// the cue.
	introRE   = regexp.MustCompile(`(?i:\b(?:my name is|name's|i am|i'm|im|this is|it's|its|regards|cheers|thanks|thank you|thx|ta|love|dr\.?|mr\.?|mrs\.?|ms\.?|miss|mx\.?|patient|son|daughter|husband|wife|mum|mom|dad|father|mother|partner)[,:]?\s+)((?:[A-Z][a-zA-Z'\-]+)(?:\s+[A-Z][a-zA-Z'\-]+)?)`)
	signoffRE = regexp.MustCompile(`(?m)(?:^|[\n.!?]\s*|[-–—~]\s*)([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)?)\s*[.!]?\s*$`)
	hereRE    = regexp.MustCompile(`^\s*([A-Z][a-z'\-]+)\s+here\b`)
)

// notNames are capitalised words the name patterns meet that are not
// names: sentence starts, days, months and the words of a reply.
var notNames = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`I Im I'm Yes Yep Yeah No Nah Ok Okay OK Thanks Thank Sorry Please Hi Hello Hey Dear
		Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun
		January February March April May June July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
		Tomorrow Today Tonight Morning Arvo Afternoon Evening Christmas Easter
		The A An My Your Our This That It Its Is Will Can Could Would Should See Cheers Ta Regards Love Best Kind
		Stop STOP Unsubscribe Cancel Confirm Confirmed Reschedule Running Late Coming Here There Sick Unwell Not Still Just Also
		MRI CT Xray X-ray Ultrasound Mammogram DEXA PET Medicare GP Dr Mr Mrs Ms Miss Mx Doctor Reception Clinic Avatar Imaging
		Mum Mom Dad Nan Nana Pop Grandma Grandpa Son Daughter Husband Wife Partner
		Sydney Parramatta NSW Australia Australian English Medicare Bulk Billing Ads Ad Meta Google Facebook Instagram Wix ManyChat Website
		Brain Knee Spine Lumbar Chest Abdomen Pelvis Hand Wrist Shoulder Hip Ankle Foot Breast Bone Density Screening Scan Scans
		Referral Referrals Report Reports Results Booking Bookings Appointment Appointments Patient Patients Staff Team
		Hospital Street Road Avenue Level Unit Suite Monday's Friday's Q1 Q2 Q3 Q4 FY No-shows No-show Revenue Funnel Warmness`) {
		notNames[strings.ToLower(w)] = true
	}
	for _, n := range strings.Fields(givenNames) {
		givenName[strings.ToLower(n)] = true
	}
}

// givenNames are common first names in Sydney's communities, recognised
// when capitalised even without a cue ("patients like Priya"). Names
// that are also ordinary words (Will, May, Grace, Mark) are left out.
const givenNames = `Olivia Charlotte Amelia Isla Mia Ava Chloe Sophie Emily Ella Zoe Ruby Lily Emma Sarah Jessica Hannah Lucy Georgia Sophia
	Oliver Jack Noah William Leo Lucas Thomas Henry Charlie James Ethan Liam Max Harrison Lachlan Cooper Mason Daniel Samuel Benjamin Matthew Joshua Ryan Nathan
	John Michael David Peter Paul Andrew Robert Richard Stephen Christopher Anthony Steven Michelle Jennifer Karen Lisa Nicole Rebecca Rachel Melissa Kylie
	Priya Aisha Fatima Mohammed Muhammad Ahmed Ali Omar Hassan Hussein Layla Zainab Youssef Mariam Nour Rania Khalid Tariq
	Wei Mei Jing Li Ying Xin Hui Yan Ling Chen Jun Hao Ming Tao Lei Fang Xiao Jia
	Minh Linh Anh Huong Thanh Tuan Trang Hoa Duc Hieu Nguyen Tran Pham
	Georgios Giorgos Dimitrios Konstantinos Nikos Eleni Maria Katerina Sofia Ioannis Vasiliki
	Giuseppe Giovanni Antonio Francesco Marco Luca Giulia Chiara Alessandro Roberto
	Raj Rahul Amit Sanjay Anjali Pooja Neha Deepak Arjun Vikram Sunita Ravi Kavya Aarav
	Ji-woo Min-jun Seo-yeon Ji-hoon Hyun Soo-jin Jae Eun
	Sione Mele Tevita Ana Maria Jose Juan Carlos Diego Lucia Isabella Gabriel`

var givenName = map[string]bool{}

// Redact returns s with personal details replaced by placeholders.
func (r *Redactor) Redact(s string) string {
	if s == "" {
		return s
	}
	s = emailRE.ReplaceAllStringFunc(s, func(m string) string { return r.hold(Email, m) })
	s = dobLabelRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := dobLabelRE.FindStringSubmatch(m)
		return sub[1] + " " + r.hold(DOB, sub[2])
	})
	s = dateYearRE.ReplaceAllStringFunc(s, func(m string) string {
		if r.pastYear(m) {
			return r.hold(DOB, m)
		}
		return m
	})
	s = addressRE.ReplaceAllStringFunc(s, func(m string) string {
		// Keep what trails the address that the pattern swallowed as a
		// suburb only when it is plainly a sentence ("… St, see you").
		return r.hold(Address, strings.TrimSpace(m))
	})
	s = digitsRE.ReplaceAllStringFunc(s, func(m string) string {
		d := digitsOf(m)
		switch {
		case len(d) == 10 || len(d) == 11:
			if medicareValid(d) && !strings.HasPrefix(d, "0") {
				return r.hold(Medicare, m)
			}
			return r.hold(Phone, m)
		case len(d) >= 8 && len(d) <= 13:
			return r.hold(Phone, m)
		}
		return m
	})
	s = r.knownNames(s)
	s = r.capitalisedNames(s)
	s = introRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := introRE.FindStringSubmatchIndex(m)
		cue, name := m[:sub[2]], m[sub[2]:sub[3]]
		words := strings.Fields(name)
		// Only the words that are not ordinary ones: "I'm Running late"
		// keeps "Running".
		var out []string
		for _, w := range words {
			if notNames[strings.ToLower(w)] || isHolder(w) {
				out = append(out, w)
				continue
			}
			out = append(out, r.hold(Name, w))
		}
		return cue + strings.Join(out, " ")
	})
	s = hereRE.ReplaceAllStringFunc(s, func(m string) string {
		w := hereRE.FindStringSubmatch(m)[1]
		if notNames[strings.ToLower(w)] {
			return m
		}
		return strings.Replace(m, w, r.hold(Name, w), 1)
	})
	s = signoffRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := signoffRE.FindStringSubmatchIndex(m)
		name := m[sub[2]:sub[3]]
		// A single word after a full stop is a sign-off only when it is
		// not an ordinary word ("See you then. Thanks" is not a name).
		for _, w := range strings.Fields(name) {
			if notNames[strings.ToLower(w)] {
				return m
			}
		}
		if !strings.ContainsAny(m[:sub[2]], "-–—~\n") && len(strings.Fields(name)) == 1 && sub[2] == 0 {
			// A message that is one capitalised word ("Cancel") is not
			// signed.
			return m
		}
		out := []string{}
		for _, w := range strings.Fields(name) {
			out = append(out, r.hold(Name, w))
		}
		return m[:sub[2]] + strings.Join(out, " ") + m[sub[3]:]
	})
	return s
}

// Restore puts the originals back in place of the placeholders in s.
func (r *Redactor) Restore(s string) string {
	if len(r.byHolder) == 0 || !strings.Contains(s, "[") {
		return s
	}
	return holderRE.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := r.byHolder[m]; ok {
			return v
		}
		return m
	})
}

// Placeholders returns how many values of each kind were replaced.
func (r *Redactor) Placeholders() map[string]int { return r.counts }

var numberRE = regexp.MustCompile(`\d+`)

var holderRE = regexp.MustCompile(`\[(?:NAME|PHONE|EMAIL|ADDRESS|MEDICARE|DOB)_\d+\]`)

func isHolder(w string) bool { return holderRE.MatchString(w) }

func (r *Redactor) hold(kind, value string) string {
	key := kind + "\x00" + strings.ToLower(value)
	if h, ok := r.byValue[key]; ok {
		return h
	}
	r.counts[kind]++
	h := fmt.Sprintf("[%s_%d]", kind, r.counts[kind])
	r.byValue[key] = h
	r.byHolder[h] = value
	return h
}

var capWordRE = regexp.MustCompile(`\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b`)

// capitalisedNames replaces common given names, and runs of two or three
// capitalised words that are not ordinary ones ("Priya Raman", "Dr
// Alvarez" is handled by its cue): a person's full name in the middle of
// a sentence.
func (r *Redactor) capitalisedNames(s string) string {
	locs := capWordRE.FindAllStringIndex(s, -1)
	name := make([]bool, len(locs))
	for i, l := range locs {
		w := s[l[0]:l[1]]
		if notNames[strings.ToLower(w)] {
			continue
		}
		if givenName[strings.ToLower(w)] {
			name[i] = true
		}
		// Two capitalised words separated by one space.
		if i+1 < len(locs) && locs[i+1][0] == l[1]+1 && s[l[1]] == ' ' && !notNames[strings.ToLower(s[locs[i+1][0]:locs[i+1][1]])] {
			name[i], name[i+1] = true, true
		}
	}
	var b strings.Builder
	last := 0
	for i, l := range locs {
		if !name[i] {
			continue
		}
		b.WriteString(s[last:l[0]])
		b.WriteString(r.hold(Name, s[l[0]:l[1]]))
		last = l[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// knownNames replaces the names the Redactor was told, as whole words,
// in any case.
func (r *Redactor) knownNames(s string) string {
	if len(r.names) == 0 {
		return s
	}
	lower := strings.ToLower(s)
	var b strings.Builder
	last := 0
	for i := 0; i < len(lower); {
		matched := ""
		if i == 0 || !isWordByte(lower, i-1) {
			for _, n := range r.names {
				if strings.HasPrefix(lower[i:], n) && (i+len(n) == len(lower) || !isWordByte(lower, i+len(n))) {
					matched = n
					break
				}
			}
		}
		if matched == "" {
			i++
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r.hold(Name, s[i:i+len(matched)]))
		i += len(matched)
		last = i
	}
	b.WriteString(s[last:])
	return b.String()
}

func isWordByte(s string, i int) bool {
	c := s[i]
	if c >= 0x80 {
		return true
	}
	return c == '_' || c == '\'' || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// medicareValid checks a Medicare card number's check digit: the first
// digit 2–6, the ninth the weighted sum of the first eight (weights 1, 3,
// 7, 9, 1, 3, 7, 9) modulo 10.
func medicareValid(d string) bool {
	if len(d) < 10 || d[0] < '2' || d[0] > '6' {
		return false
	}
	w := []int{1, 3, 7, 9, 1, 3, 7, 9}
	sum := 0
	for i, wt := range w {
		sum += int(d[i]-'0') * wt
	}
	return sum%10 == int(d[8]-'0')
}

// pastYear reports whether a date with a year lies at least a year
// before now: a date of birth, not an appointment.
func (r *Redactor) pastYear(m string) bool {
	years := numberRE.FindAllString(m, -1)
	if len(years) == 0 {
		return false
	}
	y, _ := strconv.Atoi(years[len(years)-1])
	if len(years) >= 3 && len(years[0]) == 4 {
		y, _ = strconv.Atoi(years[0])
	}
	if y < 100 {
		// Two-digit years: 85 is 1985, 05 is 2005.
		if y > r.now.Year()%100 {
			y += 1900
		} else {
			y += 2000
		}
	}
	return y < r.now.Year()-1 || r.now.IsZero()
}
