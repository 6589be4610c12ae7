package server_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

func getText(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAudit_ServerReportsTruncatedTrail: a server writes its trail and
// stops; someone with the database drops the append-only triggers and
// deletes the newest entries (or all of them); the next start repairs the
// triggers, logs the break as an error, fails /readyz/audit (while /readyz
// stays ready) and shows admins a banner on the audit page.
func TestAudit_ServerReportsTruncatedTrail(t *testing.T) {
	for _, tc := range []struct{ name, delete, logged string }{
		{"newest three", "DELETE FROM audit_entries WHERE id > (SELECT MAX(id) - 3 FROM audit_entries)", "were deleted: the newest entry is"},
		{"all", "DELETE FROM audit_entries", "every entry was deleted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{
				"AVATARCRM_AUDIT_KEY_FILE":  testutil.WriteAuditKey(t, filepath.Join(dir, "secrets", "audit.key")),
				"AVATARCRM_AUDIT_HEAD_FILE": filepath.Join(dir, "state", "audit.head"),
			}
			dbURL := "sqlite:" + testutil.DemoDBPath(t)
			srv := testutil.StartServer(t, testutil.ServerOptions{DatabaseURL: dbURL, Env: env})
			c := srv.SignIn(t, "admin@example.com")
			srv.MustGraphQL(t, c, `{ contacts(first: 3) { totalCount } }`, nil)
			if code, body := getText(t, c, srv.URL+"/readyz/audit"); code != http.StatusOK || body != "audit: ok\n" {
				t.Fatalf("/readyz/audit on an intact trail: %d %q", code, body)
			}
			srv.Stop(t)
			kept, ok, err := audit.ReadHeadFile(env["AVATARCRM_AUDIT_HEAD_FILE"])
			if err != nil || !ok || kept.ID < 4 {
				t.Fatalf("head file after the stop: %v %v %v", kept, ok, err)
			}
			if head, _ := srv.App.Audit.Head(context.Background()); head != kept {
				t.Fatalf("head file %s, chain %s", kept, head)
			}

			d, err := db.Open(context.Background(), db.Config{URL: dbURL})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{"DROP TRIGGER audit_entries_no_update", "DROP TRIGGER audit_entries_no_delete", tc.delete} {
				if _, err := d.SQL.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			_ = d.Close()

			logs := testutil.CaptureLogs(t)
			srv = testutil.StartServer(t, testutil.ServerOptions{DatabaseURL: dbURL, Env: env})
			c = srv.SignIn(t, "admin@example.com")
			code, body := getText(t, c, srv.URL+"/readyz/audit")
			if code != http.StatusServiceUnavailable || !strings.Contains(body, "chain_broken") || !strings.Contains(body, "triggers") {
				t.Errorf("/readyz/audit: %d %q, want 503 naming chain_broken and triggers", code, body)
			}
			if code, _ := getText(t, c, srv.URL+"/readyz"); code != http.StatusOK {
				t.Errorf("/readyz: %d, want 200: the clinic keeps working", code)
			}
			out := logs.String()
			for _, want := range []string{"level=ERROR", "the trail is broken", tc.logged, "append-only protection of audit_entries was missing"} {
				if !strings.Contains(out, want) {
					t.Errorf("log lacks %q:\n%s", want, out)
				}
			}
			code, page := getText(t, c, srv.URL+"/admin/audit")
			if code != http.StatusOK || !strings.Contains(page, `data-testid="audit-integrity"`) || !strings.Contains(page, tc.logged) {
				t.Errorf("admin audit page: %d, banner missing or without %q", code, tc.logged)
			}
			// The API says the same to an admin (auditIntegrity), and
			// nothing to staff.
			var st struct {
				AuditIntegrity struct {
					OK       bool `json:"ok"`
					Problems []struct{ Kind, Message string }
				}
			}
			srv.MustGraphQL(t, c, `{ auditIntegrity { ok problems { kind message } } }`, nil).Decode(t, &st)
			kinds := map[string]string{}
			for _, p := range st.AuditIntegrity.Problems {
				kinds[p.Kind] = p.Message
			}
			if st.AuditIntegrity.OK || !strings.Contains(kinds[audit.ProblemChainBroken], tc.logged) || kinds[audit.ProblemTriggers] == "" {
				t.Errorf("auditIntegrity = %+v, want not ok, chain_broken (%q) and triggers", st.AuditIntegrity, tc.logged)
			}
			staff := srv.SignIn(t, "staff@example.com")
			if r := srv.GraphQL(t, staff, `{ auditIntegrity { ok } }`, nil); len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
				t.Errorf("auditIntegrity as staff: %+v, want FORBIDDEN", r)
			}
			// The trail keeps recording; the head file stays as evidence.
			srv.Stop(t)
			if h, _, _ := audit.ReadHeadFile(env["AVATARCRM_AUDIT_HEAD_FILE"]); h != kept {
				t.Errorf("head file moved from %s to %s after the break", kept, h)
			}
		})
	}
}

// TestAudit_KeyInDataDirectoryWarned: in production mode, a key (and head)
// file beside the database gets a warning at start that says where to put
// it instead; in development mode it does not.
func TestAudit_KeyInDataDirectoryWarned(t *testing.T) {
	for _, dev := range []bool{false, true} {
		dbPath := testutil.DemoDBPath(t)
		logs := testutil.CaptureLogs(t)
		srv := testutil.StartServer(t, testutil.ServerOptions{DatabaseURL: "sqlite:" + dbPath, NoDev: !dev, Env: map[string]string{
			"AVATARCRM_AUDIT_KEY_FILE": testutil.WriteAuditKey(t, filepath.Join(filepath.Dir(dbPath), "audit.key")),
		}})
		srv.Stop(t)
		out := logs.String()
		warned := strings.Contains(out, "audit key file") && strings.Contains(out, "inside the data directory") &&
			strings.Contains(out, "AVATARCRM_AUDIT_KEY_FILE") && strings.Contains(out, "audit head file")
		if warned == dev {
			t.Errorf("dev %v: warned %v:\n%s", dev, warned, out)
		}
	}
}
