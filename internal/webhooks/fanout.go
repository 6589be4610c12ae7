package webhooks

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/webhookdelivery"
	"github.com/avatarimaging/avatarcrm/ent/webhooksubscription"
)

// Message is the JSON body of a delivery, in Standard Webhooks' shape.
type Message struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// plainKeys are the event payload fields every subscription gets: IDs,
// codes, times and the names of the fields that changed; nothing a
// person wrote or that identifies them.
var plainKeys = []string{
	"contact_id", "booking_id", "message_id", "lead_source", "kind", "priority", "status",
	"starts_at", "from_starts_at", "from_stage", "to_stage", "changed", "intent", "confidence", "needs_review",
}

// piiKeys are the payload fields only include_pii subscriptions get.
var piiKeys = []string{"reason"}

// Fanout writes one delivery, with its job, for every enabled subscription
// of the event's location that chose its type, in the transaction of c
// and ctx (the automation event job's, which marks the event dispatched):
// the deliveries exist exactly when the event was dispatched. Running it
// again for the same event adds nothing (one delivery per subscription
// and event).
func (s *Service) Fanout(ctx context.Context, c *ent.Client, ev *ent.Event) error {
	if s == nil || !slices.Contains(EventTypes, ev.Type) {
		return nil
	}
	if unsubscribed(ev.LocationID, ev.Type) {
		return nil // no enabled subscription chose this type (subcache.go)
	}
	gen := subsGen.Load()
	subs, err := c.WebhookSubscription.Query().Where(
		webhooksubscription.LocationID(ev.LocationID), webhooksubscription.Enabled(true),
	).All(ctx)
	if err != nil {
		return err
	}
	remember(ev.LocationID, gen, subs)
	var ct *ent.Contact
	loaded := false
	for _, sub := range subs {
		if !slices.Contains(sub.EventTypes, ev.Type) {
			continue
		}
		data := map[string]any{"id": ev.SubjectID, "location_id": string(ev.LocationID), "event_id": string(ev.ID)}
		for _, k := range plainKeys {
			if v, ok := ev.Payload[k]; ok {
				data[k] = v
			}
		}
		if sub.IncludePii {
			for _, k := range piiKeys {
				if v, ok := ev.Payload[k]; ok {
					data[k] = v
				}
			}
			if !loaded {
				loaded = true
				if id, ok := ev.Payload["contact_id"].(string); ok && id != "" {
					ct, _ = c.Contact.Get(ctx, pulid.ID(id))
				}
			}
			if ct != nil {
				data["contact"] = contactPII(ct)
			}
		}
		msg := Message{Type: ev.Type, Timestamp: ev.At.UTC().Format(time.RFC3339), Data: data}
		if _, err := s.queue(ctx, c, sub, string(ev.ID), msg); err != nil {
			return err
		}
	}
	return nil
}

func contactPII(ct *ent.Contact) map[string]any {
	out := map[string]any{"first_name": ct.FirstName, "last_name": ct.LastName}
	if ct.Phone != nil {
		out["phone"] = *ct.Phone
	}
	if ct.Email != nil {
		out["email"] = *ct.Email
	}
	return out
}

// queue writes a delivery of msg to sub and enqueues its job, unless the
// subscription has one for sourceID already.
func (s *Service) queue(ctx context.Context, c *ent.Client, sub *ent.WebhookSubscription, sourceID string, msg Message) (*ent.WebhookDelivery, error) {
	old, err := c.WebhookDelivery.Query().Where(webhookdelivery.SubscriptionID(sub.ID), webhookdelivery.SourceEventID(sourceID)).Only(ctx)
	if err == nil {
		return old, nil
	} else if !ent.IsNotFound(err) {
		return nil, err
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	now := s.Now.Now()
	d, err := c.WebhookDelivery.Create().SetLocationID(sub.LocationID).SetSubscriptionID(sub.ID).
		SetEventType(msg.Type).SetSourceEventID(sourceID).SetPayload(string(body)).SetNextAttemptAt(now).Save(ctx)
	if err != nil {
		return nil, err
	}
	opts := &river.InsertOpts{MaxAttempts: len(s.retry()) + 1, UniqueOpts: river.UniqueOpts{ByArgs: true}}
	if _, err := s.Jobs.Enqueue(ctx, DeliverArgs{DeliveryID: d.ID, LocationID: d.LocationID}, opts); err != nil {
		return nil, err
	}
	return d, nil
}
