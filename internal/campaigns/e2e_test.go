package campaigns_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/campaign"
	"github.com/avatarimaging/avatarcrm/ent/campaignevent"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
	"github.com/avatarimaging/avatarcrm/internal/email/emailtest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// settle bounds the waits for jobs: a guard against a hang, not a measure.
const settle = 60 * time.Second

// audience makes n contacts tagged tag at the admin's location: every
// tenth has no email marketing consent, every twenty-fifth no address, and
// the first is unsubscribed. It returns the addresses that may get mail.
func audience(t *testing.T, srv *testutil.Server, tag string, n int) (eligible map[string]bool, noConsent, noEmail int) {
	t.Helper()
	c := srv.App.Ent.Ent
	admin := testutil.As(t, c, "admin@example.com")
	eligible = map[string]bool{}
	var builders []*ent.ContactCreate
	for i := range n {
		b := c.Contact.Create().SetFirstName(fmt.Sprintf("Pat%03d", i)).SetLastName("Campaign").SetTags([]string{tag})
		addr := fmt.Sprintf("pat%03d.%s@example.com", i, tag)
		consent := i%10 != 3
		hasEmail := i%25 != 7
		if hasEmail {
			b.SetEmail(addr)
		}
		b.SetEmailConsent(consent)
		if i == 0 {
			b.SetEmailUnsubscribedAt(testutil.Now.Add(-24 * time.Hour))
		}
		switch {
		case !hasEmail:
			noEmail++
		case i == 0:
		case !consent:
			noConsent++
		default:
			eligible[addr] = true
		}
		builders = append(builders, b)
	}
	for from := 0; from < len(builders); from += 100 {
		if _, err := c.Contact.CreateBulk(builders[from:min(from+100, len(builders))]...).Save(admin); err != nil {
			t.Fatal(err)
		}
	}
	return eligible, noConsent, noEmail
}

// waitSent waits until the campaign is sent (no recipient queued).
func waitSent(t *testing.T, srv *testutil.Server, id string) *ent.Campaign {
	t.Helper()
	sys := viewer.Operator.Grant(context.Background(), "test")
	deadline := time.Now().Add(settle)
	for {
		cp, err := srv.App.Ent.Ent.Campaign.Get(sys, pulid.ID(id))
		if err != nil {
			t.Fatal(err)
		}
		if cp.Status == campaign.StatusSent || time.Now().After(deadline) {
			if cp.Status != campaign.StatusSent {
				t.Fatalf("campaign %s after %s: %s (%s)", id, settle, cp.Status, cp.StatusNote)
			}
			return cp
		}
		time.Sleep(50 * time.Millisecond)
	}
}

const createCampaign = `mutation($in: CampaignInput!) { createCampaign(input: $in) { id status links } }`

func campaignInput(tag string) map[string]any {
	return map[string]any{
		"name": "Win back " + tag, "goal": "win back lapsed patients",
		"audience": map[string]any{"tags": []string{tag}},
		"subject":  "{{.FirstName}}, it has been a while",
		"htmlBody": `<p>Hello {{.FirstName}},</p><p>Book your scan: <a href="https://avatarimaging.example/book">book now</a> or <a href="https://avatarimaging.example/mri">read about MRI</a>.</p><script>alert(1)</script>`,
	}
}

// smtpServer starts the whole server sending campaign email over SMTP to
// an in-process go-smtp server, as fast as it can unless env says
// otherwise; env adds to or overrides the settings.
func smtpServer(t *testing.T, opts testutil.ServerOptions, env map[string]string) (*emailtest.SMTP, *testutil.Server) {
	t.Helper()
	smtpd := emailtest.NewSMTP(t)
	opts.Env = map[string]string{
		"AVATARCRM_EMAIL_PROVIDER": "smtp",
		"AVATARCRM_EMAIL_FROM":     "hello@avatarimaging.example",
		"AVATARCRM_SMTP_HOST":      smtpd.Host,
		"AVATARCRM_SMTP_PORT":      fmt.Sprint(smtpd.Port),
		"AVATARCRM_SMTP_TLS":       "none",
		"AVATARCRM_EMAIL_RATE":     "1000000",
	}
	for k, v := range env {
		opts.Env[k] = v
	}
	return smtpd, testutil.StartServer(t, opts)
}

// TestEndToEnd_CampaignOverSMTP is issue 17's end-to-end path on a real
// SQLite file: 250 contacts (some without consent, some without an
// address, one unsubscribed) → the audience preview reports the excluded
// by reason → sendCampaign → an in-process SMTP server receives exactly
// one email per eligible contact, with a text and an HTML part, the
// RFC 8058 unsubscribe headers and the clinic's identity. Then the
// tracking links of one email, through the real HTTP handlers: the pixel,
// a click and the one-click unsubscribe update the analytics; a tampered
// token, a link index outside the campaign and a token for another
// campaign answer 404 and change nothing.
func TestEndToEnd_CampaignOverSMTP(t *testing.T) {
	smtpd, srv := smtpServer(t, testutil.ServerOptions{}, nil)
	manager := srv.SignIn(t, "admin@example.com")
	eligible, noConsent, noEmail := audience(t, srv, "e2e17", 250)

	var pv struct {
		AudiencePreview struct {
			Matched, Eligible int
			Excluded          []struct {
				Reason string
				Count  int
			}
		}
	}
	srv.MustGraphQL(t, manager, `query { audiencePreview(filter: {tags: ["e2e17"]}) { matched eligible excluded { reason count } } }`, nil).Decode(t, &pv)
	if pv.AudiencePreview.Matched != 250 || pv.AudiencePreview.Eligible != len(eligible) {
		t.Fatalf("audience: matched %d eligible %d, want 250 and %d", pv.AudiencePreview.Matched, pv.AudiencePreview.Eligible, len(eligible))
	}
	excluded := map[string]int{}
	for _, e := range pv.AudiencePreview.Excluded {
		excluded[e.Reason] = e.Count
	}
	if excluded["no_email"] != noEmail || excluded["unsubscribed"] != 1 || excluded["no_consent"] != noConsent {
		t.Fatalf("excluded %v, want no_email %d, unsubscribed 1, no_consent %d", excluded, noEmail, noConsent)
	}

	// A missing variable is an error at save, naming the field.
	bad := campaignInput("e2e17")
	bad["subject"] = "Hi {{.Firstname}}"
	if res := srv.GraphQL(t, manager, createCampaign, map[string]any{"in": bad}); res.FirstCode() != "INVALID" {
		t.Fatalf("a subject with an unknown variable: %+v, want INVALID", res)
	}

	var cr struct {
		CreateCampaign struct {
			ID    string
			Links []string
		}
	}
	srv.MustGraphQL(t, manager, createCampaign, map[string]any{"in": campaignInput("e2e17")}).Decode(t, &cr)
	id := cr.CreateCampaign.ID
	if len(cr.CreateCampaign.Links) != 2 {
		t.Fatalf("links %v, want the body's two", cr.CreateCampaign.Links)
	}
	srv.MustGraphQL(t, manager, `mutation($id: ID!) { sendCampaign(id: $id) { status } }`, map[string]any{"id": id})
	waitSent(t, srv, id)

	if p := smtpd.Problems(); len(p) > 0 {
		t.Fatalf("unparseable mail: %v", p)
	}
	got := map[string]int{}
	var one emailtest.Mail
	for _, m := range smtpd.Mails() {
		for _, to := range m.To {
			got[to]++
		}
		if len(m.To) != 1 {
			t.Errorf("one mail to %d recipients", len(m.To))
			continue
		}
		if !eligible[m.To[0]] {
			t.Errorf("mail to %s, who may not get it", m.To[0])
		}
		if strings.Join(m.Parts, ",") != "text/plain,text/html" {
			t.Errorf("%s: parts %v, want text and HTML", m.To[0], m.Parts)
		}
		lu := m.Header.Get("List-Unsubscribe")
		if !strings.HasPrefix(lu, "<"+srv.URL+"/u/") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: unsubscribe headers %q / %q", m.To[0], lu, m.Header.Get("List-Unsubscribe-Post"))
		}
		for _, part := range []string{m.Text, m.HTML} {
			if !strings.Contains(part, "Avatar Imaging") || !strings.Contains(part, "Unsubscribe") {
				t.Errorf("%s: a part without the clinic's identity or the unsubscribe link:\n%s", m.To[0], part)
			}
		}
		if strings.Contains(m.HTML, "<script") {
			t.Errorf("%s: the HTML was not sanitised", m.To[0])
		}
		if !strings.HasPrefix(m.Subject, "Pat") {
			t.Errorf("%s: subject %q not personalised", m.To[0], m.Subject)
		}
		one = m
	}
	for addr := range eligible {
		if got[addr] != 1 {
			t.Errorf("%s got %d emails, want exactly 1", addr, got[addr])
		}
	}
	if len(got) != len(eligible) {
		t.Fatalf("%d addresses got mail, want the %d eligible", len(got), len(eligible))
	}

	// Tracking through the real handlers.
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	pixel := regexp.MustCompile(`src="([^"]*/t/o/[^"]+)"`).FindStringSubmatch(one.HTML)
	clicks := regexp.MustCompile(`href="([^"]*/t/c/[^"]+)"`).FindAllStringSubmatch(one.HTML, -1)
	if pixel == nil || len(clicks) != 2 {
		t.Fatalf("the HTML has no pixel or not two tracked links:\n%s", one.HTML)
	}
	// status answers the response's code and, for a redirect, its
	// Location, else its body.
	status := func(method, u, body string) (int, string) {
		t.Helper()
		req, _ := newRequest(method, u, body)
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if loc := res.Header.Get("Location"); loc != "" {
			return res.StatusCode, loc
		}
		return res.StatusCode, string(b)
	}
	analytics := func() (opened, opens, clicked, unsub int, links []int) {
		var a struct {
			CampaignAnalytics struct {
				Stats struct{ Opened, Opens, Clicked, Unsubscribed int }
				Links []struct{ Clicks int }
			}
		}
		srv.MustGraphQL(t, manager, `query($id: ID!) { campaignAnalytics(id: $id) { stats { opened opens clicked unsubscribed } links { clicks } } }`, map[string]any{"id": id}).Decode(t, &a)
		s := a.CampaignAnalytics.Stats
		for _, l := range a.CampaignAnalytics.Links {
			links = append(links, l.Clicks)
		}
		return s.Opened, s.Opens, s.Clicked, s.Unsubscribed, links
	}
	if code, _ := status("GET", pixel[1], ""); code != 200 {
		t.Fatalf("pixel: %d", code)
	}
	status("GET", pixel[1], "")
	code, loc := status("GET", clicks[1][1], "")
	if code != 302 || loc != "https://avatarimaging.example/mri" {
		t.Fatalf("click: %d to %q, want 302 to the campaign's second link", code, loc)
	}
	if o, os, c, u, l := analytics(); o != 1 || os != 2 || c != 1 || u != 0 || fmt.Sprint(l) != "[0 1]" {
		t.Fatalf("after two opens and a click: opened %d opens %d clicked %d unsubscribed %d links %v", o, os, c, u, l)
	}

	// Bad tokens: 404, nothing changes.
	before := events(t, srv)
	tampered := clicks[0][1][:len(clicks[0][1])-3] + flip(clicks[0][1][len(clicks[0][1])-3:])
	r := recipientOf(t, srv, id, one.To[0])
	signer := srv.App.Campaigns.Signer
	outside := srv.URL + "/t/c/" + signer.Sign(campaigns.Token{Kind: campaigns.KindClick, Campaign: pulid.ID(id), Recipient: r.ID, Link: 2})
	var other struct{ CreateCampaign struct{ ID string } }
	srv.MustGraphQL(t, manager, createCampaign, map[string]any{"in": campaignInput("other17")}).Decode(t, &other)
	otherTok := srv.URL + "/t/o/" + signer.Sign(campaigns.Token{Kind: campaigns.KindOpen, Campaign: pulid.ID(other.CreateCampaign.ID), Recipient: r.ID})
	otherUnsub := srv.URL + "/u/" + signer.Sign(campaigns.Token{Kind: campaigns.KindUnsubscribe, Campaign: pulid.ID(other.CreateCampaign.ID), Recipient: r.ID})
	pixelAsClick := strings.Replace(pixel[1], "/t/o/", "/t/c/", 1)
	for name, u := range map[string]string{"tampered": tampered, "link outside the campaign": outside,
		"another campaign's token": otherTok, "an open token as a click": pixelAsClick} {
		if code, body := status("GET", u, ""); code != 404 {
			t.Errorf("%s: %d %s, want 404", name, code, body)
		}
	}
	if code, _ := status("POST", otherUnsub, "List-Unsubscribe=One-Click"); code != 404 {
		t.Errorf("another campaign's unsubscribe token: %d, want 404", code)
	}
	if after := events(t, srv); after != before {
		t.Fatalf("bad tokens changed the events: %d → %d", before, after)
	}

	// One-click unsubscribe (RFC 8058): a POST to the List-Unsubscribe URL.
	lu := strings.Trim(one.Header.Get("List-Unsubscribe"), "<>")
	if code, body := status("GET", lu, ""); code != 200 || !strings.Contains(body, "Avatar Imaging") {
		t.Fatalf("unsubscribe page: %d %s", code, body)
	}
	if code, body := status("POST", lu, "List-Unsubscribe=One-Click"); code != 200 || !strings.Contains(body, "unsubscribed") {
		t.Fatalf("one-click unsubscribe: %d %s", code, body)
	}
	if _, _, _, u, _ := analytics(); u != 1 {
		t.Fatalf("unsubscribed %d after the one-click POST, want 1", u)
	}
	sys := viewer.Operator.Grant(context.Background(), "test")
	ct, err := srv.App.Ent.Ent.Contact.Get(sys, r.ContactID)
	if err != nil || ct.EmailUnsubscribedAt == nil {
		t.Fatalf("the contact is not unsubscribed: %v", err)
	}
	var pv2 struct{ AudiencePreview struct{ Eligible int } }
	srv.MustGraphQL(t, manager, `query { audiencePreview(filter: {tags: ["e2e17"]}) { eligible } }`, nil).Decode(t, &pv2)
	if pv2.AudiencePreview.Eligible != len(eligible)-1 {
		t.Fatalf("after the unsubscribe %d eligible, want %d", pv2.AudiencePreview.Eligible, len(eligible)-1)
	}
}

func newRequest(method, u, body string) (*http.Request, error) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, err
}

func flip(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

func events(t *testing.T, srv *testutil.Server) int {
	t.Helper()
	n, err := srv.App.Ent.Ent.CampaignEvent.Query().Where(campaignevent.IDNEQ("")).Count(viewer.Operator.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func recipientOf(t *testing.T, srv *testutil.Server, id, addr string) *ent.CampaignRecipient {
	t.Helper()
	r, err := srv.App.Ent.Ent.CampaignRecipient.Query().
		Where(campaignrecipient.CampaignID(pulid.ID(id)), campaignrecipient.Address(addr)).
		Only(viewer.Operator.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEndToEnd_CampaignOverGmail sends a small campaign through a local
// fake of the Gmail API that checks the documented request (a bearer
// token from the refresh token, base64url RFC 2822 raw) and answers the
// first send 429: the campaign backs off and every eligible contact gets
// exactly one email.
func TestEndToEnd_CampaignOverGmail(t *testing.T) {
	gm := emailtest.NewGmail(t)
	gm.Fail429(1)
	creds := filepath.Join(t.TempDir(), "gmail.json")
	if err := os.WriteFile(creds, []byte(gm.CredentialsJSON()), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{
		"AVATARCRM_EMAIL_PROVIDER":         "gmail",
		"AVATARCRM_EMAIL_FROM":             "hello@avatarimaging.example",
		"AVATARCRM_GMAIL_CREDENTIALS_FILE": creds,
		"AVATARCRM_GMAIL_BASE_URL":         gm.URL,
		"AVATARCRM_EMAIL_RATE":             "1000000",
		"AVATARCRM_EMAIL_BACKOFF":          "50ms",
	}})
	manager := srv.SignIn(t, "admin@example.com")
	eligible, _, _ := audience(t, srv, "gm17", 12)
	var cr struct{ CreateCampaign struct{ ID string } }
	srv.MustGraphQL(t, manager, createCampaign, map[string]any{"in": campaignInput("gm17")}).Decode(t, &cr)
	srv.MustGraphQL(t, manager, `mutation($id: ID!) { sendCampaign(id: $id) { status } }`, map[string]any{"id": cr.CreateCampaign.ID})
	waitSent(t, srv, cr.CreateCampaign.ID)
	if p := gm.Problems(); len(p) > 0 {
		t.Fatalf("requests not in the Gmail API's format: %v", p)
	}
	if gm.Rejected() != 1 {
		t.Fatalf("the fake answered 429 %d times, want 1", gm.Rejected())
	}
	got := map[string]int{}
	for _, m := range gm.Mails() {
		addr, err := url.PathUnescape(strings.Trim(m.Header.Get("To"), "<> "))
		if err != nil {
			t.Fatal(err)
		}
		got[addr]++
		if m.Text == "" || m.HTML == "" || m.Header.Get("List-Unsubscribe-Post") == "" {
			t.Errorf("%s: text %d bytes, HTML %d bytes, one-click header %q", addr, len(m.Text), len(m.HTML), m.Header.Get("List-Unsubscribe-Post"))
		}
	}
	for addr := range eligible {
		if got[addr] != 1 {
			t.Errorf("%s got %d emails through Gmail, want exactly 1", addr, got[addr])
		}
	}
	if len(got) != len(eligible) {
		t.Fatalf("Gmail got mail for %d addresses, want %d: %v", len(got), len(eligible), got)
	}
}
