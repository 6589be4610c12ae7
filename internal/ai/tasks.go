package ai

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	entschema "github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
)

// TaskInfo is what prioritising and assigning need of a task.
type TaskInfo struct {
	// Kind takes the task kind enum's values (call, follow_up,
	// no_show_follow_up …).
	Kind string
	// Title and Description are staff's words (they may quote a patient).
	Title, Description string
	DueAt              *time.Time
	// Skill the assignee needs, or "".
	Skill string
}

// TaskContact is what prioritising needs of the task's contact.
type TaskContact struct {
	Warmness int
	// FirstName and LastName are only used to redact them.
	FirstName, LastName string
}

// PriorityInput is a task to prioritise.
type PriorityInput struct {
	LocationID string
	// Now is the moment the priority is for; zero means the AI's clock.
	Now  time.Time
	Task TaskInfo
	// Contact is nil for a task without one.
	Contact *TaskContact
}

// Priority is a task's priority and why.
type Priority struct {
	Answer
	// Priority is low, normal, high or urgent.
	Priority string `json:"priority"`
	// RulesPriority and RulesReason are the task priority rules' own
	// answer (tasks.ComputePriority): the floor nothing lowers.
	RulesPriority string `json:"rulesPriority"`
	RulesReason   string `json:"rulesReason"`
}

// PrioritizeTask implements Service. It answers INVALID for an unknown
// task kind.
func (a *AI) PrioritizeTask(ctx context.Context, in PriorityInput) (Priority, error) {
	if in.Task.Kind != "" && task.KindValidator(task.Kind(in.Task.Kind)) != nil {
		return Priority{}, apperr.Invalidf("kind", "unknown task kind %q", in.Task.Kind)
	}
	now := a.nowOr(in.Now)
	f := tasks.PriorityFacts{DueAt: in.Task.DueAt, Kind: task.Kind(in.Task.Kind)}
	if in.Contact != nil {
		f.Warmness = in.Contact.Warmness
	}
	p, why := tasks.ComputePriority(now, f)
	b := Priority{
		Answer:   Answer{Engine: EngineBuiltin, Model: BuiltinModel, Confidence: 1, Reason: titleBand(string(p)) + ": " + why},
		Priority: string(p), RulesPriority: string(p), RulesReason: why,
	}
	return run(ctx, a, request[Priority]{
		uc: UsePriority, location: in.LocationID, builtin: b,
		answer: func(r *Priority) *Answer { return &r.Answer },
		schema: a.schemas.byUseCase[UsePriority],
		prompt: func() (string, string) { return a.priorityPrompt(in, b, now) },
		accept: func(raw []byte) (Priority, error) { return acceptPriority(raw, b) },
	}), nil
}

func (a *AI) priorityPrompt(in PriorityInput, b Priority, now time.Time) (string, string) {
	var names []string
	if in.Contact != nil {
		names = []string{in.Contact.FirstName, in.Contact.LastName}
	}
	red := a.redactor(now, names...)
	data := map[string]any{
		"kind": in.Task.Kind, "title": red.Redact(truncate(in.Task.Title, 200)), "description": red.Redact(truncate(in.Task.Description, 1000)),
		"rules_priority": b.RulesPriority, "rules_reason": b.RulesReason,
	}
	if in.Task.DueAt != nil {
		data["due_in_hours"] = int(in.Task.DueAt.Sub(now).Hours())
	}
	if in.Contact != nil {
		data["contact_warmness"] = in.Contact.Warmness
	}
	sys := `You help a medical imaging clinic's staff order their tasks. Rules have set a priority (low < normal < high < urgent). Read the task and say whether it deserves a higher priority than the rules gave it, for example a patient in pain waiting for a call back; never a lower one. Give the priority, one reason from the enumeration, and your confidence, 0 to 1.
` + guard
	return sys, promptJSON(data)
}

// PriorityReasons are the words shown for a model's reason codes.
var PriorityReasons = map[string]string{
	"overdue": "overdue", "due_soon": "due soon", "hot_lead": "a hot lead", "no_show": "a missed appointment to follow up",
	"patient_waiting": "a patient is waiting for us", "clinical_urgency": "the task describes a clinical urgency",
	"time_sensitive": "time-sensitive", "routine": "routine",
}

type priorityAnswer struct {
	Priority   string  `json:"priority"`
	Reason     string  `json:"reason"`
	Confidence float64 `json:"confidence"`
}

// acceptPriority lets a model raise, never lower, the rules' priority.
func acceptPriority(raw []byte, b Priority) (Priority, error) {
	var m priorityAnswer
	if err := json.Unmarshal(raw, &m); err != nil {
		return Priority{}, reject("%v", err)
	}
	r := b
	r.Confidence = m.Confidence
	if entschema.PriorityRank(task.Priority(m.Priority)) > entschema.PriorityRank(task.Priority(b.RulesPriority)) {
		r.Priority = m.Priority
		r.Reason = fmt.Sprintf("%s: the model raised it from %s (%s); rules: %s", titleBand(m.Priority), b.RulesPriority, PriorityReasons[m.Reason], b.RulesReason)
	} else {
		r.Reason = fmt.Sprintf("%s: %s; the model agrees", titleBand(b.RulesPriority), b.RulesReason)
	}
	return r, nil
}

// StaffLoad is one person who might take a task, with their workload as
// internal/tasks weighs it (tasks.Weight summed over their open tasks).
type StaffLoad struct {
	ID, Name string
	Skills   []string
	Workload int
	// OpenTasks counts their pending and in-progress tasks.
	OpenTasks int
}

// AssigneeInput is a task and the people who might take it: the wiring
// passes the location's active staff members and managers.
type AssigneeInput struct {
	LocationID string
	Task       TaskInfo
	Staff      []StaffLoad
}

// Assignee is who should take a task and why.
type Assignee struct {
	Answer
	// StaffID is the chosen person, or "" when nobody has the skill.
	StaffID string `json:"staffId"`
	Name    string `json:"name"`
	// Ranked are the candidates best first, as the rules order them.
	Ranked []StaffLoad `json:"ranked"`
}

// Slack is how much more workload than the rules' choice a model's
// choice may carry: it may prefer someone else among the nearly least
// busy, never pile work on the busiest.
const Slack = 2

// SuggestAssignee implements Service: the same ranking as auto-assignment
// (internal/tasks): candidates with the task's skill, lowest workload,
// then fewest open tasks, then name.
func (a *AI) SuggestAssignee(ctx context.Context, in AssigneeInput) (Assignee, error) {
	var cands []StaffLoad
	for _, s := range in.Staff {
		if s.ID == "" {
			return Assignee{}, apperr.Invalidf("staff", "a staff member without an id")
		}
		if in.Task.Skill == "" || slices.ContainsFunc(s.Skills, func(k string) bool { return strings.EqualFold(strings.TrimSpace(k), in.Task.Skill) }) {
			cands = append(cands, s)
		}
	}
	slices.SortFunc(cands, func(x, y StaffLoad) int {
		return cmp.Or(cmp.Compare(x.Workload, y.Workload), cmp.Compare(x.OpenTasks, y.OpenTasks),
			cmp.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)), cmp.Compare(x.ID, y.ID))
	})
	b := Assignee{Answer: Answer{Engine: EngineBuiltin, Model: BuiltinModel}, Ranked: cands}
	if len(cands) == 0 {
		b.Reason = "Nobody can take it: no active staff member or manager here"
		if in.Task.Skill != "" {
			b.Reason += " has the skill " + in.Task.Skill
		}
		// Nothing to choose from: no model is asked.
		return run(ctx, a, request[Assignee]{uc: UseAssignee, location: in.LocationID, builtin: b, final: true,
			answer: func(r *Assignee) *Answer { return &r.Answer }}), nil
	}
	b.StaffID, b.Name = cands[0].ID, cands[0].Name
	b.Confidence = 1
	if len(cands) > 1 && cands[0].Workload == cands[1].Workload {
		b.Confidence = 0.7 // a tie broken by open tasks or by name
	}
	b.Reason = explainChoice(cands, in.Task.Skill)
	return run(ctx, a, request[Assignee]{
		uc: UseAssignee, location: in.LocationID, builtin: b,
		answer: func(r *Assignee) *Answer { return &r.Answer },
		final:  len(cands) == 1,
		schema: a.schemas.byUseCase[UseAssignee],
		prompt: func() (string, string) { return a.assigneePrompt(in, cands) },
		accept: func(raw []byte) (Assignee, error) { return acceptAssignee(raw, b) },
	}), nil
}

// explainChoice says why the first candidate won, as auto-assignment's
// task event does.
func explainChoice(ranked []StaffLoad, skill string) string {
	win := ranked[0]
	with := ""
	if skill != "" {
		with = " with skill " + skill
	}
	var why string
	switch {
	case len(ranked) == 1:
		why = "the only candidate" + with
	case win.Workload < ranked[1].Workload:
		why = "lowest workload" + with
	case win.OpenTasks < ranked[1].OpenTasks:
		why = fmt.Sprintf("lowest workload%s, tied with %s and fewer open tasks", with, ranked[1].Name)
	default:
		why = fmt.Sprintf("lowest workload%s, tied with %s on workload and open tasks; first by name", with, ranked[1].Name)
	}
	parts := []string{}
	for i, c := range ranked {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("… %d more", len(ranked)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%s: workload %d (%d open)", c.Name, c.Workload, c.OpenTasks))
	}
	return fmt.Sprintf("%s: %s (%s)", win.Name, why, strings.Join(parts, "; "))
}

func (a *AI) assigneePrompt(in AssigneeInput, cands []StaffLoad) (string, string) {
	// Staff are referred to by id only: their names need not leave.
	var staff []map[string]any
	for _, c := range cands {
		staff = append(staff, map[string]any{"staff_id": c.ID, "workload": c.Workload, "open_tasks": c.OpenTasks, "skills": c.Skills})
	}
	data := map[string]any{"task_kind": in.Task.Kind, "skill": in.Task.Skill, "candidates": staff}
	sys := `You help a medical imaging clinic share tasks fairly. Choose one candidate (staff_id from the list) for the task: normally the lowest workload; a candidate with a workload at most 2 higher only for a good reason. Give one reason from the enumeration and your confidence, 0 to 1.
` + guard
	return sys, promptJSON(data)
}

// AssigneeReasons are the words shown for a model's reason codes.
var AssigneeReasons = map[string]string{
	"lowest_workload": "lowest workload", "skill_match": "best skill match", "balance": "balances the work", "fewest_open_tasks": "fewest open tasks",
}

type assigneeAnswer struct {
	StaffID    string  `json:"staff_id"`
	Reason     string  `json:"reason"`
	Confidence float64 `json:"confidence"`
}

// acceptAssignee takes a model's choice only among the candidates, and
// only one within Slack of the least busy.
func acceptAssignee(raw []byte, b Assignee) (Assignee, error) {
	var m assigneeAnswer
	if err := json.Unmarshal(raw, &m); err != nil {
		return Assignee{}, reject("%v", err)
	}
	i := slices.IndexFunc(b.Ranked, func(s StaffLoad) bool { return s.ID == m.StaffID })
	if i < 0 {
		return Assignee{}, reject("staff id %q is not a candidate", m.StaffID)
	}
	c := b.Ranked[i]
	if c.Workload > b.Ranked[0].Workload+Slack {
		return Assignee{}, reject("%s has workload %d, more than %d above the lowest (%d)", c.ID, c.Workload, Slack, b.Ranked[0].Workload)
	}
	r := b
	r.StaffID, r.Name, r.Confidence = c.ID, c.Name, m.Confidence
	if i == 0 {
		r.Reason = b.Reason + "; the model agrees"
	} else {
		r.Reason = fmt.Sprintf("%s: the model prefers them (%s), workload %d against %d for %s", c.Name, AssigneeReasons[m.Reason], c.Workload, b.Ranked[0].Workload, b.Ranked[0].Name)
	}
	return r, nil
}
