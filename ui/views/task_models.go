package views

import (
	"net/url"
	"regexp"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/taskevent"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
)

// TaskAccess says what the viewer may do to tasks. The operations decide
// again on every post; this only keeps buttons off the page that would be
// refused.
type TaskAccess struct {
	// Me is the viewer's user ID.
	Me string
	// CanCreate: createTask's permission.
	CanCreate bool
	// CanUpdate: updateTask's permission, on some tasks at least.
	CanUpdate bool
	// ChangeOn decides for a task assigned to owner (nil: nobody), as the
	// ent privacy rule does: with own_records_only, staff change only the
	// tasks assigned to them.
	ChangeOn func(owner *pulid.ID) bool
}

// CanChange reports whether the viewer may change the task.
func (a TaskAccess) CanChange(t *ent.Task) bool {
	return a.ChangeOn != nil && a.ChangeOn(t.AssigneeID)
}

// TaskCtx is what a task row, card or action form needs besides the task.
type TaskCtx struct {
	Access TaskAccess
	// Assignees are the members a task can be given to.
	Assignees []Option
	TZ        *time.Location
	Now       time.Time
	// Next is where a form returns to without JavaScript: the page with its
	// filters.
	Next string
}

// TaskFilter is the filters of the task list and board.
type TaskFilter struct {
	// Status: "open" (pending or in progress), "" (any) or a status.
	Status string
	// Priority: "" or a priority.
	Priority string
	// Assignee: "" (anyone), "mine", "none" or a user ID.
	Assignee string
	// Due: "", "overdue", "today" or "week".
	Due string
	// Kind: "" or a kind.
	Kind string
}

// ListURL is the list with the filters.
func (f TaskFilter) ListURL() string {
	q := url.Values{}
	if f.Status != "open" {
		// The list shows open tasks unless asked otherwise; "" is any.
		q.Set("status", f.Status)
	}
	taskQSet(q, "priority", f.Priority)
	taskQSet(q, "assignee", f.Assignee)
	taskQSet(q, "due", f.Due)
	taskQSet(q, "kind", f.Kind)
	return taskQSPath("/tasks", q)
}

// BoardURL is the board with the filters it has (not status or due: the
// board's columns are the statuses).
func (f TaskFilter) BoardURL() string {
	q := url.Values{}
	taskQSet(q, "priority", f.Priority)
	taskQSet(q, "assignee", f.Assignee)
	taskQSet(q, "kind", f.Kind)
	return taskQSPath("/tasks/board", q)
}

func taskQSet(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

func taskQSPath(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// TaskFilterOptions are the choices of the filter form.
type TaskFilterOptions struct {
	Statuses, Priorities, Kinds, Dues []Option
	People                            []Option
}

// TaskListPage is the task list.
type TaskListPage struct {
	Filter  TaskFilter
	Options TaskFilterOptions
	Rows    []TaskRow
	// More says the list was cut at its limit.
	More bool
	Ctx  TaskCtx
}

// BoardColumn is a column of the kanban.
type BoardColumn struct {
	// Status is the status a card dropped here gets.
	Status, Title, Note string
	Cards               []TaskRow
}

// TaskBoardPage is the kanban.
type TaskBoardPage struct {
	Filter  TaskFilter
	Options TaskFilterOptions
	Columns []BoardColumn
	Ctx     TaskCtx
	// Moved is the ID of the task just moved: its card gets the focus back
	// after the board is swapped.
	Moved string
}

// TaskForm is the input of the create and edit forms.
type TaskForm struct {
	Title, Description string
	// ContactID is the chosen contact; ContactName its name.
	ContactID, ContactName string
	// ContactQuery looks a contact up by name, email or phone.
	ContactQuery string
	// ContactMatches are the contacts a query found when it found several.
	ContactMatches []Option
	// BookingID and BookingLabel: the booking the task is about (prefilled
	// from a booking).
	BookingID, BookingLabel string
	// DueDate (2006-01-02) and DueTime (15:04) in the location's zone.
	DueDate, DueTime string
	// Priority: "auto" or a priority.
	Priority string
	Kind     string
	Skill    string
	// Assignee: "" (nobody), "auto" or a user ID.
	Assignee string
	Errors   FieldErrors
}

// TaskFormPage is the create or edit page.
type TaskFormPage struct {
	// ID is the task being edited; empty when creating.
	ID    string
	Form  TaskForm
	Kinds []Option
	// Priorities include "auto".
	Priorities []Option
	Assignees  []Option
	// Skills are the members' skills, offered as suggestions.
	Skills []string
}

// TaskEventRow is a step of a task's history.
type TaskEventRow struct {
	Event *ent.TaskEvent
	Actor string
}

// TaskDetailPage is one task.
type TaskDetailPage struct {
	Row          TaskRow
	BookingLabel string
	History      []TaskEventRow
	Ctx          TaskCtx
	// Created: the task was just created (show why it got its priority and
	// assignee).
	Created bool
}

var priorityWhy = regexp.MustCompile(`\((computed: [^)]*|set by hand)\)`)

// PriorityReason is why the task has its priority, from the latest
// history event that set it: "computed: due within 4 hours" or "set by
// hand"; "" when the history does not say.
func (d TaskDetailPage) PriorityReason() string {
	for i := len(d.History) - 1; i >= 0; i-- {
		e := d.History[i].Event
		if e.Kind != taskevent.KindCreated && e.Kind != taskevent.KindPriority {
			continue
		}
		if m := priorityWhy.FindStringSubmatch(e.Detail); m != nil {
			return m[1]
		}
	}
	return ""
}

// AutoAssignment is the explanation of the auto-assignment that gave the
// task its current assignee, or nil when a person assigned it.
func (d TaskDetailPage) AutoAssignment() *TaskEventRow {
	for i := len(d.History) - 1; i >= 0; i-- {
		switch d.History[i].Event.Kind {
		case taskevent.KindAutoAssigned:
			return &d.History[i]
		case taskevent.KindAssigned:
			return nil
		}
	}
	return nil
}

// StatusMove is a move of a task on the kanban, offered as a button.
type StatusMove struct {
	To    task.Status
	Label string
}

// moveTargets are the statuses a card or row can move a task to, in the
// order of their buttons. Cancelling is on the task's page only, behind a
// confirmation.
var moveTargets = []task.Status{task.StatusPending, task.StatusInProgress, task.StatusCompleted}

// MovesFrom lists the moves a card or row offers from a status: those the
// tasks service's state machine allows.
func MovesFrom(s task.Status) []StatusMove {
	var out []StatusMove
	for _, to := range moveTargets {
		if to == s || tasks.CanSetStatus(s, to) != nil {
			continue
		}
		label := "Complete"
		switch {
		case to == task.StatusInProgress:
			label = "Start"
		case to == task.StatusPending && s == task.StatusCompleted:
			label = "Reopen"
		case to == task.StatusPending:
			label = "Back to pending"
		}
		out = append(out, StatusMove{to, label})
	}
	return out
}

// Overdue reports whether an open task is past its due time.
func Overdue(t *ent.Task, now time.Time) bool {
	open := t.Status == task.StatusPending || t.Status == task.StatusInProgress
	return open && t.DueAt != nil && t.DueAt.Before(now)
}

// PrioritySelected is the value the priority select shows: "auto" for a
// computed priority, else the priority set by hand.
func PrioritySelected(t *ent.Task) string {
	if !t.PriorityManual {
		return "auto"
	}
	return string(t.Priority)
}

// AssigneeSelected is the value the assignee select shows.
func AssigneeSelected(t *ent.Task) string {
	if t.AssigneeID == nil {
		return ""
	}
	return string(*t.AssigneeID)
}
