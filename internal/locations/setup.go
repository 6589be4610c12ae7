package locations

import (
	"context"
	"fmt"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/invitation"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// ErrAlreadySetUp is returned by Setup on a database that has a location.
var ErrAlreadySetUp = apperr.Conflictf("this database is already set up")

// Setup is the first run of a real clinic: on a database without any
// location it creates the first one (as Create does) and invites
// adminEmail as its administrator. Nothing else is made: no demo data, no
// users. The person becomes a member when they first sign in (with Google)
// as that email; `avatarcrm apikey create` can act for them before that
// (auth.AcceptForOperator). It runs as the operator capability, in one
// transaction, so a second run racing the first finds the location.
func Setup(ctx context.Context, c *ent.Client, first New, adminEmail, adminName string) (*ent.Location, *ent.Invitation, error) {
	email, err := normalize.Email(adminEmail)
	if err != nil {
		return nil, nil, apperr.Invalidf("admin-email", "%q %s", adminEmail, err)
	}
	if err := first.Validate(); err != nil {
		return nil, nil, err
	}
	ctx = viewer.Operator.Grant(ctx, "setup")
	var l *ent.Location
	var inv *ent.Invitation
	err = txn.Run(ctx, c, func(ctx context.Context, c *ent.Client) error {
		have, err := c.Location.Query().Order(location.ByCode()).All(ctx)
		if err != nil {
			return err
		}
		if len(have) > 0 {
			codes := make([]string, len(have))
			for i, h := range have {
				codes[i] = h.Code
			}
			return fmt.Errorf("%w: it has %d location(s) (%s); add more as an administrator (Admin → Locations, or the createLocation operation)",
				ErrAlreadySetUp, len(have), strings.Join(codes, ", "))
		}
		if l, err = Create(ctx, c, first); err != nil {
			return err
		}
		inv, err = c.Invitation.Create().SetLocationID(l.ID).SetEmail(email).
			SetName(normalize.Name(adminName)).SetRole(invitation.RoleAdmin).Save(ctx)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return l, inv, nil
}
