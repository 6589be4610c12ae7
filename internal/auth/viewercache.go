package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
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
var viewerGen atomic.Uint64

// InvalidateViewers drops every cached viewer.
func InvalidateViewers() { viewerGen.Add(1) }

type viewerKey struct {
	user, loc pulid.ID
	at        bool // LoadViewerAt (the location is required) rather than LoadViewerWith
}

type cachedViewer struct {
	v    viewer.Viewer
	gen  uint64
	born time.Time
}

// viewerCache maps viewerKey to *cachedViewer; the zero value is empty
// and ready (a Service has one).
type viewerCache struct {
	m    sync.Map
	size atomic.Int64
}

// maxCachedViewers bounds the cache; past it the cache is emptied.
const maxCachedViewers = 10_000

// load returns a copy of the cached viewer, or builds one with build and
// caches it.
func (c *viewerCache) load(key viewerKey, build func() (*viewer.Viewer, error)) (*viewer.Viewer, error) {
	gen := viewerGen.Load()
	if e, ok := c.m.Load(key); ok {
		cv := e.(*cachedViewer)
		if cv.gen == gen && time.Since(cv.born) < viewerTTL {
			v := cv.v // a copy: the request may set TokenID
			return &v, nil
		}
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	if c.size.Add(1) > maxCachedViewers {
		c.m.Clear()
		c.size.Store(0)
	}
	// gen was read before the queries: if a change committed meanwhile,
	// the entry is already stale and will not be used.
	c.m.Store(key, &cachedViewer{v: *v, gen: gen, born: time.Now()})
	return v, nil
}

// hotTypes are the entities written on the busy paths that no viewer is
// made of; a write to any other type (users, memberships, locations,
// permissions, and whatever is added later) clears the cached viewers.
var hotTypes = map[string]bool{
	ent.TypeContact: true, ent.TypeSearchKey: true, ent.TypeSearchWord: true, ent.TypeAuditEntry: true,
	ent.TypeSession: true, ent.TypeTouchpoint: true, ent.TypeBooking: true,
	ent.TypeTask: true,
}

// ViewerCacheHook returns the ent hook that clears the cached viewers on
// every write to an entity a viewer may be made of: at once, and again
// when the mutation's transaction commits (a viewer built in between from
// the old rows must not outlive the commit).
func ViewerCacheHook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if hotTypes[m.Type()] {
				return next.Mutate(ctx, m)
			}
			InvalidateViewers()
			if tm, ok := m.(interface{ Tx() (*ent.Tx, error) }); ok {
				if tx, err := tm.Tx(); err == nil {
					tx.OnCommit(func(next ent.Committer) ent.Committer {
						return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
							err := next.Commit(ctx, tx)
							InvalidateViewers()
							return err
						})
					})
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}
