package reportquery

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// span is a period being worked out: whole days in the clinic's zone,
// both ends included, and the calendar unit it is aligned to ("" when it
// is not), which decides what "the previous period" is.
type span struct {
	from, to time.Time
	unit     string // day, week, month, quarter, year, fy
}

func (s span) period() Period {
	return Period{From: s.from.Format(time.DateOnly), To: s.to.Format(time.DateOnly)}
}

func day(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// previous is the period just before s, of the same length; a calendar
// month, quarter, year or week gives the previous one of those.
func (s span) previous() span {
	switch s.unit {
	case "month":
		f := s.from.AddDate(0, -1, 0)
		return span{f, s.from.AddDate(0, 0, -1), "month"}
	case "quarter":
		f := s.from.AddDate(0, -3, 0)
		return span{f, s.from.AddDate(0, 0, -1), "quarter"}
	case "year", "fy":
		f := s.from.AddDate(-1, 0, 0)
		return span{f, s.from.AddDate(0, 0, -1), s.unit}
	}
	days := int(s.to.Sub(s.from).Hours()/24+0.5) + 1
	return span{s.from.AddDate(0, 0, -days), s.from.AddDate(0, 0, -1), s.unit}
}

// lastYear is the same dates a year earlier.
func (s span) lastYear() span {
	return span{s.from.AddDate(-1, 0, 0), s.to.AddDate(-1, 0, 0), s.unit}
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
	"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

const monthAlt = `jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december`

// dateAlt matches one date as people write it: "1 march", "1st of march
// 2026", "march 1", "1/3", "1/3/2026", "2026-03-01".
const dateAlt = `(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}(?:st|nd|rd|th)?(?: of)? (?:` + monthAlt + `)(?: \d{4})?|(?:` + monthAlt + `) \d{1,2}(?:st|nd|rd|th)?(?: \d{4})?)`

var (
	rangeRE     = regexp.MustCompile(`\b(?:from |between )?(` + dateAlt + `) (?:to|until|till|and|-|through) (` + dateAlt + `)\b`)
	sinceRE     = regexp.MustCompile(`\bsince (` + dateAlt + `|(?:` + monthAlt + `)(?: \d{4})?|\d{4})\b`)
	lastNRE     = regexp.MustCompile(`\b(?:last|past|previous|prior) (\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (days?|weeks?|months?|years?|quarters?)\b`)
	fyRE        = regexp.MustCompile(`\b(this|last|previous|current) (?:financial year|fy)\b|\bfy ?(\d{2}|\d{4})\b|\bfinancial year (\d{4})\b`)
	relRE       = regexp.MustCompile(`\b(this|last|previous|past|current) (week|month|quarter|year)\b`)
	quarterRE   = regexp.MustCompile(`\bq([1-4])(?: (\d{4}))?\b`)
	monthsRE    = regexp.MustCompile(`\b(` + monthAlt + `) (?:to|until|till|-|through) (` + monthAlt + `)(?: (\d{4}))?\b`)
	monthRE     = regexp.MustCompile(`\b(` + monthAlt + `)(?: (\d{4}))?\b`)
	yearRE      = regexp.MustCompile(`\b(20\d{2})\b`)
	todayRE     = regexp.MustCompile(`\b(today|yesterday|ytd|year to date)\b`)
	numberWords = map[string]int{"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
)

// parseDate reads one date of dateAlt relative to today: without a year,
// the most recent such date not after today.
func parseDate(s string, today time.Time) (time.Time, bool) {
	loc := today.Location()
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, true
	}
	y, hasYear := 0, false
	var m time.Month
	d := 0
	if strings.Contains(s, "/") {
		parts := strings.Split(s, "/")
		d, _ = strconv.Atoi(parts[0])
		mm, _ := strconv.Atoi(parts[1])
		m = time.Month(mm)
		if len(parts) == 3 {
			y, _ = strconv.Atoi(parts[2])
			if y < 100 {
				y += 2000
			}
			hasYear = true
		}
	} else {
		for _, f := range strings.Fields(s) {
			f = strings.TrimRight(f, "stndrh")
			if mo, ok := months[f]; ok {
				m = mo
				continue
			}
			if n, err := strconv.Atoi(f); err == nil {
				if n > 31 {
					y, hasYear = n, true
				} else {
					d = n
				}
			}
		}
		// "1st" trimmed to "1" above; month names keep their letters.
		for _, f := range strings.Fields(s) {
			if mo, ok := months[f]; ok {
				m = mo
			}
		}
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	if !hasYear {
		y = today.Year()
		if day(y, m, d, loc).After(today) {
			y--
		}
	}
	t := day(y, m, d, loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// mostRecentMonth is the latest month m that has begun by today (this
// year's, or last year's when it is still ahead).
func mostRecentMonth(m time.Month, today time.Time) int {
	if m > today.Month() {
		return today.Year() - 1
	}
	return today.Year()
}

func monthSpan(y int, m time.Month, today time.Time) span {
	loc := today.Location()
	f := day(y, m, 1, loc)
	return span{f, f.AddDate(0, 1, -1), "month"}
}

// monthsBack is the same day n months earlier, or that month's last day
// when it is shorter (30 March less one month is 28 February, where
// time.AddDate would say 2 March).
func monthsBack(t time.Time, n int) time.Time {
	first := day(t.Year(), t.Month(), 1, t.Location()).AddDate(0, -n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return day(first.Year(), first.Month(), min(t.Day(), last), t.Location())
}

func weekStart(t time.Time) time.Time {
	off := (int(t.Weekday()) + 6) % 7
	return t.AddDate(0, 0, -off)
}

func quarterStart(t time.Time) time.Time {
	m := (t.Month()-1)/3*3 + 1
	return day(t.Year(), m, 1, t.Location())
}

// fyStart is the start of the Australian financial year (1 July) holding
// t.
func fyStart(t time.Time) time.Time {
	y := t.Year()
	if t.Month() < time.July {
		y--
	}
	return day(y, time.July, 1, t.Location())
}

// parsePeriod finds a period in s (lower case, single spaces). It
// returns the span and the text it matched.
func parsePeriod(s string, today time.Time) (span, string, bool) {
	loc := today.Location()
	if m := rangeRE.FindStringSubmatch(s); m != nil {
		from, ok1 := parseDate(m[1], today)
		to, ok2 := parseDate(m[2], today)
		if ok1 && ok2 {
			if to.Before(from) && !strings.ContainsAny(m[2], "0123456789/") {
				to = to.AddDate(1, 0, 0)
			}
			if to.Before(from) {
				// "1 December to 15 January": the range crosses a new year.
				from = from.AddDate(-1, 0, 0)
			}
			return span{from, to, ""}, m[0], true
		}
	}
	if m := sinceRE.FindStringSubmatch(s); m != nil {
		arg := m[1]
		if t, ok := parseDate(arg, today); ok {
			return span{t, today, ""}, m[0], true
		}
		f := strings.Fields(arg)
		if mo, ok := months[f[0]]; ok {
			y := mostRecentMonth(mo, today)
			if len(f) > 1 {
				y, _ = strconv.Atoi(f[1])
			}
			return span{day(y, mo, 1, loc), today, ""}, m[0], true
		}
		if y, err := strconv.Atoi(arg); err == nil {
			return span{day(y, 1, 1, loc), today, ""}, m[0], true
		}
	}
	if m := lastNRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = numberWords[m[1]]
		}
		if n > 0 {
			unit := strings.TrimSuffix(m[2], "s")
			var from time.Time
			switch unit {
			case "day":
				from = today.AddDate(0, 0, -(n - 1))
			case "week":
				from = today.AddDate(0, 0, -(7*n - 1))
			case "month":
				from = monthsBack(today, n).AddDate(0, 0, 1)
			case "quarter":
				from = monthsBack(today, 3*n).AddDate(0, 0, 1)
			case "year":
				from = monthsBack(today, 12*n).AddDate(0, 0, 1)
			}
			return span{from, today, ""}, m[0], true
		}
	}
	if m := todayRE.FindStringSubmatch(s); m != nil {
		switch m[1] {
		case "today":
			return span{today, today, "day"}, m[0], true
		case "yesterday":
			y := today.AddDate(0, 0, -1)
			return span{y, y, "day"}, m[0], true
		default:
			return span{day(today.Year(), 1, 1, loc), today, ""}, m[0], true
		}
	}
	if m := fyRE.FindStringSubmatch(s); m != nil {
		start := fyStart(today)
		switch {
		case m[1] == "last" || m[1] == "previous":
			start = start.AddDate(-1, 0, 0)
		case m[2] != "" || m[3] != "":
			// FY2025 ends on 30 June 2025.
			y, _ := strconv.Atoi(m[2] + m[3])
			if y < 100 {
				y += 2000
			}
			start = day(y-1, time.July, 1, loc)
		}
		return span{start, start.AddDate(1, 0, -1), "fy"}, m[0], true
	}
	if m := relRE.FindStringSubmatch(s); m != nil {
		last := m[1] == "last" || m[1] == "previous"
		switch m[2] {
		case "week":
			if m[1] == "past" {
				return span{today.AddDate(0, 0, -6), today, ""}, m[0], true
			}
			w := weekStart(today)
			if last {
				return span{w.AddDate(0, 0, -7), w.AddDate(0, 0, -1), "week"}, m[0], true
			}
			return span{w, w.AddDate(0, 0, 6), "week"}, m[0], true
		case "month":
			if m[1] == "past" {
				return span{today.AddDate(0, 0, -29), today, ""}, m[0], true
			}
			f := day(today.Year(), today.Month(), 1, loc)
			if last {
				f = f.AddDate(0, -1, 0)
			}
			return span{f, f.AddDate(0, 1, -1), "month"}, m[0], true
		case "quarter":
			if m[1] == "past" {
				return span{monthsBack(today, 3).AddDate(0, 0, 1), today, ""}, m[0], true
			}
			f := quarterStart(today)
			if last {
				f = f.AddDate(0, -3, 0)
			}
			return span{f, f.AddDate(0, 3, -1), "quarter"}, m[0], true
		case "year":
			if m[1] == "past" {
				return span{monthsBack(today, 12).AddDate(0, 0, 1), today, ""}, m[0], true
			}
			y := today.Year()
			if last {
				y--
			}
			return span{day(y, 1, 1, loc), day(y, 12, 31, loc), "year"}, m[0], true
		}
	}
	if m := quarterRE.FindStringSubmatch(s); m != nil {
		q, _ := strconv.Atoi(m[1])
		y := today.Year()
		if m[2] != "" {
			y, _ = strconv.Atoi(m[2])
		} else if day(y, time.Month(3*q-2), 1, loc).After(today) {
			y--
		}
		f := day(y, time.Month(3*q-2), 1, loc)
		return span{f, f.AddDate(0, 3, -1), "quarter"}, m[0], true
	}
	if m := monthsRE.FindStringSubmatch(s); m != nil {
		a, b := months[m[1]], months[m[2]]
		y := mostRecentMonth(b, today)
		if m[3] != "" {
			y, _ = strconv.Atoi(m[3])
		}
		ya := y
		if a > b {
			ya--
		}
		from := day(ya, a, 1, loc)
		return span{from, day(y, b, 1, loc).AddDate(0, 1, -1), ""}, m[0], true
	}
	for _, m := range monthRE.FindAllStringSubmatchIndex(s, -1) {
		name := s[m[2]:m[3]]
		if name == "may" && m[4] < 0 && !strings.Contains(s, "in may") && !strings.Contains(s, "for may") {
			continue // "may" is usually the verb
		}
		if (name == "mar" || name == "jun") && m[4] < 0 {
			continue
		}
		mo := months[name]
		y := mostRecentMonth(mo, today)
		if m[4] >= 0 {
			y, _ = strconv.Atoi(s[m[4]:m[5]])
		}
		return monthSpan(y, mo, today), s[m[0]:m[1]], true
	}
	if m := yearRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		return span{day(y, 1, 1, loc), day(y, 12, 31, loc), "year"}, m[0], true
	}
	return span{}, "", false
}
