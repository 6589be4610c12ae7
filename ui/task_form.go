package ui

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// defaultDueClock is the time of a due date given without one: the end of
// the working day.
const defaultDueClock = "17:00"

// taskFields are the form's inputs that a resolver error can point at, by
// the resolver's field name.
var taskFields = inputs{
	"title": "title", "description": "description", "kind": "kind", "skill": "skill",
	"priority": "priority", "priorityManual": "priority", "assigneeID": "assignee", "userID": "assignee",
	"contactID": "contact", "dueAt": "due_date",
}

// taskFormErrors sorts the error of a create or update. A bad input
// (INVALID), a conflict (auto-assignment without a candidate) and a
// reference that is not there (a contact or assignee of another location)
// go next to their input, or above the form; anything else returns ok
// false for the error page.
func taskFormErrors(err error) (views.FieldErrors, int, bool) {
	ae := apperr.From(err)
	if (ae.Code == apperr.Invalid || ae.Code == apperr.Conflict) && ae.Field == "bookingID" {
		return views.FieldErrors{"": "The booking does not exist, or it belongs to another location."}, Status(ae.Code), true
	}
	return formErrors(err, taskFields, notHere)
}

// parseDue reads the due date and time, given in tz. Both empty is no due
// time; a date without a time is due at defaultDueClock.
func parseDue(date, clock string, tz *time.Location) (*time.Time, views.FieldErrors) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if date == "" && clock == "" {
		return nil, nil
	}
	if date == "" {
		return nil, views.FieldErrors{"due_date": "Give the date too, or clear the time."}
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		return nil, views.FieldErrors{"due_date": "Enter the date as YYYY-MM-DD, e.g. 2026-03-12."}
	}
	if clock == "" {
		clock = defaultDueClock
	}
	c, err := time.Parse("15:04", clock)
	if err != nil {
		if c, err = time.Parse(time.TimeOnly, clock); err != nil {
			return nil, views.FieldErrors{"due_time": "Enter the time as HH:MM (24-hour), e.g. 14:30."}
		}
	}
	due := time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, tz)
	return &due, nil
}

// taskFormOf reads the form's inputs as they were typed.
func taskFormOf(r *http.Request) views.TaskForm {
	return views.TaskForm{
		Title: trim(r.PostFormValue("title")), Description: strings.TrimSpace(r.PostFormValue("description")),
		ContactID: trim(r.PostFormValue("contact")), ContactQuery: trim(r.PostFormValue("contact_q")),
		BookingID: trim(r.PostFormValue("booking")),
		DueDate:   trim(r.PostFormValue("due_date")), DueTime: trim(r.PostFormValue("due_time")),
		Priority: r.PostFormValue("priority"), Kind: r.PostFormValue("kind"), Skill: trim(r.PostFormValue("skill")),
		Assignee: trim(r.PostFormValue("assignee")),
		Errors:   views.FieldErrors{},
	}
}

// checkTitle reports a missing title along with the form's other errors
// (the service would say the same, but only once the rest is right).
func checkTitle(f *views.TaskForm) {
	if f.Title == "" {
		f.Errors["title"] = "A task needs a title."
	}
}

// contactByID reads a contact (archived ones too), NOT_FOUND on the field
// "contactID" when the viewer cannot see it.
func (u *UI) contactByID(ctx context.Context, id pulid.ID) (*ent.Contact, error) {
	conn, err := u.api.tasks.Contacts(ctx, nil, ptr(1), nil, nil, nil, &ent.ContactWhereInput{
		ID: &id, Or: []*ent.ContactWhereInput{{ArchivedAtIsNil: true}, {ArchivedAtNotNil: true}},
	})
	if err != nil {
		return nil, err
	}
	if len(conn.Edges) == 0 {
		return nil, apperr.NotFoundf("contactID", "contact %s not found", id)
	}
	return conn.Edges[0].Node, nil
}

func contactName(c *ent.Contact) string { return views.BookingPatient(c) }

// settleContact decides the form's contact: one picked from the matches of
// a search, else the one a search finds, else none if "No contact" is
// ticked, else the one chosen before. A search finding several contacts
// offers them to pick from. It reports false with the message in f.Errors,
// which must not be nil.
func (u *UI) settleContact(ctx context.Context, r *http.Request, f *views.TaskForm) (bool, error) {
	pick := trim(r.PostFormValue("contact_pick"))
	switch {
	case pick != "":
		f.ContactID, f.ContactQuery = pick, ""
	case f.ContactQuery != "":
		res, err := u.api.tasks.SearchContacts(ctx, f.ContactQuery, ptr(10), nil, nil)
		if err != nil {
			if errs, _, ok := formErrors(err, nil, ""); ok {
				f.Errors["contact"] = errs[""]
				return false, nil
			}
			return false, err
		}
		switch len(res) {
		case 0:
			f.Errors["contact"] = "No contact matches “" + f.ContactQuery + "”."
			return false, nil
		case 1:
			f.ContactID, f.ContactName, f.ContactQuery = res[0].Contact.ID.String(), contactName(res[0].Contact), ""
			return true, nil
		}
		for _, m := range res {
			label := contactName(m.Contact)
			if m.Contact.Email != nil && *m.Contact.Email != "" {
				label += " · " + *m.Contact.Email
			}
			f.ContactMatches = append(f.ContactMatches, views.Option{Value: m.Contact.ID.String(), Label: label})
		}
		f.Errors["contact"] = "Several contacts match “" + f.ContactQuery + "”: choose one, or search again."
		return false, nil
	case r.PostFormValue("contact_clear") == "yes":
		f.ContactID = ""
	}
	if f.ContactID == "" {
		f.ContactName = ""
		return true, nil
	}
	c, err := u.contactByID(ctx, pulid.ID(f.ContactID))
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			f.ContactID = ""
			f.Errors["contact"] = "That contact does not exist, or it belongs to another location."
			return false, nil
		}
		return false, err
	}
	f.ContactName = contactName(c)
	return true, nil
}

// taskFormPage fills in the choices of the create and edit forms.
func (u *UI) taskFormPage(ctx context.Context, id string, f views.TaskForm) (views.TaskFormPage, error) {
	ppl, err := u.people(ctx)
	if err != nil {
		return views.TaskFormPage{}, err
	}
	if f.Priority == "" {
		f.Priority = "auto"
	}
	if f.Kind == "" {
		f.Kind = string(task.KindGeneral)
	}
	d := views.TaskFormPage{
		ID: id, Form: f, Kinds: options(schema.TaskKinds), Priorities: views.PriorityChoices, Assignees: ppl.Options,
	}
	// Skills the members have, as suggestions; a member list the viewer
	// cannot read just means none.
	for _, usr := range ppl.Names {
		ms, err := usr.Memberships(ctx)
		if err != nil {
			continue
		}
		for _, m := range ms {
			for _, s := range m.Skills {
				if !slices.Contains(d.Skills, s) {
					d.Skills = append(d.Skills, s)
				}
			}
		}
	}
	slices.Sort(d.Skills)
	return d, nil
}

// newTask shows the create form, prefilled from ?contact=ID and
// ?booking=ID (a booking brings its contact).
func (u *UI) newTask(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateTask) {
		return
	}
	ctx := r.Context()
	p, err := u.page(ctx, r, "New task", "tasks")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := views.TaskForm{Assignee: u.taskAccess(ctx).Me}
	q := r.URL.Query()
	if id := q.Get("booking"); id != "" {
		bid := pulid.ID(id)
		conn, err := u.api.tasks.Bookings(ctx, nil, ptr(1), nil, nil, nil, &ent.BookingWhereInput{ID: &bid})
		if err != nil {
			u.fail(w, r, err)
			return
		}
		if len(conn.Edges) == 0 {
			u.fail(w, r, apperr.NotFoundf("booking", "That booking does not exist, or it belongs to another location."))
			return
		}
		b := conn.Edges[0].Node
		f.BookingID = b.ID.String()
		if f.BookingLabel, err = u.bookingLabel(ctx, b.ID, p.Me.TZ); err != nil {
			u.fail(w, r, err)
			return
		}
		f.ContactID = b.ContactID.String()
	}
	if id := q.Get("contact"); id != "" {
		f.ContactID = id
	}
	if f.ContactID != "" {
		c, err := u.contactByID(ctx, pulid.ID(f.ContactID))
		if err != nil {
			u.fail(w, r, err)
			return
		}
		f.ContactName = contactName(c)
		f.Title = "Call " + f.ContactName
	}
	d, err := u.taskFormPage(ctx, "", f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.TaskFormView(p, d))
}

// createTask posts the create form: createTask, or createTaskAutoAssigned
// when the assignee is "auto". It then shows the task, with why it got its
// priority and assignee.
func (u *UI) createTask(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateTask) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	p, err := u.page(ctx, r, "New task", "tasks")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := taskFormOf(r)
	checkTitle(&f)
	status := http.StatusUnprocessableEntity
	in := ent.CreateTaskInput{Title: f.Title, Description: &f.Description}
	if _, err := u.settleContact(ctx, r, &f); err != nil {
		u.fail(w, r, err)
		return
	}
	maps.Copy(f.Errors, taskInput(&f, p.Me.TZ, func(due *time.Time, kind task.Kind, skill *string) {
		in.DueAt, in.Kind, in.Skill = due, &kind, skill
	}))
	if f.Priority != "" && f.Priority != "auto" {
		prio, err := enumValue("priority", f.Priority, taskPriorities)
		if err != nil {
			f.Errors["priority"] = "Choose one of the listed priorities."
		} else {
			in.Priority = &prio
		}
	}
	if f.ContactID != "" {
		in.ContactID = ptr(pulid.ID(f.ContactID))
	}
	if f.BookingID != "" {
		in.BookingID = ptr(pulid.ID(f.BookingID))
	}
	auto := f.Assignee == "auto"
	if f.Assignee != "" && !auto {
		in.AssigneeID = ptr(pulid.ID(f.Assignee))
	}
	var created *ent.Task
	if len(f.Errors) == 0 {
		if auto {
			created, err = u.api.tasks.CreateTaskAutoAssigned(ctx, in)
		} else {
			created, err = u.api.tasks.CreateTask(ctx, in)
		}
		if err != nil {
			errs, st, ok := taskFormErrors(err)
			if !ok {
				u.fail(w, r, err)
				return
			}
			f.Errors, status = errs, st
		}
	}
	if len(f.Errors) > 0 {
		u.renderTaskForm(w, r, p, "", f, status, "No task was created: please check the form.")
		return
	}
	redirectTask(w, r, "/tasks/"+created.ID.String(), "task-created", "")
}

// taskInput checks the due date and time, kind and skill of the form and
// hands them to set when they are good; it returns the errors.
func taskInput(f *views.TaskForm, tz *time.Location, set func(due *time.Time, kind task.Kind, skill *string)) views.FieldErrors {
	due, errs := parseDue(f.DueDate, f.DueTime, tz)
	if errs != nil {
		return errs
	}
	kind := task.KindGeneral
	if f.Kind != "" {
		k, err := enumValue("kind", f.Kind, taskKinds)
		if err != nil {
			return views.FieldErrors{"kind": "Choose one of the listed kinds."}
		}
		kind = k
	}
	var skill *string
	if f.Skill != "" {
		skill = &f.Skill
	}
	set(due, kind, skill)
	return nil
}

var taskKinds = enums[task.Kind](schema.TaskKinds)

func (u *UI) renderTaskForm(w http.ResponseWriter, r *http.Request, p views.Page, id string, f views.TaskForm, status int, msg string) {
	d, err := u.taskFormPage(r.Context(), id, f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Error = msg
	renderStatus(w, r, status, views.TaskFormView(p, d))
}

// editTask shows the edit form of a task the viewer may change.
func (u *UI) editTask(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, p, ok := u.taskForChange(w, r, "Edit task")
	if !ok {
		return
	}
	f := views.TaskForm{Title: t.Title, Description: t.Description, Kind: string(t.Kind)}
	if t.Skill != nil {
		f.Skill = *t.Skill
	}
	if t.DueAt != nil {
		l := t.DueAt.In(p.Me.TZ)
		f.DueDate, f.DueTime = l.Format(time.DateOnly), l.Format("15:04")
	}
	if t.ContactID != nil {
		f.ContactID = t.ContactID.String()
		if c, err := u.contactByID(ctx, *t.ContactID); err == nil {
			f.ContactName = contactName(c)
		}
	}
	d, err := u.taskFormPage(ctx, t.ID.String(), f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.TaskFormView(p, d))
}

// updateTask posts the edit form: updateTask.
func (u *UI) updateTask(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUpdateTask) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	t, err := u.taskByID(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, err := u.page(ctx, r, "Edit task", "tasks")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := taskFormOf(r)
	checkTitle(&f)
	status := http.StatusUnprocessableEntity
	in := ent.UpdateTaskInput{Title: &f.Title, Description: &f.Description}
	if _, err := u.settleContact(ctx, r, &f); err != nil {
		u.fail(w, r, err)
		return
	}
	maps.Copy(f.Errors, taskInput(&f, p.Me.TZ, func(due *time.Time, kind task.Kind, skill *string) {
		switch {
		case due == nil:
			in.ClearDueAt = t.DueAt != nil
		case t.DueAt == nil || !t.DueAt.Truncate(time.Minute).Equal(*due):
			// The form has minutes; an unchanged due time is not sent, so
			// seconds stored before are not a change.
			in.DueAt = due
		}
		in.Kind = &kind
		if skill == nil {
			in.ClearSkill = t.Skill != nil
		} else {
			in.Skill = skill
		}
	}))
	switch {
	case f.ContactID != "":
		in.ContactID = ptr(pulid.ID(f.ContactID))
	case t.ContactID != nil:
		in.ClearContact = true
	}
	if len(f.Errors) == 0 {
		_, err = u.api.tasks.UpdateTask(ctx, id, in)
		if err != nil {
			errs, st, ok := taskFormErrors(err)
			if !ok {
				u.fail(w, r, err)
				return
			}
			f.Errors, status = errs, st
		}
	}
	if len(f.Errors) > 0 {
		u.renderTaskForm(w, r, p, id.String(), f, status, "Nothing was saved: please check the form.")
		return
	}
	redirectTask(w, r, "/tasks/"+id.String(), "task-updated", "")
}
