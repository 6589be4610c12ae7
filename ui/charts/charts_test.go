package charts

import (
	"context"
	"encoding/xml"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// node is a parsed element: the output must be well-formed XML, which
// also proves every attribute and text was escaped.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []node     `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) float(t *testing.T, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return f
}

// all is every element below n (n included) that match accepts.
func (n node) all(match func(node) bool) []node {
	var out []node
	if match(n) {
		out = append(out, n)
	}
	for _, c := range n.Nodes {
		out = append(out, c.all(match)...)
	}
	return out
}

func (n node) title() string {
	for _, c := range n.Nodes {
		if c.XMLName.Local == "title" {
			return c.Text
		}
	}
	return ""
}

func tag(name string) func(node) bool { return func(n node) bool { return n.XMLName.Local == name } }
func class(c string) func(node) bool {
	return func(n node) bool { return slices.Contains(strings.Fields(n.attr("class")), c) }
}

func parse(t *testing.T, s string) node {
	t.Helper()
	var n node
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	if err := d.Decode(&n); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, s)
	}
	return n
}

func render(t *testing.T, c Chart) node {
	t.Helper()
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return parse(t, b.String())
}

// texts are the texts of the elements match accepts, in order.
func texts(n node, match func(node) bool) []string {
	var out []string
	for _, e := range n.all(match) {
		out = append(out, e.Text)
	}
	return out
}

func TestBarsAreAccessibleAndToScale(t *testing.T) {
	c := Chart{Kind: Bars, ID: "noshow-weekday", Title: "No-shows by weekday", LabelHeader: "Weekday",
		Labels: []string{"Mon", "Tue", "Wed", "Thu", "Fri"},
		Series: []Series{{Name: "No-shows", Values: []float64{2, 4, 0, 1, 8}}}}
	fig := render(t, c)
	svgs := fig.all(tag("svg"))
	svg := svgs[0]
	if svg.attr("role") != "img" {
		t.Errorf("role = %q, want img", svg.attr("role"))
	}
	ids := strings.Fields(svg.attr("aria-labelledby"))
	if !slices.Equal(ids, []string{"noshow-weekday-title", "noshow-weekday-desc"}) {
		t.Fatalf("aria-labelledby = %v", ids)
	}
	byID := map[string]node{}
	for _, e := range svg.all(func(n node) bool { return n.attr("id") != "" }) {
		byID[e.attr("id")] = e
	}
	if got := byID[ids[0]]; got.XMLName.Local != "title" || got.Text != "No-shows by weekday" {
		t.Errorf("the label %s is <%s>%s", ids[0], got.XMLName.Local, got.Text)
	}
	if got := byID[ids[1]]; got.XMLName.Local != "desc" || !strings.Contains(got.Text, "No-shows") {
		t.Errorf("the description %s is <%s>%s", ids[1], got.XMLName.Local, got.Text)
	}

	bars := svg.all(class("chart-bar"))
	if len(bars) != 5 {
		t.Fatalf("%d bars, want 5", len(bars))
	}
	wantTitles := []string{"Mon: 2", "Tue: 4", "Wed: 0", "Thu: 1", "Fri: 8"}
	for i, b := range bars {
		if b.title() != wantTitles[i] {
			t.Errorf("bar %d says %q, want %q", i, b.title(), wantTitles[i])
		}
	}
	// To scale: the 8 is twice the 4, which is twice the 2; all stand on
	// the same base line.
	h := func(i int) float64 { return bars[i].float(t, "height") }
	if math.Abs(h(4)-2*h(1)) > 0.2 || math.Abs(h(1)-2*h(0)) > 0.2 || h(2) != 0 {
		t.Errorf("heights %v %v %v %v are not to scale", h(0), h(1), h(2), h(4))
	}
	base := bars[0].float(t, "y") + h(0)
	for i := range bars {
		if got := bars[i].float(t, "y") + h(i); math.Abs(got-base) > 0.2 {
			t.Errorf("bar %d ends at %v, bar 0 at %v", i, got, base)
		}
	}
	// Ticks 0, 2, … 8 (8 over 5 ticks is 1.6: the round step is 2).
	if got := texts(svg, class("chart-tick")); !slices.Equal(got, []string{"0", "2", "4", "6", "8"}) {
		t.Errorf("ticks %v", got)
	}
	if got := texts(svg, class("chart-label")); !slices.Equal(got, c.Labels) {
		t.Errorf("axis labels %v", got)
	}

	// The table carries every figure.
	tbl := fig.all(tag("table"))[0]
	if got := texts(tbl, tag("th")); !slices.Equal(got, []string{"Weekday", "No-shows", "Mon", "Tue", "Wed", "Thu", "Fri"}) {
		t.Errorf("table headers %v", got)
	}
	if got := texts(tbl, tag("td")); !slices.Equal(got, []string{"2", "4", "0", "1", "8"}) {
		t.Errorf("table cells %v", got)
	}
	if got := tbl.all(tag("caption")); len(got) != 1 || !strings.HasPrefix(got[0].Text, "No-shows by weekday") {
		t.Errorf("table caption %v", got)
	}
	if len(fig.all(class("chart-legend"))) != 0 {
		t.Error("a legend for one series")
	}
}

func TestGroupedBarsNegativeValuesAndLegend(t *testing.T) {
	c := Chart{Kind: Bars, ID: "roi", Title: "Return by source", Format: Money,
		Labels: []string{"Meta", "Google"},
		Series: []Series{{Name: "Revenue", Values: []float64{300000, 100000}}, {Name: "Profit", Values: []float64{150000, -50000}}}}
	fig := render(t, c)
	bars := fig.all(class("chart-bar"))
	if len(bars) != 4 {
		t.Fatalf("%d bars, want 4", len(bars))
	}
	// Series order: Revenue Meta, Revenue Google, Profit Meta, Profit Google.
	if got := bars[3].title(); got != "Google, Profit: -$500" {
		t.Errorf("the loss says %q", got)
	}
	// The loss hangs below the zero line where the others stand.
	zero := bars[0].float(t, "y") + bars[0].float(t, "height")
	if y := bars[3].float(t, "y"); math.Abs(y-zero) > 0.2 {
		t.Errorf("the loss starts at %v, the zero line is at %v", y, zero)
	}
	// Grouped: Meta's two bars sit side by side within Meta's band.
	if bars[2].float(t, "x") <= bars[0].float(t, "x") || bars[2].float(t, "x") >= bars[1].float(t, "x") {
		t.Errorf("Meta's bars are not grouped: x %v, %v; Google's first at %v", bars[0].attr("x"), bars[2].attr("x"), bars[1].attr("x"))
	}
	if got := texts(fig, class("chart-tick")); !slices.Contains(got, "-$1,000") || !slices.Contains(got, "$3,000") {
		t.Errorf("ticks %v", got)
	}
	legend := fig.all(class("chart-legend"))
	if len(legend) != 1 || len(legend[0].all(tag("li"))) != 2 {
		t.Fatalf("legend %v", legend)
	}
	if got := texts(fig.all(tag("table"))[0], tag("td")); !slices.Equal(got, []string{"$3,000", "$1,500", "$1,000", "-$500"}) {
		t.Errorf("table cells %v", got)
	}
}

func TestLinesBreakAtMissingValues(t *testing.T) {
	c := Chart{Kind: Lines, ID: "warm", Title: "Hot leads per week", Format: Percent,
		Labels: []string{"W1", "W2", "W3", "W4", "W5"},
		Series: []Series{{Name: "81–100", Values: []float64{0.1, 0.2, math.NaN(), 0.25, 0.3}}, {Name: "61–80", Values: []float64{0.3, 0.3, 0.3, 0.3, 0.3}}}}
	fig := render(t, c)
	lines := fig.all(class("chart-line"))
	// The first series breaks at W3: W1–W2 and W4–W5; the second is whole.
	if len(lines) != 3 {
		t.Fatalf("%d polylines, want 3", len(lines))
	}
	if n := len(strings.Fields(lines[2].attr("points"))); n != 5 {
		t.Errorf("the whole line has %d points", n)
	}
	pts := fig.all(class("chart-point"))
	if len(pts) != 9 {
		t.Fatalf("%d points, want 9 (one missing)", len(pts))
	}
	if got := pts[3].title(); got != "W5, 81–100: 30%" {
		t.Errorf("point title %q", got)
	}
	// Higher values are drawn higher: 0.3 above 0.1.
	if pts[3].float(t, "cy") >= pts[0].float(t, "cy") {
		t.Errorf("0.3 is drawn at y %v, 0.1 at %v", pts[3].attr("cy"), pts[0].attr("cy"))
	}
	if got := texts(fig, class("chart-tick")); !slices.Equal(got, []string{"0%", "10%", "20%", "30%"}) {
		t.Errorf("ticks %v", got)
	}
	if got := texts(fig.all(tag("table"))[0], tag("td")); got[4] != "–" {
		t.Errorf("the missing week reads %q in the table", got[4])
	}
}

func TestFunnelStepsNarrowByShare(t *testing.T) {
	c := Chart{Kind: Funnel, ID: "funnel", Title: "Lead to scan", LabelHeader: "Step",
		Labels: []string{"Lead", "Contacted", "Booked", "Attended"},
		Series: []Series{{Name: "Contacts", Values: []float64{200, 100, 40, 30}}},
		Notes:  []string{"", "median 1 day", "median 3.5 days", "median 6 days"}}
	fig := render(t, c)
	steps := fig.all(class("chart-step"))
	if len(steps) != 4 {
		t.Fatalf("%d steps", len(steps))
	}
	w := func(i int) float64 { return steps[i].float(t, "width") }
	if math.Abs(w(1)-w(0)/2) > 0.2 || math.Abs(w(2)-w(0)/5) > 0.2 {
		t.Errorf("widths %v %v %v are not the shares 1, 1/2, 1/5", w(0), w(1), w(2))
	}
	// Centred: each step's middle is the first's.
	mid := steps[0].float(t, "x") + w(0)/2
	if got := steps[3].float(t, "x") + w(3)/2; math.Abs(got-mid) > 0.2 {
		t.Errorf("the last step's middle is %v, the first's %v", got, mid)
	}
	if got := steps[3].title(); got != "Attended: 30 (75% of Booked)" {
		t.Errorf("step title %q", got)
	}
	tbl := fig.all(tag("table"))[0]
	if got := texts(tbl, tag("td")); !slices.Equal(got, []string{"200", "–", "", "100", "50%", "median 1 day", "40", "40%", "median 3.5 days", "30", "75%", "median 6 days"}) {
		t.Errorf("table cells %q", got)
	}
}

func TestEscapesEverythingItWrites(t *testing.T) {
	c := Chart{Kind: Bars, ID: `x" onload="alert(1)`, Title: `<script>alert(1)</script>`, LabelHeader: "Source & co",
		Labels: []string{`"Meta" <ads>`}, Series: []Series{{Name: "A&B", Values: []float64{1}}}}
	var b strings.Builder
	_ = c.Render(context.Background(), &b)
	out := b.String()
	if strings.Contains(out, "<script>") || strings.Contains(out, `" onload="`) {
		t.Fatalf("unescaped text in %s", out)
	}
	fig := parse(t, out)
	if got := fig.all(class("chart-bar"))[0].title(); got != `"Meta" <ads>: 1` {
		t.Errorf("title %q", got)
	}
}

func TestNoDataSaysSo(t *testing.T) {
	for _, c := range []Chart{
		{Kind: Bars, Title: "Empty", Labels: nil, Series: []Series{{Name: "x"}}},
		{Kind: Lines, Title: "All missing", Labels: []string{"a"}, Series: []Series{{Name: "x", Values: []float64{math.NaN()}}}},
	} {
		fig := render(t, c)
		if len(fig.all(tag("svg"))) != 0 || len(fig.all(tag("table"))) != 0 {
			t.Errorf("%s: drew an empty chart", c.Title)
		}
		if got := texts(fig, func(n node) bool { return n.attr("data-testid") == "chart-empty" }); len(got) != 1 {
			t.Errorf("%s: no 'no data' message", c.Title)
		}
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 87, []float64{0, 20, 40, 60, 80, 100}},
		{0, 100, []float64{0, 20, 40, 60, 80, 100}},
		{0, 0.3, []float64{0, 0.1, 0.2, 0.3}},
		{-12, 40, []float64{-20, 0, 20, 40}},
		{0, 0, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{5, 5, []float64{0, 1, 2, 3, 4, 5}},
		{0, 1234567, []float64{0, 500000, 1000000, 1500000}},
	} {
		got := Ticks(tc.lo, tc.hi, 5)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Ticks(%v, %v) = %v, want %v", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Count(1234567), "1,234,567"},
		{Count(-1234), "-1,234"},
		{Count(2.25), "2.2"},
		{Percent(1.0 / 3), "33.3%"},
		{Percent(0.3), "30%"},
		{Money(123450), "$1,234.50"},
		{Money(-5000), "-$50"},
		{Money(5), "$0.05"},
		{Days(1), "1 day"},
		{Days(3.5), "3.5 days"},
		{Ratio(3.04), "3.0×"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// Many labels are thinned under the axis, never in the table.
func TestManyLabelsAreThinned(t *testing.T) {
	c := Chart{Kind: Lines, ID: "weeks", Title: "52 weeks", Labels: make([]string, 52), Series: []Series{{Name: "n", Values: make([]float64, 52)}}}
	for i := range c.Labels {
		c.Labels[i] = "W" + strconv.Itoa(i+1)
		c.Series[0].Values[i] = float64(i)
	}
	fig := render(t, c)
	if n := len(fig.all(class("chart-label"))); n > maxXLabels {
		t.Errorf("%d labels under the axis", n)
	}
	if n := len(fig.all(tag("table"))[0].all(tag("tr"))); n != 53 {
		t.Errorf("%d table rows, want 53", n)
	}
}

// Extra columns reach the table only; a muted label is faint and says why.
func TestColumnsAndMutedLabels(t *testing.T) {
	c := Chart{Kind: Bars, ID: "hour", Title: "No-show rate by hour", LabelHeader: "Hour", Format: Percent,
		Labels:  []string{"9 am", "4 pm"},
		Series:  []Series{{Name: "No-show rate", Values: []float64{0.1, 0.5}}},
		Columns: []Column{{Name: "No-shows", Cells: []string{"3 of 30", "1 of 2"}}},
		Muted:   []bool{false, true}}
	fig := render(t, c)
	bars := fig.all(class("chart-bar"))
	if bars[0].attr("fill-opacity") != "" || bars[1].attr("fill-opacity") == "" {
		t.Errorf("fill-opacity %q, %q: only the 1-of-2 is faint", bars[0].attr("fill-opacity"), bars[1].attr("fill-opacity"))
	}
	if got := bars[1].title(); got != "4 pm: 50% (few cases)" {
		t.Errorf("the muted bar says %q", got)
	}
	tbl := fig.all(tag("table"))[0]
	if got := texts(tbl, tag("td")); !slices.Equal(got, []string{"10%", "3 of 30", "50%", "1 of 2"}) {
		t.Errorf("table cells %q", got)
	}
	if got := texts(tbl, tag("th")); got[2] != "No-shows" {
		t.Errorf("table headers %q", got)
	}
	if rows := tbl.all(class("muted")); len(rows) != 1 || rows[0].XMLName.Local != "tr" {
		t.Errorf("muted rows %v", rows)
	}
	if len(fig.all(class("chart-svg"))[0].all(func(n node) bool { return n.Text == "3 of 30" })) != 0 {
		t.Error("a table-only column is drawn")
	}
}
