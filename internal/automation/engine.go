package automation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/automationrule"
	"github.com/avatarimaging/avatarcrm/ent/automationrun"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// RuleArgs is the job that runs one delayed rule for one event, after
// the rule's delay (rules without a delay run inside the event's job).
// Unique by rule and event: one job, however often the event's job runs.
type RuleArgs struct {
	RuleID     pulid.ID `json:"rule_id" river:"unique"`
	EventID    pulid.ID `json:"event_id" river:"unique"`
	LocationID pulid.ID `json:"location_id"`
}

// Kind of the job.
func (RuleArgs) Kind() string { return "automation.rule" }

// InsertOpts make it unique by rule and event.
func (RuleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// AddWorkers registers the event and rule workers.
func AddWorkers(ws *jobs.Workers, s *Service) {
	jobs.Add(ws, &eventWorker{s: s})
	jobs.Add(ws, &ruleWorker{s: s})
}

type eventWorker struct {
	river.WorkerDefaults[events.Args]
	s *Service
}

// Work dispatches the event in a batch with its location's other pending
// events; a job tried again (its event failed, or its process died)
// dispatches its event alone, as River's retries expect.
func (w *eventWorker) Work(ctx context.Context, j *river.Job[events.Args]) error {
	last := j.Attempt >= j.MaxAttempts
	if j.Attempt > 1 {
		return w.s.Dispatch(ctx, j.Args.EventID, last)
	}
	return w.s.DispatchBatch(ctx, j.Args.EventID, j.Args.LocationID, last)
}

type ruleWorker struct {
	river.WorkerDefaults[RuleArgs]
	s *Service
}

func (w *ruleWorker) Work(ctx context.Context, j *river.Job[RuleArgs]) error {
	return w.s.RunRule(ctx, j.Args.RuleID, j.Args.EventID, j.Attempt >= j.MaxAttempts)
}

// Dispatch finds the enabled rules of the event's location and type. It
// enqueues a job for every rule with a delay, scheduled after the delay
// from the event, marks the event processed and runs the rules without a
// delay (each with its AutomationRun), all in one transaction: one commit
// and one audit append for the event and its instant rules, where a
// transaction per rule cost a commit, a read of the audit chain's head
// and the event read again for each (docs/PERFORMANCE.md, "Write path
// after batching the jobs' writes"). A job of their own would cost an
// insert, a fetch and a completion on the one write connection for every
// contact created.
//
// Should any instant rule fail in that transaction, it is rolled back and
// the event is dispatched the careful way (dispatchApart): the event and
// the delayed jobs in one transaction, then each instant rule in a
// transaction of its own (RunRule), so one rule's failure undoes no
// other's and is recorded or retried as RunRule says. A rule that fails
// to run is returned, so River runs the event's job again: the delayed
// jobs are unique and the rules that ran find their run, so only what
// failed is done again. lastAttempt is the event job's last attempt
// (RunRule). ctx acts for the event's location (the job capability).
func (s *Service) Dispatch(ctx context.Context, eventID pulid.ID, lastAttempt bool) error {
	if ent.TxFromContext(ctx) != nil {
		// A caller's transaction cannot be rolled back here to retry
		// the rules apart.
		return s.dispatchApart(ctx, eventID, lastAttempt)
	}
	var ruleErr error
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		ev, now, err := s.prepare(ctx, c, eventID)
		if err != nil || ev == nil {
			return err
		}
		// Unprocessed when read in this transaction: no run of it can
		// be recorded yet (a run of an instant rule is recorded only
		// with the event's processed mark, or after it committed), so
		// runOnce need not look for one.
		fresh := ev.ProcessedAt == nil
		for _, r := range now {
			if _, err := s.runOnce(ctx, c, r.ID, r, ev, fresh); err != nil {
				ruleErr = fmt.Errorf("rule %s: %w", r.ID, err)
				return ruleErr
			}
		}
		return nil
	})
	if err == nil || ruleErr == nil || !errors.Is(err, ruleErr) {
		return err
	}
	return s.dispatchApart(ctx, eventID, lastAttempt)
}

// prepare reads the event and its location's enabled rules for its type
// in c's transaction, enqueues the delayed ones and marks the event
// processed; it returns the rules to run now, as read in c's transaction.
// A nil event means it is gone (with its location): nothing to do.
func (s *Service) prepare(ctx context.Context, c *ent.Client, eventID pulid.ID) (*ent.Event, []*ent.AutomationRule, error) {
	ev, err := c.Event.Get(ctx, eventID)
	if ent.IsNotFound(err) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	rules, err := c.AutomationRule.Query().Where(
		automationrule.LocationID(ev.LocationID), automationrule.Trigger(ev.Type), automationrule.Enabled(true),
	).Order(automationrule.ByID()).All(ctx)
	if err != nil {
		return nil, nil, err
	}
	now, err := s.schedule(ctx, c, ev, rules)
	if err != nil {
		return nil, nil, err
	}
	return ev, now, nil
}

// schedule enqueues the delayed rules of ev (rules: the location's enabled
// rules for its type, as read in c's transaction), writes its webhook
// fan-out and marks it processed; it returns the rules to run now.
func (s *Service) schedule(ctx context.Context, c *ent.Client, ev *ent.Event, rules []*ent.AutomationRule) ([]*ent.AutomationRule, error) {
	var now []*ent.AutomationRule
	for _, r := range rules {
		if r.DelaySeconds <= 0 {
			now = append(now, r)
			continue
		}
		opts := &river.InsertOpts{
			UniqueOpts:  river.UniqueOpts{ByArgs: true},
			ScheduledAt: ev.At.Add(time.Duration(r.DelaySeconds) * time.Second),
		}
		if _, err := s.Jobs.Enqueue(ctx, RuleArgs{RuleID: r.ID, EventID: ev.ID, LocationID: ev.LocationID}, opts); err != nil {
			return nil, err
		}
	}
	// Outbound webhooks (internal/webhooks): one delivery and its job
	// per matching subscription, committed with the dispatch.
	if s.Fanout != nil {
		if err := s.Fanout.Fanout(ctx, c, ev); err != nil {
			return nil, err
		}
	}
	if err := c.Event.UpdateOne(ev).SetProcessedAt(s.Now.Now()).Exec(ctx); err != nil {
		return nil, err
	}
	return now, nil
}

// dispatchApart is Dispatch with every instant rule in a transaction of
// its own, for an event one of whose rules failed.
func (s *Service) dispatchApart(ctx context.Context, eventID pulid.ID, lastAttempt bool) error {
	var now []*ent.AutomationRule
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		var err error
		_, now, err = s.prepare(ctx, c, eventID)
		return err
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range now {
		if err := s.RunRule(ctx, r.ID, eventID, lastAttempt); err != nil {
			errs = append(errs, fmt.Errorf("rule %s: %w", r.ID, err))
		}
	}
	return errors.Join(errs...)
}

// RunRule runs rule ruleID for event eventID once: a run already recorded
// (other than a failure) means it ran. When the actions fail, nothing of
// them stays; a refusal (an apperr code: a contact gone, nobody to
// assign) or the last attempt is recorded as a failed run, anything else
// is returned for River to retry.
func (s *Service) RunRule(ctx context.Context, ruleID, eventID pulid.ID, lastAttempt bool) error {
	var prev *ent.AutomationRun
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		ev, err := c.Event.Get(ctx, eventID)
		if err != nil {
			return err
		}
		prev, err = s.runOnce(ctx, c, ruleID, nil, ev, false)
		return err
	})
	if err == nil {
		return nil
	}
	if apperr.CodeOf(err) == apperr.Internal && !lastAttempt {
		return err
	}
	// Record the failure in a transaction of its own: the actions' was
	// rolled back.
	ferr := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		rule, rerr := c.AutomationRule.Get(ctx, ruleID)
		if rerr != nil {
			return rerr
		}
		ev, rerr := c.Event.Get(ctx, eventID)
		if rerr != nil {
			return rerr
		}
		res := result{Outcome: automationrun.OutcomeFailed, Detail: "The actions failed; nothing was done.", Err: err.Error()}
		res.ContactID, res.BookingID = subjectIDs(ev)
		return s.save(ctx, c, prev, rule, ev, res, s.Now.Now())
	})
	if ferr != nil {
		return errors.Join(err, ferr)
	}
	if apperr.CodeOf(err) == apperr.Internal {
		return err // out of attempts: River dead-letters it too
	}
	return nil
}

// runOnce runs rule ruleID for ev in c's transaction and records its run,
// unless a run other than a failure is recorded already (the job ran
// again after a crash). It returns the earlier failed run it replaced, if
// any. rule is the rule as the caller read it in c's transaction (nil:
// read here); fresh says no run of ev can exist yet (Dispatch), so none
// is looked for.
func (s *Service) runOnce(ctx context.Context, c *ent.Client, ruleID pulid.ID, rule *ent.AutomationRule, ev *ent.Event, fresh bool) (*ent.AutomationRun, error) {
	var prev *ent.AutomationRun
	if !fresh {
		var err error
		prev, err = c.AutomationRun.Query().Where(automationrun.RuleID(ruleID), automationrun.EventID(ev.ID)).Only(ctx)
		switch {
		case err == nil && prev.Outcome != automationrun.OutcomeFailed:
			return prev, nil // done before
		case err != nil && !ent.IsNotFound(err):
			return nil, err
		case err != nil:
			prev = nil
		}
	}
	if rule == nil || rule.ID != ruleID {
		var err error
		rule, err = c.AutomationRule.Get(ctx, ruleID)
		if ent.IsNotFound(err) {
			return prev, nil // deleted since
		} else if err != nil {
			return prev, err
		}
	}
	started := s.Now.Now()
	res, err := s.run(ctx, c, rule, ev, nil, fresh, false)
	if err != nil {
		return prev, err
	}
	if res.ContactID != nil && res.contactAt == rule.LocationID {
		// The run points at the contact the rule just read at its
		// location (env): the tenant hook need not read it again.
		ctx = viewer.CheckedAt(ctx, rule.LocationID, *res.ContactID)
	}
	return prev, s.save(ctx, c, prev, rule, ev, res, started)
}

// result is the outcome of one run of a rule.
type result struct {
	Outcome              automationrun.Outcome
	Detail               string
	Steps                []types.AutomationStep
	Err                  string
	ContactID, BookingID *pulid.ID
	// contactAt is the location of the contact as run read it.
	contactAt pulid.ID
}

// save records a run, or turns an earlier failed run into this one.
func (s *Service) save(ctx context.Context, c *ent.Client, prev *ent.AutomationRun, rule *ent.AutomationRule, ev *ent.Event, res result, started time.Time) error {
	now := s.Now.Now()
	if res.Steps == nil {
		res.Steps = []types.AutomationStep{}
	}
	if prev != nil {
		return c.AutomationRun.UpdateOne(prev).SetOutcome(res.Outcome).SetDetail(res.Detail).
			SetSteps(res.Steps).SetError(res.Err).SetFinishedAt(now).Exec(ctx)
	}
	cr := c.AutomationRun.Create().SetLocationID(rule.LocationID).SetRuleID(rule.ID).
		SetOutcome(res.Outcome).SetDetail(res.Detail).SetSteps(res.Steps).SetError(res.Err).
		SetNillableContactID(res.ContactID).SetNillableBookingID(res.BookingID).
		SetStartedAt(started).SetFinishedAt(now)
	if ev != nil {
		cr.SetEventID(ev.ID).SetEventType(ev.Type)
	} else {
		cr.SetEventType(rule.Trigger)
	}
	return cr.Exec(ctx)
}

// run evaluates rule for ev (or, for a dry run, for the contact ct with a
// made-up event of the rule's trigger) and runs its actions unless dry;
// fresh: no earlier run of rule for ev exists (runOnce).
func (s *Service) run(ctx context.Context, c *ent.Client, rule *ent.AutomationRule, ev *ent.Event, ct *ent.Contact, fresh, dry bool) (result, error) {
	var res result
	env, ct, err := s.env(ctx, c, rule, ev, ct)
	if err != nil {
		return res, err
	}
	if env.Contact.Exists {
		id := pulid.ID(env.Contact.ID)
		res.ContactID = &id
		res.contactAt = ct.LocationID
	}
	if env.Booking.Exists {
		id := pulid.ID(env.Booking.ID)
		res.BookingID = &id
	}
	skip := func(why string) (result, error) {
		res.Outcome, res.Detail = automationrun.OutcomeSkipped, why
		if dry {
			res.Outcome, res.Detail = automationrun.OutcomeDryRun, "Would skip: "+why
		}
		return res, nil
	}
	if !rule.Enabled && !dry {
		return skip("The rule was disabled before it ran.")
	}
	depth := 0
	if ev != nil {
		if d, ok := ev.Payload["depth"].(float64); ok {
			depth = int(d)
		}
		if depth >= events.MaxDepth {
			return skip(fmt.Sprintf("The event was caused by a chain of %d rules; rules stop there.", depth))
		}
	}
	prog, err := compileCached(rule.Condition)
	if err != nil {
		return res, err
	}
	ok, err := holds(prog, env)
	if err != nil {
		return res, apperr.Invalidf("condition", "the condition failed: %v", err)
	}
	if !ok {
		return skip("The condition is false: " + rule.Condition)
	}
	actx := events.WithCause(ctx, events.Cause{RuleID: rule.ID, Depth: depth + 1})
	for i, a := range rule.Actions {
		step, err := s.act(actx, c, rule, ev, env, ct, fresh, a, dry)
		if err != nil {
			return res, fmt.Errorf("action %d (%s): %w", i+1, a.Type, err)
		}
		res.Steps = append(res.Steps, step)
		if a.Type == ActionSendSMS {
			// A second send_sms of the rule has the same key: it finds
			// this one's message.
			fresh = false
		}
		if a.Type != ActionNotifyStaff {
			// The action may have changed the contact (a stage, a
			// warmness rescored after an SMS): later actions read it
			// as it is now.
			ct = nil
		}
	}
	res.Outcome, res.Detail = automationrun.OutcomeDone, fmt.Sprintf("Ran %d action(s).", len(res.Steps))
	if dry {
		res.Outcome, res.Detail = automationrun.OutcomeDryRun, fmt.Sprintf("Would run %d action(s).", len(res.Steps))
	}
	return res, nil
}

// subjectIDs reads the contact and booking an event names.
func subjectIDs(ev *ent.Event) (*pulid.ID, *pulid.ID) {
	var ct, bk *pulid.ID
	if s, _ := ev.Payload["contact_id"].(string); s != "" {
		id := pulid.ID(s)
		ct = &id
	}
	if s, _ := ev.Payload["booking_id"].(string); s != "" {
		id := pulid.ID(s)
		bk = &id
	}
	return ct, bk
}
