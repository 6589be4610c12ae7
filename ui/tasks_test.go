package ui_test

// The tasks pages over plain HTTP: the list and its filters, the quick
// actions without JavaScript (303) and with htmx (just the row), the
// kanban and its move forms, the create form, a task's page, and who sees
// which buttons — each checked against the GraphQL API.

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// apiTask is a task as the GraphQL API returns it.
type apiTask struct {
	ID             string
	Title          string
	Status         string
	Priority       string
	PriorityRank   int
	PriorityManual bool
	Kind           string
	DueAt          *time.Time
	CompletedAt    *time.Time
	Assignee       *struct{ ID, Name string }
	History        []struct{ Kind, Detail string }
}

func (a apiTask) assigneeName() string {
	if a.Assignee == nil {
		return ""
	}
	return a.Assignee.Name
}

const apiTaskFields = `id title status priority priorityRank priorityManual kind dueAt completedAt assignee { id name }`

// tasksAPI lists the tasks matching where (a TaskWhereInput) as the client
// sees them.
func tasksAPI(t *testing.T, srv *testutil.Server, c *http.Client, where map[string]any) []apiTask {
	t.Helper()
	var out struct {
		Tasks struct {
			TotalCount int
			Edges      []struct{ Node apiTask }
		}
	}
	srv.MustGraphQL(t, c, `query($w: TaskWhereInput) { tasks(first: 1000, where: $w) { totalCount edges { node { `+apiTaskFields+` } } } }`,
		map[string]any{"w": where}).Decode(t, &out)
	if out.Tasks.TotalCount != len(out.Tasks.Edges) {
		t.Fatalf("tasks: got %d of %d", len(out.Tasks.Edges), out.Tasks.TotalCount)
	}
	ts := make([]apiTask, 0, len(out.Tasks.Edges))
	for _, e := range out.Tasks.Edges {
		ts = append(ts, e.Node)
	}
	return ts
}

// taskAPI reads one task with its history.
func taskAPI(t *testing.T, srv *testutil.Server, c *http.Client, id string) apiTask {
	t.Helper()
	var out struct{ Node apiTask }
	srv.MustGraphQL(t, c, `query($id: ID!) { node(id: $id) { ... on Task { `+apiTaskFields+` history { kind detail } } } }`,
		map[string]any{"id": id}).Decode(t, &out)
	if out.Node.ID != id {
		t.Fatalf("task %s: not found", id)
	}
	return out.Node
}

// meID is the user ID of the client's user.
func meID(t *testing.T, srv *testutil.Server, c *http.Client) string {
	t.Helper()
	var out struct {
		Me struct{ User struct{ ID string } }
	}
	srv.MustGraphQL(t, c, `{ me { user { id } } }`, nil).Decode(t, &out)
	return out.Me.User.ID
}

// newTaskAPI creates a task through the API.
func newTaskAPI(t *testing.T, srv *testutil.Server, c *http.Client, input map[string]any) apiTask {
	t.Helper()
	var out struct{ CreateTask apiTask }
	srv.MustGraphQL(t, c, `mutation($in: CreateTaskInput!) { createTask(input: $in) { `+apiTaskFields+` } }`,
		map[string]any{"in": input}).Decode(t, &out)
	return out.CreateTask
}

// taskRowIDs are the IDs of the list's rows, in order.
func taskRowIDs(p page) []string {
	var ids []string
	p.Doc.Find(byTestID("task-row")).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-task-id")
		ids = append(ids, id)
	})
	return ids
}

func taskRow(p page, id string) *goquery.Selection {
	return p.Doc.Find(byTestID("task-row") + `[data-task-id="` + id + `"]`)
}

// cardIDs are the IDs of the cards in a column of the board.
func cardIDs(doc *goquery.Document, status string) []string {
	var ids []string
	doc.Find(byTestID("column-"+status) + " " + byTestID("task-card")).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-task-id")
		ids = append(ids, id)
	})
	return ids
}

func ids(ts []apiTask) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// sortLikeList orders tasks as the list does: priority, then due time
// (undated last), then ID.
func sortLikeList(ts []apiTask) {
	slices.SortStableFunc(ts, func(a, b apiTask) int {
		if a.PriorityRank != b.PriorityRank {
			return b.PriorityRank - a.PriorityRank
		}
		switch {
		case a.DueAt == nil && b.DueAt != nil:
			return 1
		case a.DueAt != nil && b.DueAt == nil:
			return -1
		case a.DueAt != nil && !a.DueAt.Equal(*b.DueAt):
			return a.DueAt.Compare(*b.DueAt)
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// postHX posts a form the way htmx does.
func postHX(t *testing.T, srv *testutil.Server, c *http.Client, path string, form url.Values) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	return fetch(t, c, req)
}

// fragmentRow parses an answer that is a bare table row.
func fragmentRow(t *testing.T, body string) *goquery.Selection {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<table><tbody>" + body + "</tbody></table>"))
	if err != nil {
		t.Fatal(err)
	}
	return doc.Find("tr")
}

var sydney = func() *time.Location {
	tz, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		panic(err)
	}
	return tz
}()

func TestTasks_ListFilters(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	staff := srv.SignIn(t, "staff@example.com")
	openStatuses := []string{"pending", "in_progress"}

	// Default: open tasks, most urgent first, then soonest due.
	want := tasksAPI(t, srv, admin, map[string]any{"statusIn": openStatuses})
	if len(want) < 10 {
		t.Fatalf("the demo data has only %d open tasks", len(want))
	}
	sortLikeList(want)
	list := getPage(t, srv, admin, "/tasks")
	if list.Status != http.StatusOK {
		t.Fatalf("/tasks: status %d", list.Status)
	}
	if got := taskRowIDs(list); !slices.Equal(got, ids(want)) {
		t.Errorf("/tasks rows:\n got %v\nwant %v (open, by priority then due)", got, ids(want))
	}
	first := taskRow(list, want[0].ID)
	if got := text(first.Find(byTestID("task-priority"))); !strings.EqualFold(got, want[0].Priority) {
		t.Errorf("first row priority %q, want %s", got, want[0].Priority)
	}
	if sel, _ := list.Doc.Find("#f-status option[selected]").Attr("value"); sel != "open" {
		t.Errorf("the status filter shows %q, want open", sel)
	}

	// What the demo data lacks: a task for nobody, a no-show follow-up, an
	// overdue one.
	newTaskAPI(t, srv, admin, map[string]any{"title": "Unclaimed task"})
	newTaskAPI(t, srv, admin, map[string]any{"title": "Rebook the no-show", "kind": "no_show_follow_up", "assigneeID": meID(t, srv, staff)})
	newTaskAPI(t, srv, admin, map[string]any{"title": "Late already", "dueAt": testutil.Now.Add(-time.Hour), "assigneeID": meID(t, srv, staff)})

	cases := []struct {
		name, query string
		c           *http.Client
		where       map[string]any
	}{
		{"completed", "status=completed", admin, map[string]any{"status": "completed"}},
		{"any status", "status=", admin, nil},
		{"urgent", "priority=urgent", admin, map[string]any{"statusIn": openStatuses, "priority": "urgent"}},
		{"mine", "assignee=mine", staff, map[string]any{"statusIn": openStatuses, "assigneeID": meID(t, srv, staff)}},
		{"nobody", "assignee=none&status=", admin, map[string]any{"assigneeIDIsNil": true}},
		{"no-show follow-ups", "kind=no_show_follow_up&status=", admin, map[string]any{"kind": "no_show_follow_up"}},
		{"overdue", "due=overdue", admin, map[string]any{"statusIn": openStatuses, "dueAtLT": testutil.Now}},
		{"today", "due=today", admin, map[string]any{"statusIn": openStatuses,
			"dueAtGTE": time.Date(2026, 3, 11, 0, 0, 0, 0, sydney), "dueAtLT": time.Date(2026, 3, 12, 0, 0, 0, 0, sydney)}},
		{"this week", "due=week&status=", admin, map[string]any{
			"dueAtGTE": time.Date(2026, 3, 9, 0, 0, 0, 0, sydney), "dueAtLT": time.Date(2026, 3, 16, 0, 0, 0, 0, sydney)}},
	}
	for _, tc := range cases {
		want := tasksAPI(t, srv, tc.c, tc.where)
		if len(want) == 0 {
			t.Errorf("%s: the demo data has no such task; the case proves nothing", tc.name)
			continue
		}
		sortLikeList(want)
		p := getPage(t, srv, tc.c, "/tasks?"+tc.query)
		if p.Status != http.StatusOK {
			t.Errorf("%s: status %d", tc.name, p.Status)
			continue
		}
		if got := taskRowIDs(p); !slices.Equal(got, ids(want)) {
			t.Errorf("%s (/tasks?%s): rows\n got %v\nwant %v", tc.name, tc.query, got, ids(want))
		}
	}

	// What the rows say for the filter.
	overdue := getPage(t, srv, admin, "/tasks?due=overdue")
	overdue.Doc.Find(byTestID("task-row")).Each(func(_ int, s *goquery.Selection) {
		if s.Find(byTestID("overdue")).Length() != 1 {
			t.Errorf("overdue filter: row %q is not marked overdue", text(s.Find(byTestID("task-title"))))
		}
	})
	mine := getPage(t, srv, staff, "/tasks?assignee=mine")
	mine.Doc.Find(byTestID("task-row")).Each(func(_ int, s *goquery.Selection) {
		if got := text(s.Find(byTestID("task-assignee") + " select option[selected]")); got != "Chloe Nguyen" {
			t.Errorf("assignee=mine: a row is assigned to %q", got)
		}
	})

	// The view switcher keeps the filters.
	if href, _ := mine.Doc.Find(byTestID("view-board")).Attr("href"); href != "/tasks/board?assignee=mine" {
		t.Errorf("the board link is %q", href)
	}

	// A value that is not on the list is refused.
	if p := getPage(t, srv, admin, "/tasks?status=bogus"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("status=bogus: status %d, want 422", p.Status)
	}
	if p := getPage(t, srv, admin, "/tasks?due=someday"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("due=someday: status %d, want 422", p.Status)
	}
}

func TestTasks_QuickCompleteWithoutJS(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	me := meID(t, srv, staff)
	tk := newTaskAPI(t, srv, staff, map[string]any{"title": "Ring Dr Lim about the referral", "assigneeID": me})

	list := getPage(t, srv, staff, "/tasks?assignee=mine")
	row := taskRow(list, tk.ID)
	form := row.Find(`form[data-move-to="completed"]`)
	if form.Length() != 1 {
		t.Fatalf("the row of the staff member's own task has no Complete form:\n%s", text(row))
	}
	action, _ := form.Attr("action")
	if hx, _ := form.Attr("hx-post"); hx != action || action != "/tasks/"+tk.ID+"/status" {
		t.Errorf("Complete form: action %q, hx-post %q", action, hx)
	}
	if tgt, _ := form.Attr("hx-target"); tgt != "closest tr" {
		t.Errorf("Complete form: hx-target %q", tgt)
	}
	// Post the form as a browser without JavaScript does: its own fields.
	fields := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		v, _ := s.Attr("value")
		fields.Set(n, v)
	})
	if fields.Get("next") != "/tasks?assignee=mine" || fields.Get("status") != "completed" || fields.Get("view") != "row" {
		t.Errorf("the form's fields: %v", fields)
	}
	p := postPage(t, srv, staff, action, fields)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("complete: status %d; errors %q", p.Status, errorsOn(p))
	}
	if want := "/tasks?assignee=mine&done=task-completed#task-" + tk.ID; p.Location != want {
		t.Errorf("complete redirected to %q, want %q", p.Location, want)
	}
	after := getPage(t, srv, staff, p.Location)
	if got := text(after.Doc.Find(".flash")); got != "Task completed." {
		t.Errorf("flash %q", got)
	}
	if taskRow(after, tk.ID).Length() != 0 {
		t.Error("the completed task is still in the list of open tasks")
	}
	got := taskAPI(t, srv, staff, tk.ID)
	if got.Status != "completed" || got.CompletedAt == nil {
		t.Errorf("the API has status %s, completedAt %v", got.Status, got.CompletedAt)
	}
	if last := got.History[len(got.History)-1]; last.Kind != "status" || last.Detail != "Status pending → completed" {
		t.Errorf("last event: %+v", last)
	}

	// An unknown status is refused and changes nothing.
	tk2 := newTaskAPI(t, srv, staff, map[string]any{"title": "Second task", "assigneeID": me})
	if p := postPage(t, srv, staff, "/tasks/"+tk2.ID+"/status", url.Values{"status": {"done"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("status=done: status %d, want 422", p.Status)
	}
	// Cancelling needs the confirmation page.
	if p := postPage(t, srv, staff, "/tasks/"+tk2.ID+"/status", url.Values{"status": {"cancelled"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("status=cancelled without confirmation: status %d, want 422", p.Status)
	}
	// A next that leaves the tasks pages is not followed.
	p = postPage(t, srv, staff, "/tasks/"+tk2.ID+"/status", url.Values{"status": {"in_progress"}, "next": {"https://evil.example/"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/tasks/"+tk2.ID+"?done=task-started") {
		t.Errorf("foreign next: %d → %q", p.Status, p.Location)
	}
	if got := taskAPI(t, srv, staff, tk2.ID).Status; got != "in_progress" {
		t.Errorf("after start: %s", got)
	}
}

func TestTasks_QuickActionsWithHTMXSwapTheRow(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	manager := srv.SignIn(t, "manager@example.com")
	tk := newTaskAPI(t, srv, manager, map[string]any{"title": "Order contrast for Friday", "skill": "calls"})
	next := "/tasks?status=open"

	p := postHX(t, srv, manager, "/tasks/"+tk.ID+"/status", url.Values{"status": {"completed"}, "view": {"row"}, "next": {next}})
	if p.Status != http.StatusOK {
		t.Fatalf("htmx complete: status %d: %s", p.Status, p.Body)
	}
	body := strings.TrimSpace(p.Body)
	if !strings.HasPrefix(body, "<tr") || !strings.HasSuffix(body, "</tr>") || strings.Contains(body, "<html") || strings.Count(body, "<tr") != 1 {
		t.Fatalf("htmx complete answered with more than the row:\n%s", body)
	}
	row := fragmentRow(t, body)
	if id, _ := row.Attr("data-task-id"); id != tk.ID {
		t.Errorf("the row is of task %q", id)
	}
	if got := text(row.Find(byTestID("task-status"))); got != "Completed" {
		t.Errorf("the row's status reads %q", got)
	}
	if row.Find(`form[data-move-to="pending"]`).Length() != 1 {
		t.Error("the completed row offers no Reopen")
	}
	if _, ok := row.Find(byTestID("task-title")).Attr("data-focus-after-swap"); !ok {
		t.Error("the swapped row does not ask for the focus")
	}
	if v, _ := row.Find(`form[data-move-to="pending"] input[name=next]`).Attr("value"); v != next {
		t.Errorf("the new row's forms return to %q", v)
	}
	if trig := p.Header.Get("HX-Trigger"); !strings.Contains(trig, `"avatar:announce"`) || !strings.Contains(trig, `Completed \u201cOrder contrast for Friday\u201d.`) {
		t.Errorf("HX-Trigger = %q", trig)
	}
	if got := taskAPI(t, srv, manager, tk.ID).Status; got != "completed" {
		t.Errorf("the API has %s", got)
	}

	// Reopen, then the priority by hand and back to auto, then
	// auto-assignment: each answers with the row.
	p = postHX(t, srv, manager, "/tasks/"+tk.ID+"/status", url.Values{"status": {"pending"}, "view": {"row"}, "next": {next}})
	if got := text(fragmentRow(t, p.Body).Find(byTestID("task-status"))); p.Status != http.StatusOK || got != "Pending" {
		t.Errorf("reopen: %d, status %q", p.Status, got)
	}
	p = postHX(t, srv, manager, "/tasks/"+tk.ID+"/priority", url.Values{"priority": {"urgent"}, "view": {"row"}, "next": {next}})
	row = fragmentRow(t, p.Body)
	if got := text(row.Find(byTestID("task-priority"))); p.Status != http.StatusOK || got != "Urgent" {
		t.Errorf("priority urgent: %d, %q", p.Status, got)
	}
	if v, _ := row.Find(`select[name=priority] option[selected]`).Attr("value"); v != "urgent" {
		t.Errorf("the priority select shows %q", v)
	}
	if got := taskAPI(t, srv, manager, tk.ID); got.Priority != "urgent" || !got.PriorityManual {
		t.Errorf("the API has %s (manual %v)", got.Priority, got.PriorityManual)
	}
	p = postHX(t, srv, manager, "/tasks/"+tk.ID+"/priority", url.Values{"priority": {"auto"}, "view": {"row"}, "next": {next}})
	row = fragmentRow(t, p.Body)
	if got := text(row.Find(byTestID("task-priority"))); p.Status != http.StatusOK || got != "Normal" {
		t.Errorf("priority auto: %d, %q", p.Status, got)
	}
	if v, _ := row.Find(`select[name=priority] option[selected]`).Attr("value"); v != "auto" {
		t.Errorf("the priority select shows %q", v)
	}
	p = postHX(t, srv, manager, "/tasks/"+tk.ID+"/assignee", url.Values{"assignee": {"auto"}, "view": {"row"}, "next": {next}})
	if p.Status != http.StatusOK {
		t.Fatalf("auto-assign: status %d: %s", p.Status, p.Body)
	}
	got := taskAPI(t, srv, manager, tk.ID)
	if got.Assignee == nil {
		t.Fatal("auto-assign assigned nobody")
	}
	if sel := text(fragmentRow(t, p.Body).Find(`select[name=assignee] option[selected]`)); sel != got.Assignee.Name {
		t.Errorf("the row shows %q, the API %q", sel, got.Assignee.Name)
	}
	if last := got.History[len(got.History)-1]; last.Kind != "auto_assigned" {
		t.Errorf("last event %+v", last)
	}

	// A refused action through htmx keeps its status and says why in the
	// live region's event.
	p = postHX(t, srv, manager, "/tasks/"+tk.ID+"/assignee", url.Values{"assignee": {"usr_01NOSUCHUSER0000000000000"}, "view": {"row"}})
	if p.Status != http.StatusNotFound || !strings.Contains(p.Header.Get("HX-Trigger"), `"error":true`) {
		t.Errorf("unknown assignee via htmx: %d, HX-Trigger %q", p.Status, p.Header.Get("HX-Trigger"))
	}
}

func TestTasks_CreateWithAutoAssignShowsWhy(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	manager := srv.SignIn(t, "manager@example.com")

	form := getPage(t, srv, manager, "/tasks/new")
	if form.Status != http.StatusOK {
		t.Fatalf("/tasks/new: status %d", form.Status)
	}
	if v, _ := form.Doc.Find("#task-priority option[selected]").Attr("value"); v != "auto" {
		t.Errorf("the priority defaults to %q, want auto", v)
	}
	if form.Doc.Find(`#task-assignee option[value=auto]`).Length() != 1 {
		t.Error("no auto-assign option")
	}
	if form.Doc.Find(`#task-skills option[value=mri]`).Length() != 1 {
		t.Error("the members' skills are not suggested")
	}

	// Due at 11:00 Sydney time, two hours from the test clock's 09:00.
	p := postPage(t, srv, manager, "/tasks", url.Values{
		"title": {"Check MRI safety form"}, "description": {"Pacemaker question."},
		"due_date": {"2026-03-11"}, "due_time": {"11:00"}, "priority": {"auto"}, "kind": {"call"},
		"skill": {"MRI"}, "assignee": {"auto"},
	})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create: status %d; errors %q", p.Status, errorsOn(p))
	}
	u, _ := url.Parse(p.Location)
	id := strings.TrimPrefix(u.Path, "/tasks/")
	if !strings.HasPrefix(id, "tsk_") || u.Query().Get("done") != "task-created" {
		t.Fatalf("create redirected to %q", p.Location)
	}
	api := taskAPI(t, srv, manager, id)
	if api.Priority != "urgent" || api.PriorityManual || api.assigneeName() != "Sam Patel" || api.Kind != "call" {
		t.Errorf("the API has %+v", api)
	}
	if want := time.Date(2026, 3, 11, 11, 0, 0, 0, sydney); api.DueAt == nil || !api.DueAt.Equal(want) {
		t.Errorf("due %v, want %v", api.DueAt, want)
	}
	var why string
	for _, e := range api.History {
		if e.Kind == "auto_assigned" {
			why = e.Detail
		}
	}
	if !strings.Contains(why, "chose Sam Patel") {
		t.Fatalf("the history does not explain the choice: %+v", api.History)
	}

	show := getPage(t, srv, manager, p.Location)
	if show.Status != http.StatusOK {
		t.Fatalf("the new task's page: status %d", show.Status)
	}
	if got := text(show.Doc.Find(".flash")); got != "Task created." {
		t.Errorf("flash %q", got)
	}
	created := show.Doc.Find(byTestID("task-created"))
	if got := text(created.Find(byTestID("created-priority"))); got != "Priority Urgent (computed: due within 4 hours)" {
		t.Errorf("created priority reads %q", got)
	}
	if got := text(created.Find(byTestID("created-assignment"))); got != "Auto-assigned to Sam Patel: "+why {
		t.Errorf("created assignment reads %q, want the history's %q", got, why)
	}
	if got := text(show.Doc.Find(byTestID("fact-assignee"))); got != "Sam Patel (auto-assigned)" {
		t.Errorf("assignee fact %q", got)
	}
	var kinds []string
	show.Doc.Find(byTestID("task-event")).Each(func(_ int, s *goquery.Selection) {
		k, _ := s.Attr("data-kind")
		kinds = append(kinds, k)
	})
	if !slices.Equal(kinds, []string{"created", "auto_assigned"}) {
		t.Errorf("history on the page: %v", kinds)
	}
	// The flash and the callout are for the redirect only.
	if again := getPage(t, srv, manager, "/tasks/"+id); again.Doc.Find(byTestID("task-created")).Length() != 0 {
		t.Error("the task's page shows the creation callout without ?done=task-created")
	}

	// Nobody with the skill: a conflict next to the assignee, nothing made.
	p = postPage(t, srv, manager, "/tasks", url.Values{"title": {"Fix the PET scanner"}, "skill": {"pet"}, "assignee": {"auto"}})
	if p.Status != http.StatusConflict {
		t.Fatalf("auto-assign without a candidate: status %d", p.Status)
	}
	if got := text(p.Doc.Find(byTestID("field-error-task-assignee"))); !strings.Contains(got, "pet") {
		t.Errorf("assignee error %q", got)
	}
	if n := len(tasksAPI(t, srv, manager, map[string]any{"title": "Fix the PET scanner"})); n != 0 {
		t.Errorf("%d tasks were created", n)
	}
}

func TestTasks_CreateBadDueDateIs422NextToTheField(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")

	p := postPage(t, srv, staff, "/tasks", url.Values{
		"title": {"Book the follow-up"}, "due_date": {"31/02/2026"}, "due_time": {"25:00"}, "priority": {"high"}, "kind": {"follow_up"},
	})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", p.Status)
	}
	date := p.Doc.Find("#task-due-date")
	if v, _ := date.Attr("aria-invalid"); v != "true" {
		t.Error("the date input is not marked invalid")
	}
	if v, _ := date.Attr("aria-describedby"); v != "task-due-date-error" {
		t.Errorf("aria-describedby %q", v)
	}
	if got := text(p.Doc.Find(byTestID("field-error-task-due-date"))); !strings.Contains(got, "YYYY-MM-DD") {
		t.Errorf("date error %q", got)
	}
	// The input is kept.
	if v, _ := p.Doc.Find("#task-title").Attr("value"); v != "Book the follow-up" {
		t.Errorf("title kept as %q", v)
	}
	if v, _ := date.Attr("value"); v != "31/02/2026" {
		t.Errorf("date kept as %q", v)
	}
	if v, _ := p.Doc.Find("#task-priority option[selected]").Attr("value"); v != "high" {
		t.Errorf("priority kept as %q", v)
	}
	if got := text(p.Doc.Find(".flash.error")); got == "" {
		t.Error("no message above the form")
	}
	if n := len(tasksAPI(t, srv, staff, map[string]any{"title": "Book the follow-up"})); n != 0 {
		t.Errorf("%d tasks were created", n)
	}

	// A good date with a bad time: the message is next to the time.
	p = postPage(t, srv, staff, "/tasks", url.Values{"title": {"Book the follow-up"}, "due_date": {"2026-03-12"}, "due_time": {"half past"}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find(byTestID("field-error-task-due-time")).Length() != 1 {
		t.Errorf("bad time: status %d, errors %q", p.Status, errorsOn(p))
	}
	// No title: the service's message, next to the title.
	p = postPage(t, srv, staff, "/tasks", url.Values{"title": {"  "}})
	if p.Status != http.StatusUnprocessableEntity || p.Doc.Find(byTestID("field-error-task-title")).Length() != 1 {
		t.Errorf("no title: status %d, errors %q", p.Status, errorsOn(p))
	}
}

func TestTasks_CreateFindsTheContact(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	contacts := allContacts(t, srv, "staff@example.com")
	var c person
	for _, x := range contacts {
		if x.Email != "" {
			c = x
			break
		}
	}

	// Prefilled from the contact page's link.
	p := getPage(t, srv, staff, "/tasks/new?contact="+c.ID)
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	if got := text(p.Doc.Find(byTestID("chosen-contact"))); got != c.Name() {
		t.Errorf("chosen contact %q, want %s", got, c.Name())
	}
	if v, _ := p.Doc.Find(`input[name=contact]`).Attr("value"); v != c.ID {
		t.Errorf("contact input %q", v)
	}
	if got := getPage(t, srv, staff, "/tasks/new?contact=con_01NOSUCHCONTACT00000000000"); got.Status != http.StatusNotFound {
		t.Errorf("an unknown contact: status %d", got.Status)
	}

	// By search: an email finds one contact.
	p = postPage(t, srv, staff, "/tasks", url.Values{"title": {"Call about results"}, "contact_q": {c.Email}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create with a contact search: status %d; errors %q", p.Status, errorsOn(p))
	}
	id := strings.TrimPrefix(strings.Split(p.Location, "?")[0], "/tasks/")
	show := getPage(t, srv, staff, "/tasks/"+id)
	if got := text(show.Doc.Find(byTestID("fact-contact"))); got != c.Name() {
		t.Errorf("the task's contact is %q, want %s", got, c.Name())
	}

	// A last name shared by several: choose from the matches.
	byLast := map[string][]person{}
	for _, x := range contacts {
		byLast[x.LastName] = append(byLast[x.LastName], x)
	}
	var shared []person
	for _, xs := range byLast {
		if len(xs) > len(shared) {
			shared = xs
		}
	}
	if len(shared) < 2 {
		t.Skip("no last name is shared in the demo data")
	}
	p = postPage(t, srv, staff, "/tasks", url.Values{"title": {"Call the family"}, "contact_q": {shared[0].LastName}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an ambiguous contact: status %d", p.Status)
	}
	var picks []string
	p.Doc.Find(byTestID("contact-matches") + " input[name=contact_pick]").Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		picks = append(picks, v)
	})
	if !slices.Contains(picks, shared[1].ID) {
		t.Fatalf("the matches %v do not offer %s", picks, shared[1].Name())
	}
	p = postPage(t, srv, staff, "/tasks", url.Values{"title": {"Call the family"}, "contact_q": {shared[0].LastName}, "contact_pick": {shared[1].ID}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create with a picked contact: status %d; errors %q", p.Status, errorsOn(p))
	}
	id = strings.TrimPrefix(strings.Split(p.Location, "?")[0], "/tasks/")
	if got := text(getPage(t, srv, staff, "/tasks/"+id).Doc.Find(byTestID("fact-contact"))); got != shared[1].Name() {
		t.Errorf("the picked contact is %q, want %s", got, shared[1].Name())
	}
}

func TestTasks_BoardColumns(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")

	b := getPage(t, srv, admin, "/tasks/board")
	if b.Status != http.StatusOK {
		t.Fatalf("/tasks/board: status %d", b.Status)
	}
	since := testutil.Now.Add(-7 * 24 * time.Hour)
	for _, col := range []struct {
		status string
		where  map[string]any
	}{
		{"pending", map[string]any{"status": "pending"}},
		{"in_progress", map[string]any{"status": "in_progress"}},
		{"completed", map[string]any{"status": "completed", "completedAtGTE": since}},
	} {
		want := ids(tasksAPI(t, srv, admin, col.where))
		got := cardIDs(b.Doc, col.status)
		if len(want) == 0 {
			t.Errorf("%s: no such task in the demo data", col.status)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("column %s:\n got %v\nwant %v", col.status, got, want)
		}
		if n := text(b.Doc.Find(byTestID("column-"+col.status) + " " + byTestID("column-count"))); n != strconv.Itoa(len(want)) {
			t.Errorf("column %s counts %s, has %d", col.status, n, len(want))
		}
	}
	// An old completed task is not on the board.
	old := tasksAPI(t, srv, admin, map[string]any{"status": "completed", "completedAtLT": since})
	for _, o := range old {
		if b.Doc.Find(`[data-task-id="`+o.ID+`"]`).Length() != 0 {
			t.Errorf("task %s, completed %v, is on the board", o.ID, o.CompletedAt)
		}
	}

	// A card shows the title, contact, assignee, due and priority.
	pending := tasksAPI(t, srv, admin, map[string]any{"status": "pending", "hasContact": true, "hasAssignee": true, "dueAtNotNil": true})
	if len(pending) == 0 {
		t.Fatal("no pending task with a contact, an assignee and a due time")
	}
	card := b.Doc.Find(`#card-` + pending[0].ID)
	if got := text(card.Find(byTestID("card-title"))); got != pending[0].Title {
		t.Errorf("card title %q, want %q", got, pending[0].Title)
	}
	if href, _ := card.Find(byTestID("card-title")).Attr("href"); href != "/tasks/"+pending[0].ID {
		t.Errorf("card link %q", href)
	}
	if card.Find(byTestID("task-contact")).Length() != 1 || text(card.Find(byTestID("task-assignee"))) != pending[0].assigneeName() ||
		!strings.EqualFold(text(card.Find(byTestID("task-priority"))), pending[0].Priority) || card.Find(byTestID("task-due")+" time").Length() != 1 {
		t.Errorf("the card reads %q", text(card))
	}
	// An admin may move any card; pending offers Start and Complete.
	var moves []string
	card.Find("form[data-move-to]").Each(func(_ int, s *goquery.Selection) {
		m, _ := s.Attr("data-move-to")
		moves = append(moves, m)
	})
	if !slices.Equal(moves, []string{"in_progress", "completed"}) {
		t.Errorf("a pending card offers %v", moves)
	}

	// Filters: only urgent ones.
	urgent := getPage(t, srv, admin, "/tasks/board?priority=urgent")
	urgent.Doc.Find(byTestID("task-card")).Each(func(_ int, s *goquery.Selection) {
		if got := text(s.Find(byTestID("task-priority"))); got != "Urgent" {
			t.Errorf("priority=urgent: a %s card", got)
		}
	})
	if href, _ := urgent.Doc.Find(byTestID("view-list")).Attr("href"); href != "/tasks?priority=urgent" {
		t.Errorf("the list link is %q", href)
	}
}

func TestTasks_BoardMoves(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	me := meID(t, srv, staff)
	tk := newTaskAPI(t, srv, staff, map[string]any{"title": "Scan the referral letter", "assigneeID": me})
	board := "/tasks/board?assignee=mine"

	move := func(to string) page {
		t.Helper()
		b := getPage(t, srv, staff, board)
		form := b.Doc.Find(`#card-` + tk.ID + ` form[data-move-to="` + to + `"]`)
		if form.Length() != 1 {
			t.Fatalf("the card offers no move to %s: %q", to, text(b.Doc.Find("#card-"+tk.ID)))
		}
		if tgt, _ := form.Attr("hx-target"); tgt != "#task-board" {
			t.Errorf("hx-target %q", tgt)
		}
		fields := url.Values{}
		form.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
			n, _ := s.Attr("name")
			v, _ := s.Attr("value")
			fields.Set(n, v)
		})
		action, _ := form.Attr("action")
		p := postPage(t, srv, staff, action, fields)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("move to %s: status %d; errors %q", to, p.Status, errorsOn(p))
		}
		if !strings.HasPrefix(p.Location, "/tasks/board?assignee=mine&done=") || !strings.HasSuffix(p.Location, "#card-"+tk.ID) {
			t.Errorf("move to %s redirected to %q", to, p.Location)
		}
		return getPage(t, srv, staff, p.Location)
	}

	if !slices.Contains(cardIDs(getPage(t, srv, staff, board).Doc, "pending"), tk.ID) {
		t.Fatal("the new task is not in the pending column")
	}
	b := move("in_progress")
	if !slices.Contains(cardIDs(b.Doc, "in_progress"), tk.ID) || slices.Contains(cardIDs(b.Doc, "pending"), tk.ID) {
		t.Errorf("after Start: pending %v, in progress %v", cardIDs(b.Doc, "pending"), cardIDs(b.Doc, "in_progress"))
	}
	if got := text(b.Doc.Find(".flash")); got != "Task started." {
		t.Errorf("flash %q", got)
	}
	b = move("completed")
	if !slices.Contains(cardIDs(b.Doc, "completed"), tk.ID) || slices.Contains(cardIDs(b.Doc, "in_progress"), tk.ID) {
		t.Errorf("after Complete: in progress %v, completed %v", cardIDs(b.Doc, "in_progress"), cardIDs(b.Doc, "completed"))
	}
	var moves []string
	b.Doc.Find("#card-" + tk.ID + " form[data-move-to]").Each(func(_ int, s *goquery.Selection) {
		m, _ := s.Attr("data-move-to")
		moves = append(moves, m)
	})
	if !slices.Equal(moves, []string{"pending"}) {
		t.Errorf("a completed card offers %v, want Reopen only", moves)
	}
	got := taskAPI(t, srv, staff, tk.ID)
	var details []string
	for _, e := range got.History {
		details = append(details, e.Detail)
	}
	if got.Status != "completed" || !slices.Contains(details, "Status pending → in_progress") || !slices.Contains(details, "Status in_progress → completed") {
		t.Errorf("the API has %s, history %q", got.Status, details)
	}

	// With htmx the answer is the board, the moved card asking for the focus.
	p := postHX(t, srv, staff, "/tasks/"+tk.ID+"/status", url.Values{"status": {"pending"}, "view": {"board"}, "next": {board}})
	if p.Status != http.StatusOK || strings.Contains(p.Body, "<html") {
		t.Fatalf("htmx reopen: status %d:\n%s", p.Status, p.Body)
	}
	if p.Doc.Find("#task-board").Length() != 1 || !slices.Contains(cardIDs(p.Doc, "pending"), tk.ID) {
		t.Errorf("the board answered: pending %v", cardIDs(p.Doc, "pending"))
	}
	if _, ok := p.Doc.Find("#card-" + tk.ID + " " + byTestID("card-title")).Attr("data-focus-after-swap"); !ok {
		t.Error("the moved card does not ask for the focus")
	}
	// The board keeps its filter: only the staff member's own cards.
	p.Doc.Find(byTestID("task-card")).Each(func(_ int, s *goquery.Selection) {
		if got := text(s.Find(byTestID("task-assignee"))); got != "Chloe Nguyen" {
			t.Errorf("the swapped board (assignee=mine) has a card of %q", got)
		}
	})
}

func TestTasks_StaffCannotChangeAColleaguesTask(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	staff := srv.SignIn(t, "staff@example.com")
	sam := srv.SignIn(t, "mri.tech@example.com")
	mine := newTaskAPI(t, srv, staff, map[string]any{"title": "Chloe's own task", "assigneeID": meID(t, srv, staff)})
	theirs := newTaskAPI(t, srv, sam, map[string]any{"title": "Sam's task", "assigneeID": meID(t, srv, sam)})
	before := taskAPI(t, srv, staff, theirs.ID)

	// The list and the board offer nothing on the colleague's task.
	list := getPage(t, srv, staff, "/tasks")
	if n := taskRow(list, theirs.ID).Find("form").Length(); n != 0 {
		t.Errorf("the colleague's row has %d forms", n)
	}
	if got := text(taskRow(list, theirs.ID).Find(byTestID("task-assignee"))); got != "Sam Patel" {
		t.Errorf("the colleague's row shows the assignee as %q", got)
	}
	if n := taskRow(list, mine.ID).Find("form").Length(); n < 3 {
		t.Errorf("the staff member's own row has only %d forms", n)
	}
	board := getPage(t, srv, staff, "/tasks/board")
	if n := board.Doc.Find("#card-" + theirs.ID + " form").Length(); n != 0 {
		t.Errorf("the colleague's card has %d forms", n)
	}
	detail := getPage(t, srv, staff, "/tasks/"+theirs.ID)
	if detail.Doc.Find(byTestID("task-actions")).Length() != 0 || detail.Doc.Find(byTestID("task-not-yours")).Length() != 1 {
		t.Error("the colleague's task page offers actions")
	}

	// Forged posts are refused, and nothing changes.
	for _, f := range []struct {
		path string
		form url.Values
	}{
		{"/status", url.Values{"status": {"completed"}}},
		{"/status", url.Values{"status": {"pending"}}}, // already pending: still refused
		{"/assignee", url.Values{"assignee": {meID(t, srv, staff)}}},
		{"/priority", url.Values{"priority": {"low"}}},
		{"/edit", url.Values{"title": {"Hijacked"}}},
		{"/cancel", url.Values{"confirm": {"yes"}}},
	} {
		p := postPage(t, srv, staff, "/tasks/"+theirs.ID+f.path, f.form)
		if p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
			t.Errorf("POST %s %v: status %d, want 404 or 403", f.path, f.form, p.Status)
		}
	}
	p := postHX(t, srv, staff, "/tasks/"+theirs.ID+"/status", url.Values{"status": {"completed"}, "view": {"row"}})
	if p.Status != http.StatusNotFound || strings.Contains(p.Body, "<tr") {
		t.Errorf("htmx complete of a colleague's task: %d %q", p.Status, p.Body)
	}
	if got := getPage(t, srv, staff, "/tasks/"+theirs.ID+"/edit"); got.Status != http.StatusForbidden {
		t.Errorf("the edit form of a colleague's task: status %d", got.Status)
	}
	after := taskAPI(t, srv, staff, theirs.ID)
	if after.Status != "pending" || after.Title != "Sam's task" || after.Priority != before.Priority ||
		after.assigneeName() != "Sam Patel" || len(after.History) != len(before.History) {
		t.Errorf("the colleague's task changed: %+v", after)
	}
}

func TestTasks_ViewerSeesNoButtons(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	viewer := srv.SignIn(t, "viewer@example.com")
	tk := tasksAPI(t, srv, viewer, map[string]any{"status": "pending"})[0]

	// The layout's sign-out form aside, no page has a form that posts.
	posts := func(p page) int { return p.Doc.Find(`main form[method=post]`).Length() }
	list := getPage(t, srv, viewer, "/tasks")
	if list.Status != http.StatusOK || len(taskRowIDs(list)) == 0 {
		t.Fatalf("/tasks: status %d, %d rows", list.Status, len(taskRowIDs(list)))
	}
	if n := posts(list); n != 0 {
		t.Errorf("/tasks has %d post forms for a viewer", n)
	}
	if list.Doc.Find(byTestID("new-task")).Length() != 0 {
		t.Error("a viewer is offered New task")
	}
	board := getPage(t, srv, viewer, "/tasks/board")
	if n := posts(board); board.Status != http.StatusOK || n != 0 {
		t.Errorf("/tasks/board: status %d, %d post forms", board.Status, n)
	}
	detail := getPage(t, srv, viewer, "/tasks/"+tk.ID)
	if n := posts(detail); detail.Status != http.StatusOK || n != 0 || detail.Doc.Find(byTestID("task-edit")).Length() != 0 {
		t.Errorf("/tasks/%s: status %d, %d post forms", tk.ID, detail.Status, n)
	}

	// And the server refuses the forms.
	if p := getPage(t, srv, viewer, "/tasks/new"); p.Status != http.StatusForbidden {
		t.Errorf("GET /tasks/new: %d", p.Status)
	}
	if p := postPage(t, srv, viewer, "/tasks", url.Values{"title": {"Viewer task"}}); p.Status != http.StatusForbidden {
		t.Errorf("POST /tasks: %d", p.Status)
	}
	for _, path := range []string{"/status", "/assignee", "/priority", "/edit"} {
		p := postPage(t, srv, viewer, "/tasks/"+tk.ID+path, url.Values{"status": {"completed"}, "priority": {"low"}, "assignee": {"auto"}, "title": {"x"}})
		if p.Status != http.StatusForbidden {
			t.Errorf("POST %s: %d, want 403", path, p.Status)
		}
	}
	if p := postHX(t, srv, viewer, "/tasks/"+tk.ID+"/status", url.Values{"status": {"completed"}, "view": {"row"}}); p.Status != http.StatusForbidden {
		t.Errorf("htmx POST /status: %d, want 403", p.Status)
	}
	if got := taskAPI(t, srv, viewer, tk.ID); got.Status != "pending" {
		t.Errorf("the task is now %s", got.Status)
	}
}

func TestTasks_DetailEditAndCancel(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	manager := srv.SignIn(t, "manager@example.com")
	tk := newTaskAPI(t, srv, manager, map[string]any{"title": "Chase the referrer", "dueAt": "2026-03-20T00:00:00Z", "kind": "follow_up"})

	d := getPage(t, srv, manager, "/tasks/"+tk.ID)
	if d.Status != http.StatusOK {
		t.Fatalf("status %d", d.Status)
	}
	if got := text(d.Doc.Find(byTestID("task-heading"))); got != "Chase the referrer" {
		t.Errorf("heading %q", got)
	}
	if got := text(d.Doc.Find(byTestID("fact-due"))); got != "Fri 20 Mar 11:00" {
		t.Errorf("due %q (Sydney time)", got)
	}
	if got := text(d.Doc.Find(byTestID("fact-priority"))); got != "Normal computed: no rule raises it" {
		t.Errorf("priority %q", got)
	}
	actions := d.Doc.Find(byTestID("task-actions"))
	for _, s := range []string{`form[data-move-to="in_progress"]`, `form[data-move-to="completed"]`, byTestID("assign-form"), byTestID("priority-form"), byTestID("task-edit"), byTestID("task-cancel")} {
		if actions.Find(s).Length() != 1 {
			t.Errorf("the actions lack %s", s)
		}
	}
	if n := d.Doc.Find(byTestID("task-event")).Length(); n != 1 {
		t.Errorf("%d events, want 1 (created)", n)
	}

	// Edit: a new title and due date; the form comes back on a bad one.
	e := getPage(t, srv, manager, "/tasks/"+tk.ID+"/edit")
	if v, _ := e.Doc.Find("#task-due-date").Attr("value"); v != "2026-03-20" {
		t.Errorf("the edit form's date %q", v)
	}
	if v, _ := e.Doc.Find("#task-due-time").Attr("value"); v != "11:00" {
		t.Errorf("the edit form's time %q", v)
	}
	bad := postPage(t, srv, manager, "/tasks/"+tk.ID+"/edit", url.Values{"title": {"Chase Dr Lim"}, "due_date": {"tomorrow"}, "kind": {"follow_up"}})
	if bad.Status != http.StatusUnprocessableEntity || bad.Doc.Find(byTestID("field-error-task-due-date")).Length() != 1 {
		t.Errorf("bad date on edit: %d %q", bad.Status, errorsOn(bad))
	}
	postDone(t, srv, manager, "/tasks/"+tk.ID+"/edit", url.Values{
		"title": {"Chase Dr Lim"}, "due_date": {"2026-03-11"}, "due_time": {"12:00"}, "kind": {"follow_up"},
	}, "/tasks/"+tk.ID)
	got := taskAPI(t, srv, manager, tk.ID)
	if got.Title != "Chase Dr Lim" || got.Priority != "urgent" {
		t.Errorf("after edit: %q %s (due within 4 hours: urgent)", got.Title, got.Priority)
	}

	// Cancel asks first, then is final.
	c := getPage(t, srv, manager, "/tasks/"+tk.ID+"/cancel")
	if c.Status != http.StatusOK || c.Doc.Find(byTestID("confirm")).Length() != 1 {
		t.Fatalf("cancel confirmation: status %d", c.Status)
	}
	if got := taskAPI(t, srv, manager, tk.ID).Status; got != "pending" {
		t.Errorf("asking changed the status to %s", got)
	}
	done := postDone(t, srv, manager, "/tasks/"+tk.ID+"/cancel", url.Values{"confirm": {"yes"}}, "/tasks/"+tk.ID)
	if got := text(done.Doc.Find(byTestID("task-status"))); got != "Cancelled" {
		t.Errorf("status after cancel %q", got)
	}
	if done.Doc.Find(byTestID("task-actions")+" form[data-move-to]").Length() != 0 {
		t.Error("a cancelled task still offers moves")
	}
}

func TestTasks_DashboardLinksToTasks(t *testing.T) {
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	admin := srv.SignIn(t, "admin@example.com")
	home := getPage(t, srv, admin, "/")
	links := home.Doc.Find(byTestID("urgent-task-link"))
	if links.Length() == 0 {
		t.Fatal("no urgent task on the dashboard")
	}
	links.Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		if !strings.HasPrefix(href, "/tasks/tsk_") {
			t.Errorf("urgent task links to %q", href)
			return
		}
		if p := getPage(t, srv, admin, href); p.Status != http.StatusOK || text(p.Doc.Find(byTestID("task-heading"))) != text(s) {
			t.Errorf("%s: status %d, heading %q", href, p.Status, text(p.Doc.Find(byTestID("task-heading"))))
		}
	})
	if href, _ := home.Doc.Find(byTestID("all-urgent")).Attr("href"); href != "/tasks?priority=urgent" {
		t.Errorf("All urgent links to %q", href)
	}
}
