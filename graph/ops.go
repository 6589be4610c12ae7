package graph

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Ops is the in-process road into the resolvers: the staff UI (and any Go
// caller that acts for a person) calls these instead of the resolvers.
// ops_gen.go, generated from the schema by graph/gen, has one method per
// Query and Mutation field, and per object field that declares a
// permission (BookingHistory). Each checks the permission the field
// declares with @hasPermission, with the function the GraphQL executor's
// directive uses (authorize), runs a mutation in one transaction
// (txn.Run, as the executor's Transactional does), and calls the resolver.
// So an operation's permission is written once, in the schema, and holds
// on both roads.
type Ops struct{ r *Resolver }

// NewOps returns the operations over r.
func NewOps(r *Resolver) *Ops { return &Ops{r: r} }

// Check returns the error running op would fail with for lack of
// permission (UNAUTHENTICATED, FORBIDDEN), or nil. A page that offers an
// operation's form asks it first, so a person never fills in a form they
// could not send.
func (o *Ops) Check(ctx context.Context, op Op) error {
	return authorize(ctx, opPermissions[op])
}

// Allowed reports whether the viewer of ctx holds op's permission: a page
// shows op's button only then.
func (o *Ops) Allowed(ctx context.Context, op Op) bool { return o.Check(ctx, op) == nil }

// Permission returns the permission op declares, or "" for an operation
// that needs only a signed-in viewer.
func Permission(op Op) rbac.Permission { return opPermissions[op] }

// mutate checks p and runs fn in one transaction: the caller's when ctx
// has one, else a new one committed when fn succeeds.
func (o *Ops) mutate(ctx context.Context, p rbac.Permission, fn func(ctx context.Context) error) error {
	if err := authorize(ctx, p); err != nil {
		return err
	}
	return txn.Run(ctx, o.r.Client, func(ctx context.Context, _ *ent.Client) error { return fn(ctx) })
}

// AllowedOn reports whether the viewer of ctx may run op on a row owned by
// owner (nil: nobody): Allowed, with a grant limited to the viewer's own
// records honoured as the privacy rules honour it (staff change only the
// tasks assigned to them).
func (o *Ops) AllowedOn(ctx context.Context, op Op, owner *pulid.ID) bool {
	p := opPermissions[op]
	if p == "" {
		return o.Allowed(ctx, op)
	}
	return viewer.FromContext(ctx).CanOn(p.Resource(), p.Action(), owner)
}

// ContactCount counts the contacts where matches as the contacts query
// lists them, for a page that shows the total beside a page of rows read
// with a List without Total. A count is kept while nothing in this
// process changes and for at most half a minute (contacts.Service.Count);
// Counted.At says when it was made. It needs what the contacts query
// needs.
func (o *Ops) ContactCount(ctx context.Context, where *ent.ContactWhereInput) (contacts.Counted, error) {
	if err := authorize(ctx, opPermissions[OpContacts]); err != nil {
		return contacts.Counted{}, err
	}
	return o.r.ContactService.Count(ctx, where)
}
