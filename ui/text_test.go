package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestUI_TextRefused: a form field holding a control character or bytes
// that are not UTF-8 is refused beside the field, nothing is created, and
// a search or filter in the address holding one gets a 422 page naming it.
func TestUI_TextRefused(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")

	for _, tc := range []struct{ name, value, want string }{
		{"control character", "Ann\x01", "control character (U+0001)"},
		{"not UTF-8", "Ren\xe9e", "not valid UTF-8 text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := postPage(t, srv, staff, "/contacts/new", url.Values{"first_name": {tc.value}, "last_name": {"Textcheck"}})
			ctStatus(t, p, http.StatusUnprocessableEntity, "POST with "+tc.name)
			if got := text(p.Doc.Find(byTestID("field-error-contact-first-name"))); !strings.Contains(got, tc.want) {
				t.Errorf("first name error %q, want %q; errors: %q", got, tc.want, errorsOn(p))
			}
			if n := len(ctList(t, srv, staff, map[string]any{"lastName": "Textcheck"})); n != 0 {
				t.Errorf("%d contacts created", n)
			}
		})
	}
	t.Run("notes keep their lines", func(t *testing.T) {
		p := postPage(t, srv, staff, "/contacts/new", url.Values{"first_name": {"Ann"}, "last_name": {"Lines"}, "notes": {"one\r\ntwo"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("status %d; errors %q", p.Status, errorsOn(p))
		}
	})
	for _, path := range []string{"/contacts?q=smith%00", "/contacts?stage=%FF", "/tasks?assignee=a%1Bb"} {
		p := getPage(t, srv, staff, path)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "in the address") {
			t.Errorf("GET %s: %d %q", path, p.Status, errorsOn(p))
		}
	}
	if p := getPage(t, srv, staff, "/contacts?q=smith"); p.Status != http.StatusOK {
		t.Errorf("an ordinary search: %d", p.Status)
	}
}
