package bench

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// BenchmarkMiddleware measures what the request chain adds to a GraphQL
// request: request id, access log, recovery, headers, body limit, client
// IP, audit (body hash + a queued entry), allowlists, CSRF check, session
// lookup and viewer, rate limits. "bare" serves the same query with the
// GraphQL handler alone and the viewer already in the context; the
// difference is the chain's cost. Requests are served in-process
// (httptest.ResponseRecorder), so the network is not measured.
func BenchmarkMiddleware(b *testing.B) {
	srv := testutil.StartServer(b, testutil.ServerOptions{})
	client := srv.SignIn(b, "staff@example.com")
	u, _ := url.Parse(srv.URL)
	var cookie *http.Cookie
	for _, c := range client.Jar.Cookies(u) {
		cookie = c
	}
	const query = `{"query":"{ me { role } }"}`
	newReq := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(query))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = "127.0.0.1:50000"
		return r
	}

	b.Run("full_chain", func(b *testing.B) {
		h := srv.App.Handler
		for b.Loop() {
			r := newReq()
			r.AddCookie(cookie)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})

	b.Run("bare", func(b *testing.B) {
		ctx := testutil.As(b, srv.App.DB.Client, "staff@example.com")
		h := graph.NewHandler(&graph.Resolver{Client: srv.App.DB.Client}, graph.Options{})
		for b.Loop() {
			r := newReq().WithContext(ctx)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkAuditRecordEnqueue is what a request pays to hand its entry to
// the batched audit writer (the write itself happens in the background).
func BenchmarkAuditRecordEnqueue(b *testing.B) {
	srv := testutil.StartServer(b, testutil.ServerOptions{})
	log := srv.App.Audit
	e := auditEntry()
	for b.Loop() {
		log.Record(e)
	}
}

func auditEntry() audit.Entry {
	return audit.Entry{Action: audit.ActionRequest, Method: "POST", Path: "/graphql", IP: "127.0.0.1", Status: 200, Email: "staff@example.com"}
}
