package search

import (
	"context"
	"runtime"
)

// A search reads thousands of index rows and holds its candidates in
// memory. With nothing bounding how many run at once, 500 concurrent
// searches shared two cores, every one of them finished after 30 s (all
// timed out), and the heap held 500 candidate sets (2.4 GB RSS;
// docs/PERFORMANCE.md). A limiter lets a few run and queues the rest in
// arrival order: the same throughput, answers in order, bounded memory.

// limiter is a counting semaphore.
type limiter struct{ slots chan struct{} }

// newLimiter allows n searches at once; 0 means 2 × GOMAXPROCS.
func newLimiter(n int) *limiter {
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	return &limiter{slots: make(chan struct{}, n)}
}

// acquire waits for a slot (or for ctx to end: a client that gave up
// leaves the queue) and returns its release.
func (l *limiter) acquire(ctx context.Context) (func(), error) {
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	default:
	}
	select {
	case l.slots <- struct{}{}:
		return l.release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *limiter) release() { <-l.slots }
