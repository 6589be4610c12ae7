package graph

import (
	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/leadform"
	"github.com/avatarimaging/avatarcrm/internal/webhooks"
)

func leadFormSettings(s leadform.Settings, err error) (*LeadFormSettings, error) {
	if err != nil {
		return nil, err
	}
	return &LeadFormSettings{URL: s.URL, Origins: s.Origins, DoubleOptIn: s.DoubleOptIn, Snippet: s.Snippet}, nil
}

func withSecret(sub *ent.WebhookSubscription, secret string, err error) (*WebhookSubscriptionWithSecret, error) {
	if err != nil {
		return nil, err
	}
	return &WebhookSubscriptionWithSecret{Subscription: sub, Secret: secret}, nil
}

func createWebhookInput(in CreateWebhookSubscriptionInput) webhooks.Input {
	return webhooks.Input{URL: &in.URL, Description: in.Description, EventTypes: in.EventTypes, Enabled: in.Enabled, IncludePII: in.IncludePii}
}

func updateWebhookInput(in UpdateWebhookSubscriptionInput) webhooks.Input {
	return webhooks.Input{URL: in.URL, Description: in.Description, EventTypes: in.EventTypes, Enabled: in.Enabled, IncludePII: in.IncludePii}
}
