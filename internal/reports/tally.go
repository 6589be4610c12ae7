package reports

import (
	"cmp"
	"slices"
)

// tally counts something out of something per key, keeping the keys'
// labels and an order.
type tally struct {
	key   string
	dim   *Dimension
	label string
	rows  map[string]*Row
	order func(a, b *Row) int
}

func newTally(key string, dim Dimension, label string) *tally {
	d := dim
	t := &tally{key: key, label: label, rows: map[string]*Row{}}
	if dim != "" {
		t.dim = &d
	}
	return t
}

// add counts count out of denom for key.
func (t *tally) add(key, label string, count, denom int) *Row {
	r := t.rows[key]
	if r == nil {
		zero := 0
		r = &Row{Key: key, Label: label, Denominator: &zero}
		t.rows[key] = r
	}
	r.Count += count
	*r.Denominator += denom
	return r
}

// breakdown returns the rows with their rates, in order (by key unless
// the tally has an order).
func (t *tally) breakdown(unit Unit) Breakdown {
	b := Breakdown{Key: t.key, Dimension: t.dim, Label: t.label, Unit: unit, Rows: []Row{}}
	for _, r := range t.rows {
		if r.Denominator != nil && *r.Denominator > 0 {
			rate := float64(r.Count) / float64(*r.Denominator)
			r.Rate = &rate
			r.LowSample = *r.Denominator < MinSample
		}
		b.Rows = append(b.Rows, *r)
	}
	order := t.order
	if order == nil {
		order = func(a, b *Row) int { return cmp.Compare(a.Key, b.Key) }
	}
	slices.SortFunc(b.Rows, func(x, y Row) int { return order(&x, &y) })
	return b
}

// byLabel orders rows by label.
func byLabel(a, b *Row) int { return cmp.Or(cmp.Compare(a.Label, b.Label), cmp.Compare(a.Key, b.Key)) }

// byNumericKey orders rows whose keys are small integers ("0" … "23").
func byNumericKey(a, b *Row) int { return cmp.Compare(atoi(a.Key), atoi(b.Key)) }

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return n
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func ptr[T any](v T) *T { return &v }

func rate(count, denom int) float64 {
	if denom == 0 {
		return 0
	}
	return float64(count) / float64(denom)
}
