package sms

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/conversation"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// CanUndo says whether staff may undo what the inbound message m did: it
// changed something automatically and that was not undone yet. The thread's
// Undo button and Undo itself ask the same question.
func CanUndo(m *ent.Message) bool {
	return changedSomething(m) && m.ActionUndoneAt == nil
}

func changedSomething(m *ent.Message) bool {
	return m.Direction == message.DirectionInbound && m.Action != nil && len(m.Undo) > 0
}

// Undo reverts what an inbound message did automatically, in one
// transaction: a confirmed or cancelled booking goes back to its status
// before (history names the message), the task it made is cancelled, an
// opt-out or opt-in is reversed with the contact's consent as it was. The
// conversation then needs a reply: a person decides. Errors: NOT_FOUND,
// INVALID (the message changed nothing), CONFLICT (undone already, the
// booking changed since, or its slot was taken).
func (s *Service) Undo(ctx context.Context, c *ent.Client, messageID pulid.ID) (*ent.Message, error) {
	m, err := c.Message.Get(ctx, messageID)
	if err != nil {
		return nil, notFound(err, "messageID", "message %s not found", messageID)
	}
	if !changedSomething(m) {
		return nil, apperr.Invalidf("messageID", "the message changed nothing automatically, so there is nothing to undo")
	}
	if m.ActionUndoneAt != nil {
		return nil, apperr.Conflictf("what message %s did was undone already", m.ID)
	}
	var out *ent.Message
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		u := m.Undo
		why := fmt.Sprintf("Undid what the SMS did (%s)", *m.Action)
		if id := u["booking"]; id != "" {
			bctx := bookings.WithCause(ctx, bookings.Cause{MessageID: m.ID, Text: m.Body})
			if err := s.Bookings.Revert(bctx, pulid.ID(id), booking.Status(u["from"]), booking.Status(u["to"]), why); err != nil {
				return err
			}
		}
		if id := u["task"]; id != "" {
			t, err := c.Task.Get(ctx, pulid.ID(id))
			if err != nil && !ent.IsNotFound(err) {
				return err
			}
			if t != nil && t.Status != task.StatusCompleted && t.Status != task.StatusCancelled {
				// The task is the system's, made for the message: cancelling
				// it follows from the undo the viewer may make.
				if _, err := s.Tasks.SetStatus(viewer.Consequences.Grant(ctx, ""), t.ID, task.StatusCancelled); err != nil {
					return err
				}
			}
		}
		sys := viewer.Consequences.Grant(ctx, "")
		if addr := u["optout"]; addr != "" {
			if _, err := c.OptOut.Delete().Where(optout.LocationID(m.LocationID), optout.ChannelEQ(optout.ChannelSms), optout.Address(addr)).Exec(sys); err != nil {
				return err
			}
		}
		if addr := u["optin"]; addr != "" && u["had_optout"] == "true" {
			if err := messaging.OptOutAddressAt(sys, c, m.LocationID, optout.ChannelSms, addr, "reply_stop", s.Now.Now()); err != nil {
				return err
			}
		}
		if cs := u["consent"]; cs != "" {
			if err := c.Contact.UpdateOneID(m.ContactID).SetSmsConsent(cs == "true").Exec(ctx); err != nil {
				return err
			}
		}
		now := s.Now.Now()
		up := c.Message.UpdateOneID(m.ID).SetActionUndoneAt(now).SetUpdatedAt(now)
		if v := viewer.FromContext(ctx); v != nil && v.UserID != "" {
			up.SetActionUndoneByID(v.UserID)
		}
		var err error
		if out, err = up.Save(ctx); err != nil {
			return err
		}
		return c.Conversation.Update().Where(conversation.ContactID(m.ContactID)).
			SetNeedsReply(true).ClearDoneAt().SetUpdatedAt(now).Exec(ctx)
	})
	return out, err
}
