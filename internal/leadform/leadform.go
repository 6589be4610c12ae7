// Package leadform is the clinic website's lead form at
// /hooks/lead/{locationKey}: a public, per-location key (shown on the
// admin page with a copy-paste HTML snippet, rotatable), a form post or a
// JSON body, a honeypot field, a per-IP rate limit, CORS for the
// location's configured origins only, and optional double opt-in by email
// for marketing consent. A valid submission is stored as a webhook event
// and acknowledged (internal/hooks); its job creates the contact through
// the contacts service (duplicate detection, enrichment, contact.created,
// and so the welcome rule's SMS). The form's fields are read and checked
// by internal/leadform/formwire.
package leadform
