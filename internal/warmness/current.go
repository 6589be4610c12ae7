package warmness

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

type currentKey struct{}

// WithCurrent returns ctx noting that ct is its contact exactly as stored
// in the transaction ctx belongs to (read in it, and not changed since):
// rescoring ct for a change made under ctx starts from it instead of
// reading the contact again. The automation's welcome SMS inserts its
// message and touchpoint right after reading the contact; the touchpoint
// rescores it. Any change to the contact after the read makes the note
// wrong: note it only around writes that do not change the contact.
func WithCurrent(ctx context.Context, ct *ent.Contact) context.Context {
	if ct == nil {
		return ctx
	}
	return context.WithValue(ctx, currentKey{}, ct)
}

// current is the contact id as noted by WithCurrent, or nil.
func current(ctx context.Context, id pulid.ID) *ent.Contact {
	ct, _ := ctx.Value(currentKey{}).(*ent.Contact)
	if ct == nil || ct.ID != id {
		return nil
	}
	return ct
}
