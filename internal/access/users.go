package access

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/invitation"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	entsession "github.com/avatarimaging/avatarcrm/ent/session"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Users manages the people of a location: invitations, roles, skills,
// disabling and removing. Every method acts at the viewer's active location
// and only there: membership and admin power are per location, so an
// administrator of one location can neither learn about nor change a
// person's access elsewhere. Only an administrator of every location a
// person belongs to can disable (or enable) their account itself.
type Users struct {
	Client *ent.Client
	Store  *Store
	// Audit records each access change in the trail of every location it
	// touches; nil records only what the audit hook sees.
	Audit *audit.Log
	Now   clock.Clock
}

func (u *Users) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return u.Client
}

// Invite asks the person with this email to join the active location with
// role. It grants nothing yet: the person becomes a member when they next
// sign in (auth accepts their pending invitations), or at their first
// sign-in for an address without an account. The answer is the same
// whether or not an account with the email exists at another location.
// CONFLICT when they already belong here or are already invited; FORBIDDEN
// when a non-administrator invites an administrator.
func (u *Users) Invite(ctx context.Context, email, name string, role rbac.Role) (*ent.Invitation, error) {
	v, err := viewer.Authorize(ctx, rbac.UsersCreate)
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
	c := u.client(ctx)
	// Asked of this location only, whatever the viewer may read: whether
	// someone already works here is no news to whoever manages its people.
	here := viewer.Integrity.Grant(ctx, "")
	member, err := c.Membership.Query().
		Where(membership.LocationID(v.LocationID), membership.HasUserWith(user.Email(addr))).Exist(here)
	if err != nil {
		return nil, err
	}
	if member {
		return nil, apperr.Conflictf("%s already belongs to this location", addr)
	}
	pending, err := c.Invitation.Query().
		Where(invitation.LocationID(v.LocationID), invitation.Email(addr), invitation.AcceptedAtIsNil()).Exist(here)
	if err != nil {
		return nil, err
	}
	if pending {
		return nil, apperr.Conflictf("%s is already invited", addr)
	}
	b := c.Invitation.Create().SetEmail(addr).SetName(normalize.Name(name)).SetRole(invitation.Role(role))
	if v.UserID != "" {
		b.SetInvitedByID(v.UserID)
	}
	return b.Save(ctx)
}

// RevokeInvitation withdraws an invitation of the active location that
// nobody has accepted. NOT_FOUND for an accepted one or another location's.
func (u *Users) RevokeInvitation(ctx context.Context, id pulid.ID) error {
	if _, err := viewer.AtLocation(ctx); err != nil {
		return err
	}
	n, err := u.client(ctx).Invitation.Delete().Where(invitation.ID(id), invitation.AcceptedAtIsNil()).Exec(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.NotFoundf("id", "no open invitation %s here", id)
	}
	return nil
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

// Remove takes a member off the active location and ends their sessions
// there. Their account, their other locations and their sessions there
// stay as they were.
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
	n, err := endSessionsAt(ctx, c, userID, v.LocationID)
	if err != nil {
		return err
	}
	return u.record(ctx, v, v.LocationID, userID, fmt.Sprintf("removed from %s; %d session(s) there ended", v.LocationID, n))
}

// SetDisabled disables (ending their sessions there) or re-enables a member
// at the active location. Only administrators may. Their other locations
// are not touched, and nothing here says whether they have any.
//
// With everywhere, it disables (ending every session) or re-enables the
// account itself, which only an administrator of every location the person
// belongs to may do (FORBIDDEN otherwise). Every change is audited in the
// trail of each location it reaches, naming the location it was made from.
func (u *Users) SetDisabled(ctx context.Context, userID pulid.ID, disabled, everywhere bool) (*ent.User, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	if v.Role != rbac.Admin {
		return nil, apperr.Forbiddenf("only an administrator can disable or enable people")
	}
	if userID == v.UserID {
		return nil, apperr.Invalidf("userID", "you cannot disable your own account")
	}
	c := u.client(ctx)
	// The person must be a member here (the privacy rules filter
	// memberships and users to this location).
	m, err := c.Membership.Query().Where(membership.UserID(userID)).Only(ctx)
	if err != nil {
		return nil, err
	}
	if everywhere {
		if err := u.setAccountDisabled(ctx, c, v, userID, disabled); err != nil {
			return nil, err
		}
		return c.User.Get(ctx, userID)
	}
	up := c.Membership.UpdateOne(m)
	what := "enabled at " + string(v.LocationID)
	if disabled {
		up.SetDisabledAt(u.Now.Now())
		what = "disabled at " + string(v.LocationID)
	} else {
		up.ClearDisabledAt()
	}
	if err := up.Exec(ctx); err != nil {
		return nil, err
	}
	if disabled {
		n, err := endSessionsAt(ctx, c, userID, v.LocationID)
		if err != nil {
			return nil, err
		}
		what += fmt.Sprintf("; %d session(s) there ended", n)
	}
	if err := u.record(ctx, v, v.LocationID, userID, what); err != nil {
		return nil, err
	}
	return c.User.Get(ctx, userID)
}

// setAccountDisabled disables or enables the account itself, for an
// administrator of every location the person belongs to.
func (u *Users) setAccountDisabled(ctx context.Context, c *ent.Client, v *viewer.Viewer, userID pulid.ID, disabled bool) error {
	// Every location of the person, whatever the viewer may read: the rule
	// is about all of them.
	all, err := c.Membership.Query().Where(membership.UserID(userID)).All(viewer.Integrity.Grant(ctx, ""))
	if err != nil {
		return err
	}
	for _, m := range all {
		if v.Memberships[m.LocationID] != rbac.Admin {
			return apperr.Forbiddenf("only an administrator of every location this person works at can disable or enable the account itself; disable them at this location instead")
		}
	}
	sys := viewer.Identity.Grant(ctx, "")
	usr, err := c.User.Get(sys, userID)
	if err != nil {
		return err
	}
	status := user.StatusActive
	switch {
	case disabled:
		status = user.StatusDisabled
	case usr.OidcSubject == nil && usr.Status == user.StatusDisabled && usr.InvitedAt != nil:
		status = user.StatusInvited
	}
	if err := c.User.UpdateOne(usr).SetStatus(status).Exec(sys); err != nil {
		return err
	}
	what := "account enabled"
	if disabled {
		n, err := c.Session.Delete().Where(entsession.UserID(userID)).Exec(sys)
		if err != nil {
			return err
		}
		what = fmt.Sprintf("account disabled; %d session(s) ended", n)
	}
	for _, m := range all {
		if err := u.record(ctx, v, m.LocationID, userID, what+" everywhere"); err != nil {
			return err
		}
	}
	return nil
}

// endSessionsAt ends the person's sessions whose active location is loc.
// Their sessions elsewhere go on; no session can act at loc any more in any
// case, since every request reads the memberships again.
func endSessionsAt(ctx context.Context, c *ent.Client, userID, loc pulid.ID) (int, error) {
	return c.Session.Delete().
		Where(entsession.UserID(userID), entsession.LocationID(loc)).
		Exec(viewer.Identity.Grant(ctx, ""))
}

// record writes an access change into the trail of location loc (the one
// it applies to), naming the location it was made from.
func (u *Users) record(ctx context.Context, v *viewer.Viewer, loc, userID pulid.ID, what string) error {
	if u.Audit == nil {
		return nil
	}
	return u.Audit.RecordChange(ctx, audit.Entry{
		Action: audit.ActionAccessChange, LocationID: string(loc), ResourceType: "User", ResourceID: string(userID),
		Detail: fmt.Sprintf("%s (by an administrator acting at %s)", what, v.LocationID),
	})
}
