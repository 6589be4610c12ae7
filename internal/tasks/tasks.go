// Package tasks creates and changes the clinic's tasks: priorities computed
// from due time, the contact's warmness and the kind of task; a kanban
// status machine; reassignment and auto-assignment by skill and workload;
// and a TaskEvent for each of those steps, so a task's history says who did
// what and why.
//
// Every method acts as the viewer in the context and writes through the
// privacy rules, never around them: a task of another location reads as not
// found, and staff (whose tasks:update grant is own_records_only) can change
// only the tasks assigned to them — anyone else's reads as not found to the
// change.
package tasks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/clock"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/taskevent"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Limits of the task's text fields (the schema's), in bytes as the schema
// counts them: a letter with an accent takes two or more.
const (
	maxTitle  = 200
	maxSkill  = 40
	maxDetail = 1000
)

// Service creates and changes tasks.
type Service struct {
	Client *ent.Client
	// Now is the clock; nil is the system clock.
	Now clock.Clock
	// Events writes task.created in the create's transaction; nil writes
	// none.
	Events *events.Outbox
}

// NewTask is a task to create.
type NewTask struct {
	Title, Description               string
	ContactID, BookingID, AssigneeID *pulid.ID
	// Kind defaults to general.
	Kind task.Kind
	// Skill the assignee needs, e.g. "mri"; stored lower-case.
	Skill *string
	DueAt *time.Time
	// Priority is an explicit override, kept and marked manual; nil means
	// computed by the rules (see ComputePriority).
	Priority *task.Priority
	// AutoAssign picks the assignee (see AutoAssign); it excludes
	// AssigneeID.
	AutoAssign bool
	// Status is the initial status; empty means pending. A task created
	// completed gets completed_at now.
	Status task.Status
}

// reader is the client for reads outside a transaction of the service's.
func (s *Service) reader(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return s.Client
}

// Create creates a task with a computed priority unless one is given (an
// explicit priority is kept and marked manual), optionally auto-assigned,
// and records a TaskEvent "created" (and "auto_assigned").
func (s *Service) Create(ctx context.Context, in NewTask) (*ent.Task, error) {
	title, err := cleanTitle(in.Title)
	if err != nil {
		return nil, err
	}
	kind := in.Kind
	if kind == "" {
		kind = task.KindGeneral
	}
	if task.KindValidator(kind) != nil {
		return nil, apperr.Invalidf("kind", "unknown kind %q", kind)
	}
	status := in.Status
	if status == "" {
		status = task.StatusPending
	}
	if task.StatusValidator(status) != nil {
		return nil, apperr.Invalidf("status", "unknown status %q", status)
	}
	if in.Priority != nil && task.PriorityValidator(*in.Priority) != nil {
		return nil, apperr.Invalidf("priority", "unknown priority %q", *in.Priority)
	}
	skill, err := normSkill(in.Skill)
	if err != nil {
		return nil, err
	}
	if in.AutoAssign && in.AssigneeID != nil {
		return nil, apperr.Invalidf("assigneeID", "choose an assignee or auto-assignment, not both")
	}
	var out *ent.Task
	// In the caller's transaction when there is one, so a task never
	// exists without the event that records its creation.
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		now := s.Now.Now()
		warmness, err := contactWarmness(ctx, c, in.ContactID)
		if err != nil {
			return err
		}
		if err := bookingExists(ctx, c, in.BookingID); err != nil {
			return err
		}
		if in.AssigneeID != nil {
			if err := member(ctx, c, *in.AssigneeID, "assigneeID"); err != nil {
				return err
			}
		}
		prio, why, manual := task.PriorityNormal, "", in.Priority != nil
		if manual {
			prio, why = *in.Priority, "set by hand"
		} else {
			var reason string
			prio, reason = ComputePriority(now, PriorityFacts{DueAt: in.DueAt, Kind: kind, Warmness: warmness})
			why = "computed: " + reason
		}
		assignee := in.AssigneeID
		var pick *choice
		if in.AutoAssign {
			if pick, err = s.choose(ctx, c, skill, "", now); err != nil {
				return err
			}
			assignee = &pick.chosen.id
		}
		b := c.Task.Create().
			SetTitle(title).SetDescription(in.Description).
			SetNillableContactID(in.ContactID).SetNillableBookingID(in.BookingID).SetNillableAssigneeID(assignee).
			SetKind(kind).SetNillableSkill(skill).SetStatus(status).
			SetPriority(prio).SetPriorityManual(manual)
		if in.DueAt != nil {
			b.SetDueAt(in.DueAt.UTC())
		}
		if status == task.StatusCompleted {
			b.SetCompletedAt(now)
		}
		t, err := b.Save(ctx)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("Created %s with priority %s (%s)", status, prio, why)
		if in.AssigneeID != nil {
			detail += ", assigned to " + userName(ctx, c, *in.AssigneeID)
		}
		if err := s.event(ctx, c, t.ID, taskevent.KindCreated, detail, now); err != nil {
			return err
		}
		if pick != nil {
			if err := s.event(ctx, c, t.ID, taskevent.KindAutoAssigned, pick.detail, now); err != nil {
				return err
			}
		}
		out = t
		ev := events.Event{Type: events.TaskCreated, LocationID: t.LocationID, Subject: t.ID,
			Data: map[string]any{"kind": string(t.Kind), "priority": string(t.Priority)}}
		if t.ContactID != nil {
			ev.ContactID = *t.ContactID
		}
		if t.BookingID != nil {
			ev.BookingID = *t.BookingID
		}
		return s.Events.Emit(ctx, c, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Update changes a task. Status changes follow the state machine (see
// SetStatus) and a new assignee must be a member of the location (see
// Reassign), each recorded as its own event; a priority in the changes is a
// manual override, PriorityManual false (or ClearPriorityManual) hands the
// priority back to the rules, and otherwise a priority that is not manual
// is recomputed from the changed task. Other changes are recorded as one
// "updated" event naming the fields.
func (s *Service) Update(ctx context.Context, id pulid.ID, in ent.UpdateTaskInput) (*ent.Task, error) {
	if in.Title != nil {
		t, err := cleanTitle(*in.Title)
		if err != nil {
			return nil, err
		}
		in.Title = &t
	}
	if in.Kind != nil && task.KindValidator(*in.Kind) != nil {
		return nil, apperr.Invalidf("kind", "unknown kind %q", *in.Kind)
	}
	if in.Priority != nil && task.PriorityValidator(*in.Priority) != nil {
		return nil, apperr.Invalidf("priority", "unknown priority %q", *in.Priority)
	}
	if in.Skill != nil {
		sk, err := normSkill(in.Skill)
		if err != nil {
			return nil, err
		}
		if sk == nil {
			in.Skill, in.ClearSkill = nil, true
		} else {
			in.Skill = sk
		}
	}
	return s.change(ctx, id, func(ctx context.Context, c *ent.Client, t *ent.Task, now time.Time) (*ent.TaskUpdateOne, []pendingEvent, error) {
		// The fields this method handles itself; SetInput applies the rest.
		rest := in
		rest.Status, rest.Priority, rest.PriorityManual, rest.ClearPriorityManual = nil, nil, nil, false
		rest.AssigneeID, rest.ClearAssignee = nil, false
		u := c.Task.UpdateOneID(id).SetInput(rest)
		var events []pendingEvent

		changed := changedFields(t, in)
		if in.ContactID != nil && (t.ContactID == nil || *t.ContactID != *in.ContactID) {
			if _, err := contactWarmness(ctx, c, in.ContactID); err != nil {
				return nil, nil, err
			}
		}
		if in.BookingID != nil {
			if err := bookingExists(ctx, c, in.BookingID); err != nil {
				return nil, nil, err
			}
		}
		if len(changed) > 0 {
			events = append(events, pendingEvent{taskevent.KindUpdated, "Changed " + strings.Join(changed, ", ")})
		}

		if in.Status != nil && *in.Status != t.Status {
			ev, err := applyStatus(u, t.Status, *in.Status, now)
			if err != nil {
				return nil, nil, err
			}
			events = append(events, ev)
		}

		switch {
		case in.ClearAssignee && t.AssigneeID != nil:
			u.ClearAssigneeID()
			events = append(events, pendingEvent{taskevent.KindAssigned, "Unassigned (was " + userName(ctx, c, *t.AssigneeID) + ")"})
		case in.AssigneeID != nil && (t.AssigneeID == nil || *t.AssigneeID != *in.AssigneeID):
			if err := member(ctx, c, *in.AssigneeID, "assigneeID"); err != nil {
				return nil, nil, err
			}
			u.SetAssigneeID(*in.AssigneeID)
			events = append(events, pendingEvent{taskevent.KindAssigned, assignedDetail(ctx, c, *in.AssigneeID, t.AssigneeID)})
		}

		manual := t.PriorityManual
		prio, why := t.Priority, "set by hand"
		switch {
		case in.Priority != nil:
			manual, prio = true, *in.Priority
		case in.ClearPriorityManual || (in.PriorityManual != nil && !*in.PriorityManual):
			manual = false
		case in.PriorityManual != nil && *in.PriorityManual:
			manual = true
		}
		if !manual {
			facts, err := factsAfter(ctx, c, t, in)
			if err != nil {
				return nil, nil, err
			}
			var reason string
			prio, reason = ComputePriority(now, facts)
			why = "computed: " + reason
		}
		if prio != t.Priority || manual != t.PriorityManual {
			u.SetPriority(prio).SetPriorityManual(manual)
			events = append(events, pendingEvent{taskevent.KindPriority, priorityDetail(t.Priority, prio, why)})
		}
		return u, events, nil
	})
}

// SetStatus moves a task on the kanban by the state machine (see
// statusMoves): completed sets completed_at, reopening clears it. The same
// status again is a no-op. Records a TaskEvent "status".
func (s *Service) SetStatus(ctx context.Context, id pulid.ID, status task.Status) (*ent.Task, error) {
	if err := task.StatusValidator(status); err != nil {
		return nil, apperr.Invalidf("status", "unknown status %q", status)
	}
	return s.change(ctx, id, func(ctx context.Context, c *ent.Client, t *ent.Task, now time.Time) (*ent.TaskUpdateOne, []pendingEvent, error) {
		if t.Status == status {
			return nil, nil, nil
		}
		u := c.Task.UpdateOneID(id)
		ev, err := applyStatus(u, t.Status, status, now)
		if err != nil {
			return nil, nil, err
		}
		return u, []pendingEvent{ev}, nil
	})
}

// Complete marks a task completed: SetStatus(completed).
func (s *Service) Complete(ctx context.Context, id pulid.ID) (*ent.Task, error) {
	return s.SetStatus(ctx, id, task.StatusCompleted)
}

// Reopen puts a completed task back to pending (clearing completed_at). An
// open task is returned as it is; a cancelled one cannot be reopened.
func (s *Service) Reopen(ctx context.Context, id pulid.ID) (*ent.Task, error) {
	c := s.reader(ctx)
	t, err := get(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if open(t.Status) {
		if err := mayChange(ctx, c, id); err != nil {
			return nil, err
		}
		return t, nil
	}
	return s.SetStatus(ctx, id, task.StatusPending)
}

// applyStatus adds a status change to u, or refuses it.
func applyStatus(u *ent.TaskUpdateOne, from, to task.Status, now time.Time) (pendingEvent, error) {
	if err := CanSetStatus(from, to); err != nil {
		return pendingEvent{}, err
	}
	// The status in the WHERE clause turns a concurrent change into a
	// CONFLICT (see save) instead of a transition the machine never saw.
	u.SetStatus(to).Where(task.StatusEQ(from))
	switch {
	case to == task.StatusCompleted:
		u.SetCompletedAt(now)
	case from == task.StatusCompleted:
		u.ClearCompletedAt()
	}
	detail := fmt.Sprintf("Status %s → %s", from, to)
	if from == task.StatusCompleted && to == task.StatusPending {
		detail = "Reopened: completed → pending"
	}
	return pendingEvent{taskevent.KindStatus, detail}, nil
}

// SetPriority sets the priority by hand (kept until handed back), or with
// nil hands it back to the rules and recomputes it. Records a TaskEvent
// "priority".
func (s *Service) SetPriority(ctx context.Context, id pulid.ID, p *task.Priority) (*ent.Task, error) {
	if p != nil && task.PriorityValidator(*p) != nil {
		return nil, apperr.Invalidf("priority", "unknown priority %q", *p)
	}
	return s.change(ctx, id, func(ctx context.Context, c *ent.Client, t *ent.Task, now time.Time) (*ent.TaskUpdateOne, []pendingEvent, error) {
		prio, why := task.PriorityNormal, "set by hand"
		if p != nil {
			prio = *p
		} else {
			facts, err := factsAfter(ctx, c, t, ent.UpdateTaskInput{})
			if err != nil {
				return nil, nil, err
			}
			var reason string
			prio, reason = ComputePriority(now, facts)
			why = "computed: " + reason
		}
		manual := p != nil
		if prio == t.Priority && manual == t.PriorityManual {
			return nil, nil, nil
		}
		u := c.Task.UpdateOneID(id).SetPriority(prio).SetPriorityManual(manual)
		return u, []pendingEvent{{taskevent.KindPriority, priorityDetail(t.Priority, prio, why)}}, nil
	})
}

// Reassign gives a task to another member of the location (a user of
// another location reads as not found) and records a TaskEvent "assigned".
// The same assignee again is a no-op.
func (s *Service) Reassign(ctx context.Context, id, userID pulid.ID) (*ent.Task, error) {
	return s.change(ctx, id, func(ctx context.Context, c *ent.Client, t *ent.Task, now time.Time) (*ent.TaskUpdateOne, []pendingEvent, error) {
		if err := member(ctx, c, userID, "userID"); err != nil {
			return nil, nil, err
		}
		if t.AssigneeID != nil && *t.AssigneeID == userID {
			return nil, nil, nil
		}
		u := c.Task.UpdateOneID(id).SetAssigneeID(userID)
		return u, []pendingEvent{{taskevent.KindAssigned, assignedDetail(ctx, c, userID, t.AssigneeID)}}, nil
	})
}

// change runs one change to task id, in the caller's transaction when
// there is one, so a task never changes without the events that record it.
// decide reads the task as it is (at now) and returns the update and its
// events, or no events when there is nothing to change: the task then
// comes back as it is, once mayChange has checked that the viewer could
// have changed it. The update goes through save, so the privacy rules and
// a concurrent status change answer as save says.
func (s *Service) change(ctx context.Context, id pulid.ID, decide func(ctx context.Context, c *ent.Client, t *ent.Task, now time.Time) (*ent.TaskUpdateOne, []pendingEvent, error)) (*ent.Task, error) {
	var out *ent.Task
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		now := s.Now.Now()
		t, err := get(ctx, c, id)
		if err != nil {
			return err
		}
		u, events, err := decide(ctx, c, t, now)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			out = t
			return mayChange(ctx, c, id)
		}
		if out, err = save(ctx, c, u, t); err != nil {
			return err
		}
		for _, e := range events {
			if err := s.event(ctx, c, id, e.kind, e.detail, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// History returns a task's events, oldest first.
func (s *Service) History(ctx context.Context, id pulid.ID) ([]*ent.TaskEvent, error) {
	return s.reader(ctx).TaskEvent.Query().Where(taskevent.TaskID(id)).
		Order(ent.Asc(taskevent.FieldAt), ent.Asc(taskevent.FieldID)).All(ctx)
}

// pendingEvent is an event to record once the change is saved.
type pendingEvent struct {
	kind   taskevent.Kind
	detail string
}

// event records a step of a task's history, by the viewer.
func (s *Service) event(ctx context.Context, c *ent.Client, id pulid.ID, kind taskevent.Kind, detail string, at time.Time) error {
	b := c.TaskEvent.Create().SetTaskID(id).SetKind(kind).SetDetail(normalize.Truncate(detail, maxDetail)).SetAt(at)
	if v := viewer.FromContext(ctx); v != nil && v.UserID != "" {
		b.SetActorID(v.UserID)
	}
	return b.Exec(ctx)
}

// get reads a task at the viewer's location.
func get(ctx context.Context, c *ent.Client, id pulid.ID) (*ent.Task, error) {
	t, err := c.Task.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("id", "task %s not found", id)
	}
	return t, err
}

// save runs an update of task was. An update that matches no row although
// the task was just read means either that the viewer may read the task but
// not change it — staff and a colleague's task, filtered out by the privacy
// rule — which reads as not found, or that someone changed its status
// meanwhile (CONFLICT).
func save(ctx context.Context, c *ent.Client, u *ent.TaskUpdateOne, was *ent.Task) (*ent.Task, error) {
	t, err := u.Save(ctx)
	if !ent.IsNotFound(err) {
		return t, err
	}
	if now, gerr := c.Task.Get(ctx, was.ID); gerr == nil && now.Status != was.Status {
		return nil, apperr.Conflictf("the task became %s meanwhile; reload and try again", now.Status)
	}
	return nil, apperr.NotFoundf("id", "task %s not found", was.ID)
}

// mayChange asks the task's privacy policy whether the viewer could change
// task id, without writing anything. A change that turns out to change
// nothing (the same status, assignee or priority again) must still be
// refused to whoever could not have made it: staff get not found for a
// colleague's task, a viewer FORBIDDEN, exactly as a real update answers.
func mayChange(ctx context.Context, c *ent.Client, id pulid.ID) error {
	m := c.Task.Update().Where(task.ID(id)).Mutation()
	if err := task.Policy.EvalMutation(ctx, m); err != nil {
		return err
	}
	// The policy's filters (location, own records) are now predicates of
	// the mutation; IDs selects what the update would have reached.
	ids, err := m.IDs(ctx)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return apperr.NotFoundf("id", "task %s not found", id)
	}
	return nil
}

// member checks that userID is a member of the viewer's location: the
// memberships query is limited to it, so a user of another location is not
// found, like any row there.
func member(ctx context.Context, c *ent.Client, userID pulid.ID, field string) error {
	ok, err := c.Membership.Query().Where(membership.UserID(userID)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf(field, "user %s not found", userID)
	}
	return nil
}

// contactWarmness reads the warmness of the task's contact (0 without one).
func contactWarmness(ctx context.Context, c *ent.Client, id *pulid.ID) (int, error) {
	if id == nil {
		return 0, nil
	}
	ct, err := c.Contact.Query().Where(contact.ID(*id)).Select(contact.FieldWarmness).Only(ctx)
	if ent.IsNotFound(err) {
		return 0, apperr.NotFoundf("contactID", "contact %s not found", *id)
	}
	if err != nil {
		return 0, err
	}
	return ct.Warmness, nil
}

func bookingExists(ctx context.Context, c *ent.Client, id *pulid.ID) error {
	if id == nil {
		return nil
	}
	ok, err := c.Booking.Query().Where(booking.ID(*id)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf("bookingID", "booking %s not found", *id)
	}
	return nil
}

// factsAfter are the priority facts of task t once the changes in are
// applied.
func factsAfter(ctx context.Context, c *ent.Client, t *ent.Task, in ent.UpdateTaskInput) (PriorityFacts, error) {
	f := PriorityFacts{DueAt: t.DueAt, Kind: t.Kind}
	switch {
	case in.DueAt != nil:
		f.DueAt = in.DueAt
	case in.ClearDueAt:
		f.DueAt = nil
	}
	switch {
	case in.Kind != nil:
		f.Kind = *in.Kind
	case in.ClearKind:
		f.Kind = task.KindGeneral
	}
	contactID := t.ContactID
	switch {
	case in.ContactID != nil:
		contactID = in.ContactID
	case in.ClearContact:
		contactID = nil
	}
	w, err := contactWarmness(ctx, c, contactID)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return f, err
	}
	f.Warmness = w
	return f, nil
}

// changedFields names the fields in that differ from t, apart from those
// with events of their own (status, assignee, priority).
func changedFields(t *ent.Task, in ent.UpdateTaskInput) []string {
	var out []string
	add := func(yes bool, name string) {
		if yes {
			out = append(out, name)
		}
	}
	add(in.Title != nil && *in.Title != t.Title, "title")
	add(in.Description != nil && *in.Description != t.Description, "description")
	add(in.DueAt != nil && (t.DueAt == nil || !in.DueAt.Equal(*t.DueAt)) || in.ClearDueAt && t.DueAt != nil, "due date")
	add(in.Kind != nil && *in.Kind != t.Kind || in.ClearKind && t.Kind != "", "kind")
	add(in.Skill != nil && (t.Skill == nil || *in.Skill != *t.Skill) || in.ClearSkill && t.Skill != nil, "skill")
	add(in.ContactID != nil && (t.ContactID == nil || *in.ContactID != *t.ContactID) || in.ClearContact && t.ContactID != nil, "contact")
	add(in.BookingID != nil && (t.BookingID == nil || *in.BookingID != *t.BookingID) || in.ClearBooking && t.BookingID != nil, "booking")
	return out
}

func priorityDetail(from, to task.Priority, why string) string {
	if from == to {
		return fmt.Sprintf("Priority %s (%s)", to, why)
	}
	return fmt.Sprintf("Priority %s → %s (%s)", from, to, why)
}

func assignedDetail(ctx context.Context, c *ent.Client, to pulid.ID, was *pulid.ID) string {
	d := "Assigned to " + userName(ctx, c, to)
	if was != nil {
		d += " (was " + userName(ctx, c, *was) + ")"
	}
	return d
}

// userName is a user's name for an event's detail: the name, else the
// email, else the ID (a user the viewer cannot see).
func userName(ctx context.Context, c *ent.Client, id pulid.ID) string {
	u, err := c.User.Query().Where(user.ID(id)).Only(ctx)
	if err != nil {
		return string(id)
	}
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// normSkill trims and lower-cases a skill, as members' skills are written;
// empty means none.
func normSkill(s *string) (*string, error) {
	if s == nil {
		return nil, nil
	}
	v := strings.ToLower(strings.TrimSpace(*s))
	if v == "" {
		return nil, nil
	}
	if len(v) > maxSkill {
		return nil, apperr.Invalidf("skill", "a skill is at most %d characters (fewer with accented letters)", maxSkill)
	}
	return &v, nil
}

// cleanTitle trims a task's title and checks it is there and fits.
func cleanTitle(raw string) (string, error) {
	title := strings.TrimSpace(raw)
	if title == "" {
		return "", apperr.Invalidf("title", "a task needs a title")
	}
	if len(title) > maxTitle {
		return "", apperr.Invalidf("title", "the title is longer than %d characters (fewer with accented letters)", maxTitle)
	}
	return title, nil
}
