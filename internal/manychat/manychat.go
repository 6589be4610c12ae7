// Package manychat takes ManyChat's "External Request" at /hooks/manychat:
// the clinic's flow posts the subscriber as JSON with a shared secret in
// the Authorization header (ManyChat signs nothing and never retries).
// The subscriber becomes a contact, created or updated (lead source
// manychat, consents as given, custom fields mapped to contact fields by
// AVATARCRM_MANYCHAT_FIELDS), by a job of the webhook pipeline
// (docs/INTEGRATIONS.md, "ManyChat"). The subscriber itself is read by
// internal/manychat/mcwire.
package manychat

// Source and Kind of stored ManyChat events.
const (
	Source         = "manychat"
	KindSubscriber = "subscriber"
)

// MaxBody bounds a request: a subscriber is a few kilobytes.
const MaxBody = 64 << 10
