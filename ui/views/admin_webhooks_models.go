package views

import (
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
)

// WebhooksPage is /admin/webhooks: the website lead form's settings, the
// outbound webhook subscriptions, the create form and the delivery log.
type WebhooksPage struct {
	LeadForm LeadFormView
	Subs     []*ent.WebhookSubscription
	// EventTypes are those a subscription may choose.
	EventTypes []string
	Form       WebhookForm
	Deliveries []WebhookDeliveryRow
	// NewSecret is shown once, after a create or a rotation.
	NewSecret, NewSecretFor string
	CanEdit                 bool
}

// LeadFormView is the lead form's section.
type LeadFormView struct {
	URL, Snippet string
	// Origins one a line, as the textarea shows them.
	Origins     string
	DoubleOptIn bool
	Errors      FieldErrors
}

// WebhookForm is the create form, kept on an error.
type WebhookForm struct {
	URL, Description string
	EventTypes       []string
	IncludePII       bool
	Errors           FieldErrors
}

// Chose reports whether the form has event type t ticked.
func (f WebhookForm) Chose(t string) bool {
	for _, x := range f.EventTypes {
		if x == t {
			return true
		}
	}
	return false
}

// WebhookDeliveryRow is one line of the delivery log.
type WebhookDeliveryRow struct {
	D   *ent.WebhookDelivery
	URL string
}

// Code is the response code as the log shows it.
func (r WebhookDeliveryRow) Code() string {
	if r.D.ResponseCode == nil {
		return "–"
	}
	return itoa(*r.D.ResponseCode)
}

// When is when the delivery was made, in UTC.
func (r WebhookDeliveryRow) When() string { return r.D.CreatedAt.UTC().Format(time.RFC3339) }
