package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
	"github.com/avatarimaging/avatarcrm/internal/email/emailtest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// TestCrash_SIGKILLMidCampaign_EachRecipientOnce: a campaign to 2,000
// contacts is committed (recipient rows and send jobs) before any process
// works; the real program (`avatarcrm serve`, the gmail provider pointed
// at a local fake Gmail API that takes a few milliseconds a send) sends
// at a fast test rate and is killed with SIGKILL part-way; a second
// `serve` on the same SQLite file finishes. The fake must hold exactly one
// email per recipient. A send whose process died after Gmail accepted it
// is found in the mailbox by its Message-ID (AVATARCRM_GMAIL_FIND_SENT)
// instead of being sent again.
func TestCrash_SIGKILLMidCampaign_EachRecipientOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program twice and kills it")
	}
	gm := emailtest.NewGmail(t)
	gm.SetDelay(2 * time.Millisecond)
	creds := filepath.Join(t.TempDir(), "gmail.json")
	if err := os.WriteFile(creds, []byte(gm.CredentialsJSON()), 0o600); err != nil {
		t.Fatal(err)
	}
	path := testutil.DemoDBPath(t)
	env := map[string]string{
		"AVATARCRM_DATABASE_URL":           "sqlite:" + path,
		"AVATARCRM_AUDIT_KEY_FILE":         testutil.AuditKeyFile(t),
		"AVATARCRM_ADDR":                   "127.0.0.1:0",
		"AVATARCRM_DEV":                    "false",
		"AVATARCRM_SEED_DEMO":              "false",
		"AVATARCRM_JOBS_WORKERS":           "4",
		"AVATARCRM_JOBS_TIMEOUT":           "2s",
		"AVATARCRM_JOBS_RESCUE_AFTER":      "3s",
		"AVATARCRM_SCHEDULES":              "false",
		"AVATARCRM_LOG_LEVEL":              "warn",
		"AVATARCRM_EMAIL_PROVIDER":         "gmail",
		"AVATARCRM_EMAIL_FROM":             "hello@avatarimaging.example",
		"AVATARCRM_GMAIL_CREDENTIALS_FILE": creds,
		"AVATARCRM_GMAIL_BASE_URL":         gm.URL,
		"AVATARCRM_GMAIL_FIND_SENT":        "true",
		"AVATARCRM_EMAIL_RATE":             "1000000",
		"AVATARCRM_EMAIL_DAILY_QUOTA":      "0",
		testNowEnv:                         testutil.Now.Format(time.RFC3339),
	}

	a, closeApp := openInserter(t, env, testutil.Now)
	admin := testutil.As(t, a.Ent.Ent, "admin@example.com")
	const n = 2000
	var builders []*ent.ContactCreate
	for i := range n {
		builders = append(builders, a.Ent.Ent.Contact.Create().SetFirstName(fmt.Sprintf("Crash%04d", i)).
			SetEmail(fmt.Sprintf("crash%04d@example.com", i)).SetEmailConsent(true).SetTags([]string{"crash17"}))
	}
	for from := 0; from < n; from += 250 {
		if _, err := a.Ent.Ent.Contact.CreateBulk(builders[from : from+250]...).Save(admin); err != nil {
			t.Fatal(err)
		}
	}
	name, subject, body := "Crash test", "Hello {{.FirstName}}", "<p>Hello {{.FirstName}}</p>"
	cp, err := a.Campaigns.Create(admin, a.Ent.Ent, campaigns.Input{Name: &name, Subject: &subject, HTMLBody: &body,
		Audience: &types.CampaignAudience{Tags: []string{"crash17"}}})
	if err != nil {
		t.Fatal(err)
	}
	if cp, err = a.Campaigns.Send(admin, a.Ent.Ent, cp.ID); err != nil || cp.RecipientCount != n {
		t.Fatalf("send: %v (%d recipients)", err, cp.RecipientCount)
	}
	closeApp()

	conn, err := sql.Open("sqlite3_utc", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	first := startChild(t, pairs(env), "serve")
	deadline := time.Now().Add(120 * time.Second)
	for len(gm.Mails()) < n/3 {
		if time.Now().After(deadline) || first.cmd.ProcessState != nil {
			t.Fatalf("Gmail got %d emails in 120 s; output:\n%s", len(gm.Mails()), first.out)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	atKill := len(gm.Mails())
	if atKill >= n {
		t.Fatalf("every email was sent before the kill; the test proves nothing")
	}

	second := startChild(t, pairs(env), "serve")
	deadline = time.Now().Add(180 * time.Second)
	for {
		var status string
		var queued, pending int
		if err := conn.QueryRow(`SELECT status FROM campaigns WHERE id = ?`, string(cp.ID)).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(`SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND status = 'queued'`, string(cp.ID)).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'campaign.send' AND state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if status == "sent" && queued == 0 && pending == 0 {
			break
		}
		if time.Now().After(deadline) || second.cmd.ProcessState != nil {
			t.Fatalf("after the restart: campaign %s, %d queued, %d jobs left; output:\n%s", status, queued, pending, second.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = second.cmd.Process.Signal(syscall.SIGTERM)
	_ = second.cmd.Wait()

	if p := gm.Problems(); len(p) > 0 {
		t.Fatalf("requests not in the Gmail API's format: %v", p[:min(len(p), 5)])
	}
	per := map[string]int{}
	for _, m := range gm.Mails() {
		per[m.Header.Get("To")]++
	}
	for i := range n {
		addr := fmt.Sprintf("<crash%04d@example.com>", i)
		if per[addr] != 1 {
			t.Errorf("%s got %d emails, want exactly 1", addr, per[addr])
		}
	}
	var sent int
	if err := conn.QueryRow(`SELECT count(*) FROM campaign_recipients WHERE campaign_id = ? AND status = 'sent'`, string(cp.ID)).Scan(&sent); err != nil {
		t.Fatal(err)
	}
	if sent != n || len(gm.Mails()) != n {
		t.Fatalf("%d recorded sent and %d at Gmail, want %d", sent, len(gm.Mails()), n)
	}
	t.Logf("killed serve with %d of %d emails at Gmail; the restart finished the rest", atKill, n)
}

var _ = context.Background
