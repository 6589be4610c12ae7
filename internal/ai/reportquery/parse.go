package reportquery

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Result is what Parse understood.
type Result struct {
	// Request is the report to run; nil when the text named no report.
	Request *Request
	// OK is Request != nil.
	OK bool
	// Confidence is 0 to 1: lower when the period was assumed or words
	// were ignored.
	Confidence float64
	// Notes say what was assumed or left out ("no period given: the last
	// 30 days"; "FUNNEL cannot be grouped by hour").
	Notes []string
	// Suggestions are questions this catalogue can answer, for text that
	// named no report.
	Suggestions []string
}

// kindWords name each report kind.
var kindWords = []struct {
	kind  string
	words []string
}{
	{KindNoShows, []string{"no show", "no shows", "noshow", "noshows", "no showed", "dna", "dnas", "did not attend", "didnt attend", "didnt show", "missed appointment", "missed appointments", "missed bookings", "failed to attend", "fta"}},
	{KindFunnel, []string{"funnel", "conversion", "conversions", "convert", "converted", "converting", "leads become", "lead to booking", "leads to bookings", "leads booked", "became patients"}},
	{KindRevenue, []string{"revenue", "income", "earnings", "earned", "takings", "sales", "money", "roi", "return on spend", "return on ad spend", "roas", "ad spend", "cost per", "paid", "dollars", "how much did we make", "billing", "billed"}},
	{KindWarmnessTrends, []string{"warmness", "warm leads", "hot leads", "cold leads", "lead temperature", "lead score", "lead scores", "warming", "cooling", "going cold", "warm", "hot"}},
	{KindStages, []string{"stage", "stages", "pipeline", "time in stage", "stuck", "bottleneck"}},
}

// dimWords name each dimension after "by", "per", "for each" …
var dimWords = map[string][]string{
	DimLocation:     {"location", "locations", "clinic", "clinics", "site", "sites", "branch", "branches"},
	DimService:      {"service", "services", "scan", "scans", "scan type", "exam", "exams", "procedure", "procedures", "test"},
	DimModality:     {"modality", "modalities", "scan kind", "machine"},
	DimSource:       {"source", "sources", "lead source", "lead sources", "channel", "channels", "referrer", "referrers", "marketing channel"},
	DimCampaign:     {"campaign", "campaigns", "ad", "ads"},
	DimWeekday:      {"weekday", "weekdays", "day of week", "day of the week", "day", "days"},
	DimHour:         {"hour", "hours", "time of day", "time", "hour of day", "hour of the day", "timeslot", "time slot", "slot"},
	DimPractitioner: {"practitioner", "practitioners", "radiologist", "radiologists", "radiographer", "radiographers", "sonographer", "sonographers", "doctor", "doctors", "staff member", "staff"},
	DimMonth:        {"month", "months"},
	DimWeek:         {"week", "weeks"},
	DimStage:        {"stage", "stages", "pipeline stage"},
	DimLeadTime:     {"lead time", "booking lead time", "days in advance", "notice"},
	DimReminder:     {"reminder", "reminders", "confirmation", "confirmed or not"},
	DimBand:         {"band", "bands", "warmness band"},
}

// groupCues introduce a group-by.
var groupCues = []string{"by", "per", "for each", "for every", "broken down by", "split by", "across", "grouped by", "each"}

// adverbs group by themselves.
var adverbs = map[string]string{"monthly": DimMonth, "weekly": DimWeek, "month by month": DimMonth, "week by week": DimWeek, "hourly": DimHour}

// sourceWords name the lead sources.
var sourceWords = map[string][]string{
	"meta_ads":    {"meta", "meta ads", "facebook", "instagram", "fb", "insta"},
	"google_ads":  {"google", "google ads", "adwords", "search ads"},
	"gp_referral": {"gp", "gps", "gp referral", "gp referrals", "doctor referral", "doctor referrals"},
	"referral":    {"word of mouth", "personal referral", "personal referrals", "friend referral", "friends"},
	"wix":         {"website", "web site", "wix", "web form", "online form"},
	"manychat":    {"manychat", "chat bot", "chatbot", "messenger"},
	"walk_in":     {"walk in", "walk ins", "walkin", "walkins"},
}

// modalityWords name the modalities (filters by the kind of scan).
var modalityWords = map[string][]string{
	"mri": {"mri", "mris", "magnetic resonance"}, "ct": {"ct", "cts", "ct scan", "ct scans", "cat scan"}, "xray": {"xray", "xrays", "x ray", "x rays"},
	"ultrasound": {"ultrasound", "ultrasounds"}, "mammography": {"mammogram", "mammograms", "mammography"}, "dexa": {"dexa", "bone density"},
	"nuclear": {"nuclear", "pet"},
}

var weekdayNames = map[string]string{
	"monday": "monday", "mondays": "monday", "tuesday": "tuesday", "tuesdays": "tuesday", "wednesday": "wednesday", "wednesdays": "wednesday",
	"thursday": "thursday", "thursdays": "thursday", "friday": "friday", "fridays": "friday", "saturday": "saturday", "saturdays": "saturday",
	"sunday": "sunday", "sundays": "sunday",
}

// partsOfDay filter by hours.
var partsOfDay = []struct {
	word     string
	from, to int
}{
	{"morning", 7, 12}, {"mornings", 7, 12}, {"afternoon", 12, 17}, {"afternoons", 12, 17}, {"arvo", 12, 17}, {"arvos", 12, 17}, {"evening", 17, 21}, {"evenings", 17, 21},
}

var (
	hourRE  = regexp.MustCompile(`\b(after|before|from) (\d{1,2})(?::00)? ?(am|pm)?\b`)
	compRE  = regexp.MustCompile(`\b(compared to|compared with|compare to|compare with|vs|versus|against|relative to)\b`)
	noCmpRE = regexp.MustCompile(`\b(no comparison|without comparison|without a comparison|don t compare|no compare)\b`)
	yoyRE   = regexp.MustCompile(`\b(year on year|year over year|yoy|same period last year|same time last year|same months last year|same month last year|same quarter last year|last year s)\b`)
	// "compared with last year" means the same dates a year before.
	lastYearRE = regexp.MustCompile(`^\s*(?:the )?(?:last year|a year ago|the year before|previous year|prior year)\s*$`)
	prevRE     = regexp.MustCompile(`\b(previous period|prior period|period before|preceding period|the one before|before that)\b`)
)

// normalize lower-cases text and turns punctuation other than "/" and
// "-" inside dates into spaces.
func normalize(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	b.WriteByte(' ')
	prev := ' '
	rs := []rune(s)
	for i, r := range rs {
		keep := unicode.IsLetter(r) || unicode.IsDigit(r)
		if (r == '/' || r == '-' || r == ':') && i > 0 && i+1 < len(rs) && unicode.IsDigit(rs[i-1]) && unicode.IsDigit(rs[i+1]) {
			keep = true
		}
		if r == '\'' || r == '’' {
			continue // "didn't" → "didnt", "year's" → "years"
		}
		if !keep {
			r = ' '
		}
		if r == ' ' && prev == ' ' {
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	out := b.String()
	if !strings.HasSuffix(out, " ") {
		out += " "
	}
	return out
}

func has(s, phrase string) bool { return strings.Contains(s, " "+phrase+" ") }

// Parse reads text at now in the clinic's zone against cat.
func Parse(text string, now time.Time, zone *time.Location, cat Catalogue) Result {
	if zone == nil {
		zone = time.UTC
	}
	n := now.In(zone)
	today := day(n.Year(), n.Month(), n.Day(), zone)
	s := normalize(text)
	res := Result{Confidence: 1}
	kind := ""
	for _, kw := range kindWords {
		if slices.ContainsFunc(kw.words, func(w string) bool { return has(s, w) }) {
			kind = kw.kind
			break
		}
	}
	specs := cat.Kinds()
	si := slices.IndexFunc(specs, func(k KindSpec) bool { return k.Kind == kind })
	if kind == "" || si < 0 {
		res.Confidence = 0
		res.Suggestions = Suggestions(cat)
		if kind != "" {
			res.Notes = append(res.Notes, fmt.Sprintf("the %s report is not available", KindTitle(kind)))
		} else {
			res.Notes = append(res.Notes, "no report named: ask about no-shows, the conversion funnel, revenue, warmness or pipeline stages")
		}
		return res
	}
	spec := specs[si]
	req := &Request{Kind: kind, Locations: []string{}, GroupBy: []string{}, Filters: []Filter{}}

	// The comparison part, if any, is read apart from the period: "March
	// compared with February". When only the words after "vs" name a
	// period, they compare segments, not periods ("Meta vs Google last
	// quarter").
	main, cmpText := s, ""
	if loc := compRE.FindStringIndex(s); loc != nil {
		main, cmpText = s[:loc[0]]+" ", " "+s[loc[1]:]
		if _, _, ok := parsePeriod(main, today); !ok && !lastYearRE.MatchString(cmpText) && !prevRE.MatchString(cmpText) {
			main, cmpText = s, ""
		}
	}
	per, matched, ok := parsePeriod(main, today)
	if !ok {
		per = span{today.AddDate(0, 0, -29), today, ""}
		res.Notes = append(res.Notes, "no period given: the last 30 days")
		res.Confidence = 0.8
	}
	req.Period = per.period()
	switch {
	case noCmpRE.MatchString(s):
	case yoyRE.MatchString(cmpText) || yoyRE.MatchString(main) || lastYearRE.MatchString(cmpText):
		c := per.lastYear().period()
		req.Compare = &c
	case cmpText != "" && !prevRE.MatchString(cmpText):
		if cs, _, ok := parsePeriod(cmpText, today); ok {
			c := cs.period()
			req.Compare = &c
			break
		}
		c := per.previous().period()
		req.Compare = &c
	default:
		c := per.previous().period()
		req.Compare = &c
	}
	// Words of the period are not read again as filters ("march" is not
	// a service, "2026" not an hour).
	rest := strings.Replace(main, matched, " ", 1) + cmpText
	if matched == "" {
		rest = main + cmpText
	}

	// Locations.
	for _, l := range cat.Locations() {
		names := append([]string{l.Code, l.Name}, l.Aliases...)
		// "Avatar Imaging Sydney" is also just "Sydney".
		if f := strings.Fields(l.Name); len(f) > 1 {
			names = append(names, f[len(f)-1])
		}
		for _, name := range names {
			if name != "" && has(rest, strings.TrimSpace(normalize(name))) {
				if !slices.Contains(req.Locations, l.ID) {
					req.Locations = append(req.Locations, l.ID)
				}
				break
			}
		}
	}

	// Group-by: a dimension word after a cue.
	grouped := map[string]bool{}
	addGroup := func(d string) {
		if grouped[d] {
			return
		}
		grouped[d] = true
		if !slices.Contains(spec.Dimensions, d) {
			res.Notes = append(res.Notes, fmt.Sprintf("%s cannot be grouped by %s", KindTitle(kind), strings.ReplaceAll(d, "_", " ")))
			res.Confidence = min(res.Confidence, 0.7)
			return
		}
		req.GroupBy = append(req.GroupBy, d)
	}
	type hit struct {
		at  int
		dim string
	}
	var hits []hit
	for _, cue := range groupCues {
		for i := 0; ; {
			j := strings.Index(rest[i:], " "+cue+" ")
			if j < 0 {
				break
			}
			at := i + j + len(cue) + 2
			// The dimension words may be a list: "by service and weekday".
			tail := rest[at:]
			for k := 0; k < 3; k++ {
				d, l := dimAt(tail, kind)
				if d == "" {
					break
				}
				hits = append(hits, hit{at + (len(rest[at:]) - len(tail)), d})
				tail = strings.TrimPrefix(tail[l:], " ")
				if rest := strings.TrimPrefix(tail, "and "); rest != tail {
					tail = rest
				} else if rest := strings.TrimPrefix(tail, "then "); rest != tail {
					tail = rest
				} else {
					break
				}
			}
			i = at
		}
	}
	for a, d := range adverbs {
		if i := strings.Index(rest, " "+a+" "); i >= 0 {
			hits = append(hits, hit{i, d})
		}
	}
	if strings.Contains(rest, " which day ") || strings.Contains(rest, " what day ") || strings.Contains(rest, " which weekday ") {
		hits = append(hits, hit{strings.Index(rest, " which "), DimWeekday})
	}
	if strings.Contains(rest, " what time ") || strings.Contains(rest, " which time ") || strings.Contains(rest, " what hour ") {
		hits = append(hits, hit{strings.Index(rest, " what "), DimHour})
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.at - b.at })
	for _, h := range hits {
		addGroup(h.dim)
	}

	// Filters.
	addFilter := func(f Filter) {
		if !slices.Contains(spec.Filters, f.Dimension) {
			res.Notes = append(res.Notes, fmt.Sprintf("%s cannot be filtered by %s", KindTitle(kind), f.Dimension))
			res.Confidence = min(res.Confidence, 0.7)
			return
		}
		for i := range req.Filters {
			if req.Filters[i].Dimension == f.Dimension && req.Filters[i].Op == f.Op && f.Op == "in" {
				for _, v := range f.Values {
					if !slices.Contains(req.Filters[i].Values, v) {
						req.Filters[i].Values = append(req.Filters[i].Values, v)
					}
				}
				return
			}
		}
		req.Filters = append(req.Filters, f)
	}
	// Services named in full beat their modality ("MRI Knee" is not all
	// MRIs).
	named := rest
	for _, svc := range cat.Services() {
		if w := strings.TrimSpace(normalize(svc)); w != "" && has(named, w) && !grouped[DimService] {
			addFilter(Filter{Dimension: DimService, Op: "in", Values: []string{svc}})
			named = strings.ReplaceAll(named, " "+w+" ", " ")
		}
	}
	for _, m := range sortedKeys(modalityWords) {
		if slices.ContainsFunc(modalityWords[m], func(w string) bool { return has(named, w) }) {
			d := DimModality
			if !slices.Contains(spec.Filters, DimModality) && slices.Contains(spec.Filters, DimService) {
				// A report filtered by service only: the modality's
				// services.
				var svcs []string
				for _, svc := range cat.Services() {
					if slices.ContainsFunc(modalityWords[m], func(w string) bool { return has(normalize(svc), w) }) {
						svcs = append(svcs, svc)
					}
				}
				if len(svcs) > 0 {
					addFilter(Filter{Dimension: DimService, Op: "in", Values: svcs})
					continue
				}
			}
			addFilter(Filter{Dimension: d, Op: "in", Values: []string{m}})
		}
	}
	for _, src := range sortedKeys(sourceWords) {
		if !slices.Contains(cat.Sources(), src) || grouped[DimSource] && !has(rest, "from") {
			continue
		}
		if slices.ContainsFunc(sourceWords[src], func(w string) bool { return has(rest, w) }) {
			if src == "referral" && (has(rest, "gp") || has(rest, "gps")) {
				continue
			}
			addFilter(Filter{Dimension: DimSource, Op: "in", Values: []string{src}})
		}
	}
	if has(rest, "referral") || has(rest, "referrals") {
		if !has(rest, "gp") && !has(rest, "gps") && !has(rest, "doctor") && slices.Contains(cat.Sources(), "referral") && !grouped[DimSource] {
			addFilter(Filter{Dimension: DimSource, Op: "in", Values: []string{"referral"}})
		}
	}
	if !grouped[DimWeekday] {
		var days []string
		for _, w := range strings.Fields(rest) {
			if d, ok := weekdayNames[w]; ok && !slices.Contains(days, d) {
				days = append(days, d)
			}
		}
		if len(days) > 0 {
			addFilter(Filter{Dimension: DimWeekday, Op: "in", Values: days})
		}
	}
	if m := hourRE.FindStringSubmatch(rest); m != nil && !grouped[DimHour] {
		h := atoi(m[2])
		switch {
		case m[3] == "pm" && h < 12:
			h += 12
		case m[3] == "" && h >= 1 && h <= 6:
			h += 12 // "after 4" at a clinic is 4 pm
		}
		op := "gte"
		if m[1] == "before" {
			op = "lt"
		}
		if h <= 23 {
			addFilter(Filter{Dimension: DimHour, Op: op, Values: []string{fmt.Sprint(h)}})
		}
	} else if !grouped[DimHour] {
		for _, p := range partsOfDay {
			if has(rest, p.word) {
				var vs []string
				for h := p.from; h < p.to; h++ {
					vs = append(vs, fmt.Sprint(h))
				}
				addFilter(Filter{Dimension: DimHour, Op: "in", Values: vs})
				break
			}
		}
	}
	if err := req.Validate(cat); err != nil {
		// The parser only builds what the catalogue has; this is a bug
		// if it happens, reported rather than hidden.
		res.Notes = append(res.Notes, "could not build a valid request: "+err.Error())
		res.Suggestions = Suggestions(cat)
		res.Confidence = 0
		return res
	}
	res.Request, res.OK = req, true
	return res
}

// dimAt returns the dimension named at the start of s, and the length
// of its words; the longest name wins. The stage dimension is only for
// reports that have stages; "time" alone means hour.
func dimAt(s, kind string) (string, int) {
	best, bestLen := "", 0
	for d, ws := range dimWords {
		for _, w := range ws {
			if strings.HasPrefix(s, w+" ") && len(w) > bestLen {
				best, bestLen = d, len(w)
			}
		}
	}
	if best == DimStage && kind != KindStages {
		return "", 0
	}
	return best, bestLen
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// Suggestions are questions this catalogue can answer, for a person who
// asked something the parser could not read.
func Suggestions(cat Catalogue) []string {
	loc := ""
	if ls := cat.Locations(); len(ls) > 0 {
		f := strings.Fields(ls[0].Name)
		loc = " at " + f[len(f)-1]
	}
	examples := map[string]string{
		KindNoShows:        "No-shows last quarter" + loc + " by service",
		KindFunnel:         "Conversion funnel for the last 3 months by source",
		KindRevenue:        "Revenue by lead source this financial year",
		KindWarmnessTrends: "Warmness trends this month compared with last month",
		KindStages:         "Time in stage by stage last month",
	}
	var out []string
	for _, k := range cat.Kinds() {
		if e, ok := examples[k.Kind]; ok {
			out = append(out, e)
		}
	}
	return out
}
