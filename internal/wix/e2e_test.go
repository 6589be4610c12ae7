package wix_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/ent/staffalert"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/webhookevent"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/wix"
)

// settle bounds the waits for jobs: a guard against a hang, not a speed.
const settle = 60 * time.Second

const wixServiceID = "11111111-2222-4333-8444-555555555555"

// world is the app with a Wix key, a fake Wix API and a mapped service.
type world struct {
	t     testing.TB
	srv   *testutil.Server
	key   *rsa.PrivateKey
	admin *http.Client
	c     *ent.Client
	sys   context.Context
	loc   pulid.ID
	svc   *ent.Service
	api   *fakeWix
}

var (
	keyOnce sync.Once
	keyA    *rsa.PrivateKey
	keyB    *rsa.PrivateKey
)

// keys are generated once per test binary (RSA generation is slow).
func keys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	keyOnce.Do(func() {
		var err error
		if keyA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
		if keyB, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return keyA, keyB
}

func publicPEM(t testing.TB, k *rsa.PrivateKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func newWorld(t testing.TB, env map[string]string) *world {
	k, _ := keys(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "wix.pem")
	if err := os.WriteFile(keyFile, publicPEM(t, k), 0o600); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, key: k, api: newFakeWix(t)}
	e := map[string]string{
		"AVATARCRM_WIX_PUBLIC_KEY_FILE":  keyFile,
		"AVATARCRM_WEBHOOK_MAX_ATTEMPTS": "3",
		"AVATARCRM_WEBHOOK_RETRY_BASE":   "5ms",
		"AVATARCRM_WEBHOOK_ALERT_AFTER":  "2",
		"AVATARCRM_WIX_API_BASE_URL":     w.api.URL,
		"AVATARCRM_WIX_API_KEY":          fakeKey,
		"AVATARCRM_WIX_SITE_ID":          "site-1",
	}
	for k, v := range env {
		e[k] = v
	}
	w.srv = testutil.StartServer(t, testutil.ServerOptions{Env: e})
	w.c = w.srv.App.Ent.Ent
	w.sys = viewer.Operator.Grant(context.Background(), "wix-test")
	var err error
	if w.loc, err = wix.LocationOf(w.sys, w.c, ""); err != nil {
		t.Fatal(err)
	}
	w.admin = w.srv.SignIn(t, "admin@example.com")
	w.svc, err = w.c.Service.Query().Where(service.LocationID(w.loc), service.Active(true)).Order(ent.Asc(service.FieldID)).First(w.sys)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// mapService maps the fixture's Wix service through the GraphQL road.
func (w *world) mapService() {
	w.srv.MustGraphQL(w.t, w.admin, `mutation($in: WixServiceInput!) { setWixService(input: $in) { id wixServiceID serviceID } }`,
		map[string]any{"in": map[string]any{"wixServiceID": wixServiceID, "wixName": "MRI Knee", "serviceID": w.svc.ID}})
}

// token signs data as Wix does: RS256, {"data": …, "iat", "exp"}.
func (w *world) token(data string, exp time.Time) string {
	tok, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"data": data, "iat": time.Now().Add(-time.Minute).Unix(), "exp": exp.Unix(),
	}).SignedString(w.key)
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

func (w *world) post(body string, contentType string) (int, string) {
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/hooks/wix", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// event builds a data claim for a fixture with its event id replaced.
func (w *world) event(file, eventType, id string, edit func(string) string) string {
	b := string(fixture(w.t, file))
	var m map[string]any
	_ = json.Unmarshal([]byte(b), &m)
	m["id"] = id
	out, _ := json.Marshal(m)
	s := string(out)
	if edit != nil {
		s = edit(s)
	}
	return envelope(w.t, eventType, []byte(s))
}

// waitEvent waits until the event with the sender's id reaches a final
// status for this attempt (anything but received and failed).
func (w *world) waitEvent(eventID string, want ...webhookevent.Status) *ent.WebhookEvent {
	w.t.Helper()
	deadline := time.Now().Add(settle)
	for {
		ev, err := w.c.WebhookEvent.Query().Where(webhookevent.EventID(eventID)).Only(w.sys)
		if err == nil {
			for _, s := range want {
				if ev.Status == s {
					return ev
				}
			}
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("event %s: %+v %v, want %v", eventID, ev, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *world) wixBooking() *ent.Booking {
	w.t.Helper()
	b, err := w.c.Booking.Query().Where(booking.SourceEQ(booking.SourceWix), booking.ExternalID("b7d1c2e3-4f50-4a6b-8c7d-9e0f1a2b3c4d")).WithContact().Only(w.sys)
	if err != nil {
		w.t.Fatalf("wix booking: %v", err)
	}
	return b
}

func (w *world) counts() (events, contacts, bookings int) {
	var err error
	if events, err = w.c.WebhookEvent.Query().Count(w.sys); err != nil {
		w.t.Fatal(err)
	}
	contacts, _ = w.c.Contact.Query().Count(w.sys)
	bookings, _ = w.c.Booking.Query().Count(w.sys)
	return
}

func far() time.Time { return time.Now().Add(time.Hour) }

// A valid Wix JWT creates the contact (found by duplicate detection when
// it exists, else new with source wix) and the booking; the same event
// delivered five times makes one booking; update (entity as a JSON
// string) moves it, cancel cancels it with the reason.
func TestWix_EndToEnd(t *testing.T) {
	w := newWorld(t, nil)
	w.mapService()
	tok := w.token(w.event("booking_created.json", "wix.bookings.v2.booking_created", "evt-created-1", nil), far())
	for i := 0; i < 5; i++ {
		if st, body := w.post(tok, "text/plain"); st != http.StatusOK {
			t.Fatalf("delivery %d: %d %s", i, st, body)
		}
	}
	ev := w.waitEvent("evt-created-1", webhookevent.StatusProcessed)
	if ev.Duplicates != 4 || ev.EventType != "wix.bookings.v2.booking_created" || len(ev.History) != 1 || ev.History[0].Outcome != "processed" {
		t.Errorf("event: %+v", ev)
	}
	b := w.wixBooking()
	if n, _ := w.c.Booking.Query().Where(booking.ExternalID("b7d1c2e3-4f50-4a6b-8c7d-9e0f1a2b3c4d")).Count(w.sys); n != 1 {
		t.Errorf("%d bookings from five deliveries", n)
	}
	ct := b.Edges.Contact
	if ct.LeadSource != contact.LeadSourceWix || ct.Email == nil || *ct.Email != "wendy.wixley@example.com" || ct.Phone == nil || *ct.Phone != "+61491570110" {
		t.Errorf("contact: %+v", ct)
	}
	if b.Status != booking.StatusConfirmed || b.ServiceID != w.svc.ID || !b.StartsAt.Equal(time.Date(2026, 3, 19, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("booking: %+v", b)
	}

	// Updated, with the entity as a JSON string: the time moves.
	if st, _ := w.post(w.token(w.event("booking_updated_asjson.json", "wix.bookings.v2.booking_updated", "evt-updated-1", nil), far()), "application/jwt"); st != http.StatusOK {
		t.Fatalf("update: %d", st)
	}
	w.waitEvent("evt-updated-1", webhookevent.StatusProcessed)
	if b := w.wixBooking(); !b.StartsAt.Equal(time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)) || b.ContactID != ct.ID {
		t.Errorf("rescheduled: %+v", b)
	}

	// Cancelled: with the reason.
	if st, _ := w.post(w.token(w.event("booking_canceled.json", "wix.bookings.v2.booking_canceled", "evt-canceled-1", nil), far()), ""); st != http.StatusOK {
		t.Fatalf("cancel: %d", st)
	}
	w.waitEvent("evt-canceled-1", webhookevent.StatusProcessed)
	if b := w.wixBooking(); b.Status != booking.StatusCancelled || b.CancelReason == nil || *b.CancelReason != "Cancelled in Wix" {
		t.Errorf("cancelled: %+v", b)
	}

	// A second booking by the same person (other email case, same phone)
	// finds the same contact; an unmapped service is a task, not a failure.
	tok2 := w.token(w.event("booking_created.json", "wix.bookings.v2.booking_created", "evt-created-2", func(s string) string {
		s = strings.ReplaceAll(s, "b7d1c2e3-4f50-4a6b-8c7d-9e0f1a2b3c4d", "b2-unmapped")
		return strings.ReplaceAll(s, wixServiceID, "99999999-0000-4000-8000-000000000000")
	}), far())
	if st, _ := w.post(tok2, "text/plain"); st != http.StatusOK {
		t.Fatalf("unmapped: %d", st)
	}
	w.waitEvent("evt-created-2", webhookevent.StatusProcessed)
	tk, err := w.c.Task.Query().Where(task.TitleContains("b2-unmapped")).Only(w.sys)
	if err != nil || tk.ContactID == nil || *tk.ContactID != ct.ID {
		t.Errorf("task for the unmapped service: %+v %v", tk, err)
	}
}

// Each bad token answers 401 and stores nothing but the audit entry.
func TestWix_BadTokens(t *testing.T) {
	w := newWorld(t, nil)
	w.mapService()
	_, other := keys(t)
	data := w.event("booking_created.json", "wix.bookings.v2.booking_created", "evt-bad", nil)
	good := w.token(data, far())
	parts := strings.Split(good, ".")
	sig := []byte(parts[2])
	if sig[10] == 'A' {
		sig[10] = 'B'
	} else {
		sig[10] = 'A'
	}
	b64 := base64.RawURLEncoding.EncodeToString
	claims := func(exp time.Time) string {
		b, _ := json.Marshal(map[string]any{"data": data, "iat": time.Now().Add(-time.Hour).Unix(), "exp": exp.Unix()})
		return b64(b)
	}
	wrongKey, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"data": data, "exp": far().Unix()}).SignedString(other)
	hs256, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"data": data, "exp": far().Unix()}).SignedString(publicPEM(t, w.key))
	expired := w.token(data, time.Now().Add(-10*time.Minute))
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"data": data}).SignedString(w.key)
	tampered := strings.Replace(data, "Wendy", "Mallory", 1)
	cases := map[string]string{
		"BadSignature":       parts[0] + "." + parts[1] + "." + string(sig),
		"WrongKey":           wrongKey,
		"AlgNone":            b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + claims(far()) + ".",
		"HS256WithPublicKey": hs256,
		"Expired":            expired,
		"TamperedBody":       parts[0] + "." + b64(must(json.Marshal(map[string]any{"data": tampered, "exp": far().Unix()}))) + "." + parts[2],
		"NoExpiry":           noExp,
		"NotAToken":          "hello",
	}
	ev0, ct0, bk0 := w.counts()
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			before := deniedAudits(t, w)
			if st, body := w.post(tok, "text/plain"); st != http.StatusUnauthorized || strings.Contains(body, "Wendy") {
				t.Errorf("%d %q", st, body)
			}
			waitAudits(t, w, before+1)
		})
	}
	// Let any job that should not exist run, then count.
	w.srv.SettleMessages(t, "")
	if ev, ct, bk := w.counts(); ev != ev0 || ct != ct0 || bk != bk0 {
		t.Errorf("stored: events %d→%d contacts %d→%d bookings %d→%d", ev0, ev, ct0, ct, bk0, bk)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func deniedAudits(t testing.TB, w *world) int {
	n, err := w.c.AuditEntry.Query().Where(auditentry.Path("/hooks/wix"), auditentry.Action("denied")).Count(viewer.AuditTrail.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitAudits waits for the batched audit writer (it flushes within 100 ms).
func waitAudits(t testing.TB, w *world, want int) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for deniedAudits(t, w) < want {
		if time.Now().After(deadline) {
			t.Fatalf("no audit entry for the refusal")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Refusals before and after verification: a wrong content type and a body
// over the limit are 415 and 413 (audited, nothing stored); an event type
// this endpoint does not handle is 422 and stored as rejected.
func TestWix_Refusals(t *testing.T) {
	w := newWorld(t, nil)
	before := deniedAudits(t, w)
	if st, _ := w.post(`{"a":1}`, "application/json"); st != http.StatusUnsupportedMediaType {
		t.Errorf("json: %d", st)
	}
	if st, _ := w.post(strings.Repeat("a", wix.MaxBody+1), "text/plain"); st != http.StatusRequestEntityTooLarge {
		t.Errorf("large: %d", st)
	}
	waitAudits(t, w, before+2)
	tok := w.token(envelope(t, "wix.contacts.v4.contact_created", []byte(`{"id":"evt-contact-1"}`)), far())
	st, body := w.post(tok, "text/plain")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "unknown event type") {
		t.Errorf("unknown type: %d %s", st, body)
	}
	ev, err := w.c.WebhookEvent.Query().Where(webhookevent.StatusEQ(webhookevent.StatusRejected)).Only(w.sys)
	if err != nil || ev.EventType != "wix.contacts.v4.contact_created" || ev.EventID != "evt-contact-1" || !strings.Contains(ev.LastError, "unknown event type") {
		t.Errorf("rejected record: %+v %v", ev, err)
	}
	// GraphQL lists it with the filters, and refuses to replay it.
	var out struct {
		WebhookEvents []struct{ ID, Status, LastError string }
	}
	w.srv.MustGraphQL(t, w.admin, `{ webhookEvents(where: {source: "wix", status: rejected}) { id status lastError } }`, nil).Decode(t, &out)
	if len(out.WebhookEvents) != 1 || out.WebhookEvents[0].ID != ev.ID.String() {
		t.Errorf("webhookEvents: %+v", out)
	}
	if r := w.srv.GraphQL(t, w.admin, `mutation($id: ID!) { replayWebhookEvent(id: $id) { id } }`, map[string]any{"id": ev.ID}); r.FirstCode() != "INVALID" {
		t.Errorf("replay of a rejected event: %+v", r.Errors)
	}
}

// A processing failure (the slot is taken) is retried with backoff, alerts
// staff after two failures (the outbox: no Slack configured), dead-letters
// after three, and replays successfully once the slot is free.
func TestWix_RetryDeadLetterReplay(t *testing.T) {
	w := newWorld(t, nil)
	w.mapService()
	// Another patient holds the slot.
	var created struct{ CreateContact struct{ ID string } }
	w.srv.MustGraphQL(t, w.admin, `mutation { createContact(input: {firstName: "Slot", lastName: "Holder", phone: "+61491570199"}) { id } }`, nil).Decode(t, &created)
	var held struct{ CreateBooking struct{ ID string } }
	w.srv.MustGraphQL(t, w.admin, `mutation($in: CreateBookingInput!) { createBooking(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"contactID": created.CreateContact.ID, "serviceID": w.svc.ID, "startsAt": "2026-03-19T23:00:00Z", "endsAt": "2026-03-19T23:30:00Z",
	}}).Decode(t, &held)

	if st, _ := w.post(w.token(w.event("booking_created.json", "wix.bookings.v2.booking_created", "evt-conflict", nil), far()), "text/plain"); st != http.StatusOK {
		t.Fatalf("post: %d", st)
	}
	ev := w.waitEvent("evt-conflict", webhookevent.StatusDead)
	if ev.Attempts != 3 || len(ev.History) != 3 || ev.History[2].Outcome != "dead" || ev.LastError == "" {
		t.Errorf("dead letter: %+v", ev)
	}
	// The dead letter's alert is raised just after the event's status is
	// written: wait for it.
	var alerts []*ent.StaffAlert
	var err error
	for deadline := time.Now().Add(settle); ; {
		alerts, err = w.c.StaffAlert.Query().Order(ent.Asc(staffalert.FieldID)).All(w.sys)
		if err != nil || len(alerts) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || len(alerts) != 2 || alerts[0].Topic != "webhook.failing" || alerts[1].Topic != "webhook.dead" || strings.Contains(alerts[1].Text, "Wendy") {
		t.Fatalf("alerts: %+v %v", alerts, err)
	}
	deadline := time.Now().Add(settle)
	for {
		a, _ := w.c.StaffAlert.Get(w.sys, alerts[1].ID)
		if a.Status == staffalert.StatusOutbox {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alert not handled: %+v", a)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Free the slot and replay.
	w.srv.MustGraphQL(t, w.admin, `mutation($id: ID!) { cancelBooking(id: $id, reason: "Clinic rescheduled") { id } }`, map[string]any{"id": held.CreateBooking.ID})
	var rep struct{ ReplayWebhookEvent struct{ Status string } }
	w.srv.MustGraphQL(t, w.admin, `mutation($id: ID!) { replayWebhookEvent(id: $id) { status } }`, map[string]any{"id": ev.ID}).Decode(t, &rep)
	if rep.ReplayWebhookEvent.Status != "received" {
		t.Errorf("replay: %+v", rep)
	}
	ev = w.waitEvent("evt-conflict", webhookevent.StatusProcessed)
	if b := w.wixBooking(); b.Status != booking.StatusConfirmed {
		t.Errorf("booking after replay: %+v", b)
	}
	outcomes := []string{}
	for _, h := range ev.History {
		outcomes = append(outcomes, h.Outcome)
	}
	if strings.Join(outcomes, ",") != "failed,failed,dead,replayed,processed" {
		t.Errorf("history: %v", outcomes)
	}
}

// The manual sync pulls bookings from the Wix API (a fake speaking its
// query format) and reconciles them; the second run changes nothing.
func TestWix_SyncTwice(t *testing.T) {
	w := newWorld(t, nil)
	w.mapService()
	created := fixture(t, "booking_created.json")
	var ev struct {
		CreatedEvent struct{ Entity json.RawMessage } `json:"createdEvent"`
	}
	_ = json.Unmarshal(created, &ev)
	other := strings.ReplaceAll(string(ev.CreatedEvent.Entity), "b7d1c2e3-4f50-4a6b-8c7d-9e0f1a2b3c4d", "b-sync-2")
	other = strings.ReplaceAll(other, "2026-03-20T10:", "2026-03-21T10:")
	other = strings.ReplaceAll(other, `"CONFIRMED"`, `"PENDING"`)
	w.api.set([]string{string(ev.CreatedEvent.Entity), other, `{"id":"b-cancelled","bookedEntity":{"slot":{"serviceId":"s","startDate":"2026-03-22T10:00:00Z","endDate":"2026-03-22T10:30:00Z"}},"status":"CANCELED"}`})
	ctx := viewer.ForJob(context.Background(), w.loc, "test:wix-sync")
	since := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	res, err := w.srv.App.Wix.Sync(ctx, since)
	if err != nil || res.Seen != 3 || res.Outcomes[wix.OutcomeCreated] != 2 || res.Outcomes[wix.OutcomeSkipped] != 1 || len(res.Failed) != 0 {
		t.Fatalf("first sync: %s %v %v", res, res.Failed, err)
	}
	_, _, bk := w.counts()
	res, err = w.srv.App.Wix.Sync(ctx, since)
	if err != nil || res.Outcomes[wix.OutcomeUnchanged] != 2 || res.Outcomes[wix.OutcomeSkipped] != 1 || res.Outcomes[wix.OutcomeCreated] != 0 {
		t.Fatalf("second sync: %s %v", res, err)
	}
	if _, _, bk2 := w.counts(); bk2 != bk {
		t.Errorf("second sync: bookings %d→%d", bk, bk2)
	}
	if got := w.api.seen(); got.auth != fakeKey || got.site != "site-1" || !strings.Contains(got.body, `"$gte":"2026-03-01T00:00:00Z"`) || got.pages < 2 {
		t.Errorf("the fake saw %+v", got)
	}
	// The admin button queues the same sync as a job.
	var out struct{ SyncWix struct{ JobID string } }
	w.srv.MustGraphQL(t, w.admin, `mutation { syncWix(since: "2026-03-01") { jobID duplicate } }`, nil).Decode(t, &out)
	if out.SyncWix.JobID == "" {
		t.Error("no job")
	}
}

const fakeKey = "IST.fake-wix-api-key"

// fakeWix answers the extended bookings query, two bookings a page.
type fakeWix struct {
	*httptest.Server
	mu       sync.Mutex
	bookings []string
	last     seenReq
}

type seenReq struct {
	auth, site, body string
	pages            int
}

func newFakeWix(t testing.TB) *fakeWix {
	f := &fakeWix{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != wix.QueryPath || r.Header.Get("Authorization") != fakeKey {
			http.Error(w, `{"message":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var q struct {
			Query struct {
				CursorPaging struct {
					Limit  int
					Cursor string
				} `json:"cursorPaging"`
			} `json:"query"`
		}
		_ = json.Unmarshal(body, &q)
		f.mu.Lock()
		defer f.mu.Unlock()
		start := 0
		if q.Query.CursorPaging.Cursor != "" {
			fmt.Sscanf(q.Query.CursorPaging.Cursor, "c%d", &start)
		} else {
			f.last = seenReq{auth: r.Header.Get("Authorization"), site: r.Header.Get("wix-site-id"), body: string(body)}
		}
		f.last.pages++
		end := min(start+2, len(f.bookings))
		var ebs []string
		for _, b := range f.bookings[start:end] {
			ebs = append(ebs, `{"booking":`+b+`,"allowedActions":{"cancel":true,"reschedule":true}}`)
		}
		next, hasNext := "", end < len(f.bookings)
		if hasNext {
			next = fmt.Sprintf("c%d", end)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"extendedBookings":[%s],"pagingMetadata":{"count":%d,"cursors":{"next":%q},"hasNext":%t}}`, strings.Join(ebs, ","), end-start, next, hasNext)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeWix) set(bs []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bookings = bs
}

func (f *fakeWix) seen() seenReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}
