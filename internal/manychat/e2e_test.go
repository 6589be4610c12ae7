package manychat_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/webhookevent"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

const secret = "mc-secret-0123456789abcdef"

func post(t *testing.T, url, auth, ct, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/hooks/manychat", strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A wrong or missing secret is 401 with nothing stored; the right one
// creates the contact (source manychat, consents as given, custom fields
// mapped); the same subscriber again changes nothing; a later post with a
// new consent updates the contact.
func TestManyChat_EndToEnd(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{
		"AVATARCRM_MANYCHAT_SECRET": secret,
		"AVATARCRM_MANYCHAT_FIELDS": "dob=date_of_birth,gp=referrer",
	}})
	c := srv.App.Ent.Ent
	sys := viewer.Operator.Grant(context.Background(), "manychat-test")
	n0, _ := c.WebhookEvent.Query().Count(sys)
	for name, auth := range map[string]string{"Missing": "", "Wrong": "Bearer not-the-secret-at-all", "Prefix": "Bearer " + secret[:10]} {
		if st, _ := post(t, srv.URL, auth, "application/json", subscriberJSON); st != http.StatusUnauthorized {
			t.Errorf("%s: %d", name, st)
		}
	}
	if n, _ := c.WebhookEvent.Query().Count(sys); n != n0 {
		t.Errorf("refused requests stored %d events", n-n0)
	}
	if st, body := post(t, srv.URL, "Bearer "+secret, "text/plain", subscriberJSON); st != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d %s", st, body)
	}
	if st, body := post(t, srv.URL, "Bearer "+secret, "application/json", subscriberJSON); st != http.StatusOK {
		t.Fatalf("post: %d %s", st, body)
	}
	wait := func(id string, want webhookevent.Status) *ent.WebhookEvent {
		deadline := time.Now().Add(60 * time.Second)
		for {
			ev, err := c.WebhookEvent.Query().Where(webhookevent.EventID(id)).Only(sys)
			if err == nil && ev.Status == want {
				return ev
			}
			if time.Now().After(deadline) {
				t.Fatalf("event %s: %+v %v", id, ev, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	wait("1234567890@2026-03-10T21:50:00+00:00", webhookevent.StatusProcessed)
	ct, err := c.Contact.Query().Where(contact.Email("maya@example.com")).Only(sys)
	if err != nil {
		t.Fatal(err)
	}
	if ct.LeadSource != contact.LeadSourceManychat || !ct.SmsConsent || ct.EmailConsent || ct.DateOfBirth == nil || string(*ct.DateOfBirth) != "1985-04-23" ||
		ct.Referrer == nil || *ct.Referrer != "Harbour Medical" || ct.Phone == nil || *ct.Phone != "+61491570120" {
		t.Errorf("contact: %+v", ct)
	}
	// The same post again: a duplicate, no second contact.
	if st, _ := post(t, srv.URL, secret, "application/json", subscriberJSON); st != http.StatusOK {
		t.Fatal(st)
	}
	// Later, with email consent given and no phone: found by email, updated.
	later := strings.Replace(subscriberJSON, `"optin_email":false`, `"optin_email":true`, 1)
	later = strings.Replace(later, `"last_interaction":"2026-03-10T21:50:00+00:00"`, `"last_interaction":"2026-03-10T22:30:00+00:00"`, 1)
	later = strings.Replace(later, `"phone":"+61491570120",`, ``, 1)
	if st, _ := post(t, srv.URL, "Bearer "+secret, "application/json; charset=utf-8", later); st != http.StatusOK {
		t.Fatal(st)
	}
	wait("1234567890@2026-03-10T22:30:00+00:00", webhookevent.StatusProcessed)
	n, _ := c.Contact.Query().Where(contact.Email("maya@example.com")).Count(sys)
	ct, _ = c.Contact.Get(sys, ct.ID)
	if n != 1 || !ct.EmailConsent {
		t.Errorf("%d contacts; email consent %v", n, ct.EmailConsent)
	}
	ev, _ := c.WebhookEvent.Query().Where(webhookevent.EventID("1234567890@2026-03-10T21:50:00+00:00")).Only(sys)
	if ev.Duplicates != 1 {
		t.Errorf("duplicates %d", ev.Duplicates)
	}
}
