package ui

// The tasks pages: the list (/tasks), the kanban (/tasks/board), one task
// (/tasks/{id}) and the forms that create and change tasks. They follow the
// admin area's conventions (see admin.go): every POST checks the permission
// its mutation declares, runs in one transaction, and answers 303 with a
// flash key, or the form again with the message next to its field. Without
// JavaScript every action is a plain form post. With htmx a quick action in
// the list answers with just its row, one on the board with the board
// (HX-Request), and says what it did in an HX-Trigger event that app.js
// reads out in the page's live region.
//
// What the buttons offer follows the viewer's permissions (views.TaskAccess):
// a viewer gets none, staff (tasks:update own_records_only) only on the tasks
// assigned to them. The server refuses the rest whatever is posted: require
// answers 403 without tasks:update, and the resolvers NOT_FOUND for a task
// staff may not change.

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// Limits of the task pages.
const (
	taskListLimit   = 200
	boardColumnSize = 100
	// boardCompletedFor is how far back the board's completed column goes.
	boardCompletedFor = 7 * 24 * time.Hour
)

// taskRoutes mounts the tasks pages; the caller has required a viewer.
func (u *UI) taskRoutes(r chi.Router) {
	r.Get("/tasks", u.tasks)
	r.Get("/tasks/board", u.taskBoard)
	r.Get("/tasks/new", u.newTask)
	r.Post("/tasks", u.createTask)
	r.Get("/tasks/{id}", u.taskDetail)
	r.Get("/tasks/{id}/edit", u.editTask)
	r.Post("/tasks/{id}/edit", u.updateTask)
	r.Post("/tasks/{id}/status", u.setTaskStatus)
	r.Post("/tasks/{id}/assignee", u.assignTask)
	r.Post("/tasks/{id}/priority", u.setTaskPriority)
	r.Get("/tasks/{id}/cancel", u.cancelTask)
	r.Post("/tasks/{id}/cancel", u.cancelTask)
}

// taskAccess is what the viewer may do to tasks, from the permissions the
// task operations declare and the decision the privacy rules make for one
// task (so an exception in the permission matrix counts).
func (u *UI) taskAccess(ctx context.Context) views.TaskAccess {
	v := viewer.FromContext(ctx)
	if v == nil {
		return views.TaskAccess{}
	}
	return views.TaskAccess{
		Me:        v.UserID.String(),
		CanCreate: u.allowed(ctx, graph.OpCreateTask),
		CanUpdate: u.allowed(ctx, graph.OpUpdateTask),
		ChangeOn:  func(owner *pulid.ID) bool { return u.api.guard.AllowedOn(ctx, graph.OpUpdateTask, owner) },
	}
}

// people are the users of the active location, by name.
type people struct {
	// Options are those a task can be given to: everyone but disabled
	// accounts.
	Options []views.Option
	// Names holds every user's name by ID.
	Names map[pulid.ID]*ent.User
}

func (u *UI) people(ctx context.Context) (people, error) {
	conn, err := u.api.tasks.Users(ctx, nil, ptr(500), nil, nil,
		&ent.UserOrder{Direction: entgql.OrderDirectionAsc, Field: ent.UserOrderFieldName}, nil)
	if err != nil {
		return people{}, err
	}
	out := people{Names: map[pulid.ID]*ent.User{}}
	for _, e := range conn.Edges {
		out.Names[e.Node.ID] = e.Node
		if e.Node.Status != user.StatusDisabled {
			out.Options = append(out.Options, views.Option{Value: e.Node.ID.String(), Label: e.Node.Name})
		}
	}
	return out, nil
}

// taskCtx gathers what rows, cards and action forms need. next is where
// their forms return to without JavaScript.
func (u *UI) taskCtx(ctx context.Context, p views.Page, next string) (views.TaskCtx, people, error) {
	ppl, err := u.people(ctx)
	if err != nil {
		return views.TaskCtx{}, people{}, err
	}
	return views.TaskCtx{
		Access: u.taskAccess(ctx), Assignees: ppl.Options, TZ: p.Me.TZ, Now: u.opts.Now.Now(), Next: next,
	}, ppl, nil
}

// taskView is one task's row and what its action forms need; next is
// where they return to.
func (u *UI) taskView(ctx context.Context, p views.Page, next string, t *ent.Task) (views.TaskRow, views.TaskCtx, people, error) {
	c, ppl, err := u.taskCtx(ctx, p, next)
	if err != nil {
		return views.TaskRow{}, c, ppl, err
	}
	rows, err := u.taskRowsOf(ctx, []*ent.Task{t}, ppl)
	if err != nil {
		return views.TaskRow{}, c, ppl, err
	}
	return rows[0], c, ppl, nil
}

// taskRowsOf resolves the contacts and assignees of tasks with two queries
// (people are known already).
func (u *UI) taskRowsOf(ctx context.Context, ts []*ent.Task, ppl people) ([]views.TaskRow, error) {
	var ids []pulid.ID
	for _, t := range ts {
		if t.ContactID != nil && !slices.Contains(ids, *t.ContactID) {
			ids = append(ids, *t.ContactID)
		}
	}
	contacts := map[pulid.ID]*ent.Contact{}
	if len(ids) > 0 {
		// Archived contacts too: a task keeps its contact. (Asking about
		// archivedAt turns off the list's "not archived" default.)
		conn, err := u.api.tasks.Contacts(ctx, nil, ptr(len(ids)), nil, nil, nil, &ent.ContactWhereInput{
			IDIn: ids,
			Or:   []*ent.ContactWhereInput{{ArchivedAtIsNil: true}, {ArchivedAtNotNil: true}},
		})
		if err != nil {
			return nil, err
		}
		for _, e := range conn.Edges {
			contacts[e.Node.ID] = e.Node
		}
	}
	out := make([]views.TaskRow, 0, len(ts))
	for _, t := range ts {
		row := views.TaskRow{Task: t}
		if t.ContactID != nil {
			row.Contact = contacts[*t.ContactID]
		}
		if t.AssigneeID != nil {
			row.Assignee = ppl.Names[*t.AssigneeID]
		}
		out = append(out, row)
	}
	return out, nil
}

// sortTasks orders tasks by priority, most urgent first, then by due time
// (soonest first, undated last). The resolver orders by one field; the
// second is applied here.
func sortTasks(ts []*ent.Task) {
	slices.SortStableFunc(ts, func(a, b *ent.Task) int {
		if c := cmp.Compare(schema.PriorityRank(b.Priority), schema.PriorityRank(a.Priority)); c != 0 {
			return c
		}
		switch {
		case a.DueAt == nil && b.DueAt == nil:
		case a.DueAt == nil:
			return 1
		case b.DueAt == nil:
			return -1
		default:
			if c := a.DueAt.Compare(*b.DueAt); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// queryTasks lists up to limit tasks matching where, in sortTasks order;
// more says there were more.
func (u *UI) queryTasks(ctx context.Context, where *ent.TaskWhereInput, limit int) (ts []*ent.Task, more bool, err error) {
	conn, err := u.api.tasks.Tasks(ctx, nil, ptr(limit), nil, nil,
		&ent.TaskOrder{Direction: entgql.OrderDirectionDesc, Field: ent.TaskOrderFieldPriorityRank}, where)
	if err != nil {
		return nil, false, err
	}
	ts = taskNodes(conn)
	sortTasks(ts)
	return ts, conn.PageInfo.HasNextPage, nil
}

// taskByID reads one task, NOT_FOUND when the viewer cannot see it.
func (u *UI) taskByID(ctx context.Context, id pulid.ID) (*ent.Task, error) {
	conn, err := u.api.tasks.Tasks(ctx, nil, ptr(1), nil, nil, nil, &ent.TaskWhereInput{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(conn.Edges) == 0 {
		return nil, apperr.NotFoundf("id", "That task does not exist, or it belongs to another location.")
	}
	return conn.Edges[0].Node, nil
}

// taskForChange reads task {id} and the page of a form that changes it,
// refusing (403) a viewer the buttons would not offer it to: the form
// would only be refused when posted. It reports false once it has
// answered.
func (u *UI) taskForChange(w http.ResponseWriter, r *http.Request, title string) (*ent.Task, views.Page, bool) {
	ctx := r.Context()
	t, err := u.taskByID(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return nil, views.Page{}, false
	}
	if !u.taskAccess(ctx).CanChange(t) {
		u.fail(w, r, apperr.Forbiddenf("you may change only the tasks assigned to you"))
		return nil, views.Page{}, false
	}
	p, err := u.page(ctx, r, title, "tasks")
	if err != nil {
		u.fail(w, r, err)
		return nil, p, false
	}
	return t, p, true
}

// taskFilterOf reads the filters from a query string. The list shows open
// tasks unless status is given ("" is any status).
func taskFilterOf(q url.Values) views.TaskFilter {
	f := views.TaskFilter{
		Status: q.Get("status"), Priority: q.Get("priority"), Assignee: q.Get("assignee"),
		Due: q.Get("due"), Kind: q.Get("kind"),
	}
	if !q.Has("status") {
		f.Status = "open"
	}
	return f
}

var taskDues = []views.Option{{Value: "overdue", Label: "Overdue"}, {Value: "today", Label: "Today"}, {Value: "week", Label: "This week (Mon–Sun)"}}

// taskWhere turns the filters into the resolver's filter, refusing values
// that are not on the lists (INVALID). Days and weeks are the location's.
func taskWhere(f views.TaskFilter, me pulid.ID, now time.Time, tz *time.Location) (*ent.TaskWhereInput, error) {
	where := &ent.TaskWhereInput{}
	open := []task.Status{task.StatusPending, task.StatusInProgress}
	switch f.Status {
	case "":
	case "open":
		where.StatusIn = open
	default:
		st := task.Status(f.Status)
		if task.StatusValidator(st) != nil {
			return nil, apperr.Invalidf("status", "unknown status %q", f.Status)
		}
		where.Status = &st
	}
	if f.Priority != "" {
		pr := task.Priority(f.Priority)
		if task.PriorityValidator(pr) != nil {
			return nil, apperr.Invalidf("priority", "unknown priority %q", f.Priority)
		}
		where.Priority = &pr
	}
	if f.Kind != "" {
		k := task.Kind(f.Kind)
		if task.KindValidator(k) != nil {
			return nil, apperr.Invalidf("kind", "unknown kind %q", f.Kind)
		}
		where.Kind = &k
	}
	switch f.Assignee {
	case "":
	case "mine":
		where.AssigneeID = &me
	case "none":
		where.AssigneeIDIsNil = true
	default:
		id := pulid.ID(f.Assignee)
		where.AssigneeID = &id
	}
	switch f.Due {
	case "":
	case "overdue":
		// Overdue is for work still to do.
		where.And = append(where.And, &ent.TaskWhereInput{DueAtLT: &now, StatusIn: open})
	case "today":
		start, end := dayBounds(now, tz)
		where.DueAtGTE, where.DueAtLT = &start, &end
	case "week":
		// Monday to Sunday, as the calendar's week; AddDate keeps local
		// midnight across DST.
		today, _ := dayBounds(now, tz)
		start := calWeekStart(today)
		end := start.AddDate(0, 0, 7)
		where.DueAtGTE, where.DueAtLT = &start, &end
	default:
		return nil, apperr.Invalidf("due", "unknown due filter %q", f.Due)
	}
	return where, nil
}

func taskFilterOptions(ppl people) views.TaskFilterOptions {
	prios := options(schema.TaskPriorities)
	slices.Reverse(prios) // urgent first
	return views.TaskFilterOptions{
		Statuses: options(schema.TaskStatuses), Priorities: prios, Kinds: options(schema.TaskKinds),
		Dues: taskDues, People: ppl.Options,
	}
}

// tasks lists tasks, most urgent first, with filters and quick actions.
func (u *UI) tasks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Tasks", "tasks")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	c, ppl, err := u.taskCtx(ctx, p, p.Path)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.TaskListPage{Filter: taskFilterOf(r.URL.Query()), Options: taskFilterOptions(ppl), Ctx: c}
	where, err := taskWhere(d.Filter, pulid.ID(c.Access.Me), c.Now, c.TZ)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ts, more, err := u.queryTasks(ctx, where, taskListLimit)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if d.Rows, err = u.taskRowsOf(ctx, ts, ppl); err != nil {
		u.fail(w, r, err)
		return
	}
	d.More = more
	render(w, r, views.TasksPage(p, d))
}

// taskBoard is the kanban.
func (u *UI) taskBoard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Task board", "tasks")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.boardData(ctx, p, p.Path, r.URL.Query())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.TasksBoardPage(p, d))
}

// boardData builds the board for the filters in q (assignee, priority,
// kind; status and due are the board's own). next is where its forms
// return to.
func (u *UI) boardData(ctx context.Context, p views.Page, next string, q url.Values) (views.TaskBoardPage, error) {
	c, ppl, err := u.taskCtx(ctx, p, next)
	if err != nil {
		return views.TaskBoardPage{}, err
	}
	f := taskFilterOf(q)
	f.Status, f.Due = "open", ""
	d := views.TaskBoardPage{Filter: f, Options: taskFilterOptions(ppl), Ctx: c}
	cols := []struct {
		status      task.Status
		title, note string
	}{
		{task.StatusPending, "Pending", ""},
		{task.StatusInProgress, "In progress", ""},
		{task.StatusCompleted, "Completed", "Completed in the last 7 days."},
	}
	since := c.Now.Add(-boardCompletedFor)
	for _, col := range cols {
		f.Status = string(col.status)
		where, err := taskWhere(f, pulid.ID(c.Access.Me), c.Now, c.TZ)
		if err != nil {
			return d, err
		}
		if col.status == task.StatusCompleted {
			where.CompletedAtGTE = &since
		}
		ts, _, err := u.queryTasks(ctx, where, boardColumnSize)
		if err != nil {
			return d, err
		}
		if col.status == task.StatusCompleted {
			// Most recently completed first.
			slices.SortStableFunc(ts, func(a, b *ent.Task) int { return cmpTimes(b.CompletedAt, a.CompletedAt) })
		}
		rows, err := u.taskRowsOf(ctx, ts, ppl)
		if err != nil {
			return d, err
		}
		d.Columns = append(d.Columns, views.BoardColumn{Status: string(col.status), Title: col.title, Note: col.note, Cards: rows})
	}
	return d, nil
}

func cmpTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

// taskDetail shows one task, its history and what may be done to it.
func (u *UI) taskDetail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := idParam(r)
	t, err := u.taskByID(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, err := u.page(ctx, r, t.Title, "tasks")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	row, c, ppl, err := u.taskView(ctx, p, "/tasks/"+id.String(), t)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.TaskDetailPage{Row: row, Ctx: c, Created: r.URL.Query().Get("done") == "task-created"}
	if t.BookingID != nil {
		if d.BookingLabel, err = u.bookingLabel(ctx, *t.BookingID, c.TZ); err != nil {
			u.fail(w, r, err)
			return
		}
	}
	events, err := u.api.tasks.TaskHistory(ctx, t)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, e := range events {
		row := views.TaskEventRow{Event: e}
		if e.ActorID != nil {
			if a := ppl.Names[*e.ActorID]; a != nil {
				row.Actor = a.Name
			}
		}
		d.History = append(d.History, row)
	}
	render(w, r, views.TaskDetailView(p, d))
}

// bookingLabel names a booking: "MRI Knee · Wed 11 Mar 10:30"; "" when the
// viewer cannot see it.
func (u *UI) bookingLabel(ctx context.Context, id pulid.ID, tz *time.Location) (string, error) {
	conn, err := u.api.tasks.Bookings(ctx, nil, ptr(1), nil, nil, nil, &ent.BookingWhereInput{ID: &id})
	if err != nil || len(conn.Edges) == 0 {
		return "", err
	}
	b := conn.Edges[0].Node
	s, err := b.Service(ctx)
	if err != nil {
		return "", err
	}
	return s.Name + " · " + views.DayTime(b.StartsAt, tz), nil
}

// isHX reports whether htmx sent the request.
func isHX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// taskNext is where a task form returns to: its next field when that is a
// tasks page, else fallback. The flash key of the previous action is
// dropped.
func taskNext(r *http.Request, fallback string) string {
	next := r.PostFormValue("next")
	nu, err := url.Parse(next)
	if err != nil || nu.Scheme != "" || nu.Host != "" || nu.User != nil || nu.Opaque != "" ||
		!(nu.Path == "/tasks" || strings.HasPrefix(nu.Path, "/tasks/")) || strings.ContainsAny(nu.Path, `\`) {
		return fallback
	}
	q := nu.Query()
	q.Del("done")
	if len(q) == 0 {
		return nu.Path
	}
	return nu.Path + "?" + q.Encode()
}

// redirectTask answers a successful task form: 303 to target (a path with
// perhaps a query) with the flash key and a fragment.
func redirectTask(w http.ResponseWriter, r *http.Request, target, key, fragment string) {
	path, query, _ := strings.Cut(target, "?")
	q, _ := url.ParseQuery(query)
	redirectDone(w, r, path, key, q, fragment)
}
