// Package email sends email through one small interface: the outbox
// (default: nothing leaves the machine; the Message rows the callers write
// are what would have been sent, shown on the messages page), SMTP
// (github.com/wneessen/go-mail) and the Gmail API
// (google.golang.org/api/gmail/v1). Campaigns (internal/campaigns), test
// emails and automation's send_email action all go through it.
package email

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Email is one message handed to a provider.
type Email struct {
	// MessageID is the RFC 5322 Message-ID without angle brackets,
	// derived from the sender's own record (a campaign recipient, a
	// Message): a retry sends the same ID, so a provider that can look
	// messages up (Finder) finds the earlier copy.
	MessageID string
	FromName  string
	From      string
	To        string
	Subject   string
	HTML      string
	// Text is the plain-text part; every email has one.
	Text string
	// Headers are extra headers (List-Unsubscribe, List-Unsubscribe-Post).
	Headers map[string]string
}

// Result is a provider's answer for an email it accepted.
type Result struct {
	// ProviderMessageID is the provider's ID (Gmail's message id, the
	// SMTP server's queue answer, outbox-<id>).
	ProviderMessageID string
}

// Provider sends email.
type Provider interface {
	Name() string
	Send(ctx context.Context, e Email) (Result, error)
}

// Accounter is a Provider that names the account it sends as: the daily
// quota (Gmail Workspace: 2,000 a day per user) belongs to that account,
// whichever location's campaign uses it.
type Accounter interface {
	Account() string
}

// AccountOf names p's sending account: its own answer, or its name.
func AccountOf(p Provider) string {
	if a, ok := p.(Accounter); ok {
		if s := a.Account(); s != "" {
			return s
		}
	}
	if p == nil {
		return OutboxName
	}
	return p.Name()
}

// Finder is a Provider that can say whether it already accepted an email
// with a Message-ID (Gmail: the sent mailbox, searched by rfc822msgid).
// A send job run again after its process died asks first instead of
// sending a second copy.
type Finder interface {
	Find(ctx context.Context, messageID string) (r Result, ok bool, err error)
}

// Error is a provider's refusal, classified.
type Error struct {
	// Temporary: worth trying again later (429, rate limits, 5xx, the
	// network). RetryAfter is the provider's hint, if any.
	Temporary  bool
	RetryAfter time.Duration
	// Bounce: the address itself was refused for good (SMTP 550 at RCPT).
	Bounce bool
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether err is worth retrying, and the provider's hint.
func Temporary(err error) (bool, time.Duration) {
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary, e.RetryAfter
	}
	// An error a provider did not classify (a bug, a context ended) is
	// taken as temporary: retrying is the safe side of a lost email.
	return err != nil, 0
}

// Bounced reports whether err says the address was refused for good.
func Bounced(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Bounce
}

// Outbox is the default provider: it sends nothing. The caller's Message
// record (channel email, provider outbox) is what would have been sent.
type Outbox struct{}

// OutboxName is the Outbox's provider name.
const OutboxName = "outbox"

// Name implements Provider.
func (Outbox) Name() string { return OutboxName }

// Send implements Provider: every email is accepted.
func (Outbox) Send(_ context.Context, e Email) (Result, error) {
	return Result{ProviderMessageID: "outbox-" + e.MessageID}, nil
}

// Config chooses and configures the provider (internal/config).
type Config struct {
	// Provider is outbox (default), smtp or gmail.
	Provider string
	SMTP     SMTPConfig
	Gmail    GmailConfig
}

// New builds the configured provider.
func New(ctx context.Context, c Config) (Provider, error) {
	switch c.Provider {
	case "", OutboxName:
		return Outbox{}, nil
	case SMTPName:
		return NewSMTP(c.SMTP)
	case GmailName:
		return NewGmail(ctx, c.Gmail)
	}
	return nil, fmt.Errorf("email provider %q: want outbox, smtp or gmail", c.Provider)
}
