package messaging

import (
	"context"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// Inline is a Provider whose Send reaches no network and cannot be lost
// half-way (the Outbox): QueueSMS sends through it in the queuing
// transaction itself, instead of writing a send job that a worker fetches,
// runs and completes a moment later. The message and its touchpoint then
// commit with the change that caused them, or not at all, so exactly once
// holds without the job's unique key. A provider that talks to a network
// (ClickSend) never sends inside a transaction: it keeps the send job, its
// retries and its Finder check (docs/PERFORMANCE.md, "Write path after
// batching the jobs' writes").
type Inline interface {
	Provider
	// SendsInline reports whether Send may run inside the queuing
	// transaction.
	SendsInline() bool
}

// SendsInline implements Inline: the Outbox only records.
func (Outbox) SendsInline() bool { return true }

// sendInline sends the message that create will insert (probe holds what
// the send job would read of it) through p at once, with the checks the
// send job makes (suppression; quiet hours were checked by the caller),
// and inserts it already sent (or suppressed), with its touchpoint, in
// c's transaction: one insert where the job path inserts, then updates.
// handled is false when the provider did not take it: the caller then
// inserts it queued with its send job, as for any provider, so nothing is
// dropped. The touchpoint is a consequence of sending the message
// (viewer.Consequences), as the send job's is of its kind.
func (s *Service) sendInline(ctx context.Context, c *ent.Client, create *ent.MessageCreate, probe *ent.Message, p Provider, now time.Time) (m *ent.Message, handled bool, err error) {
	sys := viewer.Consequences.Grant(ctx, "")
	reason, err := s.suppression(sys, c, probe, now)
	if err != nil {
		return nil, false, err
	}
	if reason != "" {
		m, err = create.SetStatus(message.StatusSuppressed).SetSuppressedReason(reason).Save(ctx)
		return m, true, err
	}
	id := pulid.New(pulid.Message)
	res, err := p.Send(ctx, []SMS{{ID: string(id), To: probe.To, From: s.From, Body: probe.Body}})
	if err != nil || len(res) != 1 || !res[0].OK {
		return nil, false, nil
	}
	r := res[0]
	cost := r.CostCents
	if cost < 0 {
		cost = probe.CostCents
	}
	create.SetID(id).SetStatus(message.StatusSent).SetProvider(p.Name()).
		SetProviderMessageID(r.ProviderMessageID).SetCostCents(cost).SetSentAt(now)
	if r.Parts > 0 {
		create.SetSegments(r.Parts)
	}
	if m, err = create.Save(ctx); err != nil {
		return nil, true, err
	}
	// The touchpoint rescores the contact (internal/warmness) from probe's
	// contact, read in this transaction and unchanged by the message.
	return m, true, addTouchpoint(warmness.WithCurrent(sys, probe.Edges.Contact), c, m, now)
}
