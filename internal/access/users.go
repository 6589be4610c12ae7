package access

import (
	"context"

	"github.com/avatarimaging/avatarcrm/internal/clock"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	entsession "github.com/avatarimaging/avatarcrm/ent/session"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Users manages the people of a location: invitations, roles, skills, and
// disabling accounts. Every method acts at the viewer's active location and
// relies on the privacy rules for the users permission.
type Users struct {
	Client *ent.Client
	Store  *Store
	Now    clock.Clock
}

func (u *Users) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return u.Client
}

// Invite adds a person to the active location with a role. A new email
// becomes an invited user who can sign in with the clinic's identity
// provider; an existing user (of another location) gains a membership.
// Returns CONFLICT when they already belong here.
func (u *Users) Invite(ctx context.Context, email, name string, role rbac.Role) (*ent.User, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	addr, err := normalize.Email(email)
	if err != nil {
		return nil, apperr.Invalidf("email", "%q %s", email, err)
	}
	if !role.Valid() {
		return nil, apperr.Invalidf("role", "unknown role %q", role)
	}
	if role == rbac.Admin && v.Role != rbac.Admin {
		return nil, apperr.Forbiddenf("only an administrator can make someone an administrator")
	}
	if !v.Can(rbac.Users, rbac.Create).Allowed {
		return nil, apperr.Forbiddenf("your role (%s) may not invite users", v.Role)
	}
	c := u.client(ctx)
	// The user may belong to other locations, invisible to this viewer:
	// look them up as the system, then add a membership here as the viewer.
	sys := viewer.Identity.Grant(ctx, "")
	usr, err := c.User.Query().Where(user.Email(addr)).Only(sys)
	switch {
	case ent.IsNotFound(err):
		usr, err = c.User.Create().SetEmail(addr).SetName(normalize.Name(name)).
			SetStatus(user.StatusInvited).SetInvitedAt(u.Now.Now()).SetDefaultLocationID(v.LocationID).Save(sys)
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	exists, err := c.Membership.Query().Where(membership.UserID(usr.ID)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, apperr.Conflictf("%s already belongs to this location", addr)
	}
	if err := c.Membership.Create().SetUserID(usr.ID).SetRole(membership.Role(role)).Exec(ctx); err != nil {
		return nil, err
	}
	return usr, nil
}

// SetRole changes a member's role at the active location. Nobody changes
// their own role, and only administrators appoint or demote administrators.
func (u *Users) SetRole(ctx context.Context, userID pulid.ID, role rbac.Role, skills []string) (*ent.Membership, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	if !role.Valid() {
		return nil, apperr.Invalidf("role", "unknown role %q", role)
	}
	c := u.client(ctx)
	m, err := c.Membership.Query().Where(membership.UserID(userID)).Only(ctx)
	if err != nil {
		return nil, err
	}
	if userID == v.UserID && rbac.Role(m.Role) != role {
		return nil, apperr.Invalidf("role", "you cannot change your own role; ask another administrator")
	}
	if (role == rbac.Admin || m.Role == membership.RoleAdmin) && v.Role != rbac.Admin {
		return nil, apperr.Forbiddenf("only an administrator can appoint or demote administrators")
	}
	up := c.Membership.UpdateOne(m).SetRole(membership.Role(role))
	if skills != nil {
		up.SetSkills(skills)
	}
	m, err = up.Save(ctx)
	if err != nil {
		return nil, err
	}
	u.Store.invalidate(ctx, v.LocationID)
	return m, nil
}

// Remove takes a member off the active location and ends their sessions.
func (u *Users) Remove(ctx context.Context, userID pulid.ID) error {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return err
	}
	if userID == v.UserID {
		return apperr.Invalidf("userID", "you cannot remove yourself")
	}
	c := u.client(ctx)
	m, err := c.Membership.Query().Where(membership.UserID(userID)).Only(ctx)
	if err != nil {
		return err
	}
	if m.Role == membership.RoleAdmin && v.Role != rbac.Admin {
		return apperr.Forbiddenf("only an administrator can remove an administrator")
	}
	if err := c.Membership.DeleteOne(m).Exec(ctx); err != nil {
		return err
	}
	_, err = c.Session.Delete().Where(entsession.UserID(userID)).Exec(viewer.Identity.Grant(ctx, ""))
	return err
}

// SetDisabled disables or re-enables a member's account everywhere and, when
// disabling, ends all their sessions. Only administrators may do it.
func (u *Users) SetDisabled(ctx context.Context, userID pulid.ID, disabled bool) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.Role != rbac.Admin {
		return nil, apperr.Forbiddenf("only an administrator can disable accounts")
	}
	if userID == v.UserID {
		return nil, apperr.Invalidf("userID", "you cannot disable your own account")
	}
	c := u.client(ctx)
	// The target must be a member here (privacy filters users to members).
	usr, err := c.User.Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	status := user.StatusActive
	if disabled {
		status = user.StatusDisabled
	} else if usr.OidcSubject == nil && usr.Status == user.StatusDisabled && usr.InvitedAt != nil {
		status = user.StatusInvited
	}
	usr, err = c.User.UpdateOne(usr).SetStatus(status).Save(ctx)
	if err != nil {
		return nil, err
	}
	if disabled {
		if _, err := c.Session.Delete().Where(entsession.UserID(userID)).Exec(viewer.Identity.Grant(ctx, "")); err != nil {
			return nil, err
		}
	}
	return usr, nil
}
