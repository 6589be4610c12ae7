package webhooks

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// Every event the automation job dispatches asked for its location's
// enabled subscriptions, and most locations have none for the event's
// type: one statement per event for nothing. Fanout remembers, per
// location, the event types its enabled subscriptions chose, and skips the
// query for any other type. Any committed write to a subscription clears
// the cache at once (SubscriptionCacheHook, installed in
// internal/entclient); the lifetime (subsTTL) only bounds what that hook
// cannot see: a subscription written by another server on the same
// database is fanned out to at most subsTTL late (docs/DECISIONS.md).
const subsTTL = 2 * time.Second

// subsGen changes whenever a subscription may have changed; an entry of
// another generation is not used.
var subsGen atomic.Uint64

// InvalidateSubscriptions drops every remembered location.
func InvalidateSubscriptions() { subsGen.Add(1) }

type subTypes struct {
	types []string
	gen   uint64
	born  time.Time
}

var (
	subsCache sync.Map // pulid.ID (location) -> *subTypes
	subsSize  atomic.Int64
)

// maxCachedLocations bounds the cache; past it the cache is emptied.
const maxCachedLocations = 10_000

// unsubscribed reports whether loc is known, freshly, to have no enabled
// subscription to typ. False when not known.
func unsubscribed(loc pulid.ID, typ string) bool {
	e, ok := subsCache.Load(loc)
	if !ok {
		return false
	}
	st := e.(*subTypes)
	if st.gen != subsGen.Load() || time.Since(st.born) >= subsTTL {
		return false
	}
	return !slices.Contains(st.types, typ)
}

// remember notes the event types of loc's enabled subscriptions, read
// after gen was loaded: if a write committed meanwhile, the entry is
// already stale and will not be used.
func remember(loc pulid.ID, gen uint64, subs []*ent.WebhookSubscription) {
	var types []string
	for _, s := range subs {
		for _, t := range s.EventTypes {
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	if subsSize.Add(1) > maxCachedLocations {
		subsCache.Clear()
		subsSize.Store(0)
	}
	subsCache.Store(loc, &subTypes{types: types, gen: gen, born: time.Now()})
}

// SubscriptionCacheHook returns the ent hook that clears the remembered
// subscriptions on every write to a subscription: at once, and again when
// the mutation's transaction commits (an entry read in between from the
// old rows must not outlive the commit).
func SubscriptionCacheHook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if m.Type() != ent.TypeWebhookSubscription {
				return next.Mutate(ctx, m)
			}
			InvalidateSubscriptions()
			if tm, ok := m.(interface{ Tx() (*ent.Tx, error) }); ok {
				if tx, err := tm.Tx(); err == nil {
					tx.OnCommit(func(next ent.Committer) ent.Committer {
						return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
							err := next.Commit(ctx, tx)
							InvalidateSubscriptions()
							return err
						})
					})
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}
