package ui

import (
	"net/http"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// tasks lists tasks, open ones first by due date.
func (u *UI) tasks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Tasks", "tasks")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	qs := r.URL.Query()
	d := views.TaskList{
		Status: qs.Get("status"), Priority: qs.Get("priority"), Assignee: qs.Get("assignee"),
		Statuses: options(schema.TaskStatuses), Priorities: options(schema.TaskPriorities),
		Now: u.opts.Now(),
	}
	if !qs.Has("status") {
		d.Status = "open"
	}
	where := &ent.TaskWhereInput{}
	switch d.Status {
	case "":
	case "open":
		where.StatusIn = []task.Status{task.StatusPending, task.StatusInProgress}
	default:
		st := task.Status(d.Status)
		if task.StatusValidator(st) != nil {
			u.fail(w, r, apperr.Invalidf("status", "unknown status %q", d.Status))
			return
		}
		where.Status = &st
	}
	if d.Priority != "" {
		pr := task.Priority(d.Priority)
		if task.PriorityValidator(pr) != nil {
			u.fail(w, r, apperr.Invalidf("priority", "unknown priority %q", d.Priority))
			return
		}
		where.Priority = &pr
	}
	if d.Assignee != "" {
		where.AssigneeID = ptr(pulid.ID(d.Assignee))
	}
	users, err := u.r.Query().Users(ctx, nil, ptr(200), nil, nil, &ent.UserOrder{Direction: entgql.OrderDirectionAsc, Field: ent.UserOrderFieldName}, nil)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, e := range users.Edges {
		d.Assignees = append(d.Assignees, views.Option{Value: e.Node.ID.String(), Label: e.Node.Name})
	}
	conn, err := u.r.Query().Tasks(ctx, nil, ptr(200), nil, nil,
		&ent.TaskOrder{Direction: entgql.OrderDirectionAsc, Field: ent.TaskOrderFieldDueAt}, where)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if d.Rows, err = taskRows(ctx, taskNodes(conn)); err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.TasksPage(p, d))
}
