package bookings

import (
	"context"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/cancelreason"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// DefaultCancelReasons are the reasons a location starts with; staff pick
// one in the cancel dialog or type their own. They are what front desks
// hear most, and a short fixed list keeps the cancellation report readable.
var DefaultCancelReasons = []string{
	"Patient unwell",
	"Clashes with work",
	"Transport problem",
	"Booked elsewhere",
	"Cost concerns",
	"Referral not yet received",
	"Clinic rescheduled",
}

// MaxReasonBytes is the longest cancel reason, as stored.
const MaxReasonBytes = 500

// EnsureCancelReasons returns the active location's active cancel reasons
// in order, writing DefaultCancelReasons first when the location has none
// at all (its first use). A location that switched reasons off keeps them
// off: inactive reasons count as having some.
//
// The defaults are written as the system: they are the location's
// starting configuration, not a settings change by whoever happened to
// cancel the first booking.
func (s *Service) EnsureCancelReasons(ctx context.Context) ([]*ent.CancelReason, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	c := s.client(ctx)
	sys := viewer.Consequences.Grant(ctx, "")
	n, err := c.CancelReason.Query().Where(cancelreason.LocationID(v.LocationID)).Count(sys)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		builders := make([]*ent.CancelReasonCreate, len(DefaultCancelReasons))
		for i, label := range DefaultCancelReasons {
			builders[i] = c.CancelReason.Create().SetLocationID(v.LocationID).SetLabel(label).SetPosition(i + 1)
		}
		// Two first uses at once both find none; the second one's rows
		// give way to the first one's.
		err := c.CancelReason.CreateBulk(builders...).
			OnConflictColumns(cancelreason.FieldLocationID, cancelreason.FieldLabel).DoNothing().
			Exec(sys)
		if err != nil {
			return nil, err
		}
	}
	return c.CancelReason.Query().Where(cancelreason.Active(true)).
		Order(cancelreason.ByPosition(), cancelreason.ByLabel()).All(ctx)
}

// cancelReason validates a cancel reason and returns it as stored: a
// standard reason in its standard spelling, or the free text trimmed.
func (s *Service) cancelReason(o *op, reason string) (string, error) {
	reason = strings.Join(strings.Fields(reason), " ")
	switch {
	case reason == "":
		return "", apperr.Invalidf("reason", "a reason is required: pick one of the location's reasons or describe it")
	case len(reason) > MaxReasonBytes:
		return "", apperr.Invalidf("reason", "is too long: at most %d characters (fewer with accented letters)", MaxReasonBytes)
	}
	reasons, err := s.EnsureCancelReasons(o.ctx)
	if err != nil {
		return "", err
	}
	for _, r := range reasons {
		if strings.EqualFold(r.Label, reason) {
			return r.Label, nil
		}
	}
	return reason, nil
}
