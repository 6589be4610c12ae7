package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

func (u *UI) automationRoutes(r chi.Router) {
	r.Get("/admin/automation", u.automationRules)
	r.Post("/admin/automation", u.createRule)
	r.Get("/admin/automation/check", u.checkCondition)
	r.Get("/admin/automation/{id}", u.automationRule)
	r.Post("/admin/automation/{id}", u.updateRule)
	r.Post("/admin/automation/{id}/enabled", u.setRuleEnabled)
	r.Post("/admin/automation/{id}/dry-run", u.dryRunRule)
	r.Get("/admin/jobs", u.jobsPage)
	r.Post("/admin/jobs/{id}/retry", u.retryJob)
	r.Post("/admin/jobs/{id}/discard", u.discardJob)
}

// newRuleActions is what the new-rule form's actions start as: one SMS.
const newRuleActions = `[
  {"type": "send_sms", "template": "welcome"}
]`

// automationRules lists the rules and the scheduled reminders, with the
// new-rule form.
func (u *UI) automationRules(w http.ResponseWriter, r *http.Request) {
	u.showRules(w, r, http.StatusOK, nil)
}

// showRules renders the rules page; form, when set, is the new-rule
// form's input kept after an error.
func (u *UI) showRules(w http.ResponseWriter, r *http.Request, status int, form *views.RuleForm) {
	p, ok := u.adminPage(w, r, "Automation", graph.OpAutomationRules)
	if !ok {
		return
	}
	ctx := r.Context()
	rules, err := u.api.auto.AutomationRules(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	sched, err := u.api.auto.ScheduledAutomations(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.RulesPage{CanEdit: u.allowed(ctx, graph.OpSetAutomationRuleEnabled)}
	for _, rule := range rules {
		d.Rules = append(d.Rules, ruleRow(rule))
	}
	for _, s := range sched {
		d.Scheduled = append(d.Scheduled, views.ScheduledRow{Name: s.Name, When: s.When, Template: s.Template, Schedule: s.Schedule})
	}
	if d.CanCreate = u.allowed(ctx, graph.OpCreateAutomationRule); d.CanCreate {
		triggers, err := u.api.auto.AutomationTriggers(ctx)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		for _, t := range triggers {
			d.Triggers = append(d.Triggers, views.Option{Value: t, Label: t})
		}
		d.New = views.RuleForm{Delay: "0", Actions: newRuleActions}
		if form != nil {
			d.New = *form
			p.Error = "The rule was not created: please check the form."
		}
	}
	renderStatus(w, r, status, views.AutomationPage(p, d))
}

// ruleInput reads the rule form (new and edit): the input for
// createAutomationRule / updateAutomationRule, or an INVALID error on the
// delay or the actions' JSON.
func ruleInput(r *http.Request) (views.RuleForm, graph.AutomationRuleInput, error) {
	form := views.RuleForm{
		Name: trim(r.PostFormValue("name")), Trigger: trim(r.PostFormValue("trigger")),
		Condition: r.PostFormValue("condition"), Delay: trim(r.PostFormValue("delaySeconds")), Actions: r.PostFormValue("actions"),
	}
	in := graph.AutomationRuleInput{Name: &form.Name, Trigger: &form.Trigger, Condition: &form.Condition}
	if form.Delay != "" {
		n, err := strconv.Atoi(form.Delay)
		if err != nil {
			return form, in, apperr.Invalidf("delaySeconds", "must be a whole number of seconds")
		}
		in.DelaySeconds = &n
	}
	var actions []*graph.AutomationActionInput
	if err := json.Unmarshal([]byte(form.Actions), &actions); err != nil {
		return form, in, apperr.Invalidf("actions", "not a JSON list of actions: %v", err)
	}
	in.Actions = actions
	return form, in, nil
}

// ruleFields maps the input's fields to the form's; an error on one
// action is shown beside the actions.
var ruleFields = inputs{"name": "name", "trigger": "trigger", "condition": "condition", "delaySeconds": "delaySeconds", "actions": "actions"}

func actionsError(err error) error {
	if ae := apperr.From(err); err != nil && strings.HasPrefix(ae.Field, "actions[") {
		ae.Message = ae.Field + ": " + ae.Message
		ae.Field = "actions"
		return ae
	}
	return err
}

// createRule posts the new-rule form: createAutomationRule. A bad
// condition comes back next to the field with its position; a new rule
// is listed, enabled as the form says (enabled unless switched off later).
func (u *UI) createRule(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateAutomationRule) || !u.parseForm(w, r) {
		return
	}
	form, in, err := ruleInput(r)
	if err == nil {
		_, err = u.api.auto.CreateAutomationRule(r.Context(), in)
	}
	u.finish(w, r, actionsError(err), done{Path: "/admin/automation", Key: "rule-created"}, ruleFields, "", func(errs views.FieldErrors, status int) {
		form.Errors = errs
		u.showRules(w, r, status, &form)
	})
}

func ruleRow(rule *ent.AutomationRule) views.RuleRow {
	row := views.RuleRow{ID: rule.ID.String(), Name: rule.Name, Trigger: rule.Trigger, Condition: rule.Condition, Enabled: rule.Enabled}
	if rule.DelaySeconds > 0 {
		row.Delay = fmt.Sprintf(" + %s", delayText(rule.DelaySeconds))
	}
	for _, a := range rule.Actions {
		row.Actions = append(row.Actions, actionText(a))
	}
	return row
}

func delayText(s int) string {
	switch {
	case s%86400 == 0:
		return fmt.Sprintf("%d d", s/86400)
	case s%3600 == 0:
		return fmt.Sprintf("%d h", s/3600)
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d s", s)
}

func actionText(a types.AutomationAction) string {
	switch a.Type {
	case "send_sms":
		return "SMS: " + a.Template
	case "send_email":
		return "Email: " + a.Template
	case "create_task":
		return "Task: " + a.Title
	case "move_stage":
		return "Stage: " + a.Stage
	case "notify_staff":
		return "Notice: " + a.Message
	}
	return a.Type
}

// automationRule shows a rule's edit form, history and dry run.
func (u *UI) automationRule(w http.ResponseWriter, r *http.Request) {
	u.showRule(w, r, http.StatusOK, nil, func(d *views.RuleEditPage) {})
}

// showRule renders the rule page; form, when set, replaces the stored
// values (input kept after an error); adjust sets the rest.
func (u *UI) showRule(w http.ResponseWriter, r *http.Request, status int, form *views.RuleForm, adjust func(*views.RuleEditPage)) {
	p, ok := u.adminPage(w, r, "Automation rule", graph.OpAutomationRule)
	if !ok {
		return
	}
	ctx := r.Context()
	d, err := u.rulePage(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Title = d.Rule.Name
	if form != nil {
		d.Form = *form
		p.Error = "The rule was not saved: please check the form."
	}
	adjust(&d)
	renderStatus(w, r, status, views.RulePage(p, d))
}

func (u *UI) rulePage(ctx context.Context, id pulid.ID) (views.RuleEditPage, error) {
	var d views.RuleEditPage
	rule, err := u.api.auto.AutomationRule(ctx, id)
	if err != nil {
		return d, err
	}
	actions, _ := json.MarshalIndent(rule.Actions, "", "  ")
	d.Rule = ruleRow(rule)
	d.Form = views.RuleForm{Name: rule.Name, Trigger: rule.Trigger, Condition: rule.Condition, Delay: strconv.Itoa(rule.DelaySeconds), Actions: string(actions)}
	d.CanEdit = u.allowed(ctx, graph.OpUpdateAutomationRule)
	triggers, err := u.api.auto.AutomationTriggers(ctx)
	if err != nil {
		return d, err
	}
	for _, t := range triggers {
		d.Triggers = append(d.Triggers, views.Option{Value: t, Label: t})
	}
	runs, err := u.api.auto.AutomationRuns(ctx, &graph.AutomationRunsWhere{RuleID: &rule.ID}, ptr(50))
	if err != nil {
		return d, err
	}
	for _, run := range runs {
		d.Runs = append(d.Runs, runRow(run))
	}
	if d.CanEdit {
		conn, err := u.api.auto.Contacts(ctx, nil, ptr(50), nil, nil,
			&ent.ContactOrder{Direction: entgql.OrderDirectionDesc, Field: ent.ContactOrderFieldCreatedAt}, nil)
		if err != nil {
			return d, err
		}
		for _, e := range conn.Edges {
			d.Contacts = append(d.Contacts, views.Option{Value: e.Node.ID.String(), Label: strings.TrimSpace(e.Node.FirstName + " " + e.Node.LastName)})
		}
	}
	return d, nil
}

func runRow(run *ent.AutomationRun) views.RunRow {
	row := views.RunRow{
		ID: run.ID.String(), Outcome: strings.ReplaceAll(string(run.Outcome), "_", " "), Detail: run.Detail,
		Error: run.Error, EventType: run.EventType, At: run.StartedAt,
	}
	if run.Edges.Rule != nil {
		row.Rule = run.Edges.Rule.Name
	}
	if run.ContactID != nil {
		row.ContactID = run.ContactID.String()
	}
	for _, s := range run.Steps {
		row.Steps = append(row.Steps, views.StepRow{Type: s.Type, Detail: s.Detail})
	}
	return row
}

// checkCondition answers the condition typed so far (htmx, as you type).
func (u *UI) checkCondition(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCheckAutomationCondition) {
		return
	}
	c, err := u.api.auto.CheckAutomationCondition(r.Context(), r.URL.Query().Get("condition"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	out := views.ConditionCheck{Valid: c.Valid}
	if c.Message != nil {
		out.Message = sentence(*c.Message)
	}
	render(w, r, views.ConditionCheckFragment(out))
}

// updateRule posts the edit form: updateAutomationRule. A bad condition
// comes back next to the field with its position.
func (u *UI) updateRule(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUpdateAutomationRule) || !u.parseForm(w, r) {
		return
	}
	id := idParam(r)
	form, in, err := ruleInput(r)
	if err == nil {
		_, err = u.api.auto.UpdateAutomationRule(r.Context(), id, in)
	}
	u.finish(w, r, actionsError(err), done{Path: "/admin/automation/" + id.String(), Key: "rule-saved"}, ruleFields, "", func(errs views.FieldErrors, status int) {
		form.Errors = errs
		u.showRule(w, r, status, &form, func(*views.RuleEditPage) {})
	})
}

// setRuleEnabled posts the switch: setAutomationRuleEnabled.
func (u *UI) setRuleEnabled(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSetAutomationRuleEnabled) || !u.parseForm(w, r) {
		return
	}
	enabled := r.PostFormValue("enabled") == "true"
	_, err := u.api.auto.SetAutomationRuleEnabled(r.Context(), idParam(r), enabled)
	key := "rule-disabled"
	if enabled {
		key = "rule-enabled"
	}
	u.finish(w, r, err, done{Path: "/admin/automation", Key: key}, nil, "", nil)
}

// dryRunRule posts the dry run: dryRunAutomationRule, shown on the page.
func (u *UI) dryRunRule(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpDryRunAutomationRule) || !u.parseForm(w, r) {
		return
	}
	contactID := pulid.ID(trim(r.PostFormValue("contactID")))
	run, err := u.api.auto.DryRunAutomationRule(r.Context(), idParam(r), contactID)
	status := http.StatusOK
	var msg string
	if err != nil {
		ae := apperr.From(err)
		if ae.Code != apperr.NotFound && ae.Code != apperr.Invalid || ae.Field != "contactID" {
			u.fail(w, r, err)
			return
		}
		status, msg = http.StatusUnprocessableEntity, notHere
	}
	u.showRule(w, r, status, nil, func(d *views.RuleEditPage) {
		d.DryContact, d.DryError = contactID.String(), msg
		if run != nil {
			row := runRow(run)
			d.DryRun = &row
		}
	})
}

// jobStates are the filters of the jobs page; discarded is the dead letter.
var jobStates = []views.Option{
	{Value: "", Label: "Any"}, {Value: "discarded", Label: "Dead letter (out of attempts)"},
	{Value: "retryable", Label: "Waiting to retry"}, {Value: "available", Label: "Ready"},
	{Value: "scheduled", Label: "Scheduled"}, {Value: "running", Label: "Running"},
	{Value: "completed", Label: "Completed"}, {Value: "cancelled", Label: "Cancelled"},
}

// jobsPage lists jobs by state and kind.
func (u *UI) jobsPage(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Jobs", graph.OpJobs)
	if !ok {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := views.JobsPage{State: q.Get("state"), Kind: trim(q.Get("kind")), States: jobStates, CanEdit: u.allowed(ctx, graph.OpRetryJob)}
	where := &graph.JobsWhere{}
	if d.State != "" {
		st := graph.JobState(d.State)
		if !st.IsValid() {
			u.fail(w, r, apperr.Invalidf("state", "unknown state %q", d.State))
			return
		}
		where.State = &st
	}
	if d.Kind != "" {
		where.Kind = &d.Kind
	}
	var after *string
	if a := q.Get("after"); a != "" {
		after = &a
	}
	page, err := u.api.auto.Jobs(ctx, where, ptr(50), after)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, j := range page.Jobs {
		row := views.JobRow{ID: j.ID.String(), Kind: j.Kind, State: string(j.State), Args: j.Args, Attempt: j.Attempt, Max: j.MaxAttempts, Created: j.CreatedAt}
		for _, e := range j.Errors {
			row.Errors = append(row.Errors, fmt.Sprintf("attempt %d: %s", e.Attempt, e.Error))
		}
		row.CanRetry = d.CanEdit && j.State != graph.JobStateRunning && j.State != graph.JobStateCompleted
		row.CanDiscard = d.CanEdit && j.State != graph.JobStateCompleted && j.State != graph.JobStateCancelled
		d.Jobs = append(d.Jobs, row)
	}
	if page.EndCursor != nil {
		v := url.Values{"state": {d.State}, "kind": {d.Kind}, "after": {*page.EndCursor}}
		d.More = "/admin/jobs?" + v.Encode()
	}
	render(w, r, views.JobsListPage(p, d))
}

// retryJob posts a retry: retryJob.
func (u *UI) retryJob(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRetryJob) || !u.parseForm(w, r) {
		return
	}
	_, err := u.api.auto.RetryJob(r.Context(), idParam(r))
	u.finish(w, r, err, done{Path: "/admin/jobs", Key: "job-retried"}, nil, "", nil)
}

// discardJob posts a discard: discardJob.
func (u *UI) discardJob(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpDiscardJob) || !u.parseForm(w, r) {
		return
	}
	_, err := u.api.auto.DiscardJob(r.Context(), idParam(r))
	u.finish(w, r, err, done{Path: "/admin/jobs", Key: "job-discarded"}, nil, "", nil)
}
