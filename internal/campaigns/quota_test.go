package campaigns_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestDailyQuota_IsTheSendingAccounts: the daily quota belongs to the
// sending account, not the location. With a quota of 5, Parramatta sends 3;
// then Sydney's campaign to 4 (same account) sends 2 today, says in its
// status note (and on its page) that the rest continue on the following
// days, and its waiting jobs stop at the limit and say so.
func TestDailyQuota_IsTheSendingAccounts(t *testing.T) {
	smtpd, srv := smtpServer(t, testutil.ServerOptions{}, map[string]string{"AVATARCRM_EMAIL_DAILY_QUOTA": "5"})
	c := srv.App.Ent.Ent
	contacts := func(ctx context.Context, tag string, n int) {
		for i := range n {
			if _, err := c.Contact.Create().SetFirstName(fmt.Sprintf("Q%d", i)).SetLastName(tag).
				SetEmail(fmt.Sprintf("q%d.%s@example.com", i, tag)).SetEmailConsent(true).SetTags([]string{tag}).Save(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Parramatta: 3 sent through the account.
	par := testutil.As(t, c, "admin@example.com", "PAR")
	contacts(par, "q17par", 3)
	var parID pulid.ID
	if err := txn.Run(par, c, func(ctx context.Context, c *ent.Client) error {
		name, subj, body := "Parramatta news", "Hello {{.FirstName}}", "<p>News</p>"
		cp, err := srv.App.Campaigns.Create(ctx, c, campaigns.Input{Name: &name, Subject: &subj, HTMLBody: &body,
			Audience: &types.CampaignAudience{Tags: []string{"q17par"}}})
		if err != nil {
			return err
		}
		parID = cp.ID
		_, err = srv.App.Campaigns.Send(ctx, c, cp.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	waitSent(t, srv, string(parID))

	// Sydney, same account: 2 left today.
	manager := srv.SignIn(t, "admin@example.com")
	contacts(testutil.As(t, c, "admin@example.com"), "q17syd", 4)
	var cr struct{ CreateCampaign struct{ ID string } }
	srv.MustGraphQL(t, manager, createCampaign, map[string]any{"in": campaignInput("q17syd")}).Decode(t, &cr)
	id := cr.CreateCampaign.ID
	var sent struct{ SendCampaign struct{ StatusNote string } }
	srv.MustGraphQL(t, manager, `mutation($id: ID!) { sendCampaign(id: $id) { statusNote } }`, map[string]any{"id": id}).Decode(t, &sent)
	note := sent.SendCampaign.StatusNote
	if !strings.Contains(note, "so 2 go today") || !strings.Contains(note, "following days") || !strings.Contains(note, "every location") {
		t.Fatalf("status note %q: want 2 today (Parramatta used 3 of the account's 5) and the rest on the following days", note)
	}

	// The test clock stands still, so the later jobs come due at once and
	// meet the limit: they wait, and the note says so.
	sys := viewer.Operator.Grant(context.Background(), "test")
	deadline := time.Now().Add(settle)
	for {
		cp, err := c.Campaign.Get(sys, pulid.ID(id))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(cp.StatusNote, "daily limit:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no job met the daily limit after %s: %q", settle, cp.StatusNote)
		}
		time.Sleep(50 * time.Millisecond)
	}
	n, err := c.CampaignRecipient.Query().Where(campaignrecipient.CampaignID(pulid.ID(id)), campaignrecipient.StatusEQ(campaignrecipient.StatusSent)).Count(sys)
	if err != nil || n != 2 {
		t.Fatalf("Sydney sent %d (%v), want 2: the account's 5 less Parramatta's 3", n, err)
	}
	if got := len(smtpd.Mails()); got != 5 {
		t.Fatalf("the SMTP server got %d emails, want the quota's 5", got)
	}

	// The campaign page and the list say it.
	for u, want := range map[string]string{"/campaigns/" + id: "daily limit:", "/campaigns": "5 of 5 sent in the last 24 hours"} {
		res, err := manager.Get(srv.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not say %q", u, want)
		}
	}
}
