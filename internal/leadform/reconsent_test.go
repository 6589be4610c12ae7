package leadform_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
)

// TestReconsent_AfterUnsubscribe: a patient who unsubscribed from
// campaign email and later asks for it again on the website form gets a
// fresh double opt-in email; only following that link lifts the
// unsubscribe (the contact's mark and the address's opt-out). The form
// alone, or a form naming another address, changes nothing.
func TestReconsent_AfterUnsubscribe(t *testing.T) {
	w := newWorld(t, "0")
	r := w.post(t, "application/json", `{"first_name":"Una","phone":"0491 570 222","email":"una@example.com"}`, nil)
	if r.StatusCode != http.StatusAccepted {
		t.Fatalf("lead: %d", r.StatusCode)
	}
	w.sentTo(t, "+61491570222") // the welcome SMS: the contact exists
	ct := w.contactByPhone(t, "+61491570222")
	// She unsubscribed from a campaign (as internal/campaigns records it).
	gone := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := w.c.Contact.UpdateOneID(ct.ID).SetEmailUnsubscribedAt(gone).SetEmailConsent(false).Exec(w.sys); err != nil {
		t.Fatal(err)
	}
	if err := messaging.OptOutAddressAt(w.sys, w.c, ct.LocationID, optout.ChannelEmail, "una@example.com", "unsubscribe_link", gone); err != nil {
		t.Fatal(err)
	}
	optIns := func() []string {
		ms, err := w.c.Message.Query().Where(message.ContactID(ct.ID), message.ChannelEQ(message.ChannelEmail), message.Template("lead_confirm")).All(w.sys)
		if err != nil {
			t.Fatal(err)
		}
		var links []string
		for _, m := range ms {
			links = append(links, regexp.MustCompile(`https?://\S+/hooks/lead/confirm/\S+`).FindString(m.Body))
		}
		return links
	}
	before := len(optIns())

	// The form again with another address: no opt-in email to the stored one.
	w.post(t, "application/json", `{"first_name":"Una","phone":"0491 570 222","email":"other@example.com","marketing_consent":true}`, nil)
	w.srv.SettleMessages(t, string(ct.ID))
	if n := len(optIns()); n != before {
		t.Fatalf("%d opt-in emails after a form with another address, want %d", n, before)
	}
	// With her own address: an opt-in email, and still unsubscribed.
	w.post(t, "application/json", `{"first_name":"Una","phone":"0491 570 222","email":"Una@Example.com","marketing_consent":true}`, nil)
	w.srv.SettleMessages(t, string(ct.ID))
	links := optIns()
	if len(links) != before+1 || links[len(links)-1] == "" {
		t.Fatalf("opt-in emails %q, want one more with a link", links)
	}
	if ct = w.contactByPhone(t, "+61491570222"); ct.EmailConsent || ct.EmailUnsubscribedAt == nil {
		t.Fatalf("the form alone changed consent: %v %v", ct.EmailConsent, ct.EmailUnsubscribedAt)
	}
	resp, err := w.srv.Client().Post(links[len(links)-1], "application/x-www-form-urlencoded", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if ct = w.contactByPhone(t, "+61491570222"); !ct.EmailConsent || ct.EmailUnsubscribedAt != nil {
		t.Errorf("after confirming: consent %v, unsubscribed %v", ct.EmailConsent, ct.EmailUnsubscribedAt)
	}
	if n, _ := w.c.OptOut.Query().Where(optout.ChannelEQ(optout.ChannelEmail), optout.Address("una@example.com")).Count(w.sys); n != 0 {
		t.Errorf("%d email opt-outs left for the address", n)
	}
	if n, _ := w.c.Contact.Query().Where(contact.Phone("+61491570222")).Count(w.sys); n != 1 {
		t.Errorf("%d contacts", n)
	}
}
