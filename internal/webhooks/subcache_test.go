package webhooks

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// A location remembered with no subscription to a type skips the query;
// a write to any subscription makes it ask again.
func TestSubscriptionCache_WriteForgets(t *testing.T) {
	loc := pulid.ID("loc_subcache_test")
	if unsubscribed(loc, "contact.created") {
		t.Fatal("an unknown location must be asked")
	}
	remember(loc, subsGen.Load(), []*ent.WebhookSubscription{{EventTypes: []string{"booking.created"}}})
	if !unsubscribed(loc, "contact.created") {
		t.Fatal("a remembered location without the type should skip the query")
	}
	if unsubscribed(loc, "booking.created") {
		t.Fatal("a subscribed type must be asked")
	}
	InvalidateSubscriptions()
	if unsubscribed(loc, "contact.created") {
		t.Fatal("after a subscription write the location must be asked again")
	}
}
