package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// SMTPName is the SMTP provider's name.
const SMTPName = "smtp"

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is none, starttls (required, on the submission port) or tls
	// (implicit TLS, port 465).
	TLS string
	// TLSConfig overrides the TLS settings (tests trust their own
	// certificate); nil verifies the server's against the system roots.
	TLSConfig *tls.Config
	Timeout   time.Duration
}

// SMTP sends through an SMTP server with github.com/wneessen/go-mail,
// one connection per email (campaigns send at most a few a second).
type SMTP struct {
	opts    []mail.Option
	host    string
	account string
}

// NewSMTP checks the settings and builds the provider.
func NewSMTP(c SMTPConfig) (*SMTP, error) {
	if c.Host == "" {
		return nil, errors.New("email provider smtp: AVATARCRM_SMTP_HOST is required")
	}
	opts := []mail.Option{mail.WithPort(c.Port), mail.WithTimeout(or(c.Timeout, 30*time.Second))}
	switch c.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "", "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("email provider smtp: AVATARCRM_SMTP_TLS %q: want none, starttls or tls", c.TLS)
	}
	if c.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(c.TLSConfig))
	}
	if c.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(c.Username), mail.WithPassword(c.Password))
	}
	account := "smtp:" + strings.ToLower(c.Host)
	if c.Username != "" {
		account = "smtp:" + strings.ToLower(c.Username) + "@" + strings.ToLower(c.Host)
	}
	return &SMTP{opts: opts, host: c.Host, account: account}, nil
}

// Account implements Accounter: the login at the server (or the server).
func (s *SMTP) Account() string { return s.account }

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Name implements Provider.
func (*SMTP) Name() string { return SMTPName }

// Send implements Provider. A 4xx answer or a network failure is
// temporary; a 5xx answer to RCPT TO is a bounce (the address refused);
// any other 5xx a permanent failure.
func (s *SMTP) Send(ctx context.Context, e Email) (Result, error) {
	m, err := Build(e)
	if err != nil {
		return Result{}, &Error{Err: err}
	}
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return Result{}, &Error{Err: err}
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return Result{}, &Error{Bounce: se.Reason == mail.ErrSMTPRcptTo, Err: fmt.Errorf("smtp: %w", err)}
		}
		return Result{}, &Error{Temporary: true, Err: fmt.Errorf("smtp: %w", err)}
	}
	return Result{ProviderMessageID: "<" + e.MessageID + ">"}, nil
}

// Build makes the RFC 5322 message: text and HTML as alternatives (text
// first, as clients prefer the last part they can show), the Message-ID,
// and the extra headers.
func Build(e Email) (*mail.Msg, error) {
	m := mail.NewMsg()
	if e.FromName != "" {
		if err := m.FromFormat(e.FromName, e.From); err != nil {
			return nil, fmt.Errorf("from %q: %w", e.From, err)
		}
	} else if err := m.From(e.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", e.From, err)
	}
	if err := m.To(e.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", e.To, err)
	}
	m.Subject(e.Subject)
	m.SetDate()
	if e.MessageID != "" {
		m.SetMessageIDWithValue(e.MessageID)
	}
	for k, v := range e.Headers {
		m.SetGenHeader(mail.Header(k), v)
	}
	m.SetBodyString(mail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	}
	return m, nil
}

// Raw is the message as bytes (the Gmail API's raw).
func Raw(e Email) ([]byte, error) {
	m, err := Build(e)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
