package netguard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// loadTimeout bounds one call of the per-location loader. The load runs
// detached from the request that triggered it (other requests may be
// waiting on the same load, and one client hanging up must not fail them
// all), so it needs its own limit or a stuck database would block the
// location forever.
const loadTimeout = 5 * time.Second

// pruneAt is the cache size at which expired entries are swept. Location ids
// come from authenticated sessions, so the cache is naturally small; the
// sweep only keeps it from growing without bound if that ever changes.
const pruneAt = 1024

// ErrLoaderPanicked is returned to requests whose per-location rules could
// not be loaded because the loader panicked. (The panic itself still reaches
// the caller that ran the loader.)
var ErrLoaderPanicked = errors.New("netguard: allowlist loader panicked")

// Allowlist decides whether a client address may use the CRM at a location.
//
// The rules that apply at a location are the global rules (clinic-group
// settings) plus that location's own rules. If there are none, everyone is
// allowed (an allowlist is opt-in); otherwise the client address must fall
// in at least one of them. Per-location rules are loaded on demand and
// cached for ttl; call Invalidate or InvalidateAll after an admin edits them
// so the change applies at once on this instance (other instances pick it up
// within ttl).
//
// Failure is closed: when the location's rules cannot be loaded, Allowed
// returns an error and the middleware refuses the request with 503, unless a
// global rule already admits the client (a match in the global rules is
// enough whatever the location says, so the loader is not consulted).
// Errors are never cached; the next request tries again.
//
// An Allowlist is safe for concurrent use. Concurrent requests for a
// location whose rules are not cached share a single load.
type Allowlist struct {
	global atomic.Pointer[[]netip.Prefix]
	load   func(ctx context.Context, locationID string) ([]netip.Prefix, error)
	ttl    time.Duration
	now    func() time.Time // replaced in tests

	mu    sync.Mutex
	cache map[string]*entry
}

// entry is one location's cached rules. done is closed once the load has
// finished; rules, err and expires are written before that and only read
// after, so they need no lock.
type entry struct {
	done    chan struct{}
	rules   []netip.Prefix
	err     error
	expires time.Time
}

// NewAllowlist returns an Allowlist with the given global rules and a loader
// for per-location rules (nil when there are none). ttl is how long a
// location's rules are cached; ttl <= 0 disables caching, though concurrent
// requests still share one load. Rules are copied and canonicalised (see
// ParseRule); an invalid prefix is kept as a rule that matches nothing, so
// bad data makes the list stricter rather than empty.
//
// load must return every rule of the location whoever is asking: the ctx it
// receives carries the request's values (its viewer included), and a loader
// that lets row-level privacy filter the rules by that viewer would return
// an empty list, and so let everyone in, for users not allowed to read
// settings. Query under the viewer.Identity capability and return an
// error, not an empty list, when the rules cannot be read. A stored rule that
// no longer parses is best returned as the zero netip.Prefix (it matches
// nothing but keeps the list non-empty).
func NewAllowlist(global []netip.Prefix, load func(ctx context.Context, locationID string) ([]netip.Prefix, error), ttl time.Duration) *Allowlist {
	a := &Allowlist{load: load, ttl: ttl, now: time.Now, cache: make(map[string]*entry)}
	a.SetGlobal(global)
	return a
}

// SetGlobal replaces the global rules, for when an admin saves the settings.
// It takes effect for the next request; location caches are unaffected.
func (a *Allowlist) SetGlobal(rules []netip.Prefix) {
	g := canonRules(rules)
	a.global.Store(&g)
}

func (a *Allowlist) globalRules() []netip.Prefix {
	if g := a.global.Load(); g != nil {
		return *g
	}
	return nil
}

// Invalidate drops the cached rules of one location, so the next request
// reloads them. A load already in flight still answers the requests waiting
// on it but is not cached.
func (a *Allowlist) Invalidate(locationID string) {
	a.mu.Lock()
	delete(a.cache, locationID)
	a.mu.Unlock()
}

// InvalidateAll drops every cached location, for bulk changes or when the
// set of locations changes.
func (a *Allowlist) InvalidateAll() {
	a.mu.Lock()
	clear(a.cache)
	a.mu.Unlock()
}

// Allowed reports whether ip may use the CRM at locationID ("" when the
// location is unknown, e.g. before sign-in: only the global rules apply).
// An invalid ip is refused whenever any rule applies. A non-nil error means
// the location's rules could not be loaded (or ctx ended while waiting for
// them); the answer is then false, so callers that ignore the error still
// fail closed.
func (a *Allowlist) Allowed(ctx context.Context, locationID string, ip netip.Addr) (bool, error) {
	ip = cleanAddr(ip)
	global := a.globalRules()
	if matchesAny(global, ip) {
		return true, nil
	}
	local, err := a.locationRules(ctx, locationID)
	if err != nil {
		return false, err
	}
	if len(global) == 0 && len(local) == 0 {
		return true, nil
	}
	return matchesAny(local, ip), nil
}

// Rules returns the rules in force at locationID: the global rules followed
// by the location's. The admin UI passes a proposed version of this set to
// WouldLockOut. The slice is fresh; callers may modify it.
func (a *Allowlist) Rules(ctx context.Context, locationID string) ([]netip.Prefix, error) {
	local, err := a.locationRules(ctx, locationID)
	if err != nil {
		return nil, err
	}
	global := a.globalRules()
	out := make([]netip.Prefix, 0, len(global)+len(local))
	return append(append(out, global...), local...), nil
}

// locationRules returns the cached rules of a location, loading them when
// they are missing or stale. The returned slice must not be modified.
func (a *Allowlist) locationRules(ctx context.Context, locationID string) ([]netip.Prefix, error) {
	if locationID == "" || a.load == nil {
		return nil, nil
	}
	a.mu.Lock()
	if e := a.cache[locationID]; e != nil {
		select {
		case <-e.done:
			if a.now().Before(e.expires) {
				a.mu.Unlock()
				return e.rules, nil
			}
			// Stale: fall through and replace it.
		default:
			// Someone is loading it; wait for their result.
			a.mu.Unlock()
			select {
			case <-e.done:
				return e.rules, e.err
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	if len(a.cache) >= pruneAt {
		a.pruneLocked()
	}
	e := &entry{done: make(chan struct{})}
	a.cache[locationID] = e
	a.mu.Unlock()

	a.fill(ctx, locationID, e)
	return e.rules, e.err
}

// fill runs the loader for e and publishes the result. Failed loads are
// removed from the cache so the next request retries; a panicking loader
// still releases the waiters (with ErrLoaderPanicked) before the panic goes
// on up to the server's recovery middleware.
func (a *Allowlist) fill(ctx context.Context, locationID string, e *entry) {
	finished := false
	defer func() {
		if !finished {
			e.rules, e.err = nil, ErrLoaderPanicked
		}
		if e.err != nil {
			a.mu.Lock()
			if a.cache[locationID] == e {
				delete(a.cache, locationID)
			}
			a.mu.Unlock()
		}
		close(e.done)
	}()

	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
	defer cancel()
	rules, err := a.load(lctx, locationID)
	if err != nil {
		slog.ErrorContext(ctx, "ip allowlist: loading location rules failed; refusing requests until it works",
			"location", locationID, "err", err)
		e.err = fmt.Errorf("netguard: loading allowlist of location %q: %w", locationID, err)
	} else {
		e.rules = canonRules(rules)
		e.expires = a.now().Add(a.ttl)
	}
	finished = true
}

// pruneLocked drops finished, expired entries. a.mu must be held.
func (a *Allowlist) pruneLocked() {
	now := a.now()
	for id, e := range a.cache {
		select {
		case <-e.done:
			if !now.Before(e.expires) {
				delete(a.cache, id)
			}
		default:
		}
	}
}

// Middleware returns middleware that refuses requests from addresses not on
// the allowlist of the request's location.
//
// It runs after the client-IP middleware (Proxies.Middleware) and, for
// per-location rules, after authentication: locationOf returns the active
// location id of the request, or "" when there is none yet, in which case
// only the global rules apply. locationOf must return a location the viewer
// was verified for, never a value taken from the request unchecked. It may
// be nil (global rules only), which suits an early, pre-authentication pass.
//
// Refusals are logged at warn (ip, location, path) and answered by deny, or
// by DefaultDeny when deny is nil. When the rules cannot be loaded the
// request is refused with 503 Service Unavailable instead of deny: the
// client's network is not known to be wrong, the check is just not
// possible right now, and 503 tells monitoring and the user to retry rather
// than to call an admin about their network.
//
// If no client-IP middleware ran, the TCP peer is used (headers are not
// trusted) so a wiring mistake cannot open the list to forged headers.
func (a *Allowlist) Middleware(locationOf func(*http.Request) string, deny http.Handler) func(http.Handler) http.Handler {
	if deny == nil {
		deny = http.HandlerFunc(DefaultDeny)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip, ok := ipFrom(r.Context())
			if !ok {
				ip = Proxies{}.ClientIP(r)
				r = r.WithContext(WithIP(r.Context(), ip))
			}
			loc := ""
			if locationOf != nil {
				loc = locationOf(r)
			}
			allowed, err := a.Allowed(r.Context(), loc, ip)
			if err != nil {
				slog.LogAttrs(r.Context(), slog.LevelWarn, "ip allowlist unavailable; request refused",
					slog.String("ip", addrString(ip)),
					slog.String("location", loc),
					slog.String("path", r.URL.Path),
					slog.String("err", err.Error()),
				)
				w.Header().Set("Retry-After", "5")
				plain(w, http.StatusServiceUnavailable, "The clinic's network allowlist cannot be checked right now. Please try again shortly.")
				return
			}
			if !allowed {
				slog.LogAttrs(r.Context(), slog.LevelWarn, "ip allowlist refused request",
					slog.String("ip", addrString(ip)),
					slog.String("location", loc),
					slog.String("path", r.URL.Path),
				)
				deny.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// DefaultDeny answers a refused request with 403 and a plain message naming
// the client's address, which is what the user needs to tell an admin.
func DefaultDeny(w http.ResponseWriter, r *http.Request) {
	plain(w, http.StatusForbidden, "Your network ("+addrString(IPFrom(r.Context()))+") is not on this clinic's allowlist.")
}

// plain writes a short text response that no cache keeps.
func plain(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

// addrString formats an address for messages and logs; the zero Addr's own
// String ("invalid IP") would read like an accusation.
func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown address"
	}
	return a.String()
}
