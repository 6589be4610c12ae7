package views

import (
	"fmt"
	"strings"
)

// LineChart is a campaign's activity over time as server-drawn SVG: one
// line per series over the same buckets, with its axis labels worked out
// here so the template only places them. The page shows the same numbers
// in a table under it, for screen readers and for copying.
type LineChart struct {
	// Title names the chart for assistive technology (the SVG's <title>);
	// Desc sums it up in words (its <desc>).
	Title, Desc string
	Width       int
	Height      int
	// Plot is the drawing area inside the axes.
	Left, Top, Right, Bottom int
	// Max is the value at the top of the y axis.
	Max    int
	Series []ChartLine
	// Ticks label the y axis; XLabels the first, middle and last buckets.
	Ticks   []ChartTick
	XLabels []ChartTick
	// Buckets are the x labels of every bucket, for the table.
	Buckets []string
}

// ChartLine is one series: its polyline and a dot per bucket.
type ChartLine struct {
	Name string
	// Class picks its colour in app.css (chart-opens, chart-clicks, …).
	Class  string
	Points string
	Dots   []ChartDot
	Values []int
}

// ChartDot is one value of a series, with its label for a tooltip.
type ChartDot struct {
	X, Y  int
	Label string
}

// ChartTick is an axis label at a position.
type ChartTick struct {
	X, Y  int
	Label string
}

// ChartSeries is the input of NewLineChart: a name, a CSS class and one
// value per bucket.
type ChartSeries struct {
	Name, Class string
	Values      []int
}

// NewLineChart lays out series over buckets (labels, oldest first) on a
// width × height canvas. Every series must have one value per bucket;
// extra values are ignored, missing ones count as zero.
func NewLineChart(title string, buckets []string, series []ChartSeries, width, height int) LineChart {
	c := LineChart{Title: title, Width: width, Height: height, Left: 40, Top: 10, Right: width - 10, Bottom: height - 24, Buckets: buckets}
	for _, s := range series {
		for i, v := range s.Values {
			if i < len(buckets) && v > c.Max {
				c.Max = v
			}
		}
	}
	c.Max = niceMax(c.Max)
	n := len(buckets)
	x := func(i int) int {
		if n <= 1 {
			return (c.Left + c.Right) / 2
		}
		return c.Left + i*(c.Right-c.Left)/(n-1)
	}
	y := func(v int) int { return c.Bottom - v*(c.Bottom-c.Top)/c.Max }
	for _, s := range series {
		line := ChartLine{Name: s.Name, Class: s.Class, Values: make([]int, n)}
		pts := make([]string, 0, n)
		for i := range n {
			v := 0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			line.Values[i] = v
			pts = append(pts, fmt.Sprintf("%d,%d", x(i), y(v)))
			line.Dots = append(line.Dots, ChartDot{X: x(i), Y: y(v), Label: fmt.Sprintf("%s, %s: %d", buckets[i], s.Name, v)})
		}
		line.Points = strings.Join(pts, " ")
		c.Series = append(c.Series, line)
	}
	for _, v := range []int{0, c.Max / 2, c.Max} {
		c.Ticks = append(c.Ticks, ChartTick{X: c.Left - 6, Y: y(v) + 4, Label: fmt.Sprint(v)})
	}
	if n > 0 {
		idx := []int{0}
		if n > 2 {
			idx = append(idx, n/2)
		}
		if n > 1 {
			idx = append(idx, n-1)
		}
		for _, i := range idx {
			c.XLabels = append(c.XLabels, ChartTick{X: x(i), Y: height - 6, Label: buckets[i]})
		}
	}
	var parts []string
	for _, l := range c.Series {
		total := 0
		if len(l.Values) > 0 {
			total = l.Values[len(l.Values)-1]
		}
		parts = append(parts, fmt.Sprintf("%s %d", strings.ToLower(l.Name), total))
	}
	if n > 0 {
		c.Desc = fmt.Sprintf("From %s to %s: %s.", buckets[0], buckets[n-1], strings.Join(parts, ", "))
	} else {
		c.Desc = "No activity yet."
	}
	return c
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, so the
// axis reads in round numbers; an empty chart still has an axis of 1.
func niceMax(v int) int {
	if v <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= v {
				return m * p
			}
		}
	}
}
