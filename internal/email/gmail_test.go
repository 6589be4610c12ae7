package email_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/email"
	"github.com/avatarimaging/avatarcrm/internal/email/emailtest"
)

func newGmail(t *testing.T, base, creds string, findSent bool) *email.Gmail {
	t.Helper()
	f := filepath.Join(t.TempDir(), "gmail.json")
	if err := os.WriteFile(f, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := email.NewGmail(context.Background(), email.GmailConfig{CredentialsFile: f, User: "clinic@example.com", BaseURL: base, FindSent: findSent})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGmail_SendFindAndRateLimit drives the Gmail provider against the
// fake, which checks every request is the documented one (bearer token,
// POST …/messages/send with {"raw": base64url RFC 2822}).
func TestGmail_SendFindAndRateLimit(t *testing.T) {
	fake := emailtest.NewGmail(t)
	g := newGmail(t, fake.URL, fake.CredentialsJSON(), true)
	ctx := context.Background()
	e := email.Email{MessageID: "m1.test@avatarcrm", FromName: "Clinic", From: "clinic@example.com", To: "pat@example.com", Subject: "Hello Pat", Text: "Your appointment is tomorrow."}

	res, err := g.Send(ctx, e)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if res.ProviderMessageID == "" {
		t.Fatal("send: no provider message id")
	}
	mails := fake.Mails()
	if len(mails) != 1 || mails[0].Header.Get("Subject") != "Hello Pat" || !strings.Contains(mails[0].Text, "tomorrow") {
		t.Fatalf("the fake got %+v", mails)
	}

	found, ok, err := g.Find(ctx, "m1.test@avatarcrm")
	if err != nil || !ok || found.ProviderMessageID != res.ProviderMessageID {
		t.Fatalf("find the sent message: %+v %v %v, want %q", found, ok, err, res.ProviderMessageID)
	}
	if _, ok, err := g.Find(ctx, "never-sent@avatarcrm"); err != nil || ok {
		t.Fatalf("find a message never sent: %v %v", ok, err)
	}

	fake.Fail429(1)
	_, err = g.Send(ctx, e)
	if temp, _ := email.Temporary(err); err == nil || !temp || !strings.Contains(err.Error(), "rateLimitExceeded") {
		t.Fatalf("a 429 answer: %v, want a temporary rateLimitExceeded error", err)
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Fatalf("requests not in the Gmail API's format: %v", p)
	}
}

// TestGmail_PermanentAndRetryAfter checks the classification of Google's
// error answers: a 400 is permanent, a 403 with a rate-limit reason and a
// 503 are temporary, and Retry-After is kept.
func TestGmail_PermanentAndRetryAfter(t *testing.T) {
	fake := emailtest.NewGmail(t)
	var status int
	var body string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			fake.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	defer api.Close()
	creds := strings.Replace(fake.CredentialsJSON(), fake.URL, api.URL, 1)
	g := newGmail(t, api.URL, creds, false)
	e := email.Email{MessageID: "m2.test@avatarcrm", From: "clinic@example.com", To: "pat@example.com", Subject: "s", Text: "t"}
	for _, c := range []struct {
		status int
		body   string
		temp   bool
	}{
		{400, `{"error":{"code":400,"message":"Invalid To header","errors":[{"reason":"invalidArgument"}]}}`, false},
		{403, `{"error":{"code":403,"message":"Daily limit","errors":[{"reason":"dailyLimitExceeded"}]}}`, true},
		{403, `{"error":{"code":403,"message":"Forbidden","errors":[{"reason":"forbidden"}]}}`, false},
		{503, `<html>unavailable</html>`, true},
	} {
		status, body = c.status, c.body
		_, err := g.Send(context.Background(), e)
		temp, after := email.Temporary(err)
		if err == nil || temp != c.temp || after.Seconds() != 7 {
			t.Errorf("status %d %s: err %v temporary %v after %v, want temporary %v after 7s", c.status, c.body, err, temp, after, c.temp)
		}
	}
}
