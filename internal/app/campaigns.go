package app

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
	"github.com/avatarimaging/avatarcrm/internal/email"
	"github.com/avatarimaging/avatarcrm/internal/reports"
)

// EmailProvider, when set before Open, replaces the configured email
// provider (tests).
var EmailProvider email.Provider

// openCampaigns builds the email provider and the campaigns service
// (docs/EMAIL.md). The tracking links' key lives outside the database,
// like the audit key: AVATARCRM_TRACKING_KEY, or a key file created on
// first start.
func (a *App) openCampaigns(ctx context.Context) (*campaigns.Service, error) {
	ec := a.Config.Email
	p := EmailProvider
	if p == nil {
		var err error
		p, err = email.New(ctx, email.Config{
			Provider: ec.Provider,
			SMTP: email.SMTPConfig{Host: ec.SMTPHost, Port: ec.SMTPPort, Username: ec.SMTPUsername,
				Password: ec.SMTPPassword, TLS: ec.SMTPTLS},
			Gmail: email.GmailConfig{CredentialsFile: ec.GmailCredentialsFile, User: ec.From, BaseURL: ec.GmailBaseURL,
				TokenURL: ec.GmailTokenURL, FindSent: ec.GmailFindSent},
		})
		if err != nil {
			return nil, err
		}
	}
	var key []byte
	if k := strings.TrimSpace(ec.TrackingKey); k != "" {
		b, err := hex.DecodeString(k)
		if err != nil {
			return nil, fmt.Errorf("AVATARCRM_TRACKING_KEY: not hex: %w", err)
		}
		key = b
	} else {
		b, err := audit.LoadKey(ec.TrackingKeyFile, "")
		if err != nil {
			return nil, fmt.Errorf("tracking key (AVATARCRM_TRACKING_KEY_FILE): %w", err)
		}
		key = b
	}
	signer, err := campaigns.NewSigner(key)
	if err != nil {
		return nil, fmt.Errorf("AVATARCRM_TRACKING_KEY: %w", err)
	}
	backoff, err := time.ParseDuration(ec.Backoff)
	if err != nil || backoff <= 0 {
		return nil, fmt.Errorf("AVATARCRM_EMAIL_BACKOFF: %q is not a duration", ec.Backoff)
	}
	var drafter campaigns.Drafter
	if a.Ent.AI != nil {
		drafter = a.Ent.AI
	}
	return &campaigns.Service{
		Client: a.DB.Client, Now: a.Now, Email: p, From: ec.From, Rate: ec.Rate, DailyQuota: ec.DailyQuota,
		Signer: signer, PublicURL: a.Config.BaseURL, AI: drafter, Lease: a.Config.Jobs.Timeout, Backoff: backoff,
	}, nil
}

// reportMailer sends the reports' Monday summary through the email
// provider (internal/reports.Mailer).
type reportMailer struct {
	p    email.Provider
	from string
}

func (m reportMailer) Name() string { return m.p.Name() }

func (m reportMailer) Send(ctx context.Context, e reports.Email) error {
	_, err := m.p.Send(ctx, email.Email{From: m.from, FromName: "Avatar Imaging CRM", To: e.To, Subject: e.Subject, HTML: e.HTML, Text: e.Text})
	return err
}
