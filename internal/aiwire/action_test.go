package aiwire

import (
	"strings"
	"testing"
)

// A sure STOP is honoured at once; anything unsure goes to a person, STOP
// included; a proposed time is carried into the reschedule task.
func TestWouldDo(t *testing.T) {
	cases := []struct {
		intent   string
		review   bool
		proposed string
		want     string
	}{
		{"opt_out", false, "", "Unsubscribe"},
		{"opt_out", true, "", "Hand the reply to a person"},
		{"confirm", true, "", "Hand the reply to a person"},
		{"confirm", false, "", "Mark the booking confirmed"},
		{"reschedule", false, "Tue 9 Dec 14:00", "move the booking to Tue 9 Dec 14:00,"},
		{"reschedule", false, "", "move the booking,"},
		{"other", false, "", "Hand the reply to a person"},
		{"cancel", false, "", "free the slot"},
	}
	for _, c := range cases {
		if got := WouldDo(c.intent, c.review, c.proposed); !strings.Contains(got, c.want) {
			t.Errorf("WouldDo(%s, review=%v, %q) = %q, want it to say %q", c.intent, c.review, c.proposed, got, c.want)
		}
	}
}

// Every intent has a plan, and only sure ones change anything.
func TestPlan(t *testing.T) {
	for _, in := range []string{"confirm", "cancel", "reschedule", "question", "opt_out", "opt_in", "other"} {
		if got := Plan(in, true); got != ActionNeedsReply {
			t.Errorf("Plan(%s, review) = %s, want needs_reply", in, got)
		}
	}
	if got := Plan("other", false); got != ActionNeedsReply {
		t.Errorf("Plan(other) = %s, want needs_reply", got)
	}
	if got := Plan("confirm", false); got != ActionConfirm {
		t.Errorf("Plan(confirm) = %s", got)
	}
}
