package schema

import (
	"context"

	"entgo.io/ent"

	gen "github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/task"
)

// Hooks of the Task.
func (Task) Hooks() []ent.Hook {
	return []ent.Hook{taskDefaults}
}

// PriorityRank orders priorities: low 0, normal 1, high 2, urgent 3.
func PriorityRank(p task.Priority) int {
	switch p {
	case task.PriorityLow:
		return 0
	case task.PriorityHigh:
		return 2
	case task.PriorityUrgent:
		return 3
	}
	return 1
}

// taskDefaults fills the fields that have no database default (see the
// Task fields) and keeps priority_rank in step with priority, so lists sort
// by urgency rather than alphabetically.
func taskDefaults(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		tm, ok := m.(*gen.TaskMutation)
		if !ok {
			return next.Mutate(ctx, m)
		}
		if m.Op().Is(ent.OpCreate) {
			if _, ok := tm.Kind(); !ok {
				tm.SetKind(task.KindGeneral)
			}
			if _, ok := tm.PriorityManual(); !ok {
				tm.SetPriorityManual(false)
			}
			if _, ok := tm.Priority(); !ok {
				tm.SetPriority(task.DefaultPriority)
			}
		}
		if p, ok := tm.Priority(); ok {
			tm.SetPriorityRank(PriorityRank(p))
		}
		return next.Mutate(ctx, m)
	})
}
