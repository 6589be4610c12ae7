package tasks

import (
	"slices"

	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// statusMoves is the kanban's state machine:
//
//	pending ⇄ in_progress      started, or put back
//	pending, in_progress → completed
//	pending, in_progress → cancelled
//	completed → pending        reopened: the work turned out not to be done
//
// Cancelled is final: a cancelled task is not worked on again; make a new
// one, so the history of the old one stays true. Ticking off a pending task
// without starting it first is allowed, as on any kanban board.
var statusMoves = map[task.Status][]task.Status{
	task.StatusPending:    {task.StatusInProgress, task.StatusCompleted, task.StatusCancelled},
	task.StatusInProgress: {task.StatusPending, task.StatusCompleted, task.StatusCancelled},
	task.StatusCompleted:  {task.StatusPending},
	task.StatusCancelled:  {},
}

// CanSetStatus reports whether a task may go from one status to another:
// nil when the state machine allows it or the status stays the same (a
// no-op), otherwise INVALID on the field "status".
func CanSetStatus(from, to task.Status) error {
	if err := task.StatusValidator(to); err != nil {
		return apperr.Invalidf("status", "unknown status %q", to)
	}
	if from == to || slices.Contains(statusMoves[from], to) {
		return nil
	}
	switch from {
	case task.StatusCancelled:
		return apperr.Invalidf("status", "cannot move a task from cancelled to %s: cancelled tasks are final; create a new task instead", to)
	case task.StatusCompleted:
		return apperr.Invalidf("status", "cannot move a task from completed to %s: reopen it (back to pending) first", to)
	}
	return apperr.Invalidf("status", "cannot move a task from %s to %s", from, to)
}

// open reports whether a task still needs doing.
func open(s task.Status) bool {
	return s == task.StatusPending || s == task.StatusInProgress
}
