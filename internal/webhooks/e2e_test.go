package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/staffalert"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/webhookdelivery"
	"github.com/avatarimaging/avatarcrm/ent/webhooksubscription"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/webhooks"
)

// settle bounds the waits for River: a guard against a hang, not a speed.
const settle = 30 * time.Second

// verify checks a Standard Webhooks request as a receiver would, written
// from the specification (https://www.standardwebhooks.com), not with the
// package's signer: the secret is whsec_ + base64 of the key; the signed
// content is "{webhook-id}.{webhook-timestamp}.{body}"; webhook-signature
// holds space-separated "v1,<base64 HMAC-SHA256>" entries, any of which may
// match; the timestamp must be within five minutes of now.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		return fmt.Errorf("bad secret %q", secret)
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %s is %s away from now", ts, d)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Split(sigs, " ") {
		v, b64, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && subtle.ConstantTimeCompare(got, want) == 1 {
			return nil
		}
	}
	return errors.New("no signature matches")
}

// receiver is an integrator's endpoint: it records every request and
// answers the statuses queued in answers (then 200).
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []hit
	answers []int
}

type hit struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, hit{header: r.Header.Clone(), body: b})
		code := http.StatusOK
		if len(rc.answers) > 0 {
			code, rc.answers = rc.answers[0], rc.answers[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) fail(codes ...int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.answers = append(rc.answers, codes...)
}

// wait returns the requests once there are n of them.
func (rc *receiver) wait(t *testing.T, n int) []hit {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		rc.mu.Lock()
		got := append([]hit(nil), rc.got...)
		rc.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver got %d requests, want %d", len(got), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type message struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

func pulidOf(s string) pulid.ID { return pulid.ID(s) }

func start(t *testing.T) (*testutil.Server, *http.Client) {
	srv := testutil.StartServer(t, testutil.ServerOptions{Env: map[string]string{
		// httptest listens on 127.0.0.1.
		"AVATARCRM_WEBHOOKS_ALLOW_PRIVATE": "true",
		"AVATARCRM_WEBHOOKS_RETRY":         "10ms,10ms",
		"AVATARCRM_WEBHOOKS_DISABLE_AFTER": "0s",
	}})
	return srv, srv.SignIn(t, "admin@example.com")
}

type created struct {
	CreateWebhookSubscription struct {
		Secret       string
		Subscription struct{ ID string }
	}
}

func subscribe(t *testing.T, srv *testutil.Server, admin *http.Client, url string, pii bool, types ...string) (id, secret string) {
	t.Helper()
	var c created
	srv.MustGraphQL(t, admin, `mutation($u: String!, $t: [String!]!, $p: Boolean) {
		createWebhookSubscription(input: {url: $u, eventTypes: $t, includePii: $p}) { secret subscription { id } } }`,
		map[string]any{"u": url, "t": types, "p": pii}).Decode(t, &c)
	return c.CreateWebhookSubscription.Subscription.ID, c.CreateWebhookSubscription.Secret
}

// TestDeliverySignedAndScoped: a contact created through the API reaches
// the integrator as contact.created, signed so that an independent
// Standard Webhooks verifier accepts it, carrying IDs only unless the
// subscription includes PII; a tampered body fails the same verifier.
func TestDeliverySignedAndScoped(t *testing.T) {
	srv, admin := start(t)
	plain, pii := newReceiver(t), newReceiver(t)
	_, secret := subscribe(t, srv, admin, plain.URL+"/hook", false, "contact.created", "contact.updated")
	_, piiSecret := subscribe(t, srv, admin, pii.URL+"/hook", true, "contact.created")

	var cr struct{ CreateContact struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation { createContact(input: {firstName: "Hookie", lastName: "Webb", email: "hookie@example.com"}) { id } }`, nil).Decode(t, &cr)
	h := plain.wait(t, 1)[0]
	if err := verify(secret, h.header, h.body, testutil.Now); err != nil {
		t.Fatalf("verifier: %v\n%s", err, h.body)
	}
	if err := verify(secret, h.header, append(h.body, ' '), testutil.Now); err == nil {
		t.Error("a tampered body verified")
	}
	if err := verify(piiSecret, h.header, h.body, testutil.Now); err == nil {
		t.Error("another subscription's secret verified")
	}
	if ct := h.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var m message
	if err := json.Unmarshal(h.body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Type != "contact.created" || m.Data["id"] != cr.CreateContact.ID || m.Data["contact_id"] != cr.CreateContact.ID {
		t.Errorf("message %+v", m)
	}
	if strings.Contains(string(h.body), "Hookie") || strings.Contains(string(h.body), "hookie@") {
		t.Errorf("PII in a subscription without include_pii: %s", h.body)
	}
	hp := pii.wait(t, 1)[0]
	if err := verify(piiSecret, hp.header, hp.body, testutil.Now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hp.body), `"first_name":"Hookie"`) || !strings.Contains(string(hp.body), "hookie@example.com") {
		t.Errorf("include_pii payload lacks the contact: %s", hp.body)
	}

	// An update: its changed fields, by name, never their values.
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { updateContact(id: $id, input: {lastName: "Webster", firstName: "Hookie"}) { id } }`,
		map[string]any{"id": cr.CreateContact.ID})
	h = plain.wait(t, 2)[1]
	if err := verify(secret, h.header, h.body, testutil.Now); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(h.body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Type != "contact.updated" || fmt.Sprint(m.Data["changed"]) != "[last_name]" || strings.Contains(string(h.body), "Webster") {
		t.Errorf("contact.updated: %s", h.body)
	}
}

// TestDeliveryRetriedOn500: a receiver answering 500 gets the same message
// (same webhook-id and body) again until it answers 2xx; the log records
// the attempts and the answer.
func TestDeliveryRetriedOn500(t *testing.T) {
	srv, admin := start(t)
	rc := newReceiver(t)
	rc.fail(500, 503)
	id, secret := subscribe(t, srv, admin, rc.URL, false, "contact.created")
	srv.MustGraphQL(t, admin, `mutation { createContact(input: {firstName: "Retry", phone: "0491 570 156"}) { id } }`, nil)
	hits := rc.wait(t, 3)
	for i, h := range hits {
		if err := verify(secret, h.header, h.body, testutil.Now); err != nil {
			t.Errorf("attempt %d: %v", i+1, err)
		}
		if h.header.Get("webhook-id") != hits[0].header.Get("webhook-id") || string(h.body) != string(hits[0].body) {
			t.Errorf("attempt %d is not the same message", i+1)
		}
	}
	var out struct {
		WebhookDeliveries []struct {
			Status       string
			Attempts     int
			ResponseCode *int
			Error        string
		}
	}
	deadline := time.Now().Add(settle)
	for {
		srv.MustGraphQL(t, admin, `query($s: ID!) { webhookDeliveries(subscriptionID: $s) { status attempts responseCode error } }`,
			map[string]any{"s": id}).Decode(t, &out)
		if len(out.WebhookDeliveries) == 1 && out.WebhookDeliveries[0].Status == "delivered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries: %+v", out.WebhookDeliveries)
		}
		time.Sleep(20 * time.Millisecond)
	}
	d := out.WebhookDeliveries[0]
	if d.Attempts != 3 || d.ResponseCode == nil || *d.ResponseCode != 200 || d.Error != "" {
		t.Errorf("delivery %+v", d)
	}
}

// TestRotationGrace: after a rotation both the new and the old secret
// sign (two v1 entries), so a receiver holding either accepts.
func TestRotationGrace(t *testing.T) {
	srv, admin := start(t)
	rc := newReceiver(t)
	id, old := subscribe(t, srv, admin, rc.URL, false, "task.created")
	var rot struct{ RotateWebhookSecret struct{ Secret string } }
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { rotateWebhookSecret(id: $id, graceHours: 2) { secret } }`, map[string]any{"id": id}).Decode(t, &rot)
	fresh := rot.RotateWebhookSecret.Secret
	if fresh == old || !strings.HasPrefix(fresh, "whsec_") {
		t.Fatalf("rotated secret %q", fresh)
	}
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { sendTestWebhook(id: $id) { id } }`, map[string]any{"id": id})
	h := rc.wait(t, 1)[0]
	if n := len(strings.Fields(h.header.Get("webhook-signature"))); n != 2 {
		t.Errorf("%d signatures during the grace period, want 2", n)
	}
	for name, s := range map[string]string{"old": old, "new": fresh} {
		if err := verify(s, h.header, h.body, testutil.Now); err != nil {
			t.Errorf("the %s secret: %v", name, err)
		}
	}
	var m message
	_ = json.Unmarshal(h.body, &m)
	if m.Type != webhooks.TestEventType {
		t.Errorf("type %q", m.Type)
	}
}

// TestAutoDisable: a subscription whose delivery fails every attempt (here
// with no grace: AVATARCRM_WEBHOOKS_DISABLE_AFTER=0s) is disabled with
// the reason, and staff get a task saying so; nothing more is sent.
func TestAutoDisable(t *testing.T) {
	srv, admin := start(t)
	rc := newReceiver(t)
	rc.fail(500, 500, 500, 500, 500)
	id, _ := subscribe(t, srv, admin, rc.URL, false, "contact.created")
	srv.MustGraphQL(t, admin, `mutation { createContact(input: {firstName: "Failing", phone: "0491 570 157"}) { id } }`, nil)
	rc.wait(t, 3)
	sys := viewer.Operator.Grant(context.Background(), "test")
	c := srv.App.Ent.Ent
	deadline := time.Now().Add(settle)
	for {
		sub, err := c.WebhookSubscription.Query().Where(webhooksubscription.ID(pulidOf(id))).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		if !sub.Enabled {
			if sub.DisabledReason == "" || sub.FailureCount != 3 {
				t.Errorf("disabled with reason %q after %d failures", sub.DisabledReason, sub.FailureCount)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the subscription was not disabled")
		}
		time.Sleep(20 * time.Millisecond)
	}
	d, err := c.WebhookDelivery.Query().Where(webhookdelivery.SubscriptionID(pulidOf(id))).Only(sys)
	if err != nil || d.Status != webhookdelivery.StatusFailed || d.Attempts != 3 || d.ResponseCode == nil || *d.ResponseCode != 500 {
		t.Errorf("delivery %+v, %v", d, err)
	}
	n, err := c.Task.Query().Where(task.TitleContains("Outbound webhook disabled"), task.KindEQ(task.KindAdmin)).Count(sys)
	if err != nil || n != 1 {
		t.Errorf("%d alert tasks (%v), want 1", n, err)
	}
	// And the shared staff alert: with no Slack webhook configured it is
	// kept in the outbox, shown on the admin integrations page.
	al, err := c.StaffAlert.Query().Where(staffalert.Topic("webhook.disabled"), staffalert.Subject(id)).Only(sys)
	if err != nil || !strings.Contains(al.Text, rc.URL) || al.Channel != "outbox" || al.Status == staffalert.StatusFailed {
		t.Errorf("staff alert %+v, %v; want one in the outbox naming %s", al, err, rc.URL)
	}
	// Disabled: a new event is not delivered.
	srv.MustGraphQL(t, admin, `mutation { createContact(input: {firstName: "After", phone: "0491 570 158"}) { id } }`, nil)
	srv.SettleMessages(t, "")
	if got := len(rc.wait(t, 3)); got != 3 {
		t.Errorf("%d requests after disabling, want 3", got)
	}
}
