package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/audit"
)

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func ipOf(r *http.Request) string { return "198.51.100.9" }

func who(context.Context) (string, string, string) {
	return "usr_mw", "staff@example.com", "loc_mw"
}

// echoBody answers with the SHA-256 of the body the handler received.
var echoBody = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	audit.MetaFrom(r.Context()).SetOperation(r.Header.Get("X-Op"))
	w.Header().Set("X-Body-SHA256", sha(string(b)))
	fmt.Fprint(w, "ok")
})

func closeLog(t *testing.T, l *audit.Log) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestMiddleware_Concurrent sends 50 requests at once: after Close there
// is exactly one entry per request, with the body's hash and never the
// body.
func TestMiddleware_Concurrent(t *testing.T) {
	d := openSQLite(t)
	l := audit.New(d.Client, d.Dialect, testKey, audit.Options{})
	l.Start()
	srv := httptest.NewServer(l.Middleware(ipOf, who)(echoBody))
	defer srv.Close()

	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"query":"mutation { contact(ssn: \"PATIENT-SECRET-%03d\") }"}`, i)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
			req.Header.Set("User-Agent", "audit-test")
			req.Header.Set("X-Op", fmt.Sprintf("Op%03d", i))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("X-Body-SHA256") != sha(body) {
				t.Errorf("request %d: status %d, handler saw body %s, want %s", i, resp.StatusCode, resp.Header.Get("X-Body-SHA256"), sha(body))
			}
		}()
	}
	wg.Wait()
	closeLog(t, l)

	es := auditEntries(t, d)
	if len(es) != n {
		t.Fatalf("%d entries for %d requests", len(es), n)
	}
	seen := map[string]bool{}
	for _, e := range es {
		var i int
		if _, err := fmt.Sscanf(e.Operation, "Op%03d", &i); err != nil {
			t.Fatalf("entry %d operation %q", e.ID, e.Operation)
		}
		seen[e.Operation] = true
		body := fmt.Sprintf(`{"query":"mutation { contact(ssn: \"PATIENT-SECRET-%03d\") }"}`, i)
		if e.Action != audit.ActionRequest || e.Method != "POST" || e.Path != "/graphql" || e.Status != 200 ||
			e.IP != "198.51.100.9" || e.UserAgent != "audit-test" || e.UserID != "usr_mw" ||
			e.Email != "staff@example.com" || e.LocationID != "loc_mw" || e.BodySha256 != sha(body) {
			t.Errorf("entry %+v does not describe request %d", e, i)
		}
		if strings.Contains(fmt.Sprintf("%+v", *e), "PATIENT-SECRET") {
			t.Errorf("entry %d stores the request body", e.ID)
		}
	}
	if len(seen) != n {
		t.Fatalf("%d distinct requests recorded, want %d", len(seen), n)
	}
	assertVerifies(t, l, n)
}

// TestMiddleware_Cases covers skipped paths, denials, large bodies and the
// server's body limit.
func TestMiddleware_Cases(t *testing.T) {
	d := openSQLite(t)
	l := audit.New(d.Client, d.Dialect, testKey, audit.Options{MaxBody: 16})
	l.Start()
	mux := http.NewServeMux()
	mux.Handle("/", echoBody)
	mux.HandleFunc("/forbidden", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	})
	mux.HandleFunc("/ip-blocked", func(w http.ResponseWriter, r *http.Request) {
		audit.MetaFrom(r.Context()).Deny("IP not on the location's allowlist")
		http.Error(w, "not found", http.StatusNotFound)
	})
	mux.HandleFunc("/signin", func(w http.ResponseWriter, r *http.Request) {
		audit.MetaFrom(r.Context()).SetActor("usr_new", "new@example.com", "loc_1")
		audit.MetaFrom(r.Context()).MarkPHI()
		w.WriteHeader(http.StatusSeeOther)
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	// The server caps bodies (as internal/server's limitBody does) before
	// the audit middleware sees them.
	limit := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, 32)
			next.ServeHTTP(w, r)
		})
	}
	recoverer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if recover() != nil {
					w.WriteHeader(http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(recoverer(limit(l.Middleware(ipOf, who)(mux))))
	defer srv.Close()

	do := func(method, path, body string) *http.Response {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/static/app.css"} {
		do("GET", p, "")
	}
	do("GET", "/contacts", "")
	do("GET", "/forbidden", "")
	do("GET", "/ip-blocked", "")
	do("POST", "/signin", "")
	long := strings.Repeat("x", 24) // over MaxBody (16), under the server's 32
	if resp := do("POST", "/long", long); resp.Header.Get("X-Body-SHA256") != sha(long) {
		t.Errorf("handler did not get the whole long body")
	}
	if resp := do("POST", "/huge", strings.Repeat("y", 40)); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("over the server's limit: status %d, want the handler to see the MaxBytesError", resp.StatusCode)
	}
	do("GET", "/panic", "")
	closeLog(t, l)

	es := auditEntries(t, d)
	got := map[string]*ent.AuditEntry{}
	for _, e := range es {
		got[e.Path] = e
	}
	if len(es) != 7 {
		t.Fatalf("%d entries, want 7 (probes, metrics and static files skipped): %v", len(es), got)
	}
	check := func(path, action string, status int, f func(e *ent.AuditEntry) bool) {
		t.Helper()
		e := got[path]
		if e == nil || e.Action != action || e.Status != status || (f != nil && !f(e)) {
			t.Errorf("%s: entry %+v, want %s with status %d", path, e, action, status)
		}
	}
	check("/contacts", audit.ActionRequest, 200, func(e *ent.AuditEntry) bool { return e.BodySha256 == "" })
	check("/forbidden", audit.ActionDenied, 403, nil)
	check("/ip-blocked", audit.ActionDenied, 404, func(e *ent.AuditEntry) bool {
		return strings.Contains(e.Detail, "IP not on the location's allowlist")
	})
	check("/signin", audit.ActionRequest, 303, func(e *ent.AuditEntry) bool {
		return e.UserID == "usr_new" && e.Email == "new@example.com" && e.Phi
	})
	check("/long", audit.ActionRequest, 200, func(e *ent.AuditEntry) bool {
		return e.BodySha256 == sha(long[:16]) && strings.Contains(e.Detail, "first 16 bytes")
	})
	check("/huge", audit.ActionRequest, 413, nil)
	check("/panic", audit.ActionRequest, 500, nil)
	assertVerifies(t, l, 7)
}

// TestMiddleware_BodyOverServerLimit: when the middleware's own read hits
// the server's limit, the handler gets the same bytes and the same error.
func TestMiddleware_BodyOverServerLimit(t *testing.T) {
	d := openSQLite(t)
	l := audit.New(d.Client, d.Dialect, testKey, audit.Options{MaxBody: 64})
	l.Start()
	var got []byte
	var gotErr error
	h := l.Middleware(ipOf, who)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotErr = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusRequestEntityTooLarge)
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/import", strings.NewReader(strings.Repeat("z", 40)))
	req.Body = http.MaxBytesReader(rec, req.Body, 32)
	h.ServeHTTP(rec, req)
	var mbe *http.MaxBytesError
	if string(got) != strings.Repeat("z", 32) || !errors.As(gotErr, &mbe) {
		t.Fatalf("handler read %d bytes, err %v; want 32 bytes then the MaxBytesError", len(got), gotErr)
	}
	closeLog(t, l)
	es := auditEntries(t, d)
	if len(es) != 1 || es[0].BodySha256 != sha(strings.Repeat("z", 32)) || !strings.Contains(es[0].Detail, "body read failed after 32 bytes") {
		t.Fatalf("entries %+v", es)
	}
}
