package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestBrowser_AdminInviteAndToken signs in as an administrator the way a
// person does, invites someone through the form and sees them listed, then
// creates an API token and sees it once, and only once. On the way it
// changes a permission with the matrix's select, which app.js submits on
// change. No page may log an error or break the CSP.
func TestBrowser_AdminInviteAndToken(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := testutil.Browser(t)
	problems := testutil.WatchPage(t, ctx)
	check := func(page string) {
		t.Helper()
		for _, p := range problems.Check(t, ctx) {
			t.Errorf("%s: %s", page, p)
		}
	}
	srv.SignInBrowser(t, ctx, "admin@example.com")
	check("dashboard")

	load(t, ctx, "open Admin", chromedp.Click(sel("nav-admin")))
	if got := testutil.Text(t, ctx, "h1"); got != "Admin" {
		t.Fatalf("the admin page's heading is %q", got)
	}
	check("admin index")
	load(t, ctx, "open People", chromedp.Click(sel("admin-users")))
	check("people")

	// Invite someone.
	const email = "jo.bloggs@example.com"
	do(t, ctx, "fill in the invitation",
		chromedp.SendKeys(chromedp.ID("invite-email"), email),
		chromedp.SendKeys(chromedp.ID("invite-name"), "Jo Bloggs"),
		chromedp.SetValue(chromedp.ID("invite-role"), "viewer"),
	)
	load(t, ctx, "send the invitation", chromedp.Click(sel("invite-submit")))
	if got := location(t, ctx); !strings.HasPrefix(got, srv.URL+"/admin/users?done=") {
		t.Errorf("after inviting the page is %s", got)
	}
	if got := testutil.Text(t, ctx, ".flash"); !strings.Contains(got, "Invitation created") {
		t.Errorf("flash = %q", got)
	}
	row := testutil.TestID("member-row") + `[data-email="` + email + `"]`
	if got := testutil.Text(t, ctx, row); !strings.Contains(got, "Jo Bloggs") || !strings.Contains(got, "Viewer") || !strings.Contains(got, "Invited") {
		t.Errorf("the new member's row reads %q", got)
	}
	check("people after inviting")

	// The matrix: choosing in a cell's select saves it at once (app.js),
	// and the page comes back at that cell.
	load(t, ctx, "open Permissions", chromedp.Click(sel("tab-permissions")))
	testutil.WaitJS(t, ctx, stepTimeout, "app.js to hide the Save buttons",
		`document.querySelector("#perm-viewer-campaigns-read [data-autosubmit-button]").hidden`)
	cellState := testutil.TestID("perm-viewer-campaigns-read") + " " + testutil.TestID("perm-state")
	if got := testutil.Text(t, ctx, cellState); got != "Not allowed" {
		t.Fatalf("viewer campaigns:read starts as %q", got)
	}
	load(t, ctx, "allow viewers to read campaigns", chromedp.SetValue(chromedp.ID("sel-perm-viewer-campaigns-read"), "own_location_only"))
	if got := location(t, ctx); !strings.HasSuffix(got, "#perm-viewer-campaigns-read") {
		t.Errorf("after saving a cell the page is %s", got)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("perm-viewer-campaigns-read")); !strings.Contains(got, "Allowed") || !strings.Contains(got, "Saved") {
		t.Errorf("the saved cell reads %q", got)
	}
	check("permissions")

	// A token, shown once.
	load(t, ctx, "open API tokens", chromedp.Click(sel("tab-tokens")))
	do(t, ctx, "name the token", chromedp.SendKeys(chromedp.ID("token-name"), "Browser sync"))
	load(t, ctx, "create the token", chromedp.Click(sel("token-submit")))
	token := testutil.Text(t, ctx, "code"+testutil.TestID("new-token"))
	if !strings.HasPrefix(token, "acrm_") {
		t.Fatalf("the page shows %q, want a token", token)
	}
	if got := testutil.Text(t, ctx, testutil.TestID("token-created")+" [role=alert]"); !strings.Contains(got, "only time") {
		t.Errorf("warning = %q", got)
	}
	// On 127.0.0.1 the clipboard is available, so app.js offers Copy.
	testutil.WaitJS(t, ctx, stepTimeout, "the Copy button", `!document.querySelector("[data-copy]").hidden`)
	check("new token")
	if status, who := bearerMe(t, srv, token); status != http.StatusOK || who != "admin@example.com@SYD" {
		t.Errorf("the token from the page: %d %q", status, who)
	}

	load(t, ctx, "leave the token page", chromedp.Click(sel("token-done")))
	if html := eval[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, token) {
		t.Error("the token list shows the token again")
	}
	if got := testutil.Texts(t, ctx, testutil.TestID("token-row")); len(got) != 1 || !strings.Contains(got[0], "Browser sync") ||
		!strings.Contains(got[0], "…"+token[len(token)-4:]) || !strings.Contains(got[0], "active") {
		t.Errorf("token rows: %q", got)
	}
	// Back to the result page: it is gone (no-store; going back re-posts or
	// shows nothing, never the token from a cache).
	check("tokens")
}
