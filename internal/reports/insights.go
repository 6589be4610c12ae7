package reports

import (
	"context"
	"log/slog"
	"math"

	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Facts are the figures of a result the insights may talk about: the
// totals against the comparison period (rates with the z-test's verdict),
// the outliers of the no-show weekday × hour and weekday breakdowns (a
// segment whose rate differs significantly from the rest), and the best
// and worst lead source. Code computes every one of them; the AI layer
// only words them, and drops a model's sentence citing anything else.
func Facts(res *Result) []ai.Fact {
	var out []ai.Fact
	for _, t := range res.Totals {
		if t.Previous == nil {
			continue
		}
		f := ai.Fact{ID: t.Key, Label: t.Label, Unit: factUnit(t.Unit), Kind: ai.FactTotal,
			Value: factValue(t.Unit, t.Value), Previous: ptr(factValue(t.Unit, *t.Previous)),
			Significant: t.Significant, LowerIsBetter: t.LowerIsBetter}
		if t.Count != nil && t.Denominator != nil {
			f.Count, f.N = *t.Count, *t.Denominator
		}
		out = append(out, f)
	}
	if res.Kind == NoShows {
		// The narrowest segment that stands out: a weekday and hour
		// ("Friday 4 pm"), else a weekday, else an hour.
		for _, key := range []string{"weekday_hour", "weekday", "hour"} {
			if bd := res.breakdown(key); bd != nil {
				if f, ok := outlier(*bd, "no_show_rate", "No-show rate"); ok {
					out = append(out, f)
					break
				}
			}
		}
	}
	for _, bd := range res.Breakdowns {
		switch {
		case res.Kind == Revenue && bd.Key == "source":
			out = append(out, bestWorst(bd, "revenue", "Revenue", func(r Row) (float64, bool) {
				if r.Value == nil {
					return 0, false
				}
				return *r.Value, true
			}, ai.UnitCents)...)
			out = append(out, bestWorst(bd, "return_on_spend", "Return on ad spend", func(r Row) (float64, bool) {
				if r.ReturnOnSpend == nil {
					return 0, false
				}
				return *r.ReturnOnSpend, true
			}, ai.UnitRatio)...)
		case res.Kind == Funnel && bd.Key == "source_booked":
			out = append(out, bestWorst(bd, "conversion_rate", "Lead to booked conversion", func(r Row) (float64, bool) {
				if r.Rate == nil || r.LowSample {
					return 0, false
				}
				return 100 * *r.Rate, true
			}, ai.UnitPercent)...)
		}
	}
	return out
}

func factUnit(u Unit) string {
	switch u {
	case UnitRate:
		return ai.UnitPercent
	case UnitCents:
		return ai.UnitCents
	case UnitDays:
		return ai.UnitDays
	case UnitRatio:
		return ai.UnitRatio
	}
	return ai.UnitCount
}

// factValue is a value as the sentences cite it: a rate in percent,
// rounded to one decimal, so the words and the check agree.
func factValue(u Unit, v float64) float64 {
	if u == UnitRate {
		return math.Round(1000*v) / 10
	}
	if u == UnitRatio || u == UnitDays {
		return math.Round(10*v) / 10
	}
	return v
}

// outlier is the breakdown's row with the highest rate among rows out of
// at least MinSample, when it differs from the rest of the rows
// significantly (two-proportion z-test).
func outlier(bd Breakdown, id, label string) (ai.Fact, bool) {
	var total, totalN int
	for _, r := range bd.Rows {
		if r.Denominator != nil {
			total += r.Count
			totalN += *r.Denominator
		}
	}
	var best *Row
	for i, r := range bd.Rows {
		if r.Rate == nil || r.LowSample {
			continue
		}
		if best == nil || *r.Rate > *best.Rate {
			best = &bd.Rows[i]
		}
	}
	if best == nil || totalN == 0 {
		return ai.Fact{}, false
	}
	n := *best.Denominator
	if twoProportion(best.Count, n, total-best.Count, totalN-n) >= Significance {
		return ai.Fact{}, false
	}
	return ai.Fact{ID: id, Label: label, Unit: ai.UnitPercent, Kind: ai.FactOutlier, Segment: best.Label,
		Value: factValue(UnitRate, *best.Rate), Previous: ptr(factValue(UnitRate, rate(total, totalN))),
		Significant: true, Count: best.Count, N: n, LowerIsBetter: true}, true
}

// bestWorst names the best and the worst row of a breakdown by a value
// (when there are at least two rows with one).
func bestWorst(bd Breakdown, id, label string, val func(Row) (float64, bool), unit string) []ai.Fact {
	var best, worst *Row
	var bv, wv float64
	n := 0
	for i, r := range bd.Rows {
		v, ok := val(r)
		if !ok {
			continue
		}
		n++
		if best == nil || v > bv {
			best, bv = &bd.Rows[i], v
		}
		if worst == nil || v < wv {
			worst, wv = &bd.Rows[i], v
		}
	}
	if n < 2 || bv == wv {
		return nil
	}
	round := func(v float64) float64 {
		if unit == ai.UnitRatio || unit == ai.UnitPercent {
			return math.Round(10*v) / 10
		}
		return v
	}
	return []ai.Fact{
		{ID: id, Label: label, Unit: unit, Kind: ai.FactBest, Segment: best.Label, Value: round(bv)},
		{ID: id, Label: label, Unit: unit, Kind: ai.FactWorst, Segment: worst.Label, Value: round(wv)},
	}
}

// addInsights words the result's facts (internal/ai) and puts the
// sentences on the result. Without an AI service, or when it fails, the
// result has no insights rather than no result.
func (s *Service) addInsights(ctx context.Context, res *Result) {
	facts := Facts(res)
	if s.AI == nil || len(facts) == 0 {
		res.InsightsEngine = ai.EngineBuiltin
		return
	}
	in := ai.InsightsInput{Report: string(res.Kind), Facts: facts,
		Period: periodLabel(res.Request.From, res.Request.To)}
	if res.Request.CompareFrom != nil {
		in.Compare = periodLabel(*res.Request.CompareFrom, *res.Request.CompareTo)
	}
	if v := viewer.FromContext(ctx); v != nil {
		in.LocationID = string(v.LocationID)
	}
	out, err := s.AI.GenerateReportInsights(ctx, in)
	if err != nil {
		slog.Warn("report insights", "kind", res.Kind, "err", err)
		return
	}
	res.InsightsEngine = out.Engine
	for _, t := range out.Anomalies {
		res.Insights = append(res.Insights, Insight{Kind: Anomaly, Text: t})
	}
	for _, t := range out.Insights {
		res.Insights = append(res.Insights, Insight{Kind: Finding, Text: t})
	}
	for _, t := range out.Recommendations {
		res.Insights = append(res.Insights, Insight{Kind: Recommendation, Text: t})
	}
}

// periodLabel names a period for sentences; its dates are among the
// numbers a sentence may cite.
func periodLabel(from, to types.Date) string { return string(from) + " to " + string(to) }

// breakdown returns the breakdown with the key, or nil.
func (r *Result) breakdown(key string) *Breakdown {
	for i := range r.Breakdowns {
		if r.Breakdowns[i].Key == key {
			return &r.Breakdowns[i]
		}
	}
	return nil
}
