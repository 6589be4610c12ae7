package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestAdmin_AddLocation: an administrator adds a location from the admin
// area and sees it listed; a bad zone and a taken code come back beside
// their fields with the input kept; a manager gets no page and no link.
func TestAdmin_AddLocation(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")

	idx := getPage(t, srv, admin, "/admin")
	if idx.Doc.Find(byTestID("admin-locations")).Length() != 1 {
		t.Fatal("no Locations section on the admin page")
	}
	bad := postPage(t, srv, admin, "/admin/locations", url.Values{"code": {"NEW"}, "name": {"Kept"}, "timeZone": {"Sydney"}})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad zone: status %d, errors %q", bad.Status, errorsOn(bad))
	}
	zone := bad.Doc.Find("#loc-timeZone")
	if msg := zone.Parent().Find(byTestID("field-error-loc-timeZone")); msg.Length() != 1 || !strings.Contains(text(msg), "IANA") {
		t.Fatalf("no message beside the time zone; errors: %q", errorsOn(bad))
	}
	if v, _ := bad.Doc.Find("#loc-name").Attr("value"); v != "Kept" {
		t.Errorf("name input holds %q", v)
	}
	if v, _ := zone.Attr("aria-invalid"); v != "true" {
		t.Error("time zone input not aria-invalid")
	}
	taken := postPage(t, srv, admin, "/admin/locations", url.Values{"code": {"par"}, "name": {"X"}, "timeZone": {"Australia/Sydney"}})
	if taken.Status != http.StatusConflict || taken.Doc.Find(byTestID("field-error-loc-code")).Length() != 1 {
		t.Fatalf("taken code: status %d, errors %q", taken.Status, errorsOn(taken))
	}

	next := postDone(t, srv, admin, "/admin/locations", url.Values{
		"code": {"bdi"}, "name": {"Avatar Imaging Bondi"}, "timeZone": {"Australia/Sydney"}, "phone": {"02 9300 0100"},
	}, "/admin/locations")
	codes := text(next.Doc.Find(byTestID("location-code")))
	if !strings.Contains(codes, "BDI") {
		t.Errorf("the list shows %v, want BDI in it", codes)
	}

	mgr := srv.SignIn(t, "manager@example.com")
	if p := getPage(t, srv, mgr, "/admin/locations"); p.Status != http.StatusForbidden {
		t.Errorf("manager: status %d, want 403", p.Status)
	}
	if getPage(t, srv, mgr, "/admin").Doc.Find(byTestID("admin-locations")).Length() != 0 {
		t.Error("the manager is offered the Locations section")
	}
}
