package charts

import (
	"math"
	"strconv"
	"strings"
)

// Ticks are about n round values (steps of 1, 2 or 5 times a power of ten)
// from at or below lo to at or above hi, for the value axis.
func Ticks(lo, hi float64, n int) []float64 {
	if n < 1 {
		n = 1
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 0, 0
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		// One value: a scale from zero to it (or to one).
		switch {
		case hi > 0:
			lo = 0
		case hi < 0:
			hi = 0
		default:
			hi = 1
		}
	}
	rough := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(rough)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= rough {
			step = m * mag
			break
		}
	}
	start := math.Floor(lo/step+1e-9) * step
	end := math.Ceil(hi/step-1e-9) * step
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	var out []float64
	for k := 0; ; k++ {
		v := start + float64(k)*step
		// Round away the float error of k*step (0.30000000000000004).
		v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'f', decimals, 64), 64)
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		out = append(out, v)
		if v >= end-step*1e-9 {
			break
		}
	}
	return out
}

// Count writes a whole number with thousands separators, or a fraction
// with one decimal.
func Count(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return group(strconv.FormatInt(int64(v), 10))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// Percent writes a fraction (0.333) as a percentage with one decimal
// (33.3%), dropping a ".0".
func Percent(v float64) string {
	s := strconv.FormatFloat(v*100, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s + "%"
}

// Money writes cents as dollars: $1,234 when whole, $1,234.50 otherwise.
func Money(cents float64) string {
	c := int64(math.Round(cents))
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	s := sign + "$" + group(strconv.FormatInt(c/100, 10))
	if c%100 != 0 {
		s += "." + strconv.FormatInt(100+c%100, 10)[1:]
	}
	return s
}

// Days writes a number of days with one decimal.
func Days(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if s == "1.0" {
		return "1 day"
	}
	return strings.TrimSuffix(s, ".0") + " days"
}

// Ratio writes a multiple (3.1×), as return on spend.
func Ratio(v float64) string {
	return strconv.FormatFloat(v, 'f', 1, 64) + "×"
}

// group puts commas between thousands of a decimal integer.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
