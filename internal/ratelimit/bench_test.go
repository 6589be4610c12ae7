package ratelimit_test

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/go-chi/httprate"

	"github.com/avatarimaging/avatarcrm/internal/ratelimit"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the middleware rather than a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

type ipCtxKey struct{}

// ctxIP reads the client IP from the context, as the server's IPKey does
// with chi's middleware.GetClientIP.
func ctxIP(r *http.Request) string {
	ip, _ := r.Context().Value(ipCtxKey{}).(string)
	return ip
}

// BenchmarkPerIPInMemory measures what the in-memory per-IP middleware adds
// to a request that is allowed through: compare "limiter" with "baseline".
func BenchmarkPerIPInMemory(b *testing.B) {
	// A budget the benchmark never exhausts: refusals are not the case
	// being measured.
	huge := ratelimit.Limit{Requests: 1 << 40, Window: time.Hour}
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	// limited wraps next in a fresh limiter, so that repeated runs
	// (-count) neither share counters nor register a name twice.
	limited := func(b *testing.B) http.Handler {
		cfg := ratelimit.DefaultConfig()
		cfg.IPKey = ctxIP
		cfg.Logger = slog.New(slog.DiscardHandler)
		l, err := ratelimit.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = l.Close() })
		return l.PerIP("bench", huge)(next)
	}
	requests := func(n int) []*http.Request {
		rs := make([]*http.Request, n)
		for i := range rs {
			r, _ := http.NewRequest(http.MethodPost, "/graphql", nil)
			ip := "10.0." + strconv.Itoa(i/256%256) + "." + strconv.Itoa(i%256)
			rs[i] = r.WithContext(context.WithValue(r.Context(), ipCtxKey{}, ip))
		}
		return rs
	}
	run := func(b *testing.B, h http.Handler, rs []*http.Request) {
		w := &discardWriter{h: http.Header{}}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			h.ServeHTTP(w, rs[i%len(rs)])
		}
	}

	one := requests(1)
	many := requests(10_000)
	b.Run("baseline", func(b *testing.B) { run(b, next, one) })
	// httprate on its own, for comparison: what this package adds on top.
	b.Run("httprate-LimitBy/one-ip", func(b *testing.B) {
		h := httprate.LimitBy(huge.Requests, huge.Window, func(r *http.Request) (string, error) {
			return ctxIP(r), nil
		})(next)
		run(b, h, one)
	})
	b.Run("limiter/one-ip", func(b *testing.B) { run(b, limited(b), one) })
	b.Run("limiter/10k-ips", func(b *testing.B) { run(b, limited(b), many) })
	b.Run("limiter/parallel", func(b *testing.B) {
		h := limited(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := &discardWriter{h: http.Header{}}
			i := 0
			for pb.Next() {
				h.ServeHTTP(w, many[i%len(many)])
				i++
			}
		})
	})
}
