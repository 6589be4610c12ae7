package hooks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/webhookevent"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// The admin API of stored events: what the webhookEvents and
// replayWebhookEvent operations and the admin events page call. The
// WebhookEvent policy (settings:read, settings:update, the active
// location) applies underneath: these methods act as the viewer.

// Filter narrows the event list. Zero values mean any.
type Filter struct {
	Source string
	Status string
	// First is the page size (default 50, at most 200).
	First int
	// Before is the received time to list older events than (paging).
	Before *time.Time
}

// List returns the location's events, newest first.
func (p *Pipeline) List(ctx context.Context, c *ent.Client, f Filter) ([]*ent.WebhookEvent, error) {
	q := c.WebhookEvent.Query()
	if f.Source != "" {
		q.Where(webhookevent.Source(f.Source))
	}
	if f.Status != "" {
		st := webhookevent.Status(f.Status)
		if err := webhookevent.StatusValidator(st); err != nil {
			return nil, apperr.Invalidf("status", "unknown status %q", f.Status)
		}
		q.Where(webhookevent.StatusEQ(st))
	}
	if f.Before != nil {
		q.Where(webhookevent.ReceivedAtLT(*f.Before))
	}
	first := f.First
	if first <= 0 {
		first = 50
	}
	return q.Order(ent.Desc(webhookevent.FieldReceivedAt), ent.Desc(webhookevent.FieldID)).Limit(min(first, 200)).All(ctx)
}

// Get returns one event of the location (NOT_FOUND otherwise).
func (p *Pipeline) Get(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.WebhookEvent, error) {
	ev, err := c.WebhookEvent.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("id", "webhook event %s not found", id)
	}
	return ev, err
}

// Replay processes a stored event again: it is marked received, a line
// "replayed" goes into its history, and a new processing job is enqueued
// in the transaction of ctx (a mutation's). Processors are idempotent, so
// replaying a processed event changes only what is not yet done. A
// rejected event was never accepted and cannot be replayed (INVALID); one
// whose job is waiting or running is a CONFLICT.
func (p *Pipeline) Replay(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.WebhookEvent, error) {
	var out *ent.WebhookEvent
	err := txn.Run(ctx, c, func(ctx context.Context, c *ent.Client) error {
		ev, err := p.Get(ctx, c, id)
		if err != nil {
			return err
		}
		switch ev.Status {
		case webhookevent.StatusRejected:
			return apperr.Invalidf("id", "this event was refused on arrival (%s); it cannot be replayed", ev.LastError)
		case webhookevent.StatusReceived:
			return apperr.Conflictf("this event is waiting for its job; replay it once it has been processed or has failed")
		}
		if _, ok := p.processors[key(ev.Source, ev.Kind)]; !ok {
			return apperr.Invalidf("id", "no processor for %s %s events", ev.Source, ev.Kind)
		}
		replays := 1
		for _, h := range ev.History {
			if h.Outcome == "replayed" {
				replays++
			}
		}
		line := types.WebhookAttempt{At: p.Now.Now(), Attempt: ev.Attempts, Outcome: "replayed"}
		v := viewer.FromContext(ctx)
		if v != nil && v.Email != "" {
			line.Error = "by " + v.Email
		}
		if out, err = c.WebhookEvent.UpdateOne(ev).SetStatus(webhookevent.StatusReceived).
			SetHistory(appendHistory(ev.History, line)).Save(ctx); err != nil {
			return err
		}
		// The job runs as the job capability; the enqueue needs no more
		// than the viewer's transaction.
		return p.enqueue(ctx, out, replays)
	})
	return out, err
}

// Reject records a request refused after it was authenticated (so its
// location is known): an unknown event type, a wrong content type. It is
// stored with status rejected and the reason, never processed; the same
// request again is counted as a duplicate. No id from the sender: one is
// made from the payload.
func (p *Pipeline) Reject(ctx context.Context, in Incoming, reason string) error {
	if in.EventID == "" {
		h := sha256.Sum256(in.Payload)
		in.EventID = "sha256:" + hex.EncodeToString(h[:16])
	}
	if len(in.EventID) > 200 {
		in.EventID = in.EventID[:200]
	}
	if len(in.EventType) > 120 {
		in.EventType = in.EventType[:120]
	}
	ctx = viewer.Webhook.Grant(viewer.NewContext(ctx, &viewer.Viewer{System: true, LocationID: in.LocationID, Actor: "webhook:" + in.Source}), "webhook:"+in.Source)
	return txn.Run(ctx, p.Client, func(ctx context.Context, c *ent.Client) error {
		kind := "rejected"
		old, err := c.WebhookEvent.Query().Where(webhookevent.LocationID(in.LocationID), webhookevent.Source(in.Source),
			webhookevent.Kind(kind), webhookevent.EventID(in.EventID)).Only(ctx)
		if err == nil {
			return c.WebhookEvent.UpdateOneID(old.ID).AddDuplicates(1).Exec(ctx)
		}
		if !ent.IsNotFound(err) {
			return err
		}
		payload := in.Payload
		if len(payload) > MaxStoredRejected {
			payload = payload[:MaxStoredRejected]
		}
		return c.WebhookEvent.Create().SetLocationID(in.LocationID).SetSource(in.Source).SetKind(kind).
			SetEventID(in.EventID).SetEventType(in.EventType).SetPayload(string(payload)).SetReceivedAt(p.Now.Now()).
			SetStatus(webhookevent.StatusRejected).SetLastError(trim(reason)).Exec(ctx)
	})
}

// MaxStoredRejected bounds what is kept of a rejected request's body.
const MaxStoredRejected = 16 << 10
