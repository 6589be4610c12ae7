// Package access manages who may do what: each location's permission table
// and per-user overrides (cached, with invalidation on change), users,
// invitations and memberships, and the IP rules of a location.
package access

import (
	"context"
	"sync"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/clock"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/permission"
	"github.com/avatarimaging/avatarcrm/ent/permissionoverride"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	entuser "github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Store reads permission tables and overrides for the auth layer, which
// builds every request's viewer from them, and applies changes made by
// admins. Reads are cached; a change invalidates this instance's cache at
// once, and other instances see it within TTL.
type Store struct {
	Client *ent.Client
	TTL    time.Duration
	Now    clock.Clock

	mu        sync.Mutex
	tables    map[pulid.ID]cachedTable
	overrides map[userAt]cachedOverrides
}

type cachedTable struct {
	t  *rbac.Table
	at time.Time
}

type userAt struct{ loc, user pulid.ID }

type cachedOverrides struct {
	o  []rbac.Override
	at time.Time
}

// NewStore returns a store caching for ttl.
func NewStore(c *ent.Client, ttl time.Duration) *Store {
	return &Store{Client: c, TTL: ttl, Now: clock.System, tables: map[pulid.ID]cachedTable{}, overrides: map[userAt]cachedOverrides{}}
}

// Table returns the location's permission table. A location without rows
// gets the default table written first.
func (s *Store) Table(ctx context.Context, loc pulid.ID) (*rbac.Table, error) {
	client, cacheable := s.reader(ctx)
	if cacheable {
		s.mu.Lock()
		c, ok := s.tables[loc]
		s.mu.Unlock()
		if ok && s.Now.Now().Sub(c.at) < s.TTL {
			return c.t, nil
		}
	}
	sys := viewer.Identity.Grant(ctx, "")
	rows, err := client.Permission.Query().Where(permission.LocationID(loc)).All(sys)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		if err := s.EnsureDefaults(ctx, loc); err != nil {
			return nil, err
		}
		if rows, err = client.Permission.Query().Where(permission.LocationID(loc)).All(sys); err != nil {
			return nil, err
		}
	}
	grants := make([]rbac.Grant, 0, len(rows))
	for _, r := range rows {
		grants = append(grants, rbac.Grant{Role: rbac.Role(r.Role), Resource: r.Resource, Action: r.Action, Condition: r.Condition})
	}
	t := rbac.NewTable(grants)
	if cacheable {
		s.mu.Lock()
		s.tables[loc] = cachedTable{t, s.Now.Now()}
		s.mu.Unlock()
	}
	return t, nil
}

// reader returns the client a read of the table must use. Inside a
// transaction (a GraphQL mutation, a UI form post) it is the transaction's
// own client, so the read sees the transaction's writes (setPermission
// returns the changed matrix), and the result must not be cached: it is not
// committed yet and may be rolled back.
func (s *Store) reader(ctx context.Context) (c *ent.Client, cacheable bool) {
	if tx := ent.TxFromContext(ctx); tx != nil {
		return tx.Client(), false
	}
	return s.Client, true
}

// invalidate forgets the location's cached table and overrides now and,
// when ctx carries a transaction, again once it has committed: a request
// that reads the table between the change and the commit would otherwise
// cache the old table for the whole TTL.
func (s *Store) invalidate(ctx context.Context, loc pulid.ID) {
	s.Invalidate(loc)
	afterCommit(ctx, func() { s.Invalidate(loc) })
}

// afterCommit runs fn after the transaction in ctx commits; without a
// transaction it does nothing.
func afterCommit(ctx context.Context, fn func()) {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			fn()
			return err
		})
	})
}

// Overrides returns the user's overrides at the location.
func (s *Store) Overrides(ctx context.Context, loc, user pulid.ID) ([]rbac.Override, error) {
	k := userAt{loc, user}
	s.mu.Lock()
	c, ok := s.overrides[k]
	s.mu.Unlock()
	if ok && s.Now.Now().Sub(c.at) < s.TTL {
		return c.o, nil
	}
	rows, err := s.Client.PermissionOverride.Query().
		Where(permissionoverride.LocationID(loc), permissionoverride.UserID(user)).
		All(viewer.Identity.Grant(ctx, ""))
	if err != nil {
		return nil, err
	}
	out := make([]rbac.Override, 0, len(rows))
	for _, r := range rows {
		out = append(out, rbac.Override{Resource: r.Resource, Action: r.Action, Grant: r.Effect == permissionoverride.EffectGrant, Condition: r.Condition})
	}
	s.mu.Lock()
	s.overrides[k] = cachedOverrides{out, s.Now.Now()}
	s.mu.Unlock()
	return out, nil
}

// EnsureDefaults writes the default permission table for a location that
// has none.
func (s *Store) EnsureDefaults(ctx context.Context, loc pulid.ID) error {
	sys := viewer.Consequences.Grant(ctx, "")
	client, _ := s.reader(ctx)
	n, err := client.Permission.Query().Where(permission.LocationID(loc)).Count(sys)
	if err != nil || n > 0 {
		return err
	}
	var builders []*ent.PermissionCreate
	for _, g := range rbac.DefaultGrants() {
		builders = append(builders, client.Permission.Create().
			SetLocationID(loc).SetRole(permission.Role(g.Role)).SetResource(g.Resource).SetAction(g.Action).
			SetCondition(storedCondition(g.Condition)))
	}
	return client.Permission.CreateBulk(builders...).Exec(sys)
}

// Invalidate forgets the cached table and overrides of a location.
func (s *Store) Invalidate(loc pulid.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tables, loc)
	for k := range s.overrides {
		if k.loc == loc {
			delete(s.overrides, k)
		}
	}
}

func storedCondition(c rbac.Condition) rbac.Condition {
	if c == rbac.Always {
		return rbac.OwnLocationOnly
	}
	return c
}

// SetGrant changes one cell of the active location's table: whether role
// may do act on res, and under which condition. The viewer needs
// settings:update (checked by the privacy rules). Admin rights are not in
// the table and cannot be changed.
func (s *Store) SetGrant(ctx context.Context, role rbac.Role, res rbac.Resource, act rbac.Action, allowed bool, cond rbac.Condition) error {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return err
	}
	if role == rbac.Admin || !role.Valid() {
		return apperr.Invalidf("role", "admins hold every permission; choose manager, staff or viewer")
	}
	if _, err := s.Table(ctx, v.LocationID); err != nil { // make sure defaults exist
		return err
	}
	c := ent.FromContext(ctx)
	if c == nil {
		c = s.Client
	}
	existing, err := c.Permission.Query().
		Where(permission.RoleEQ(permission.Role(role)), permission.ResourceEQ(res), permission.ActionEQ(act)).
		Only(ctx)
	switch {
	case ent.IsNotFound(err):
		if allowed {
			err = c.Permission.Create().SetRole(permission.Role(role)).SetResource(res).SetAction(act).SetCondition(storedCondition(cond)).Exec(ctx)
		} else {
			err = nil
		}
	case err != nil:
	case allowed:
		err = c.Permission.UpdateOne(existing).SetCondition(storedCondition(cond)).Exec(ctx)
	default:
		err = c.Permission.DeleteOne(existing).Exec(ctx)
	}
	if err != nil {
		return err
	}
	s.invalidate(ctx, v.LocationID)
	return nil
}

// SetOverride grants or denies a user one action at the active location.
// Nobody may override their own rights: an admin could lock themselves out.
func (s *Store) SetOverride(ctx context.Context, user pulid.ID, res rbac.Resource, act rbac.Action, grant bool, cond rbac.Condition, reason string) (*ent.PermissionOverride, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	if user == v.UserID {
		return nil, apperr.Invalidf("userID", "you cannot change your own permissions; ask another administrator")
	}
	c := ent.FromContext(ctx)
	if c == nil {
		c = s.Client
	}
	// The user must be a member here; users of other locations are not
	// visible to the viewer's query and read as not found.
	if ok, err := c.User.Query().Where(entuser.ID(user)).Exist(ctx); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFoundf("userID", "user %s not found", user)
	}
	effect := permissionoverride.EffectDeny
	if grant {
		effect = permissionoverride.EffectGrant
	}
	existing, err := c.PermissionOverride.Query().
		Where(permissionoverride.UserID(user), permissionoverride.ResourceEQ(res), permissionoverride.ActionEQ(act)).
		Only(ctx)
	var o *ent.PermissionOverride
	switch {
	case ent.IsNotFound(err):
		o, err = c.PermissionOverride.Create().SetUserID(user).SetResource(res).SetAction(act).
			SetEffect(effect).SetCondition(storedCondition(cond)).SetReason(reason).Save(ctx)
	case err != nil:
	default:
		o, err = c.PermissionOverride.UpdateOne(existing).SetEffect(effect).SetCondition(storedCondition(cond)).SetReason(reason).Save(ctx)
	}
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, v.LocationID)
	return o, nil
}

// RemoveOverride deletes an override at the active location.
func (s *Store) RemoveOverride(ctx context.Context, id pulid.ID) error {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return err
	}
	c := ent.FromContext(ctx)
	if c == nil {
		c = s.Client
	}
	o, err := c.PermissionOverride.Get(ctx, id)
	if err != nil {
		return err
	}
	if o.UserID == v.UserID {
		return apperr.Invalidf("id", "you cannot change your own permissions; ask another administrator")
	}
	if err := c.PermissionOverride.DeleteOne(o).Exec(ctx); err != nil {
		return err
	}
	s.invalidate(ctx, v.LocationID)
	return nil
}

// Cell is one cell of a permission matrix.
type Cell struct {
	Role      rbac.Role
	Resource  rbac.Resource
	Action    rbac.Action
	Allowed   bool
	Condition rbac.Condition
	// Own is true when the cell comes from the role's own row rather than
	// inheritance or the admin rule.
	Own bool
}

// Matrix returns every role × resource × action cell of a location's table.
func (s *Store) Matrix(ctx context.Context, loc pulid.ID) ([]Cell, error) {
	t, err := s.Table(ctx, loc)
	if err != nil {
		return nil, err
	}
	own := map[rbac.Grant]bool{}
	for _, g := range t.Grants() {
		own[rbac.Grant{Role: g.Role, Resource: g.Resource, Action: g.Action}] = true
	}
	var out []Cell
	for _, role := range rbac.Roles {
		for _, res := range rbac.Resources {
			for _, act := range rbac.Actions {
				d := t.Decide(role, res, act)
				out = append(out, Cell{
					Role: role, Resource: res, Action: act, Allowed: d.Allowed, Condition: d.Condition,
					Own: own[rbac.Grant{Role: role, Resource: res, Action: act}],
				})
			}
		}
	}
	return out, nil
}
