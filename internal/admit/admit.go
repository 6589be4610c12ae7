// Package admit bounds how many requests run at once. Under a burst (500
// clients on a 2-core server) every request in progress holds its own
// working set — a search its candidate sets, a page its rendered template —
// so the heap grows with the number admitted, not with the work done: the
// cores finish requests no faster with 500 in progress than with 8. A
// Limiter lets n run and queues the rest in arrival order; a queued request
// whose client goes away leaves the queue, and one that waits longer than
// the limit is answered 503 with Retry-After.
package admit

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
)

// DefaultPerCPU is the default bound per GOMAXPROCS: enough that a request
// waiting on SQLite's one writer or on the read pool does not leave a core
// idle, few enough that their heaps stay small.
const DefaultPerCPU = 4

// DefaultMaxWait is how long a request may wait for its turn by default.
const DefaultMaxWait = 30 * time.Second

// ErrBusy is returned by Acquire when the wait limit passed.
var ErrBusy = errors.New("admit: server busy")

// Limiter admits at most n requests at once.
type Limiter struct {
	slots   chan struct{}
	maxWait time.Duration
	waiting atomic.Int64
	served  atomic.Uint64
	// Busy answers a request that waited too long; nil writes a plain 503.
	// It is called after the Retry-After header is set.
	Busy func(w http.ResponseWriter, r *http.Request, retryAfter time.Duration)
}

// DefaultLimit is DefaultPerCPU times GOMAXPROCS.
func DefaultLimit() int { return DefaultPerCPU * runtime.GOMAXPROCS(0) }

// New returns a Limiter running at most n at once (n < 1: DefaultLimit())
// and queueing the rest for at most maxWait (<= 0: DefaultMaxWait).
func New(n int, maxWait time.Duration) *Limiter {
	if n < 1 {
		n = DefaultLimit()
	}
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	return &Limiter{slots: make(chan struct{}, n), maxWait: maxWait}
}

// Limit is the number admitted at once.
func (l *Limiter) Limit() int { return cap(l.slots) }

// InFlight is the number admitted now.
func (l *Limiter) InFlight() int { return len(l.slots) }

// Waiting is the number queued now.
func (l *Limiter) Waiting() int { return int(l.waiting.Load()) }

// Acquire waits for a slot. It returns ctx's error if ctx ends first
// (the client gave up: the request leaves the queue) and ErrBusy after the
// wait limit. On success the caller must call release once.
func (l *Limiter) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	default:
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	t := time.NewTimer(l.maxWait)
	defer t.Stop()
	// Blocked senders on a channel are woken in the order they came, so
	// the queue is first come, first served.
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, ErrBusy
	}
}

func (l *Limiter) release() {
	<-l.slots
	l.served.Add(1)
}

// Served counts the requests admitted and finished since the start.
func (l *Limiter) Served() uint64 { return l.served.Load() }

// Middleware runs next once admitted. A client that went away while
// queued gets nothing run for it (its status is logged as 503); a request
// that waited past the limit is answered 503 with Retry-After.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		release, err := l.Acquire(r.Context())
		if err != nil {
			l.busy(w, r)
			return
		}
		defer release()
		next.ServeHTTP(w, r)
	})
}

// retryAfter is what a refused client is told: the queue drains in about
// the wait limit, so sooner would likely be refused again, but a client
// that retries after a second spreads out a burst.
const retryAfter = time.Second

func (l *Limiter) busy(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	if l.Busy != nil {
		l.Busy(w, r, retryAfter)
		return
	}
	http.Error(w, "The server is busy: please try again in a moment.", http.StatusServiceUnavailable)
}
