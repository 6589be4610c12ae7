package app

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/alert"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/manychat"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/wix"
)

// openIntegrations configures the webhook pipeline's retries and alerts
// and the inbound integrations (issue 16): Wix Bookings and ManyChat. It
// returns the routes of the endpoints that are configured (/hooks/wix
// with a Wix public key, /hooks/manychat with a secret).
func (a *App) openIntegrations(c *ent.Client, bookingSvc *bookings.Service, taskSvc *tasks.Service) ([]func(chi.Router), error) {
	ic := a.Config.Integrations
	var sender alert.Sender = alert.Outbox{}
	if ic.SlackWebhookURL != "" {
		sender = &alert.Slack{URL: ic.SlackWebhookURL, Client: &http.Client{Timeout: 10 * time.Second}}
	}
	a.Alerts = &alert.Service{Client: c, Sender: sender, Now: a.Now}
	a.Hooks.MaxAttempts = ic.WebhookMaxAttempts
	a.Hooks.Backoff = jobs.Backoff{Base: ic.WebhookRetryBase}
	a.Hooks.AlertAfter = ic.WebhookAlertAfter
	a.Hooks.Alerts = a.Alerts

	a.Wix = &wix.Service{Client: c, Contacts: a.Contacts, Bookings: bookingSvc, Tasks: taskSvc, Now: a.Now}
	if ic.WixAPIKey != "" {
		a.Wix.API = &wix.API{BaseURL: ic.WixAPIBaseURL, Key: ic.WixAPIKey, SiteID: ic.WixSiteID, Client: &http.Client{Timeout: 30 * time.Second}}
	}
	a.Wix.Register(a.Hooks)
	a.ManyChat = &manychat.Service{Client: c, Contacts: a.Contacts, Fields: ic.ManyChatFields}
	a.ManyChat.Register(a.Hooks)

	var routes []func(chi.Router)
	if len(ic.WixPublicKeyPEM) > 0 {
		key, err := wix.ParsePublicKey(ic.WixPublicKeyPEM)
		if err != nil {
			return nil, err
		}
		// Token times are checked against the wall clock, not the app's
		// business clock (which tests move): expiry is about the real time
		// the token travels in.
		h := &wix.Hook{Pipeline: a.Hooks, Client: c, LocationCode: ic.WixLocation, Verifier: &wix.Verifier{Key: key}}
		routes = append(routes, h.Routes)
	}
	mc := &manychat.Hook{Pipeline: a.Hooks, Client: c, Secret: ic.ManyChatSecret, Location: ic.ManyChatLocation, Secrets: ic.ManyChatSecrets}
	if mc.Enabled() {
		routes = append(routes, mc.Routes)
	}
	return routes, nil
}

// inboundSettings is what the admin page says about the integrations.
func (a *App) inboundSettings() graph.InboundSettings {
	ic := a.Config.Integrations
	base := a.Config.BaseURL
	return graph.InboundSettings{
		WixEnabled: len(ic.WixPublicKeyPEM) > 0, WixURL: base + "/hooks/wix", WixSyncEnabled: ic.WixAPIKey != "",
		ManyChatEnabled: ic.ManyChatSecret != "" || len(ic.ManyChatSecrets) > 0, ManyChatURL: base + "/hooks/manychat",
		SlackEnabled: ic.SlackWebhookURL != "",
	}
}
