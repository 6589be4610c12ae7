package labels_test

import (
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/labels"
)

// TestEveryEnumHasALabel: each value the schema stores in an enum a page
// shows, and each CSV column, has words in the table (no code reaches a
// screen by the fallback), and no words look like a code.
func TestEveryEnumHasALabel(t *testing.T) {
	lists := map[string][]string{
		"lead sources": schema.LeadSources, "pipelines": schema.Pipelines, "stages": schema.Stages,
		"booking statuses": schema.BookingStatuses, "booking events": schema.BookingEventKinds,
		"task statuses": schema.TaskStatuses, "task kinds": schema.TaskKinds, "task priorities": schema.TaskPriorities,
		"task events":  schema.TaskEventKinds,
		"lead intents": schema.LeadIntents, "urgencies": schema.Urgencies,
		"touchpoint kinds": {"sms_in", "sms_out", "email_in", "email_out", "call_in", "call_out", "note", "booking_event", "web_form", "stage_change",
			"email_open", "email_click", "email_bounce", "email_unsub"},
		"roles":       {"admin", "manager", "staff", "viewer"},
		"modalities":  {"mri", "ct", "xray", "ultrasound", "mammography", "dexa", "nuclear", "other"},
		"csv columns": contacts.ExportFields,
		"sms intents": schema.SMSIntents, "sms actions": schema.SMSActions,
		"message directions": {"inbound", "outbound"},
	}
	for name, codes := range lists {
		for _, c := range codes {
			if !labels.Has(c) {
				t.Errorf("%s: %q has no words in the label table", name, c)
			}
			if w := labels.Of(c); strings.Contains(w, "_") || w == c {
				t.Errorf("%s: %q reads %q", name, c, w)
			}
		}
	}
	if got := labels.Of("some_new_code"); got != "Some new code" {
		t.Errorf("fallback: %q", got)
	}
}
