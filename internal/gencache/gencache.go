// Package gencache is the short-lived read cache the busy paths keep for
// rows that are read on every request or event and written rarely (the
// viewer a session is made of, a location's webhook subscriptions).
//
// An entry is used only while it is younger than a lifetime and of the
// current generation. The generation is bumped by an ent hook (Hook) on
// every write that may change what is cached, at once and again when the
// write's transaction commits, so this process never serves a stale entry
// after a commit; the lifetime bounds only what the hook cannot see (a
// write by another process on the same database).
package gencache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
)

// Gen is a cache generation; the zero value is ready.
type Gen struct{ n atomic.Uint64 }

// Load returns the current generation. Read it before the queries that
// build an entry: if a write commits meanwhile, the entry is born stale.
func (g *Gen) Load() uint64 { return g.n.Load() }

// Invalidate makes every entry of an earlier generation unusable.
func (g *Gen) Invalidate() { g.n.Add(1) }

// Map holds entries by key; the zero value is empty and ready.
type Map[K comparable, V any] struct {
	m    sync.Map // K -> *entry[V]
	size atomic.Int64
}

type entry[V any] struct {
	v    V
	gen  uint64
	born time.Time
}

// Get returns the entry for k if it is of generation gen and younger than ttl.
func (c *Map[K, V]) Get(k K, gen uint64, ttl time.Duration) (V, bool) {
	if e, ok := c.m.Load(k); ok {
		en := e.(*entry[V])
		if en.gen == gen && time.Since(en.born) < ttl {
			return en.v, true
		}
	}
	var zero V
	return zero, false
}

// Put stores v for k as of generation gen. Past max stores the map is
// emptied: a bound on memory, not an eviction policy (entries live
// seconds).
func (c *Map[K, V]) Put(k K, gen uint64, v V, max int64) {
	if c.size.Add(1) > max {
		c.m.Clear()
		c.size.Store(0)
	}
	c.m.Store(k, &entry[V]{v: v, gen: gen, born: time.Now()})
}

// Hook returns the ent hook that invalidates g on every mutation whose
// type matches: at once, and again when the mutation's transaction
// commits (an entry built in between from the old rows must not outlive
// the commit).
func Hook(g *Gen, matches func(typ string) bool) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if !matches(m.Type()) {
				return next.Mutate(ctx, m)
			}
			g.Invalidate()
			if tm, ok := m.(interface{ Tx() (*ent.Tx, error) }); ok {
				if tx, err := tm.Tx(); err == nil {
					tx.OnCommit(func(next ent.Committer) ent.Committer {
						return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
							err := next.Commit(ctx, tx)
							g.Invalidate()
							return err
						})
					})
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}
