package graph

import (
	"context"
	"errors"
	"strconv"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
)

// ruleInput turns the GraphQL input into the service's.
func ruleInput(in AutomationRuleInput) automation.RuleInput {
	out := automation.RuleInput{
		Name: in.Name, Trigger: in.Trigger, Condition: in.Condition,
		DelaySeconds: in.DelaySeconds, Enabled: in.Enabled,
	}
	if in.Actions != nil {
		out.Actions = make([]types.AutomationAction, 0, len(in.Actions))
		for _, a := range in.Actions {
			if a == nil {
				continue
			}
			out.Actions = append(out.Actions, actionInput(*a))
		}
	}
	return out
}

func actionInput(a AutomationActionInput) types.AutomationAction {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	flag := func(p *bool) bool { return p != nil && *p }
	out := types.AutomationAction{
		Type: a.Type, Template: str(a.Template), Body: str(a.Body), Subject: str(a.Subject),
		Urgent: flag(a.Urgent), Marketing: flag(a.Marketing), Title: str(a.Title), TaskKind: str(a.TaskKind),
		Priority: str(a.Priority), AutoAssign: flag(a.AutoAssign), Skill: str(a.Skill),
		Stage: str(a.Stage), Message: str(a.Message),
	}
	if a.AssigneeID != nil {
		out.AssigneeID = string(*a.AssigneeID)
	}
	if a.DueInMinutes != nil {
		out.DueInMinutes = *a.DueInMinutes
	}
	return out
}

// conditionCheck answers checkAutomationCondition.
func conditionCheck(condition string) *ConditionCheck {
	err := automation.CheckCondition(condition)
	if err == nil {
		return &ConditionCheck{Valid: true}
	}
	ae := apperr.From(err)
	out := &ConditionCheck{Message: &ae.Message}
	if l, ok := ae.Details["line"].(int); ok {
		out.Line = &l
	}
	if c, ok := ae.Details["column"].(int); ok {
		out.Column = &c
	}
	return out
}

// jobID reads a job's ID (River's integer).
func jobID(id pulid.ID) (int64, error) {
	n, err := strconv.ParseInt(string(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.NotFoundf("id", "job %s not found", id)
	}
	return n, nil
}

// jobView is a job as the API shows it.
func jobView(j *jobs.Job) *Job {
	out := &Job{
		ID: pulid.ID(strconv.FormatInt(j.ID, 10)), Kind: j.Kind, Queue: j.Queue, State: JobState(j.State),
		Args: string(j.Args), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts, Errors: []*JobError{},
		CreatedAt: j.CreatedAt, ScheduledAt: j.ScheduledAt, AttemptedAt: j.AttemptedAt, FinalizedAt: j.FinalizedAt,
	}
	if j.LocationID != "" {
		loc := j.LocationID
		out.LocationID = &loc
	}
	for _, e := range j.Errors {
		out.Errors = append(out.Errors, &JobError{At: e.At, Attempt: e.Attempt, Error: e.Error})
	}
	return out
}

// errNoQueue answers job operations in a process without a queue.
var errNoQueue = errors.New("graph: no job queue")

// jobAction runs act (Retry or Discard) on the job with id and shows the
// job as it is afterwards.
func (r *Resolver) jobAction(ctx context.Context, id pulid.ID, act func(*jobs.Queue, context.Context, int64) (*jobs.Job, error)) (*Job, error) {
	q, err := r.queue()
	if err != nil {
		return nil, err
	}
	n, err := jobID(id)
	if err != nil {
		return nil, err
	}
	j, err := act(q, ctx, n)
	if err != nil {
		return nil, err
	}
	return jobView(j), nil
}

func (r *Resolver) queue() (*jobs.Queue, error) {
	if r.Jobs == nil {
		return nil, errNoQueue
	}
	return r.Jobs, nil
}
