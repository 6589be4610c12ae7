package messaging_test

import (
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/message"
	"github.com/avatarimaging/avatarcrm/ent/optout"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
)

func TestReminders_24hAnd2hExactlyOnce(t *testing.T) {
	f := newFixture(t, nil)
	ct := f.contact(t, false)
	b := f.book(t, ct, syd("2026-03-20", "14:30"))

	f.setNow(syd("2026-03-19", "14:00"))
	f.scan(t)
	if ms := f.messages(t, ct.ID); len(ms) != 0 {
		t.Fatalf("queued %d before the 24 h reminder is due", len(ms))
	}
	f.setNow(syd("2026-03-19", "14:30"))
	for range 2 { // the schedule run twice queues once
		f.scan(t)
		f.deliverDue(t)
	}
	f.setNow(syd("2026-03-19", "16:00"))
	f.scan(t)
	f.deliverDue(t)
	got := f.sentTo(ct)
	if len(got) != 1 || !strings.Contains(got[0], "Fri 20 Mar") || !strings.Contains(got[0], "2:30 pm") || !strings.Contains(got[0], "Avatar Imaging Sydney") {
		t.Fatalf("24 h reminder: %q", got)
	}
	f.setNow(syd("2026-03-20", "12:30"))
	f.scan(t)
	f.scan(t)
	f.deliverDue(t)
	f.deliverDue(t)
	if got = f.sentTo(ct); len(got) != 2 || !strings.Contains(got[1], "today") {
		t.Fatalf("after the 2 h reminder: %q", got)
	}
	ms := f.messages(t, ct.ID)
	if len(ms) != 2 || ms[0].Template != messaging.TemplateReminder24h || *ms[0].Key != messaging.ReminderKey(messaging.TemplateReminder24h, b) ||
		ms[1].Template != messaging.TemplateReminder2h || ms[1].Status != message.StatusSent || ms[1].Provider != "recorder" || ms[1].CostCents != 8 {
		t.Fatalf("messages %+v", ms)
	}
	// The contact's timeline shows each message sent, as outbound.
	tps, err := ct.QueryTouchpoints().All(f.admin)
	if err != nil {
		t.Fatal(err)
	}
	var out int
	for _, tp := range tps {
		if tp.Kind == "sms_out" {
			out++
		}
	}
	if out != 2 {
		t.Errorf("%d sms_out touchpoints, want 2", out)
	}
}

func TestReminders_DaylightSaving(t *testing.T) {
	for _, tc := range []struct {
		name        string
		start       time.Time
		due         time.Time // Saturday at the same local time
		hoursBefore float64
		date        string
	}{
		// Sunday 5 April 2026 10:00 AEST; the reminder goes Saturday 10:00 AEDT, 25 hours before.
		{"April", syd("2026-04-05", "10:00"), syd("2026-04-04", "10:00"), 25, "Sun 5 Apr"},
		// Sunday 4 October 2026 10:00 AEDT; the reminder goes Saturday 10:00 AEST, 23 hours before.
		{"October", syd("2026-10-04", "10:00"), syd("2026-10-03", "10:00"), 23, "Sun 4 Oct"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if h := tc.start.Sub(tc.due).Hours(); h != tc.hoursBefore {
				t.Fatalf("test dates: %v hours apart", h)
			}
			f := newFixture(t, nil)
			ct := f.contact(t, false)
			f.book(t, ct, tc.start)
			f.setNow(tc.due.Add(-time.Minute))
			f.scan(t)
			f.deliverDue(t)
			if got := f.sentTo(ct); len(got) != 0 {
				t.Fatalf("sent before 10:00 local: %q", got)
			}
			f.setNow(tc.due)
			f.scan(t)
			f.deliverDue(t)
			got := f.sentTo(ct)
			if len(got) != 1 || !strings.Contains(got[0], tc.date) || !strings.Contains(got[0], "10:00 am") {
				t.Fatalf("reminder: %q", got)
			}
		})
	}
}

func TestReminders_CombinedForOneDay(t *testing.T) {
	f := newFixture(t, nil)
	ct := f.contact(t, false)
	other := f.contact(t, false)
	f.book(t, ct, syd("2026-03-20", "09:00"))
	f.book(t, ct, syd("2026-03-20", "11:30"))
	f.book(t, other, syd("2026-03-20", "11:30"))
	for _, at := range []string{"09:00", "09:05", "11:30", "11:35"} {
		f.setNow(syd("2026-03-19", at))
		f.scan(t)
		f.deliverDue(t)
	}
	got := f.sentTo(ct)
	if len(got) != 1 || !strings.Contains(got[0], "9:00 am") || !strings.Contains(got[0], "11:30 am") {
		t.Fatalf("combined 24 h reminder: %q", got)
	}
	if n := len(f.sentTo(other)); n != 1 {
		t.Fatalf("the other patient got %d reminders", n)
	}
	for _, at := range []string{"08:00", "09:30", "10:00"} { // 2 h before each
		f.setNow(syd("2026-03-20", at))
		f.scan(t)
		f.deliverDue(t)
	}
	if got = f.sentTo(ct); len(got) != 2 || !strings.Contains(got[1], "9:00 am") || !strings.Contains(got[1], "11:30 am") {
		t.Fatalf("combined 2 h reminder: %q", got)
	}
}

func TestReminders_RescheduledAndCancelled(t *testing.T) {
	f := newFixture(t, nil)
	ct := f.contact(t, false)
	b := f.book(t, ct, syd("2026-03-20", "14:30"))
	// The 24 h reminder is queued, then the booking moves before it goes.
	f.setNow(syd("2026-03-19", "14:30"))
	f.scan(t)
	newStart := syd("2026-03-23", "10:00")
	if err := b.Update().SetStartsAt(newStart).SetEndsAt(newStart.Add(30 * time.Minute)).Exec(f.admin); err != nil {
		t.Fatal(err)
	}
	f.deliverDue(t)
	if got := f.sentTo(ct); len(got) != 0 {
		t.Fatalf("the old time's reminder went: %q", got)
	}
	ms := f.messages(t, ct.ID)
	if len(ms) != 1 || ms[0].Status != message.StatusSuppressed || *ms[0].SuppressedReason != messaging.ReasonBookingRescheduled {
		t.Fatalf("old reminder: %+v", ms)
	}
	// At the old 2 h time nothing is due; at the new times the reminders go.
	f.setNow(syd("2026-03-20", "12:30"))
	f.scan(t)
	f.deliverDue(t)
	f.setNow(syd("2026-03-22", "10:00"))
	f.scan(t)
	f.deliverDue(t)
	got := f.sentTo(ct)
	if len(got) != 1 || !strings.Contains(got[0], "Mon 23 Mar") {
		t.Fatalf("new time's reminder: %q", got)
	}
	// The 2 h reminder is queued, then the booking is cancelled before its
	// job runs: it never goes, and nothing more is queued.
	f.setNow(syd("2026-03-23", "08:00"))
	f.scan(t)
	if err := b.Update().SetStatus(booking.StatusCancelled).Exec(f.admin); err != nil {
		t.Fatal(err)
	}
	f.deliverDue(t)
	f.setNow(syd("2026-03-23", "08:05"))
	f.scan(t)
	f.deliverDue(t)
	if got := f.sentTo(ct); len(got) != 1 {
		t.Fatalf("sent after the cancellation: %q", got)
	}
	ms = f.messages(t, ct.ID)
	last := ms[len(ms)-1]
	if len(ms) != 3 || last.Template != messaging.TemplateReminder2h || last.Status != message.StatusSuppressed || *last.SuppressedReason != messaging.ReasonBookingCancelled {
		t.Fatalf("messages after the cancellation: %d, last %+v", len(ms), last)
	}
}

func TestSuppression_OptOutAndConsent(t *testing.T) {
	f := newFixture(t, nil)
	out := f.contact(t, true)
	if err := messaging.OptOutAddress(f.admin, f.c, f.loc.ID, optout.ChannelSms, *out.Phone, "reply_stop"); err != nil {
		t.Fatal(err)
	}
	if err := messaging.OptOutAddress(f.admin, f.c, f.loc.ID, optout.ChannelSms, *out.Phone, "reply_stop"); err != nil {
		t.Fatalf("opting out twice: %v", err)
	}
	f.book(t, out, syd("2026-03-12", "14:00"))
	f.setNow(syd("2026-03-11", "14:00"))
	f.scan(t)
	noConsent := f.contact(t, false)
	consent := f.contact(t, true)
	f.queue(t, messaging.SMSInput{ContactID: noConsent.ID, Body: "Winter special on scans", Marketing: true})
	f.queue(t, messaging.SMSInput{ContactID: consent.ID, Body: "Winter special on scans", Marketing: true})
	f.deliverDue(t)
	if got := f.sentTo(out); len(got) != 0 {
		t.Errorf("opted out, sent %q", got)
	}
	if ms := f.messages(t, out.ID); len(ms) != 1 || *ms[0].SuppressedReason != messaging.ReasonOptedOut {
		t.Errorf("opted out: %+v", ms)
	}
	if ms := f.messages(t, noConsent.ID); len(ms) != 1 || *ms[0].SuppressedReason != messaging.ReasonNoConsent {
		t.Errorf("no consent: %+v", ms)
	}
	got := f.sentTo(consent)
	if len(got) != 1 || !strings.HasSuffix(got[0], "\n"+messaging.OptOutLine) || !strings.HasPrefix(got[0], "Avatar Imaging Sydney: ") {
		t.Errorf("marketing with consent: %q", got)
	}
}

func TestQueueSMS_QuietHoursAndKey(t *testing.T) {
	f := newFixture(t, nil)
	ct := f.contact(t, false)
	f.setNow(syd("2026-03-11", "21:15"))
	in := messaging.SMSInput{ContactID: ct.ID, Template: messaging.TemplateWelcome, Key: "welcome:" + string(ct.ID)}
	m := f.queue(t, in)
	again := f.queue(t, in)
	if again.ID != m.ID {
		t.Fatalf("same key, two messages: %s and %s", m.ID, again.ID)
	}
	if m.Status != message.StatusDeferred || !m.SendAfter.Equal(syd("2026-03-12", "08:00")) {
		t.Fatalf("queued at 21:15: %s until %v", m.Status, m.SendAfter)
	}
	// A send job that runs early (another process's clock) defers again.
	out, err := f.svc.Deliver(f.job("sms.send"), m.ID, messaging.Attempt{})
	if err != nil || out.Status != message.StatusDeferred || out.Deferred != 10*time.Hour+45*time.Minute {
		t.Fatalf("early delivery: %+v, %v", out, err)
	}
	urgent := f.queue(t, messaging.SMSInput{ContactID: ct.ID, Body: "Your results are ready", Urgent: true})
	if urgent.Status != message.StatusQueued {
		t.Fatalf("urgent message %s", urgent.Status)
	}
	f.deliverDue(t)
	if got := f.sentTo(ct); len(got) != 1 || got[0] != "Avatar Imaging Sydney: Your results are ready" {
		t.Fatalf("at night: %q", got)
	}
	f.setNow(syd("2026-03-12", "08:00"))
	f.deliverDue(t)
	f.deliverDue(t)
	if got := f.sentTo(ct); len(got) != 2 || !strings.Contains(got[1], "thanks for contacting Avatar Imaging Sydney") {
		t.Fatalf("in the morning: %q", got)
	}
}

func TestRecalls_OncePerBooking(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.knee.Update().SetRecallMonths(6).Exec(f.admin); err != nil {
		t.Fatal(err)
	}
	ct := f.contact(t, true)
	back := f.contact(t, true)
	b := f.book(t, ct, syd("2026-03-02", "10:00"))
	b2 := f.book(t, back, syd("2026-03-02", "11:00"))
	for _, bk := range []*ent.Booking{b, b2} {
		if err := bk.Update().SetStatus(booking.StatusCompleted).SetCompletedAt(bk.StartsAt.Add(time.Hour)).Exec(f.admin); err != nil {
			t.Fatal(err)
		}
	}
	// The second patient booked again: no recall for them.
	f.book(t, back, syd("2026-06-01", "11:00"))
	f.setNow(syd("2026-09-01", "09:00"))
	if _, err := f.svc.ScanRecalls(f.job("schedule.recalls"), f.loc.ID, f.svc.Now.Now()); err != nil || len(f.messages(t, ct.ID)) != 0 {
		t.Fatalf("recalled before six months (%v)", err)
	}
	f.setNow(syd("2026-09-07", "09:00"))
	for range 2 {
		if _, err := f.svc.ScanRecalls(f.job("schedule.recalls"), f.loc.ID, f.svc.Now.Now()); err != nil {
			t.Fatal(err)
		}
		f.deliverDue(t)
	}
	got := f.sentTo(ct)
	if len(got) != 1 || !strings.Contains(got[0], "follow-up") || !strings.HasSuffix(got[0], messaging.OptOutLine) {
		t.Fatalf("recall: %q", got)
	}
	if got := f.sentTo(back); len(got) != 0 {
		t.Fatalf("recalled a patient who booked again: %q", got)
	}
}

func TestReminders_ServiceOffset(t *testing.T) {
	f := newFixture(t, nil)
	// An MRI that needs preparation: the first reminder two days before.
	if err := f.knee.Update().SetReminderHours(48).Exec(f.admin); err != nil {
		t.Fatal(err)
	}
	ct := f.contact(t, false)
	f.book(t, ct, syd("2026-03-20", "14:30"))
	f.setNow(syd("2026-03-18", "14:29"))
	f.scan(t)
	if ms := f.messages(t, ct.ID); len(ms) != 0 {
		t.Fatalf("queued %d before 48 h", len(ms))
	}
	for _, at := range []string{"2026-03-18 14:30", "2026-03-19 14:30"} {
		f.setNow(syd(at[:10], at[11:]))
		f.scan(t)
		f.deliverDue(t)
	}
	if got := f.sentTo(ct); len(got) != 1 || !strings.Contains(got[0], "Fri 20 Mar") {
		t.Fatalf("first reminder: %q", got)
	}
	// Six hours: not a whole day, so six real hours before.
	if err := f.knee.Update().SetReminderHours(6).Exec(f.admin); err != nil {
		t.Fatal(err)
	}
	other := f.contact(t, false)
	f.book(t, other, syd("2026-03-25", "15:00"))
	f.setNow(syd("2026-03-25", "08:59"))
	f.scan(t)
	f.setNow(syd("2026-03-25", "09:00"))
	f.scan(t)
	f.deliverDue(t)
	if got := f.sentTo(other); len(got) != 1 {
		t.Fatalf("6 h reminder: %q", got)
	}
}
