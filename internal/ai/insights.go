package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/avatarimaging/avatarcrm/internal/ai/factcheck"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Units of a fact's value.
const (
	UnitCount   = "count"
	UnitPercent = "percent" // Value 12.5 means 12.5%
	UnitCents   = "cents"
	UnitDays    = "days"
	UnitRatio   = "ratio" // 2.5 means 2.5 times
)

// Kinds of fact.
const (
	// FactTotal is a figure for the whole period, compared with
	// Previous (the comparison period) when given.
	FactTotal = "total"
	// FactOutlier is a segment far from the rest ("Friday 4 pm"),
	// compared with Previous (the overall figure).
	FactOutlier = "outlier"
	// FactBest and FactWorst name the best and worst segment of a
	// breakdown.
	FactBest  = "best"
	FactWorst = "worst"
)

// Fact is one figure a report computed. The AI layer computes nothing
// from the data; it only turns facts into sentences.
type Fact struct {
	// ID names the figure, e.g. "no_show_rate", "revenue",
	// "conversion_rate", "return_on_spend", "hot_leads".
	ID string `json:"id"`
	// Label is how people call it ("No-show rate").
	Label string `json:"label"`
	// Unit is one of the Unit constants.
	Unit string `json:"unit"`
	// Kind is one of the Fact kinds; "" means FactTotal.
	Kind  string  `json:"kind"`
	Value float64 `json:"value"`
	// Previous is what Value is compared with: the comparison period's
	// value for a total, the overall value for an outlier.
	Previous *float64 `json:"previous,omitempty"`
	// Significant is the caller's significance check on the difference
	// (for rates, a test on the counts): only significant changes are
	// called anomalies.
	Significant bool `json:"significant"`
	// Segment is the part of a breakdown the fact is about ("Friday 4
	// pm", "Meta Ads").
	Segment string `json:"segment,omitempty"`
	// Count of N: the counts behind a rate (9 of 30), so a reader sees
	// that 1 of 2 is not 50% of anything much.
	Count int `json:"count,omitempty"`
	N     int `json:"n,omitempty"`
	// LowerIsBetter marks figures where a rise is bad (no-show rate,
	// days in stage, cost per booking).
	LowerIsBetter bool `json:"lowerIsBetter"`
}

// InsightsInput is a report's facts.
type InsightsInput struct {
	LocationID string
	// Report is the report kind ("NO_SHOWS").
	Report string
	// Period and Compare label the periods ("March 2026", "February
	// 2026").
	Period, Compare string
	Facts           []Fact
}

// Insights are sentences about a report.
type Insights struct {
	Answer
	Insights        []string `json:"insights"`
	Recommendations []string `json:"recommendations"`
	Anomalies       []string `json:"anomalies"`
	// Dropped are a model's sentences refused for citing a number not
	// among the facts (kept for the usage log and tests, never shown).
	Dropped []string `json:"dropped,omitempty"`
}

// GenerateReportInsights implements Service. It answers INVALID for a
// fact without an id or with an unknown unit.
func (a *AI) GenerateReportInsights(ctx context.Context, in InsightsInput) (Insights, error) {
	for i, f := range in.Facts {
		switch {
		case f.ID == "" || f.Label == "":
			return Insights{}, apperr.Invalidf(fmt.Sprintf("facts[%d]", i), "a fact needs an id and a label")
		case f.Unit != UnitCount && f.Unit != UnitPercent && f.Unit != UnitCents && f.Unit != UnitDays && f.Unit != UnitRatio:
			return Insights{}, apperr.Invalidf(fmt.Sprintf("facts[%d].unit", i), "unknown unit %q", f.Unit)
		case math.IsNaN(f.Value) || math.IsInf(f.Value, 0):
			return Insights{}, apperr.Invalidf(fmt.Sprintf("facts[%d].value", i), "not a number")
		}
	}
	allowed := allowedNumbers(in)
	b := builtinInsights(in)
	return run(ctx, a, request[Insights]{
		uc: UseInsights, location: in.LocationID, builtin: b, maxTokens: 700,
		answer: func(r *Insights) *Answer { return &r.Answer },
		final:  len(in.Facts) == 0,
		schema: a.schemas.byUseCase[UseInsights],
		prompt: func() (string, string) { return insightsPrompt(in, b) },
		accept: func(raw []byte) (Insights, error) { return acceptInsights(raw, b, allowed) },
	}), nil
}

// allowedNumbers are the figures a sentence may cite: each fact's value,
// previous value, counts, the difference and the relative change (in
// percent and as a ratio), dollars for cents, and the numbers in the
// labels.
func allowedNumbers(in InsightsInput) *factcheck.Allowed {
	a := &factcheck.Allowed{}
	a.AddText(in.Period)
	a.AddText(in.Compare)
	for _, f := range in.Facts {
		a.AddText(f.Label)
		a.AddText(f.Segment)
		vals := []float64{f.Value}
		if f.Previous != nil {
			p := *f.Previous
			vals = append(vals, p)
			a.AddDerived(f.Value - p)
			if f.Unit == UnitCents {
				a.AddDerived((f.Value - p) / 100)
			}
			if p != 0 {
				a.AddDerived(100*(f.Value-p)/p, f.Value/p)
			}
			if f.Value != 0 {
				a.AddDerived(p / f.Value)
			}
		}
		a.Add(vals...)
		if f.Unit == UnitCents {
			for _, v := range vals {
				a.Add(v / 100)
			}
		}
		if f.N > 0 {
			a.Add(float64(f.Count), float64(f.N))
		}
	}
	return a
}

// format writes a value in its unit, as the sentences cite it.
func format(unit string, v float64) string {
	switch unit {
	case UnitPercent:
		return trimZero(strconv.FormatFloat(v, 'f', 1, 64)) + "%"
	case UnitCents:
		return dollars(int64(math.Round(v)))
	case UnitDays:
		s := trimZero(strconv.FormatFloat(v, 'f', 1, 64))
		if s == "1" {
			return "1 day"
		}
		return s + " days"
	case UnitRatio:
		return trimZero(strconv.FormatFloat(v, 'f', 1, 64)) + "×"
	}
	return thousands(int64(math.Round(v)))
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// dollars writes cents as "$1,240" (or "$12.50" with cents).
func dollars(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	s := sign + "$" + thousands(c/100)
	if c%100 != 0 {
		s += fmt.Sprintf(".%02d", c%100)
	}
	return s
}

func countOf(f Fact) string {
	if f.N > 0 {
		return fmt.Sprintf(" (%s of %s)", thousands(int64(f.Count)), thousands(int64(f.N)))
	}
	return ""
}

// builtinInsights writes a sentence per fact from templates, anomalies
// for significant changes for the worse and for outliers, and
// recommendations from the clinic's playbook (recommendations below).
func builtinInsights(in InsightsInput) Insights {
	r := Insights{Answer: Answer{Engine: EngineBuiltin, Model: BuiltinModel, Confidence: 1}}
	for _, f := range in.Facts {
		v := format(f.Unit, f.Value)
		label := f.Label
		lower := strings.ToLower(label[:1]) + label[1:]
		switch f.Kind {
		case FactOutlier:
			s := fmt.Sprintf("%s has a %s of %s%s", f.Segment, lower, v, countOf(f))
			if f.Previous != nil {
				s += fmt.Sprintf(", against %s overall", format(f.Unit, *f.Previous))
			}
			r.Anomalies = append(r.Anomalies, s+".")
		case FactBest, FactWorst:
			word := "highest"
			if (f.Kind == FactWorst) != f.LowerIsBetter {
				word = "lowest"
			}
			r.Insights = append(r.Insights, fmt.Sprintf("%s had the %s %s: %s%s.", f.Segment, word, lower, v, countOf(f)))
		default:
			s := fmt.Sprintf("%s was %s%s", label, v, countOf(f))
			if f.Segment != "" {
				s = fmt.Sprintf("%s for %s was %s%s", label, f.Segment, v, countOf(f))
			}
			if f.Previous != nil {
				p := format(f.Unit, *f.Previous)
				cmp := ""
				if in.Compare != "" {
					cmp = " in " + in.Compare
				}
				switch {
				case p == v:
					s += ", unchanged from" + cmp
					if cmp == "" {
						s += " before"
					}
				case f.Value > *f.Previous:
					s += ", up from " + p + cmp
				default:
					s += ", down from " + p + cmp
				}
				worse := (f.Value > *f.Previous) == f.LowerIsBetter && p != v
				if f.Significant && worse {
					r.Anomalies = append(r.Anomalies, fmt.Sprintf("%s moved from %s to %s, a significant change for the worse.", label, p, v))
				}
			}
			r.Insights = append(r.Insights, s+".")
		}
		if rec := recommend(f); rec != "" && !contains(r.Recommendations, rec) {
			r.Recommendations = append(r.Recommendations, rec)
		}
	}
	r.Reason = fmt.Sprintf("Written from %d fact(s) with the built-in templates", len(in.Facts))
	if len(in.Facts) == 0 {
		r.Reason = "No facts to write about"
	}
	return r
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// recommend is the clinic's playbook: what to do about a fact, by its id.
// It cites no numbers, so it can never misquote one.
func recommend(f Fact) string {
	worse := f.Previous != nil && (f.Value > *f.Previous) == f.LowerIsBetter && f.Value != *f.Previous
	id := f.ID
	switch {
	case strings.Contains(id, "no_show") && f.Kind == FactOutlier:
		return fmt.Sprintf("Confirm %s appointments by phone the day before, or book those slots with a little overlap.", f.Segment)
	case strings.Contains(id, "no_show") && worse && f.Significant:
		return "Send a second reminder the day before and call patients who have not confirmed."
	case (strings.Contains(id, "conversion") || strings.Contains(id, "funnel")) && worse && f.Significant:
		return "Call new leads within one business day; the longer they wait, the fewer book."
	case (strings.Contains(id, "revenue") || strings.Contains(id, "return")) && f.Kind == FactBest:
		return fmt.Sprintf("Consider moving advertising spend towards %s, which returns the most.", f.Segment)
	case (strings.Contains(id, "revenue") || strings.Contains(id, "return") || strings.Contains(id, "cost_per")) && f.Kind == FactWorst:
		return fmt.Sprintf("Review what is spent on %s.", f.Segment)
	case (strings.Contains(id, "hot") || strings.Contains(id, "warm")) && worse && f.Significant:
		return "Follow up this week with the leads that are cooling, before they go cold."
	case strings.Contains(id, "stage") && f.Kind == FactOutlier:
		return fmt.Sprintf("Look at why contacts wait in %s.", f.Segment)
	case worse && f.Significant:
		return fmt.Sprintf("Look into the change in %s.", strings.ToLower(f.Label))
	}
	return ""
}

func insightsPrompt(in InsightsInput, b Insights) (string, string) {
	data := map[string]any{
		"report": in.Report, "period": in.Period, "compare": in.Compare, "facts": in.Facts,
		"draft": map[string]any{"insights": b.Insights, "recommendations": b.Recommendations, "anomalies": b.Anomalies},
	}
	sys := `You write the insights of a medical imaging clinic's report for its owner, in plain Australian English. The facts were computed by code and are exact. Rewrite the draft so it reads well: insights (what happened), recommendations (what to do) and anomalies (what looks wrong). Cite only numbers that appear in the facts, written as the draft writes them; never compute, estimate or invent a number. One sentence per item.
` + guard
	return sys, promptJSON(data)
}

type insightsAnswer struct {
	Insights        []string `json:"insights"`
	Recommendations []string `json:"recommendations"`
	Anomalies       []string `json:"anomalies"`
}

// acceptInsights keeps a model's sentences that cite only the facts'
// numbers and carry no links or markup; it refuses the answer when
// nothing is left of the insights.
func acceptInsights(raw []byte, b Insights, allowed *factcheck.Allowed) (Insights, error) {
	var m insightsAnswer
	if err := json.Unmarshal(raw, &m); err != nil {
		return Insights{}, reject("%v", err)
	}
	r := Insights{Answer: b.Answer}
	keep := func(ss []string) []string {
		var out []string
		for _, s := range ss {
			s = strings.TrimSpace(s)
			switch {
			case s == "":
			case urlRE.MatchString(s) || placeholderRE.MatchString(s):
				r.Dropped = append(r.Dropped, s)
			case len(allowed.Check(s)) > 0:
				r.Dropped = append(r.Dropped, s)
			default:
				out = append(out, s)
			}
		}
		return out
	}
	r.Insights, r.Recommendations, r.Anomalies = keep(m.Insights), keep(m.Recommendations), keep(m.Anomalies)
	if len(r.Insights) == 0 && len(b.Insights) > 0 {
		return Insights{}, reject("no insight left after dropping %d sentence(s) with numbers not among the facts", len(r.Dropped))
	}
	r.Confidence = 0.8
	r.Reason = "The model rephrased the built-in sentences"
	if len(r.Dropped) > 0 {
		r.Reason += fmt.Sprintf("; %d sentence(s) dropped for citing numbers not among the facts", len(r.Dropped))
	}
	return r, nil
}
