package campaigns_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// BenchmarkSend10k renders and enqueues a campaign to 10,000 contacts:
// sendCampaign's fan-out (the audience query, 10,000 recipient rows and
// 10,000 unique send jobs in one transaction), then every recipient's
// email rendered with tracking (what the send jobs do before calling the
// provider). The target: under 5 s on this machine. Run with
// -benchtime=1x; the 10,000 contacts are made before the timer starts.
func BenchmarkSend10k(b *testing.B) {
	srv := testutil.StartServer(b, testutil.ServerOptions{Env: map[string]string{
		"AVATARCRM_EMAIL_FROM": "hello@avatarimaging.example", "AVATARCRM_JOBS_WORKERS": "0"}})
	a := srv.App
	admin := testutil.As(b, a.Ent.Ent, "admin@example.com")
	const n = 10_000
	for from := 0; from < n; from += 500 {
		var bs []*ent.ContactCreate
		for i := from; i < from+500; i++ {
			bs = append(bs, a.Ent.Ent.Contact.Create().SetFirstName(fmt.Sprintf("Bench%05d", i)).
				SetEmail(fmt.Sprintf("bench%05d@example.com", i)).SetEmailConsent(true).SetTags([]string{"bench17"}))
		}
		if _, err := a.Ent.Ent.Contact.CreateBulk(bs...).Save(admin); err != nil {
			b.Fatal(err)
		}
	}
	name, subject := "Bench", "Hello {{.FirstName}}"
	body := `<p>Hello {{.FirstName}},</p><p><a href="https://avatarimaging.example/book">Book</a> · <a href="https://avatarimaging.example/mri">MRI</a></p>`
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		nm := fmt.Sprintf("%s %d", name, i)
		cp, err := a.Campaigns.Create(admin, a.Ent.Ent, campaigns.Input{Name: &nm, Subject: &subject, HTMLBody: &body,
			Audience: &types.CampaignAudience{Tags: []string{"bench17"}}})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if cp, err = a.Campaigns.Send(admin, a.Ent.Ent, cp.ID); err != nil || cp.RecipientCount != n {
			b.Fatalf("send: %v (%d recipients)", err, cp.RecipientCount)
		}
		enqueued := time.Since(start)
		rendered, err := a.Campaigns.RenderAll(admin, a.Ent.Ent, cp.ID)
		if err != nil || rendered != n {
			b.Fatalf("render: %v (%d)", err, rendered)
		}
		b.ReportMetric(enqueued.Seconds(), "enqueue-s")
		b.ReportMetric(time.Since(start).Seconds(), "render+enqueue-s")
	}
}

var _ = context.Background
