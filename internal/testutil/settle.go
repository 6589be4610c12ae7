package testutil

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// SettleMessages waits until no job is waiting or running and none of the
// contact's messages is still queued for its send job. Automation sends a new contact's welcome SMS and a
// booking's confirmation in the background, and each one sent adds a
// touchpoint; a test that counts touchpoints waits for them first, so the
// count does not change under it.
func (s *Server) SettleMessages(tb testing.TB, contactID string) {
	tb.Helper()
	ctx := viewer.Operator.Grant(context.Background(), "test-settle")
	deadline := time.Now().Add(30 * time.Second)
	for {
		busy, err := s.App.Jobs.River().JobList(ctx, river.NewJobListParams().
			States(rivertype.JobStateAvailable, rivertype.JobStateRunning).First(1))
		if err != nil {
			tb.Fatalf("settle messages: %v", err)
		}
		n, err := s.App.Ent.Ent.Message.Query().
			Where(message.ContactID(pulid.ID(contactID)), message.StatusEQ(message.StatusQueued)).Count(ctx)
		if err != nil {
			tb.Fatalf("settle messages: %v", err)
		}
		if n == 0 && len(busy.Jobs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("settle messages: %d of contact %s still queued after 30 s", n, contactID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
