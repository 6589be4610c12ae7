package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	entlocation "github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/webhookevent"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestBrowser_WebhookEventsReplay: an administrator finds a dead-lettered
// event from the Integrations tab, reads its payload and history, and
// replays it; the pages log no error and keep the CSP.
func TestBrowser_WebhookEventsReplay(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	sys := viewer.Seed.Grant(context.Background(), "test")
	c := srv.App.DB.Client
	loc, err := c.Location.Query().Where(entlocation.Code("SYD")).OnlyID(sys)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := c.WebhookEvent.Create().SetLocationID(loc).SetSource("manychat").SetKind("subscriber").SetEventType("subscriber").
		SetEventID("browser-1").SetPayload(`{"id":"browser-1","first_name":"Browser","email":"browser@example.com"}`).
		SetStatus(webhookevent.StatusDead).SetAttempts(10).SetLastError("database is locked").Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}
	srv.SignInBrowser(t, ctx, "admin@example.com")
	load(t, ctx, "open Admin", chromedp.Click(sel("nav-admin")))
	load(t, ctx, "open Integrations", chromedp.Click(sel("admin-integrations")))
	check("integrations")
	load(t, ctx, "open the events", chromedp.Click(sel("events-link")))
	check("events")
	if got := testutil.Text(t, ctx, testutil.TestID("event-row")); !strings.Contains(got, "dead") || !strings.Contains(got, "manychat") {
		t.Fatalf("the event row reads %q", got)
	}
	load(t, ctx, "open the event", chromedp.Click(sel("event-link")))
	check("event")
	if got := testutil.Text(t, ctx, testutil.TestID("payload")); !strings.Contains(got, `"first_name":"Browser"`) {
		t.Errorf("payload %q", got)
	}
	load(t, ctx, "replay", chromedp.Click(sel("replay")))
	if got := location(t, ctx); !strings.HasPrefix(got, srv.URL+"/admin/integrations/events/"+ev.ID.String()+"?done=") {
		t.Errorf("after replay the page is %s", got)
	}
	if got := testutil.Text(t, ctx, ".flash"); !strings.Contains(got, "Replay queued") {
		t.Errorf("flash %q", got)
	}
	check("after replay")
	deadline := time.Now().Add(60 * time.Second)
	for {
		e, _ := c.WebhookEvent.Get(sys, ev.ID)
		if e.Status == webhookevent.StatusProcessed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replayed event is %s", e.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
