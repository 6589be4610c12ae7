package tasks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/taskevent"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Workload weights: an open task counts by its priority, so three urgent
// calls weigh more than three routine ones, and one more when it is already
// overdue (it needs doing first).
var Weights = map[task.Priority]int{
	task.PriorityUrgent: 4,
	task.PriorityHigh:   3,
	task.PriorityNormal: 2,
	task.PriorityLow:    1,
}

// OverdueWeight is added for an open task past its due time.
const OverdueWeight = 1

// candidate is a member auto-assignment may choose.
type candidate struct {
	id       pulid.ID
	name     string
	workload int
	open     int
}

// choice is auto-assignment's pick and its explanation.
type choice struct {
	chosen candidate
	detail string
}

// AutoAssign gives an open task to the member best placed to do it and
// records a TaskEvent "auto_assigned" explaining the choice in words.
//
// Candidates are the active members of the location with the role staff or
// manager (admins run the clinic and viewers cannot work tasks) whose
// skills include the task's skill, when it has one. Each one's workload is
// the weighted sum of their open (pending or in-progress) tasks, this task
// aside (see Weights and OverdueWeight); the lowest workload wins, then the
// fewest open tasks, then the name. With no candidate it answers CONFLICT
// saying what is missing.
func (s *Service) AutoAssign(ctx context.Context, id pulid.ID) (*ent.Task, error) {
	return s.change(ctx, id, func(ctx context.Context, c *ent.Client, t *ent.Task, now time.Time) (*ent.TaskUpdateOne, []pendingEvent, error) {
		if !open(t.Status) {
			return nil, nil, apperr.Invalidf("status", "the task is %s; only open tasks are assigned", t.Status)
		}
		pick, err := s.choose(ctx, c, t.Skill, t.ID, now)
		if err != nil {
			return nil, nil, err
		}
		// Update even when the pick is the current assignee: the privacy
		// rule on the update is what allows the viewer to change this task
		// at all, and the event must not be written without it.
		u := c.Task.UpdateOneID(id).SetAssigneeID(pick.chosen.id)
		return u, []pendingEvent{{taskevent.KindAutoAssigned, pick.detail}}, nil
	})
}

// choose ranks the candidates for a task needing skill (nil: any), leaving
// the task except out of the workloads.
func (s *Service) choose(ctx context.Context, c *ent.Client, skill *string, except pulid.ID, now time.Time) (*choice, error) {
	mq := c.Membership.Query().Where(membership.RoleIn(membership.RoleStaff, membership.RoleManager))
	if v := viewer.FromContext(ctx); v != nil && v.LocationID != "" {
		// A person's query is filtered to their location by the privacy
		// rules; a job's (a system viewer at a location) is not, and must
		// not pick a member of another location.
		mq.Where(membership.LocationID(v.LocationID))
	}
	ms, err := mq.WithUser().All(ctx)
	if err != nil {
		return nil, err
	}
	var cands []candidate
	for _, m := range ms {
		u := m.Edges.User
		if u == nil || u.Status != user.StatusActive {
			continue
		}
		if skill != nil && !hasSkill(m.Skills, *skill) {
			continue
		}
		name := u.Name
		if name == "" {
			name = u.Email
		}
		cands = append(cands, candidate{id: u.ID, name: name})
	}
	if len(cands) == 0 {
		// The field lets a caller tell "nobody to assign" from other
		// conflicts, e.g. to create the task unassigned instead.
		var e *apperr.Error
		if skill != nil {
			e = apperr.Conflictf("nobody can take this task: no active staff member or manager here has the skill %q; add the skill to someone's membership or assign the task by hand", *skill)
		} else {
			e = apperr.Conflictf("nobody can take this task: this location has no active staff member or manager; assign the task by hand")
		}
		e.Field = "assigneeID"
		return nil, e
	}
	ids := make([]pulid.ID, len(cands))
	for i, cd := range cands {
		ids[i] = cd.id
	}
	q := c.Task.Query().Where(task.AssigneeIDIn(ids...), task.StatusIn(task.StatusPending, task.StatusInProgress))
	if except != "" {
		q.Where(task.IDNEQ(except))
	}
	load, err := q.Select(task.FieldAssigneeID, task.FieldPriority, task.FieldDueAt).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[pulid.ID]*candidate, len(cands))
	for i := range cands {
		byID[cands[i].id] = &cands[i]
	}
	for _, t := range load {
		cd := byID[*t.AssigneeID]
		cd.open++
		cd.workload += Weight(t.Priority, t.DueAt, now)
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(
			cmp.Compare(a.workload, b.workload),
			cmp.Compare(a.open, b.open),
			cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)),
			cmp.Compare(a.id, b.id),
		)
	})
	return &choice{chosen: cands[0], detail: explain(cands, skill)}, nil
}

// Weight is what one open task adds to its assignee's workload.
func Weight(p task.Priority, due *time.Time, now time.Time) int {
	w := Weights[p]
	if due != nil && due.Before(now) {
		w += OverdueWeight
	}
	return w
}

func hasSkill(skills []string, want string) bool {
	for _, s := range skills {
		if strings.EqualFold(strings.TrimSpace(s), want) {
			return true
		}
	}
	return false
}

// explain says, in words, each candidate's workload (best first) and why
// the first one won, e.g. "Chloe Nguyen: workload 5 (2 open tasks); Sam
// Patel: workload 9 (4 open tasks); chose Chloe Nguyen, lowest workload
// with skill mri". A long list is cut to fit the event's detail.
func explain(ranked []candidate, skill *string) string {
	win := ranked[0]
	with := ""
	if skill != nil {
		with = " with skill " + *skill
	}
	var why string
	switch {
	case len(ranked) == 1:
		why = "the only candidate" + with
	case win.workload < ranked[1].workload:
		why = "lowest workload" + with
	case win.open < ranked[1].open:
		why = fmt.Sprintf("lowest workload%s, tied with %s and fewer open tasks", with, ranked[1].name)
	default:
		why = fmt.Sprintf("lowest workload%s, tied with %s on workload and open tasks; first by name", with, ranked[1].name)
	}
	tail := fmt.Sprintf("chose %s, %s", win.name, why)
	parts := make([]string, len(ranked))
	for i, cd := range ranked {
		parts[i] = fmt.Sprintf("%s: workload %d (%s)", cd.name, cd.workload, plural(cd.open, "open task"))
	}
	for n := len(parts); n >= 1; n-- {
		list := strings.Join(parts[:n], "; ")
		if n < len(parts) {
			list += fmt.Sprintf("; … %d more", len(parts)-n)
		}
		if d := list + "; " + tail; len(d) <= maxDetail {
			return d
		}
	}
	return normalize.Truncate(tail, maxDetail)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
