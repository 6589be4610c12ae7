package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/messaging/clicksendtest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// settle is how long the test waits for River to work what was enqueued: a
// guard against a hang, not a measure of speed.
const settle = 30 * time.Second

// TestEndToEnd_BookingSMS is issue 14's end-to-end path on a real SQLite
// file, the whole app serving HTTP and working River jobs, with the
// clicksend provider pointed at a local fake ClickSend and the app's clock
// moved by the test: a new contact gets the welcome SMS, a booking its
// confirmation, the reminders schedule sends exactly one 24 h and one 2 h
// reminder (running it twice sends nothing twice), a rescheduled booking
// never gets its old reminders again and gets its own at the new time, and
// a cancelled booking gets nothing more. Every time is chosen inside the
// location's allowed hours (quiet hours are 20:00–08:00 in Sydney).
func TestEndToEnd_BookingSMS(t *testing.T) {
	fake := clicksendtest.New(t)
	var now atomic.Pointer[time.Time]
	setNow := func(at time.Time) { at = at.UTC(); now.Store(&at) }
	setNow(testutil.Now) // Wed 11 Mar 2026, 09:00 in Sydney
	srv := testutil.StartServer(t, testutil.ServerOptions{
		Now: func() time.Time { return *now.Load() },
		Env: map[string]string{
			"AVATARCRM_SMS_PROVIDER":       "clicksend",
			"AVATARCRM_CLICKSEND_BASE_URL": fake.URL,
			"AVATARCRM_CLICKSEND_USERNAME": clicksendtest.Username,
			"AVATARCRM_CLICKSEND_API_KEY":  clicksendtest.APIKey,
			"AVATARCRM_CLICKSEND_RATE":     "1000",
		},
	})
	admin := srv.SignIn(t, "admin@example.com")
	sys := viewer.Operator.Grant(context.Background(), "e2e-test")
	c := srv.App.Ent.Ent

	const phone = "+61491570156"
	// sent is what the fake ClickSend accepted for the patient.
	sent := func() []clicksendtest.Message {
		var out []clicksendtest.Message
		for _, m := range fake.Messages() {
			if m.To == phone {
				out = append(out, m)
			}
		}
		return out
	}
	// waitSent waits until the fake holds n messages for the patient.
	waitSent := func(step string, n int) []clicksendtest.Message {
		t.Helper()
		deadline := time.Now().Add(settle)
		for {
			got := sent()
			if len(got) >= n || time.Now().After(deadline) {
				if len(got) != n {
					t.Fatalf("%s: ClickSend got %d messages for the patient, want %d:\n%s", step, len(got), n, bodies(got))
				}
				return got
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	var cr struct{ CreateContact struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation($p: String!) { createContact(input: {firstName: "Ava", lastName: "Endtoend", phone: $p, smsConsent: true}) { id } }`,
		map[string]any{"p": phone}).Decode(t, &cr)
	contactID := pulid.ID(cr.CreateContact.ID)
	got := waitSent("welcome", 1)
	ct, err := c.Contact.Get(sys, contactID)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := c.Location.Get(sys, ct.LocationID)
	if err != nil {
		t.Fatal(err)
	}
	zone, err := time.LoadLocation(loc.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	if loc.Timezone != "Australia/Sydney" {
		t.Fatalf("the admin's contact is at %s (%s); the times below are chosen for Sydney", loc.Code, loc.Timezone)
	}
	local := func(date, clock string) time.Time {
		at, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, zone)
		if err != nil {
			t.Fatal(err)
		}
		return at.UTC()
	}
	svc, err := c.Service.Query().Where(service.LocationID(loc.ID)).Order(ent.Asc(service.FieldID)).First(sys)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got[0].Body, "Ava") {
		t.Errorf("the welcome SMS does not greet the patient: %q", got[0].Body)
	}

	// templates lists the templates of the patient's messages that went
	// out, and fails if any is still waiting to go. ClickSend holds a
	// message a moment before the send job records the answer, so a
	// message still queued is given until settle to be marked sent.
	templates := func(step string) []string {
		t.Helper()
		deadline := time.Now().Add(settle)
		for {
			ms, err := c.Message.Query().Where(message.ContactID(contactID)).
				Order(ent.Asc(message.FieldCreatedAt), ent.Asc(message.FieldID)).All(sys)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			var waiting []string
			for _, m := range ms {
				switch m.Status {
				case message.StatusSent, message.StatusDelivered:
					out = append(out, m.Template)
				case message.StatusQueued, message.StatusDeferred:
					waiting = append(waiting, fmt.Sprintf("message %s (%s) is still %s", m.ID, m.Template, m.Status))
				}
			}
			if len(waiting) == 0 {
				return out
			}
			if time.Now().After(deadline) {
				t.Errorf("%s: %s", step, strings.Join(waiting, "; "))
				return out
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Saturday 14 March, 2:10 pm: its 24 h reminder is due Friday 2:10 pm
	// and its 2 h one Saturday 12:10 pm, both inside allowed hours.
	start := local("2026-03-14", "14:10")
	var bk struct{ CreateBooking struct{ ID string } }
	srv.MustGraphQL(t, admin, `mutation($c: ID!, $s: ID!, $at: Time!, $end: Time!) { createBooking(input: {contactID: $c, serviceID: $s, startsAt: $at, endsAt: $end}) { id } }`,
		map[string]any{"c": contactID, "s": svc.ID, "at": start, "end": start.Add(30 * time.Minute)}).Decode(t, &bk)
	bookingID := bk.CreateBooking.ID
	got = waitSent("confirmation", 2)
	if !strings.Contains(got[1].Body, "14 Mar") {
		t.Errorf("the confirmation does not name the day: %q", got[1].Body)
	}
	if tpl := templates("confirmation"); !slices.Equal(tpl, []string{"welcome", "confirmation"}) {
		t.Fatalf("after the booking: %v", tpl)
	}

	// runReminders is `avatarcrm schedule run reminders`: it enqueues the
	// current period's scan (a duplicate if already enqueued), waits for the
	// scan, and for every message it queued to be handed over.
	runReminders := func(step string) {
		t.Helper()
		fired, err := srv.App.Schedules.Run(context.Background(), "reminders")
		if err != nil {
			t.Fatalf("%s: schedule run reminders: %v", step, err)
		}
		for _, f := range fired {
			waitJob(t, srv.App.Jobs, sys, step, f.Job.ID)
		}
		deadline := time.Now().Add(settle)
		for {
			n, err := c.Message.Query().Where(message.StatusIn(message.StatusQueued),
				message.Or(message.SendAfterIsNil(), message.SendAfterLTE(*now.Load()))).Count(sys)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d messages still queued", step, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Nothing is due yet.
	runReminders("two days before")
	waitSent("two days before", 2)

	setNow(start.AddDate(0, 0, -1)) // Friday 2:10 pm
	runReminders("24 h before")
	got = waitSent("24 h before", 3)
	runReminders("24 h before, again")
	setNow(start.AddDate(0, 0, -1).Add(10 * time.Minute))
	runReminders("24 h before, next period")
	waitSent("24 h before, twice", 3)
	if tpl := templates("24 h"); !slices.Equal(tpl, []string{"welcome", "confirmation", "reminder_24h"}) {
		t.Fatalf("after the 24 h reminder: %v", tpl)
	}
	if !strings.Contains(got[2].Body, "2:10") {
		t.Errorf("the 24 h reminder does not name the time: %q", got[2].Body)
	}

	setNow(start.Add(-2 * time.Hour)) // Saturday 12:10 pm
	runReminders("2 h before")
	waitSent("2 h before", 4)
	runReminders("2 h before, again")
	waitSent("2 h before, twice", 4)
	if tpl := templates("2 h"); !slices.Equal(tpl, []string{"welcome", "confirmation", "reminder_24h", "reminder_2h"}) {
		t.Fatalf("after the 2 h reminder: %v", tpl)
	}

	// Rescheduled to Tuesday 17 March, 10:40 am.
	moved := local("2026-03-17", "10:40")
	// Sessions end by the app's clock, which has moved days on.
	admin = srv.SignIn(t, "admin@example.com")
	srv.MustGraphQL(t, admin, `mutation($id: ID!, $at: Time!) { rescheduleBooking(id: $id, startsAt: $at) { id startsAt } }`,
		map[string]any{"id": bookingID, "at": moved})
	// The old time's reminders do not go again, at the old time or after.
	setNow(start.Add(-time.Hour))
	runReminders("old time, 1 h before")
	setNow(start.Add(10 * time.Minute))
	runReminders("old time, after it")
	waitSent("after rescheduling", 4)
	// Monday 10:40 am: the new time's 24 h reminder, once.
	setNow(moved.AddDate(0, 0, -1))
	runReminders("new time, 24 h before")
	got = waitSent("new time, 24 h before", 5)
	runReminders("new time, 24 h before, again")
	waitSent("new time, 24 h before, twice", 5)
	if !strings.Contains(got[4].Body, "10:40") {
		t.Errorf("the new time's reminder does not name the new time: %q", got[4].Body)
	}

	// Cancelled: its 2 h reminder never goes.
	setNow(moved.AddDate(0, 0, -1).Add(30 * time.Minute))
	admin = srv.SignIn(t, "admin@example.com")
	srv.MustGraphQL(t, admin, `mutation($id: ID!) { cancelBooking(id: $id, reason: "Patient unwell") { id status } }`,
		map[string]any{"id": bookingID})
	setNow(moved.Add(-2 * time.Hour))
	runReminders("cancelled, 2 h before")
	setNow(moved.Add(-time.Hour))
	runReminders("cancelled, 1 h before")
	waitSent("cancelled", 5)
	if tpl := templates("end"); !slices.Equal(tpl, []string{"welcome", "confirmation", "reminder_24h", "reminder_2h", "reminder_24h"}) {
		t.Errorf("the patient's messages: %v", tpl)
	}
	if p := fake.Problems(); len(p) > 0 {
		t.Errorf("ClickSend's format was broken: %v", p)
	}
}

// waitJob waits until a job has finished, and fails unless it completed.
func waitJob(t *testing.T, q *jobs.Queue, ctx context.Context, step string, id int64) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		j, err := q.Get(ctx, id)
		if err != nil {
			t.Fatalf("%s: job %d: %v", step, id, err)
		}
		switch j.State {
		case jobs.StateCompleted:
			return
		case jobs.StateDiscarded, jobs.StateCancelled, jobs.StateRetryable:
			t.Fatalf("%s: job %d (%s) %s: %v", step, id, j.Kind, j.State, j.Errors)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: job %d (%s) still %s", step, id, j.Kind, j.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func bodies(ms []clicksendtest.Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "  %q\n", m.Body)
	}
	return b.String()
}
