package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SMS is one text handed to a provider.
type SMS struct {
	// ID is the Message's ID; providers echo it back (ClickSend's
	// custom_string) so a result is matched to its message.
	ID   string
	To   string
	From string
	Body string
}

// Result is a provider's answer for one SMS.
type Result struct {
	ID string
	// OK is true when the provider accepted the message for delivery.
	OK bool
	// Status is the provider's per-message status (ClickSend: SUCCESS,
	// INVALID_RECIPIENT, INSUFFICIENT_CREDIT, …).
	Status            string
	ProviderMessageID string
	// CostCents is the provider's price, or -1 when it gave none.
	CostCents int
	// Parts is the provider's count of segments (0 if not given).
	Parts int
	// Retry marks a refusal worth trying again later (no credit yet).
	Retry bool
}

// Provider sends SMS. Send returns one Result per message, in any order
// (matched by ID), or an error when the request as a whole failed; such an
// error is temporary (worth a retry) when errors.As finds a *TemporaryError.
type Provider interface {
	Name() string
	Send(ctx context.Context, msgs []SMS) ([]Result, error)
}

// Finder is a Provider that can say whether it already accepted a message
// (ClickSend: its SMS history, matched by custom_string). A send job run
// again — its process died after the provider accepted the message but
// before the outcome was written, or the answer was lost to a timeout or
// a 5xx — asks the provider first instead of sending a second copy.
type Finder interface {
	// Find returns the provider's result for the message with id if it
	// accepted one since since (ok false if it has none). An error means
	// the provider could not tell; the caller must not send blind.
	Find(ctx context.Context, id string, since time.Time) (r Result, ok bool, err error)
}

// TemporaryError is a failure worth retrying: HTTP 429, a 5xx, a network
// error.
type TemporaryError struct{ Err error }

func (e *TemporaryError) Error() string { return e.Err.Error() }
func (e *TemporaryError) Unwrap() error { return e.Err }

// IsTemporary reports whether err is worth retrying.
func IsTemporary(err error) bool {
	var t *TemporaryError
	return errors.As(err, &t)
}

// Outbox is the default provider: it sends nothing. The Message record is
// what would have been sent, shown on the messages page with provider
// "outbox", so the demo works offline and nothing is silently dropped.
type Outbox struct{}

// OutboxName is the Outbox's provider name.
const OutboxName = "outbox"

// Name implements Provider.
func (Outbox) Name() string { return OutboxName }

// Send implements Provider: every message is accepted.
func (Outbox) Send(_ context.Context, msgs []SMS) ([]Result, error) {
	out := make([]Result, len(msgs))
	for i, m := range msgs {
		out[i] = Result{ID: m.ID, OK: true, Status: "OUTBOX", ProviderMessageID: "outbox-" + m.ID, CostCents: -1}
	}
	return out, nil
}

// ProviderConfig chooses and configures the SMS provider (internal/config).
type ProviderConfig struct {
	// Provider is "outbox" (default) or "clicksend".
	Provider           string
	ClickSendUsername  string
	ClickSendAPIKey    string
	ClickSendBaseURL   string
	ClickSendPerSecond float64
}

// NewProvider builds the configured provider.
func NewProvider(c ProviderConfig) (Provider, error) {
	switch c.Provider {
	case "", OutboxName:
		return Outbox{}, nil
	case ClickSendName:
		if c.ClickSendUsername == "" || c.ClickSendAPIKey == "" {
			return nil, errors.New("sms provider clicksend: AVATARCRM_CLICKSEND_USERNAME and AVATARCRM_CLICKSEND_API_KEY are required")
		}
		return NewClickSend(c.ClickSendBaseURL, c.ClickSendUsername, c.ClickSendAPIKey, c.ClickSendPerSecond), nil
	}
	return nil, fmt.Errorf("sms provider %q: want outbox or clicksend", c.Provider)
}
