package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Email says how email is sent (internal/email, docs/EMAIL.md).
type Email struct {
	// Provider is outbox (store and show, send nothing), smtp or gmail.
	Provider string
	// From is the default sender of campaigns and automation emails.
	From         string
	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	// SMTPTLS is none, starttls or tls.
	SMTPTLS string
	// GmailCredentialsFile is an OAuth refresh-token or service-account
	// JSON file; GmailBaseURL the API root (a local fake in tests).
	GmailCredentialsFile string
	GmailBaseURL         string
	GmailTokenURL        string
	// GmailFindSent: a send retried after a crash searches the mailbox
	// for the earlier copy first (needs the gmail.readonly scope).
	GmailFindSent bool
	// Rate is the most campaign emails a minute; DailyQuota the most a
	// day (default 2,000 with gmail, none otherwise).
	Rate       int
	DailyQuota int
	// TrackingKey (hex) or TrackingKeyFile holds the key that signs the
	// tracking and unsubscribe links (created beside the audit key when
	// missing).
	TrackingKey     string
	TrackingKeyFile string
	// Backoff is the first wait after a provider's rate limit (doubling).
	Backoff string
}

// The email settings are read from the environment only (no flags).
var emailSettings = []Setting{
	{"", "AVATARCRM_EMAIL_PROVIDER", "outbox", "outbox (stores what would be sent and shows it on the messages page), smtp or gmail"},
	{"", "AVATARCRM_EMAIL_FROM", "none", "default sender of campaign and automation emails (required with smtp and gmail)"},
	{"", "AVATARCRM_SMTP_HOST", "none", "SMTP server (required with smtp)"},
	{"", "AVATARCRM_SMTP_PORT", "587 (465 with tls, 25 with none)", "SMTP port"},
	{"", "AVATARCRM_SMTP_USERNAME", "none", "SMTP user; empty sends without authentication"},
	{"", "AVATARCRM_SMTP_PASSWORD", "none", "SMTP password (or use the _FILE form)"},
	{"", "AVATARCRM_SMTP_PASSWORD_FILE", "none", "file holding the SMTP password"},
	{"", "AVATARCRM_SMTP_TLS", "starttls", "none, starttls (required) or tls (implicit, port 465)"},
	{"", "AVATARCRM_GMAIL_CREDENTIALS_FILE", "none", "Gmail API credentials: an OAuth client's refresh token or a service account key with domain-wide delegation (required with gmail)"},
	{"", "AVATARCRM_GMAIL_BASE_URL", "https://gmail.googleapis.com/", "Gmail API root (a local fake in tests)"},
	{"", "AVATARCRM_GMAIL_TOKEN_URL", "the credentials' token_uri", "OAuth token endpoint (a local fake in tests)"},
	{"", "AVATARCRM_GMAIL_FIND_SENT", "false", "after a crash, look for an email's earlier copy in the sent mailbox before sending again (needs the gmail.readonly scope)"},
	{"", "AVATARCRM_EMAIL_RATE", "100", "most campaign emails a minute"},
	{"", "AVATARCRM_EMAIL_DAILY_QUOTA", "2000 with gmail, 0 (none) otherwise", "most campaign emails a day; the rest continue the next day"},
	{"", "AVATARCRM_EMAIL_BACKOFF", "30s", "first wait after the provider's rate limit (429); doubles, at most 15 minutes"},
	{"", "AVATARCRM_TRACKING_KEY", "none", "key (hex, 32 bytes or more) signing email tracking and unsubscribe links; or use the key file"},
	{"", "AVATARCRM_TRACKING_KEY_FILE", "tracking.key beside the audit key file", "file holding the tracking key (hex); created with mode 0600 if missing"},
}

func init() { Settings = append(Settings, emailSettings...) }

// readEmail reads the email settings from the environment.
func readEmail(env func(name, def string) string) (Email, error) {
	var errs []error
	e := Email{
		Provider:             strings.ToLower(env("AVATARCRM_EMAIL_PROVIDER", "outbox")),
		From:                 strings.ToLower(env("AVATARCRM_EMAIL_FROM", "")),
		SMTPHost:             env("AVATARCRM_SMTP_HOST", ""),
		SMTPUsername:         env("AVATARCRM_SMTP_USERNAME", ""),
		SMTPPassword:         env("AVATARCRM_SMTP_PASSWORD", ""),
		SMTPTLS:              strings.ToLower(env("AVATARCRM_SMTP_TLS", "starttls")),
		GmailCredentialsFile: env("AVATARCRM_GMAIL_CREDENTIALS_FILE", ""),
		GmailBaseURL:         env("AVATARCRM_GMAIL_BASE_URL", ""),
		GmailTokenURL:        env("AVATARCRM_GMAIL_TOKEN_URL", ""),
		TrackingKey:          env("AVATARCRM_TRACKING_KEY", ""),
		TrackingKeyFile:      env("AVATARCRM_TRACKING_KEY_FILE", ""),
		Backoff:              env("AVATARCRM_EMAIL_BACKOFF", "30s"),
	}
	e.GmailFindSent = env("AVATARCRM_GMAIL_FIND_SENT", "false") == "true"
	if f := env("AVATARCRM_SMTP_PASSWORD_FILE", ""); f != "" {
		if e.SMTPPassword != "" {
			errs = append(errs, errors.New("AVATARCRM_SMTP_PASSWORD and AVATARCRM_SMTP_PASSWORD_FILE are both set: use one"))
		} else if b, err := os.ReadFile(f); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_SMTP_PASSWORD_FILE: %w", err))
		} else {
			e.SMTPPassword = strings.TrimSpace(string(b))
		}
	}
	defPort := map[string]string{"none": "25", "tls": "465"}[e.SMTPTLS]
	port := env("AVATARCRM_SMTP_PORT", or(defPort, "587"))
	var err error
	if e.SMTPPort, err = strconv.Atoi(port); err != nil || e.SMTPPort < 1 || e.SMTPPort > 65535 {
		errs = append(errs, fmt.Errorf("AVATARCRM_SMTP_PORT: %q is not a port", port))
	}
	switch e.SMTPTLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, fmt.Errorf("AVATARCRM_SMTP_TLS: %q is not none, starttls or tls", e.SMTPTLS))
	}
	rate := env("AVATARCRM_EMAIL_RATE", "100")
	if e.Rate, err = strconv.Atoi(rate); err != nil || e.Rate < 1 || e.Rate > 1_000_000 {
		errs = append(errs, fmt.Errorf("AVATARCRM_EMAIL_RATE: %q is not a number of emails a minute (1 to 1,000,000)", rate))
	}
	defQuota := "0"
	if e.Provider == "gmail" {
		defQuota = "2000"
	}
	quota := env("AVATARCRM_EMAIL_DAILY_QUOTA", defQuota)
	if e.DailyQuota, err = strconv.Atoi(quota); err != nil || e.DailyQuota < 0 {
		errs = append(errs, fmt.Errorf("AVATARCRM_EMAIL_DAILY_QUOTA: %q is not a number of emails a day (0: no limit)", quota))
	}
	if e.From != "" {
		if a, err := mail.ParseAddress(e.From); err != nil || a.Address != e.From {
			errs = append(errs, fmt.Errorf("AVATARCRM_EMAIL_FROM: %q is not an email address", e.From))
		}
	}
	if e.GmailBaseURL != "" {
		if u, err := url.Parse(e.GmailBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("AVATARCRM_GMAIL_BASE_URL: %q is not an http(s) URL", e.GmailBaseURL))
		}
	}
	switch e.Provider {
	case "outbox":
	case "smtp":
		if e.SMTPHost == "" || e.From == "" {
			errs = append(errs, errors.New("AVATARCRM_EMAIL_PROVIDER=smtp needs AVATARCRM_SMTP_HOST and AVATARCRM_EMAIL_FROM"))
		}
	case "gmail":
		if e.GmailCredentialsFile == "" || e.From == "" {
			errs = append(errs, errors.New("AVATARCRM_EMAIL_PROVIDER=gmail needs AVATARCRM_GMAIL_CREDENTIALS_FILE and AVATARCRM_EMAIL_FROM"))
		}
	default:
		errs = append(errs, fmt.Errorf("AVATARCRM_EMAIL_PROVIDER: %q is not outbox, smtp or gmail", e.Provider))
	}
	return e, errors.Join(errs...)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
