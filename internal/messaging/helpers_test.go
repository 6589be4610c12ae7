package messaging_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

var sydney, _ = time.LoadLocation("Australia/Sydney")

// syd is a wall-clock time in Sydney.
func syd(date, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, sydney)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// fixture is the demo database with a messaging service whose clock the
// test moves, a queue that only inserts (the test delivers what is due),
// and a provider that records what it was handed.
type fixture struct {
	d     *db.DB
	c     *ent.Client
	svc   *messaging.Service
	q     *jobs.Queue
	admin context.Context
	loc   *ent.Location
	knee  *ent.Service
	sent  *recorder
	now   atomic.Pointer[time.Time]
	seq   int
}

// recorder is a provider that keeps what it sent.
type recorder struct {
	msgs []messaging.SMS
}

func (r *recorder) Name() string { return "recorder" }
func (r *recorder) Send(_ context.Context, msgs []messaging.SMS) ([]messaging.Result, error) {
	out := make([]messaging.Result, len(msgs))
	for i, m := range msgs {
		r.msgs = append(r.msgs, m)
		out[i] = messaging.Result{ID: m.ID, OK: true, Status: "SUCCESS", ProviderMessageID: "rec-" + m.ID, CostCents: -1}
	}
	return out, nil
}

func newFixture(t *testing.T, p messaging.Provider) *fixture {
	t.Helper()
	d := testutil.DemoDB(t)
	testutil.Client(t, d) // the hooks every process installs
	f := &fixture{d: d, c: d.Client, sent: &recorder{}}
	if p == nil {
		p = f.sent
	}
	f.svc = &messaging.Service{Client: d.Client, Provider: p, PriceCents: 8, Now: func() time.Time { return *f.now.Load() }}
	f.setNow(testutil.Now)
	ws := jobs.NewWorkers()
	messaging.AddWorkers(ws, f.svc)
	q, err := jobs.New(context.Background(), d, ws, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	f.q, f.svc.Jobs = q, q
	f.admin = testutil.As(t, d.Client, "admin@example.com")
	if f.loc, err = d.Client.Location.Query().Where(location.Code("SYD")).Only(f.admin); err != nil {
		t.Fatal(err)
	}
	f.knee, err = d.Client.Service.Query().Where(service.LocationID(f.loc.ID)).First(f.admin)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) setNow(t time.Time) { t = t.UTC(); f.now.Store(&t) }

// job is the context a job of the location runs in.
func (f *fixture) job(kind string) context.Context {
	return viewer.ForJob(context.Background(), f.loc.ID, kind)
}

// contact creates a contact with a new phone number.
func (f *fixture) contact(t *testing.T, consent bool) *ent.Contact {
	t.Helper()
	f.seq++
	ct, err := f.c.Contact.Create().SetFirstName(fmt.Sprintf("Ava%d", f.seq)).SetLastName("Test").
		SetPhone(fmt.Sprintf("+614%08d", 31000000+f.seq)).SetSmsConsent(consent).Save(f.admin)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// book books the contact for the knee service at start.
func (f *fixture) book(t *testing.T, ct *ent.Contact, start time.Time) *ent.Booking {
	t.Helper()
	b, err := f.c.Booking.Create().SetContactID(ct.ID).SetServiceID(f.knee.ID).SetStartsAt(start).
		SetEndsAt(start.Add(30 * time.Minute)).SetStatus("confirmed").Save(f.admin)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// queue queues one SMS in its own transaction, as a rule would.
func (f *fixture) queue(t *testing.T, in messaging.SMSInput) *ent.Message {
	t.Helper()
	var m *ent.Message
	err := txn.Run(f.admin, f.c, func(ctx context.Context, c *ent.Client) error {
		var err error
		m, err = f.svc.QueueSMS(ctx, c, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// scan runs the reminders scan at the fixture's now.
func (f *fixture) scan(t *testing.T) messaging.ScanResult {
	t.Helper()
	res, err := f.svc.ScanReminders(viewer.ForJob(context.Background(), "", "schedule.reminders"), f.svc.Now.Now())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// deliverDue does what the send jobs would do at now: delivers every
// message queued, or deferred until now or before.
func (f *fixture) deliverDue(t *testing.T) {
	t.Helper()
	now := f.svc.Now.Now()
	ms, err := f.c.Message.Query().Where(message.LocationID(f.loc.ID), message.StatusIn(message.StatusQueued, message.StatusDeferred),
		message.Or(message.SendAfterIsNil(), message.SendAfterLTE(now))).All(f.admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if _, err := f.svc.Deliver(f.job("sms.send"), m.ID, messaging.Attempt{}); err != nil {
			t.Fatalf("deliver %s: %v", m.ID, err)
		}
	}
}

// messages lists the contact's messages, oldest first.
func (f *fixture) messages(t *testing.T, id pulid.ID) []*ent.Message {
	t.Helper()
	ms, err := f.c.Message.Query().Where(message.ContactID(id)).Order(ent.Asc(message.FieldCreatedAt), ent.Asc(message.FieldID)).All(f.admin)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// sentTo lists the bodies the provider got for a number.
func (f *fixture) sentTo(ct *ent.Contact) []string {
	var out []string
	for _, m := range f.sent.msgs {
		if m.To == *ct.Phone {
			out = append(out, m.Body)
		}
	}
	return out
}

var _ = contact.FieldID
