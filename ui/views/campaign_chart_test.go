package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestNewLineChart: the lines go through the right points (the first
// bucket on the left axis, the last on the right, the largest value at
// the top of a round axis), a missing value counts as zero, and the
// rendered SVG names itself and describes the totals for screen readers.
func TestNewLineChart(t *testing.T) {
	buckets := []string{"Mon 9", "Tue 10", "Wed 11"}
	c := NewLineChart("Opens and clicks", buckets, []ChartSeries{
		{Name: "Opens", Class: "chart-opens", Values: []int{0, 3, 7}},
		{Name: "Clicks", Class: "chart-clicks", Values: []int{1}},
	}, 400, 200)
	if c.Max != 10 {
		t.Errorf("axis max = %d, want 10 (7 rounded up)", c.Max)
	}
	// The plot is x 40..390, y 10..176.
	if got, want := c.Series[0].Points, "40,176 215,127 390,60"; got != want {
		t.Errorf("opens = %q, want %q", got, want)
	}
	if got, want := c.Series[1].Points, "40,160 215,176 390,176"; got != want {
		t.Errorf("clicks (missing values are zero) = %q, want %q", got, want)
	}
	if got := c.Series[0].Dots[2].Label; got != "Wed 11, Opens: 7" {
		t.Errorf("dot label = %q", got)
	}
	if c.Desc != "From Mon 9 to Wed 11: opens 7, clicks 0." {
		t.Errorf("desc = %q", c.Desc)
	}
	if len(c.XLabels) != 3 || c.XLabels[1].Label != "Tue 10" {
		t.Errorf("x labels = %+v", c.XLabels)
	}

	var b bytes.Buffer
	if err := lineChart(c).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{`role="img"`, `aria-labelledby="campaign-chart-title campaign-chart-desc"`,
		`<title id="campaign-chart-title">Opens and clicks</title>`, `<polyline points="40,176 215,127 390,60"`,
		`<title>Wed 11, Opens: 7</title>`} {
		if !strings.Contains(html, want) {
			t.Errorf("the SVG lacks %s:\n%s", want, html)
		}
	}
	if strings.Contains(html, "style=") {
		t.Error("the chart uses an inline style, which the CSP refuses")
	}
}

// TestNewLineChartEmptyAndSingle: no buckets draws axes and says so; one
// bucket sits in the middle; a flat zero line still has an axis of 1.
func TestNewLineChartEmptyAndSingle(t *testing.T) {
	c := NewLineChart("x", nil, []ChartSeries{{Name: "Opens", Values: nil}}, 400, 200)
	if c.Desc != "No activity yet." || c.Max != 1 || c.Series[0].Points != "" {
		t.Errorf("empty chart: %+v", c)
	}
	c = NewLineChart("x", []string{"Wed 11"}, []ChartSeries{{Name: "Opens", Values: []int{0}}}, 400, 200)
	if got := c.Series[0].Points; got != "215,176" {
		t.Errorf("one bucket = %q, want the middle of the x axis", got)
	}
	for v, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 5, 6: 10, 11: 20, 250: 500, 1000: 1000, 1001: 2000} {
		if got := niceMax(v); got != want {
			t.Errorf("niceMax(%d) = %d, want %d", v, got, want)
		}
	}
}
