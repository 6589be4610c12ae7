package tasks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/taskevent"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Priorities follow the clock: a task due in 30 hours is normal; 10 hours
// later it is due within a day (high); past its due time it is overdue
// (urgent). Reprioritize records each change and why, and leaves alone a
// priority a person set, a finished task, and a task already right.
func TestReprioritize(t *testing.T) {
	f := setup(t)
	f.clearTasks(t)
	ctx := f.as(t, "manager@example.com")
	due := now.Add(30 * time.Hour)
	mk := func(title string, p *task.Priority) *taskID {
		tk, err := f.svc.Create(ctx, tasks.NewTask{Title: title, DueAt: &due, Priority: p})
		if err != nil {
			t.Fatal(err)
		}
		return &taskID{tk.ID.String(), tk.Priority}
	}
	auto := mk("Call back about the MRI", nil)
	manual := mk("Order more gowns", ptr(task.PriorityLow))
	done := mk("Send results", nil)
	if _, err := f.svc.SetStatus(ctx, pid(done.id), task.StatusCompleted); err != nil {
		t.Fatal(err)
	}
	if auto.p != task.PriorityNormal {
		t.Fatalf("due in 30 hours: %s, want normal", auto.p)
	}

	at := func(d time.Duration) *tasks.Service {
		return &tasks.Service{Client: f.c, Now: func() time.Time { return now.Add(d) }}
	}
	sys := viewer.Seed.Grant(context.Background(), "test")
	prio := func(id string) task.Priority {
		return f.c.Task.GetX(sys, pid(id)).Priority
	}

	if n, err := at(0).Reprioritize(sys); err != nil || n != 0 {
		t.Fatalf("nothing has moved: %d changed, %v", n, err)
	}
	if n, err := at(10 * time.Hour).Reprioritize(sys); err != nil || n != 1 {
		t.Fatalf("10 hours on: %d changed, %v; want 1", n, err)
	}
	if prio(auto.id) != task.PriorityHigh || prio(manual.id) != task.PriorityLow || prio(done.id) != task.PriorityNormal {
		t.Errorf("10 hours on: %s, manual %s, done %s", prio(auto.id), prio(manual.id), prio(done.id))
	}
	if n, err := at(31 * time.Hour).Reprioritize(sys); err != nil || n != 1 || prio(auto.id) != task.PriorityUrgent {
		t.Fatalf("past due: %d changed, %v, priority %s", n, err, prio(auto.id))
	}
	var why []string
	for _, ev := range f.events(t, pid(auto.id)) {
		if ev.Kind == taskevent.KindPriority {
			why = append(why, ev.Detail)
		}
	}
	if len(why) != 2 || !strings.Contains(why[0]+why[1], "due within 24 hours") || !strings.Contains(why[0]+why[1], "overdue") {
		t.Errorf("priority history: %q", why)
	}
	// Urgent tasks sort first: the rank moved with the priority.
	if r := f.c.Task.GetX(sys, pid(auto.id)).PriorityRank; r != 3 {
		t.Errorf("priority_rank %d, want 3 (urgent)", r)
	}
}

type taskID struct {
	id string
	p  task.Priority
}

func pid(s string) pulid.ID { return pulid.ID(s) }
