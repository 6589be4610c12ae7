// Package wix connects Wix Bookings: its webhooks at /hooks/wix (a JWT
// signed RS256 with the Wix app's key, verified here), the processing of
// booking events into contacts and bookings through the contacts and
// bookings services, the mapping of Wix service ids to the location's
// services, and the manual sync from the Wix Bookings API
// (docs/INTEGRATIONS.md, "Wix Bookings"). The events and bookings
// themselves are read by internal/wix/wixwire.
package wix

// Source is the webhook source name; KindBooking the one kind of event
// stored (the Wix event type says which).
const (
	Source      = "wix"
	KindBooking = "booking"
)
