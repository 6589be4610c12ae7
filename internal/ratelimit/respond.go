package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// refusal answers and logs the requests one named limit refuses.
type refusal struct {
	name    string
	limit   Limit
	ipKey   func(*http.Request) string
	userKey func(*http.Request) string // nil for per-IP limits
	log     *slog.Logger
	gate    logGate
}

// serveHTTP answers a request over the limit. httprate has already set
// X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset (Unix seconds
// at which the current window ends) and a Retry-After of the whole window;
// Retry-After and Remaining are corrected here.
func (f *refusal) serveHTTP(w http.ResponseWriter, r *http.Request) {
	retry := retryAfter(time.Now(), f.limit)
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(retry))
	// httprate reports limit minus the estimated rate, which goes negative
	// when instances race past the limit; a refused client has none left.
	h.Set(headerRemaining, "0")
	writeError(w, r, http.StatusTooManyRequests, "RATE_LIMITED",
		"too many requests, retry in "+strconv.Itoa(retry)+" s")
	f.logRefusal(r, retry)
}

// serveError answers when the counter fails. httprate's default would send
// the error text (Redis addresses and all) to the client with status 428.
// With the Redis fallback enabled the counters do not fail, so this is a
// safety net: refuse with 503 rather than let an unlimited request through.
func (f *refusal) serveError(w http.ResponseWriter, r *http.Request, err error) {
	f.log.LogAttrs(r.Context(), slog.LevelError, "rate limit check failed",
		slog.String("limit", f.name), slog.String("path", r.URL.Path), slog.Any("err", err))
	w.Header().Set("Retry-After", "1")
	writeError(w, r, http.StatusServiceUnavailable, "UNAVAILABLE", "service temporarily unavailable, retry in 1 s")
}

// retryAfter returns whole seconds after which a client that has just been
// refused is let through again, assuming it sends nothing meanwhile.
//
// It is not simply the window: httprate estimates the rate as
// prev*(1-elapsed/window) + curr, so right after the window ends the old
// count still weighs almost fully. With the ended window holding at most
// Requests (n) hits, the estimate drops below the limit once
// n*(1-x/window) < n-0.5, i.e. x > window/(2n) into the next window. Waiting
// until the window end plus that margin (rounded up) is therefore enough; a
// fixed "window" would be too short when the refusal comes early in a window
// and needlessly long when it comes late.
func retryAfter(now time.Time, l Limit) int {
	end := now.Truncate(l.Window).Add(l.Window)
	wait := end.Sub(now) + l.Window/time.Duration(2*l.Requests)
	return int(wait/time.Second) + 1
}

// writeError writes a GraphQL-shaped JSON error to clients that read JSON
// (the GraphQL endpoint, API clients) and plain text to the rest (browsers,
// curl), so each client can show the message as it is.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	h := w.Header()
	// Intermediaries must not cache a refusal meant for one client.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if wantsJSON(r) {
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		// msg and code are built here from constants and integers, so
		// they need no JSON escaping.
		_, _ = w.Write([]byte(`{"errors":[{"message":"` + msg + `","extensions":{"code":"` + code + `"}}]}` + "\n"))
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

// wantsJSON reports whether the refusal should be JSON: always on the GraphQL
// endpoint, whose clients parse {"errors":[…]}, and elsewhere when the Accept
// header ranks a JSON type at least as high as any other explicit type.
func wantsJSON(r *http.Request) bool {
	if strings.HasSuffix(r.URL.Path, "/graphql") {
		return true
	}
	return prefersJSON(r.Header.Get("Accept"))
}

// prefersJSON parses an Accept header just enough to compare the best
// quality of JSON types with the best quality of other explicit types.
// Wildcards are ignored: "*/*" says the client takes anything, not that it
// wants JSON, so a bare "*/*" (curl, HTMX) gets plain text.
func prefersJSON(accept string) bool {
	if accept == "" {
		return false
	}
	jsonQ, otherQ := 0.0, 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, params, _ := strings.Cut(part, ";")
		mediaType = strings.ToLower(strings.TrimSpace(mediaType))
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(p, "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch {
		case mediaType == "application/json" || strings.HasSuffix(mediaType, "+json"):
			jsonQ = max(jsonQ, q)
		case mediaType == "" || strings.HasSuffix(mediaType, "/*"):
		default:
			otherQ = max(otherQ, q)
		}
	}
	return jsonQ > 0 && jsonQ >= otherQ
}

// logRefusal logs a refused request. User keys may be session tokens, so
// only a short hash of them is logged: enough to tell whether one user keeps
// hitting the limit, useless for replaying a session.
func (f *refusal) logRefusal(r *http.Request, retry int) {
	ok, suppressed := f.gate.allow(time.Now())
	if !ok {
		return
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("limit", f.name),
		slog.String("budget", f.limit.String()),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("retry_after", retry),
	)
	if u := f.user(r); u != "" {
		sum := sha256.Sum256([]byte(u))
		attrs = append(attrs, slog.String("key_kind", "user"), slog.String("user_hash", hex.EncodeToString(sum[:6])))
	} else {
		attrs = append(attrs, slog.String("key_kind", "ip"), slog.String("ip", clientIP(f.ipKey, r)))
	}
	if suppressed > 0 {
		attrs = append(attrs, slog.Int64("suppressed", suppressed))
	}
	f.log.LogAttrs(r.Context(), slog.LevelWarn, "rate limited", attrs...)
}

func (f *refusal) user(r *http.Request) string {
	if f.userKey == nil {
		return ""
	}
	return f.userKey(r)
}

// logGate lets one log line through per second and counts the rest. Refused
// requests cost the attacker nothing, so logging each one would turn a flood
// of requests into a flood of logs.
type logGate struct {
	next       atomic.Int64 // UnixNano before which lines are suppressed
	suppressed atomic.Int64
}

// allow reports whether a line may be logged now and, if so, how many were
// suppressed since the last one.
func (g *logGate) allow(now time.Time) (bool, int64) {
	next := g.next.Load()
	if now.UnixNano() < next || !g.next.CompareAndSwap(next, now.Add(time.Second).UnixNano()) {
		g.suppressed.Add(1)
		return false, 0
	}
	return true, g.suppressed.Swap(0)
}
