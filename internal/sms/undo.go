package sms

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Undo reverts what an inbound message did automatically. Errors:
// NOT_FOUND, INVALID (it did nothing to undo), CONFLICT (undone already,
// or the booking changed since).
func (s *Service) Undo(ctx context.Context, c *ent.Client, messageID pulid.ID) (*ent.Message, error) {
	return nil, apperr.Invalidf("messageID", "undo is not built yet")
}
