package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	entsession "github.com/avatarimaging/avatarcrm/ent/session"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// These tests run the whole sign-in against mockoidc, a real OpenID Connect
// provider on a loopback port: discovery, the authorize redirect (which
// approves the queued user at once), the code exchange with PKCE and an ID
// token signed with the provider's key. The app is the real server on a
// real listener with a copy of the demo database, development mode off.

// clock is a controllable app clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     *testing.T
	m     *mockoidc.MockOIDC
	srv   *testutil.Server
	clock *clock
}

// start runs a provider and the app configured for it. extra adds or
// overrides settings.
func start(t *testing.T, extra map[string]string, noDev bool) *env {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	e := map[string]string{
		"AVATARCRM_OIDC_ISSUER":        m.Issuer(),
		"AVATARCRM_OIDC_CLIENT_ID":     m.ClientID,
		"AVATARCRM_OIDC_CLIENT_SECRET": m.ClientSecret,
		// AVATARCRM_BASE_URL is left to its default, http://<addr>:
		// StartServer binds before loading the settings, so <addr> has the
		// real port and the redirect URL is right.
	}
	for k, v := range extra {
		e[k] = v
	}
	c := &clock{t: testutil.Now}
	srv := testutil.StartServer(t, testutil.ServerOptions{NoDev: noDev, Env: e, Now: c.Now})
	return &env{t: t, m: m, srv: srv, clock: c}
}

// with returns the environment reporting to t, for subtests: helpers must
// fail the subtest, not its parent.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// hdUser is a provider account with a Google Workspace hd claim, which
// mockoidc's own MockUser does not carry.
type hdUser struct {
	mockoidc.MockUser
	HD string
}

func (u *hdUser) Claims(scope []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		HD            string `json:"hd,omitempty"`
	}{base, u.Email, u.EmailVerified, u.HD}, nil
}

func account(email, subject string) *mockoidc.MockUser {
	return &mockoidc.MockUser{Email: email, Subject: subject, EmailVerified: true}
}

// browser is a client with its own cookie jar that does not follow
// redirects, so each step of the flow is seen.
func (e *env) browser() *http.Client { return e.srv.Client() }

func (e *env) get(c *http.Client, u string) *http.Response {
	e.t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		e.t.Fatalf("GET %s: %v", u, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return string(b)
}

// toProvider starts a sign-in and returns the provider's authorize URL.
func (e *env) toProvider(c *http.Client, next string) *url.URL {
	e.t.Helper()
	u := e.srv.URL + "/auth/login"
	if next != "" {
		u += "?next=" + url.QueryEscape(next)
	}
	resp := e.get(c, u)
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("/auth/login: status %d: %s", resp.StatusCode, body(resp))
	}
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), e.m.AuthorizationEndpoint()) {
		e.t.Fatalf("/auth/login redirects to %v, want the provider", loc)
	}
	return loc
}

// toCallback has the provider approve the queued account and returns the
// callback URL it sends the browser to.
func (e *env) toCallback(c *http.Client, authorize *url.URL) *url.URL {
	e.t.Helper()
	resp := e.get(c, authorize.String())
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("authorize: status %d: %s", resp.StatusCode, body(resp))
	}
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), e.srv.URL+"/auth/callback?") {
		e.t.Fatalf("provider redirects to %v, want our callback", loc)
	}
	return loc
}

// signIn runs the whole flow for the account and returns the callback's
// response.
func (e *env) signIn(c *http.Client, acct mockoidc.User, next string) *http.Response {
	e.t.Helper()
	e.m.QueueUser(acct)
	return e.get(c, e.toCallback(c, e.toProvider(c, next)).String())
}

// mustSignIn signs in and checks the browser lands on next with a session.
func (e *env) mustSignIn(c *http.Client, acct mockoidc.User, next string) {
	e.t.Helper()
	resp := e.signIn(c, acct, next)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != next {
		e.t.Fatalf("callback: status %d location %q, want 303 to %s: %s", resp.StatusCode, resp.Header.Get("Location"), next, body(resp))
	}
	if e.sessionCookie(c) == "" {
		e.t.Fatal("no session cookie after sign-in")
	}
}

func (e *env) sessionCookie(c *http.Client) string {
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == auth.CookieName {
			return ck.Value
		}
	}
	return ""
}

// refused checks a callback response shows the sign-in page with msg and
// that no session came of it.
func (e *env) refused(c *http.Client, resp *http.Response, status int, msg string) {
	e.t.Helper()
	b := body(resp)
	if resp.StatusCode != status {
		e.t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, b)
	}
	if !strings.Contains(strings.ToLower(b), strings.ToLower(msg)) {
		e.t.Fatalf("page does not say %q: %s", msg, b)
	}
	if !strings.Contains(b, `data-testid="signin-oidc"`) {
		e.t.Fatalf("error page does not offer to sign in again: %s", b)
	}
	if e.sessionCookie(c) != "" {
		e.t.Fatal("a session cookie was set")
	}
	if n := e.sessions(); n != 0 {
		e.t.Fatalf("%d sessions exist, want none", n)
	}
}

func (e *env) sessions() int {
	n, err := e.db().Session.Query().Count(e.sys())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) db() *ent.Client      { return e.srv.App.DB.Client }
func (e *env) sys() context.Context { return viewer.Seed.Grant(context.Background(), "test") }
func (e *env) user(email string) *ent.User {
	e.t.Helper()
	u, err := e.db().User.Query().Where(user.Email(email)).Only(e.sys())
	if err != nil {
		e.t.Fatalf("user %s: %v", email, err)
	}
	return u
}

// invite creates an invited user with a membership at Sydney, as an
// administrator would.
func (e *env) invite(email string) *ent.User {
	e.t.Helper()
	loc, err := e.db().Location.Query().Where(location.Code("SYD")).Only(e.sys())
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.db().User.Create().SetEmail(email).SetName("New Starter").SetStatus(user.StatusInvited).SetDefaultLocationID(loc.ID).Save(e.sys())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db().Membership.Create().SetUserID(u.ID).SetLocationID(loc.ID).SetRole(membership.RoleStaff).Exec(e.sys()); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// authenticated reports whether the browser's session works, through the
// UI and GraphQL both.
func (e *env) authenticated(c *http.Client) bool {
	e.t.Helper()
	resp := e.get(c, e.srv.URL+"/")
	ui := resp.StatusCode == http.StatusOK
	if !ui && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login")) {
		e.t.Fatalf("GET /: status %d location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	r := e.srv.GraphQL(e.t, c, `{ me { user { email } } }`, nil)
	gql := len(r.Errors) == 0
	if !gql && r.FirstCode() != "UNAUTHENTICATED" {
		e.t.Fatalf("me: %+v", r.Errors)
	}
	if ui != gql {
		e.t.Fatalf("UI says signed in=%v, GraphQL says %v", ui, gql)
	}
	return ui
}

func TestOIDC_SignInInvitedDemoUser(t *testing.T) {
	t.Parallel()
	e := start(t, nil, true)
	c := e.browser()

	// The sign-in page offers the provider and, with dev mode off, no demo
	// users.
	page := body(e.get(c, e.srv.URL+"/login?next=%2Fcontacts"))
	if !strings.Contains(page, `href="/auth/login?next=%2Fcontacts"`) || !strings.Contains(page, "Sign in with ") {
		t.Fatalf("sign-in page has no provider link: %s", page)
	}
	if strings.Contains(page, "dev-users") {
		t.Fatal("sign-in page lists demo users with dev mode off")
	}

	authz := e.toProvider(c, "/contacts")
	q := authz.Query()
	if q.Get("scope") != "openid email profile" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
		q.Get("nonce") == "" || q.Get("state") == "" || q.Get("redirect_uri") != e.srv.URL+"/auth/callback" || q.Get("hd") != "" {
		t.Fatalf("authorize request: %v", q)
	}
	e.m.QueueUser(account("Staff@Example.com", "google-staff"))
	resp := e.get(c, e.toCallback(c, authz).String())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/contacts" {
		t.Fatalf("callback: %d %q: %s", resp.StatusCode, resp.Header.Get("Location"), body(resp))
	}
	if !e.authenticated(c) {
		t.Fatal("not signed in after the callback")
	}
	var me struct {
		Me struct{ User struct{ Email string } }
	}
	e.srv.MustGraphQL(t, c, `{ me { user { email } } }`, nil).Decode(t, &me)
	if me.Me.User.Email != "staff@example.com" {
		t.Fatalf("me = %s", me.Me.User.Email)
	}
	if page := body(e.get(c, e.srv.URL+"/")); !strings.Contains(page, "Chloe Nguyen") {
		t.Fatal("dashboard does not show the signed-in user")
	}
	u := e.user("staff@example.com")
	if u.OidcSubject == nil || *u.OidcSubject != "google-staff" || u.Status != user.StatusActive {
		t.Fatalf("user after sign-in: subject %v status %s", u.OidcSubject, u.Status)
	}
	sess, err := e.db().Session.Query().Where(entsession.TokenHash(auth.HashToken(e.sessionCookie(c)))).Only(e.sys())
	if err != nil || sess.Method != entsession.MethodOidc || sess.UserID != u.ID {
		t.Fatalf("session: %+v, %v", sess, err)
	}
	// The login cookie was for one attempt.
	for _, ck := range c.Jar.Cookies(must(url.Parse(e.srv.URL + "/auth/callback"))) {
		if ck.Name == auth.LoginCookieName {
			t.Fatal("login cookie survived the callback")
		}
	}

	// Signing in again with the same account works.
	c2 := e.browser()
	e.mustSignIn(c2, account("staff@example.com", "google-staff"), "/")
	if !e.authenticated(c2) {
		t.Fatal("second sign-in has no session")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestOIDC_FirstSignInActivatesInvitedUser(t *testing.T) {
	t.Parallel()
	e := start(t, nil, true)
	u := e.invite("new.starter@example.com")
	if u.OidcSubject != nil || u.Status != user.StatusInvited {
		t.Fatalf("fixture: %+v", u)
	}
	c := e.browser()
	e.mustSignIn(c, account("new.starter@example.com", "sub-new-starter"), "/tasks")
	if !e.authenticated(c) {
		t.Fatal("not signed in")
	}
	u = e.user("new.starter@example.com")
	if u.Status != user.StatusActive || u.OidcSubject == nil || *u.OidcSubject != "sub-new-starter" {
		t.Fatalf("after first sign-in: status %s subject %v", u.Status, u.OidcSubject)
	}
}

func TestOIDC_StateChecked(t *testing.T) {
	t.Parallel()
	e := start(t, nil, true)

	t.Run("Tampered", func(t *testing.T) {
		e := e.with(t)
		c := e.browser()
		e.m.QueueUser(account("staff@example.com", "google-staff"))
		cb := e.toCallback(c, e.toProvider(c, ""))
		q := cb.Query()
		q.Set("state", q.Get("state")+"x")
		cb.RawQuery = q.Encode()
		e.refused(c, e.get(c, cb.String()), http.StatusBadRequest, "expired or was started in another browser")
	})
	t.Run("Missing", func(t *testing.T) {
		e := e.with(t)
		c := e.browser()
		e.m.QueueUser(account("staff@example.com", "google-staff"))
		cb := e.toCallback(c, e.toProvider(c, ""))
		q := cb.Query()
		q.Del("state")
		cb.RawQuery = q.Encode()
		e.refused(c, e.get(c, cb.String()), http.StatusBadRequest, "expired or was started in another browser")
	})
	// Login CSRF: an attacker's own valid callback URL, opened in the
	// victim's browser, which never started that sign-in.
	t.Run("OtherBrowser", func(t *testing.T) {
		e := e.with(t)
		attacker, victim := e.browser(), e.browser()
		e.m.QueueUser(account("staff@example.com", "google-staff"))
		cb := e.toCallback(attacker, e.toProvider(attacker, ""))
		e.refused(victim, e.get(victim, cb.String()), http.StatusBadRequest, "expired or was started in another browser")
	})
	// A forged login cookie (no server key) carries no state.
	t.Run("ForgedCookie", func(t *testing.T) {
		e := e.with(t)
		c := e.browser()
		e.m.QueueUser(account("staff@example.com", "google-staff"))
		cb := e.toCallback(c, e.toProvider(c, ""))
		c.Jar.SetCookies(must(url.Parse(e.srv.URL+"/auth")), []*http.Cookie{{Name: auth.LoginCookieName, Value: "eyJzIjoieCJ9", Path: "/auth"}})
		e.refused(c, e.get(c, cb.String()), http.StatusBadRequest, "expired or was started in another browser")
	})
	// The login cookie lasts ten minutes.
	t.Run("Expired", func(t *testing.T) {
		e := e.with(t)
		c := e.browser()
		e.m.QueueUser(account("staff@example.com", "google-staff"))
		cb := e.toCallback(c, e.toProvider(c, ""))
		e.clock.Advance(11 * time.Minute)
		e.refused(c, e.get(c, cb.String()), http.StatusBadRequest, "expired or was started in another browser")
	})
}

// The ID token must carry the nonce and the code must come with the PKCE
// verifier of this browser's attempt: an authorize request altered on the
// way (or a code minted for another request) gets nowhere.
func TestOIDC_TamperedAuthorizeRequest(t *testing.T) {
	t.Parallel()
	e := start(t, nil, true)
	for _, tc := range []struct{ param, status string }{{"nonce", "400"}, {"code_challenge", "502"}} {
		t.Run(tc.param, func(t *testing.T) {
			e := e.with(t)
			c := e.browser()
			authz := e.toProvider(c, "")
			q := authz.Query()
			q.Set(tc.param, "attacker-chosen-value-0123456789abcdefghijklmnop")
			authz.RawQuery = q.Encode()
			e.m.QueueUser(account("staff@example.com", "google-staff"))
			resp := e.get(c, e.toCallback(c, authz).String())
			e.refused(c, resp, resp.StatusCode, "Could not complete sign-in with the provider")
			if got := strconv.Itoa(resp.StatusCode); got != tc.status {
				t.Fatalf("status %s, want %s", got, tc.status)
			}
		})
	}
}

func TestOIDC_ProviderError(t *testing.T) {
	t.Parallel()
	e := start(t, nil, true)
	c := e.browser()
	e.m.QueueUser(account("staff@example.com", "google-staff"))
	cb := e.toCallback(c, e.toProvider(c, ""))
	q := cb.Query()
	q.Del("code")
	q.Set("error", "access_denied")
	q.Set("error_description", "<script>alert(1)</script>")
	cb.RawQuery = q.Encode()
	resp := e.get(c, cb.String())
	if strings.Contains(body(resp), "<script>alert(1)") {
		t.Fatal("provider text echoed")
	}
	e.refused(c, resp, http.StatusForbidden, "cancelled or refused at the provider")
}

func TestOIDC_Refusals(t *testing.T) {
	t.Parallel()
	e := start(t, nil, true)
	cases := []struct {
		name   string
		acct   mockoidc.User
		prep   func(*testing.T)
		status int
		msg    string
	}{
		{name: "Uninvited", acct: account("stranger@example.com", "sub-stranger"), status: http.StatusForbidden, msg: "this account has not been invited"},
		{name: "EmailNotVerified", acct: &mockoidc.MockUser{Email: "staff@example.com", Subject: "google-staff", EmailVerified: false}, status: http.StatusForbidden, msg: "has not verified this email"},
		{name: "Disabled", acct: account("viewer@example.com", "sub-viewer"), prep: func(t *testing.T) {
			if err := e.db().User.Update().Where(user.Email("viewer@example.com")).SetStatus(user.StatusDisabled).Exec(e.sys()); err != nil {
				t.Fatal(err)
			}
		}, status: http.StatusForbidden, msg: "disabled"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := e.with(t)
			if tc.prep != nil {
				tc.prep(t)
			}
			c := e.browser()
			e.refused(c, e.signIn(c, tc.acct, "/"), tc.status, tc.msg)
		})
	}
	// Nothing was linked by the refused attempts.
	for _, email := range []string{"staff@example.com", "viewer@example.com"} {
		if u := e.user(email); u.OidcSubject != nil {
			t.Fatalf("%s linked to %s by a refused sign-in", email, *u.OidcSubject)
		}
	}
}

// A later sign-in with the same email but another provider account (say the
// address was recycled, or another provider account claims it) is refused.
func TestOIDC_SubjectMismatchRefused(t *testing.T) {
	t.Parallel()
	e := start(t, nil, true)
	first := e.browser()
	e.mustSignIn(first, account("manager@example.com", "sub-original"), "/")
	other := e.browser()
	resp := e.signIn(other, account("manager@example.com", "sub-impostor"), "/")
	b := body(resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(b, "already linked to a different sign-in account") {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if e.sessionCookie(other) != "" {
		t.Fatal("impostor got a session cookie")
	}
	if n, _ := e.db().Session.Query().Count(e.sys()); n != 1 {
		t.Fatalf("%d sessions, want only the first", n)
	}
	if u := e.user("manager@example.com"); *u.OidcSubject != "sub-original" {
		t.Fatalf("subject changed to %s", *u.OidcSubject)
	}
	// A provider account already linked to one user cannot be linked to
	// another whose email it now shows.
	resp = e.signIn(other, account("admin@example.com", "sub-original"), "/")
	if resp.StatusCode != http.StatusForbidden || e.sessionCookie(other) != "" {
		t.Fatalf("subject reuse: status %d: %s", resp.StatusCode, body(resp))
	}
	if u := e.user("admin@example.com"); u.OidcSubject != nil {
		t.Fatal("admin linked to the manager's provider account")
	}
}

func TestOIDC_HostedDomain(t *testing.T) {
	t.Parallel()
	e := start(t, map[string]string{"AVATARCRM_OIDC_HOSTED_DOMAIN": "example.com"}, true)
	if q := e.toProvider(e.browser(), "").Query(); q.Get("hd") != "example.com" {
		t.Fatalf("authorize request without hd: %v", q)
	}
	e.invite("outsider@example.net")
	cases := []struct {
		name string
		acct mockoidc.User
	}{
		// A personal account (no hd) with the right email domain.
		{"NoHDClaim", &hdUser{MockUser: *account("staff@example.com", "google-staff")}},
		// Another Workspace's account.
		{"OtherHD", &hdUser{MockUser: *account("staff@example.com", "google-staff"), HD: "example.org"}},
		// The right hd but an email outside the domain.
		{"EmailOutsideDomain", &hdUser{MockUser: *account("outsider@example.net", "sub-outsider"), HD: "example.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := e.with(t)
			c := e.browser()
			e.refused(c, e.signIn(c, tc.acct, "/"), http.StatusForbidden, "Only example.com accounts can sign in here")
		})
	}
	c := e.browser()
	e.mustSignIn(c, &hdUser{MockUser: *account("staff@example.com", "google-staff"), HD: "example.com"}, "/")
	if !e.authenticated(c) {
		t.Fatal("not signed in with the right domain")
	}
}

func TestOIDC_SessionTimeouts(t *testing.T) {
	t.Parallel()
	e := start(t, map[string]string{"AVATARCRM_SESSION_IDLE": "15m", "AVATARCRM_SESSION_MAX": "1h"}, true)

	t.Run("Idle", func(t *testing.T) {
		e := e.with(t)
		c := e.browser()
		e.mustSignIn(c, account("staff@example.com", "google-staff"), "/")
		e.clock.Advance(14 * time.Minute)
		if !e.authenticated(c) {
			t.Fatal("session ended before the idle timeout")
		}
		e.clock.Advance(15*time.Minute + time.Second)
		if e.authenticated(c) {
			t.Fatal("session outlived the idle timeout")
		}
	})
	t.Run("Absolute", func(t *testing.T) {
		e := e.with(t)
		c := e.browser()
		e.mustSignIn(c, account("staff@example.com", "google-staff"), "/")
		// Busy all along: a request every 10 minutes keeps it from idling.
		for range 5 {
			e.clock.Advance(10 * time.Minute)
			if !e.authenticated(c) {
				t.Fatal("active session ended before its absolute lifetime")
			}
		}
		e.clock.Advance(10*time.Minute + time.Second)
		if e.authenticated(c) {
			t.Fatal("session outlived its absolute lifetime")
		}
	})
}

func TestOIDC_SignOutEverywhere(t *testing.T) {
	t.Parallel()
	e := start(t, nil, true)
	desk, tablet := e.browser(), e.browser()
	e.mustSignIn(desk, account("staff@example.com", "google-staff"), "/")
	e.mustSignIn(tablet, account("staff@example.com", "google-staff"), "/")
	// Another user's session is not touched.
	other := e.browser()
	e.mustSignIn(other, account("manager@example.com", "google-manager"), "/")
	if !e.authenticated(desk) || !e.authenticated(tablet) {
		t.Fatal("sessions do not work")
	}
	resp, err := desk.PostForm(e.srv.URL+"/auth/logout", url.Values{"everywhere": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if e.authenticated(desk) || e.authenticated(tablet) {
		t.Fatal("a session survived sign-out everywhere")
	}
	if !e.authenticated(other) {
		t.Fatal("another user's session was ended")
	}
}

// With dev mode off the development sign-in stays refused even though a
// real sign-in exists; with dev mode on explicitly, both are offered.
func TestOIDC_DevSignIn(t *testing.T) {
	t.Parallel()
	t.Run("Off", func(t *testing.T) {
		e := start(t, nil, true)
		if e.srv.App.Config.Dev {
			t.Fatal("dev mode on")
		}
		resp, err := e.browser().PostForm(e.srv.URL+"/auth/dev", url.Values{"email": {"admin@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("dev sign-in: status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("On", func(t *testing.T) {
		e := start(t, nil, false)
		page := body(e.get(e.browser(), e.srv.URL+"/login"))
		if !strings.Contains(page, `data-testid="signin-oidc"`) || !strings.Contains(page, `data-testid="signin-admin@example.com"`) {
			t.Fatalf("sign-in page lacks the provider or the demo users: %s", page)
		}
		c := e.srv.SignIn(t, "admin@example.com")
		if !e.authenticated(c) {
			t.Fatal("dev sign-in does not work in dev mode")
		}
	})
}

// A provider that cannot be reached stops the start, naming the issuer.
func TestNewOIDC_DiscoveryFails(t *testing.T) {
	t.Parallel()
	issuer := "http://127.0.0.1:1/nowhere"
	_, err := auth.NewOIDC(context.Background(), &auth.Service{}, auth.OIDCConfig{
		Issuer: issuer, ClientID: "x", ClientSecret: "y", RedirectURL: "http://127.0.0.1/auth/callback",
		DiscoveryTimeout: 2 * time.Second,
	})
	if err == nil || !strings.Contains(err.Error(), issuer) {
		t.Fatalf("err = %v, want one naming %s", err, issuer)
	}
}
