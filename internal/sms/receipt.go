package sms

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/hooks/clicksendwire"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// ProcessReceipt applies a stored delivery receipt: the message (found by
// our ID in custom_string, or ClickSend's message id) becomes delivered,
// or failed with the provider's reason; a permanent failure flags the
// contact's phone. A receipt never moves a message backwards (a late
// "sent" after "delivered"), and one for a message this system never sent
// is ignored.
func (s *Service) ProcessReceipt(ctx context.Context, ev *ent.WebhookEvent) error {
	p, err := clicksendwire.ReadPayload(ev.Payload)
	if err != nil {
		return &hooks.Permanent{Err: fmt.Errorf("payload: %w", err)}
	}
	r, err := clicksendwire.ParseReceipt(p.Fields)
	if err != nil {
		return &hooks.Permanent{Err: err}
	}
	if !r.Delivered && !r.Failed {
		return hooks.ErrIgnore
	}
	return txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		var which []predicate.Message
		if r.CustomString != "" {
			which = append(which, message.ID(pulid.ID(r.CustomString)))
		}
		if r.MessageID != "" {
			which = append(which, message.ProviderMessageID(r.MessageID))
		}
		m, err := c.Message.Query().Where(message.LocationID(ev.LocationID), message.DirectionEQ(message.DirectionOutbound), message.Or(which...)).First(ctx)
		if ent.IsNotFound(err) {
			return fmt.Errorf("%w: no message %s / %s", hooks.ErrIgnore, r.CustomString, r.MessageID)
		}
		if err != nil {
			return err
		}
		now := s.Now.Now()
		up := c.Message.UpdateOneID(m.ID).SetUpdatedAt(now)
		switch {
		case r.Delivered:
			if m.Status == message.StatusDelivered {
				return nil
			}
			up.SetStatus(message.StatusDelivered).SetError("")
		case r.Failed:
			if m.Status == message.StatusDelivered {
				// A failure after delivery is a late report of an
				// earlier part; the handset has it.
				return nil
			}
			reason := r.Reason
			if reason == "" {
				reason = r.Status
			}
			up.SetStatus(message.StatusFailed).SetError(trim(reason, 500))
			if r.Permanent {
				err := c.Contact.UpdateOneID(m.ContactID).SetSmsFailedAt(now).SetSmsFailedReason(trim(reason, 200)).Exec(ctx)
				if err != nil && !ent.IsNotFound(err) {
					return err
				}
			}
		}
		return up.Exec(ctx)
	})
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
