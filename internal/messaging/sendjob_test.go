package messaging_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/messaging/clicksendtest"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// working starts River workers on the fixture's database, with short
// retries, and returns the queue.
func (f *fixture) working(t *testing.T, maxAttempts int) *jobs.Queue {
	t.Helper()
	ws := jobs.NewWorkers()
	messaging.AddWorkers(ws, f.svc)
	q, err := jobs.New(context.Background(), f.d, ws, jobs.Config{
		Workers: 2, MaxAttempts: maxAttempts, PollInterval: 50 * time.Millisecond,
		Backoff: jobs.Backoff{Base: 20 * time.Millisecond, Max: 100 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Jobs take their attempts from the client that inserts them.
	f.svc.Jobs = q
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return q
}

// waitStatus waits until the message leaves queued/deferred.
func (f *fixture) waitStatus(t *testing.T, id pulid.ID) message.Status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		got, err := f.c.Message.Get(f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != message.StatusQueued && got.Status != message.StatusDeferred {
			return got.Status
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("message %s still waiting", id)
	return ""
}

func TestSendJob_ClickSend429And500ThenSentOnce(t *testing.T) {
	fake := clicksendtest.New(t)
	fake.FailNext(http.StatusTooManyRequests, http.StatusInternalServerError)
	f := newFixture(t, messaging.NewClickSend(fake.URL, clicksendtest.Username, clicksendtest.APIKey, 1000))
	f.svc.Now = func() time.Time { return syd("2026-03-11", "10:00") }
	f.working(t, 5)
	ct := f.contact(t, false)
	m := f.queue(t, messaging.SMSInput{ContactID: ct.ID, Template: messaging.TemplateWelcome, Key: "welcome:" + string(ct.ID)})
	if st := f.waitStatus(t, m.ID); st != message.StatusSent {
		t.Fatalf("status %s", st)
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Fatalf("requests not in ClickSend's format: %v", p)
	}
	got := fake.Messages()
	if len(got) != 1 || got[0].CustomString != string(m.ID) || got[0].To != *ct.Phone || fake.Requests() != 3 {
		t.Fatalf("ClickSend got %+v in %d requests, want one message after two failures", got, fake.Requests())
	}
	sent, err := f.c.Message.Get(f.admin, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Provider != messaging.ClickSendName || sent.ProviderMessageID == nil || *sent.ProviderMessageID != got[0].MessageID || sent.CostCents != 8 {
		t.Fatalf("message %+v", sent)
	}
}

func TestSendJob_DeadLetterMarksFailed(t *testing.T) {
	fake := clicksendtest.New(t)
	fake.FailNext(500, 500, 500, 500)
	f := newFixture(t, messaging.NewClickSend(fake.URL, clicksendtest.Username, clicksendtest.APIKey, 1000))
	f.svc.Now = func() time.Time { return syd("2026-03-11", "10:00") }
	q := f.working(t, 3)
	ct := f.contact(t, false)
	m := f.queue(t, messaging.SMSInput{ContactID: ct.ID, Body: "Hello"})
	if st := f.waitStatus(t, m.ID); st != message.StatusFailed {
		t.Fatalf("status %s, want failed", st)
	}
	ctx := viewer.Operator.Grant(context.Background(), "test")
	var page *jobs.Page
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		if page, err = q.List(ctx, jobs.ListParams{States: []jobs.State{jobs.StateDiscarded}, Kinds: []string{"sms.send"}}); err != nil {
			t.Fatal(err)
		}
		if len(page.Jobs) == 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(page.Jobs) != 1 || page.Jobs[0].Attempt != 3 {
		t.Fatalf("dead letters %+v", page.Jobs)
	}
	if n := len(fake.Messages()); n != 0 {
		t.Fatalf("%d accepted", n)
	}
}

// TestSendJob_AcceptedButNotRecorded_FoundNotSentAgain: an earlier attempt
// handed the message to ClickSend, but its process died (or the answer was
// lost) before the outcome was written, so the message is still queued.
// The next attempt finds it in ClickSend's history by custom_string —
// behind a full page of other messages — records ClickSend's id and price,
// and sends nothing; a message ClickSend does not have is sent once. The
// first attempt does not ask.
func TestSendJob_AcceptedButNotRecorded_FoundNotSentAgain(t *testing.T) {
	fake := clicksendtest.New(t)
	cs := messaging.NewClickSend(fake.URL, clicksendtest.Username, clicksendtest.APIKey, 1000)
	f := newFixture(t, cs)
	f.svc.Now = func() time.Time { return syd("2026-03-11", "10:00") }
	ct := f.contact(t, false)
	earlier := f.queue(t, messaging.SMSInput{ContactID: ct.ID, Body: "Sent by an attempt that died"})
	// 120 other messages of the account, then the dead attempt's send.
	var others []messaging.SMS
	for i := range 120 {
		others = append(others, messaging.SMS{ID: fmt.Sprintf("other-%d", i), To: fmt.Sprintf("+614%08d", 50000000+i), Body: "Other"})
	}
	others = append(others, messaging.SMS{ID: string(earlier.ID), To: earlier.To, Body: earlier.Body})
	if _, err := cs.Send(context.Background(), others); err != nil {
		t.Fatal(err)
	}
	atClickSend := fake.Messages()[120].MessageID

	out, err := f.svc.Deliver(f.job("sms.send"), earlier.ID, messaging.Attempt{Again: true})
	if err != nil || out.Status != message.StatusSent {
		t.Fatalf("deliver again: %+v, %v", out, err)
	}
	if n := len(fake.Messages()); n != 121 {
		t.Fatalf("ClickSend holds %d messages, want the 121 it had: the message was sent again", n)
	}
	got, err := f.c.Message.Get(f.admin, earlier.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Provider != messaging.ClickSendName || got.ProviderMessageID == nil || *got.ProviderMessageID != atClickSend || got.CostCents != 8 || got.SentAt == nil {
		t.Fatalf("recorded %+v, want ClickSend's id %s and price", got, atClickSend)
	}
	if fake.HistoryRequests() < 2 {
		t.Errorf("%d history requests: the message was on the second page", fake.HistoryRequests())
	}

	// Not at ClickSend: sent, once.
	history := fake.HistoryRequests()
	fresh := f.queue(t, messaging.SMSInput{ContactID: ct.ID, Body: "Never reached ClickSend"})
	if out, err := f.svc.Deliver(f.job("sms.send"), fresh.ID, messaging.Attempt{Again: true}); err != nil || out.Status != message.StatusSent {
		t.Fatalf("deliver again: %+v, %v", out, err)
	}
	if n := len(fake.Messages()); n != 122 || fake.Messages()[121].CustomString != string(fresh.ID) {
		t.Fatalf("ClickSend holds %d messages, want the new one added", n)
	}
	if fake.HistoryRequests() == history {
		t.Error("the attempt after the first sent without asking ClickSend")
	}
	// A first attempt sends without asking.
	history = fake.HistoryRequests()
	first := f.queue(t, messaging.SMSInput{ContactID: ct.ID, Body: "First attempt"})
	if _, err := f.svc.Deliver(f.job("sms.send"), first.ID, messaging.Attempt{}); err != nil {
		t.Fatal(err)
	}
	if fake.HistoryRequests() != history || len(fake.Messages()) != 123 {
		t.Errorf("first attempt: %d history requests, %d messages", fake.HistoryRequests()-history, len(fake.Messages()))
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Fatalf("requests not in ClickSend's format: %v", p)
	}
}
