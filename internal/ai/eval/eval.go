// Package eval measures the AI layer on labelled files: SMS intents
// (CSV text,label), warmness scenarios labelled cold, warm or hot
// (JSON), and report questions with their expected requests (JSON). It
// prints per-label precision and recall, a confusion table, and as the
// last line "accuracy: 0.953 (110/116)". "avatarcrm ai eval" runs it.
package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/ai/intent"
	"github.com/avatarimaging/avatarcrm/internal/ai/reportquery"
)

// Result is an evaluation's outcome.
type Result struct {
	Right, Total int
}

// Accuracy is Right/Total.
func (r Result) Accuracy() float64 {
	if r.Total == 0 {
		return 0
	}
	return float64(r.Right) / float64(r.Total)
}

// confusion counts (labelled, predicted) pairs.
type confusion struct {
	labels []string
	n      map[[2]string]int
}

func newConfusion(labels []string) *confusion {
	return &confusion{labels: labels, n: map[[2]string]int{}}
}

func (c *confusion) add(want, got string) {
	c.n[[2]string{want, got}]++
	if !slices.Contains(c.labels, got) {
		c.labels = append(c.labels, got)
	}
}

// print writes per-label precision and recall and the confusion table.
func (c *confusion) print(w io.Writer) Result {
	var r Result
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\tprecision\trecall\tlabelled\tpredicted\t")
	for _, l := range c.labels {
		tp, labelled, predicted := c.n[[2]string{l, l}], 0, 0
		for _, o := range c.labels {
			labelled += c.n[[2]string{l, o}]
			predicted += c.n[[2]string{o, l}]
		}
		r.Right += tp
		r.Total += labelled
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t\n", l, ratio(tp, predicted), ratio(tp, labelled), labelled, predicted)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "confusion (rows: labelled, columns: predicted)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, l := range c.labels {
		fmt.Fprint(tw, l, "\t")
	}
	fmt.Fprintln(tw)
	for _, l := range c.labels {
		fmt.Fprint(tw, l, "\t")
		for _, o := range c.labels {
			fmt.Fprint(tw, c.n[[2]string{l, o}], "\t")
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	return r
}

func ratio(a, b int) string {
	if b == 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(a)/float64(b), 'f', 3, 64)
}

func accuracyLine(w io.Writer, r Result) {
	fmt.Fprintf(w, "accuracy: %.3f (%d/%d)\n", r.Accuracy(), r.Right, r.Total)
}

// engines counts which engine answered and why the built-in one did.
type engines map[string]int

func (e engines) add(a ai.Answer) {
	e[a.Engine]++
	if a.Fallback != "" {
		e["fallback "+a.Fallback]++
	}
}

func (e engines) String() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, e[k])
	}
	return strings.Join(parts, ", ")
}

// Intent runs every message through DetectSMSIntent and compares the
// intent with its label.
func Intent(ctx context.Context, svc ai.Service, examples []intent.Example, w io.Writer) (Result, error) {
	labels := make([]string, len(ai.Intents))
	for i, l := range ai.Intents {
		labels[i] = string(l)
	}
	c := newConfusion(labels)
	eng := engines{}
	review, optOuts, optOutsCaught := 0, 0, 0
	var misses []string
	for _, ex := range examples {
		res, err := svc.DetectSMSIntent(ctx, ai.SMSInput{Message: ex.Text})
		if err != nil {
			return Result{}, fmt.Errorf("%q: %w", ex.Text, err)
		}
		c.add(ex.Label, string(res.Intent))
		eng.add(res.Answer)
		if res.NeedsReview {
			review++
		}
		if ex.Label == intent.OptOut {
			optOuts++
			if res.Intent == ai.IntentOptOut {
				optOutsCaught++
			}
		}
		if string(res.Intent) != ex.Label {
			misses = append(misses, fmt.Sprintf("  %-10s → %-10s %.2f  %q", ex.Label, res.Intent, res.Confidence, ex.Text))
		}
	}
	fmt.Fprintf(w, "%d messages; answered by: %s\n\n", len(examples), eng)
	r := c.print(w)
	if len(misses) > 0 {
		fmt.Fprintln(w, "\nwrong (labelled → predicted, confidence, message)")
		for _, m := range misses {
			fmt.Fprintln(w, m)
		}
	}
	fmt.Fprintf(w, "\nneeds review: %d (%.1f%%)\n", review, 100*float64(review)/float64(max(1, len(examples))))
	fmt.Fprintf(w, "opt-out recall: %s (%d/%d)\n", ratio(optOutsCaught, optOuts), optOutsCaught, optOuts)
	accuracyLine(w, r)
	return r, nil
}

// WarmnessSet is a file of contact scenarios labelled cold, warm or hot
// (testdata/ai/warmness.json). Times are given relative to now: "ago" for
// the past, "in" for the future, as 30m, 6h, 2d or 3w.
type WarmnessSet struct {
	Now       time.Time `json:"now"`
	Scenarios []struct {
		Name    string `json:"name"`
		Label   string `json:"label"`
		Contact struct {
			LeadSource   string `json:"leadSource"`
			Stage        string `json:"stage"`
			SMSConsent   bool   `json:"smsConsent"`
			EmailConsent bool   `json:"emailConsent"`
			Archived     bool   `json:"archived"`
		} `json:"contact"`
		Touchpoints []struct {
			Kind      string `json:"kind"`
			Ago       string `json:"ago"`
			Text      string `json:"text"`
			ByContact bool   `json:"byContact"`
		} `json:"touchpoints"`
		Bookings []struct {
			Status string `json:"status"`
			Ago    string `json:"ago"`
			In     string `json:"in"`
		} `json:"bookings"`
	} `json:"scenarios"`
	Zone string `json:"zone"`
}

// ReadWarmnessSet reads a scenario file.
func ReadWarmnessSet(r io.Reader) (*WarmnessSet, error) {
	var s WarmnessSet
	d := json.NewDecoder(r)
	d.DisallowUnknownFields()
	if err := d.Decode(&s); err != nil {
		return nil, fmt.Errorf("warmness scenarios: %w", err)
	}
	if s.Now.IsZero() || len(s.Scenarios) == 0 {
		return nil, fmt.Errorf("warmness scenarios: the file needs now and scenarios")
	}
	for i, sc := range s.Scenarios {
		if !slices.Contains([]string{ai.BandCold, ai.BandWarm, ai.BandHot}, sc.Label) {
			return nil, fmt.Errorf("warmness scenarios: %d (%s): label %q is not cold, warm or hot", i+1, sc.Name, sc.Label)
		}
	}
	return &s, nil
}

// span reads 30m, 6h, 2d, 3w.
func span(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("%q is not a span such as 2d", s)
	}
	n, err := strconv.ParseFloat(s[:len(s)-1], 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a span such as 2d", s)
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, fmt.Errorf("%q: the unit must be m, h, d or w", s)
	}
	return time.Duration(n * float64(unit)), nil
}

// Inputs turns the scenarios into AnalyzeWarmness inputs.
func (s *WarmnessSet) Inputs() ([]ai.WarmnessInput, error) {
	out := make([]ai.WarmnessInput, len(s.Scenarios))
	for i, sc := range s.Scenarios {
		in := ai.WarmnessInput{Now: s.Now, Contact: ai.WarmContact{
			LeadSource: sc.Contact.LeadSource, Stage: sc.Contact.Stage, SMSConsent: sc.Contact.SMSConsent,
			EmailConsent: sc.Contact.EmailConsent, Archived: sc.Contact.Archived,
		}}
		for _, tp := range sc.Touchpoints {
			d, err := span(tp.Ago)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sc.Name, err)
			}
			in.Touchpoints = append(in.Touchpoints, ai.Touchpoint{Kind: tp.Kind, At: s.Now.Add(-d), Text: tp.Text, ByContact: tp.ByContact})
		}
		for _, b := range sc.Bookings {
			at := b.In
			sign := time.Duration(1)
			if b.Ago != "" {
				at, sign = b.Ago, -1
			}
			d, err := span(at)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sc.Name, err)
			}
			in.Bookings = append(in.Bookings, ai.BookingFact{Status: b.Status, StartsAt: s.Now.Add(sign * d)})
		}
		out[i] = in
	}
	return out, nil
}

// Warmness scores every scenario and compares its band with the label.
func Warmness(ctx context.Context, svc ai.Service, set *WarmnessSet, w io.Writer) (Result, error) {
	ins, err := set.Inputs()
	if err != nil {
		return Result{}, err
	}
	c := newConfusion([]string{ai.BandCold, ai.BandWarm, ai.BandHot})
	eng := engines{}
	var misses []string
	for i, in := range ins {
		res, err := svc.AnalyzeWarmness(ctx, in)
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", set.Scenarios[i].Name, err)
		}
		want := set.Scenarios[i].Label
		c.add(want, res.Band)
		eng.add(res.Answer)
		if res.Band != want {
			misses = append(misses, fmt.Sprintf("  %-4s → %-4s %3d  %s", want, res.Band, res.Score, set.Scenarios[i].Name))
		}
	}
	fmt.Fprintf(w, "%d scenarios (cold ≤ 40 < warm ≤ 80 < hot); answered by: %s\n\n", len(ins), eng)
	r := c.print(w)
	if len(misses) > 0 {
		fmt.Fprintln(w, "\nwrong (labelled → scored, score, scenario)")
		for _, m := range misses {
			fmt.Fprintln(w, m)
		}
	}
	fmt.Fprintln(w)
	accuracyLine(w, r)
	return r, nil
}

// ReportQuery parses every question and compares the request with the
// expected one (or expects no request and suggestions).
func ReportQuery(ctx context.Context, svc ai.Service, set *reportquery.EvalSet, w io.Writer) (Result, error) {
	c := newConfusion(nil)
	for _, k := range reportquery.DefaultKinds() {
		c.labels = append(c.labels, k.Kind)
	}
	c.labels = append(c.labels, "none")
	eng := engines{}
	var r Result
	var misses []string
	for _, q := range set.Questions {
		res, err := svc.ParseReportQuery(ctx, ai.ReportQueryInput{Text: q.Text, Now: set.Now, Zone: set.Zone, Catalogue: set.Catalogue})
		if err != nil {
			return Result{}, fmt.Errorf("%q: %w", q.Text, err)
		}
		eng.add(res.Answer)
		want, got := "none", "none"
		if q.Want != nil {
			want = q.Want.Kind
		}
		if res.Request != nil {
			got = res.Request.Kind
		}
		c.add(want, got)
		r.Total++
		if reportquery.Same(res.Request, q.Want) && (q.Want != nil || len(res.Suggestions) > 0) {
			r.Right++
			continue
		}
		g, _ := json.Marshal(res.Request)
		e, _ := json.Marshal(q.Want)
		misses = append(misses, fmt.Sprintf("  %q\n    got  %s\n    want %s", q.Text, g, e))
	}
	fmt.Fprintf(w, "%d questions; answered by: %s\n\nreport kind\n", len(set.Questions), eng)
	c.print(w)
	if len(misses) > 0 {
		fmt.Fprintln(w, "\nwrong (whole request)")
		for _, m := range misses {
			fmt.Fprintln(w, m)
		}
	}
	fmt.Fprintln(w, "\nwhole request right (kind, period, comparison, locations, group-by, filters):")
	accuracyLine(w, r)
	return r, nil
}
