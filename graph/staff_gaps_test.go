package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestCreateBooking_PastVisit: createBooking of a time that has passed is
// INVALID on pastVisit unless pastVisit says how it went; with it, the
// booking is recorded with that outcome.
func TestCreateBooking_PastVisit(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	b := bookingClient{t, srv, srv.SignIn(t, "staff@example.com")}
	xray := b.serviceID("X-Ray Chest")
	// 06:00 Tuesday 10 March, Sydney: the day before the server's clock.
	r := b.create(b.newContact(), xray, "2026-03-09T19:00:00Z", "2026-03-09T19:10:00Z")
	if e := wantCode(t, r, "INVALID"); e.Extensions["field"] != "pastVisit" || !strings.Contains(e.Message, "has already passed") {
		t.Fatalf("past booking without an outcome: %+v", e)
	}
	const past = `mutation($c: ID!, $s: ID!, $o: PastVisitOutcome!, $st: Time!, $en: Time!) {
	  createBooking(input: {contactID: $c, serviceID: $s, startsAt: $st, endsAt: $en}, pastVisit: {outcome: $o}) { status history { kind } } }`
	for i, outcome := range []string{"completed", "no_show", "cancelled"} {
		status := outcome
		st := time.Date(2026, 3, 9, 19, 10*i, 0, 0, time.UTC)
		var out struct {
			CreateBooking struct {
				Status  string
				History []struct{ Kind string }
			}
		}
		srv.MustGraphQL(t, b.c, past, map[string]any{"c": b.newContact(), "s": xray, "o": outcome,
			"st": st.Format(time.RFC3339), "en": st.Add(10 * time.Minute).Format(time.RFC3339)}).Decode(t, &out)
		if out.CreateBooking.Status != status || out.CreateBooking.History[0].Kind != "created" {
			t.Errorf("%s: %+v", outcome, out.CreateBooking)
		}
	}
	r = srv.GraphQL(t, b.c, `mutation($c: ID!, $s: ID!) {
	  createBooking(input: {contactID: $c, serviceID: $s, startsAt: "2026-03-20T00:00:00Z", endsAt: "2026-03-20T00:10:00Z"}, pastVisit: {outcome: completed}) { id } }`,
		map[string]any{"c": b.newContact(), "s": xray})
	if e := wantCode(t, r, "INVALID"); e.Extensions["field"] != "pastVisit" {
		t.Fatalf("a future booking as a past visit: %+v", e)
	}
}

// TestLogTouchpoint: staff log an inbound call; it is on the timeline and
// is the patient's last contact in the warmness reasons. Bad input is
// INVALID naming the field; a viewer may not log.
func TestLogTouchpoint(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	b := bookingClient{t, srv, srv.SignIn(t, "staff@example.com")}
	id := b.newContact()
	const logIt = `mutation($in: LogTouchpointInput!) { logTouchpoint(input: $in) { id kind summary occurredAt actor { email } } }`
	var out struct {
		LogTouchpoint struct {
			Kind, Summary, OccurredAt string
			Actor                     struct{ Email string }
		}
	}
	srv.MustGraphQL(t, b.c, logIt, map[string]any{"in": map[string]any{
		"contactID": id, "channel": "call", "direction": "inbound", "text": "  Asked about knee MRI prices ",
	}}).Decode(t, &out)
	got := out.LogTouchpoint
	if got.Kind != "call_in" || got.Summary != "Asked about knee MRI prices" || got.OccurredAt != "2026-03-10T22:00:00Z" || got.Actor.Email != "staff@example.com" {
		t.Fatalf("logged %+v", got)
	}
	var ct struct {
		Node struct {
			Warmness        int
			WarmnessReasons []struct {
				Factor, Detail string
				Points         int
			}
		}
		ContactTimeline []struct{ Kind, Summary string }
	}
	srv.MustGraphQL(t, b.c, `query($id: ID!) { node(id: $id) { ... on Contact { warmness warmnessReasons { factor detail points } } } contactTimeline(id: $id) { kind summary } }`,
		map[string]any{"id": id}).Decode(t, &ct)
	if len(ct.ContactTimeline) == 0 || ct.ContactTimeline[0].Kind != "call_in" {
		t.Errorf("timeline %+v", ct.ContactTimeline)
	}
	found := false
	for _, r := range ct.Node.WarmnessReasons {
		found = found || (r.Factor == "recency" && r.Points == 30 && r.Detail == "Last contact from the patient in the last 24 hours")
	}
	if !found {
		t.Errorf("reasons %+v", ct.Node.WarmnessReasons)
	}
	for _, tc := range []struct {
		in    map[string]any
		field string
	}{
		{map[string]any{"contactID": id, "channel": "call", "text": "x"}, "direction"},
		{map[string]any{"contactID": id, "channel": "note", "direction": "inbound", "text": "x"}, "direction"},
		{map[string]any{"contactID": id, "channel": "sms", "direction": "outbound", "text": "  "}, "text"},
		{map[string]any{"contactID": id, "channel": "note", "text": strings.Repeat("x", 501)}, "text"},
		{map[string]any{"contactID": id, "channel": "note", "text": "x", "occurredAt": "2026-03-12T00:00:00Z"}, "occurredAt"},
	} {
		r := srv.GraphQL(t, b.c, logIt, map[string]any{"in": tc.in})
		if e := wantCode(t, r, "INVALID"); e.Extensions["field"] != tc.field {
			t.Errorf("%v: field %v, want %s (%s)", tc.in, e.Extensions["field"], tc.field, e.Message)
		}
	}
	viewer := srv.SignIn(t, "viewer@example.com")
	if r := srv.GraphQL(t, viewer, logIt, map[string]any{"in": map[string]any{"contactID": id, "channel": "note", "text": "x"}}); r.FirstCode() != "FORBIDDEN" {
		t.Errorf("viewer: %+v", r.Errors)
	}
}
