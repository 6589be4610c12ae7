package leadform_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/internal/messaging/clicksendtest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// settle bounds the waits for River: a guard against a hang, not a speed.
const settle = 30 * time.Second

const origin = "https://clinic.example"

type world struct {
	srv   *testutil.Server
	fake  *clicksendtest.Server
	admin *http.Client
	form  string // the form's URL
	c     *ent.Client
	sys   context.Context
}

func newWorld(tb testing.TB, rate string) *world {
	fake := clicksendtest.New(tb)
	srv := testutil.StartServer(tb, testutil.ServerOptions{Env: map[string]string{
		"AVATARCRM_SMS_PROVIDER":       "clicksend",
		"AVATARCRM_CLICKSEND_BASE_URL": fake.URL,
		"AVATARCRM_CLICKSEND_USERNAME": clicksendtest.Username,
		"AVATARCRM_CLICKSEND_API_KEY":  clicksendtest.APIKey,
		"AVATARCRM_CLICKSEND_RATE":     "1000",
		"AVATARCRM_RATE_LEAD_FORM":     rate,
	}})
	w := &world{srv: srv, fake: fake, admin: srv.SignIn(tb, "admin@example.com"), c: srv.App.Ent.Ent,
		sys: viewer.Operator.Grant(context.Background(), "leadform-test")}
	var st struct{ UpdateLeadFormSettings struct{ URL string } }
	srv.MustGraphQL(tb, w.admin, `mutation($o: [String!]) { updateLeadFormSettings(origins: $o, doubleOptIn: true) { url } }`,
		map[string]any{"o": []string{origin + "/"}}).Decode(tb, &st)
	w.form = st.UpdateLeadFormSettings.URL
	if !strings.Contains(w.form, "/hooks/lead/") {
		tb.Fatalf("form URL %q", w.form)
	}
	return w
}

func (w *world) post(tb testing.TB, ct, body string, header map[string]string) *http.Response {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, w.form, strings.NewReader(body))
	req.Header.Set("Content-Type", ct)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// sentTo waits until the fake ClickSend holds a message to phone.
func (w *world) sentTo(tb testing.TB, phone string) clicksendtest.Message {
	tb.Helper()
	deadline := time.Now().Add(settle)
	for {
		for _, m := range w.fake.Messages() {
			if m.To == phone {
				return m
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no SMS to %s", phone)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (w *world) contactByPhone(tb testing.TB, phone string) *ent.Contact {
	tb.Helper()
	ct, err := w.c.Contact.Query().Where(contact.Phone(phone)).Only(w.sys)
	if err != nil {
		tb.Fatalf("contact %s: %v", phone, err)
	}
	return ct
}

// TestLeadForm: the website form end to end — CORS for the configured
// origin only (preflight too), the honeypot, a lead that becomes a contact
// with its source and campaign and gets the welcome SMS, double opt-in by
// an email in the outbox, a duplicate, bad input, and the rate limit.
func TestLeadForm(t *testing.T) {
	w := newWorld(t, "12/1m") // the rate-limit step below counts on 12
	posts := 0

	// Preflight: the configured origin gets CORS, another does not.
	pre := func(o string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, w.form, nil)
		req.Header.Set("Origin", o)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := w.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp
	}
	if r := pre(origin); r.StatusCode != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != origin ||
		!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Errorf("preflight from %s: %d %v", origin, r.StatusCode, r.Header)
	}
	if r := pre("https://evil.example"); r.StatusCode != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", r.StatusCode, r.Header)
	}
	posts += 2

	// A post from another site is refused and stores nothing.
	r := w.post(t, "application/json", `{"name":"Eve Il","phone":"0491 570 200"}`, map[string]string{"Origin": "https://evil.example"})
	posts++
	if r.StatusCode != http.StatusForbidden || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("post from another origin: %d", r.StatusCode)
	}

	// The honeypot: a success to the bot, nothing stored.
	r = w.post(t, "application/x-www-form-urlencoded", url.Values{"name": {"Bot"}, "phone": {"0491 570 201"}, "website": {"http://spam.example"}}.Encode(), nil)
	posts++
	if r.StatusCode != http.StatusOK {
		t.Errorf("honeypot: %d", r.StatusCode)
	}

	// A lead from the site's script: 202 with CORS; the contact, its
	// source and campaign; the welcome SMS; the double opt-in email.
	body := `{"first_name":"Lena","last_name":"Lead","phone":"0491 570 202","email":"Lena@Example.com","message":"Do you do knee MRI?","marketing_consent":true,"utm_source":"google","utm_campaign":"knee-mri"}`
	r = w.post(t, "application/json", body, map[string]string{"Origin": origin})
	posts++
	if r.StatusCode != http.StatusAccepted || r.Header.Get("Access-Control-Allow-Origin") != origin {
		b, _ := io.ReadAll(r.Body)
		t.Fatalf("lead: %d %s %v", r.StatusCode, b, r.Header)
	}
	sms := w.sentTo(t, "+61491570202")
	if !strings.Contains(sms.Body, "Lena") {
		t.Errorf("welcome SMS %q", sms.Body)
	}
	ct := w.contactByPhone(t, "+61491570202")
	if ct.LeadSource != contact.LeadSourceWebsite || ct.UtmSource == nil || *ct.UtmSource != "google" || ct.UtmCampaign == nil || *ct.UtmCampaign != "knee-mri" || ct.Campaign == nil || *ct.Campaign != "knee-mri" ||
		ct.Email == nil || *ct.Email != "lena@example.com" || ct.EmailConsent {
		t.Errorf("contact %+v", ct)
	}
	if ct.LeadIntent == nil && ct.Enrichment == nil {
		t.Error("the contact was not enriched from its message")
	}
	if n, _ := w.c.Contact.Query().Where(contact.Phone("+61491570201")).Count(w.sys); n != 0 {
		t.Error("the honeypot stored a contact")
	}
	if n, _ := w.c.Contact.Query().Where(contact.Phone("+61491570200")).Count(w.sys); n != 0 {
		t.Error("the other origin stored a contact")
	}
	mail, err := w.c.Message.Query().Where(message.ContactID(ct.ID), message.ChannelEQ(message.ChannelEmail)).Only(w.sys)
	if err != nil {
		t.Fatalf("double opt-in email: %v", err)
	}
	link := regexp.MustCompile(`https?://\S+/hooks/lead/confirm/\S+`).FindString(mail.Body)
	if mail.Provider != "outbox" || mail.To != "lena@example.com" || link == "" {
		t.Fatalf("email %+v", mail)
	}
	// Following the link shows a button; pressing it confirms.
	resp, err := w.srv.Client().Get(link)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm page: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if ct = w.contactByPhone(t, "+61491570202"); ct.EmailConsent {
		t.Error("opening the link alone gave consent")
	}
	resp, err = w.srv.Client().Post(link, "application/x-www-form-urlencoded", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	if ct = w.contactByPhone(t, "+61491570202"); !ct.EmailConsent || ct.ConsentTokenHash != nil {
		t.Errorf("after confirming: consent %v, token kept %v", ct.EmailConsent, ct.ConsentTokenHash != nil)
	}
	if resp, _ = w.srv.Client().Post(link, "application/x-www-form-urlencoded", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a used link: %d", resp.StatusCode)
	}
	posts += 2 // the confirmations count against the limit too

	// The same person again (a plain form post): no second contact.
	r = w.post(t, "application/x-www-form-urlencoded", url.Values{"name": {"Lena Lead"}, "phone": {"+61 491 570 202"}}.Encode(), nil)
	posts++
	if r.StatusCode != http.StatusOK {
		t.Errorf("duplicate: %d", r.StatusCode)
	}
	w.srv.SettleMessages(t, string(ct.ID))
	if n, _ := w.c.Contact.Query().Where(contact.Phone("+61491570202")).Count(w.sys); n != 1 {
		t.Errorf("%d contacts after the same person sent the form again", n)
	}

	// Bad input: JSON gets a JSON error naming the field; a browser's
	// form with a redirect goes back to the site with the error.
	r = w.post(t, "application/json", `{"name":"No Way"}`, nil)
	posts++
	var e struct{ Error, Field string }
	_ = json.NewDecoder(r.Body).Decode(&e)
	if r.StatusCode != http.StatusUnprocessableEntity || e.Field != "phone" || e.Error == "" {
		t.Errorf("no phone or email: %d %+v", r.StatusCode, e)
	}
	r = w.post(t, "application/x-www-form-urlencoded", url.Values{"name": {"Bad"}, "email": {"not-an-email"}, "redirect": {origin + "/contact"}}.Encode(), map[string]string{"Origin": origin})
	posts++
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, origin+"/contact?") || !strings.Contains(loc, "field=email") {
		t.Errorf("form error: %d %q", r.StatusCode, loc)
	}
	// A redirect to a site not configured is not followed.
	r = w.post(t, "application/x-www-form-urlencoded", url.Values{"name": {"Bad"}, "redirect": {"https://evil.example/x"}}.Encode(), nil)
	posts++
	if r.StatusCode != http.StatusUnprocessableEntity || r.Header.Get("Location") != "" {
		t.Errorf("foreign redirect: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r = w.post(t, "multipart/form-data; boundary=x", "--x--", nil); r.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("multipart: %d", r.StatusCode)
	}
	posts++

	// The per-IP limit (12 a minute): the next posts are refused.
	if posts != 12 {
		t.Fatalf("the test made %d limited requests; update the limit above", posts)
	}
	limited := false
	for i := posts; i < 16; i++ {
		if r = w.post(t, "application/json", `{}`, nil); r.StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("no 429 after more posts than the limit")
	}
	// An unknown key.
	req, _ := http.NewRequest(http.MethodPost, w.form[:strings.LastIndex(w.form, "/")+1]+"notakeynotakeynotakey", strings.NewReader(`{}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || (resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusTooManyRequests) {
		t.Errorf("unknown key: %v %v", resp, err)
	}
}

// BenchmarkLeadToWelcomeSMS measures the speed-to-lead path: a form post
// until the welcome SMS is handed to (a fake) ClickSend. It reports the
// 50th and 95th percentiles in milliseconds.
func BenchmarkLeadToWelcomeSMS(b *testing.B) {
	w := newWorld(b, "0")
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		phone := fmt.Sprintf("0491 57%04d", 3000+i%1000)
		e164 := "+6149157" + fmt.Sprintf("%04d", 3000+i%1000)
		start := time.Now()
		r := w.post(b, "application/json", fmt.Sprintf(`{"name":"Bench %d","phone":%q}`, i, phone), nil)
		if r.StatusCode != http.StatusAccepted {
			b.Fatalf("post: %d", r.StatusCode)
		}
		w.sentTo(b, e164)
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	pct := func(p float64) float64 {
		return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	_ = slices.Max(took)
}
