package ratelimit_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ratelimit"
)

// testIPHeader stands in for the trusted-proxy resolution the server does:
// the tests' IPKey reads the client IP from it.
const (
	testIPHeader   = "X-Test-Client-IP"
	testUserHeader = "X-Test-User"
)

func headerIP(r *http.Request) string   { return r.Header.Get(testIPHeader) }
func headerUser(r *http.Request) string { return r.Header.Get(testUserHeader) }

// lockedBuffer collects log output; slog handlers and the test read it from
// different goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// memConfig is an in-memory Config whose IPKey reads testIPHeader and whose
// logs go to the returned buffer.
func memConfig() (ratelimit.Config, *lockedBuffer) {
	logs := &lockedBuffer{}
	cfg := ratelimit.DefaultConfig()
	cfg.IPKey = headerIP
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return cfg, logs
}

func newLimiter(t testing.TB, cfg ratelimit.Config) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// serve starts a real HTTP server answering 200 "ok" behind mw.
func serve(t testing.TB, mw func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})))
	t.Cleanup(srv.Close)
	return srv
}

type reply struct {
	status int
	header http.Header
	body   string
}

// get sends a real GET to srv.URL+path with the given header pairs.
func get(t testing.TB, srv *httptest.Server, path string, kv ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// mustPass sends n requests and fails unless all are answered 200.
func mustPass(t testing.TB, n int, srv *httptest.Server, path string, kv ...string) {
	t.Helper()
	for i := range n {
		if r := get(t, srv, path, kv...); r.status != http.StatusOK {
			t.Fatalf("request %d/%d to %s %v: status %d, want 200 (body %q)", i+1, n, path, kv, r.status, r.body)
		}
	}
}

// mustRefuse sends one request and fails unless it is answered 429.
func mustRefuse(t testing.TB, srv *httptest.Server, path string, kv ...string) reply {
	t.Helper()
	r := get(t, srv, path, kv...)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("request to %s %v: status %d, want 429 (body %q)", path, kv, r.status, r.body)
	}
	return r
}

// retryAfter parses the Retry-After of a refusal and checks it is sane for
// lim: at least 1 s, and at most the window plus the decay margin of
// httprate's sliding window (window/(2*Requests)), rounded up.
func retryAfter(t testing.TB, r reply, lim ratelimit.Limit) int {
	t.Helper()
	s := r.header.Get("Retry-After")
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("Retry-After %q is not whole seconds: %v", s, err)
	}
	most := int((lim.Window+lim.Window/time.Duration(2*lim.Requests))/time.Second) + 1
	if n < 1 || n > most {
		t.Fatalf("Retry-After = %d, want between 1 and %d for %s", n, most, lim)
	}
	return n
}

type gqlErrors struct {
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
}

func decodeGQLErrors(t testing.TB, r reply) gqlErrors {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type = %q, want JSON (body %q)", ct, r.body)
	}
	var e gqlErrors
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
	if len(e.Errors) != 1 {
		t.Fatalf("body %q: want exactly one error", r.body)
	}
	return e
}
