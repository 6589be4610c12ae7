package automation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/automationrun"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/event"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

func TestCompile_TypeChecksWithPosition(t *testing.T) {
	ok := []string{
		"", `contact.warmness > 80`, `contact.pipeline == "lead" && !contact.archived`,
		`booking.exists && booking.hoursUntil < 48`, `event.toStage in ["booked", "confirmed"]`,
		`contact.leadSource != "walk_in" or event.byRule`,
	}
	for _, c := range ok {
		if err := automation.CheckCondition(c); err != nil {
			t.Errorf("%q refused: %v", c, err)
		}
	}
	bad := []struct {
		cond         string
		line, column int
		says         string
	}{
		{`contact.warmnes > 80`, 1, 9, "contact has no field warmnes"},
		{`contact.warmness > "eighty"`, 1, 18, "mismatched types int and string"},
		{`contact.stage ==`, 1, 16, "unexpected token EOF"},
		{"booking.exists &&\n  contact.foo", 2, 11, "contact has no field foo"},
	}
	for _, b := range bad {
		err := automation.CheckCondition(b.cond)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field != "condition" {
			t.Errorf("%q: %v, want INVALID on condition", b.cond, err)
			continue
		}
		if ae.Details["line"] != b.line || ae.Details["column"] != b.column || !strings.Contains(ae.Message, b.says) {
			t.Errorf("%q: %q at %v:%v, want %q at %d:%d", b.cond, ae.Message, ae.Details["line"], ae.Details["column"], b.says, b.line, b.column)
		}
	}
	// Not a boolean: refused, without a position to point at.
	if err := automation.CheckCondition(`contact.warmness + 1`); apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "true or false") {
		t.Errorf("a number condition: %v", err)
	}
}

func TestEvents_WrittenWithTheChange(t *testing.T) {
	w := newWorld(t)
	w.disableDefaults()
	ct, err := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Ada", LastName: ptr("Event"), Phone: ptr("0412 000 111")}, false)
	if err != nil {
		t.Fatal(err)
	}
	// A refused create (a duplicate) writes no event.
	if _, err := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Ada", Phone: ptr("0412 000 111")}, false); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("duplicate: %v", err)
	}
	start := w.clock.Now().Add(72 * time.Hour).Truncate(time.Hour)
	b := w.book(ct.ID, start)
	if _, err := w.bookings.Confirm(w.admin, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.bookings.Reschedule(w.admin, b.ID, start.Add(24*time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.bookings.Cancel(w.admin, b.ID, "Patient unwell"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.tasks.Create(w.admin, tasksNew("Call Ada", &ct.ID)); err != nil {
		t.Fatal(err)
	}
	got, err := w.c.Event.Query().Where(event.LocationID(w.loc), event.AtGTE(testutil0(w))).Order(event.ByID()).All(viewer.Seed.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range got {
		if e.Payload["contact_id"] != string(ct.ID) {
			t.Errorf("%s names contact %v", e.Type, e.Payload["contact_id"])
		}
		types = append(types, e.Type)
	}
	want := []string{
		events.ContactCreated,
		events.BookingCreated, events.ContactStageMoved, // booked
		events.BookingConfirmed, events.ContactStageMoved, // confirmed
		events.BookingRescheduled,
		events.BookingCancelled, events.ContactStageMoved, // back to qualified
		events.TaskCreated,
	}
	if !slices.Equal(types, want) {
		t.Errorf("events\n got %v\nwant %v", types, want)
	}
	// Each event enqueued its evaluation once, in its transaction.
	if n := len(w.q.jobs); n != len(want) {
		t.Errorf("%d jobs for %d events", n, len(want))
	}
}

func testutil0(w *world) time.Time { return w.clock.Now().Add(-time.Second) }

func tasksNew(title string, contactID *pulid.ID) tasksNewTask {
	return tasksNewTask{Title: title, ContactID: contactID}
}

func TestDefaultRules_WelcomeOnceConfirmationAndPostAppointment(t *testing.T) {
	w := newWorld(t)
	ct, err := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Wendy", LastName: ptr("Welcome"), Phone: ptr("0412 000 222")}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.drain()
	if got := w.sms.templates(); !slices.Equal(got, []string{"welcome"}) {
		t.Fatalf("SMS after a new lead: %v", got)
	}
	in := w.sms.sent[0]
	welcome := w.rule("welcome")
	if in.ContactID != ct.ID || in.RuleID == nil || *in.RuleID != welcome.ID || in.Key == "" {
		t.Errorf("welcome SMS input %+v", in)
	}
	runs, err := w.auto.Runs(w.admin, automation.RunFilter{ContactID: &ct.ID})
	if err != nil || len(runs) != 1 || runs[0].Outcome != automationrun.OutcomeDone || runs[0].RuleID != welcome.ID {
		t.Fatalf("runs %v %v", runs, err)
	}
	// The job again (its process died before River recorded it done):
	// the run is found, nothing is sent twice.
	if err := w.auto.RunRule(viewer.ForJob(context.Background(), w.loc, "automation.rule"), welcome.ID, *runs[0].EventID, false); err != nil {
		t.Fatal(err)
	}
	if len(w.sms.sent) != 1 {
		t.Fatalf("a second run of the job sent %d SMS", len(w.sms.sent))
	}
	// The run is on the contact's timeline.
	items, err := w.contacts.Timeline(w.admin, ct.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	onTimeline := false
	for _, it := range items {
		if it.Kind == "automation_done" && strings.Contains(it.Summary, "welcome SMS") && it.Ref == runs[0].ID {
			onTimeline = true
		}
	}
	if !onTimeline {
		t.Errorf("the welcome run is not on the timeline: %+v", items)
	}

	b := w.book(ct.ID, w.clock.Now().Add(2*time.Hour).Truncate(time.Minute))
	w.drain()
	if got := w.sms.templates(); !slices.Equal(got, []string{"welcome", "confirmation"}) {
		t.Fatalf("SMS after a booking: %v", got)
	}
	if _, err := w.bookings.Confirm(w.admin, b.ID); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(3 * time.Hour)
	if _, err := w.bookings.Complete(w.admin, b.ID); err != nil {
		t.Fatal(err)
	}
	w.drain()
	results, err := w.c.Task.Query().Where(task.ContactID(ct.ID), task.KindEQ(task.KindResults)).All(w.admin)
	if err != nil || len(results) != 1 || !strings.Contains(results[0].Title, "Wendy Welcome") {
		t.Fatalf("post-appointment task: %v %v", results, err)
	}
	post, err := w.auto.Runs(w.admin, automation.RunFilter{RuleID: &w.rule("post_appointment").ID})
	if err != nil || len(post) != 1 || post[0].Outcome != automationrun.OutcomeDone || len(post[0].Steps) != 2 {
		t.Fatalf("post-appointment runs %+v %v", post, err)
	}
	if !strings.Contains(post[0].Steps[0].Detail, "already") {
		t.Errorf("stage step %q: bookings already moved the contact to completed", post[0].Steps[0].Detail)
	}
}

func TestRule_ConditionFalseIsSkipped(t *testing.T) {
	w := newWorld(t)
	w.disableDefaults()
	r, err := w.auto.CreateRule(w.admin, automation.RuleInput{
		Name: ptr("GP referrals only"), Trigger: ptr(events.ContactCreated), Condition: ptr(`contact.leadSource == "gp_referral"`),
		Actions: []types.AutomationAction{{Type: automation.ActionNotifyStaff, Message: "GP referral {name}"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	walkIn, _ := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Walt", LeadSource: ptr(contact.LeadSourceWalkIn)}, false)
	gp, _ := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Gina", LeadSource: ptr(contact.LeadSourceGpReferral)}, false)
	w.drain()
	for _, c := range []struct {
		ct      *ent.Contact
		outcome automationrun.Outcome
		detail  string
	}{{walkIn, automationrun.OutcomeSkipped, "condition is false"}, {gp, automationrun.OutcomeDone, "Ran 1"}} {
		runs, err := w.auto.Runs(w.admin, automation.RunFilter{RuleID: &r.ID, ContactID: &c.ct.ID})
		if err != nil || len(runs) != 1 || runs[0].Outcome != c.outcome || !strings.Contains(runs[0].Detail, c.detail) {
			t.Fatalf("%s: %+v %v", c.ct.FirstName, runs, err)
		}
	}
}

func TestRule_DelayAndDisabledMidDelay(t *testing.T) {
	w := newWorld(t)
	w.disableDefaults()
	r, err := w.auto.CreateRule(w.admin, automation.RuleInput{
		Name: ptr("Chase after a day"), Trigger: ptr(events.ContactCreated), DelaySeconds: ptr(24 * 3600),
		Actions: []types.AutomationAction{{Type: automation.ActionSendSMS, Template: "welcome"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Della", Phone: ptr("0412 000 333")}, false)
	w.drain()
	// The rule's job waits out the delay: River's ScheduledAt.
	var ruleJob *queued
	for _, j := range w.q.jobs {
		if a, ok := j.args.(automation.RuleArgs); ok && a.RuleID == r.ID {
			ruleJob = j
		}
	}
	if ruleJob == nil || ruleJob.done || !ruleJob.at.Equal(w.clock.Now().Add(24*time.Hour)) {
		t.Fatalf("the delayed job: %+v (now %s)", ruleJob, w.clock.Now())
	}
	w.clock.Add(24 * time.Hour)
	w.drain()
	if len(w.sms.sent) != 1 || w.sms.sent[0].ContactID != first.ID {
		t.Fatalf("after the delay: %+v", w.sms.sent)
	}
	// A second contact; the rule is disabled while its job waits.
	second, _ := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Dora", Phone: ptr("0412 000 444")}, false)
	w.drain()
	if _, err := w.auto.SetEnabled(w.admin, r.ID, false); err != nil {
		t.Fatal(err)
	}
	w.clock.Add(25 * time.Hour)
	w.drain()
	if len(w.sms.sent) != 1 {
		t.Fatalf("a disabled rule sent: %+v", w.sms.sent)
	}
	runs, err := w.auto.Runs(w.admin, automation.RunFilter{RuleID: &r.ID, ContactID: &second.ID})
	if err != nil || len(runs) != 1 || runs[0].Outcome != automationrun.OutcomeSkipped || !strings.Contains(runs[0].Detail, "disabled") {
		t.Fatalf("the disabled rule's run: %+v %v", runs, err)
	}
	// And a disabled rule starts no runs at all.
	third, _ := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Dot", Phone: ptr("0412 000 555")}, false)
	w.clock.Add(25 * time.Hour)
	w.drain()
	if runs, _ := w.auto.Runs(w.admin, automation.RunFilter{RuleID: &r.ID, ContactID: &third.ID}); len(runs) != 0 {
		t.Fatalf("runs of a disabled rule: %+v", runs)
	}
}

func TestRule_EachAction(t *testing.T) {
	w := newWorld(t)
	w.disableDefaults()
	r, err := w.auto.CreateRule(w.admin, automation.RuleInput{
		Name: ptr("Everything"), Trigger: ptr(events.ContactCreated),
		Actions: []types.AutomationAction{
			{Type: automation.ActionSendSMS, Template: "welcome", Urgent: true},
			{Type: automation.ActionSendEmail, Template: "welcome_email", Subject: "Welcome"},
			{Type: automation.ActionCreateTask, Title: "Call {name}", TaskKind: "call", Priority: "urgent", AutoAssign: true, Skill: "calls"},
			{Type: automation.ActionMoveStage, Stage: "contacted"},
			{Type: automation.ActionNotifyStaff, Message: "New lead {name}"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Eve", LastName: ptr("Every"), Phone: ptr("0412 000 666")}, false)
	w.drain()
	runs, err := w.auto.Runs(w.admin, automation.RunFilter{RuleID: &r.ID})
	if err != nil || len(runs) != 1 || runs[0].Outcome != automationrun.OutcomeDone || len(runs[0].Steps) != 5 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	steps := runs[0].Steps
	if len(w.sms.sent) != 1 || !w.sms.sent[0].Urgent || steps[0].Ref == "" {
		t.Errorf("sms: %+v, step %+v", w.sms.sent, steps[0])
	}
	if !strings.Contains(steps[1].Detail, "outbox") {
		t.Errorf("email step %+v", steps[1])
	}
	tk, err := w.c.Task.Get(w.admin, pulid.ID(steps[2].Ref))
	if err != nil || tk.Title != "Call Eve Every" || tk.Priority != task.PriorityUrgent || tk.AssigneeID == nil || tk.Kind != task.KindCall {
		t.Errorf("task %+v %v", tk, err)
	}
	got, _ := w.c.Contact.Get(w.admin, ct.ID)
	if got.Stage != contact.StageContacted {
		t.Errorf("stage %s", got.Stage)
	}
	if !strings.Contains(steps[4].Detail, "New lead Eve Every") {
		t.Errorf("notice %+v", steps[4])
	}
	// The task and the stage move raised events of their own, caused by
	// the rule (no rule acts on them here).
	n, _ := w.c.Event.Query().Where(event.TypeIn(events.TaskCreated, events.ContactStageMoved), event.SubjectIDIn(string(ct.ID), steps[2].Ref)).Count(viewer.Seed.Grant(context.Background(), "t"))
	if n != 2 {
		t.Errorf("%d events from the actions", n)
	}
}

func TestRule_FailureRecordedNothingHalfDone(t *testing.T) {
	w := newWorld(t)
	w.disableDefaults()
	w.auto.SMS = nil // no sender connected
	r, err := w.auto.CreateRule(w.admin, automation.RuleInput{
		Name: ptr("Task then SMS"), Trigger: ptr(events.ContactCreated),
		Actions: []types.AutomationAction{
			{Type: automation.ActionCreateTask, Title: "Half {name}"},
			{Type: automation.ActionSendSMS, Template: "welcome"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Fay", Phone: ptr("0412 000 777")}, false)
	w.drain()
	runs, _ := w.auto.Runs(w.admin, automation.RunFilter{RuleID: &r.ID})
	if len(runs) != 1 || runs[0].Outcome != automationrun.OutcomeFailed || !strings.Contains(runs[0].Error, "no SMS sender") {
		t.Fatalf("runs %+v", runs)
	}
	if n, _ := w.c.Task.Query().Where(task.ContactID(ct.ID)).Count(w.admin); n != 0 {
		t.Errorf("the failed run left %d task(s)", n)
	}
}

func TestDryRun_SaysWhatItWouldDoAndDoesNothing(t *testing.T) {
	w := newWorld(t)
	w.disableDefaults()
	ct, _ := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Dry", LastName: ptr("Run"), Phone: ptr("0412 000 888")}, false)
	w.drain()
	warm := w.rule("warm_call")
	run, err := w.auto.DryRun(w.admin, warm.ID, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Outcome != automationrun.OutcomeDryRun || !strings.Contains(run.Detail, "Would skip") || !strings.Contains(run.Detail, "warmness > 80") {
		t.Errorf("cold contact: %+v", run)
	}
	welcome := w.rule("welcome")
	run, err = w.auto.DryRun(w.admin, welcome.ID, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Outcome != automationrun.OutcomeDryRun || len(run.Steps) != 1 || !strings.Contains(run.Steps[0].Detail, "Would send the welcome SMS to Dry Run") {
		t.Errorf("welcome dry run: %+v", run)
	}
	if len(w.sms.sent) != 0 {
		t.Errorf("a dry run sent %v", w.sms.sent)
	}
	// Another location's contact is not found.
	if _, err := w.auto.DryRun(w.admin, welcome.ID, pulid.New("con")); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown contact: %v", err)
	}
}

func TestRules_Validation(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		in    automation.RuleInput
		field string
	}{
		{automation.RuleInput{Trigger: ptr(events.ContactCreated)}, "name"},
		{automation.RuleInput{Name: ptr("x"), Trigger: ptr("contact.exploded"), Actions: []types.AutomationAction{{Type: "notify_staff", Message: "m"}}}, "trigger"},
		{automation.RuleInput{Name: ptr("x"), Trigger: ptr(events.ContactCreated), Actions: []types.AutomationAction{}}, "actions"},
		{automation.RuleInput{Name: ptr("x"), Trigger: ptr(events.ContactCreated), Actions: []types.AutomationAction{{Type: "send_sms", Template: "spam"}}}, "actions[0].template"},
		{automation.RuleInput{Name: ptr("x"), Trigger: ptr(events.ContactCreated), Actions: []types.AutomationAction{{Type: "notify_staff", Message: "m"}, {Type: "move_stage", Stage: "nowhere"}}}, "actions[1].stage"},
		{automation.RuleInput{Name: ptr("x"), Trigger: ptr(events.ContactCreated), DelaySeconds: ptr(-1), Actions: []types.AutomationAction{{Type: "notify_staff", Message: "m"}}}, "delaySeconds"},
		{automation.RuleInput{Name: ptr("x"), Trigger: ptr(events.ContactCreated), Condition: ptr("contact."), Actions: []types.AutomationAction{{Type: "notify_staff", Message: "m"}}}, "condition"},
	}
	for i, c := range cases {
		_, err := w.auto.CreateRule(w.admin, c.in)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field != c.field {
			t.Errorf("case %d: %v, want INVALID on %s", i, err, c.field)
		}
	}
	// Staff may not write rules (the policy), nor see another location's.
	staff := testutilAs(t, w, "staff@example.com")
	if _, err := w.auto.CreateRule(staff, automation.RuleInput{Name: ptr("x"), Trigger: ptr(events.ContactCreated), Actions: []types.AutomationAction{{Type: "notify_staff", Message: "m"}}}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("staff create: %v", err)
	}
	par := testutilAs(t, w, "par-admin@example.com")
	if _, err := w.auto.Rule(par, w.rule("welcome").ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another location's rule: %v", err)
	}
	if rules, _ := w.auto.Rules(par); len(rules) != len(automation.Defaults) {
		t.Errorf("PAR has %d rules, want its own %d defaults", len(rules), len(automation.Defaults))
	}
	_ = fmt.Sprint
}

// The event's instant rules run in the event job's transaction; when one
// fails there, the event is dispatched again with each rule apart, so the
// failure undoes no other rule's work and is recorded.
func TestDispatch_OneInstantRuleFailsTheOthersStay(t *testing.T) {
	w := newWorld(t)
	w.disableDefaults()
	w.auto.SMS = nil // no sender connected: the SMS rule fails
	ok, err := w.auto.CreateRule(w.admin, automation.RuleInput{
		Name: ptr("Task"), Trigger: ptr(events.ContactCreated),
		Actions: []types.AutomationAction{{Type: automation.ActionCreateTask, Title: "Call {name}"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := w.auto.CreateRule(w.admin, automation.RuleInput{
		Name: ptr("SMS"), Trigger: ptr(events.ContactCreated),
		Actions: []types.AutomationAction{{Type: automation.ActionSendSMS, Template: "welcome"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := w.contacts.Create(w.admin, ent.CreateContactInput{FirstName: "Gus", LastName: ptr("Apart"), Phone: ptr("0412 000 888")}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.drain()
	okRuns, _ := w.auto.Runs(w.admin, automation.RunFilter{RuleID: &ok.ID})
	badRuns, _ := w.auto.Runs(w.admin, automation.RunFilter{RuleID: &bad.ID})
	if len(okRuns) != 1 || okRuns[0].Outcome != automationrun.OutcomeDone {
		t.Fatalf("task rule runs %+v", okRuns)
	}
	if len(badRuns) != 1 || badRuns[0].Outcome != automationrun.OutcomeFailed || !strings.Contains(badRuns[0].Error, "no SMS sender") {
		t.Fatalf("sms rule runs %+v", badRuns)
	}
	if n, _ := w.c.Task.Query().Where(task.ContactID(ct.ID)).Count(w.admin); n != 1 {
		t.Errorf("%d tasks, want the task rule's one", n)
	}
	sys := viewer.Seed.Grant(context.Background(), "t")
	ev, err := w.c.Event.Query().Where(event.TypeEQ(events.ContactCreated), event.SubjectID(string(ct.ID))).Only(sys)
	if err != nil || ev.ProcessedAt == nil {
		t.Fatalf("event %+v %v", ev, err)
	}
	// The event's job run again (its process died before River recorded
	// it done) does nothing twice.
	if err := w.auto.Dispatch(viewer.ForJob(context.Background(), w.loc, "automation.event"), ev.ID, false); err != nil {
		t.Fatal(err)
	}
	if n, _ := w.c.Task.Query().Where(task.ContactID(ct.ID)).Count(w.admin); n != 1 {
		t.Errorf("after the job ran again: %d tasks", n)
	}
}
