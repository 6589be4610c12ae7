package reports_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/ai/reportquery"
	"github.com/avatarimaging/avatarcrm/internal/reports"
)

// The reports' own 60 questions (testdata/reports/questions.json, asked
// on Wednesday 7 October 2026, just after daylight saving began), each
// expected request written by hand: the parser reads at least 90% of
// them right (`avatarcrm ai eval reportquery --file` prints the same
// accuracy), and every request it reads converts to a valid report
// request.
func TestQuestions(t *testing.T) {
	f, err := os.Open("../../testdata/reports/questions.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set, err := reportquery.ReadEvalSet(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Questions) < 60 {
		t.Fatalf("%d questions, want at least 60", len(set.Questions))
	}
	right := 0
	for _, q := range set.Questions {
		res := reportquery.Parse(q.Text, set.Now, set.Zone, set.Catalogue)
		if reportquery.Same(res.Request, q.Want) {
			right++
		} else {
			got, _ := json.Marshal(res.Request)
			want, _ := json.Marshal(q.Want)
			t.Logf("miss %q:\n got  %s\n want %s", q.Text, got, want)
		}
		if res.Request != nil {
			req, _ := reports.FromParsed(*res.Request)
			if req.From == nil || req.To == nil || req.Comparison == nil {
				t.Errorf("%q: converted to %+v", q.Text, req)
			}
		}
	}
	acc := float64(right) / float64(len(set.Questions))
	t.Logf("accuracy %.3f (%d/%d)", acc, right, len(set.Questions))
	if acc < 0.9 {
		t.Errorf("accuracy %.3f, want at least 0.9", acc)
	}
}
