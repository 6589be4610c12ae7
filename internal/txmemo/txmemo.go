// Package txmemo remembers rows read inside one unit of work (a batch of
// events dispatched in one transaction), so that work reads a row that
// cannot change under it once, not once per item: a location and its SMS
// templates for every welcome SMS of a batch. A memo lives in a context
// and dies with it; nothing is shared between transactions, so nothing
// can be stale beyond what the transaction itself sees.
package txmemo

import (
	"context"
	"sync"
)

type memo struct {
	mu sync.Mutex
	m  map[any]any
}

type ctxKey struct{}

// With returns ctx carrying a new, empty memo.
func With(ctx context.Context) context.Context {
	return context.WithValue(ctx, ctxKey{}, &memo{m: map[any]any{}})
}

// Get returns the value remembered for key in ctx's memo, or calls load
// and remembers what it returns (errors are not remembered). Without a
// memo in ctx it just calls load. key must be comparable and of a type of
// the caller's own, so packages do not collide.
func Get[V any](ctx context.Context, key any, load func() (V, error)) (V, error) {
	mm, _ := ctx.Value(ctxKey{}).(*memo)
	if mm == nil {
		return load()
	}
	mm.mu.Lock()
	v, ok := mm.m[key]
	mm.mu.Unlock()
	if ok {
		return v.(V), nil
	}
	out, err := load()
	if err != nil {
		return out, err
	}
	mm.mu.Lock()
	mm.m[key] = out
	mm.mu.Unlock()
	return out, nil
}
