package messaging

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// SendArgs is the job that sends one Message, unique by the message.
type SendArgs struct {
	MessageID  pulid.ID `json:"message_id" river:"unique"`
	LocationID pulid.ID `json:"location_id"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return "sms.send" }

// InsertOpts implements river.JobArgsWithInsertOpts: one job per message.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// AddWorkers registers the send job's worker.
func AddWorkers(ws *jobs.Workers, s *Service) {
	jobs.Add(ws, &sendWorker{s: s})
}

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	s *Service
}

func (w *sendWorker) Work(ctx context.Context, j *river.Job[SendArgs]) error {
	// A snooze (quiet hours) does not count as an attempt: Attempt > 1
	// means an earlier attempt ended in an error or died with its process,
	// possibly after the provider accepted the message.
	out, err := w.s.Deliver(ctx, j.Args.MessageID, Attempt{Last: j.Attempt >= j.MaxAttempts, Again: j.Attempt > 1})
	if err != nil {
		return err
	}
	if out.Deferred > 0 {
		// Quiet hours began since it was queued: wait for their end
		// (a snooze is not a failed attempt).
		return river.JobSnooze(out.Deferred)
	}
	return nil
}

// Attempt says which attempt of a message's send job delivers it.
type Attempt struct {
	// Last is the job's last attempt: a failure marks the message failed.
	Last bool
	// Again is any attempt after the first: an earlier one may have
	// reached the provider without its outcome being written (its process
	// was killed, or the provider's answer was lost), so a provider that
	// can tell (Finder) is asked before the message is sent.
	Again bool
}

// Outcome is what Deliver did.
type Outcome struct {
	Status message.Status
	// Reason is the suppressed reason or the failure.
	Reason string
	// Deferred is how long until the message may go (quiet hours).
	Deferred time.Duration
}

// Deliver sends the message with id now, unless it was already dealt with
// (sent, failed or suppressed: a job run twice sends once), must be
// suppressed (the number opted out, marketing without consent, the booking
// was cancelled or moved since), or falls in quiet hours (deferred). The
// provider is called outside any transaction (it may be slow); the outcome
// and the contact's touchpoint are written after in one. A temporary
// provider failure is returned as an error, for the job's retry with
// backoff; on the last attempt the message is marked failed. On an attempt
// after the first (a.Again), a provider that implements Finder is asked
// whether it already holds the message; if so its answer is recorded and
// nothing is sent again.
func (s *Service) Deliver(ctx context.Context, id pulid.ID, a Attempt) (Outcome, error) {
	lastAttempt := a.Last
	m, err := s.Client.Message.Query().Where(message.ID(id)).WithContact().Only(ctx)
	if ent.IsNotFound(err) {
		// The contact was purged, and its messages with it: nothing to send.
		slog.Info("sms to send no longer exists", "message", id)
		return Outcome{}, nil
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("deliver %s: %w", id, err)
	}
	if m.Status != message.StatusQueued && m.Status != message.StatusDeferred {
		return Outcome{Status: m.Status}, nil
	}
	loc, err := s.Client.Location.Get(ctx, m.LocationID)
	if err != nil {
		return Outcome{}, err
	}
	now := s.Now.Now()
	if reason, err := s.suppression(ctx, s.Client, m, now); err != nil {
		return Outcome{}, err
	} else if reason != "" {
		err := s.Client.Message.UpdateOneID(m.ID).SetStatus(message.StatusSuppressed).SetSuppressedReason(reason).SetUpdatedAt(now).Exec(ctx)
		return Outcome{Status: message.StatusSuppressed, Reason: reason}, err
	}
	if !m.Urgent {
		if at := QuietHoursOf(loc.Settings, zoneOf(loc)).NextAllowed(now); at.After(now) {
			err := s.Client.Message.UpdateOneID(m.ID).SetStatus(message.StatusDeferred).SetSendAfter(at).SetUpdatedAt(now).Exec(ctx)
			return Outcome{Status: message.StatusDeferred, Deferred: at.Sub(now)}, err
		}
	}
	p := s.provider()
	var res []Result
	if f, ok := p.(Finder); ok && a.Again {
		r, found, ferr := f.Find(ctx, string(m.ID), m.CreatedAt)
		switch {
		case ferr != nil:
			// The provider cannot tell whether it has the message: try
			// again later rather than risk a second copy.
			err = &TemporaryError{fmt.Errorf("%s: did an earlier attempt send it? %w", p.Name(), ferr)}
		case found:
			slog.Info("sms already accepted by the provider on an earlier attempt; recorded, not sent again",
				"message", m.ID, "provider", p.Name(), "provider_message_id", r.ProviderMessageID)
			res = []Result{r}
		}
	}
	if res == nil && err == nil {
		res, err = p.Send(ctx, []SMS{{ID: string(m.ID), To: m.To, From: s.From, Body: m.Body}})
	}
	if err == nil && len(res) != 1 {
		err = &TemporaryError{fmt.Errorf("%s: %d results for one message", p.Name(), len(res))}
	}
	if err != nil {
		if lastAttempt {
			_ = s.fail(ctx, m, p.Name(), err.Error())
		}
		return Outcome{}, fmt.Errorf("send %s: %w", m.ID, err)
	}
	r := res[0]
	if !r.OK {
		if r.Retry && !lastAttempt {
			return Outcome{}, fmt.Errorf("send %s: %s answered %s", m.ID, p.Name(), r.Status)
		}
		return Outcome{Status: message.StatusFailed, Reason: r.Status}, s.fail(ctx, m, p.Name(), r.Status)
	}
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		_, err := recordSent(ctx, c, m, p.Name(), r, now)
		return err
	})
	if err != nil {
		// Sent but not recorded: the retry finds it still queued, and asks
		// the provider before sending again (Attempt.Again). Log it for
		// the operator.
		slog.Error("sms sent but not recorded", "message", m.ID, "err", err)
		return Outcome{}, err
	}
	return Outcome{Status: message.StatusSent}, nil
}

// recordSent marks m sent by provider with the provider's result r, and
// adds the contact's touchpoint, in the transaction of c: Deliver's after
// the provider answered, QueueSMS's for a provider that sends inline.
func recordSent(ctx context.Context, c *ent.Client, m *ent.Message, provider string, r Result, now time.Time) (*ent.Message, error) {
	cost := r.CostCents
	if cost < 0 {
		cost = m.CostCents
	}
	up := c.Message.UpdateOneID(m.ID).SetStatus(message.StatusSent).SetProvider(provider).
		SetProviderMessageID(r.ProviderMessageID).SetCostCents(cost).SetSentAt(now).SetUpdatedAt(now)
	if r.Parts > 0 {
		up.SetSegments(r.Parts)
	}
	sent, err := up.Save(ctx)
	if err != nil {
		return nil, err
	}
	return sent, addTouchpoint(ctx, c, sent, now)
}

// addTouchpoint puts the sent message m on its contact's timeline.
// Outbound: it is not the patient reaching out, and warmness must not
// count it so.
func addTouchpoint(ctx context.Context, c *ent.Client, m *ent.Message, now time.Time) error {
	return c.Touchpoint.Create().SetLocationID(m.LocationID).SetContactID(m.ContactID).
		SetKind(touchpoint.KindSmsOut).SetSummary(summary(m.Body)).SetOccurredAt(now).
		SetNillableBookingID(m.BookingID).SetNillableActorID(m.SentByID).Exec(ctx)
}

func summary(body string) string {
	r := []rune("SMS: " + body)
	if len(r) > 500 {
		r = append(r[:497], '…')
	}
	return string(r)
}

func (s *Service) fail(ctx context.Context, m *ent.Message, provider, reason string) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return s.Client.Message.UpdateOneID(m.ID).SetStatus(message.StatusFailed).SetProvider(provider).SetError(reason).SetUpdatedAt(s.Now.Now()).Exec(ctx)
}

// Suppressed reasons.
const (
	ReasonOptedOut           = "opted_out"
	ReasonNoConsent          = "no_consent"
	ReasonNoPhone            = "no_phone"
	ReasonBookingCancelled   = "booking_cancelled"
	ReasonBookingRescheduled = "booking_rescheduled"
	ReasonBookingPast        = "booking_past"
	ReasonContactArchived    = "contact_archived"
)

// suppression says why m must not be sent now, or "", reading through c
// (the root client, or the transaction that queues m).
func (s *Service) suppression(ctx context.Context, c *ent.Client, m *ent.Message, now time.Time) (string, error) {
	ct := m.Edges.Contact
	switch {
	case m.To == "":
		return ReasonNoPhone, nil
	case ct != nil && ct.ArchivedAt != nil:
		return ReasonContactArchived, nil
	}
	out, err := c.OptOut.Query().Where(optout.LocationID(m.LocationID), optout.ChannelEQ(optout.ChannelSms), optout.Address(m.To)).Exist(ctx)
	if err != nil {
		return "", err
	}
	if out && (m.ReplyToID == nil || m.Marketing) {
		return ReasonOptedOut, nil
	}
	if m.Marketing && (ct == nil || !ct.SmsConsent) {
		return ReasonNoConsent, nil
	}
	if !slices.Contains(timeBound, m.Template) || len(m.Covers) == 0 {
		return "", nil
	}
	// Every booking the message speaks of must still be on, at the time it
	// had when the message was queued.
	ids := make([]pulid.ID, 0, len(m.Covers))
	for _, cv := range m.Covers {
		ids = append(ids, pulid.ID(cutAt(cv)))
	}
	bks, err := c.Booking.Query().Where(booking.IDIn(ids...)).All(ctx)
	if err != nil {
		return "", err
	}
	if len(bks) != len(ids) {
		return ReasonBookingCancelled, nil
	}
	for _, b := range bks {
		switch {
		case b.Status == booking.StatusCancelled || b.Status == booking.StatusNoShow:
			return ReasonBookingCancelled, nil
		case !slices.Contains(m.Covers, coverOf(b)):
			return ReasonBookingRescheduled, nil
		case m.Template != TemplateConfirmation && (b.Status != booking.StatusPending && b.Status != booking.StatusConfirmed || !b.StartsAt.After(now)):
			return ReasonBookingPast, nil
		}
	}
	return "", nil
}

func cutAt(s string) string {
	for i := range len(s) {
		if s[i] == '@' {
			return s[:i]
		}
	}
	return s
}

// OptOutAddress records that address asked for no more messages on
// channel at the location (idempotent). c is the caller's client; the
// two-way SMS issue calls it on "STOP", staff from the contact page.
func OptOutAddress(ctx context.Context, c *ent.Client, locationID pulid.ID, channel optout.Channel, address, source string) error {
	return OptOutAddressAt(ctx, c, locationID, channel, address, source, time.Time{})
}

// OptOutAddressAt is OptOutAddress recorded at a time of the caller's
// clock (zero: now), so "did the patient write after opting out" compares
// times of one clock.
func OptOutAddressAt(ctx context.Context, c *ent.Client, locationID pulid.ID, channel optout.Channel, address, source string, at time.Time) error {
	if address == "" {
		return errors.New("opt out: no address")
	}
	had, err := c.OptOut.Query().Where(optout.LocationID(locationID), optout.ChannelEQ(channel), optout.Address(address)).Exist(ctx)
	if err != nil || had {
		return err
	}
	create := c.OptOut.Create().SetLocationID(locationID).SetChannel(channel).SetAddress(address).SetSource(source)
	if !at.IsZero() {
		create.SetCreatedAt(at).SetUpdatedAt(at)
	}
	return create.Exec(ctx)
}
