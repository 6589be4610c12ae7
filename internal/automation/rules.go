package automation

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/automationrule"
	"github.com/avatarimaging/avatarcrm/ent/automationrun"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Limits of a rule.
const (
	MaxActions = 10
	// MaxDelaySeconds is 90 days: longer waits are recalls, a schedule's
	// work.
	MaxDelaySeconds = 90 * 24 * 3600
)

// RuleInput is a rule to create, or the changes to one (nil: unchanged).
type RuleInput struct {
	Name         *string
	Trigger      *string
	Condition    *string
	DelaySeconds *int
	Actions      []types.AutomationAction
	Enabled      *bool
}

// Rules lists the active location's rules, by name.
func (s *Service) Rules(ctx context.Context) ([]*ent.AutomationRule, error) {
	return s.client(ctx).AutomationRule.Query().Order(automationrule.ByName(), automationrule.ByID()).All(ctx)
}

// Rule returns one rule of the active location.
func (s *Service) Rule(ctx context.Context, id pulid.ID) (*ent.AutomationRule, error) {
	r, err := s.client(ctx).AutomationRule.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("id", "automation rule %s not found", id)
	}
	return r, err
}

// CheckCondition compiles a condition as saving would (nil when valid).
func CheckCondition(condition string) error {
	_, err := Compile(condition)
	return err
}

// CreateRule checks and creates a rule at the viewer's location. Name,
// trigger and at least one action are required.
func (s *Service) CreateRule(ctx context.Context, in RuleInput) (*ent.AutomationRule, error) {
	if in.Name == nil || in.Trigger == nil {
		field := "name"
		if in.Name != nil {
			field = "trigger"
		}
		return nil, apperr.Invalidf(field, "is required")
	}
	if in.Actions == nil {
		return nil, apperr.Invalidf("actions", "a rule needs at least one action")
	}
	r := &ent.AutomationRule{Enabled: true}
	if err := apply(r, in); err != nil {
		return nil, err
	}
	var out *ent.AutomationRule
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		if err := s.checkAssignees(ctx, c, r.Actions); err != nil {
			return err
		}
		var err error
		out, err = c.AutomationRule.Create().SetName(r.Name).SetTrigger(r.Trigger).SetCondition(r.Condition).
			SetDelaySeconds(r.DelaySeconds).SetActions(r.Actions).SetEnabled(r.Enabled).Save(ctx)
		return err
	})
	return out, err
}

// UpdateRule checks and applies changes to a rule.
func (s *Service) UpdateRule(ctx context.Context, id pulid.ID, in RuleInput) (*ent.AutomationRule, error) {
	var out *ent.AutomationRule
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		r, err := s.Rule(ctx, id)
		if err != nil {
			return err
		}
		if err := apply(r, in); err != nil {
			return err
		}
		if err := s.checkAssignees(ctx, c, r.Actions); err != nil {
			return err
		}
		out, err = c.AutomationRule.UpdateOne(r).SetName(r.Name).SetTrigger(r.Trigger).SetCondition(r.Condition).
			SetDelaySeconds(r.DelaySeconds).SetActions(r.Actions).SetEnabled(r.Enabled).Save(ctx)
		return err
	})
	return out, err
}

// SetEnabled enables or disables a rule. A disabled rule starts no runs,
// and runs waiting out its delay are skipped when they come due.
func (s *Service) SetEnabled(ctx context.Context, id pulid.ID, enabled bool) (*ent.AutomationRule, error) {
	return s.UpdateRule(ctx, id, RuleInput{Enabled: &enabled})
}

// apply validates in and writes it into r.
func apply(r *ent.AutomationRule, in RuleInput) error {
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" {
			return apperr.Invalidf("name", "is required")
		}
		if utf8.RuneCountInString(name) > 120 {
			return apperr.Invalidf("name", "is longer than 120 characters")
		}
		r.Name = name
	}
	if in.Trigger != nil {
		if !events.Known(*in.Trigger) {
			return apperr.Invalidf("trigger", "unknown event %q; one of %s", *in.Trigger, strings.Join(events.Types, ", "))
		}
		r.Trigger = *in.Trigger
	}
	if in.Condition != nil {
		cond := strings.TrimSpace(*in.Condition)
		if _, err := Compile(cond); err != nil {
			return err
		}
		r.Condition = cond
	}
	if in.DelaySeconds != nil {
		if *in.DelaySeconds < 0 || *in.DelaySeconds > MaxDelaySeconds {
			return apperr.Invalidf("delaySeconds", "must be between 0 and %d (90 days)", MaxDelaySeconds)
		}
		r.DelaySeconds = *in.DelaySeconds
	}
	if in.Actions != nil {
		if err := checkActions(in.Actions); err != nil {
			return err
		}
		r.Actions = in.Actions
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	return nil
}

// checkActions validates each action; errors name the field as
// actions[i].field.
func checkActions(as []types.AutomationAction) error {
	if len(as) == 0 {
		return apperr.Invalidf("actions", "a rule needs at least one action")
	}
	if len(as) > MaxActions {
		return apperr.Invalidf("actions", "at most %d actions", MaxActions)
	}
	for i := range as {
		a := &as[i]
		bad := func(field, format string, args ...any) error {
			return apperr.Invalidf(fmt.Sprintf("actions[%d].%s", i, field), format, args...)
		}
		switch a.Type {
		case ActionSendSMS:
			if !oneOf(a.Template, SMSTemplates) {
				return bad("template", "unknown SMS template %q; one of %s", a.Template, strings.Join(SMSTemplates, ", "))
			}
			if len(a.Body) > 1600 {
				return bad("body", "is longer than 1600 characters")
			}
		case ActionSendEmail:
			if strings.TrimSpace(a.Template) == "" {
				return bad("template", "is required")
			}
		case ActionCreateTask:
			a.Title = strings.TrimSpace(a.Title)
			if a.Title == "" || len(a.Title) > 200 {
				return bad("title", "is required, at most 200 characters")
			}
			if a.Priority != "" && task.PriorityValidator(task.Priority(a.Priority)) != nil {
				return bad("priority", "unknown priority %q", a.Priority)
			}
			if a.TaskKind != "" && task.KindValidator(task.Kind(a.TaskKind)) != nil {
				return bad("taskKind", "unknown task kind %q", a.TaskKind)
			}
			if a.AutoAssign && a.AssigneeID != "" {
				return bad("assigneeId", "choose an assignee or auto-assignment, not both")
			}
			if a.DueInMinutes < 0 {
				return bad("dueInMinutes", "cannot be negative")
			}
		case ActionMoveStage:
			if contact.StageValidator(contact.Stage(a.Stage)) != nil {
				return bad("stage", "unknown stage %q", a.Stage)
			}
		case ActionNotifyStaff:
			a.Message = strings.TrimSpace(a.Message)
			if a.Message == "" || len(a.Message) > 500 {
				return bad("message", "is required, at most 500 characters")
			}
		default:
			return bad("type", "unknown action %q; one of %s", a.Type, strings.Join(ActionTypes, ", "))
		}
	}
	return nil
}

// checkAssignees refuses a task assignee who is not a user of the location.
func (s *Service) checkAssignees(ctx context.Context, c *ent.Client, as []types.AutomationAction) error {
	for i, a := range as {
		if a.AssigneeID == "" {
			continue
		}
		if _, err := c.User.Get(ctx, pulid.ID(a.AssigneeID)); err != nil {
			if ent.IsNotFound(err) {
				return apperr.NotFoundf(fmt.Sprintf("actions[%d].assigneeId", i), "user %s not found", a.AssigneeID)
			}
			return err
		}
	}
	return nil
}

func oneOf(s string, list []string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// RunFilter selects runs.
type RunFilter struct {
	RuleID, ContactID *pulid.ID
	// Limit defaults to 50, at most 200.
	Limit int
}

// Runs lists runs at the active location, newest first.
func (s *Service) Runs(ctx context.Context, f RunFilter) ([]*ent.AutomationRun, error) {
	var ps []predicate.AutomationRun
	if f.RuleID != nil {
		ps = append(ps, automationrun.RuleID(*f.RuleID))
	}
	if f.ContactID != nil {
		ps = append(ps, automationrun.ContactID(*f.ContactID))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	return s.client(ctx).AutomationRun.Query().Where(ps...).
		Order(ent.Desc(automationrun.FieldStartedAt), ent.Desc(automationrun.FieldID)).
		Limit(min(limit, 200)).WithRule().All(ctx)
}

// DryRun evaluates a rule against a contact as if its trigger happened
// now (with the contact's next booking, else their latest), changes
// nothing but the record of the dry run, and returns it: the outcome
// dry_run, what it would do (Steps) or why it would skip (Detail).
// A disabled rule can be dry-run: that is how an admin tries it first.
func (s *Service) DryRun(ctx context.Context, ruleID, contactID pulid.ID) (*ent.AutomationRun, error) {
	var out *ent.AutomationRun
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		r, err := s.Rule(ctx, ruleID)
		if err != nil {
			return err
		}
		ct, err := c.Contact.Get(ctx, contactID)
		if ent.IsNotFound(err) {
			return apperr.NotFoundf("contactID", "contact %s not found", contactID)
		} else if err != nil {
			return err
		}
		started := s.Now.Now()
		res, err := s.run(ctx, c, r, nil, ct, false, true)
		if err != nil {
			res = result{Outcome: automationrun.OutcomeDryRun, Detail: "Would fail: " + apperr.From(err).Message, Err: err.Error()}
			res.ContactID = &ct.ID
		}
		if res.Steps == nil {
			res.Steps = []types.AutomationStep{}
		}
		// The record is the system's note of what the admin tried; the
		// admin may read runs, and may well lack nothing else, but a
		// manager with automation:read only still gets the answer.
		sys := viewer.Consequences.Grant(ctx, "")
		out, err = c.AutomationRun.Create().SetLocationID(r.LocationID).SetRuleID(r.ID).SetEventType(r.Trigger).
			SetOutcome(res.Outcome).SetDetail(res.Detail).SetSteps(res.Steps).SetError(res.Err).
			SetNillableContactID(res.ContactID).SetNillableBookingID(res.BookingID).
			SetStartedAt(started).SetFinishedAt(s.Now.Now()).Save(sys)
		if err != nil {
			return err
		}
		out.Edges.Rule = r
		return nil
	})
	return out, err
}
