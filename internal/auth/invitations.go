package auth

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/invitation"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// acceptInvitations runs as the person with this (verified) email signs
// in: every pending invitation for the email becomes a membership with the
// invited role, in the trail of the location that invited them. An email
// without an account gets one (active) when an invitation exists. It
// returns the user, or nil when there is neither an account nor an
// invitation. A disabled account accepts nothing.
func (s *Service) acceptInvitations(ctx context.Context, email string) (*ent.User, error) {
	sys := viewer.Identity.Grant(ctx, email)
	var u *ent.User
	err := txn.Run(sys, s.Client, func(ctx context.Context, c *ent.Client) error {
		invs, err := c.Invitation.Query().
			Where(invitation.Email(email), invitation.AcceptedAtIsNil()).
			Order(invitation.ByCreatedAt()).All(ctx)
		if err != nil {
			return err
		}
		u, err = c.User.Query().Where(user.Email(email)).Only(ctx)
		switch {
		case ent.IsNotFound(err) && len(invs) == 0:
			u = nil
			return nil
		case ent.IsNotFound(err):
			first := invs[0]
			u, err = c.User.Create().SetEmail(email).SetName(first.Name).SetStatus(user.StatusActive).
				SetInvitedAt(first.CreatedAt).SetDefaultLocationID(first.LocationID).Save(ctx)
			if err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if u.Status == user.StatusDisabled {
			return nil
		}
		now := s.now()
		for _, inv := range invs {
			member, err := c.Membership.Query().Where(membership.UserID(u.ID), membership.LocationID(inv.LocationID)).Exist(ctx)
			if err != nil {
				return err
			}
			if !member {
				err = c.Membership.Create().SetUserID(u.ID).SetLocationID(inv.LocationID).
					SetRole(membership.Role(inv.Role)).Exec(ctx)
				if err != nil {
					return fmt.Errorf("accept invitation %s: %w", inv.ID, err)
				}
			}
			if err := c.Invitation.UpdateOne(inv).SetAcceptedAt(now).Exec(ctx); err != nil {
				return err
			}
			if s.Audit != nil {
				err := s.Audit.RecordChange(ctx, audit.Entry{
					Action: audit.ActionAccessChange, UserID: string(u.ID), Email: u.Email, LocationID: string(inv.LocationID),
					ResourceType: "Invitation", ResourceID: string(inv.ID),
					Detail: fmt.Sprintf("invitation accepted at sign-in: joined %s as %s", inv.LocationID, inv.Role),
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	return u, err
}

// AcceptForOperator accepts, on the person's behalf, the pending
// invitation for email at loc: an operator on the server (`avatarcrm
// apikey create` for an administrator invited by `avatarcrm setup`) vouches
// for them before they have signed in. An email without an account gets
// one with the status "invited" (it becomes active, and is linked to the
// Google account, at the first sign-in, as for any invited account). It
// returns the user, or NOT_FOUND when there is no pending invitation there.
// ctx must carry the operator capability.
func (s *Service) AcceptForOperator(ctx context.Context, email string, loc pulid.ID) (*ent.User, *ent.Invitation, error) {
	var u *ent.User
	var inv *ent.Invitation
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		var err error
		inv, err = c.Invitation.Query().
			Where(invitation.Email(email), invitation.LocationID(loc), invitation.AcceptedAtIsNil()).
			Order(invitation.ByCreatedAt()).First(ctx)
		if ent.IsNotFound(err) {
			return apperr.NotFoundf("user", "%s is neither a member of this location nor invited to it", email)
		}
		if err != nil {
			return err
		}
		u, err = c.User.Query().Where(user.Email(email)).Only(ctx)
		switch {
		case ent.IsNotFound(err):
			u, err = c.User.Create().SetEmail(email).SetName(inv.Name).SetStatus(user.StatusInvited).
				SetInvitedAt(inv.CreatedAt).SetDefaultLocationID(loc).Save(ctx)
			if err != nil {
				return err
			}
		case err != nil:
			return err
		case u.Status == user.StatusDisabled:
			return apperr.Forbiddenf("the account of %s is disabled", email)
		}
		member, err := c.Membership.Query().Where(membership.UserID(u.ID), membership.LocationID(loc)).Exist(ctx)
		if err != nil {
			return err
		}
		if !member {
			err = c.Membership.Create().SetUserID(u.ID).SetLocationID(loc).SetRole(membership.Role(inv.Role)).Exec(ctx)
			if err != nil {
				return fmt.Errorf("accept invitation %s: %w", inv.ID, err)
			}
		}
		if inv, err = c.Invitation.UpdateOne(inv).SetAcceptedAt(s.now()).Save(ctx); err != nil {
			return err
		}
		if s.Audit != nil {
			return s.Audit.RecordChange(ctx, audit.Entry{
				Action: audit.ActionAccessChange, UserID: string(u.ID), Email: u.Email, LocationID: string(loc),
				ResourceType: "Invitation", ResourceID: string(inv.ID),
				Detail: fmt.Sprintf("invitation accepted by an operator before the first sign-in: joined %s as %s", loc, inv.Role),
			})
		}
		return nil
	})
	return u, inv, err
}
