// Package charts draws the reports' charts as SVG on the server: bars,
// lines and a funnel, each with the data table it was drawn from. Nothing
// runs in the browser (no script, no inline style, so the strict CSP
// holds), a screen reader gets the chart's title and description and every
// mark's value in a <title>, and the table under the chart carries every
// figure, so no number is only a picture. Values are whatever the caller
// measured (counts, fractions, cents); Format turns them into text.
package charts

import (
	"context"
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// Kind is how a chart draws its data.
type Kind string

const (
	// Bars draws one bar per label and series, grouped by label.
	Bars Kind = "bars"
	// Lines draws one line per series across the labels (a time axis).
	Lines Kind = "lines"
	// Funnel draws the first series as steps narrowing from the first.
	Funnel Kind = "funnel"
)

// Column is a table-only column: one text per label.
type Column struct {
	Name  string
	Cells []string
}

// Series is one named row of values, one per label. NaN is a value that
// does not exist (a gap in a line, "–" in the table).
type Series struct {
	Name   string
	Values []float64
}

// Chart is one chart and its data.
type Chart struct {
	Kind Kind
	// ID makes the chart's element ids unique on the page ("noshow-weekday").
	ID    string
	Title string
	// Desc says in words what the chart shows; screen readers read it.
	Desc string
	// LabelHeader heads the table's first column ("Weekday", "Month").
	LabelHeader string
	Labels      []string
	Series      []Series
	// Format writes a value; nil is Count.
	Format func(float64) string
	// Notes, for a funnel, say something about each step after the first
	// (the median days from the step before); shown in the table.
	Notes []string
	// Columns are more figures per label for the table only (the counts
	// behind a rate, the spend behind a return).
	Columns []Column
	// Muted marks labels whose figure means little (a rate out of a few):
	// their marks are drawn faint and the table says so.
	Muted []bool
	// Width and Height of the drawing; zero takes the defaults.
	Width, Height int
}

const (
	defaultWidth  = 640
	defaultHeight = 260
	padLeft       = 64
	padRight      = 12
	padTop        = 14
	padBottom     = 44
	// maxXLabels is how many labels fit under the axis; more are thinned.
	maxXLabels = 12
)

// palette colours the series; the same order as .series-N in app.css, which
// print and dark themes may override. Presentation attributes, not style,
// so the CSP allows them.
var palette = []string{"#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2"}

func colour(i int) string { return palette[i%len(palette)] }

// Render writes the chart as a <figure>: the SVG, a legend when there is
// more than one series, and the data table. It makes a Chart a
// templ.Component.
func (c Chart) Render(_ context.Context, w io.Writer) error {
	var b strings.Builder
	c.write(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// SVG is the drawing alone.
func (c Chart) SVG() string {
	var b strings.Builder
	c.svg(&b)
	return b.String()
}

// Table is the data table alone.
func (c Chart) Table() string {
	var b strings.Builder
	c.table(&b)
	return b.String()
}

func (c Chart) write(b *strings.Builder) {
	fmt.Fprintf(b, `<figure class="chart chart-%s" data-testid="chart" data-chart=%q>`, c.Kind, esc(c.ID))
	if !c.hasData() {
		fmt.Fprintf(b, `<figcaption>%s</figcaption><p class="muted" data-testid="chart-empty">No data for this period.</p></figure>`, esc(c.Title))
		return
	}
	c.svg(b)
	if len(c.Series) > 1 && c.Kind != Funnel {
		b.WriteString(`<ul class="chart-legend">`)
		for i, s := range c.Series {
			fmt.Fprintf(b, `<li><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="%s" class="series-%d"></rect></svg> %s</li>`, colour(i), i, esc(s.Name))
		}
		b.WriteString(`</ul>`)
	}
	fmt.Fprintf(b, `<figcaption>%s</figcaption>`, esc(c.Title))
	c.table(b)
	b.WriteString(`</figure>`)
}

func (c Chart) hasData() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				return len(c.Labels) > 0
			}
		}
	}
	return false
}

func (c Chart) size() (w, h int) {
	w, h = c.Width, c.Height
	if w <= 0 {
		w = defaultWidth
	}
	if h <= 0 {
		h = defaultHeight
		if c.Kind == Funnel {
			h = padTop + 36*len(c.Labels) + 8
		}
	}
	return w, h
}

func (c Chart) format(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if c.Format == nil {
		return Count(v)
	}
	return c.Format(v)
}

// value is series s at label i, NaN when missing.
func (c Chart) value(s, i int) float64 {
	if s >= len(c.Series) || i >= len(c.Series[s].Values) {
		return math.NaN()
	}
	return c.Series[s].Values[i]
}

func (c Chart) svg(b *strings.Builder) {
	w, h := c.size()
	id := c.ID
	if id == "" {
		id = "chart"
	}
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc">`, w, h, w, h, esc(id), esc(id))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(c.Title), esc(id), esc(c.desc()))
	switch c.Kind {
	case Lines:
		c.drawLines(b, w, h)
	case Funnel:
		c.drawFunnel(b, w)
	default:
		c.drawBars(b, w, h)
	}
	b.WriteString(`</svg>`)
}

// desc is the chart's description, or one written from its data.
func (c Chart) desc() string {
	if c.Desc != "" {
		return c.Desc
	}
	names := make([]string, 0, len(c.Series))
	for _, s := range c.Series {
		names = append(names, s.Name)
	}
	what := map[Kind]string{Bars: "Bar chart", Lines: "Line chart", Funnel: "Funnel"}[c.Kind]
	if what == "" {
		what = "Bar chart"
	}
	return fmt.Sprintf("%s of %s over %d %s; the table below lists every value.", what, strings.Join(names, ", "), len(c.Labels), plural(len(c.Labels), "label", "labels"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// extent is the smallest and largest value, always including zero.
func (c Chart) extent() (lo, hi float64) {
	for s := range c.Series {
		for i := range c.Labels {
			v := c.value(s, i)
			if math.IsNaN(v) {
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return lo, hi
}

// axis draws the value axis's ticks and grid lines and returns the scale
// from value to y.
func (c Chart) axis(b *strings.Builder, w, h int) func(float64) float64 {
	lo, hi := c.extent()
	ticks := Ticks(lo, hi, 5)
	top, bottom := ticks[len(ticks)-1], ticks[0]
	y0, y1 := float64(h-padBottom), float64(padTop)
	y := func(v float64) float64 { return y0 - (v-bottom)/(top-bottom)*(y0-y1) }
	b.WriteString(`<g class="chart-axis" aria-hidden="true">`)
	for _, t := range ticks {
		fmt.Fprintf(b, `<line class="chart-grid" x1="%d" y1="%s" x2="%d" y2="%s" stroke="currentColor" stroke-opacity="0.15"></line>`, padLeft, num(y(t)), w-padRight, num(y(t)))
		fmt.Fprintf(b, `<text class="chart-tick" x="%d" y="%s" font-size="11" text-anchor="end" fill="currentColor">%s</text>`, padLeft-6, num(y(t)+4), esc(c.format(t)))
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="currentColor"></line>`, padLeft, num(y(0)), w-padRight, num(y(0)))
	b.WriteString(`</g>`)
	return y
}

// xLabels writes the category labels under the axis, thinned to fit.
func (c Chart) xLabels(b *strings.Builder, h int, centre func(i int) float64) {
	step := (len(c.Labels) + maxXLabels - 1) / maxXLabels
	b.WriteString(`<g class="chart-labels" aria-hidden="true">`)
	for i, l := range c.Labels {
		if i%step != 0 {
			continue
		}
		fmt.Fprintf(b, `<text class="chart-label" x="%s" y="%d" font-size="11" text-anchor="middle" fill="currentColor">%s</text>`, num(centre(i)), h-padBottom+16, esc(shorten(l, 12)))
	}
	b.WriteString(`</g>`)
}

func (c Chart) drawBars(b *strings.Builder, w, h int) {
	y := c.axis(b, w, h)
	n, ns := len(c.Labels), max(len(c.Series), 1)
	band := float64(w-padLeft-padRight) / float64(n)
	inner := band * 0.8 / float64(ns)
	for s, ser := range c.Series {
		fmt.Fprintf(b, `<g class="series-%d" fill="%s">`, s, colour(s))
		for i, l := range c.Labels {
			v := c.value(s, i)
			if math.IsNaN(v) {
				continue
			}
			x := float64(padLeft) + band*float64(i) + band*0.1 + inner*float64(s)
			top, bot := y(math.Max(v, 0)), y(math.Min(v, 0))
			cls, t := "chart-bar", markTitle(l, ser.Name, len(c.Series), c.format(v))
			if c.muted(i) {
				cls, t = "chart-bar chart-muted", t+" (few cases)"
			}
			fmt.Fprintf(b, `<rect class="%s" data-testid="chart-bar" x="%s" y="%s" width="%s" height="%s"%s><title>%s</title></rect>`,
				cls, num(x), num(top), num(math.Max(inner-1, 1)), num(bot-top), c.opacity(i), esc(t))
		}
		b.WriteString(`</g>`)
	}
	c.xLabels(b, h, func(i int) float64 { return float64(padLeft) + band*(float64(i)+0.5) })
}

func (c Chart) drawLines(b *strings.Builder, w, h int) {
	y := c.axis(b, w, h)
	n := len(c.Labels)
	x := func(i int) float64 {
		if n == 1 {
			return float64(padLeft+w-padRight) / 2
		}
		return float64(padLeft) + float64(w-padLeft-padRight)*float64(i)/float64(n-1)
	}
	for s, ser := range c.Series {
		fmt.Fprintf(b, `<g class="series-%d" stroke="%s" fill="%s">`, s, colour(s), colour(s))
		// One polyline per unbroken run: a missing value is a gap.
		var run []string
		flush := func() {
			if len(run) > 1 {
				fmt.Fprintf(b, `<polyline class="chart-line" fill="none" stroke-width="2" points="%s"></polyline>`, strings.Join(run, " "))
			}
			run = run[:0]
		}
		for i := range c.Labels {
			v := c.value(s, i)
			if math.IsNaN(v) {
				flush()
				continue
			}
			run = append(run, num(x(i))+","+num(y(v)))
		}
		flush()
		for i, l := range c.Labels {
			v := c.value(s, i)
			if math.IsNaN(v) {
				continue
			}
			fmt.Fprintf(b, `<circle class="chart-point" data-testid="chart-point" cx="%s" cy="%s" r="3"><title>%s</title></circle>`, num(x(i)), num(y(v)), esc(markTitle(l, ser.Name, len(c.Series), c.format(v))))
		}
		b.WriteString(`</g>`)
	}
	c.xLabels(b, h, x)
}

// drawFunnel draws the first series as centred bars, each as wide as its
// share of the first step, with the step's value and its share of the step
// before.
func (c Chart) drawFunnel(b *strings.Builder, w int) {
	if len(c.Series) == 0 {
		return
	}
	first := c.value(0, 0)
	labelW := 120
	span := float64(w - labelW - 110)
	fmt.Fprintf(b, `<g class="series-0" fill="%s">`, colour(0))
	for i, l := range c.Labels {
		v := c.value(0, i)
		yTop := padTop + 36*i
		share := 0.0
		if first > 0 && !math.IsNaN(v) {
			share = v / first
		}
		bw := math.Max(span*share, 1)
		x := float64(labelW) + (span-bw)/2
		t := l + ": " + c.format(v)
		if i > 0 {
			t += " (" + c.stepShare(i) + " of " + c.Labels[i-1] + ")"
		}
		fmt.Fprintf(b, `<rect class="chart-bar chart-step" data-testid="chart-step" x="%s" y="%d" width="%s" height="28"><title>%s</title></rect>`, num(x), yTop, num(bw), esc(t))
		fmt.Fprintf(b, `<text class="chart-label" x="%d" y="%d" font-size="12" text-anchor="end" fill="currentColor" aria-hidden="true">%s</text>`, labelW-8, yTop+18, esc(shorten(l, 16)))
		right := c.format(v)
		if i > 0 {
			right += " · " + c.stepShare(i)
		}
		fmt.Fprintf(b, `<text class="chart-value" x="%s" y="%d" font-size="12" fill="currentColor" aria-hidden="true">%s</text>`, num(float64(labelW)+span+8), yTop+18, esc(right))
	}
	b.WriteString(`</g>`)
}

func (c Chart) muted(i int) bool { return i < len(c.Muted) && c.Muted[i] }

// opacity fades a muted label's marks (an attribute: the CSP allows no
// inline style).
func (c Chart) opacity(i int) string {
	if c.muted(i) {
		return ` fill-opacity="0.35"`
	}
	return ""
}

// stepShare is step i's value as a share of step i-1's.
func (c Chart) stepShare(i int) string {
	prev, v := c.value(0, i-1), c.value(0, i)
	if math.IsNaN(prev) || math.IsNaN(v) || prev == 0 {
		return "–"
	}
	return Percent(v / prev)
}

func (c Chart) table(b *strings.Builder) {
	id := c.ID
	if id == "" {
		id = "chart"
	}
	head := c.LabelHeader
	if head == "" {
		head = "Label"
	}
	fmt.Fprintf(b, `<table class="chart-data" data-testid="chart-table" id="%s-data"><caption>%s</caption><thead><tr><th scope="col">%s</th>`, esc(id), esc(c.Title+": the data"), esc(head))
	for _, s := range c.Series {
		fmt.Fprintf(b, `<th scope="col" class="num">%s</th>`, esc(s.Name))
	}
	for _, col := range c.Columns {
		fmt.Fprintf(b, `<th scope="col" class="num">%s</th>`, esc(col.Name))
	}
	funnel := c.Kind == Funnel && len(c.Series) > 0
	if funnel {
		b.WriteString(`<th scope="col" class="num">Of the step before</th>`)
		if len(c.Notes) > 0 {
			b.WriteString(`<th scope="col">Note</th>`)
		}
	}
	b.WriteString(`</tr></thead><tbody>`)
	for i, l := range c.Labels {
		if c.muted(i) {
			fmt.Fprintf(b, `<tr class="muted" title="Few cases: read with care"><th scope="row">%s <span class="small">(few cases)</span></th>`, esc(l))
		} else {
			fmt.Fprintf(b, `<tr><th scope="row">%s</th>`, esc(l))
		}
		for s := range c.Series {
			fmt.Fprintf(b, `<td class="num">%s</td>`, esc(c.format(c.value(s, i))))
		}
		for _, col := range c.Columns {
			cell := ""
			if i < len(col.Cells) {
				cell = col.Cells[i]
			}
			fmt.Fprintf(b, `<td class="num">%s</td>`, esc(cell))
		}
		if funnel {
			share := "–"
			if i > 0 {
				share = c.stepShare(i)
			}
			fmt.Fprintf(b, `<td class="num">%s</td>`, esc(share))
			if len(c.Notes) > 0 {
				note := ""
				if i < len(c.Notes) {
					note = c.Notes[i]
				}
				fmt.Fprintf(b, `<td>%s</td>`, esc(note))
			}
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table>`)
}

// markTitle is what a bar or point says when hovered or read aloud.
func markTitle(label, series string, nSeries int, value string) string {
	if nSeries > 1 {
		return label + ", " + series + ": " + value
	}
	return label + ": " + value
}

// shorten cuts a label to n runes with an ellipsis; the mark's title and
// the table keep it whole.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return html.EscapeString(s) }

// num writes a coordinate with at most one decimal.
func num(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}
