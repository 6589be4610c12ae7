package reportquery_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/ai/reportquery"
)

func readSet(t *testing.T) *reportquery.EvalSet {
	t.Helper()
	f, err := os.Open("../../../testdata/ai/reportquery.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set, err := reportquery.ReadEvalSet(f)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// The plain-language parser on the shipped questions, every expected
// request written by hand.
func TestParseEvalSet(t *testing.T) {
	set := readSet(t)
	right := 0
	for _, q := range set.Questions {
		res := reportquery.Parse(q.Text, set.Now, set.Zone, set.Catalogue)
		if reportquery.Same(res.Request, q.Want) {
			right++
			continue
		}
		got, _ := json.Marshal(res.Request)
		want, _ := json.Marshal(q.Want)
		t.Errorf("%q:\n got  %s\n want %s\n notes %q", q.Text, got, want, res.Notes)
	}
	t.Logf("accuracy %.3f (%d/%d)", float64(right)/float64(len(set.Questions)), right, len(set.Questions))
}

func TestUnreadableTextGetsSuggestions(t *testing.T) {
	set := readSet(t)
	res := reportquery.Parse("what's for lunch", set.Now, set.Zone, set.Catalogue)
	if res.OK || len(res.Suggestions) < 3 {
		t.Fatalf("got %+v, want no request and suggestions", res)
	}
	for _, s := range res.Suggestions {
		if r := reportquery.Parse(s, set.Now, set.Zone, set.Catalogue); !r.OK {
			t.Errorf("suggestion %q does not parse", s)
		}
	}
}

func TestSameTellsRequestsApart(t *testing.T) {
	base := func() *reportquery.Request {
		return &reportquery.Request{Kind: reportquery.KindNoShows, Period: reportquery.Period{From: "2026-01-01", To: "2026-01-31"},
			Compare: &reportquery.Period{From: "2025-12-01", To: "2025-12-31"}, Locations: []string{"SYD", "PAR"}, GroupBy: []string{"service", "weekday"},
			Filters: []reportquery.Filter{{Dimension: "source", Op: "in", Values: []string{"wix", "meta_ads"}}}}
	}
	same := base()
	same.Locations = []string{"PAR", "SYD"}
	same.Filters[0].Values = []string{"meta_ads", "wix"}
	if !reportquery.Same(base(), same) {
		t.Error("locations and filter values in another order: want the same request")
	}
	for name, change := range map[string]func(*reportquery.Request){
		"kind":     func(r *reportquery.Request) { r.Kind = reportquery.KindFunnel },
		"period":   func(r *reportquery.Request) { r.Period.To = "2026-01-30" },
		"compare":  func(r *reportquery.Request) { r.Compare = nil },
		"location": func(r *reportquery.Request) { r.Locations = []string{"SYD"} },
		"group":    func(r *reportquery.Request) { r.GroupBy = []string{"weekday", "service"} },
		"filter":   func(r *reportquery.Request) { r.Filters[0].Op = "lt" },
		"value":    func(r *reportquery.Request) { r.Filters[0].Values = []string{"wix"} },
		"nil":      nil,
	} {
		other := base()
		if change != nil {
			change(other)
		} else {
			other = nil
		}
		if reportquery.Same(base(), other) {
			t.Errorf("%s changed: want a different request", name)
		}
	}
}
