package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

func gqlRequest(t *testing.T, srv *testutil.Server, c *http.Client, hdr map[string]string, query string) (int, testutil.GQLResponse) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		if k == "Host" {
			// The client's cookie jar keys cookies by the request's host:
			// hand the session cookie over explicitly, as a browser at
			// that host name would send it.
			req.Host = v
			if c.Jar != nil {
				for _, ck := range c.Jar.Cookies(req.URL) {
					req.AddCookie(ck)
				}
			}
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out testutil.GQLResponse
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func TestAllowlist_ForgedForwardedForIgnored(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{
		"AVATARCRM_ALLOWED_IPS": "203.0.113.0/24, 2001:db8::/32",
	}})
	c := srv.Client()
	// From 127.0.0.1, an untrusted peer, claiming to be on the allowlist.
	for _, forged := range []string{"203.0.113.5", "2001:db8::5", "198.51.100.1, 203.0.113.5"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/login", nil)
		req.Header.Set("X-Forwarded-For", forged)
		req.Header.Set("CF-Connecting-IP", "203.0.113.5")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "127.0.0.1") {
			t.Errorf("forged X-Forwarded-For %q: status %d %q, want 403 naming 127.0.0.1", forged, resp.StatusCode, body)
		}
	}
	// Health checks stay reachable for the load balancer.
	resp, err := c.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz behind the allowlist: %d", resp.StatusCode)
	}
}

func TestAllowlist_TrustedProxy(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{
		"AVATARCRM_ALLOWED_IPS":     "203.0.113.0/24, 2001:db8::/32",
		"AVATARCRM_TRUSTED_PROXIES": "127.0.0.1/32",
	}})
	c := srv.Client()
	cases := []struct {
		xff  string
		want int
	}{
		{"203.0.113.5", http.StatusOK},
		{"2001:db8::5", http.StatusOK},                      // IPv6 rule
		{"2001:db9::5", http.StatusForbidden},               // outside the IPv6 range
		{"198.51.100.7", http.StatusForbidden},              // outside the IPv4 range
		{"203.0.113.5, 198.51.100.7", http.StatusForbidden}, // rightmost untrusted hop decides
		{"", http.StatusForbidden},                          // the proxy itself is not allowed
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/login", nil)
		if tc.xff != "" {
			req.Header.Set("X-Forwarded-For", tc.xff)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("via trusted proxy, X-Forwarded-For %q: status %d, want %d", tc.xff, resp.StatusCode, tc.want)
		}
	}
}

func TestRateLimit_429ThenRecovers(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{
		"AVATARCRM_RATE_SIGNIN": "3/1s",
	}})
	c := srv.Client()
	post := func() *http.Response {
		resp, err := c.PostForm(srv.URL+"/auth/dev", url.Values{"email": {"staff@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 3 {
		if r := post(); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in %d: status %d", i+1, r.StatusCode)
		}
	}
	r := post()
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th sign-in in a second: status %d, want 429", r.StatusCode)
	}
	retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || retry < 1 {
		t.Fatalf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
	time.Sleep(time.Duration(retry)*time.Second + 100*time.Millisecond)
	if r := post(); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("after Retry-After: status %d, want the limit to have recovered", r.StatusCode)
	}
}

func TestRateLimit_GraphQLPerUser(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{
		"AVATARCRM_RATE_GRAPHQL_USER": "5/1m",
	}})
	staff := srv.SignIn(t, "staff@example.com")
	other := srv.SignIn(t, "manager@example.com")
	for range 5 {
		srv.MustGraphQL(t, staff, `{ me { role } }`, nil)
	}
	status, r := gqlRequest(t, srv, staff, nil, `{ me { role } }`)
	if status != http.StatusTooManyRequests || r.FirstCode() != "RATE_LIMITED" {
		t.Fatalf("6th query: %d %+v, want 429 RATE_LIMITED", status, r.Errors)
	}
	// Another user behind the same address keeps their own budget.
	srv.MustGraphQL(t, other, `{ me { role } }`, nil)
}

func TestAPIToken(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	var created struct {
		CreateAPIToken struct {
			Token    string
			APIToken struct{ ID, Hint string }
		}
	}
	var staffID struct {
		Users struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	srv.MustGraphQL(t, admin, `{ users(where: {email: "staff@example.com"}) { edges { node { id } } } }`, nil).Decode(t, &staffID)
	srv.MustGraphQL(t, admin, `mutation($u: ID!) { createAPIToken(input: {userID: $u, name: "Wix sync", expiresInDays: 30}) { token apiToken { id hint } } }`,
		map[string]any{"u": staffID.Users.Edges[0].Node.ID}).Decode(t, &created)
	tok := created.CreateAPIToken.Token
	if !strings.HasPrefix(tok, "acrm_") || !strings.HasSuffix(tok, created.CreateAPIToken.APIToken.Hint) {
		t.Fatalf("token %q hint %q", tok, created.CreateAPIToken.APIToken.Hint)
	}
	bearer := map[string]string{"Authorization": "Bearer " + tok}
	anon := srv.Client()

	status, r := gqlRequest(t, srv, anon, bearer, `{ me { user { email } role location { code } } contacts(first: 1) { totalCount } }`)
	var me struct {
		Me struct {
			User     struct{ Email string }
			Role     string
			Location struct{ Code string }
		}
		Contacts struct{ TotalCount int }
	}
	_ = json.Unmarshal(r.Data, &me)
	if status != 200 || me.Me.User.Email != "staff@example.com" || me.Me.Role != "staff" || me.Me.Location.Code != "SYD" || me.Contacts.TotalCount != 160 {
		t.Fatalf("token request: %d %s %+v", status, r.Data, r.Errors)
	}
	// The token carries its user's permissions: staff may not delete.
	_, r = gqlRequest(t, srv, anon, bearer, `mutation { deleteContact(id: "con_01JD3W6Y2V9M8K4T5X7QZ0ABCD") }`)
	if r.FirstCode() != "FORBIDDEN" {
		t.Fatalf("staff token deleting: %+v", r.Errors)
	}

	for _, bad := range []string{"Bearer acrm_nope", "Bearer " + tok + "x", "Basic abc"} {
		status, r := gqlRequest(t, srv, anon, map[string]string{"Authorization": bad}, `{ me { role } }`)
		if status != http.StatusUnauthorized || r.FirstCode() != "UNAUTHENTICATED" {
			t.Errorf("Authorization %q: %d %+v, want 401 UNAUTHENTICATED", bad, status, r.Errors)
		}
	}

	srv.MustGraphQL(t, admin, `mutation($id: ID!) { revokeAPIToken(id: $id) { revokedAt } }`, map[string]any{"id": created.CreateAPIToken.APIToken.ID})
	status, _ = gqlRequest(t, srv, anon, bearer, `{ me { role } }`)
	if status != http.StatusUnauthorized {
		t.Fatalf("revoked token: status %d, want 401", status)
	}

	t.Run("Expired", func(t *testing.T) {
		var c2 struct{ CreateAPIToken struct{ Token string } }
		srv.MustGraphQL(t, admin, `mutation { createAPIToken(input: {name: "short", expiresInDays: 1}) { token } }`, nil).Decode(t, &c2)
		later := testutil.StartServer(t, testutil.ServerOptions{
			DatabaseURL: srv.App.Config.DatabaseURL,
			Now:         func() time.Time { return testutil.Now.Add(25 * time.Hour) },
		})
		status, _ := gqlRequest(t, later, later.Client(), map[string]string{"Authorization": "Bearer " + c2.CreateAPIToken.Token}, `{ me { role } }`)
		if status != http.StatusUnauthorized {
			t.Fatalf("expired token: status %d, want 401", status)
		}
	})
}

func TestHostSelectsLocation(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	ctx := viewer.Seed.Grant(context.Background(), "test")
	c := srv.App.DB.Client
	if err := c.Location.Update().Where(location.Code("PAR")).SetHostname("parramatta.crm.test").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	admin := srv.SignIn(t, "admin@example.com") // member of SYD (default) and PAR
	code := func(cl *http.Client, host string) (int, string) {
		hdr := map[string]string{}
		if host != "" {
			hdr["Host"] = host
		}
		status, r := gqlRequest(t, srv, cl, hdr, `{ me { location { code } } }`)
		var out struct {
			Me struct{ Location struct{ Code string } }
		}
		_ = json.Unmarshal(r.Data, &out)
		return status, out.Me.Location.Code
	}
	if _, got := code(admin, ""); got != "SYD" {
		t.Fatalf("no host: %s, want the default SYD", got)
	}
	if _, got := code(admin, "parramatta.crm.test"); got != "PAR" {
		t.Fatalf("Parramatta host: %s, want PAR", got)
	}
	staff := srv.SignIn(t, "staff@example.com") // SYD only
	if status, _ := code(staff, "parramatta.crm.test:443"); status != http.StatusForbidden {
		t.Fatalf("SYD staff on the Parramatta host: status %d, want 403", status)
	}
}
