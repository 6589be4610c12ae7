package automation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/automationrun"
	"github.com/avatarimaging/avatarcrm/ent/event"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/seed"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// welcomeOnly leaves one enabled rule: every contact created gets the
// welcome SMS.
func welcomeOnly(t *testing.T) (*world, *ent.AutomationRule) {
	t.Helper()
	w := newWorld(t)
	w.disableDefaults()
	r, err := w.auto.CreateRule(w.admin, automation.RuleInput{
		Name: ptr("Welcome"), Trigger: ptr(events.ContactCreated),
		Actions: []types.AutomationAction{{Type: automation.ActionSendSMS, Template: "welcome"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return w, r
}

func (w *world) mustCreate(first string, n int) *ent.Contact {
	w.t.Helper()
	ct, err := w.contacts.Create(w.admin, ent.CreateContactInput{
		FirstName: first, LastName: ptr("Batch"), Phone: ptr(fmt.Sprintf("0412 100 %03d", n)),
	}, false)
	if err != nil {
		w.t.Fatal(err)
	}
	return ct
}

// eventJobs returns the event jobs queued so far, in order.
func (w *world) eventJobs() []events.Args {
	w.q.mu.Lock()
	defer w.q.mu.Unlock()
	var out []events.Args
	for _, j := range w.q.jobs {
		if a, ok := j.args.(events.Args); ok {
			out = append(out, a)
		}
	}
	return out
}

// runEventJob works one event job's first attempt as River would, on s.
func runEventJob(s *automation.Service, a events.Args, last bool) error {
	return s.DispatchBatch(viewer.ForJob(context.Background(), a.LocationID, a.Kind()), a.EventID, a.LocationID, last)
}

// eventOf returns the contact.created event of ct.
func (w *world) eventOf(ct *ent.Contact) *ent.Event {
	w.t.Helper()
	ev, err := w.c.Event.Query().Where(event.TypeEQ(events.ContactCreated), event.SubjectID(string(ct.ID))).
		Only(viewer.Seed.Grant(context.Background(), "t"))
	if err != nil {
		w.t.Fatal(err)
	}
	return ev
}

// runsOf returns the rule's runs for ct.
func (w *world) runsOf(rule *ent.AutomationRule, ct *ent.Contact) []*ent.AutomationRun {
	w.t.Helper()
	runs, err := w.c.AutomationRun.Query().Where(automationrun.RuleID(rule.ID), automationrun.ContactID(ct.ID)).
		All(viewer.Seed.Grant(context.Background(), "t"))
	if err != nil {
		w.t.Fatal(err)
	}
	return runs
}

// smsTo counts the SMS queued for ct (each key once: fakeSMS).
func (w *world) smsTo(ct *ent.Contact) int {
	w.sms.mu.Lock()
	defer w.sms.mu.Unlock()
	n := 0
	for _, s := range w.sms.sent {
		if s.ContactID == ct.ID {
			n++
		}
	}
	return n
}

// One event's job dispatches every pending event of the location; the
// other events' jobs then do nothing, in this process and in another.
func TestDispatchBatch_EveryEventOnce(t *testing.T) {
	w, rule := welcomeOnly(t)
	var cts []*ent.Contact
	for i := range 5 {
		cts = append(cts, w.mustCreate(fmt.Sprintf("Bea%d", i), i))
	}
	jobs := w.eventJobs()
	if len(jobs) != 5 {
		t.Fatalf("%d event jobs, want 5", len(jobs))
	}
	if err := runEventJob(w.auto, jobs[2], false); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, ct := range cts {
			if ev := w.eventOf(ct); ev.ProcessedAt == nil {
				t.Errorf("%s: %s's event not processed", when, ct.FirstName)
			}
			runs := w.runsOf(rule, ct)
			if len(runs) != 1 || runs[0].Outcome != automationrun.OutcomeDone {
				t.Errorf("%s: %s has runs %+v, want one done", when, ct.FirstName, runs)
			}
			if n := w.smsTo(ct); n != 1 {
				t.Errorf("%s: %d SMS to %s, want 1", when, n, ct.FirstName)
			}
		}
	}
	check("after one job")
	calls := w.sms.calls
	// The other jobs, here and in another process (which knows nothing
	// of this one's batches), dispatch nothing again.
	other := &automation.Service{Client: w.c, Jobs: w.q, SMS: w.sms, Tasks: w.tasks, Stages: w.stages, Now: w.clock.Now}
	for _, s := range []*automation.Service{w.auto, other, w.auto} {
		for _, a := range jobs {
			if err := runEventJob(s, a, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	check("after every job ran")
	if w.sms.calls != calls {
		t.Errorf("the SMS sender was called %d more times", w.sms.calls-calls)
	}
}

// blockingFanout creates a contact from another goroutine while the first
// batch is inside its transaction, so that contact's event commits while
// the batch runs.
type blockingFanout struct {
	once sync.Once
	w    *world
	wg   sync.WaitGroup
	late *ent.Contact
	err  error
}

func (f *blockingFanout) Fanout(context.Context, *ent.Client, *ent.Event) error {
	f.once.Do(func() {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.late, f.err = f.w.contacts.Create(f.w.admin, ent.CreateContactInput{
				FirstName: "Late", LastName: ptr("Batch"), Phone: ptr("0412 100 999"),
			}, false)
		}()
	})
	return nil
}

// An event committed while a batch runs is not lost: its own job
// dispatches it, once.
func TestDispatchBatch_EventCommittedDuringABatch(t *testing.T) {
	w, rule := welcomeOnly(t)
	f := &blockingFanout{w: w}
	w.auto.Fanout = f
	first := w.mustCreate("Early", 1)
	if err := runEventJob(w.auto, w.eventJobs()[0], false); err != nil {
		t.Fatal(err)
	}
	f.wg.Wait()
	if f.err != nil {
		t.Fatal(f.err)
	}
	if f.late == nil {
		t.Fatal("the fan-out was not called")
	}
	jobs := w.eventJobs()
	if len(jobs) != 2 {
		t.Fatalf("%d event jobs, want 2", len(jobs))
	}
	for _, a := range jobs {
		if err := runEventJob(w.auto, a, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, ct := range []*ent.Contact{first, f.late} {
		if ev := w.eventOf(ct); ev.ProcessedAt == nil {
			t.Errorf("%s's event was never processed", ct.FirstName)
		}
		if runs := w.runsOf(rule, ct); len(runs) != 1 {
			t.Errorf("%s has %d runs, want 1", ct.FirstName, len(runs))
		}
		if n := w.smsTo(ct); n != 1 {
			t.Errorf("%d SMS to %s, want 1", n, ct.FirstName)
		}
	}
}

// An event whose rule fails is left out of the batch: the others are
// dispatched, and the failing one is its own job's, retried by River and
// recorded as failed on the last attempt.
func TestDispatchBatch_FailingEventHoldsUpNoOther(t *testing.T) {
	w, rule := welcomeOnly(t)
	a := w.mustCreate("Ann", 1)
	bad := w.mustCreate("Bad", 2)
	c := w.mustCreate("Cal", 3)
	w.sms.failFor = bad.ID
	jobs := w.eventJobs()
	byEvent := map[pulid.ID]events.Args{}
	for _, j := range jobs {
		byEvent[j.EventID] = j
	}
	// Ann's job: Bad's failure rolls its batch back; the batch without
	// Bad dispatches Ann and Cal.
	if err := runEventJob(w.auto, byEvent[w.eventOf(a).ID], false); err != nil {
		t.Fatal(err)
	}
	for _, ct := range []*ent.Contact{a, c} {
		if runs := w.runsOf(rule, ct); len(runs) != 1 || runs[0].Outcome != automationrun.OutcomeDone {
			t.Errorf("%s: runs %+v, want one done", ct.FirstName, runs)
		}
		if n := w.smsTo(ct); n != 1 {
			t.Errorf("%d SMS to %s, want 1", n, ct.FirstName)
		}
	}
	if ev := w.eventOf(bad); ev.ProcessedAt != nil {
		t.Error("the failing event was marked processed by another's batch")
	}
	// Bad's own job fails, for River to try again.
	if err := runEventJob(w.auto, byEvent[w.eventOf(bad).ID], false); err == nil {
		t.Fatal("the failing event's job succeeded")
	}
	if n := w.smsTo(bad); n != 0 {
		t.Errorf("%d SMS to Bad", n)
	}
	// Its last attempt (River's retries dispatch alone) records the
	// failure.
	if err := w.auto.Dispatch(viewer.ForJob(context.Background(), w.loc, "automation.event"), w.eventOf(bad).ID, true); err == nil {
		t.Fatal("the last attempt succeeded")
	}
	runs := w.runsOf(rule, bad)
	if len(runs) != 1 || runs[0].Outcome != automationrun.OutcomeFailed {
		t.Errorf("Bad's runs %+v, want one failed", runs)
	}
	// The others were not touched again.
	for _, ct := range []*ent.Contact{a, c} {
		if n := w.smsTo(ct); n != 1 {
			t.Errorf("%d SMS to %s, want 1", n, ct.FirstName)
		}
	}
}

// The same guarantees on PostgreSQL, where the batch locks the pending
// events it takes (FOR UPDATE SKIP LOCKED) instead of holding SQLite's one
// write connection (skipped without a server: testutil.PostgresURL).
func TestDispatchBatch_Postgres(t *testing.T) {
	ctx := context.Background()
	d := testutil.OpenURL(t, testutil.PostgresURL(t))
	if _, err := seed.Demo(ctx, testutil.Client(t, d), seed.Options{Now: testutil.Now}); err != nil {
		t.Fatal(err)
	}
	w := newWorldOn(t, d)
	w.disableDefaults()
	rule, err := w.auto.CreateRule(w.admin, automation.RuleInput{
		Name: ptr("Welcome"), Trigger: ptr(events.ContactCreated),
		Actions: []types.AutomationAction{{Type: automation.ActionSendSMS, Template: "welcome"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a, bad, c := w.mustCreate("Ann", 1), w.mustCreate("Bad", 2), w.mustCreate("Cal", 3)
	w.sms.failFor = bad.ID
	jobs := w.eventJobs()
	if err := runEventJob(w.auto, jobs[0], false); err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs[1:] {
		_ = runEventJob(w.auto, j, false) // Bad's fails, for River to retry
	}
	for _, ct := range []*ent.Contact{a, c} {
		if runs := w.runsOf(rule, ct); len(runs) != 1 || runs[0].Outcome != automationrun.OutcomeDone {
			t.Errorf("%s: runs %+v, want one done", ct.FirstName, runs)
		}
		if n := w.smsTo(ct); n != 1 {
			t.Errorf("%d SMS to %s, want 1", n, ct.FirstName)
		}
	}
	if n := w.smsTo(bad); n != 0 {
		t.Errorf("%d SMS to Bad", n)
	}
}

// A job whose event is newer than a full batch of older pending ones
// still dispatches its own event in its batch.
func TestDispatchBatch_FullBatchHoldsItsOwnEvent(t *testing.T) {
	w, rule := welcomeOnly(t)
	var cts []*ent.Contact
	for i := range automation.BatchSize + 5 {
		cts = append(cts, w.mustCreate(fmt.Sprintf("Full%d", i), i))
	}
	jobs := w.eventJobs()
	last := cts[len(cts)-1]
	if err := runEventJob(w.auto, jobs[len(jobs)-1], false); err != nil {
		t.Fatal(err)
	}
	if ev := w.eventOf(last); ev.ProcessedAt == nil {
		t.Fatal("the job's own event was left out of its full batch")
	}
	n := 0
	for _, ct := range cts {
		if w.eventOf(ct).ProcessedAt != nil {
			n++
		}
	}
	if n != automation.BatchSize {
		t.Errorf("%d events dispatched by one batch, want %d", n, automation.BatchSize)
	}
	for _, j := range jobs {
		if err := runEventJob(w.auto, j, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, ct := range cts {
		if runs := w.runsOf(rule, ct); len(runs) != 1 || w.smsTo(ct) != 1 {
			t.Errorf("%s: %d runs, %d SMS, want 1 and 1", ct.FirstName, len(runs), w.smsTo(ct))
		}
	}
}
