package ui_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestAdminAudit(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	staff := srv.SignIn(t, "staff@example.com")
	// Staff look at a contact list: PHI read, recorded.
	if resp, _ := get(t, staff, srv.URL+"/contacts?q=smith"); resp.StatusCode != 200 {
		t.Fatalf("contacts: %d", resp.StatusCode)
	}
	// Let the batched writer flush.
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		n, _ := srv.App.DB.Client.AuditEntry.Query().Where(auditentry.Path("/contacts"), auditentry.Email("staff@example.com")).Count(viewer.Seed.Grant(context.Background(), "test"))
		if n > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	resp, body := get(t, admin, srv.URL+"/admin/audit?user=staff@example.com")
	if resp.StatusCode != 200 {
		t.Fatalf("audit page: %d", resp.StatusCode)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	rows := doc.Find(`[data-testid="audit-row"]`)
	found := false
	rows.Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "/contacts") && strings.Contains(s.Text(), "PHI") {
			found = true
		}
		if !strings.Contains(s.Text(), "staff@example.com") {
			t.Errorf("filtered by staff, row shows %q", s.Text())
		}
	})
	if !found {
		t.Fatalf("the staff member's PHI read is not listed (%d rows)", rows.Length())
	}
	if doc.Find(`[data-testid="nav-audit"]`).Length() != 1 {
		t.Error("admins should see the Audit nav item")
	}

	resp, csvBody := get(t, admin, srv.URL+"/admin/audit/export?format=csv&user=staff@example.com")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	recs, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("export CSV: %v, %d records", err, len(recs))
	}
	for _, rec := range recs[1:] {
		if !strings.Contains(strings.Join(rec, ","), "staff@example.com") {
			t.Errorf("export row not by staff: %v", rec)
		}
	}
	srv.Stop(t)
	n, err := srv.App.DB.Client.AuditEntry.Query().Where(auditentry.Action("export"), auditentry.Email("admin@example.com")).Count(viewer.Seed.Grant(context.Background(), "test"))
	if err != nil || n != 1 {
		t.Fatalf("the export itself is not in the trail: %d %v", n, err)
	}
}

func TestAdminAudit_Refused(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	for _, email := range []string{"manager@example.com", "staff@example.com", "viewer@example.com"} {
		c := srv.SignIn(t, email)
		for _, path := range []string{"/admin/audit", "/admin/audit/export?format=csv"} {
			if resp, _ := get(t, c, srv.URL+path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", email, path, resp.StatusCode)
			}
		}
		_, home := get(t, c, srv.URL+"/")
		if strings.Contains(home, `data-testid="nav-audit"`) {
			t.Errorf("%s sees the Audit nav item", email)
		}
	}
}
