package messaging_test

import (
	"context"
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
