package auth

import (
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/gencache"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Building a viewer takes three to four queries (user, memberships with
// their locations, the permission table, the user's overrides), and every
// request, read or write, needs one: 0.4 ms of each request's CPU
// (docs/PERFORMANCE.md). The middleware keeps the viewers it built for a
// short while. Any committed write to anything a viewer is made of clears
// the cache at once (ViewerCacheHook, installed in internal/entclient);
// the lifetime (viewerTTL) only bounds what that hook cannot see: a change
// made by another process (a CLI command) on the same database.

// viewerTTL is how long a cached viewer may be used.
const viewerTTL = 2 * time.Second

// viewerGen changes whenever a viewer may have changed; a cached viewer of
// another generation is not used.
var viewerGen gencache.Gen

// InvalidateViewers drops every cached viewer.
func InvalidateViewers() { viewerGen.Invalidate() }

type viewerKey struct {
	user, loc pulid.ID
	at        bool // LoadViewerAt (the location is required) rather than LoadViewerWith
}

// viewerCache maps viewerKey to the viewer built for it; the zero value
// is empty and ready (a Service has one).
type viewerCache struct {
	m gencache.Map[viewerKey, viewer.Viewer]
}

// maxCachedViewers bounds the cache; past it the cache is emptied.
const maxCachedViewers = 10_000

// load returns a copy of the cached viewer, or builds one with build and
// caches it.
func (c *viewerCache) load(key viewerKey, build func() (*viewer.Viewer, error)) (*viewer.Viewer, error) {
	gen := viewerGen.Load()
	if v, ok := c.m.Get(key, gen, viewerTTL); ok {
		return &v, nil // a copy: the request may set TokenID
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	// gen was read before the queries: if a change committed meanwhile,
	// the entry is already stale and will not be used.
	c.m.Put(key, gen, *v, maxCachedViewers)
	return v, nil
}

// hotTypes are the entities written on the busy paths that no viewer is
// made of; a write to any other type (users, memberships, locations,
// permissions, and whatever is added later) clears the cached viewers.
var hotTypes = map[string]bool{
	ent.TypeContact: true, ent.TypeSearchKey: true, ent.TypeSearchWord: true, ent.TypeAuditEntry: true,
	ent.TypeSession: true, ent.TypeTouchpoint: true, ent.TypeBooking: true,
	ent.TypeTask: true,
	// Written by every create and its automation (the contact.created
	// event, the welcome SMS, its run, the rescoring): as cold types each
	// emptied the cache, so the request after every create built its
	// viewer again (four statements; docs/PERFORMANCE.md, i12create).
	ent.TypeEvent: true, ent.TypeMessage: true, ent.TypeAutomationRun: true,
	ent.TypeWarmnessSnapshot: true, ent.TypeAIUsage: true, ent.TypeWebhookDelivery: true,
	ent.TypeStageChange: true, ent.TypeBookingEvent: true, ent.TypeTaskEvent: true,
	ent.TypeConversation: true, ent.TypeStaffAlert: true,
}

// ViewerCacheHook returns the ent hook that clears the cached viewers on
// every write to an entity a viewer may be made of (gencache.Hook).
func ViewerCacheHook() ent.Hook {
	return gencache.Hook(&viewerGen, func(typ string) bool { return !hotTypes[typ] })
}
