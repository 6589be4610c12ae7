package ratelimit_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ratelimit"
)

func TestInMemoryRefusesOverLimitWithGraphQLError(t *testing.T) {
	cfg, logs := memConfig()
	l := newLimiter(t, cfg)
	lim := ratelimit.Limit{Requests: 3, Window: time.Minute}
	srv := serve(t, l.PerIP("graphql_ip", lim))
	ip := []string{testIPHeader, "203.0.113.7"}

	for i := range lim.Requests {
		r := get(t, srv, "/graphql", ip...)
		if r.status != http.StatusOK {
			t.Fatalf("request %d: status %d, want 200", i+1, r.status)
		}
		// httprate reports the budget on every answer, not only refusals.
		if got, want := r.header.Get("X-RateLimit-Remaining"), strconv.Itoa(lim.Requests-i-1); got != want {
			t.Errorf("request %d: X-RateLimit-Remaining = %q, want %q", i+1, got, want)
		}
	}

	r := mustRefuse(t, srv, "/graphql", ip...)
	n := retryAfter(t, r, lim)
	if got := r.header.Get("X-RateLimit-Limit"); got != "3" {
		t.Errorf("X-RateLimit-Limit = %q, want 3", got)
	}
	if got := r.header.Get("X-RateLimit-Remaining"); got != "0" {
		t.Errorf("X-RateLimit-Remaining = %q, want 0", got)
	}
	reset, err := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil {
		t.Fatalf("X-RateLimit-Reset %q: %v", r.header.Get("X-RateLimit-Reset"), err)
	}
	if now := time.Now().Unix(); reset < now || reset > now+int64(lim.Window/time.Second) {
		t.Errorf("X-RateLimit-Reset = %d, want the end of the current window (now %d)", reset, now)
	}
	e := decodeGQLErrors(t, r)
	if got := e.Errors[0].Extensions.Code; got != "RATE_LIMITED" {
		t.Errorf("extensions.code = %q, want RATE_LIMITED", got)
	}
	if got, want := e.Errors[0].Message, "too many requests, retry in "+strconv.Itoa(n)+" s"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}

	out := logs.String()
	for _, want := range []string{"level=WARN", "limit=graphql_ip", "key_kind=ip", "path=/graphql", "ip=203.0.113.7"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestRefusalBodyFollowsAccept(t *testing.T) {
	cases := []struct {
		name, accept string
		json         bool
	}{
		{"no Accept", "", false},
		{"curl", "*/*", false},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"API client", "application/json", true},
		{"axios", "application/json, text/plain, */*", true},
		{"problem+json", "application/problem+json", true},
		{"JSON ranked lower", "text/plain, application/json;q=0.5", false},
		{"JSON refused", "application/json;q=0", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := memConfig()
			l := newLimiter(t, cfg)
			srv := serve(t, l.PerUser("ui_user", ratelimit.Limit{Requests: 1, Window: time.Minute}, headerUser))
			kv := []string{testUserHeader, "user-1", "Accept", tc.accept}
			mustPass(t, 1, srv, "/contacts", kv...)
			r := mustRefuse(t, srv, "/contacts", kv...)
			if tc.json {
				decodeGQLErrors(t, r)
				return
			}
			if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Fatalf("Content-Type = %q, want text/plain", ct)
			}
			want := "too many requests, retry in " + r.header.Get("Retry-After") + " s\n"
			if r.body != want {
				t.Fatalf("body = %q, want %q", r.body, want)
			}
		})
	}
}

// TestRecoversAfterRetryAfter checks that a refused client that waits the
// Retry-After it was given is let through again, using a 1 s window.
func TestRecoversAfterRetryAfter(t *testing.T) {
	cfg, _ := memConfig()
	l := newLimiter(t, cfg)
	lim := ratelimit.Limit{Requests: 2, Window: time.Second}
	srv := serve(t, l.PerIP("signin", lim))
	ip := []string{testIPHeader, "198.51.100.1"}

	mustPass(t, lim.Requests, srv, "/auth/dev", ip...)
	r := mustRefuse(t, srv, "/auth/dev", ip...)
	wait := retryAfter(t, r, lim)

	time.Sleep(time.Duration(wait)*time.Second + 50*time.Millisecond)
	mustPass(t, 1, srv, "/auth/dev", ip...)
}

func TestSeparateBudgetPerIP(t *testing.T) {
	cfg, _ := memConfig()
	l := newLimiter(t, cfg)
	srv := serve(t, l.PerIP("webhook_ip", ratelimit.Limit{Requests: 2, Window: time.Minute}))

	mustPass(t, 2, srv, "/webhooks/x", testIPHeader, "192.0.2.1")
	mustRefuse(t, srv, "/webhooks/x", testIPHeader, "192.0.2.1")
	mustPass(t, 2, srv, "/webhooks/x", testIPHeader, "192.0.2.2")
	mustRefuse(t, srv, "/webhooks/x", testIPHeader, "192.0.2.2")

	// An IPv6 host owns its whole /64; rotating within it buys nothing.
	mustPass(t, 2, srv, "/webhooks/x", testIPHeader, "2001:db8:1:2::a")
	mustRefuse(t, srv, "/webhooks/x", testIPHeader, "2001:db8:1:2::b")
	mustPass(t, 1, srv, "/webhooks/x", testIPHeader, "2001:db8:1:3::a")
}

func TestPerUserSeparatesUsersBehindOneIP(t *testing.T) {
	cfg, logs := memConfig()
	l := newLimiter(t, cfg)
	srv := serve(t, l.PerUser("graphql_user", ratelimit.Limit{Requests: 2, Window: time.Minute}, headerUser))
	const clinicIP = "203.0.113.50"
	const aliceToken = "sess_alice_5f1e9c0d7b2a4e61"

	alice := []string{testIPHeader, clinicIP, testUserHeader, aliceToken}
	bob := []string{testIPHeader, clinicIP, testUserHeader, "sess_bob"}
	anon := []string{testIPHeader, clinicIP}

	mustPass(t, 2, srv, "/graphql", alice...)
	mustRefuse(t, srv, "/graphql", alice...)
	mustPass(t, 2, srv, "/graphql", bob...)
	mustRefuse(t, srv, "/graphql", bob...)
	// Without a user the IP is the key, in a budget of its own.
	mustPass(t, 2, srv, "/graphql", anon...)
	mustRefuse(t, srv, "/graphql", anon...)
	mustPass(t, 2, srv, "/graphql", testIPHeader, "203.0.113.51")

	// Alice's was the first refusal, so the log gate let it through.
	out := logs.String()
	if strings.Contains(out, aliceToken) {
		t.Fatalf("log contains the user's token:\n%s", out)
	}
	for _, want := range []string{"limit=graphql_user", "key_kind=user", "user_hash=", "path=/graphql"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestNamedLimitsKeepSeparateCounts(t *testing.T) {
	cfg, _ := memConfig()
	l := newLimiter(t, cfg)
	lim := ratelimit.Limit{Requests: 1, Window: time.Minute}
	a := serve(t, l.PerIP("a", lim))
	b := serve(t, l.PerIP("b", lim))
	ip := []string{testIPHeader, "192.0.2.9"}

	mustPass(t, 1, a, "/", ip...)
	mustRefuse(t, a, "/", ip...)
	mustPass(t, 1, b, "/", ip...)
}

func TestNilIPKeyFallsBackToRemoteAddr(t *testing.T) {
	cfg, logs := memConfig()
	cfg.IPKey = nil
	l := newLimiter(t, cfg)
	srv := serve(t, l.PerIP("signin", ratelimit.Limit{Requests: 1, Window: time.Minute}))

	// The header must not matter: only the TCP peer counts.
	mustPass(t, 1, srv, "/", testIPHeader, "192.0.2.1")
	mustRefuse(t, srv, "/", testIPHeader, "192.0.2.2")
	if out := logs.String(); !strings.Contains(out, "ip=127.0.0.1") {
		t.Fatalf("log should name the peer 127.0.0.1:\n%s", out)
	}
}

func TestPresetMiddlewares(t *testing.T) {
	cfg, _ := memConfig()
	l := newLimiter(t, cfg)
	if l.Shared() {
		t.Fatal("in-memory limiter reports shared counters")
	}
	signIn := serve(t, l.SignIn())
	ip := []string{testIPHeader, "192.0.2.77"}
	mustPass(t, cfg.SignIn.Requests, signIn, "/auth/dev", ip...)
	mustRefuse(t, signIn, "/auth/dev", ip...)

	// The GraphQL chain checks per IP, then per user.
	gql := serve(t, l.GraphQL(headerUser))
	mustPass(t, 1, gql, "/graphql", append(ip, testUserHeader, "u1")...)
	_ = serve(t, l.UI(headerUser))
	_ = serve(t, l.Webhooks())
}

func TestDisabledLimitPassesEverything(t *testing.T) {
	cfg, _ := memConfig()
	l := newLimiter(t, cfg)
	srv := serve(t, l.PerIP("off", ratelimit.Limit{}))
	mustPass(t, 20, srv, "/", testIPHeader, "192.0.2.1")
}

func TestMisuseIsRefused(t *testing.T) {
	cfg, _ := memConfig()
	cfg.SignIn = ratelimit.Limit{Requests: 5, Window: 500 * time.Millisecond}
	if _, err := ratelimit.New(cfg); err == nil || !strings.Contains(err.Error(), "signin") {
		t.Errorf("New with a sub-second window: err = %v, want an error naming the limit", err)
	}
	cfg.SignIn = ratelimit.Limit{Requests: -1, Window: time.Minute}
	if _, err := ratelimit.New(cfg); err == nil {
		t.Error("New with negative requests: want an error")
	}

	cfg, _ = memConfig()
	l := newLimiter(t, cfg)
	lim := ratelimit.Limit{Requests: 1, Window: time.Minute}
	l.PerIP("dup", lim)
	mustPanic(t, "duplicate name", func() { l.PerIP("dup", lim) })
	mustPanic(t, "duplicate name across kinds", func() { l.PerUser("dup", lim, headerUser) })
	mustPanic(t, "empty name", func() { l.PerIP("", lim) })
	mustPanic(t, "nil userKey", func() { l.PerUser("u", lim, nil) })
	mustPanic(t, "bad window", func() { l.PerIP("w", ratelimit.Limit{Requests: 1, Window: time.Millisecond}) })
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: want a panic", what)
		}
	}()
	f()
}
