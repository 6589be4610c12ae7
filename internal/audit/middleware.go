package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// skipPath reports whether a request is infrastructure noise (probes,
// static files, scrapes) rather than anyone's access to the CRM.
func skipPath(p string) bool {
	return p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/")
}

// Middleware writes one entry per request (through Record, after the
// handler returns): method, path, status, latency, client IP (ipOf), user
// agent, the SHA-256 of the request body, and who (the viewer in the
// request context, or the actor a handler named with Meta.SetActor). The
// action is "denied" for a 401 or 403 or when a handler called Meta.Deny,
// "request" otherwise. It puts a Meta in the request context for resolvers,
// Hook and PHIInterceptor to fill in. /healthz, /readyz, /metrics and
// /static/ are not recorded.
//
// The body is read up to Options.MaxBody (the server's limit) before the
// handler runs, hashed, and handed to the handler as an equivalent reader:
// the same bytes, then the rest of the original body or the same read error
// (e.g. http.MaxBytesError). The body itself is never stored. Install it
// inside authentication, so the viewer is in the context it sees.
func (l *Log) Middleware(ipOf func(*http.Request) string, who func(ctx context.Context) (userID, email, locationID string)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if skipPath(r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			at := l.now.Now()
			start := time.Now()
			ip := ""
			if ipOf != nil {
				ip = ipOf(r)
			}
			meta := &Meta{v: MetaValues{Method: r.Method, Path: r.URL.Path, IP: ip, UserAgent: r.UserAgent()}}
			ctx := WithMeta(r.Context(), meta)
			bodyHash, bodyNote := l.hashBody(r)
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			completed := false
			defer func() {
				status := ww.Status()
				if !completed {
					// The handler panicked; the recoverer outside answers
					// 500. The attempt is still recorded.
					status = http.StatusInternalServerError
				} else if status == 0 {
					status = http.StatusOK
				}
				l.Record(l.requestEntry(ctx, who, meta, at, time.Since(start), status, bodyHash, bodyNote))
			}()
			next.ServeHTTP(ww, r.WithContext(ctx))
			completed = true
		})
	}
}

// hashBody reads the body up to the limit, hashes it, and replaces r.Body
// with a reader that yields the same bytes and then whatever followed.
func (l *Log) hashBody(r *http.Request) (sum, note string) {
	if r.Body == nil || r.Body == http.NoBody {
		return "", ""
	}
	orig := r.Body
	buf, err := io.ReadAll(io.LimitReader(orig, l.maxBody))
	var rest io.Reader = orig
	switch {
	case err != nil:
		rest = errReader{err}
		note = "body read failed after " + fmt.Sprint(len(buf)) + " bytes: " + err.Error()
	case int64(len(buf)) == l.maxBody:
		note = fmt.Sprintf("body hash covers the first %d bytes", len(buf))
	}
	r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), rest), orig}
	if len(buf) == 0 && err == nil {
		return "", note
	}
	h := sha256.Sum256(buf)
	return hex.EncodeToString(h[:]), note
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

type readCloser struct {
	io.Reader
	io.Closer
}

func (l *Log) requestEntry(ctx context.Context, who func(context.Context) (string, string, string), meta *Meta,
	at time.Time, took time.Duration, status int, bodyHash, bodyNote string) Entry {
	v := meta.Values()
	e := Entry{
		At: at, Action: ActionRequest,
		Operation: v.Operation, ResourceType: v.ResourceType, ResourceID: v.ResourceID,
		Method: v.Method, Path: v.Path, IP: v.IP, UserAgent: v.UserAgent,
		Status: status, LatencyMS: int(took.Milliseconds()), PHI: v.PHI, BodySHA256: bodyHash,
	}
	if v.UserID != "" || v.Email != "" {
		e.UserID, e.Email, e.LocationID = v.UserID, v.Email, v.LocationID
	} else if who != nil {
		e.UserID, e.Email, e.LocationID = who(ctx)
	}
	var detail []string
	if v.Denied != "" || status == http.StatusUnauthorized || status == http.StatusForbidden {
		e.Action = ActionDenied
		if v.Denied != "" {
			detail = append(detail, "denied: "+v.Denied)
		}
	}
	if v.Written > 0 {
		detail = append(detail, fmt.Sprintf("mutation entries written in transaction: %d", v.Written))
	}
	if bodyNote != "" {
		detail = append(detail, bodyNote)
	}
	e.Detail = strings.Join(detail, "; ")
	return e
}
