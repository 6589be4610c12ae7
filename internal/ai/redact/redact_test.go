package redact_test

import (
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai/redact"
)

var now = time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC)

func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		in    string
		known []string
		gone  []string // must not appear in the output
		kept  []string // must still appear
	}{
		{"Hi, my name is Priya Raman, call me on 0412 345 678", nil, []string{"Priya", "Raman", "0412", "345 678"}, []string{"call me"}},
		{"Can we do Tues arvo instead? Thanks, Georgios", nil, []string{"Georgios"}, []string{"Tues arvo", "Thanks"}},
		{"email me at olivia.smith+crm@example.com.au", nil, []string{"olivia.smith", "example.com.au"}, []string{"email me at"}},
		{"My Medicare is 2123 45670 1 and DOB 12/03/1985", nil, []string{"2123", "45670", "12/03/1985"}, []string{"My Medicare is", "DOB"}},
		{"born on 4 July 1979, live at Unit 3/45 Church Street, Parramatta NSW 2150", nil, []string{"1979", "Church Street", "2150", "3/45"}, nil},
		{"this is Mei's mum, Mei can't come tomorrow", []string{"Mei", "Chen"}, []string{"Mei"}, []string{"can't come tomorrow"}},
		{"ring +61 2 9200 0100 or (02) 9890 0200", nil, []string{"9200", "9890"}, nil},
		{"yes see you at 3pm on the 14th", nil, nil, []string{"yes see you at 3pm on the 14th"}},
		{"Can I come 14/3 at 10:30?", nil, nil, []string{"14/3", "10:30"}},
		{"Sorry running late\n- Tom", nil, []string{"Tom"}, []string{"running late"}},
		{"JOHN SMITH here, cancel please", []string{"John Smith"}, []string{"JOHN", "SMITH"}, []string{"cancel please"}},
		{"Mrs Nguyen will bring her referral from Dr Alvarez", nil, []string{"Nguyen", "Alvarez"}, []string{"referral"}},
		{"PO Box 123 please", nil, []string{"Box 123"}, nil},
		{"recall patients like Priya Raman who are due", nil, []string{"Priya", "Raman"}, []string{"recall patients like", "who are due"}},
		{"ask Aisha about it", nil, []string{"Aisha"}, []string{"ask", "about it"}},
		{"no-shows from Meta Ads for Screening Mammogram at Avatar Imaging Sydney", nil, nil, []string{"Meta Ads", "Screening Mammogram", "Avatar Imaging Sydney"}},
	} {
		r := redact.New(now, tc.known...)
		out := r.Redact(tc.in)
		for _, g := range tc.gone {
			if strings.Contains(strings.ToLower(out), strings.ToLower(g)) {
				t.Errorf("%q → %q still contains %q", tc.in, out, g)
			}
		}
		for _, k := range tc.kept {
			if !strings.Contains(out, k) {
				t.Errorf("%q → %q lost %q", tc.in, out, k)
			}
		}
		if back := r.Restore(out); back != tc.in {
			t.Errorf("restore: %q → %q → %q", tc.in, out, back)
		}
	}
}

func TestSameValueSamePlaceholder(t *testing.T) {
	r := redact.New(now, "Aisha")
	a := r.Redact("Aisha said hi")
	b := r.Redact("tell aisha thanks")
	if !strings.Contains(a, "[NAME_1]") || !strings.Contains(b, "[NAME_1]") {
		t.Fatalf("got %q and %q, want [NAME_1] in both", a, b)
	}
}

func TestOrdinaryRepliesUntouched(t *testing.T) {
	for _, msg := range []string{"Yes", "Cancel", "Perfect", "STOP", "Can I come Thursday instead", "How much is the MRI?", "I'm Running late sorry"} {
		r := redact.New(now)
		if out := r.Redact(msg); out != msg {
			t.Errorf("%q → %q, want it unchanged", msg, out)
		}
	}
}
