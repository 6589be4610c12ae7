package aiusage

import (
	"context"
	"sync"
	"time"
)

// A create through HTTP scores its contact with the built-in engine, and
// the event job rescoring it after the welcome SMS does again: with the
// counts written at each transaction's commit, that was an upsert of the
// counter row in both transactions of every create, on SQLite's one write
// connection (docs/PERFORMANCE.md, "The event job's statements"). A
// started Store instead adds a committed transaction's counts to memory
// and writes them every FlushEvery, one upsert per group for all the
// transactions since: the same rows and sums, a moment later. Reading the
// usage (Usage) writes what is held first, so the report never misses a
// committed call. What a crash loses is at most FlushEvery of free
// built-in calls' counts (they cost nothing and say nothing about a
// person); calls that cost or use tokens keep their row, written in the
// transaction (counter.go). An unstarted Store writes at each commit.

// FlushEvery is how often a started Store writes the counts it holds.
const FlushEvery = time.Second

// held is the started Store's counts, or nil.
func (s *Store) held() *heldCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hold
}

// heldCounts are committed counts not written yet.
type heldCounts struct {
	mu     sync.Mutex
	groups map[group]*tally
	order  []group
}

func (h *heldCounts) addAll(p *pendingCounts) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, g := range p.order {
		h.add(g, *p.groups[g])
	}
}

func (h *heldCounts) add(g group, t tally) {
	cur := h.groups[g]
	if cur == nil {
		cur = &tally{}
		h.groups[g] = cur
		h.order = append(h.order, g)
	}
	cur.calls += t.calls
	cur.latencyUs += t.latencyUs
}

// take empties h and returns what it held.
func (h *heldCounts) take() (map[group]*tally, []group) {
	h.mu.Lock()
	defer h.mu.Unlock()
	g, o := h.groups, h.order
	h.groups, h.order = map[group]*tally{}, nil
	return g, o
}

// Start makes s hold the built-in calls' counts of committed transactions
// in memory and write them every FlushEvery, until Stop. ctx bounds the
// flusher's writes.
func (s *Store) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		return
	}
	s.hold = &heldCounts{groups: map[group]*tally{}}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.flushLoop(context.WithoutCancel(ctx), s.stop, s.done)
}

func (s *Store) flushLoop(ctx context.Context, stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if err := s.Flush(ctx); err != nil {
				s.log().Error("ai usage: writing the built-in calls' counts failed; kept for the next try", "err", err)
			}
		}
	}
}

// Flush writes the counts s holds (nothing for an unstarted Store). On an
// error the counts not written are held again for the next try.
func (s *Store) Flush(ctx context.Context) error {
	return s.flush(ctx, s.held())
}

func (s *Store) flush(ctx context.Context, h *heldCounts) error {
	if h == nil {
		return nil
	}
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	groups, order := h.take()
	for i, g := range order {
		if err := s.upsert(ctx, s.Client, g, *groups[g]); err != nil {
			h.mu.Lock()
			for _, g := range order[i:] {
				h.add(g, *groups[g])
			}
			h.mu.Unlock()
			return err
		}
	}
	return nil
}

// Stop stops the flusher and writes what s holds; after it s writes at
// each commit again.
func (s *Store) Stop(ctx context.Context) error {
	s.mu.Lock()
	h, stop, done := s.hold, s.stop, s.done
	s.hold, s.stop, s.done = nil, nil, nil
	s.mu.Unlock()
	if stop == nil {
		return nil
	}
	close(stop)
	<-done
	return s.flush(ctx, h)
}
