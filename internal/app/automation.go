package app

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/messaging"

	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// SMSSender, when set before Open, replaces the messaging service as what
// the rules' send_sms actions queue SMS through (tests).
var SMSSender automation.SMSSender

// smsSender is the messaging service as the rules' SMS sender: QueueSMS
// writes the Message (outbox) and its send job in the rule run's
// transaction, once per idempotency key.
func smsSender(msg *messaging.Service) automation.SMSSender {
	if SMSSender != nil {
		return SMSSender
	}
	return automation.SMSSenderFunc(func(ctx context.Context, c *ent.Client, in automation.SMSInput) (pulid.ID, error) {
		m, err := msg.QueueSMS(ctx, c, messaging.SMSInput{
			ContactID: in.ContactID, BookingID: in.BookingID, Template: in.Template, Body: in.Body,
			RuleID: in.RuleID, SentBy: in.SentBy, Marketing: in.Marketing, Urgent: in.Urgent, Key: in.Key,
			Contact: in.Contact, KeyNew: in.KeyNew,
		})
		if err != nil {
			return "", err
		}
		return m.ID, nil
	})
}

// seedRules gives every location the default automation rules it lacks
// (a database older than the rules, a location created before them).
func (a *App) seedRules(ctx context.Context) error {
	ctx = viewer.Seed.Grant(ctx, "startup")
	ids, err := a.DB.Client.Location.Query().IDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := automation.SeedDefaultRules(ctx, a.DB.Client, id); err != nil {
			return err
		}
	}
	return nil
}
