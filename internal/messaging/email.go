package messaging

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/clock"
)

// Email is one email to a contact.
type Email struct {
	LocationID, ContactID pulid.ID
	To, Subject, Body     string
	// Template names what it is (lead_confirm, …).
	Template string
}

// OutboxEmail records an email in the outbox: no email provider exists
// yet (the email issue adds Gmail and SMTP), so the Message row, channel
// email and provider outbox, is what would have been sent, shown on the
// messages page, never silently dropped. It joins the transaction of c.
func OutboxEmail(ctx context.Context, c *ent.Client, now clock.Clock, e Email) (*ent.Message, error) {
	at := now.Now()
	return c.Message.Create().SetLocationID(e.LocationID).SetContactID(e.ContactID).
		SetChannel(message.ChannelEmail).SetStatus(message.StatusSent).SetProvider(OutboxName).
		SetTo(e.To).SetBody("Subject: " + e.Subject + "\n\n" + e.Body).SetTemplate(e.Template).
		SetSegments(0).SetSentAt(at).SetCreatedAt(at).SetUpdatedAt(at).Save(ctx)
}
