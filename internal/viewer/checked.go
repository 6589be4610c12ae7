package viewer

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// The tenant hook (ent/schema, sameLocationRefs) refuses a row that points
// at a row of another location, with one query per reference. Work that
// has just read the referenced row in the same transaction and seen its
// location (the automation's event job reads the contact once, then writes
// a message, a touchpoint and a run that all point at it) says so with
// CheckedAt, and the hook skips the query for those ids at that location
// only. Every other reference, and the same id at any other location, is
// still checked.

type checkedKey struct{}

// checked is an immutable list of ids known to be at loc.
type checked struct {
	loc  pulid.ID
	ids  []pulid.ID
	next *checked
}

// CheckedAt returns ctx noting that the rows ids were read at location
// loc in the transaction ctx belongs to. Only call it with rows whose
// LocationID the caller compared with loc.
func CheckedAt(ctx context.Context, loc pulid.ID, ids ...pulid.ID) context.Context {
	if loc == "" || len(ids) == 0 {
		return ctx
	}
	prev, _ := ctx.Value(checkedKey{}).(*checked)
	return context.WithValue(ctx, checkedKey{}, &checked{loc: loc, ids: ids, next: prev})
}

// IsCheckedAt reports whether CheckedAt noted id at loc in ctx.
func IsCheckedAt(ctx context.Context, loc, id pulid.ID) bool {
	if loc == "" || id == "" {
		return false
	}
	for c, _ := ctx.Value(checkedKey{}).(*checked); c != nil; c = c.next {
		if c.loc != loc {
			continue
		}
		for _, x := range c.ids {
			if x == id {
				return true
			}
		}
	}
	return false
}
