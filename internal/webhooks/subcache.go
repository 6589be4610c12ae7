package webhooks

import (
	"slices"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/gencache"
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

// subsGen changes whenever a subscription may have changed.
var subsGen gencache.Gen

// InvalidateSubscriptions drops every remembered location.
func InvalidateSubscriptions() { subsGen.Invalidate() }

// subsCache holds, per location, the event types of its enabled subscriptions.
var subsCache gencache.Map[pulid.ID, []string]

// maxCachedLocations bounds the cache; past it the cache is emptied.
const maxCachedLocations = 10_000

// unsubscribed reports whether loc is known, freshly, to have no enabled
// subscription to typ. False when not known.
func unsubscribed(loc pulid.ID, typ string) bool {
	types, ok := subsCache.Get(loc, subsGen.Load(), subsTTL)
	return ok && !slices.Contains(types, typ)
}

// remember notes the event types of loc's enabled subscriptions, read
// after gen was loaded: if a write committed meanwhile, the entry is
// already stale and will not be used.
func remember(loc pulid.ID, gen uint64, subs []*ent.WebhookSubscription) {
	types := []string{}
	for _, s := range subs {
		for _, t := range s.EventTypes {
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	subsCache.Put(loc, gen, types, maxCachedLocations)
}

// SubscriptionCacheHook returns the ent hook that clears the remembered
// subscriptions on every write to a subscription (gencache.Hook).
func SubscriptionCacheHook() ent.Hook {
	return gencache.Hook(&subsGen, func(typ string) bool { return typ == ent.TypeWebhookSubscription })
}
