package campaigns

import (
	"testing"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// TestMessageID_StablePerRecipient: a recipient's Message-ID depends only
// on the recipient row (unique per campaign × contact) and the sender's
// domain, so every attempt — a retry after a crash included — carries the
// same one, and two recipients never share one.
func TestMessageID_StablePerRecipient(t *testing.T) {
	a, b := pulid.ID("CR_01JABCDEF"), pulid.ID("CR_01JABCDEG")
	if messageID(a, "hello@Clinic.example") != messageID(a, "hello@Clinic.example") {
		t.Fatal("two attempts for one recipient got different Message-IDs")
	}
	if got := messageID(a, "hello@clinic.example"); got != "cr_01jabcdef@clinic.example" {
		t.Fatalf("Message-ID %q, want the recipient's ID at the sender's domain", got)
	}
	if messageID(a, "hello@clinic.example") == messageID(b, "hello@clinic.example") {
		t.Fatal("two recipients share a Message-ID")
	}
	if got := messageID(a, "no-domain"); got != "cr_01jabcdef@avatarcrm.local" {
		t.Fatalf("without a sender domain: %q", got)
	}
}
