package webhooks

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/webhookdelivery"
	"github.com/avatarimaging/avatarcrm/ent/webhooksubscription"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// EventTypes are the event types a subscription may choose, in the order
// the admin page offers them.
var EventTypes = []string{
	events.ContactCreated, events.ContactUpdated,
	events.BookingCreated, events.BookingRescheduled, events.BookingCancelled, events.BookingCompleted, events.BookingNoShow,
	events.TaskCreated, events.SMSReceived,
}

// TestEventType is the type of the message "send test event" posts.
const TestEventType = "webhook.test"

// DefaultRetry is when a failed delivery is tried again, after the first
// attempt: Standard Webhooks' suggested schedule, about three days.
var DefaultRetry = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour, 24 * time.Hour, 24 * time.Hour,
}

// Alerter tells staff that a subscription was disabled (a task for the
// location's admins; in tests, anything).
type Alerter interface {
	SubscriptionDisabled(ctx context.Context, sub *ent.WebhookSubscription) error
}

// Service manages subscriptions and delivers their messages.
type Service struct {
	Client *ent.Client
	// Jobs enqueues delivery jobs in the transaction that writes them.
	Jobs jobs.Enqueuer
	Now  clock.Clock
	// HTTP posts the messages (NewHTTPClient).
	HTTP *http.Client
	// AllowPrivate lets subscriptions name private and loopback
	// addresses (tests, an on-premises integrator).
	AllowPrivate bool
	// Retry is the wait before each retry (DefaultRetry when nil).
	Retry []time.Duration
	// DisableAfter: a subscription failing for at least this long
	// (since its last success) whose delivery runs out of attempts is
	// disabled, and Alerts is told.
	DisableAfter time.Duration
	// Grace is how long a rotated secret still signs (default 24 h).
	Grace  time.Duration
	Alerts Alerter
}

func (s *Service) retry() []time.Duration {
	if s.Retry != nil {
		return s.Retry
	}
	return DefaultRetry
}

// Input is what an admin gives a subscription.
type Input struct {
	URL         *string
	Description *string
	EventTypes  []string
	Enabled     *bool
	IncludePII  *bool
}

func (s *Service) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}

func (s *Service) check(in Input, create bool) error {
	if in.URL != nil || create {
		if in.URL == nil {
			return apperr.Invalidf("url", "the endpoint URL is required")
		}
		u, err := CheckURL(*in.URL, s.AllowPrivate)
		if err != nil {
			return apperr.Invalidf("url", "%s", err.Error())
		}
		*in.URL = u.String()
	}
	if in.EventTypes != nil || create {
		if len(in.EventTypes) == 0 {
			return apperr.Invalidf("eventTypes", "choose at least one event type")
		}
		for _, t := range in.EventTypes {
			if !slices.Contains(EventTypes, t) {
				return apperr.Invalidf("eventTypes", "unknown event type %q: one of %s", t, strings.Join(EventTypes, ", "))
			}
		}
	}
	if in.Description != nil && len(*in.Description) > 200 {
		return apperr.Invalidf("description", "at most 200 characters")
	}
	return nil
}

// Subscriptions lists the active location's subscriptions, newest first.
func (s *Service) Subscriptions(ctx context.Context) ([]*ent.WebhookSubscription, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	return s.client(ctx).WebhookSubscription.Query().Where(webhooksubscription.LocationID(v.LocationID)).
		Order(ent.Desc(webhooksubscription.FieldID)).All(ctx)
}

// Subscription returns one of the active location's subscriptions.
func (s *Service) Subscription(ctx context.Context, id pulid.ID) (*ent.WebhookSubscription, error) {
	sub, err := s.client(ctx).WebhookSubscription.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("id", "no webhook subscription %s", id)
	}
	return sub, err
}

// Create adds a subscription at the active location with a new secret,
// which it returns: the only time it is shown.
func (s *Service) Create(ctx context.Context, in Input) (*ent.WebhookSubscription, string, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := s.check(in, true); err != nil {
		return nil, "", err
	}
	secret := NewSecret()
	cr := s.client(ctx).WebhookSubscription.Create().SetLocationID(v.LocationID).SetURL(*in.URL).
		SetEventTypes(in.EventTypes).SetSecret(secret)
	if in.Description != nil {
		cr.SetDescription(strings.TrimSpace(*in.Description))
	}
	if in.Enabled != nil {
		cr.SetEnabled(*in.Enabled)
	}
	if in.IncludePII != nil {
		cr.SetIncludePii(*in.IncludePII)
	}
	sub, err := cr.Save(ctx)
	return sub, secret, err
}

// Update changes a subscription. Enabling a disabled one clears its
// failures.
func (s *Service) Update(ctx context.Context, id pulid.ID, in Input) (*ent.WebhookSubscription, error) {
	sub, err := s.Subscription(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.check(in, false); err != nil {
		return nil, err
	}
	u := s.client(ctx).WebhookSubscription.UpdateOne(sub)
	if in.URL != nil {
		u.SetURL(*in.URL)
	}
	if in.Description != nil {
		u.SetDescription(strings.TrimSpace(*in.Description))
	}
	if in.EventTypes != nil {
		u.SetEventTypes(in.EventTypes)
	}
	if in.IncludePII != nil {
		u.SetIncludePii(*in.IncludePII)
	}
	if in.Enabled != nil {
		u.SetEnabled(*in.Enabled)
		if *in.Enabled && !sub.Enabled {
			u.SetFailureCount(0).ClearFailingSince().SetDisabledReason("").ClearDisabledAt()
		}
	}
	return u.Save(ctx)
}

// Delete removes a subscription and its delivery log; its pending
// deliveries' jobs find nothing to do.
func (s *Service) Delete(ctx context.Context, id pulid.ID) error {
	sub, err := s.Subscription(ctx, id)
	if err != nil {
		return err
	}
	c := s.client(ctx)
	if _, err := c.WebhookDelivery.Delete().Where(webhookdelivery.SubscriptionID(sub.ID)).Exec(ctx); err != nil {
		return err
	}
	return c.WebhookSubscription.DeleteOne(sub).Exec(ctx)
}

// Rotate gives a subscription a new secret, which it returns. The old one
// keeps signing beside it for grace (the service's Grace when zero), so
// the integrator can switch without losing a message.
func (s *Service) Rotate(ctx context.Context, id pulid.ID, grace time.Duration) (*ent.WebhookSubscription, string, error) {
	sub, err := s.Subscription(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if grace <= 0 {
		grace = s.Grace
	}
	if grace <= 0 {
		grace = 24 * time.Hour
	}
	if grace > 30*24*time.Hour {
		return nil, "", apperr.Invalidf("graceHours", "at most 30 days")
	}
	secret := NewSecret()
	sub, err = s.client(ctx).WebhookSubscription.UpdateOne(sub).SetSecret(secret).
		SetPreviousSecret(sub.Secret).SetPreviousSecretExpiresAt(s.Now.Now().Add(grace)).Save(ctx)
	return sub, secret, err
}

// DeliveryFilter narrows the delivery log.
type DeliveryFilter struct {
	SubscriptionID *pulid.ID
	Status         *webhookdelivery.Status
	Limit          int
}

// Deliveries lists the active location's deliveries, newest first (at
// most 200).
func (s *Service) Deliveries(ctx context.Context, f DeliveryFilter) ([]*ent.WebhookDelivery, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return nil, err
	}
	q := s.client(ctx).WebhookDelivery.Query().Where(webhookdelivery.LocationID(v.LocationID))
	if f.SubscriptionID != nil {
		q.Where(webhookdelivery.SubscriptionID(*f.SubscriptionID))
	}
	if f.Status != nil {
		q.Where(webhookdelivery.StatusEQ(*f.Status))
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	return q.Order(ent.Desc(webhookdelivery.FieldID)).Limit(f.Limit).All(ctx)
}

// SendTest queues a test message to a subscription, whatever event types
// it chose (and even when disabled: checking an endpoint is how one is
// fixed). It joins the caller's transaction (the job commits with it).
func (s *Service) SendTest(ctx context.Context, id pulid.ID) (*ent.WebhookDelivery, error) {
	sub, err := s.Subscription(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.Now.Now()
	body := Message{Type: TestEventType, Timestamp: now.UTC().Format(time.RFC3339), Data: map[string]any{
		"subscription_id": string(sub.ID), "location_id": string(sub.LocationID), "test": true,
	}}
	var d *ent.WebhookDelivery
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		d, err = s.queue(ctx, c, sub, "test_"+string(pulid.New("tst")), body)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("webhooks: test: %w", err)
	}
	return d, nil
}
