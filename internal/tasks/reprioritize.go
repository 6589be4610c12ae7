package tasks

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/taskevent"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// reprioritizePage is how many tasks one transaction of Reprioritize
// reads.
const reprioritizePage = 200

// Reprioritize applies the priority rules again, at now, to every open task
// (pending or in progress) whose priority is not a person's choice, and
// returns how many changed. The rules look at the clock ("due within 24
// hours", "overdue") and at the contact's warmness, both of which move
// without the task changing; run it every quarter of an hour or so
// ("avatarcrm tasks reprioritize" from cron) until the scheduler does.
// Each change leaves a "priority" event that says why, like any other.
//
// As the system (viewer.Scheduler) it covers every location; as a
// person, their location.
func (s *Service) Reprioritize(ctx context.Context) (int, error) {
	changed := 0
	var last pulid.ID
	for {
		var more bool
		err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
			ts, err := c.Task.Query().
				Where(task.IDGT(last), task.StatusIn(task.StatusPending, task.StatusInProgress), task.PriorityManual(false)).
				Order(task.ByID()).Limit(reprioritizePage).All(ctx)
			if err != nil {
				return err
			}
			more = len(ts) == reprioritizePage
			now := s.Now.Now()
			for _, t := range ts {
				last = t.ID
				facts, err := factsAfter(ctx, c, t, ent.UpdateTaskInput{})
				if err != nil {
					return err
				}
				prio, why := ComputePriority(now, facts)
				if prio == t.Priority {
					continue
				}
				// The old priority in the WHERE clause: a task a person
				// changed meanwhile is left to them.
				n, err := c.Task.Update().
					Where(task.ID(t.ID), task.PriorityEQ(t.Priority), task.PriorityManual(false)).
					SetPriority(prio).Save(ctx)
				if err != nil {
					return err
				}
				if n == 0 {
					continue
				}
				// The task's location, set explicitly: as the system this
				// runs at no location of its own.
				err = c.TaskEvent.Create().SetLocationID(t.LocationID).SetTaskID(t.ID).SetKind(taskevent.KindPriority).
					SetDetail(normalize.Truncate(priorityDetail(t.Priority, prio, "computed: "+why), maxDetail)).SetAt(now).
					Exec(ctx)
				if err != nil {
					return err
				}
				changed++
			}
			return nil
		})
		if err != nil || !more {
			return changed, err
		}
	}
}
