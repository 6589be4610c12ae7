package reports

import (
	"math"
	"slices"
	"strings"
)

// Significance is the level below which a rate's change is called
// significant.
const Significance = 0.05

// twoProportion is the two-sided p-value of the two-proportion z-test of
// x1/n1 against x2/n2 (pooled standard error); 1 when either sample is
// empty or the pooled rate is 0 or 1 (nothing varies).
func twoProportion(x1, n1, x2, n2 int) float64 {
	if n1 == 0 || n2 == 0 {
		return 1
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	p := float64(x1+x2) / float64(n1+n2)
	se := math.Sqrt(p * (1 - p) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return 1
	}
	z := (p1 - p2) / se
	return math.Erfc(math.Abs(z) / math.Sqrt2)
}

// median of xs (the mean of the two middle values for an even count);
// nil for none. xs is sorted in place.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	n := len(xs)
	m := xs[n/2]
	if n%2 == 0 {
		m = (xs[n/2-1] + xs[n/2]) / 2
	}
	return &m
}

// rateTotal is a rate for the period, with its comparison and the z-test.
func rateTotal(key, label string, x, n int, compare bool, px, pn int) Total {
	t := Total{Key: key, Label: label, Unit: UnitRate, Value: rate(x, n), Count: ptr(x), Denominator: ptr(n)}
	if compare {
		t.Previous = ptr(rate(px, pn))
		p := twoProportion(x, n, px, pn)
		t.PValue = &p
		t.Significant = p < Significance && n >= MinSample && pn >= MinSample
	}
	return t
}

// countTotal is a count for the period with its comparison.
func countTotal(key, label string, v int, compare bool, prev int, lowerIsBetter bool) Total {
	t := Total{Key: key, Label: label, Unit: UnitCount, Value: float64(v), LowerIsBetter: lowerIsBetter}
	if compare {
		t.Previous = ptr(float64(prev))
	}
	return t
}

// sourceLabel names a lead source for people.
func sourceLabel(s string) string {
	switch s {
	case "meta_ads":
		return "Meta Ads"
	case "google_ads":
		return "Google Ads"
	case "gp_referral":
		return "GP referral"
	case "walk_in":
		return "Walk-in"
	case "manychat":
		return "ManyChat"
	case "wix":
		return "Wix"
	case "sms":
		return "SMS"
	case "":
		return "Unknown"
	}
	return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
}
