package ui

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
)

// automationAPI is the automation and jobs pages: rules, their runs, the
// dry run, the condition check as you type, and the job queue.
type automationAPI interface {
	AutomationRules(ctx context.Context) ([]*ent.AutomationRule, error)
	AutomationRule(ctx context.Context, id pulid.ID) (*ent.AutomationRule, error)
	AutomationRuns(ctx context.Context, where *graph.AutomationRunsWhere, first *int) ([]*ent.AutomationRun, error)
	AutomationTriggers(ctx context.Context) ([]string, error)
	ScheduledAutomations(ctx context.Context) ([]*graph.ScheduledAutomation, error)
	CheckAutomationCondition(ctx context.Context, condition string) (*graph.ConditionCheck, error)
	CreateAutomationRule(ctx context.Context, input graph.AutomationRuleInput) (*ent.AutomationRule, error)
	UpdateAutomationRule(ctx context.Context, id pulid.ID, input graph.AutomationRuleInput) (*ent.AutomationRule, error)
	SetAutomationRuleEnabled(ctx context.Context, id pulid.ID, enabled bool) (*ent.AutomationRule, error)
	DryRunAutomationRule(ctx context.Context, ruleID pulid.ID, contactID pulid.ID) (*ent.AutomationRun, error)
	Jobs(ctx context.Context, where *graph.JobsWhere, first *int, after *string) (*graph.JobPage, error)
	RetryJob(ctx context.Context, id pulid.ID) (*graph.Job, error)
	DiscardJob(ctx context.Context, id pulid.ID) (*graph.Job, error)
	Contacts(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ContactOrder, where *ent.ContactWhereInput, list ...graph.List) (*ent.ContactConnection, error)
}
