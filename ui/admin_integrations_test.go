package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	entlocation "github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/webhookevent"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// The events page lists stored events with filters; an event's page shows
// its payload and history, and Replay processes a dead letter again (here
// a ManyChat subscriber: the contact appears, the history says so). Staff
// see none of it; the integrations page maps a Wix service.
func TestAdminWebhookEvents(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	staff := srv.SignIn(t, "staff@example.com")
	ctx := viewer.Seed.Grant(context.Background(), "test")
	c := srv.App.DB.Client
	loc, err := c.Location.Query().Where(entlocation.Code("SYD")).OnlyID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := c.WebhookEvent.Create().SetLocationID(loc).SetSource("manychat").SetKind("subscriber").SetEventType("subscriber").
		SetEventID("sub-1@x").SetPayload(`{"id":"sub-1","first_name":"Replayed","last_name":"Person","email":"replayed@example.com"}`).
		SetStatus(webhookevent.StatusDead).SetAttempts(3).SetLastError("database was locked").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WebhookEvent.Create().SetLocationID(loc).SetSource("wix").SetKind("rejected").SetEventType("wix.contacts.v4.contact_created").
		SetEventID("evt-x").SetPayload(`{}`).SetStatus(webhookevent.StatusRejected).SetLastError("unknown event type").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}

	p := getPage(t, srv, admin, "/admin/integrations/events?source=manychat")
	if p.Status != http.StatusOK {
		t.Fatalf("events: %d", p.Status)
	}
	rows := p.Doc.Find(byTestID("event-row"))
	if rows.Length() != 1 || !strings.Contains(text(rows), "dead") {
		t.Fatalf("filtered rows: %q", text(rows))
	}
	if p := getPage(t, srv, admin, "/admin/integrations/events?status=rejected"); !strings.Contains(text(p.Doc.Find(byTestID("events"))), "wix.contacts.v4.contact_created") {
		t.Errorf("status filter: %q", text(p.Doc.Find(byTestID("events"))))
	}
	href, _ := rows.Find(byTestID("event-link")).Attr("href")
	ev := getPage(t, srv, admin, href)
	if ev.Status != http.StatusOK || !strings.Contains(text(ev.Doc.Find(byTestID("payload"))), `"first_name":"Replayed"`) ||
		text(ev.Doc.Find(byTestID("event-error"))) != "database was locked" || ev.Doc.Find(byTestID("replay")).Length() != 1 {
		t.Fatalf("event page: %d %q", ev.Status, errorsOn(ev))
	}
	if p := getPage(t, srv, staff, href); p.Status != http.StatusForbidden {
		t.Errorf("staff see an event: %d", p.Status)
	}
	if p := postPage(t, srv, staff, href+"/replay", url.Values{}); p.Status != http.StatusForbidden {
		t.Errorf("staff replay: %d", p.Status)
	}

	after := postDone(t, srv, admin, href+"/replay", url.Values{}, href)
	if after.Doc.Find(byTestID("replay")).Length() != 0 && text(after.Doc.Find(byTestID("event-status"))) == "received" {
		t.Error("a waiting event offers Replay")
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		e, _ := c.WebhookEvent.Get(ctx, dead.ID)
		if e.Status == webhookevent.StatusProcessed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replayed event: %+v", e)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n, _ := c.Contact.Query().Where(contact.Email("replayed@example.com"), contact.LeadSourceEQ(contact.LeadSourceManychat)).Count(ctx); n != 1 {
		t.Errorf("%d contacts from the replay", n)
	}
	ev = getPage(t, srv, admin, href)
	var outcomes []string
	for _, n := range ev.Doc.Find(byTestID("history-outcome")).Nodes {
		if n.FirstChild != nil {
			outcomes = append(outcomes, n.FirstChild.Data)
		}
	}
	if strings.Join(outcomes, ",") != "replayed,processed" {
		t.Errorf("history: %v", outcomes)
	}

	// The integrations page: map a Wix service, see it listed.
	ip := getPage(t, srv, admin, "/admin/integrations")
	svc, ok := ip.Doc.Find(`#wix-service option`).First().Attr("value")
	if ip.Status != http.StatusOK || !ok {
		t.Fatalf("integrations: %d", ip.Status)
	}
	bad := postPage(t, srv, admin, "/admin/integrations/wix-services", url.Values{"wixServiceID": {""}, "serviceID": {svc}})
	if bad.Status != http.StatusUnprocessableEntity || bad.Doc.Find("#wix-id-error").Length() != 1 {
		t.Errorf("empty id: %d %q", bad.Status, errorsOn(bad))
	}
	done := postDone(t, srv, admin, "/admin/integrations/wix-services", url.Values{"wixServiceID": {"wix-svc-1"}, "wixName": {"MRI Knee"}, "serviceID": {svc}}, "/admin/integrations")
	if !strings.Contains(text(done.Doc.Find(byTestID("wix-services"))), "wix-svc-1") {
		t.Errorf("mapping not listed: %q", text(done.Doc.Find(byTestID("wix-services"))))
	}
}
