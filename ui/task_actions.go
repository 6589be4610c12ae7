package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf16"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

var (
	taskStatuses   = enums[task.Status](schema.TaskStatuses)
	taskPriorities = enums[task.Priority](schema.TaskPriorities)
)

// taskAction runs one quick action on task {id}: it asks whether the
// viewer may run op, reads the form, runs change (which runs the
// operation) and answers (see taskAnswer). change returns the changed task,
// the flash key for the redirect and the sentence app.js announces.
func (u *UI) taskAction(w http.ResponseWriter, r *http.Request, op graph.Op, change func(ctx context.Context, id pulid.ID) (*ent.Task, string, string, error)) {
	if err := u.api.guard.Check(r.Context(), op); err != nil {
		u.taskFail(w, r, err)
		return
	}
	if !u.parseForm(w, r) {
		return
	}
	t, key, say, err := change(r.Context(), idParam(r))
	if err != nil {
		u.taskFail(w, r, err)
		return
	}
	u.taskAnswer(w, r, t, key, say)
}

// taskFail answers a failed action. htmx does not swap an error answer, so
// for htmx the message goes in an HX-Trigger event that app.js shows in the
// live region; otherwise it is the error page. Both keep the status.
func (u *UI) taskFail(w http.ResponseWriter, r *http.Request, err error) {
	if !isHX(r) {
		u.fail(w, r, err)
		return
	}
	ae := apperr.From(err)
	msg := sentence(ae.Message)
	switch ae.Code {
	case apperr.Internal:
		u.fail(w, r, err) // logs it
		return
	case apperr.NotFound:
		msg = "That task does not exist, or you may not change it. Reload the page to see it as it is now."
	}
	announce(w, msg, true)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(Status(ae.Code))
	_, _ = w.Write([]byte(msg))
}

// taskAnswer answers a successful action: with htmx the row or the board
// that showed the task (view), otherwise 303 back to the page the form
// came from.
func (u *UI) taskAnswer(w http.ResponseWriter, r *http.Request, t *ent.Task, key, say string) {
	view := r.PostFormValue("view")
	fallback := "/tasks/" + t.ID.String()
	if !isHX(r) || (view != "row" && view != "board") {
		fragment := ""
		switch view {
		case "row":
			fragment = "task-" + t.ID.String()
		case "board":
			fragment = "card-" + t.ID.String()
		}
		redirectTask(w, r, taskNext(r, fallback), key, fragment)
		return
	}
	ctx := r.Context()
	next := taskNext(r, "/tasks")
	p, err := u.page(ctx, r, "Tasks", "tasks")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	announce(w, say, false)
	if view == "board" {
		nu, _ := url.Parse(next)
		d, err := u.boardData(ctx, p, next, nu.Query())
		if err != nil {
			u.fail(w, r, err)
			return
		}
		d.Moved = t.ID.String()
		render(w, r, views.TaskBoard(d))
		return
	}
	row, c, _, err := u.taskView(ctx, p, next, t)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.TaskRowView(row, c, true))
}

// announce sets the HX-Trigger event app.js shows in the live region. The
// header is kept to ASCII (names and quotes are escaped as JSON \u), since
// browsers read header bytes as Latin-1.
func announce(w http.ResponseWriter, msg string, isError bool) {
	b, _ := json.Marshal(map[string]any{"avatar:announce": map[string]any{"message": msg, "error": isError}})
	var sb strings.Builder
	for _, c := range string(b) {
		if c < 0x80 {
			sb.WriteRune(c)
			continue
		}
		for _, u := range utf16.Encode([]rune{c}) {
			fmt.Fprintf(&sb, `\u%04x`, u)
		}
	}
	w.Header().Set("HX-Trigger", sb.String())
}

func quoted(t *ent.Task) string { return "“" + t.Title + "”" }

// statusDone is the flash key and the sentence of a move.
func statusDone(t *ent.Task, from task.Status) (string, string) {
	switch t.Status {
	case task.StatusInProgress:
		return "task-started", "Started " + quoted(t) + "."
	case task.StatusCompleted:
		return "task-completed", "Completed " + quoted(t) + "."
	case task.StatusCancelled:
		return "task-cancelled", "Cancelled " + quoted(t) + "."
	}
	if from == task.StatusCompleted {
		return "task-reopened", "Reopened " + quoted(t) + "."
	}
	return "task-pending", "Moved " + quoted(t) + " back to pending."
}

// setTaskStatus moves a task on the kanban: setTaskStatus.
func (u *UI) setTaskStatus(w http.ResponseWriter, r *http.Request) {
	u.taskAction(w, r, graph.OpSetTaskStatus, func(ctx context.Context, id pulid.ID) (*ent.Task, string, string, error) {
		st, err := enumValue("status", r.PostFormValue("status"), taskStatuses)
		if err != nil {
			return nil, "", "", err
		}
		if st == task.StatusCancelled {
			// Final: only through the confirmation page.
			return nil, "", "", apperr.Invalidf("status", "cancel a task from its page, which asks first")
		}
		// The status before, for the flash: reopened or put back.
		before, err := u.taskByID(r.Context(), id)
		if err != nil {
			return nil, "", "", err
		}
		t, err := u.api.tasks.SetTaskStatus(ctx, id, st)
		if err != nil {
			return nil, "", "", err
		}
		key, say := statusDone(t, before.Status)
		return t, key, say, nil
	})
}

// assignTask gives a task to a member (reassignTask), or to whoever
// auto-assignment picks (autoAssignTask).
func (u *UI) assignTask(w http.ResponseWriter, r *http.Request) {
	// reassignTask and autoAssignTask declare the same permission.
	u.taskAction(w, r, graph.OpReassignTask, func(ctx context.Context, id pulid.ID) (*ent.Task, string, string, error) {
		to := strings.TrimSpace(r.PostFormValue("assignee"))
		var (
			t   *ent.Task
			err error
			key = "task-assigned"
		)
		switch to {
		case "":
			return nil, "", "", apperr.Invalidf("assignee", "choose someone, or auto-assignment")
		case "auto":
			t, err = u.api.tasks.AutoAssignTask(ctx, id)
			key = "task-auto-assigned"
		default:
			t, err = u.api.tasks.ReassignTask(ctx, id, pulid.ID(to))
		}
		if err != nil {
			return nil, "", "", err
		}
		name := "nobody"
		if t.AssigneeID != nil {
			if a, err := t.Assignee(ctx); err == nil {
				name = a.Name
			}
		}
		say := "Assigned " + quoted(t) + " to " + name + "."
		if to == "auto" {
			say = "Auto-assigned " + quoted(t) + " to " + name + " (lowest workload); the task's history says why."
		}
		return t, key, say, nil
	})
}

// setTaskPriority sets the priority by hand, or with "auto" hands it back
// to the rules: setTaskPriority.
func (u *UI) setTaskPriority(w http.ResponseWriter, r *http.Request) {
	u.taskAction(w, r, graph.OpSetTaskPriority, func(ctx context.Context, id pulid.ID) (*ent.Task, string, string, error) {
		v := r.PostFormValue("priority")
		var prio *task.Priority
		if v != "auto" {
			p, err := enumValue("priority", v, taskPriorities)
			if err != nil {
				return nil, "", "", err
			}
			prio = &p
		}
		t, err := u.api.tasks.SetTaskPriority(ctx, id, prio)
		if err != nil {
			return nil, "", "", err
		}
		if prio == nil {
			return t, "task-priority-auto", "The priority of " + quoted(t) + " is computed again: " + string(t.Priority) + ".", nil
		}
		return t, "task-priority", "Set the priority of " + quoted(t) + " to " + string(t.Priority) + ".", nil
	})
}

// cancelTask cancels a task after a confirmation: cancelled is final.
func (u *UI) cancelTask(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := idParam(r)
	if r.Method == http.MethodPost && !u.parseForm(w, r) {
		return
	}
	if confirmed(r) {
		if !u.may(w, r, graph.OpSetTaskStatus) {
			return
		}
		if _, err := u.api.tasks.SetTaskStatus(ctx, id, task.StatusCancelled); err != nil {
			u.fail(w, r, err)
			return
		}
		redirectTask(w, r, "/tasks/"+id.String(), "task-cancelled", "")
		return
	}
	t, p, ok := u.taskForChange(w, r, "Cancel task")
	if !ok {
		return
	}
	c := views.Confirm{
		Title:   "Cancel " + quoted(t) + "?",
		Message: "A cancelled task is final: it cannot be reopened. If the work is needed later, create a new task.",
		Action:  r.URL.Path, Button: "Yes, cancel this task", Cancel: "/tasks/" + id.String(),
	}
	p.Title = c.Title
	render(w, r, views.ConfirmPage(p, c))
}
