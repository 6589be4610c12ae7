package campaigns_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/campaignrecipient"
	"github.com/avatarimaging/avatarcrm/internal/email/emailtest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// TestTimeline_CampaignEngagementThroughTheHandlers sends a campaign over
// SMTP to three contacts (the server answers 550 at RCPT TO for one),
// then drives the real tracking handlers: one reader loads the pixel
// three times, clicks a link twice and unsubscribes with one click;
// another only loads the pixel. The contacts' timelines, through GraphQL
// and on the contact page, show the email sent, ONE open however many
// pixel loads, each click, the unsubscribe and the bounce; the bounced
// address is excluded from the next audience with reason bounced; the
// clicks count once a day towards warmness and the opens not at all; each
// email's Message-ID is derived from its recipient (campaign × contact).
func TestTimeline_CampaignEngagementThroughTheHandlers(t *testing.T) {
	smtpd, srv := smtpServer(t, testutil.ServerOptions{}, nil)
	manager := srv.SignIn(t, "admin@example.com")
	c := srv.App.Ent.Ent
	admin := testutil.As(t, c, "admin@example.com")
	mk := func(first string) *ent.Contact {
		ct, err := c.Contact.Create().SetFirstName(first).SetLastName("Timeline").SetEmail(strings.ToLower(first) + ".tl17@example.com").
			SetEmailConsent(true).SetTags([]string{"tl17"}).Save(admin)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	reader, bouncer, opener := mk("Reader"), mk("Bouncer"), mk("Opener")
	smtpd.Refuse(*bouncer.Email)

	var cr struct{ CreateCampaign struct{ ID string } }
	srv.MustGraphQL(t, manager, createCampaign, map[string]any{"in": campaignInput("tl17")}).Decode(t, &cr)
	id := cr.CreateCampaign.ID
	srv.MustGraphQL(t, manager, `mutation($id: ID!) { sendCampaign(id: $id) { status } }`, map[string]any{"id": id})
	waitSent(t, srv, id)

	mails := map[string]emailtest.Mail{}
	for _, m := range smtpd.Mails() {
		mails[m.To[0]] = m
	}
	if len(mails) != 2 {
		t.Fatalf("%d emails delivered, want 2 (the third address is refused)", len(mails))
	}
	for _, ct := range []*ent.Contact{reader, opener} {
		r := recipientOf(t, srv, id, *ct.Email)
		want := "<" + strings.ToLower(string(r.ID)) + "@avatarimaging.example>"
		if got := mails[*ct.Email].Header.Get("Message-Id"); got != want {
			t.Errorf("%s: Message-ID %q, want %q (from the recipient row, the same on every attempt)", *ct.Email, got, want)
		}
	}
	if r := recipientOf(t, srv, id, *bouncer.Email); r.Status != campaignrecipient.StatusBounced {
		t.Fatalf("the refused recipient is %s (%s), want bounced", r.Status, r.Reason)
	}

	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	hit := func(method, u, body string) int {
		t.Helper()
		req, _ := newRequest(method, u, body)
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	pixelOf := func(m emailtest.Mail) string {
		p := regexp.MustCompile(`src="([^"]*/t/o/[^"]+)"`).FindStringSubmatch(m.HTML)
		if p == nil {
			t.Fatalf("no pixel in %s's email", m.To[0])
		}
		return p[1]
	}
	rm := mails[*reader.Email]
	click := regexp.MustCompile(`href="([^"]*/t/c/[^"]+)"`).FindStringSubmatch(rm.HTML)[1]
	for range 3 {
		if code := hit("GET", pixelOf(rm), ""); code != 200 {
			t.Fatalf("pixel: %d", code)
		}
		hit("GET", pixelOf(mails[*opener.Email]), "")
	}
	for range 2 {
		if code := hit("GET", click, ""); code != 302 {
			t.Fatalf("click: %d", code)
		}
	}
	if code := hit("POST", strings.Trim(rm.Header.Get("List-Unsubscribe"), "<>"), "List-Unsubscribe=One-Click"); code != 200 {
		t.Fatalf("one-click unsubscribe: %d", code)
	}

	timeline := func(ct *ent.Contact) (map[string]int, map[string]string) {
		var tl struct {
			ContactTimeline []struct{ Kind, Summary string }
		}
		srv.MustGraphQL(t, manager, `query($id: ID!) { contactTimeline(id: $id, first: 200) { kind summary } }`,
			map[string]any{"id": ct.ID}).Decode(t, &tl)
		n, sum := map[string]int{}, map[string]string{}
		for _, it := range tl.ContactTimeline {
			if strings.HasPrefix(it.Kind, "email_") {
				n[it.Kind]++
				sum[it.Kind] = it.Summary
			}
		}
		return n, sum
	}
	n, sum := timeline(reader)
	if fmt.Sprint(n) != "map[email_click:2 email_open:1 email_out:1 email_unsub:1]" {
		t.Fatalf("the reader's timeline: %v, want the email, one open, two clicks and the unsubscribe", n)
	}
	if !strings.Contains(sum["email_click"], "https://avatarimaging.example/book") || !strings.Contains(sum["email_open"], "Win back tl17") ||
		!strings.Contains(sum["email_unsub"], "one-click") {
		t.Errorf("summaries: %v", sum)
	}
	if n, _ := timeline(opener); fmt.Sprint(n) != "map[email_open:1 email_out:1]" {
		t.Fatalf("the opener's timeline after three pixel loads: %v, want the email and one open", n)
	}
	n, sum = timeline(bouncer)
	if fmt.Sprint(n) != "map[email_bounce:1]" || !strings.Contains(sum["email_bounce"], "550") {
		t.Fatalf("the bounced contact's timeline: %v %v, want one bounce naming the 550", n, sum)
	}

	// The unsubscribe withdrew the consent, and staff cannot tick it back
	// on: not through GraphQL (CONSENT_WITHDRAWN), not on the edit form.
	sysc := viewer.Operator.Grant(context.Background(), "test")
	if ct, err := c.Contact.Get(sysc, reader.ID); err != nil || ct.EmailConsent || ct.EmailUnsubscribedAt == nil {
		t.Fatalf("after the unsubscribe: consent %v, unsubscribed %v (%v)", ct.EmailConsent, ct.EmailUnsubscribedAt, err)
	}
	res := srv.GraphQL(t, manager, `mutation($id: ID!) { updateContact(id: $id, input: {emailConsent: true}) { emailConsent } }`,
		map[string]any{"id": reader.ID})
	if res.FirstCode() != "CONSENT_WITHDRAWN" {
		t.Fatalf("updateContact(emailConsent: true) after an unsubscribe: %+v, want CONSENT_WITHDRAWN", res)
	}
	form := url.Values{"first_name": {"Reader"}, "last_name": {"Timeline"}, "email": {*reader.Email},
		"lead_source": {string(reader.LeadSource)}, "email_consent": {"yes"}, "tags": {"tl17"}}
	fres, err := manager.PostForm(srv.URL+"/contacts/"+string(reader.ID)+"/edit", form)
	if err != nil {
		t.Fatal(err)
	}
	fbody, _ := io.ReadAll(fres.Body)
	fres.Body.Close()
	if fres.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(fbody), "Under the Spam Act only they can opt in again") {
		t.Fatalf("the edit form ticking email consent after an unsubscribe: %d, want 422 with the reason", fres.StatusCode)
	}
	if ct, _ := c.Contact.Get(sysc, reader.ID); ct.EmailConsent {
		t.Fatal("the consent was turned back on")
	}
	// Other edits still save (the consent stays off).
	form.Del("email_consent")
	form.Set("notes", "called about results")
	if fres, err := manager.PostForm(srv.URL+"/contacts/"+string(reader.ID)+"/edit", form); err != nil || fres.StatusCode >= 400 {
		t.Fatalf("an edit leaving the consent off: %v %v", fres.Status, err)
	}

	// Staff cannot write the engine's kinds by hand.
	if res := srv.GraphQL(t, manager, `mutation($id: ID!) { createTouchpoint(input: {kind: email_open, summary: "Opened", contactID: $id}) { id } }`,
		map[string]any{"id": opener.ID}); res.FirstCode() != "INVALID" {
		t.Fatalf("createTouchpoint(kind: email_open): %+v, want INVALID", res)
	}

	// The contact page shows them too.
	pres, err := manager.Get(srv.URL + "/contacts/" + string(reader.ID))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(pres.Body)
	pres.Body.Close()
	for _, want := range []string{`data-kind="email_open"`, `data-kind="email_click"`, `data-kind="email_unsub"`, "Opened a campaign email", "Clicked a campaign link", `data-testid="contact-email-unsubscribed"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the contact page has no %q", want)
		}
	}

	// The bounced address is excluded from the next audience.
	var pv struct {
		AudiencePreview struct {
			Eligible int
			Excluded []struct {
				Reason string
				Count  int
			}
		}
	}
	srv.MustGraphQL(t, manager, `query { audiencePreview(filter: {tags: ["tl17"]}) { eligible excluded { reason count } } }`, nil).Decode(t, &pv)
	excluded := map[string]int{}
	for _, e := range pv.AudiencePreview.Excluded {
		excluded[e.Reason] = e.Count
	}
	if pv.AudiencePreview.Eligible != 1 || excluded["bounced"] != 1 || excluded["unsubscribed"] != 1 {
		t.Fatalf("next audience: eligible %d, excluded %v; want the opener only, bounced 1, unsubscribed 1", pv.AudiencePreview.Eligible, excluded)
	}

	// Warmness: two clicks on one day are one contact from the reader;
	// the opener's three pixel loads are none.
	sys := viewer.Operator.Grant(context.Background(), "test")
	facts := func(ct *ent.Contact) warmness.Facts {
		ct, err := c.Contact.Get(sys, ct.ID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := warmness.LoadFacts(sys, c, ct, testutil.Now)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if f := facts(reader); f.LastTouch == nil || f.Touches30 != 1 || f.Replies90 != 0 {
		t.Errorf("the reader's facts: last %v, touches %d, replies %d; want the click once, no reply", f.LastTouch, f.Touches30, f.Replies90)
	}
	if f := facts(opener); f.LastTouch != nil || f.Touches30 != 0 {
		t.Errorf("the opener's facts: last %v, touches %d; opens must not count", f.LastTouch, f.Touches30)
	}
}
