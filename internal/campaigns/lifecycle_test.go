package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/campaign"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestScheduledCampaign_StartsAtItsTime_PauseResumeCancel runs on the
// wall clock: a campaign scheduled two seconds ahead stays scheduled until
// then and is sent by its start job; one cancelled before its time sends
// nothing; one paused mid-send stops, and resumed sends the rest, each exactly once.
func TestScheduledCampaign_StartsAtItsTime_PauseResumeCancel(t *testing.T) {
	smtpd, srv := smtpServer(t, testutil.ServerOptions{Now: func() time.Time { return time.Now().UTC() }},
		map[string]string{"AVATARCRM_EMAIL_RATE": "120"}) // one every 0.5 s: a pause lands mid-send
	manager := srv.SignIn(t, "admin@example.com")
	eligible, _, _ := audience(t, srv, "sched17", 20)
	sys := viewer.Operator.Grant(context.Background(), "test")
	status := func(id string) campaign.Status {
		t.Helper()
		cp, err := srv.App.Ent.Ent.Campaign.Get(sys, pulid.ID(id))
		if err != nil {
			t.Fatal(err)
		}
		return cp.Status
	}
	create := func(name string) string {
		t.Helper()
		in := campaignInput("sched17")
		in["name"] = name
		var cr struct{ CreateCampaign struct{ ID string } }
		srv.MustGraphQL(t, manager, createCampaign, map[string]any{"in": in}).Decode(t, &cr)
		return cr.CreateCampaign.ID
	}
	const schedule = `mutation($id: ID!, $at: Time) { scheduleCampaign(id: $id, at: $at) { status } }`

	// Scheduled two seconds ahead: nothing leaves before, all of it after.
	first := create("Scheduled")
	at := time.Now().UTC().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	srv.MustGraphQL(t, manager, schedule, map[string]any{"id": first, "at": at.Format(time.RFC3339)})
	if s := status(first); s != campaign.StatusScheduled {
		t.Fatalf("after scheduleCampaign: %s", s)
	}
	if n := len(smtpd.Mails()); n != 0 {
		t.Fatalf("%d emails left before the scheduled time", n)
	}
	waitSent(t, srv, first)
	if time.Now().Before(at) {
		t.Fatalf("the campaign was sent before its time %s", at)
	}
	if n := len(smtpd.Mails()); n != len(eligible) {
		t.Fatalf("the scheduled campaign sent %d emails, want %d", n, len(eligible))
	}

	// Cancelled before its time: its start job finds it cancelled.
	second := create("Cancelled")
	at2 := time.Now().UTC().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	srv.MustGraphQL(t, manager, schedule, map[string]any{"id": second, "at": at2.Format(time.RFC3339)})
	srv.MustGraphQL(t, manager, `mutation($id: ID!) { cancelCampaign(id: $id) { status } }`, map[string]any{"id": second})
	time.Sleep(time.Until(at2) + 2*time.Second)
	if s := status(second); s != campaign.StatusCancelled {
		t.Fatalf("the cancelled campaign is %s", s)
	}
	n, err := srv.App.Ent.Ent.CampaignRecipient.Query().Where(campaignrecipient.CampaignID(pulid.ID(second)), campaignrecipient.StatusEQ(campaignrecipient.StatusSent)).Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 || len(smtpd.Mails()) != len(eligible) {
		t.Fatalf("after a cancel before its time: %d recipients sent, %d emails in all (want 0 and %d)", n, len(smtpd.Mails()), len(eligible))
	}

	// Paused while sending, then resumed: the rest go out, each once.
	third := create("Paused")
	srv.MustGraphQL(t, manager, `mutation($id: ID!) { sendCampaign(id: $id) { status } }`, map[string]any{"id": third})
	srv.MustGraphQL(t, manager, `mutation($id: ID!) { pauseCampaign(id: $id) { status } }`, map[string]any{"id": third})
	if s := status(third); s != campaign.StatusPaused {
		t.Fatalf("after pauseCampaign: %s", s)
	}
	time.Sleep(1500 * time.Millisecond) // sends in flight finish; no more may start
	sentWhilePaused := len(smtpd.Mails())
	time.Sleep(1500 * time.Millisecond)
	if n := len(smtpd.Mails()); n != sentWhilePaused || n >= 2*len(eligible) {
		t.Fatalf("a paused campaign went on sending: %d then %d emails in all (%d eligible)", sentWhilePaused, n, len(eligible))
	}
	srv.MustGraphQL(t, manager, `mutation($id: ID!) { resumeCampaign(id: $id) { status } }`, map[string]any{"id": third})
	waitSent(t, srv, third)
	per := map[string]int{}
	for _, m := range smtpd.Mails() {
		per[m.Header.Get("To")]++
	}
	for to, n := range per {
		if n != 2 {
			t.Errorf("%s got %d emails from the two sent campaigns, want 2", to, n)
		}
	}
	if len(per) != len(eligible) {
		t.Fatalf("%d addresses got mail, want %d", len(per), len(eligible))
	}
}
