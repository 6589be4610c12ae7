package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// The webhooks page over plain HTTP: the lead form's address and snippet,
// a subscription created from the form (its secret shown once), its
// field error, the lead form's origins, and who may see it.
func TestAdminWebhooks_Page(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")

	p := getPage(t, srv, admin, "/admin/webhooks")
	if p.Status != http.StatusOK || !strings.Contains(text(p.Doc.Find(byTestID("lead-form-url"))), "/hooks/lead/") ||
		!strings.Contains(text(p.Doc.Find(byTestID("lead-snippet"))), `name="website"`) {
		t.Fatalf("page: %d, form URL %q", p.Status, text(p.Doc.Find(byTestID("lead-form-url"))))
	}

	p = postPage(t, srv, admin, "/admin/webhooks", url.Values{"url": {"https://hooks.example.com/crm"}, "eventTypes": {"contact.created", "booking.created"}})
	if secret := text(p.Doc.Find(byTestID("webhook-secret-value"))); p.Status != http.StatusOK || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("create: %d, secret %q", p.Status, secret)
	}
	if n := p.Doc.Find(byTestID("webhook-row")).Length(); n != 1 {
		t.Errorf("%d subscriptions listed", n)
	}
	if p = getPage(t, srv, admin, "/admin/webhooks"); p.Doc.Find(byTestID("webhook-secret")).Length() != 0 {
		t.Error("the secret is shown again")
	}
	p = postPage(t, srv, admin, "/admin/webhooks", url.Values{"url": {"http://127.0.0.1/x"}, "eventTypes": {"contact.created"}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find(byTestID("error-url")).Length() != 1 {
		t.Errorf("a loopback URL: %d", p.Status)
	}
	postDone(t, srv, admin, "/admin/webhooks/lead-form", url.Values{"origins": {"https://www.clinic.example/"}, "doubleOptIn": {"true"}}, "/admin/webhooks")
	if p = getPage(t, srv, admin, "/admin/webhooks"); text(p.Doc.Find(byTestID("lead-origins"))) != "https://www.clinic.example" {
		t.Errorf("origins %q", text(p.Doc.Find(byTestID("lead-origins"))))
	}
	p = postPage(t, srv, admin, "/admin/webhooks/lead-form", url.Values{"origins": {"not a site"}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find(byTestID("error-origins")).Length() != 1 {
		t.Errorf("a bad origin: %d", p.Status)
	}

	staff := srv.SignIn(t, "staff@example.com")
	if p := getPage(t, srv, staff, "/admin/webhooks"); p.Status != http.StatusForbidden {
		t.Errorf("staff: %d", p.Status)
	}
	if p := postPage(t, srv, staff, "/admin/webhooks", url.Values{"url": {"https://x.example"}, "eventTypes": {"contact.created"}}); p.Status != http.StatusForbidden {
		t.Errorf("staff post: %d", p.Status)
	}
}
