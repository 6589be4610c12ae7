package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// TestMessagesPages: a message queued by the app goes through the outbox
// and shows on the messages page with its contact; the template editor
// previews a template for a real contact with its segment count, as htmx
// asks for it while typing, and refuses an unknown variable beside the
// field; the schedules page lists each schedule's next run.
func TestMessagesPages(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	c := srv.App.Ent.Ent
	admin := testutil.As(t, c, "admin@example.com")
	ct, err := c.Contact.Query().Where(contact.PhoneNotNil()).Order(ent.Asc(contact.FieldID)).First(admin)
	if err != nil {
		t.Fatal(err)
	}
	var m *ent.Message
	err = txn.Run(admin, c, func(ctx context.Context, tc *ent.Client) error {
		m, err = srv.App.Messaging.QueueSMS(ctx, tc, messaging.SMSInput{ContactID: ct.ID, Body: "Your results are ready", Urgent: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := c.Message.Get(admin, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == message.StatusSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("message still %s", got.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	hc := srv.SignIn(t, "admin@example.com")

	p := getPage(t, srv, hc, "/messages?status=sent")
	if p.Status != http.StatusOK {
		t.Fatalf("messages page: %d\n%s", p.Status, p.Body)
	}
	row := p.Doc.Find(`[data-testid="message-row"]`).First()
	if !strings.Contains(row.Find(`[data-testid="message-body"]`).Text(), "Your results are ready") || row.Find(`[data-testid="message-status"]`).Text() != "sent" {
		t.Fatalf("first row: %q", row.Text())
	}
	if href, _ := row.Find(`[data-testid="message-contact"]`).Attr("href"); href != "/contacts/"+string(ct.ID) {
		t.Errorf("contact link %q", href)
	}
	if n := getPage(t, srv, hc, "/messages?status=failed").Doc.Find(`[data-testid="message-row"]`).Length(); n != 0 {
		t.Errorf("%d failed messages listed", n)
	}
	if p := getPage(t, srv, hc, "/messages?status=bogus"); p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusBadRequest {
		t.Errorf("bad status filter: %d", p.Status)
	}

	p = getPage(t, srv, hc, "/messages/templates")
	if n := p.Doc.Find(`[data-testid="sms-template-row"]`).Length(); n != 6 {
		t.Fatalf("%d templates listed, want 6", n)
	}
	p = getPage(t, srv, hc, "/messages/templates/reminder_24h?contact="+string(ct.ID))
	if p.Status != http.StatusOK || !strings.Contains(p.Doc.Find(`[data-testid="preview-body"]`).Text(), ct.FirstName) {
		t.Fatalf("editor: %d %q", p.Status, p.Doc.Find(`[data-testid="sms-preview"]`).Text())
	}
	// htmx asks for the preview as the text is typed.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/messages/templates/reminder_24h/preview",
		strings.NewReader(url.Values{"body": {strings.Repeat("x", 150) + " {{first_name}}"}, "contact": {string(ct.ID)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	p = fetch(t, hc, req)
	if p.Status != http.StatusOK || p.Doc.Find(`[data-testid="preview-segments"]`).Text() != "2" || p.Doc.Find("html body nav").Length() != 0 {
		t.Fatalf("htmx preview: %d %q", p.Status, p.Body)
	}
	// An unknown variable is refused next to the text.
	p = postPage(t, srv, hc, "/messages/templates/reminder_24h", url.Values{"name": {"Reminder"}, "body": {"Hi {{frist_name}}"}, "contact": {string(ct.ID)}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Doc.Find(`[data-testid="error-body"]`).Text(), "frist_name") {
		t.Fatalf("unknown variable: %d %q", p.Status, p.Doc.Find(`[data-testid="error-body"]`).Text())
	}
	p = postPage(t, srv, hc, "/messages/templates/reminder_24h", url.Values{"name": {"Reminder"}, "body": {"See you {{booking_time}}, {{first_name}}"}, "contact": {string(ct.ID)}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", p.Status, p.Body)
	}
	p = getPage(t, srv, hc, p.Location)
	if p.Doc.Find(`[data-testid="sms-template-saved"]`).Length() != 1 || p.Doc.Find(`[data-testid="tpl-body"]`).Text() != "See you {{booking_time}}, {{first_name}}" {
		t.Fatalf("after save: %q", p.Doc.Find(`[data-testid="tpl-body"]`).Text())
	}

	p = getPage(t, srv, hc, "/messages/schedules")
	names := p.Doc.Find(`[data-testid="schedule-name"]`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if !strings.Contains(strings.Join(names, ","), "reminders") || !strings.Contains(strings.Join(names, ","), "recalls") {
		t.Fatalf("schedules: %v", names)
	}

	// Staff read messages and the templates (the send box offers them),
	// but cannot edit a template, nor see the schedules.
	staff := srv.SignIn(t, "staff@example.com")
	if p := getPage(t, srv, staff, "/messages"); p.Status != http.StatusOK {
		t.Errorf("staff messages: %d", p.Status)
	}
	if p := getPage(t, srv, staff, "/messages/templates"); p.Status != http.StatusOK {
		t.Errorf("staff templates: %d", p.Status)
	}
	if p := postPage(t, srv, staff, "/messages/templates/reminder_24h", url.Values{"name": {"Reminder"}, "body": {"Hi {{first_name}}"}}); p.Status != http.StatusForbidden {
		t.Errorf("staff edits a template: %d", p.Status)
	}
	if p := getPage(t, srv, staff, "/messages/schedules"); p.Status != http.StatusForbidden {
		t.Errorf("staff schedules: %d", p.Status)
	}
}
