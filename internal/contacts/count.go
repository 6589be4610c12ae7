package contacts

import (
	"context"
	"encoding/json"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/gencache"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// The contacts page shows how many contacts its filter matches: a COUNT
// of the location's contacts, 85% of the page's CPU at 100,000 contacts
// (docs/PERFORMANCE.md, i12pages). Count keeps each count for a while.
// Every write in this process that may change a count (CountCacheHook,
// installed in internal/entclient) makes the kept counts unusable at once
// and again at its commit, so after a change here the page counts afresh.
// What the hook cannot see, a change committed by another process on the
// same database (a CLI command, a worker of its own), reaches the page
// within countTTL; the page then says when it counted (Count.At), so the
// number is never older than what the page says.

// countTTL is how long a kept count may be shown.
const countTTL = 30 * time.Second

// maxKeptCounts bounds the kept counts; past it they are all dropped.
const maxKeptCounts = 10_000

// countGen changes whenever a count may have changed.
var countGen gencache.Gen

// Counted is how many contacts a filter matched, and when they were
// counted.
type Counted struct {
	N  int
	At time.Time
	// Kept is set when the count was kept from an earlier request.
	Kept bool
}

// countKey is whose count of what: the privacy rules decide which
// contacts a viewer sees (the location, and a grant limited to one's own
// records), so a count is kept for the viewer it was made for.
type countKey struct {
	user, loc pulid.ID
	system    bool
	where     string
}

// Count returns how many contacts pass where as the contacts query lists
// them (archived contacts left out unless where asks about archivedAt),
// counted now or, if nothing in this process has changed since, up to
// countTTL ago (At says when).
func (s *Service) Count(ctx context.Context, where *ent.ContactWhereInput) (Counted, error) {
	where = ListFilter(where)
	v := viewer.FromContext(ctx)
	var key countKey
	keep := false
	if v != nil {
		if w, err := json.Marshal(where); err == nil && len(where.Predicates) == 0 {
			key, keep = countKey{user: v.UserID, loc: v.LocationID, system: v.System, where: string(w)}, true
		}
	}
	gen := countGen.Load()
	if keep {
		if c, ok := s.counts.Get(key, gen, countTTL); ok {
			c.Kept = true
			return c, nil
		}
	}
	p, err := where.P()
	if err != nil {
		return Counted{}, err
	}
	at := s.Now.Now()
	n, err := s.Client.Contact.Query().Where(p).Count(ctx)
	if err != nil {
		return Counted{}, err
	}
	c := Counted{N: n, At: at}
	if keep {
		// gen was read before counting: a change committed meanwhile
		// leaves this count already unusable.
		s.counts.Put(key, gen, c, maxKeptCounts)
	}
	return c, nil
}

// notCounted are the entities written on the busy paths that change no
// contact count; a write to any other (contacts, and users, memberships
// and permissions, which decide what a viewer sees) drops the kept counts.
var notCounted = map[string]bool{
	ent.TypeSearchKey: true, ent.TypeSearchWord: true, ent.TypeAuditEntry: true,
	ent.TypeSession: true, ent.TypeTouchpoint: true, ent.TypeBooking: true, ent.TypeTask: true,
}

// CountCacheHook returns the ent hook that drops the kept counts on every
// write that may change one (gencache.Hook).
func CountCacheHook() ent.Hook {
	return gencache.Hook(&countGen, func(typ string) bool { return !notCounted[typ] })
}
