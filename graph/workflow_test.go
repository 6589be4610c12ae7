package graph_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// wf is a running server with the workflow tests' sign-ins and user IDs.
type wf struct {
	srv                *testutil.Server
	mgr, staff, viewer *http.Client
	parStaff           *http.Client
	users              map[string]string // ID by email
	// chloe (staff@) and sam (mri.tech@) are Sydney staff; parStaffID is
	// Parramatta's.
	chloe, sam, parStaffID string
}

func newWF(t *testing.T) *wf {
	t.Helper()
	srv := testutil.StartServer(t, testutil.ServerOptions{})
	w := &wf{srv: srv, mgr: srv.SignIn(t, "manager@example.com"), staff: srv.SignIn(t, "staff@example.com"),
		viewer: srv.SignIn(t, "viewer@example.com"), parStaff: srv.SignIn(t, "par-staff@example.com"), users: map[string]string{}}
	var us struct {
		Users struct {
			Edges []struct{ Node struct{ ID, Email string } }
		}
	}
	srv.MustGraphQL(t, w.mgr, `{ users(first: 50) { edges { node { id email } } } }`, nil).Decode(t, &us)
	for _, e := range us.Users.Edges {
		w.users[e.Node.Email] = e.Node.ID
	}
	var par struct {
		Me struct{ User struct{ ID string } }
	}
	srv.MustGraphQL(t, w.parStaff, `{ me { user { id } } }`, nil).Decode(t, &par)
	w.chloe, w.sam, w.parStaffID = w.users["staff@example.com"], w.users["mri.tech@example.com"], par.Me.User.ID
	return w
}

type gqlTask struct {
	ID, Title, Status, Priority string
	PriorityManual              bool
	CompletedAt                 *string
	Assignee                    *struct{ ID string }
	History                     []struct{ Kind, Detail string }
}

const taskFields = `id title status priority priorityManual completedAt assignee { id } history { kind detail }`

// task runs a mutation returning a task under the key field.
func (w *wf) task(t *testing.T, c *http.Client, field, query string, vars map[string]any) gqlTask {
	t.Helper()
	var out map[string]gqlTask
	w.srv.MustGraphQL(t, c, query, vars).Decode(t, &out)
	return out[field]
}

func wantErr(t *testing.T, r testutil.GQLResponse, code, field string) {
	t.Helper()
	if r.FirstCode() != code {
		t.Fatalf("code = %q, want %s (%+v)", r.FirstCode(), code, r.Errors)
	}
	if field != "" {
		if f, _ := r.Errors[0].Extensions["field"].(string); f != field {
			t.Fatalf("field = %q, want %q (%s)", f, field, r.Errors[0].Message)
		}
	}
}

func TestCreateTaskPriority(t *testing.T) {
	w := newWF(t)
	create := `mutation($in: CreateTaskInput!) { createTask(input: $in) { ` + taskFields + ` } }`
	soon := testutil.Now.Add(3 * time.Hour).Format(time.RFC3339)

	t.Run("Computed", func(t *testing.T) {
		tk := w.task(t, w.staff, "createTask", create, map[string]any{"in": map[string]any{"title": "Call back", "dueAt": soon}})
		if tk.Priority != "urgent" || tk.PriorityManual || len(tk.History) != 1 || tk.History[0].Kind != "created" ||
			!strings.Contains(tk.History[0].Detail, "computed: due within 4 hours") {
			t.Fatalf("%+v", tk)
		}
	})
	t.Run("ExplicitKept", func(t *testing.T) {
		tk := w.task(t, w.staff, "createTask", create, map[string]any{"in": map[string]any{"title": "Call back", "dueAt": soon, "priority": "low"}})
		if tk.Priority != "low" || !tk.PriorityManual {
			t.Fatalf("%+v", tk)
		}
	})
	t.Run("ErrPriorityManualWithoutPriority", func(t *testing.T) {
		wantErr(t, w.srv.GraphQL(t, w.staff, create, map[string]any{"in": map[string]any{"title": "x", "priorityManual": true}}), "INVALID", "priorityManual")
	})
	t.Run("ErrTitle", func(t *testing.T) {
		wantErr(t, w.srv.GraphQL(t, w.staff, create, map[string]any{"in": map[string]any{"title": "  "}}), "INVALID", "title")
	})
	t.Run("ErrViewerForbidden", func(t *testing.T) {
		wantErr(t, w.srv.GraphQL(t, w.viewer, create, map[string]any{"in": map[string]any{"title": "x"}}), "FORBIDDEN", "")
	})
	t.Run("UpdateRecomputes", func(t *testing.T) {
		tk := w.task(t, w.mgr, "createTask", create, map[string]any{"in": map[string]any{"title": "Later"}})
		if tk.Priority != "normal" {
			t.Fatalf("%+v", tk)
		}
		up := w.task(t, w.mgr, "updateTask", `mutation($id: ID!, $due: Time!) { updateTask(id: $id, input: {dueAt: $due}) { `+taskFields+` } }`,
			map[string]any{"id": tk.ID, "due": soon})
		if up.Priority != "urgent" || len(up.History) != 3 {
			t.Fatalf("%+v", up)
		}
		r := w.srv.GraphQL(t, w.mgr, `mutation($id: ID!) { updateTask(id: $id, input: {status: cancelled}) { id } }`, map[string]any{"id": tk.ID})
		if r.FirstCode() != "" {
			t.Fatalf("cancel: %+v", r.Errors)
		}
		wantErr(t, w.srv.GraphQL(t, w.mgr, `mutation($id: ID!) { updateTask(id: $id, input: {status: pending}) { id } }`, map[string]any{"id": tk.ID}), "INVALID", "status")
	})
}

func TestTaskStatusMutations(t *testing.T) {
	w := newWF(t)
	var created struct{ CreateTask struct{ ID string } }
	w.srv.MustGraphQL(t, w.mgr, `mutation($u: ID!) { createTask(input: {title: "Results", assigneeID: $u}) { id } }`,
		map[string]any{"u": w.chloe}).Decode(t, &created)
	id := map[string]any{"id": created.CreateTask.ID}

	tk := w.task(t, w.staff, "setTaskStatus", `mutation($id: ID!) { setTaskStatus(id: $id, status: in_progress) { `+taskFields+` } }`, id)
	if tk.Status != "in_progress" || tk.History[len(tk.History)-1].Detail != "Status pending → in_progress" {
		t.Fatalf("setTaskStatus: %+v", tk)
	}
	tk = w.task(t, w.staff, "completeTask", `mutation($id: ID!) { completeTask(id: $id) { `+taskFields+` } }`, id)
	if tk.Status != "completed" || tk.CompletedAt == nil {
		t.Fatalf("completeTask: %+v", tk)
	}
	wantErr(t, w.srv.GraphQL(t, w.staff, `mutation($id: ID!) { setTaskStatus(id: $id, status: cancelled) { id } }`, id), "INVALID", "status")
	tk = w.task(t, w.staff, "reopenTask", `mutation($id: ID!) { reopenTask(id: $id) { `+taskFields+` } }`, id)
	if tk.Status != "pending" || tk.CompletedAt != nil {
		t.Fatalf("reopenTask: %+v", tk)
	}
	t.Run("ErrColleagueNotFound", func(t *testing.T) {
		var theirs struct{ CreateTask struct{ ID string } }
		w.srv.MustGraphQL(t, w.mgr, `mutation($u: ID!) { createTask(input: {title: "Sam's", assigneeID: $u}) { id } }`,
			map[string]any{"u": w.sam}).Decode(t, &theirs)
		for _, m := range []string{
			`mutation($id: ID!) { completeTask(id: $id) { id } }`,
			`mutation($id: ID!) { reopenTask(id: $id) { id } }`,
			`mutation($id: ID!) { setTaskStatus(id: $id, status: in_progress) { id } }`,
			`mutation($id: ID!) { setTaskPriority(id: $id, priority: urgent) { id } }`,
			`mutation($id: ID!) { autoAssignTask(id: $id) { id } }`,
		} {
			wantErr(t, w.srv.GraphQL(t, w.staff, m, map[string]any{"id": theirs.CreateTask.ID}), "NOT_FOUND", "")
		}
	})
	t.Run("ErrViewerForbidden", func(t *testing.T) {
		wantErr(t, w.srv.GraphQL(t, w.viewer, `mutation($id: ID!) { completeTask(id: $id) { id } }`, id), "FORBIDDEN", "")
	})
	t.Run("ErrOtherLocationNotFound", func(t *testing.T) {
		var par struct{ CreateTask struct{ ID string } }
		w.srv.MustGraphQL(t, w.parStaff, `mutation($u: ID!) { createTask(input: {title: "PAR", assigneeID: $u}) { id } }`,
			map[string]any{"u": w.parStaffID}).Decode(t, &par)
		wantErr(t, w.srv.GraphQL(t, w.mgr, `mutation($id: ID!) { completeTask(id: $id) { id } }`, map[string]any{"id": par.CreateTask.ID}), "NOT_FOUND", "id")
	})
}

func TestTaskAssignmentMutations(t *testing.T) {
	w := newWF(t)
	var created struct{ CreateTask struct{ ID string } }
	w.srv.MustGraphQL(t, w.mgr, `mutation($u: ID!) { createTask(input: {title: "MRI prep call", skill: "mri", assigneeID: $u}) { id } }`,
		map[string]any{"u": w.chloe}).Decode(t, &created)
	id := created.CreateTask.ID

	tk := w.task(t, w.mgr, "reassignTask", `mutation($id: ID!, $u: ID!) { reassignTask(id: $id, userID: $u) { `+taskFields+` } }`,
		map[string]any{"id": id, "u": w.users["sonographer@example.com"]})
	if tk.Assignee == nil || tk.Assignee.ID != w.users["sonographer@example.com"] || tk.History[len(tk.History)-1].Detail != "Assigned to Grace Kim (was Chloe Nguyen)" {
		t.Fatalf("reassignTask: %+v", tk)
	}
	wantErr(t, w.srv.GraphQL(t, w.mgr, `mutation($id: ID!, $u: ID!) { reassignTask(id: $id, userID: $u) { id } }`,
		map[string]any{"id": id, "u": w.parStaffID}), "NOT_FOUND", "userID")

	tk = w.task(t, w.mgr, "autoAssignTask", `mutation($id: ID!) { autoAssignTask(id: $id) { `+taskFields+` } }`, map[string]any{"id": id})
	last := tk.History[len(tk.History)-1]
	if tk.Assignee == nil || tk.Assignee.ID != w.sam || last.Kind != "auto_assigned" ||
		!strings.HasSuffix(last.Detail, "chose Sam Patel, the only candidate with skill mri") {
		t.Fatalf("autoAssignTask: %+v", tk)
	}

	tk = w.task(t, w.mgr, "setTaskPriority", `mutation($id: ID!) { setTaskPriority(id: $id, priority: urgent) { `+taskFields+` } }`, map[string]any{"id": id})
	if tk.Priority != "urgent" || !tk.PriorityManual {
		t.Fatalf("setTaskPriority urgent: %+v", tk)
	}
	tk = w.task(t, w.mgr, "setTaskPriority", `mutation($id: ID!) { setTaskPriority(id: $id, priority: null) { `+taskFields+` } }`, map[string]any{"id": id})
	if tk.Priority != "normal" || tk.PriorityManual {
		t.Fatalf("setTaskPriority null: %+v", tk)
	}

	t.Run("CreateTaskAutoAssigned", func(t *testing.T) {
		tk := w.task(t, w.staff, "createTaskAutoAssigned", `mutation { createTaskAutoAssigned(input: {title: "Scan safety check", skill: "MRI"}) { `+taskFields+` } }`, nil)
		if tk.Assignee == nil || tk.Assignee.ID != w.sam || len(tk.History) != 2 || tk.History[1].Kind != "auto_assigned" {
			t.Fatalf("%+v", tk)
		}
	})
	t.Run("ErrCreateTaskAutoAssignedNobody", func(t *testing.T) {
		r := w.srv.GraphQL(t, w.staff, `mutation { createTaskAutoAssigned(input: {title: "PET", skill: "pet"}) { id } }`, nil)
		wantErr(t, r, "CONFLICT", "assigneeID")
		if !strings.Contains(r.Errors[0].Message, `"pet"`) {
			t.Fatalf("message %q", r.Errors[0].Message)
		}
	})
	t.Run("ErrCreateTaskAutoAssignedWithAssignee", func(t *testing.T) {
		wantErr(t, w.srv.GraphQL(t, w.staff, `mutation($u: ID!) { createTaskAutoAssigned(input: {title: "x", assigneeID: $u}) { id } }`,
			map[string]any{"u": w.sam}), "INVALID", "assigneeID")
	})
	t.Run("ErrViewerForbidden", func(t *testing.T) {
		wantErr(t, w.srv.GraphQL(t, w.viewer, `mutation($id: ID!) { autoAssignTask(id: $id) { id } }`, map[string]any{"id": id}), "FORBIDDEN", "")
		wantErr(t, w.srv.GraphQL(t, w.viewer, `mutation { createTaskAutoAssigned(input: {title: "x"}) { id } }`, nil), "FORBIDDEN", "")
	})
}

type gqlStat struct {
	Stage                                    string
	Current, Entered, EnteredContacts, Exits int
	Converted                                int
	NextStage                                *string
	ConversionRate                           *float64
	MedianSecondsInStage                     *int
}

const statFields = `stage current entered enteredContacts nextStage converted conversionRate exits medianSecondsInStage`

func (w *wf) stats(t *testing.T, c *http.Client, vars map[string]any) map[string]gqlStat {
	t.Helper()
	var out struct{ StageAnalytics []gqlStat }
	w.srv.MustGraphQL(t, c, `query($from: Time, $to: Time) { stageAnalytics(from: $from, to: $to) { `+statFields+` } }`, vars).Decode(t, &out)
	if len(out.StageAnalytics) != 12 || out.StageAnalytics[0].Stage != "new_lead" || out.StageAnalytics[11].Stage != "partnership_active" {
		t.Fatalf("stageAnalytics: %+v", out.StageAnalytics)
	}
	m := map[string]gqlStat{}
	for _, s := range out.StageAnalytics {
		m[s.Stage] = s
	}
	return m
}

func TestStageMutations(t *testing.T) {
	w := newWF(t)
	newContact := func(c *http.Client, name string) string {
		var out struct{ CreateContact struct{ ID string } }
		w.srv.MustGraphQL(t, c, `mutation($n: String!) { createContact(input: {firstName: $n}) { id } }`, map[string]any{"n": name}).Decode(t, &out)
		return out.CreateContact.ID
	}
	period := map[string]any{"from": "2026-03-01T00:00:00Z", "to": "2026-03-12T00:00:00Z"}
	before := w.stats(t, w.viewer, period)

	move := `mutation($id: ID!, $s: Stage!, $r: String) { moveStage(contactID: $id, stage: $s, reason: $r) { id stage pipeline stageChangedAt
		touchpoints(first: 5) { edges { node { kind summary } } } } }`
	type moved struct {
		MoveStage struct {
			ID, Stage, Pipeline, StageChangedAt string
			Touchpoints                         struct {
				Edges []struct {
					Node struct{ Kind, Summary string }
				}
			}
		}
	}
	id := newContact(w.staff, "Mover")
	var m moved
	w.srv.MustGraphQL(t, w.staff, move, map[string]any{"id": id, "s": "booked", "r": "Booked by phone"}).Decode(t, &m)
	var summaries []string
	for _, e := range m.MoveStage.Touchpoints.Edges {
		if e.Node.Kind == "stage_change" {
			summaries = append(summaries, e.Node.Summary)
		}
	}
	if m.MoveStage.Stage != "booked" || m.MoveStage.Pipeline != "lead" || m.MoveStage.StageChangedAt != testutil.Now.Format(time.RFC3339) ||
		len(summaries) != 1 || summaries[0] != "Stage: New lead → Booked — Booked by phone" {
		t.Fatalf("moveStage: %+v", m.MoveStage)
	}
	var sc struct {
		StageChanges struct {
			Edges []struct {
				Node struct {
					FromStage, ToStage, ToPipeline, Reason string
					Actor                                  struct{ ID string }
				}
			}
		}
	}
	w.srv.MustGraphQL(t, w.staff, `query($id: ID!) { stageChanges(first: 5, where: {contactID: $id}) { edges { node { fromStage toStage toPipeline reason actor { id } } } } }`,
		map[string]any{"id": id}).Decode(t, &sc)
	if len(sc.StageChanges.Edges) != 1 || sc.StageChanges.Edges[0].Node.FromStage != "new_lead" || sc.StageChanges.Edges[0].Node.Actor.ID != w.chloe {
		t.Fatalf("stageChanges: %+v", sc)
	}

	t.Run("ErrInvalidTransition", func(t *testing.T) {
		r := w.srv.GraphQL(t, w.staff, move, map[string]any{"id": id, "s": "completed"})
		wantErr(t, r, "INVALID", "stage")
		if !strings.Contains(r.Errors[0].Message, "from booked to completed") || r.Errors[0].Extensions["from"] != "booked" || r.Errors[0].Extensions["to"] != "completed" {
			t.Fatalf("error %+v", r.Errors[0])
		}
	})
	t.Run("ErrOtherLocationNotFound", func(t *testing.T) {
		parID := newContact(w.parStaff, "Parra")
		wantErr(t, w.srv.GraphQL(t, w.staff, move, map[string]any{"id": parID, "s": "contacted"}), "NOT_FOUND", "contactID")
	})
	t.Run("ErrViewerForbidden", func(t *testing.T) {
		wantErr(t, w.srv.GraphQL(t, w.viewer, move, map[string]any{"id": id, "s": "confirmed"}), "FORBIDDEN", "")
	})
	t.Run("MoveStages", func(t *testing.T) {
		a, b := newContact(w.staff, "Bulk A"), newContact(w.staff, "Bulk B")
		var out struct {
			MoveStages struct {
				Moved    int
				Failures []struct {
					ContactID, Code, Message string
					Field                    *string
				}
			}
		}
		w.srv.MustGraphQL(t, w.staff, `mutation($ids: [ID!]!) { moveStages(contactIDs: $ids, stage: contacted, reason: "Called") { moved failures { contactID code field message } } }`,
			map[string]any{"ids": []string{a, id, b, "con_01JZZZZZZZZZZZZZZZZZZZZZZZ"}}).Decode(t, &out)
		f := out.MoveStages.Failures
		if out.MoveStages.Moved != 3 || len(f) != 1 || f[0].ContactID != "con_01JZZZZZZZZZZZZZZZZZZZZZZZ" || f[0].Code != "NOT_FOUND" {
			t.Fatalf("moveStages: %+v", out.MoveStages)
		}
		w.srv.MustGraphQL(t, w.staff, `mutation($ids: [ID!]!) { moveStages(contactIDs: $ids, stage: recalled) { moved failures { contactID code field message } } }`,
			map[string]any{"ids": []string{a}}).Decode(t, &out)
		if f := out.MoveStages.Failures; out.MoveStages.Moved != 0 || len(f) != 1 || f[0].Code != "INVALID" || f[0].Field == nil || *f[0].Field != "stage" {
			t.Fatalf("refused bulk move: %+v", out.MoveStages)
		}
		ids := make([]string, 501)
		for i := range ids {
			ids[i] = a
		}
		wantErr(t, w.srv.GraphQL(t, w.staff, `mutation($ids: [ID!]!) { moveStages(contactIDs: $ids, stage: contacted) { moved } }`, map[string]any{"ids": ids}), "INVALID", "contactIDs")
		wantErr(t, w.srv.GraphQL(t, w.viewer, `mutation($ids: [ID!]!) { moveStages(contactIDs: $ids, stage: contacted) { moved } }`, map[string]any{"ids": []string{a}}), "FORBIDDEN", "")
	})
	t.Run("StageAnalytics", func(t *testing.T) {
		after := w.stats(t, w.viewer, period)
		// new_lead → booked, booked → contacted (a cancelled booking), and
		// two new leads contacted.
		if d := after["booked"].Entered - before["booked"].Entered; d != 1 {
			t.Errorf("booked entries +%d, want +1", d)
		}
		if d := after["contacted"].Entered - before["contacted"].Entered; d != 3 {
			t.Errorf("contacted entries +%d, want +3", d)
		}
		if d := after["booked"].Exits - before["booked"].Exits; d != 1 {
			t.Errorf("booked exits +%d, want +1", d)
		}
		if after["partnership_active"].NextStage != nil || after["recalled"].NextStage == nil || *after["recalled"].NextStage != "booked" {
			t.Errorf("next stages: %+v %+v", after["partnership_active"], after["recalled"])
		}
		// Defaults: the 30 days up to now.
		w.stats(t, w.mgr, nil)
		wantErr(t, w.srv.GraphQL(t, w.mgr, `{ stageAnalytics(from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z") { stage } }`, nil), "INVALID", "from")
	})
}
