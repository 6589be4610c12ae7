package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/webhookdelivery"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// DeliverArgs is the job that posts one delivery, retried on the
// service's Retry schedule.
type DeliverArgs struct {
	DeliveryID pulid.ID `json:"delivery_id" river:"unique"`
	LocationID pulid.ID `json:"location_id"`
}

// Kind of the job.
func (DeliverArgs) Kind() string { return "webhook.deliver" }

// AddWorkers registers the delivery job's worker.
func AddWorkers(ws *jobs.Workers, s *Service) {
	jobs.Add(ws, &deliverWorker{s: s})
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

// NextRetry follows the service's schedule rather than the queue's
// exponential backoff.
func (w *deliverWorker) NextRetry(j *river.Job[DeliverArgs]) time.Time {
	r := w.s.retry()
	i := min(max(j.Attempt-1, 0), len(r)-1)
	return time.Now().Add(r[i])
}

// Timeout bounds one attempt: the HTTP client's own timeout and the
// bookkeeping around it.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 45 * time.Second }

func (w *deliverWorker) Work(ctx context.Context, j *river.Job[DeliverArgs]) error {
	return w.s.Attempt(ctx, j.Args.DeliveryID, j.Attempt >= j.MaxAttempts)
}

// errAttempt is a failed attempt River retries.
type errAttempt struct{ msg string }

func (e *errAttempt) Error() string { return e.msg }

// Attempt posts a delivery once and records the outcome on it and on its
// subscription. A failure is returned (River retries it) unless last: then
// the delivery is failed and, when its subscription has been failing for
// DisableAfter, the subscription is disabled and staff alerted. ctx acts
// for the delivery's location (the job capability).
func (s *Service) Attempt(ctx context.Context, id pulid.ID, last bool) error {
	d, err := s.Client.WebhookDelivery.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil // its subscription was deleted
	} else if err != nil {
		return err
	}
	if d.Status != webhookdelivery.StatusPending {
		return nil
	}
	sub, err := s.Client.WebhookSubscription.Get(ctx, d.SubscriptionID)
	if ent.IsNotFound(err) {
		return nil
	} else if err != nil {
		return err
	}
	if !sub.Enabled && d.EventType != TestEventType {
		return s.Client.WebhookDelivery.UpdateOne(d).SetStatus(webhookdelivery.StatusFailed).
			SetError("the subscription is disabled").ClearNextAttemptAt().Exec(ctx)
	}
	now := s.Now.Now()
	secrets := []string{sub.Secret}
	if sub.PreviousSecret != nil && sub.PreviousSecretExpiresAt != nil && now.Before(*sub.PreviousSecretExpiresAt) {
		secrets = append(secrets, *sub.PreviousSecret)
	}
	code, elapsed, perr := s.post(ctx, sub.URL, string(d.ID), now.Unix(), []byte(d.Payload), secrets)
	ok := perr == nil && code >= 200 && code < 300
	errText := ""
	switch {
	case perr != nil:
		errText = perr.Error()
	case !ok:
		errText = fmt.Sprintf("HTTP %d %s", code, http.StatusText(code))
	}
	gone := code == http.StatusGone
	var disabled *ent.WebhookSubscription
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		u := c.WebhookDelivery.UpdateOne(d).AddAttempts(1).SetDurationMs(int(elapsed.Milliseconds())).
			SetLastAttemptAt(now).SetError(trim(errText, 500))
		if code > 0 {
			u.SetResponseCode(code)
		} else {
			u.ClearResponseCode()
		}
		su := c.WebhookSubscription.UpdateOneID(sub.ID)
		switch {
		case ok:
			u.SetStatus(webhookdelivery.StatusDelivered).SetDeliveredAt(now).ClearNextAttemptAt()
			su.SetFailureCount(0).ClearFailingSince().SetLastSuccessAt(now)
		default:
			su.AddFailureCount(1)
			since := now
			if sub.FailingSince != nil {
				since = *sub.FailingSince
			} else {
				su.SetFailingSince(now)
			}
			if last || gone {
				u.SetStatus(webhookdelivery.StatusFailed).ClearNextAttemptAt()
			} else {
				u.SetNextAttemptAt(now.Add(s.retry()[min(d.Attempts, len(s.retry())-1)]))
			}
			if sub.Enabled && d.EventType != TestEventType && (gone || last && !now.Before(since.Add(s.DisableAfter))) {
				reason := fmt.Sprintf("Disabled after failing since %s (%d failed attempts; last: %s)",
					since.UTC().Format(time.RFC3339), sub.FailureCount+1, trim(errText, 120))
				if gone {
					reason = "Disabled: the endpoint answered 410 Gone"
				}
				su.SetEnabled(false).SetDisabledReason(trim(reason, 300)).SetDisabledAt(now)
			}
		}
		if err := u.Exec(ctx); err != nil {
			return err
		}
		s2, err := su.Save(ctx)
		if err != nil {
			return err
		}
		if sub.Enabled && !s2.Enabled {
			disabled = s2
			if s.Alerts != nil {
				return s.Alerts.SubscriptionDisabled(ctx, s2)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if disabled != nil {
		slog.Warn("webhook subscription disabled", "subscription", disabled.ID, "reason", disabled.DisabledReason)
	}
	if ok || last || gone {
		return nil
	}
	return &errAttempt{msg: "webhook delivery " + string(d.ID) + ": " + errText}
}

// post sends one attempt; it returns the status code (0 when there was no
// answer) and how long it took.
func (s *Service) post(ctx context.Context, url, id string, ts int64, body []byte, secrets []string) (int, time.Duration, error) {
	sig, err := Signature(secrets, id, ts, body)
	if err != nil {
		return 0, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "AvatarCRM-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	hc := s.HTTP
	if hc == nil {
		hc = NewHTTPClient(s.AllowPrivate, 15*time.Second)
	}
	start := time.Now()
	resp, err := hc.Do(req)
	elapsed := time.Since(start)
	if err != nil {
		if errors.Is(err, ErrForbiddenAddress) {
			return 0, elapsed, fmt.Errorf("refused: %w", ErrForbiddenAddress)
		}
		return 0, elapsed, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, elapsed, nil
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
