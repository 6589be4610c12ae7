package messaging_test

import (
	"context"
	"errors"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// sendJobs counts the sms.send jobs in River's table.
func (f *fixture) sendJobs(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.d.SQL.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'sms.send'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// With the Outbox, a message that may go now is sent in the transaction
// that queues it: sent, with its touchpoint, and no send job; rolled back
// with it, nothing stays. A deferred one (quiet hours) still waits for its
// job, and a suppressed one is suppressed at once.
func TestQueueSMS_OutboxSendsInTheQueuingTransaction(t *testing.T) {
	f := newFixture(t, messaging.Outbox{})
	f.setNow(syd("2026-03-11", "10:00"))
	ct := f.contact(t, false)
	m := f.queue(t, messaging.SMSInput{ContactID: ct.ID, Template: messaging.TemplateWelcome, Key: "welcome:" + string(ct.ID)})
	if m.Status != message.StatusSent || m.Provider != messaging.OutboxName || m.SentAt == nil || m.CostCents != 8*m.Segments {
		t.Fatalf("outbox message %+v", m)
	}
	tps, err := f.c.Touchpoint.Query().Where(touchpoint.ContactID(ct.ID), touchpoint.KindEQ(touchpoint.KindSmsOut)).All(f.admin)
	if err != nil || len(tps) != 1 {
		t.Fatalf("touchpoints %+v %v", tps, err)
	}
	if again := f.queue(t, messaging.SMSInput{ContactID: ct.ID, Template: messaging.TemplateWelcome, Key: "welcome:" + string(ct.ID)}); again.ID != m.ID {
		t.Fatalf("same key, a second message %s", again.ID)
	}
	if n := f.sendJobs(t); n != 0 {
		t.Fatalf("%d send jobs for an outbox message sent inline", n)
	}

	// Rolled back with the change that queued it: no message, no touchpoint.
	other := f.contact(t, false)
	boom := errors.New("the change failed")
	err = txn.Run(f.admin, f.c, func(ctx context.Context, c *ent.Client) error {
		if _, err := f.svc.QueueSMS(ctx, c, messaging.SMSInput{ContactID: other.ID, Body: "Hello"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if ms := f.messages(t, other.ID); len(ms) != 0 {
		t.Fatalf("rolled back, yet %d message(s)", len(ms))
	}
	if n, _ := f.c.Touchpoint.Query().Where(touchpoint.ContactID(other.ID)).Count(f.admin); n != 0 {
		t.Fatalf("rolled back, yet %d touchpoint(s)", n)
	}

	// Opted out: suppressed at once, nothing sent.
	if err := messaging.OptOutAddress(f.admin, f.c, f.loc.ID, optout.ChannelSms, *other.Phone, "reply_stop"); err != nil {
		t.Fatal(err)
	}
	if s := f.queue(t, messaging.SMSInput{ContactID: other.ID, Body: "Hello"}); s.Status != message.StatusSuppressed || *s.SuppressedReason != messaging.ReasonOptedOut {
		t.Fatalf("opted out: %+v", s)
	}

	// Quiet hours: deferred, with its send job for the morning.
	f.setNow(syd("2026-03-11", "21:15"))
	late := f.queue(t, messaging.SMSInput{ContactID: ct.ID, Body: "Your results are ready"})
	if late.Status != message.StatusDeferred || f.sendJobs(t) != 1 {
		t.Fatalf("at night: %s, %d send jobs", late.Status, f.sendJobs(t))
	}
}
