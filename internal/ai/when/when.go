// Package when finds the day and time a patient proposes in a message
// ("can we do Tues arvo instead", "tmrw at 3:30", "the 14th in the
// morning") and resolves it to a window of time in the clinic's zone,
// relative to an injected now.
//
// It understands Australian English shorthand: weekday abbreviations,
// "arvo", "tmrw", "2moro", "this arvo", "after 5", "first thing", "next
// week", day-first dates ("14/3"), ordinals ("the 14th") and month names.
// A bare weekday is the next one strictly after today ("Tuesday" said on a
// Tuesday is a week away); "this Tuesday" said on a Tuesday is today;
// "next Tuesday" is read like a bare "Tuesday" (people use it both ways;
// staff see the resolved date and can correct it).
package when

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Granularity says how precise a proposal is.
type Granularity string

const (
	// Exact is a clock time: Start is the time, End equals Start.
	Exact Granularity = "time"
	// PartOfDay is a window within one day: morning, afternoon, after 5.
	PartOfDay Granularity = "part_of_day"
	// Day is a whole day.
	Day Granularity = "day"
	// Span is several days: next week, the weekend, next month.
	Span Granularity = "span"
)

// Proposal is a time a patient proposed.
type Proposal struct {
	// Start and End bound the window in the clinic's zone; End is
	// exclusive (equal to Start for an exact time).
	Start, End  time.Time
	Granularity Granularity
	// Text is the words it was read from, e.g. "tues arvo".
	Text string
}

// Context is what resolving relative words needs.
type Context struct {
	// Now is the moment the message arrived.
	Now time.Time
	// Location is the clinic's zone; nil means UTC.
	Location *time.Location
	// Appointment is the booked start, if any: "at 11 instead" means 11
	// on that day, "earlier" means earlier than it.
	Appointment *time.Time
}

// Opening hours of the windows, in the clinic's zone.
var (
	Morning   = [2]int{8, 12}
	Afternoon = [2]int{12, 17}
	Evening   = [2]int{17, 20}
	Lunch     = [2]int{12, 14}
	// Open and Close bound "before 10" and "after 3".
	Open, Close = 7, 20
)

// Find returns the first time proposed in text, or false when there is
// none.
func Find(text string, c Context) (Proposal, bool) {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	now := c.Now.In(loc)
	today := midnight(now)
	toks := tokenize(text)
	var (
		day       *time.Time
		dayEnd    *time.Time // for spans
		dayWords  []string
		win       *[2]int // hours window
		winWords  []string
		at        *[2]int // hour, minute
		atWords   []string
		earlyLate string
	)
	setDay := func(d time.Time, words ...string) {
		if day == nil {
			day = &d
			dayWords = words
		}
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func(k int) string {
			if i+k < len(toks) {
				return toks[i+k]
			}
			return ""
		}
		switch {
		case t == "today" || t == "2day" || t == "tday":
			setDay(today, t)
		case t == "tonight" || t == "tonite" || t == "2nite":
			setDay(today, t)
			if win == nil {
				win, winWords = &Evening, []string{t}
			}
		case isTomorrow(t):
			setDay(today.AddDate(0, 0, 1), t)
		case t == "day" && next(1) == "after":
			switch {
			case isTomorrow(next(2)):
				setDay(today.AddDate(0, 0, 2), "day after", next(2))
				i += 2
			case c.Appointment != nil:
				setDay(midnight(c.Appointment.In(loc)).AddDate(0, 0, 1), "the day after")
				i++
			}
		case weekday(t) >= 0:
			wd := time.Weekday(weekday(t))
			this := i > 0 && toks[i-1] == "this"
			d := nextWeekday(today, wd, this)
			w := []string{t}
			if i > 0 && (toks[i-1] == "this" || toks[i-1] == "next") {
				w = []string{toks[i-1], t}
			}
			if next(1) == "next" && next(2) == "week" {
				// "Thursday next week"
				d = weekdayOfWeek(today.AddDate(0, 0, 7), wd)
				w = append(w, "next week")
			}
			setDay(d, w...)
		case t == "weekend":
			// The coming weekend; on a Sunday, the next one.
			sat := nextWeekday(today, time.Saturday, true)
			end := sat.AddDate(0, 0, 2)
			if day == nil {
				day, dayEnd, dayWords = &sat, &end, []string{"weekend"}
			}
		case t == "week" && i > 0 && toks[i-1] == "next" && day == nil:
			mon := weekdayOfWeek(today.AddDate(0, 0, 7), time.Monday)
			end := mon.AddDate(0, 0, 7)
			day, dayEnd, dayWords = &mon, &end, []string{"next week"}
		case t == "fortnight" && day == nil:
			d := today.AddDate(0, 0, 14)
			if c.Appointment != nil {
				d = midnight(c.Appointment.In(loc)).AddDate(0, 0, 14)
			}
			setDay(d, "fortnight")
		case t == "month" && i > 0 && toks[i-1] == "next" && day == nil:
			first := time.Date(today.Year(), today.Month()+1, 1, 0, 0, 0, 0, loc)
			end := first.AddDate(0, 1, 0)
			day, dayEnd, dayWords = &first, &end, []string{"next month"}
		case isPart(t) != nil:
			p := isPart(t)
			if t == "am" || t == "pm" {
				// "3 pm" is a time, read with the number before it.
				if i > 0 && isNumber(toks[i-1]) {
					continue
				}
			}
			if win == nil {
				win, winWords = p, []string{t}
				if i > 0 && toks[i-1] == "this" {
					setDay(today, "this "+t)
				}
			}
		case t == "first" && next(1) == "thing":
			if win == nil {
				w := [2]int{Morning[0], Morning[0] + 1}
				win, winWords = &w, []string{"first thing"}
			}
		case t == "after" || t == "before" || t == "from":
			if h, m, ok := clock(next(1), next(2)); ok {
				h = guessPM(h, next(2))
				var w [2]int
				if t == "before" {
					w = [2]int{Open, h}
				} else {
					w = [2]int{h, Close}
				}
				_ = m // a window's edges are whole hours
				if win == nil {
					win, winWords = &w, []string{t, next(1)}
				}
				i++
			} else if next(1) == "work" || next(1) == "school" {
				w := [2]int{Evening[0], Close}
				if next(1) == "school" {
					w = [2]int{15, Close}
				}
				if win == nil {
					win, winWords = &w, []string{t, next(1)}
				}
			}
		case t == "earlier" || t == "sooner" || t == "later":
			earlyLate = t
		default:
			if d, n, ok := date(toks, i, today); ok {
				setDay(d, toks[i:i+n]...)
				i += n - 1
				continue
			}
			if h, m, ok := clock(t, next(1)); ok && at == nil && timeContext(toks, i) {
				h = guessPM(h, next(1))
				at = &[2]int{h, m}
				atWords = []string{t}
				if next(1) == "am" || next(1) == "pm" {
					atWords = append(atWords, next(1))
					i++
				}
			}
		}
	}
	words := append(append(append([]string{}, dayWords...), winWords...), atWords...)
	if day == nil && win == nil && at == nil {
		if earlyLate != "" && c.Appointment != nil {
			a := c.Appointment.In(loc)
			d := midnight(a)
			if earlyLate == "later" {
				return Proposal{Start: a, End: d.Add(time.Duration(Close) * time.Hour), Granularity: PartOfDay, Text: earlyLate}, a.Hour() < Close
			}
			return Proposal{Start: d.Add(time.Duration(Open) * time.Hour), End: a, Granularity: PartOfDay, Text: earlyLate}, a.Hour() > Open
		}
		return Proposal{}, false
	}
	text = strings.Join(words, " ")
	if day != nil && dayEnd != nil {
		return Proposal{Start: *day, End: *dayEnd, Granularity: Span, Text: text}, true
	}
	if day == nil {
		// A time without a day: the appointment's day, else the next
		// time that hour comes round.
		d := today
		if c.Appointment != nil {
			d = midnight(c.Appointment.In(loc))
		} else {
			end := 24
			if at != nil {
				end = at[0]
			} else if win != nil {
				end = win[1]
			}
			if now.Hour() >= end {
				d = d.AddDate(0, 0, 1)
			}
		}
		day = &d
	}
	if at != nil {
		t := time.Date(day.Year(), day.Month(), day.Day(), at[0], at[1], 0, 0, loc)
		return Proposal{Start: t, End: t, Granularity: Exact, Text: text}, true
	}
	if win != nil {
		return Proposal{
			Start:       time.Date(day.Year(), day.Month(), day.Day(), win[0], 0, 0, 0, loc),
			End:         time.Date(day.Year(), day.Month(), day.Day(), win[1], 0, 0, 0, loc),
			Granularity: PartOfDay, Text: text,
		}, true
	}
	return Proposal{Start: *day, End: day.AddDate(0, 0, 1), Granularity: Day, Text: text}, true
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// nextWeekday is the next day wd strictly after today, or today itself
// when orToday and today is wd.
func nextWeekday(today time.Time, wd time.Weekday, orToday bool) time.Time {
	d := (int(wd) - int(today.Weekday()) + 7) % 7
	if d == 0 && !orToday {
		d = 7
	}
	return today.AddDate(0, 0, d)
}

// weekdayOfWeek is the day wd of the Monday-to-Sunday week holding day.
func weekdayOfWeek(day time.Time, wd time.Weekday) time.Time {
	off := (int(day.Weekday()) + 6) % 7 // days since Monday
	mon := day.AddDate(0, 0, -off)
	return mon.AddDate(0, 0, (int(wd)+6)%7)
}

func tokenize(s string) []string {
	s = strings.ToLower(s)
	f := strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == ':' || r == '/' || r == '.' || r == '\'')
	})
	out := f[:0]
	for _, t := range f {
		t = strings.Trim(t, ".:/'")
		if t == "" {
			continue
		}
		// "3pm" → "3", "pm"; "10am" → "10", "am"; "3:30pm" → "3:30", "pm".
		for _, suf := range []string{"pm", "am", "ish"} {
			if p, ok := strings.CutSuffix(t, suf); ok && p != "" && (p[len(p)-1] >= '0' && p[len(p)-1] <= '9') {
				out = append(out, p)
				t = suf
				break
			}
		}
		out = append(out, t)
	}
	return out
}

func isTomorrow(t string) bool {
	switch t {
	case "tomorrow", "tmrw", "tmr", "tmrow", "2moro", "2morrow", "tomoz", "tommorow", "tomorow", "tommorrow", "tomorrows", "tmw", "morrow":
		return true
	}
	return false
}

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday, "sundays": time.Sunday,
	"mon": time.Monday, "monday": time.Monday, "mondays": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday, "tuesdays": time.Tuesday, "tu": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday, "wednesdays": time.Wednesday, "wensday": time.Wednesday, "wendsday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday, "thursdays": time.Thursday, "thrusday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday, "fridays": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "saturdays": time.Saturday,
}

func weekday(t string) int {
	if wd, ok := weekdayNames[t]; ok {
		return int(wd)
	}
	return -1
}

// isPart returns the hours of a part of the day named by t.
func isPart(t string) *[2]int {
	switch t {
	case "morning", "mornin", "morn", "am":
		return &Morning
	case "arvo", "afternoon", "aft", "afternoons", "pm", "arvos":
		return &Afternoon
	case "evening", "evenings", "night":
		return &Evening
	case "lunchtime", "lunch", "midday", "noon":
		return &Lunch
	}
	return nil
}

func isNumber(t string) bool {
	_, err := strconv.Atoi(strings.ReplaceAll(t, ":", ""))
	return err == nil
}

// clock reads "3", "3:30", "15:00", "0930" (with the next token, "am" or
// "pm", if any) as an hour and minute.
func clock(t, next string) (int, int, bool) {
	h, m := 0, 0
	var err error
	switch {
	case strings.Contains(t, ":") || strings.Contains(t, "."):
		hs, ms, _ := strings.Cut(strings.ReplaceAll(t, ".", ":"), ":")
		if h, err = strconv.Atoi(hs); err != nil {
			return 0, 0, false
		}
		if m, err = strconv.Atoi(ms); err != nil || len(ms) != 2 {
			return 0, 0, false
		}
	case len(t) == 4 && isNumber(t):
		h, _ = strconv.Atoi(t[:2])
		m, _ = strconv.Atoi(t[2:])
	default:
		if h, err = strconv.Atoi(t); err != nil || len(t) > 2 {
			return 0, 0, false
		}
	}
	if h > 23 || m > 59 {
		return 0, 0, false
	}
	if next == "pm" && h < 12 {
		h += 12
	}
	if next == "am" && h == 12 {
		h = 0
	}
	return h, m, true
}

// guessPM reads a bare clinic hour as people mean it: "at 3" is 3 pm,
// "at 9" is 9 am.
func guessPM(h int, next string) int {
	if next == "am" || next == "pm" || h >= 12 || h == 0 {
		return h
	}
	if h <= 6 {
		return h + 12
	}
	return h
}

// timeContext reports whether the number at i is a time rather than a
// count ("2 kids", "15 minutes"): it has am/pm, a colon, or follows "at",
// "by", "around", "about", "like" or "instead of".
func timeContext(toks []string, i int) bool {
	t := toks[i]
	if strings.Contains(t, ":") {
		return true
	}
	if i+1 < len(toks) {
		switch toks[i+1] {
		case "am", "pm", "o'clock", "oclock", "ish":
			return true
		case "min", "mins", "minutes", "minute", "hour", "hours", "hr", "hrs", "days", "day", "weeks", "week", "kids", "people", "of":
			return false
		}
	}
	if i > 0 {
		switch toks[i-1] {
		case "at", "by", "around", "about", "like", "til", "till", "until", "do", "or", "@", "is":
			return true
		}
	}
	return false
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
	"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// date reads a date at toks[i]: "14/3", "14/03/2027", "14th", "14th of
// March", "3 December", "Dec 3". It returns the date, how many tokens
// it used and whether it found one. A date without a year is the next
// such date from today; an ordinal alone is the next such day of a month.
func date(toks []string, i int, today time.Time) (time.Time, int, bool) {
	t := toks[i]
	loc := today.Location()
	at := func(k int) string {
		if i+k < len(toks) {
			return toks[i+k]
		}
		return ""
	}
	if strings.Count(t, "/") >= 1 {
		parts := strings.Split(t, "/")
		d, err1 := strconv.Atoi(parts[0])
		mo, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil || mo < 1 || mo > 12 || d < 1 || d > 31 {
			return time.Time{}, 0, false
		}
		y := today.Year()
		if len(parts) > 2 {
			if yy, err := strconv.Atoi(parts[2]); err == nil {
				if yy < 100 {
					yy += 2000
				}
				y = yy
			}
		}
		res := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc)
		if res.Day() != d {
			return time.Time{}, 0, false
		}
		if len(parts) == 2 && res.Before(today) {
			res = res.AddDate(1, 0, 0)
		}
		return res, 1, true
	}
	// Month first: "dec 3", "december 3rd".
	if mo, ok := months[t]; ok {
		if d, ok := dayOfMonth(at(1)); ok {
			return nextDate(today, mo, d), 2, true
		}
		return time.Time{}, 0, false
	}
	d, ok := dayOfMonth(t)
	if !ok {
		return time.Time{}, 0, false
	}
	ordinal := !isNumber(t)
	n := 1
	mo, hasMonth := months[at(1)]
	if !hasMonth && at(1) == "of" {
		mo, hasMonth = months[at(2)]
		n = 2
	}
	if hasMonth {
		return nextDate(today, mo, d), n + 1, true
	}
	if !ordinal {
		return time.Time{}, 0, false
	}
	// "the 14th": this month's if still ahead, else next month's.
	res := time.Date(today.Year(), today.Month(), d, 0, 0, 0, 0, loc)
	if res.Before(today) || res.Day() != d {
		res = time.Date(today.Year(), today.Month()+1, d, 0, 0, 0, 0, loc)
	}
	return res, 1, true
}

func dayOfMonth(t string) (int, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		t = strings.TrimSuffix(t, suf)
	}
	if len(t) == 0 || len(t) > 2 {
		return 0, false
	}
	d, err := strconv.Atoi(t)
	return d, err == nil && d >= 1 && d <= 31
}

func nextDate(today time.Time, mo time.Month, d int) time.Time {
	res := time.Date(today.Year(), mo, d, 0, 0, 0, 0, today.Location())
	if res.Before(today) {
		res = res.AddDate(1, 0, 0)
	}
	return res
}
