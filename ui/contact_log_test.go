package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestContacts_LogTouchpoint: staff log an inbound call from the contact
// page; it is on the timeline and is the patient's last contact in the
// warmness reasons. An empty text and a time in the future come back
// beside their fields with the input kept; a viewer sees no form.
func TestContacts_LogTouchpoint(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	ct := ctCreate(t, srv, staff, map[string]any{"firstName": "Logged", "lastName": "Caller"}, true)
	path := "/contacts/" + ct.ID

	p := getPage(t, srv, staff, path)
	form := p.Doc.Find(byTestID("log-form"))
	if form.Length() != 1 {
		t.Fatal("no log form on the contact page")
	}
	if v, _ := form.Find("#log-date").Attr("value"); v != "2026-03-11" {
		t.Errorf("date defaults to %q, want today in Sydney", v)
	}

	bad := postPage(t, srv, staff, path+"/touchpoints", url.Values{"channel": {"sms"}, "direction": {"outbound"}, "text": {"  "}})
	if bad.Status != http.StatusUnprocessableEntity || bad.Doc.Find(byTestID("field-error-log-text")).Length() != 1 {
		t.Fatalf("empty text: status %d, errors %q", bad.Status, errorsOn(bad))
	}
	if v, _ := bad.Doc.Find("#log-channel option[selected]").Attr("value"); v != "sms" {
		t.Errorf("channel not kept: %q", v)
	}
	future := postPage(t, srv, staff, path+"/touchpoints", url.Values{"channel": {"note"}, "direction": {""}, "text": {"x"}, "date": {"2026-03-20"}, "time": {"10:00"}})
	if future.Status != http.StatusUnprocessableEntity || !strings.Contains(text(future.Doc.Find(byTestID("field-error-log-time"))), "future") {
		t.Fatalf("future time: status %d, errors %q", future.Status, errorsOn(future))
	}

	next := postDone(t, srv, staff, path+"/touchpoints", url.Values{
		"channel": {"call"}, "direction": {"inbound"}, "text": {"Asked about an MRI of the knee"}, "date": {"2026-03-11"}, "time": {"08:30"},
	}, path)
	first := next.Doc.Find(byTestID("timeline") + " li").First()
	if k, _ := first.Attr("data-kind"); k != "call_in" || !strings.Contains(text(first), "Asked about an MRI of the knee") {
		t.Errorf("first timeline item %q (%s)", text(first), k)
	}
	reasons := text(next.Doc.Find(byTestID("warmness-reasons")))
	if !strings.Contains(reasons, "Last contact from the patient in the last 24 hours") {
		t.Errorf("warmness reasons: %q", reasons)
	}

	viewer := srv.SignIn(t, "viewer@example.com")
	if getPage(t, srv, viewer, path).Doc.Find(byTestID("log-form")).Length() != 0 {
		t.Error("a viewer is offered the log form")
	}
}
