package netguard_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/netguard"
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// store is a fake per-location rules table whose loader counts its calls
// and can be made to fail.
type store struct {
	mu    sync.Mutex
	rules map[string][]netip.Prefix
	err   error
	calls map[string]int
}

func newStore(rules map[string][]netip.Prefix) *store {
	return &store{rules: rules, calls: map[string]int{}}
}

func (s *store) load(_ context.Context, loc string) ([]netip.Prefix, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[loc]++
	if s.err != nil {
		return nil, s.err
	}
	return s.rules[loc], nil
}

func (s *store) set(loc string, rules []netip.Prefix) {
	s.mu.Lock()
	s.rules[loc] = rules
	s.mu.Unlock()
}

func (s *store) fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

func (s *store) count(loc string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[loc]
}

func addr(s string) netip.Addr {
	if s == "" {
		return netip.Addr{}
	}
	return netip.MustParseAddr(s)
}

func TestAllowlistAllowed(t *testing.T) {
	locs := map[string][]netip.Prefix{
		"loc_sydney": prefixes("198.51.100.0/24", "2001:db8:5ed::/48"),
		"loc_mapped": prefixes("::ffff:192.0.2.0/120"),
		"loc_broken": {{}}, // a corrupt stored rule: matches nothing
		"loc_open":   nil,
	}
	type check struct {
		loc, ip string
		want    bool
	}
	tests := []struct {
		name   string
		global []netip.Prefix
		checks []check
	}{
		{
			"no rules anywhere: everyone allowed",
			nil,
			[]check{
				{"", "203.0.113.9", true},
				{"", "", true},
				{"loc_open", "2001:db8::1", true},
			},
		},
		{
			"global only",
			prefixes("203.0.113.0/24"),
			[]check{
				{"", "203.0.113.9", true},
				{"", "::ffff:203.0.113.9", true},
				{"", "198.51.100.1", false},
				{"", "", false},
				{"loc_open", "203.0.113.200", true},
				{"loc_open", "203.0.114.1", false},
			},
		},
		{
			"location rules only",
			nil,
			[]check{
				{"loc_sydney", "198.51.100.5", true},
				{"loc_sydney", "203.0.113.9", false},
				{"loc_sydney", "", false},
				{"loc_open", "203.0.113.9", true},
				{"", "203.0.113.9", true}, // unknown location: only (empty) global rules
				{"loc_unknown", "203.0.113.9", true},
			},
		},
		{
			"global plus location",
			prefixes("203.0.113.0/24"),
			[]check{
				{"loc_sydney", "198.51.100.5", true},
				{"loc_sydney", "203.0.113.9", true},
				{"loc_sydney", "192.0.2.1", false},
				{"loc_open", "198.51.100.5", false}, // Sydney's rule does not apply elsewhere
				{"", "198.51.100.5", false},
			},
		},
		{
			"IPv6 rules",
			prefixes("2001:db8:abcd::/48"),
			[]check{
				{"", "2001:db8:abcd:12::1", true},
				{"", "2001:db8:abce::1", false},
				{"", "203.0.113.9", false},
				{"loc_sydney", "2001:db8:5ed:1::1", true},
				{"loc_sydney", "2001:db8:5ee::1", false},
			},
		},
		{
			"::/0 does not admit IPv4",
			prefixes("::/0"),
			[]check{
				{"", "2001:db8::1", true},
				{"", "203.0.113.9", false},
			},
		},
		{
			"mapped location rule matches IPv4 client",
			nil,
			[]check{
				{"loc_mapped", "192.0.2.77", true},
				{"loc_mapped", "192.0.3.1", false},
			},
		},
		{
			"corrupt stored rule fails closed",
			nil,
			[]check{
				{"loc_broken", "203.0.113.9", false},
				{"loc_broken", "0.0.0.0", false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := netguard.NewAllowlist(tt.global, newStore(locs).load, time.Minute)
			for _, c := range tt.checks {
				got, err := a.Allowed(context.Background(), c.loc, addr(c.ip))
				if err != nil {
					t.Fatalf("Allowed(%q, %q) error: %v", c.loc, c.ip, err)
				}
				if got != c.want {
					t.Errorf("Allowed(%q, %q) = %v, want %v", c.loc, c.ip, got, c.want)
				}
			}
		})
	}
}

func TestAllowlistNilLoader(t *testing.T) {
	a := netguard.NewAllowlist(nil, nil, time.Minute)
	if ok, err := a.Allowed(context.Background(), "loc_x", addr("203.0.113.9")); !ok || err != nil {
		t.Fatalf("Allowed = %v, %v; want true, nil", ok, err)
	}
}

func TestAllowlistCopiesGlobal(t *testing.T) {
	g := prefixes("203.0.113.0/24")
	a := netguard.NewAllowlist(g, nil, time.Minute)
	g[0] = netip.MustParsePrefix("198.51.100.0/24")
	if ok, _ := a.Allowed(context.Background(), "", addr("198.51.100.1")); ok {
		t.Fatal("mutating the caller's slice changed the rules")
	}
}

func TestAllowlistSetGlobal(t *testing.T) {
	a := netguard.NewAllowlist(prefixes("203.0.113.0/24"), nil, time.Minute)
	ip := addr("198.51.100.1")
	if ok, _ := a.Allowed(context.Background(), "", ip); ok {
		t.Fatal("allowed before SetGlobal")
	}
	a.SetGlobal(prefixes("198.51.100.0/24"))
	if ok, _ := a.Allowed(context.Background(), "", ip); !ok {
		t.Fatal("refused after SetGlobal")
	}
	a.SetGlobal(nil)
	if ok, _ := a.Allowed(context.Background(), "", addr("192.0.2.1")); !ok {
		t.Fatal("refused after clearing the global rules")
	}
}

func TestAllowlistCache(t *testing.T) {
	ctx := context.Background()
	s := newStore(map[string][]netip.Prefix{
		"a": prefixes("198.51.100.0/24"),
		"b": prefixes("192.0.2.0/24"),
	})
	a := netguard.NewAllowlist(nil, s.load, time.Minute)
	var now atomic.Int64
	now.Store(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	netguard.SetClock(a, func() time.Time { return time.Unix(0, now.Load()) })

	allowed := func(loc, ip string) bool {
		t.Helper()
		ok, err := a.Allowed(ctx, loc, addr(ip))
		if err != nil {
			t.Fatalf("Allowed error: %v", err)
		}
		return ok
	}
	wantCalls := func(loc string, n int) {
		t.Helper()
		if got := s.count(loc); got != n {
			t.Fatalf("loader called %d times for %q, want %d", got, loc, n)
		}
	}

	for range 5 {
		if !allowed("a", "198.51.100.1") {
			t.Fatal("refused")
		}
	}
	allowed("b", "192.0.2.1")
	wantCalls("a", 1)
	wantCalls("b", 1)

	// The admin changes location a's rules: the cache hides it until invalidated.
	s.set("a", prefixes("203.0.113.0/24"))
	if !allowed("a", "198.51.100.1") {
		t.Fatal("stale cache entry not used")
	}
	wantCalls("a", 1)
	a.Invalidate("a")
	if allowed("a", "198.51.100.1") {
		t.Fatal("old rule still applies after Invalidate")
	}
	if !allowed("a", "203.0.113.9") {
		t.Fatal("new rule not applied after Invalidate")
	}
	wantCalls("a", 2)
	allowed("b", "192.0.2.1")
	wantCalls("b", 1) // other locations keep their cache

	a.InvalidateAll()
	allowed("a", "203.0.113.9")
	allowed("b", "192.0.2.1")
	wantCalls("a", 3)
	wantCalls("b", 2)

	// Expiry after ttl.
	now.Add(int64(59 * time.Second))
	allowed("a", "203.0.113.9")
	wantCalls("a", 3)
	now.Add(int64(time.Second))
	allowed("a", "203.0.113.9")
	wantCalls("a", 4)

	// The global rules short-circuit: a client they admit needs no load.
	a.SetGlobal(prefixes("10.0.0.0/8"))
	a.InvalidateAll()
	allowed("a", "10.1.1.1")
	wantCalls("a", 4)
}

func TestAllowlistZeroTTLReloads(t *testing.T) {
	s := newStore(map[string][]netip.Prefix{"a": prefixes("198.51.100.0/24")})
	a := netguard.NewAllowlist(nil, s.load, 0)
	for range 3 {
		if ok, err := a.Allowed(context.Background(), "a", addr("198.51.100.1")); !ok || err != nil {
			t.Fatalf("Allowed = %v, %v", ok, err)
		}
	}
	if got := s.count("a"); got != 3 {
		t.Fatalf("loader called %d times with ttl 0, want 3", got)
	}
}

func TestAllowlistLoaderErrorFailsClosed(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("database is locked")
	s := newStore(map[string][]netip.Prefix{"a": nil})
	s.fail(boom)
	a := netguard.NewAllowlist(nil, s.load, time.Minute)

	// Even though location a has no rules (so would be open), not knowing
	// that must refuse.
	ok, err := a.Allowed(ctx, "a", addr("203.0.113.9"))
	if ok || !errors.Is(err, boom) {
		t.Fatalf("Allowed = %v, %v; want false and the loader's error", ok, err)
	}
	if _, err := a.Rules(ctx, "a"); !errors.Is(err, boom) {
		t.Fatalf("Rules error = %v, want loader error", err)
	}
	// Errors are not cached: each request retries.
	a.Allowed(ctx, "a", addr("203.0.113.9"))
	if got := s.count("a"); got != 3 {
		t.Fatalf("loader called %d times, want 3 (errors must not be cached)", got)
	}
	// Requests without a location do not need the loader.
	if ok, err := a.Allowed(ctx, "", addr("203.0.113.9")); !ok || err != nil {
		t.Fatalf("Allowed without location = %v, %v", ok, err)
	}
	// Recovery.
	s.fail(nil)
	if ok, err := a.Allowed(ctx, "a", addr("203.0.113.9")); !ok || err != nil {
		t.Fatalf("after recovery Allowed = %v, %v", ok, err)
	}
}

func TestAllowlistRules(t *testing.T) {
	s := newStore(map[string][]netip.Prefix{"a": prefixes("::ffff:198.51.100.0/120")})
	a := netguard.NewAllowlist(prefixes("203.0.113.0/24"), s.load, time.Minute)
	got, err := a.Rules(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	want := prefixes("203.0.113.0/24", "198.51.100.0/24")
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Rules = %v, want %v", got, want)
	}
	// The admin UI use: would replacing location a's rules lock out the admin?
	admin := addr("198.51.100.20")
	proposed := append(prefixes("203.0.113.0/24"), prefixes("192.0.2.0/24")...)
	if !netguard.WouldLockOut(proposed, admin) {
		t.Fatal("WouldLockOut = false for a change that drops the admin's network")
	}
	if netguard.WouldLockOut(got, admin) {
		t.Fatal("WouldLockOut = true for the current rules")
	}
	// Returned slice is the caller's.
	got[0] = netip.Prefix{}
	if again, _ := a.Rules(context.Background(), "a"); again[0] != want[0] {
		t.Fatal("modifying the returned slice changed the allowlist")
	}
}

func TestAllowlistConcurrentLoadsShared(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	load := func(ctx context.Context, loc string) ([]netip.Prefix, error) {
		calls.Add(1)
		<-release
		return prefixes("198.51.100.0/24"), nil
	}
	a := netguard.NewAllowlist(nil, load, time.Minute)
	const n = 50
	var wg sync.WaitGroup
	results := make(chan bool, n)
	for i := range n {
		wg.Go(func() {
			ip := "198.51.100.1"
			if i%2 == 1 {
				ip = "203.0.113.1"
			}
			ok, err := a.Allowed(context.Background(), "a", addr(ip))
			if err != nil {
				t.Error(err)
			}
			results <- ok == (i%2 == 0)
		})
	}
	time.Sleep(20 * time.Millisecond) // let the goroutines pile up on the load
	close(release)
	wg.Wait()
	close(results)
	for ok := range results {
		if !ok {
			t.Fatal("wrong answer under concurrency")
		}
	}
	if c := calls.Load(); c != 1 {
		t.Fatalf("loader called %d times for concurrent requests, want 1", c)
	}
}

func TestAllowlistWaiterHonoursContext(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	load := func(ctx context.Context, loc string) ([]netip.Prefix, error) {
		close(started)
		<-release
		return nil, nil
	}
	a := netguard.NewAllowlist(nil, load, time.Minute)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Allowed(context.Background(), "a", addr("203.0.113.9"))
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ok, err := a.Allowed(ctx, "a", addr("203.0.113.9"))
	if ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("waiter with cancelled ctx = %v, %v; want false, context.Canceled", ok, err)
	}
	close(release)
	<-done
}

func TestAllowlistLoaderPanicReleasesWaiters(t *testing.T) {
	var panicky atomic.Bool
	panicky.Store(true)
	load := func(ctx context.Context, loc string) ([]netip.Prefix, error) {
		if panicky.Load() {
			panic("driver bug")
		}
		return nil, nil
	}
	a := netguard.NewAllowlist(nil, load, time.Minute)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("loader panic swallowed")
			}
		}()
		a.Allowed(context.Background(), "a", addr("203.0.113.9"))
	}()
	panicky.Store(false)
	// The failed load is not cached and does not block the next request.
	ok, err := a.Allowed(context.Background(), "a", addr("203.0.113.9"))
	if !ok || err != nil {
		t.Fatalf("after panic Allowed = %v, %v", ok, err)
	}
}

// captureLogs routes slog's default logger to a buffer for one test.
func captureLogs(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

// stack is the production order: client IP, then (after authentication)
// the allowlist. locationOf reads a header the test sets, standing in for
// the viewer's verified location.
func stack(p netguard.Proxies, a *netguard.Allowlist, deny http.Handler) http.Handler {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("welcome"))
	})
	locationOf := func(r *http.Request) string { return r.Header.Get("Test-Location") }
	return p.Middleware(a.Middleware(locationOf, deny)(ok))
}

func TestMiddleware(t *testing.T) {
	proxies := netguard.NewProxies(prefixes("10.0.0.0/8"), netguard.TrustCloudflareHeader())
	s := newStore(map[string][]netip.Prefix{"loc_sydney": prefixes("198.51.100.0/24")})
	allow := netguard.NewAllowlist(prefixes("203.0.113.0/24"), s.load, time.Minute)
	h := stack(proxies, allow, nil)

	tests := []struct {
		name     string
		remote   string
		hdr      map[string][]string
		status   int
		bodyPart string
	}{
		{"allowed direct", "203.0.113.9:1234", nil, 200, "welcome"},
		{"refused direct", "192.0.2.1:1234", nil, 403, "Your network (192.0.2.1) is not on this clinic's allowlist."},
		{"forged xff from untrusted peer", "192.0.2.1:1234", xff("203.0.113.9"), 403, "Your network (192.0.2.1) is not"},
		{"forged cf from untrusted peer", "192.0.2.1:1234", map[string][]string{"Cf-Connecting-Ip": {"203.0.113.9"}}, 403, "(192.0.2.1)"},
		{"same xff through trusted proxy", "10.0.0.2:80", xff("203.0.113.9"), 200, "welcome"},
		{"client prepends allowed address through proxy", "10.0.0.2:80", xff("203.0.113.9, 192.0.2.1"), 403, "(192.0.2.1)"},
		{"cf through trusted proxy", "10.0.0.2:80", map[string][]string{"Cf-Connecting-Ip": {"203.0.113.9"}}, 200, "welcome"},
		{"location rule", "198.51.100.7:1", map[string][]string{"Test-Location": {"loc_sydney"}}, 200, "welcome"},
		{"location rule does not apply without location", "198.51.100.7:1", nil, 403, "(198.51.100.7)"},
		{"unknown peer", "@", nil, 403, "Your network (unknown address)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newReq(tt.remote, tt.hdr))
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.bodyPart) {
				t.Fatalf("got %d %q, want %d containing %q", rec.Code, rec.Body.String(), tt.status, tt.bodyPart)
			}
			if tt.status == 403 {
				if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
					t.Errorf("Content-Type = %q", ct)
				}
				if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control = %q", cc)
				}
			}
		})
	}
}

func TestMiddlewareLogsRefusal(t *testing.T) {
	logs := captureLogs(t)
	a := netguard.NewAllowlist(prefixes("203.0.113.0/24"), nil, time.Minute)
	h := stack(netguard.Proxies{}, a, nil)
	h.ServeHTTP(httptest.NewRecorder(), newReq("192.0.2.1:5", map[string][]string{"Test-Location": {"loc_x"}}))
	out := logs.String()
	for _, want := range []string{"level=WARN", "ip=192.0.2.1", "location=loc_x", "path=/ui/contacts"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
}

func TestMiddlewareCustomDeny(t *testing.T) {
	a := netguard.NewAllowlist(prefixes("203.0.113.0/24"), nil, time.Minute)
	var seen netip.Addr
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = netguard.IPFrom(r.Context())
		http.Redirect(w, r, "/blocked", http.StatusSeeOther)
	})
	rec := httptest.NewRecorder()
	stack(netguard.Proxies{}, a, deny).ServeHTTP(rec, newReq("192.0.2.1:5", nil))
	if rec.Code != http.StatusSeeOther || seen != addr("192.0.2.1") {
		t.Fatalf("custom deny not used: %d, ip %v", rec.Code, seen)
	}
}

func TestMiddlewareLoaderErrorIs503(t *testing.T) {
	logs := captureLogs(t)
	s := newStore(map[string][]netip.Prefix{})
	s.fail(errors.New("connection refused"))
	a := netguard.NewAllowlist(prefixes("203.0.113.0/24"), s.load, time.Minute)
	denied := false
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { denied = true })
	h := stack(netguard.Proxies{}, a, deny)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, newReq("192.0.2.1:5", map[string][]string{"Test-Location": {"loc_x"}}))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || denied {
		t.Fatalf("got %d (Retry-After %q, deny called %v), want 503 without deny", rec.Code, rec.Header().Get("Retry-After"), denied)
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("loader error not logged: %q", logs.String())
	}
	// A client the global rules admit is not held hostage by the loader.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, newReq("203.0.113.9:5", map[string][]string{"Test-Location": {"loc_x"}}))
	if rec.Code != 200 {
		t.Fatalf("globally allowed client got %d during loader outage", rec.Code)
	}
}

func TestMiddlewareWithoutProxiesUsesPeer(t *testing.T) {
	a := netguard.NewAllowlist(prefixes("203.0.113.0/24"), nil, time.Minute)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := a.Middleware(nil, nil)(ok) // client-IP middleware forgotten
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, newReq("192.0.2.1:5", xff("203.0.113.9")))
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "(192.0.2.1)") {
		t.Fatalf("got %d %q; want 403 naming the peer", rec.Code, rec.Body.String())
	}
}
