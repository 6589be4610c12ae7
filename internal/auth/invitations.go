package auth

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/invitation"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/user"
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
