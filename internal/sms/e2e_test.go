package sms_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/webhookevent"
	"github.com/avatarimaging/avatarcrm/internal/messaging/clicksendtest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// settle bounds the waits for River: a guard against a hang, not a speed.
const settle = 30 * time.Second

// world is one running app with a fake ClickSend, an admin, the location's
// webhook token and helpers to make patients and bookings.
type world struct {
	t     testing.TB
	srv   *testutil.Server
	fake  *clicksendtest.Server
	admin *http.Client
	c     *ent.Client
	sys   context.Context
	token string
	now   *atomic.Pointer[time.Time]
	svc   *ent.Service
	zone  *time.Location
	n     int
}

func newWorld(t testing.TB) *world {
	fake := clicksendtest.New(t)
	w := &world{t: t, fake: fake, now: &atomic.Pointer[time.Time]{}}
	w.setNow(testutil.Now) // Wed 11 Mar 2026, 09:00 in Sydney
	w.srv = testutil.StartServer(t, testutil.ServerOptions{
		Now: func() time.Time { return *w.now.Load() },
		Env: map[string]string{
			"AVATARCRM_SMS_PROVIDER":       "clicksend",
			"AVATARCRM_CLICKSEND_BASE_URL": fake.URL,
			"AVATARCRM_CLICKSEND_USERNAME": clicksendtest.Username,
			"AVATARCRM_CLICKSEND_API_KEY":  clicksendtest.APIKey,
			"AVATARCRM_CLICKSEND_RATE":     "1000",
		},
	})
	w.admin = w.srv.SignIn(t, "admin@example.com")
	w.c = w.srv.App.Ent.Ent
	w.sys = viewer.Operator.Grant(context.Background(), "sms-e2e")
	var st struct {
		SmsSettings struct{ InboundURL, ReceiptURL string }
	}
	w.srv.MustGraphQL(t, w.admin, `{ smsSettings { inboundURL receiptURL } }`, nil).Decode(t, &st)
	i := strings.LastIndex(st.SmsSettings.InboundURL, "/")
	w.token = st.SmsSettings.InboundURL[i+1:]
	if !strings.HasSuffix(st.SmsSettings.ReceiptURL, "/hooks/clicksend/receipt/"+w.token) || !strings.Contains(st.SmsSettings.InboundURL, "/hooks/clicksend/inbound/") {
		t.Fatalf("smsSettings: %+v", st.SmsSettings)
	}
	loc, err := w.c.Location.Query().Only(w.sys)
	if err != nil {
		loc, err = w.c.Location.Query().First(w.sys)
	}
	if err != nil {
		t.Fatal(err)
	}
	w.zone, _ = time.LoadLocation(loc.Timezone)
	w.svc, err = w.c.Service.Query().Where(service.LocationID(loc.ID)).Order(ent.Asc(service.FieldID)).First(w.sys)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) setNow(at time.Time) { at = at.UTC(); w.now.Store(&at) }

// patient creates a contact with a fresh phone number.
func (w *world) patient(first string, consent bool) (pulid.ID, string) {
	w.t.Helper()
	w.n++
	phone := fmt.Sprintf("+6149157%04d", 100+w.n)
	var cr struct{ CreateContact struct{ ID string } }
	w.srv.MustGraphQL(w.t, w.admin, `mutation($f: String!, $p: String!, $c: Boolean!) { createContact(input: {firstName: $f, lastName: "Sms", phone: $p, smsConsent: $c}) { id } }`,
		map[string]any{"f": first, "p": phone, "c": consent}).Decode(w.t, &cr)
	w.waitSent(phone, 1) // the welcome
	return pulid.ID(cr.CreateContact.ID), phone
}

// waitSent waits until ClickSend holds n messages for phone.
func (w *world) waitSent(phone string, n int) []clicksendtest.Message {
	w.t.Helper()
	deadline := time.Now().Add(settle)
	for {
		got := w.sentTo(phone)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("ClickSend got %d messages for %s, want %d", len(got), phone, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// replies counts the messages ClickSend got for phone that contain text.
func (w *world) replies(phone, text string) int {
	n := 0
	for _, m := range w.sentTo(phone) {
		if strings.Contains(m.Body, text) {
			n++
		}
	}
	return n
}

// book books the contact at local time "2006-01-02 15:04" in Sydney.
func (w *world) book(contactID pulid.ID, local string) pulid.ID {
	w.t.Helper()
	ct, err := w.c.Contact.Get(w.sys, contactID)
	if err != nil {
		w.t.Fatal(err)
	}
	sent := len(w.sentTo(*ct.Phone))
	defer w.waitSent(*ct.Phone, sent+1) // the confirmation
	at, err := time.ParseInLocation("2006-01-02 15:04", local, w.zone)
	if err != nil {
		w.t.Fatal(err)
	}
	var bk struct{ CreateBooking struct{ ID string } }
	w.srv.MustGraphQL(w.t, w.admin, `mutation($c: ID!, $s: ID!, $at: Time!, $end: Time!) { createBooking(input: {contactID: $c, serviceID: $s, startsAt: $at, endsAt: $end}) { id } }`,
		map[string]any{"c": contactID, "s": w.svc.ID, "at": at.UTC(), "end": at.UTC().Add(30 * time.Minute)}).Decode(w.t, &bk)
	return pulid.ID(bk.CreateBooking.ID)
}

// inbound posts an SMS from phone through the real webhook and waits
// until it is processed.
func (w *world) inbound(variant, from, body, messageID string) *ent.Message {
	w.t.Helper()
	name := map[string]string{"post": "inbound_post.txt", "get": "inbound_get.txt", "json": "inbound.json", "legacy": "inbound_legacy.txt"}[variant]
	v := variant
	if v == "legacy" {
		v = "post"
	}
	if code := post(w.t, http.DefaultClient, w.srv.URL, "inbound", w.token, v, name, map[string]string{"from": from, "body": body, "message_id": messageID}); code != http.StatusOK {
		w.t.Fatalf("inbound %q: status %d", body, code)
	}
	return w.waitInbound(messageID)
}

func (w *world) waitInbound(messageID string) *ent.Message {
	w.t.Helper()
	deadline := time.Now().Add(settle)
	for {
		m, err := w.c.Message.Query().Where(message.Key("inbound:" + messageID)).Only(w.sys)
		if err == nil {
			w.waitQueued()
			return m
		}
		if !ent.IsNotFound(err) {
			w.t.Fatal(err)
		}
		ev, _ := w.c.WebhookEvent.Query().Where(webhookevent.EventID(messageID)).Only(w.sys)
		if time.Now().After(deadline) || ev != nil && ev.Status == webhookevent.StatusFailed {
			w.t.Fatalf("inbound %s not processed: %+v", messageID, ev)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitQueued waits until no message is left queued (the replies went).
func (w *world) waitQueued() {
	w.t.Helper()
	deadline := time.Now().Add(settle)
	for {
		n, err := w.c.Message.Query().Where(message.StatusEQ(message.StatusQueued)).Count(w.sys)
		if err != nil {
			w.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%d messages still queued", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sentTo is what the fake ClickSend accepted for phone.
func (w *world) sentTo(phone string) []clicksendtest.Message {
	var out []clicksendtest.Message
	for _, m := range w.fake.Messages() {
		if m.To == phone {
			out = append(out, m)
		}
	}
	return out
}

func (w *world) booking(id pulid.ID) *ent.Booking {
	w.t.Helper()
	b, err := w.c.Booking.Get(w.sys, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

// TestInbound_EndToEnd drives issue 15's inbound path through the real
// HTTP handler with ClickSend's documented payloads (testdata), the app's
// River jobs and a fake ClickSend for the replies.
func TestInbound_EndToEnd(t *testing.T) {
	w := newWorld(t)

	t.Run("YConfirmsTheNextBooking", func(t *testing.T) {
		w.t = t
		ct, phone := w.patient("Yvonne", true)
		later := w.book(ct, "2026-03-20 10:00")
		next := w.book(ct, "2026-03-13 11:00")
		const thanks = "confirmed. See you then"
		m := w.inbound("post", phone, "Y", "IN-Y-1")
		if got := w.booking(next).Status; got != booking.StatusConfirmed {
			t.Errorf("the next booking is %s, want confirmed", got)
		}
		if got := w.booking(later).Status; got != booking.StatusPending {
			t.Errorf("the later booking is %s, want pending", got)
		}
		if m.Intent == nil || *m.Intent != message.IntentConfirm || m.Action == nil || *m.Action != message.ActionConfirmed {
			t.Errorf("message: intent %v action %v", m.Intent, m.Action)
		}
		w.waitSent(phone, 4) // welcome, two confirmations, the thank-you
		if n := w.replies(phone, thanks); n != 1 {
			t.Fatalf("ClickSend got %d thank-you replies: %+v", n, w.sentTo(phone))
		}
		hist, err := w.c.BookingEvent.Query().All(w.sys)
		if err != nil {
			t.Fatal(err)
		}
		named := false
		for _, h := range hist {
			if h.BookingID == next && h.MessageID != nil && *h.MessageID == m.ID && strings.Contains(h.Reason, "“Y”") {
				named = true
			}
		}
		if !named {
			t.Errorf("the booking's history does not name the SMS %s", m.ID)
		}

		// The same message delivered five times has one effect.
		for range 4 {
			if code := post(t, http.DefaultClient, w.srv.URL, "inbound", w.token, "post", "inbound_post.txt",
				map[string]string{"from": phone, "body": "Y", "message_id": "IN-Y-1"}); code != http.StatusOK {
				t.Fatalf("repeat: %d", code)
			}
		}
		w.waitQueued()
		n, _ := w.c.Message.Query().Where(message.ContactID(ct), message.DirectionEQ(message.DirectionInbound)).Count(w.sys)
		ev, _ := w.c.WebhookEvent.Query().Where(webhookevent.EventID("IN-Y-1")).Only(w.sys)
		if n != 1 || ev == nil || ev.Duplicates != 4 || w.replies(phone, thanks) != 1 || len(w.sentTo(phone)) != 4 {
			t.Errorf("five deliveries: %d inbound messages, event %+v, %d thank-you replies", n, ev, w.replies(phone, thanks))
		}

		// Staff undo it in one step.
		var undo struct {
			UndoSMSAction struct{ ActionUndoneAt *time.Time }
		}
		w.srv.MustGraphQL(t, w.admin, `mutation($id: ID!) { undoSMSAction(messageID: $id) { actionUndoneAt } }`, map[string]any{"id": m.ID}).Decode(t, &undo)
		if undo.UndoSMSAction.ActionUndoneAt == nil || w.booking(next).Status != booking.StatusPending {
			t.Errorf("after undo: %+v, booking %s", undo, w.booking(next).Status)
		}
		if r := w.srv.GraphQL(t, w.admin, `mutation($id: ID!) { undoSMSAction(messageID: $id) { id } }`, map[string]any{"id": m.ID}); r.FirstCode() != "CONFLICT" {
			t.Errorf("a second undo: %s, want CONFLICT", r.FirstCode())
		}
	})

	t.Run("CantMakeItCancelsAndFreesTheSlot", func(t *testing.T) {
		w.t = t
		ct, phone := w.patient("Carl", true)
		bk := w.book(ct, "2026-03-16 09:00")
		m := w.inbound("get", phone, "Can't make it, sorry", "IN-CANCEL-1")
		b := w.booking(bk)
		if b.Status != booking.StatusCancelled || b.CancelReason == nil || *b.CancelReason != "patient SMS" {
			t.Fatalf("booking %s reason %v", b.Status, b.CancelReason)
		}
		// The slot is free: another patient can take it.
		other, _ := w.patient("Olive", true)
		w.book(other, "2026-03-16 09:00")
		w.waitSent(phone, 3)
		if w.replies(phone, "is cancelled") != 1 {
			t.Errorf("no cancellation reply: %+v", w.sentTo(phone))
		}
		if m.TaskID == nil {
			t.Errorf("staff were not told (no task)")
		}
	})

	t.Run("ThursdayArvoMakesARescheduleTask", func(t *testing.T) {
		w.t = t
		ct, phone := w.patient("Theo", true)
		bk := w.book(ct, "2026-03-13 10:00")
		m := w.inbound("json", phone, "Thursday arvo instead?", "IN-RESCHED-1")
		if m.TaskID == nil {
			t.Fatalf("no task: action %v note %q", m.Action, m.ActionNote)
		}
		tk, err := w.c.Task.Get(w.sys, *m.TaskID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(tk.Title, "Thu 12 Mar 12:00") || tk.Kind != task.KindCall {
			t.Errorf("task %q (%v), want the proposed time Thu 12 Mar 12:00–17:00", tk.Title, tk.Kind)
		}
		if w.booking(bk).Status != booking.StatusPending {
			t.Errorf("the booking changed: %s", w.booking(bk).Status)
		}
		w.waitSent(phone, 3)
		if w.replies(phone, "will call you") != 1 {
			t.Errorf("no will-call reply: %+v", w.sentTo(phone))
		}
	})

	t.Run("UnclearGoesToTheNeedsReplyQueue", func(t *testing.T) {
		w.t = t
		ct, phone := w.patient("Una", true)
		bk := w.book(ct, "2026-03-13 12:00")
		before := len(w.sentTo(phone))
		m := w.inbound("post", phone, "hmm maybe", "IN-OTHER-1")
		if m.Action == nil || *m.Action != message.ActionNeedsReply || w.booking(bk).Status != booking.StatusPending || len(w.sentTo(phone)) != before {
			t.Errorf("action %v, booking %s, replies %d", m.Action, w.booking(bk).Status, len(w.sentTo(phone))-before)
		}
		var cv struct {
			Conversations struct {
				Edges []struct {
					Node struct {
						NeedsReply bool
						Contact    struct{ ID string }
					}
				}
			}
		}
		w.srv.MustGraphQL(t, w.admin, `{ conversations(first: 50, where: {needsReply: true}) { edges { node { needsReply contact { id } } } } }`, nil).Decode(t, &cv)
		found := false
		for _, e := range cv.Conversations.Edges {
			found = found || e.Node.Contact.ID == string(ct)
		}
		if !found {
			t.Errorf("the conversation is not in the needs-a-reply queue: %+v", cv)
		}
	})

	t.Run("UnknownNumberBecomesALead", func(t *testing.T) {
		w.t = t
		const phone = "+61491579999"
		m := w.inbound("legacy", phone, "Hi, do you do weekend MRIs?", "IN-LEAD-1")
		ct, err := w.c.Contact.Get(w.sys, m.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		if ct.LeadSource != contact.LeadSourceSms || ct.Phone == nil || *ct.Phone != phone {
			t.Errorf("lead: source %s phone %v", ct.LeadSource, ct.Phone)
		}
	})

	t.Run("StopWithdrawsConsentAndSuppressesTheReminder", func(t *testing.T) {
		w.t = t
		ct, phone := w.patient("Stella", true)
		w.book(ct, "2026-03-14 14:10")
		before := len(w.sentTo(phone))
		w.inbound("post", phone, "STOP", "IN-STOP-1")
		c, err := w.c.Contact.Get(w.sys, ct)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := w.c.OptOut.Query().Where(optout.Address(phone)).Exist(w.sys)
		if c.SmsConsent || !out {
			t.Errorf("consent %v, opted out %v", c.SmsConsent, out)
		}
		w.waitSent(phone, before+1)
		if w.replies(phone, "Reply START") != 1 || len(w.sentTo(phone)) != before+1 {
			t.Fatalf("want one confirmation: %+v", w.sentTo(phone)[before:])
		}
		// A second STOP sends nothing more.
		w.inbound("post", phone, "stop", "IN-STOP-2")
		if n := len(w.sentTo(phone)); n != before+1 {
			t.Errorf("a second STOP sent %d more", n-before-1)
		}
		// Staff cannot text the number now…
		var chk struct {
			CheckSMS struct {
				Allowed bool
				Problem *string
			}
		}
		w.srv.MustGraphQL(t, w.admin, `query($c: ID!) { checkSMS(contactID: $c, body: "Hello") { allowed problem } }`, map[string]any{"c": ct}).Decode(t, &chk)
		if chk.CheckSMS.Allowed || chk.CheckSMS.Problem == nil || *chk.CheckSMS.Problem != "opted_out" {
			t.Errorf("checkSMS after STOP: %+v", chk)
		}
		if r := w.srv.GraphQL(t, w.admin, `mutation($c: ID!) { sendSMS(contactID: $c, body: "Hello") { id } }`, map[string]any{"c": ct}); r.FirstCode() != "INVALID" {
			t.Errorf("sendSMS after STOP: %q, want INVALID", r.FirstCode())
		}
		// …until the patient writes again: a factual answer may go.
		q := w.inbound("post", phone, "how long does an MRI take?", "IN-STOP-Q")
		if q.Action == nil || *q.Action != message.ActionQuestionTask {
			t.Errorf("question after STOP: %v", q.Action)
		}
		var sent struct{ SendSMS struct{ ID, Status string } }
		w.srv.MustGraphQL(t, w.admin, `mutation($c: ID!) { sendSMS(contactID: $c, body: "About 30 minutes.") { id status } }`, map[string]any{"c": ct}).Decode(t, &sent)
		w.waitSent(phone, before+2)
		if w.replies(phone, "About 30 minutes") != 1 {
			t.Errorf("the staff answer did not go: %+v", w.sentTo(phone)[before:])
		}
		before++
		// The 24 h reminder, due Friday 14:10, is suppressed.
		at, _ := time.ParseInLocation("2006-01-02 15:04", "2026-03-13 14:10", w.zone)
		w.setNow(at)
		fired, err := w.srv.App.Schedules.Run(context.Background(), "reminders")
		if err != nil || len(fired) == 0 {
			t.Fatalf("reminders: %v %v", fired, err)
		}
		deadline := time.Now().Add(settle)
		for {
			rm, err := w.c.Message.Query().Where(message.ContactID(ct), message.Template("reminder_24h")).Only(w.sys)
			if err == nil && rm.Status != message.StatusQueued && rm.Status != message.StatusDeferred {
				if rm.Status != message.StatusSuppressed || rm.SuppressedReason == nil || *rm.SuppressedReason != "opted_out" {
					t.Errorf("reminder %s (%v)", rm.Status, rm.SuppressedReason)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no reminder settled: %v %v", rm, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n := len(w.sentTo(phone)); n != before+1 {
			t.Errorf("something went to the opted-out number: %+v", w.sentTo(phone)[before:])
		}
		w.setNow(testutil.Now)
	})

	t.Run("WrongTokenIs404AndChangesNothing", func(t *testing.T) {
		w.t = t
		count := func() (int, int) {
			m, _ := w.c.Message.Query().Count(w.sys)
			e, _ := w.c.WebhookEvent.Query().Count(w.sys)
			return m, e
		}
		m0, e0 := count()
		for _, tok := range []string{"wrong-token-wrong-token-wrong-token-000", w.token + "x", "short"} {
			if code := post(t, http.DefaultClient, w.srv.URL, "inbound", tok, "post", "inbound_post.txt",
				map[string]string{"from": "+61491570101", "body": "Y", "message_id": "IN-WRONG"}); code != http.StatusNotFound {
				t.Errorf("token %q: status %d, want 404", tok, code)
			}
		}
		time.Sleep(200 * time.Millisecond)
		if m1, e1 := count(); m1 != m0 || e1 != e0 {
			t.Errorf("messages %d → %d, events %d → %d", m0, m1, e0, e1)
		}
	})

	t.Run("ReceiptsUpdateStatusAndFlagTheNumber", func(t *testing.T) {
		w.t = t
		ct, phone := w.patient("Rita", true)
		w.book(ct, "2026-03-18 10:00")
		w.waitQueued()
		ms, err := w.c.Message.Query().Where(message.ContactID(ct), message.DirectionEQ(message.DirectionOutbound)).Order(ent.Asc(message.FieldCreatedAt)).All(w.sys)
		if err != nil || len(ms) < 2 {
			t.Fatalf("messages: %v %v", ms, err)
		}
		send := func(m *ent.Message, status, code, errText string) {
			t.Helper()
			pid := ""
			if m.ProviderMessageID != nil {
				pid = *m.ProviderMessageID
			}
			if c := post(t, http.DefaultClient, w.srv.URL, "receipt", w.token, "post", "receipt_post.txt", map[string]string{
				"message_id": pid, "custom_string": string(m.ID), "status": status, "status_code": code,
				"status_text": status, "error_code": "", "error_text": errText}); c != http.StatusOK {
				t.Fatalf("receipt: %d", c)
			}
		}
		wait := func(id pulid.ID, want message.Status) *ent.Message {
			t.Helper()
			deadline := time.Now().Add(settle)
			for {
				m, err := w.c.Message.Get(w.sys, id)
				if err == nil && m.Status == want {
					return m
				}
				if time.Now().After(deadline) {
					t.Fatalf("message %s is %v, want %s", id, m.Status, want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		send(ms[0], "Delivered", "201", "")
		wait(ms[0].ID, message.StatusDelivered)
		send(ms[1], "Failed", "301", "Invalid destination number")
		m := wait(ms[1].ID, message.StatusFailed)
		if !strings.Contains(m.Error, "Invalid destination") {
			t.Errorf("error %q", m.Error)
		}
		c, _ := w.c.Contact.Get(w.sys, ct)
		if c.SmsFailedAt == nil || c.SmsFailedReason == nil {
			t.Errorf("the number is not flagged: %+v", c)
		}
		_ = phone
	})
}
