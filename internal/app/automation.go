package app

import (
	"context"

	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// SMSSender, when set before Open, is what the rules' send_sms actions
// queue SMS through. PLACEHOLDER(messaging): the messaging service
// (internal/messaging, issue 14) is wired here when it lands:
//
//	SMS: automation.SMSSenderFunc(func(ctx context.Context, c *ent.Client, in automation.SMSInput) (pulid.ID, error) {
//		m, err := msgs.QueueSMS(ctx, c, messaging.SMSInput(in))
//		…
//	})
//
// Until then a send_sms action without a sender is recorded as a failed
// run (nothing is silently dropped); tests set a recording fake.
var SMSSender automation.SMSSender

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
