package automation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
)

// Action types.
const (
	ActionSendSMS     = "send_sms"
	ActionSendEmail   = "send_email"
	ActionCreateTask  = "create_task"
	ActionMoveStage   = "move_stage"
	ActionNotifyStaff = "notify_staff"
)

// ActionTypes lists the action types.
var ActionTypes = []string{ActionSendSMS, ActionSendEmail, ActionCreateTask, ActionMoveStage, ActionNotifyStaff}

// ErrNoSMSSender fails a send_sms action in a process without one: the
// run is recorded as failed instead of the message being dropped.
var ErrNoSMSSender = &apperr.Error{Code: apperr.Conflict, Field: "actions", Message: "no SMS sender is connected, so the SMS cannot be queued"}

// act runs one action, or for a dry run says what it would do. ct is the
// event's contact as read in c's transaction and unchanged since, or nil;
// fresh says no earlier run of rule for ev exists (runOnce).
func (s *Service) act(ctx context.Context, c *ent.Client, rule *ent.AutomationRule, ev *ent.Event, env Env, ct *ent.Contact, fresh bool, a types.AutomationAction, dry bool) (types.AutomationStep, error) {
	step := types.AutomationStep{Type: a.Type}
	name := normalize.FullName(env.Contact.FirstName, env.Contact.LastName)
	var contactID, bookingID *pulid.ID
	if env.Contact.Exists {
		id := pulid.ID(env.Contact.ID)
		contactID = &id
	}
	if env.Booking.Exists {
		id := pulid.ID(env.Booking.ID)
		bookingID = &id
	}
	key := "rule:" + string(rule.ID)
	if ev != nil {
		key += ":" + string(ev.ID)
	}
	needContact := func() error {
		if contactID == nil {
			return apperr.Invalidf("actions", "the %s action needs a contact, and the event has none", a.Type)
		}
		return nil
	}
	switch a.Type {
	case ActionSendSMS:
		if err := needContact(); err != nil {
			return step, err
		}
		if !env.Contact.HasPhone {
			step.Detail = fmt.Sprintf("No %s SMS: %s has no phone number.", a.Template, name)
			return step, nil
		}
		if dry {
			step.Detail = fmt.Sprintf("Would send the %s SMS to %s.", a.Template, name)
			return step, nil
		}
		if s.SMS == nil {
			return step, ErrNoSMSSender
		}
		in := SMSInput{
			ContactID: *contactID, BookingID: bookingID, Template: a.Template, Body: a.Body,
			RuleID: &rule.ID, Marketing: a.Marketing, Urgent: a.Urgent, Key: key + ":sms",
		}
		if ct != nil && ct.ID == *contactID {
			in.Contact = ct
		}
		// A fresh run (no earlier run of the rule for the event): its
		// messages commit with the run, so none has the key yet.
		in.KeyNew = fresh
		id, err := s.SMS.QueueSMS(ctx, c, in)
		if err != nil {
			return step, err
		}
		step.Detail, step.Ref = fmt.Sprintf("Queued the %s SMS to %s.", a.Template, name), string(id)
	case ActionSendEmail:
		if err := needContact(); err != nil {
			return step, err
		}
		if dry {
			step.Detail = fmt.Sprintf("Would send the %s email to %s (subject %q).", a.Template, name, a.Subject)
			return step, nil
		}
		if s.Email == nil {
			// No email service in this process: the run is the outbox.
			step.Detail = fmt.Sprintf("Kept in the outbox: the %s email to %s (subject %q); no email provider is connected.", a.Template, name, a.Subject)
			return step, nil
		}
		id, skipped, err := s.Email.QueueEmail(ctx, c, EmailInput{ContactID: *contactID, Template: a.Template,
			Subject: a.Subject, Body: a.Body, Marketing: a.Marketing, RuleID: &rule.ID, Key: key + ":email"})
		if err != nil {
			return step, err
		}
		if id == "" {
			step.Detail = fmt.Sprintf("No %s email: %s %s.", a.Template, name, skipped)
			return step, nil
		}
		step.Detail, step.Ref = fmt.Sprintf("Queued the %s email to %s.", a.Template, name), string(id)
	case ActionCreateTask:
		title := normalize.Truncate(strings.ReplaceAll(a.Title, "{name}", name), 200)
		nt := tasks.NewTask{
			Title: title, Description: "Created by the automation rule “" + rule.Name + "”.",
			ContactID: contactID, BookingID: bookingID, Kind: task.Kind(a.TaskKind), AutoAssign: a.AutoAssign,
		}
		if a.Priority != "" {
			p := task.Priority(a.Priority)
			nt.Priority = &p
		}
		if a.AssigneeID != "" {
			id := pulid.ID(a.AssigneeID)
			nt.AssigneeID = &id
		}
		if a.Skill != "" {
			nt.Skill = &a.Skill
		}
		if a.DueInMinutes > 0 {
			due := s.Now.Now().Add(time.Duration(a.DueInMinutes) * time.Minute)
			nt.DueAt = &due
		}
		who := "unassigned"
		switch {
		case a.AutoAssign:
			who = "auto-assigned"
		case a.AssigneeID != "":
			who = "assigned to " + a.AssigneeID
		}
		if dry {
			step.Detail = fmt.Sprintf("Would create the task “%s” (%s, priority %s).", title, who, orDefault(a.Priority, "computed"))
			return step, nil
		}
		t, err := s.Tasks.Create(ctx, nt)
		if err != nil && a.AutoAssign && apperr.CodeOf(err) == apperr.Conflict {
			// Nobody has the skill: an unassigned task beats none.
			slog.WarnContext(ctx, "automation: task created unassigned", "rule", rule.ID, "reason", err)
			nt.AutoAssign, who = false, "unassigned: nobody to auto-assign"
			t, err = s.Tasks.Create(ctx, nt)
		}
		if err != nil {
			return step, err
		}
		step.Detail, step.Ref = fmt.Sprintf("Created the task “%s” (%s, priority %s).", t.Title, who, t.Priority), string(t.ID)
	case ActionMoveStage:
		if err := needContact(); err != nil {
			return step, err
		}
		to := contact.Stage(a.Stage)
		from := contact.Stage(env.Contact.Stage)
		if from == to {
			step.Detail = fmt.Sprintf("%s is already %s.", name, pipeline.Label(to))
			return step, nil
		}
		if err := pipeline.CanMove(from, to); err != nil {
			// The contact has moved on since; the pipeline's rules decide.
			step.Detail = fmt.Sprintf("Did not move %s: %s", name, apperr.From(err).Message)
			if dry {
				step.Detail = "Would not move " + strings.TrimPrefix(step.Detail, "Did not move ")
			}
			return step, nil
		}
		if dry {
			step.Detail = fmt.Sprintf("Would move %s from %s to %s.", name, pipeline.Label(from), pipeline.Label(to))
			return step, nil
		}
		if _, err := s.Stages.Move(ctx, *contactID, to, normalize.Truncate("Automation: "+rule.Name, pipeline.MaxReason)); err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) && ae.Code == apperr.Invalid {
				step.Detail = fmt.Sprintf("Did not move %s: %s", name, ae.Message)
				return step, nil
			}
			return step, err
		}
		step.Detail, step.Ref = fmt.Sprintf("Moved %s from %s to %s.", name, pipeline.Label(from), pipeline.Label(to)), string(*contactID)
	case ActionNotifyStaff:
		msg := strings.ReplaceAll(a.Message, "{name}", name)
		verb := "Notice to staff"
		if dry {
			verb = "Would notify staff"
		}
		step.Detail = verb + ": " + msg
	default:
		return step, apperr.Invalidf("actions", "unknown action %q", a.Type)
	}
	return step, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
