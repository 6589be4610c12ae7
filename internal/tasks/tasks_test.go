package tasks_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/task"
	"github.com/avatarimaging/avatarcrm/ent/taskevent"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/seed"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

var now = testutil.Now

// fixture is a demo database with the tasks service on the test clock.
type fixture struct {
	c   *ent.Client
	svc *tasks.Service
	ids map[string]pulid.ID // users by email
}

func setup(t *testing.T) *fixture {
	t.Helper()
	return newFixture(t, testutil.DemoDB(t).Client)
}

// setupPostgres is setup on a fresh PostgreSQL database with the demo data
// (skipped without a server; see testutil.PostgresURL).
func setupPostgres(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	d := testutil.OpenURL(t, testutil.PostgresURL(t))
	if _, err := seed.Demo(ctx, testutil.Client(t, d), seed.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	return newFixture(t, d.Client)
}

func newFixture(t *testing.T, c *ent.Client) *fixture {
	t.Helper()
	f := &fixture{c: c, svc: &tasks.Service{Client: c, Now: func() time.Time { return now }}, ids: map[string]pulid.ID{}}
	us, err := c.User.Query().All(viewer.Seed.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		f.ids[u.Email] = u.ID
	}
	return f
}

func (f *fixture) as(t *testing.T, email string, loc ...string) context.Context {
	t.Helper()
	return testutil.As(t, f.c, email, loc...)
}

func (f *fixture) id(email string) *pulid.ID {
	id := f.ids[email]
	return &id
}

// clearTasks removes the demo tasks, so workloads are only the test's.
func (f *fixture) clearTasks(t *testing.T) {
	t.Helper()
	if _, err := f.c.Task.Delete().Exec(viewer.Seed.Grant(context.Background(), "test")); err != nil {
		t.Fatal(err)
	}
}

// load gives a user an open task (a fixture written directly).
func (f *fixture) load(t *testing.T, email string, p task.Priority, status task.Status, due time.Time) {
	t.Helper()
	ctx := f.as(t, "admin@example.com")
	if err := f.c.Task.Create().SetTitle("Load").SetAssigneeID(*f.id(email)).SetPriority(p).SetStatus(status).SetDueAt(due).Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) events(t *testing.T, id pulid.ID) []*ent.TaskEvent {
	t.Helper()
	evs, err := f.svc.History(f.as(t, "admin@example.com"), id)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code || (field != "" && ae.Field != field) {
		t.Fatalf("got %v, want %s on %q", err, code, field)
	}
}

func TestComputePriority(t *testing.T) {
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	cases := []struct {
		name string
		f    tasks.PriorityFacts
		want task.Priority
		why  string
	}{
		{"NoDue", tasks.PriorityFacts{}, task.PriorityNormal, "no rule raises it"},
		{"Overdue", tasks.PriorityFacts{DueAt: at(-time.Minute)}, task.PriorityUrgent, "overdue"},
		{"Due3h59", tasks.PriorityFacts{DueAt: at(3*time.Hour + 59*time.Minute)}, task.PriorityUrgent, "due within 4 hours"},
		{"Due4h", tasks.PriorityFacts{DueAt: at(4 * time.Hour)}, task.PriorityUrgent, "due within 4 hours"},
		{"Due4h01", tasks.PriorityFacts{DueAt: at(4*time.Hour + time.Minute)}, task.PriorityHigh, "due within 24 hours"},
		{"Due23h", tasks.PriorityFacts{DueAt: at(23 * time.Hour)}, task.PriorityHigh, "due within 24 hours"},
		{"Due24h", tasks.PriorityFacts{DueAt: at(24 * time.Hour)}, task.PriorityHigh, "due within 24 hours"},
		{"Due25h", tasks.PriorityFacts{DueAt: at(25 * time.Hour)}, task.PriorityNormal, "no rule raises it"},
		{"Warm81", tasks.PriorityFacts{Warmness: 81}, task.PriorityHigh, "contact warmness 81"},
		{"Warm80", tasks.PriorityFacts{Warmness: 80}, task.PriorityNormal, "no rule raises it"},
		{"NoShow", tasks.PriorityFacts{Kind: task.KindNoShowFollowUp}, task.PriorityHigh, "no-show follow-up"},
		{"WarmNoShowDue23h", tasks.PriorityFacts{DueAt: at(23 * time.Hour), Warmness: 95, Kind: task.KindNoShowFollowUp}, task.PriorityHigh,
			"due within 24 hours, contact warmness 95, no-show follow-up"},
		{"UrgentBeatsWarm", tasks.PriorityFacts{DueAt: at(time.Hour), Warmness: 95}, task.PriorityUrgent, "due within 4 hours"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, why := tasks.ComputePriority(now, tc.f)
			if p != tc.want || why != tc.why {
				t.Fatalf("got %s (%s), want %s (%s)", p, why, tc.want, tc.why)
			}
		})
	}
}

func TestCreatePriority(t *testing.T) {
	f := setup(t)
	ctx := f.as(t, "staff@example.com")
	warm, err := f.c.Contact.Create().SetFirstName("Warm").SetWarmness(81).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lukewarm, err := f.c.Contact.Create().SetFirstName("Lukewarm").SetWarmness(80).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	due := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	cases := []struct {
		name   string
		in     tasks.NewTask
		want   task.Priority
		manual bool
		detail string
	}{
		{"Due3h59Urgent", tasks.NewTask{DueAt: due(3*time.Hour + 59*time.Minute)}, task.PriorityUrgent, false, "computed: due within 4 hours"},
		{"Due4h01High", tasks.NewTask{DueAt: due(4*time.Hour + time.Minute)}, task.PriorityHigh, false, "computed: due within 24 hours"},
		{"Due23hHigh", tasks.NewTask{DueAt: due(23 * time.Hour)}, task.PriorityHigh, false, "due within 24 hours"},
		{"Due25hNormal", tasks.NewTask{DueAt: due(25 * time.Hour)}, task.PriorityNormal, false, "computed: no rule raises it"},
		{"OverdueUrgent", tasks.NewTask{DueAt: due(-2 * time.Hour)}, task.PriorityUrgent, false, "overdue"},
		{"WarmContactHigh", tasks.NewTask{ContactID: &warm.ID}, task.PriorityHigh, false, "contact warmness 81"},
		{"Warmness80Normal", tasks.NewTask{ContactID: &lukewarm.ID}, task.PriorityNormal, false, "no rule"},
		{"NoShowHigh", tasks.NewTask{Kind: task.KindNoShowFollowUp}, task.PriorityHigh, false, "no-show follow-up"},
		{"ExplicitKeptManual", tasks.NewTask{DueAt: due(time.Hour), Priority: ptr(task.PriorityLow)}, task.PriorityLow, true, "priority low (set by hand)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Title = "Call " + tc.name
			tk, err := f.svc.Create(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Priority != tc.want || tk.PriorityManual != tc.manual || tk.Status != task.StatusPending || tk.Kind == "" {
				t.Fatalf("priority %s manual %v status %s kind %q; want %s manual %v", tk.Priority, tk.PriorityManual, tk.Status, tk.Kind, tc.want, tc.manual)
			}
			if tk.PriorityRank != map[task.Priority]int{task.PriorityLow: 0, task.PriorityNormal: 1, task.PriorityHigh: 2, task.PriorityUrgent: 3}[tc.want] {
				t.Fatalf("priority rank %d out of step", tk.PriorityRank)
			}
			evs := f.events(t, tk.ID)
			if len(evs) != 1 || evs[0].Kind != taskevent.KindCreated || !strings.Contains(evs[0].Detail, tc.detail) {
				t.Fatalf("events %+v, want one created event mentioning %q", evs, tc.detail)
			}
			if evs[0].ActorID == nil || *evs[0].ActorID != *f.id("staff@example.com") {
				t.Fatalf("event actor %v", evs[0].ActorID)
			}
		})
	}
}

func TestCreateValidation(t *testing.T) {
	f := setup(t)
	ctx := f.as(t, "staff@example.com")
	_, err := f.svc.Create(ctx, tasks.NewTask{Title: "   "})
	wantCode(t, err, apperr.Invalid, "title")
	_, err = f.svc.Create(ctx, tasks.NewTask{Title: "x", Kind: "juggling"})
	wantCode(t, err, apperr.Invalid, "kind")
	_, err = f.svc.Create(ctx, tasks.NewTask{Title: "x", AssigneeID: f.id("mri.tech@example.com"), AutoAssign: true})
	wantCode(t, err, apperr.Invalid, "assigneeID")
	_, err = f.svc.Create(ctx, tasks.NewTask{Title: "x", Skill: ptr(strings.Repeat("s", 41))})
	wantCode(t, err, apperr.Invalid, "skill")
	_, err = f.svc.Create(ctx, tasks.NewTask{Title: "x", AssigneeID: ptr(pulid.ID("usr_01JZZZZZZZZZZZZZZZZZZZZZZZ"))})
	wantCode(t, err, apperr.NotFound, "assigneeID")

	done, err := f.svc.Create(ctx, tasks.NewTask{Title: "Already done", Status: task.StatusCompleted, Skill: ptr("  MRI ")})
	if err != nil {
		t.Fatal(err)
	}
	if done.CompletedAt == nil || !done.CompletedAt.Equal(now) || *done.Skill != "mri" {
		t.Fatalf("completed at %v, skill %v", done.CompletedAt, done.Skill)
	}
}

func TestUpdatePriority(t *testing.T) {
	f := setup(t)
	ctx := f.as(t, "manager@example.com")
	soon := now.Add(2 * time.Hour)

	t.Run("ComputedFollowsChanges", func(t *testing.T) {
		tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "Computed", DueAt: ptr(now.Add(72 * time.Hour))})
		if err != nil || tk.Priority != task.PriorityNormal {
			t.Fatalf("%v %v", tk, err)
		}
		tk, err = f.svc.Update(ctx, tk.ID, ent.UpdateTaskInput{DueAt: &soon})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Priority != task.PriorityUrgent || tk.PriorityManual {
			t.Fatalf("after due in 2h: %s manual %v", tk.Priority, tk.PriorityManual)
		}
		evs := f.events(t, tk.ID)
		kinds := []taskevent.Kind{}
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
		}
		if len(evs) != 3 || evs[1].Kind != taskevent.KindUpdated || evs[1].Detail != "Changed due date" ||
			evs[2].Kind != taskevent.KindPriority || evs[2].Detail != "Priority normal → urgent (computed: due within 4 hours)" {
			t.Fatalf("events %v: %q, %q", kinds, evs[1].Detail, evs[2].Detail)
		}
		tk, err = f.svc.Update(ctx, tk.ID, ent.UpdateTaskInput{ClearDueAt: true, Kind: ptr(task.KindNoShowFollowUp)})
		if err != nil || tk.Priority != task.PriorityHigh || tk.DueAt != nil {
			t.Fatalf("no due, no-show kind: %v %v", tk, err)
		}
	})
	t.Run("ManualSurvivesUpdate", func(t *testing.T) {
		tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "Manual", Priority: ptr(task.PriorityLow)})
		if err != nil {
			t.Fatal(err)
		}
		tk, err = f.svc.Update(ctx, tk.ID, ent.UpdateTaskInput{DueAt: &soon, Title: ptr("Manual, due soon")})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Priority != task.PriorityLow || !tk.PriorityManual || tk.Title != "Manual, due soon" {
			t.Fatalf("manual priority lost: %s manual %v", tk.Priority, tk.PriorityManual)
		}
		// Handing it back recomputes.
		tk, err = f.svc.Update(ctx, tk.ID, ent.UpdateTaskInput{PriorityManual: ptr(false)})
		if err != nil || tk.Priority != task.PriorityUrgent || tk.PriorityManual {
			t.Fatalf("handed back: %v %v", tk, err)
		}
		// A priority in the changes is a manual override.
		tk, err = f.svc.Update(ctx, tk.ID, ent.UpdateTaskInput{Priority: ptr(task.PriorityNormal)})
		if err != nil || tk.Priority != task.PriorityNormal || !tk.PriorityManual {
			t.Fatalf("override by update: %v %v", tk, err)
		}
	})
	t.Run("SetPriority", func(t *testing.T) {
		tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "SetPriority", DueAt: ptr(now.Add(23 * time.Hour))})
		if err != nil || tk.Priority != task.PriorityHigh {
			t.Fatalf("%v %v", tk, err)
		}
		tk, err = f.svc.SetPriority(ctx, tk.ID, ptr(task.PriorityLow))
		if err != nil || tk.Priority != task.PriorityLow || !tk.PriorityManual {
			t.Fatalf("set low: %v %v", tk, err)
		}
		tk, err = f.svc.SetPriority(ctx, tk.ID, nil)
		if err != nil || tk.Priority != task.PriorityHigh || tk.PriorityManual {
			t.Fatalf("back to computed: %v %v", tk, err)
		}
		evs := f.events(t, tk.ID)
		if len(evs) != 3 || evs[1].Detail != "Priority high → low (set by hand)" || evs[2].Detail != "Priority low → high (computed: due within 24 hours)" {
			t.Fatalf("events: %+v", evs)
		}
		_, err = f.svc.SetPriority(ctx, tk.ID, ptr(task.Priority("asap")))
		wantCode(t, err, apperr.Invalid, "priority")
	})
	t.Run("NothingChanged", func(t *testing.T) {
		tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "Same"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(ctx, tk.ID, ent.UpdateTaskInput{Title: ptr("Same")}); err != nil {
			t.Fatal(err)
		}
		if n := len(f.events(t, tk.ID)); n != 1 {
			t.Fatalf("%d events after a change that changed nothing", n)
		}
	})
}

// statusAllowed is the kanban state machine as the package documents it.
var statusAllowed = map[[2]task.Status]bool{
	{task.StatusPending, task.StatusInProgress}:   true,
	{task.StatusPending, task.StatusCompleted}:    true,
	{task.StatusPending, task.StatusCancelled}:    true,
	{task.StatusInProgress, task.StatusPending}:   true,
	{task.StatusInProgress, task.StatusCompleted}: true,
	{task.StatusInProgress, task.StatusCancelled}: true,
	{task.StatusCompleted, task.StatusPending}:    true,
}

var statuses = []task.Status{task.StatusPending, task.StatusInProgress, task.StatusCompleted, task.StatusCancelled}

// TestStatusMachine runs every pair of statuses through SetStatus.
func TestStatusMachine(t *testing.T) {
	f := setup(t)
	ctx := f.as(t, "manager@example.com")
	for _, from := range statuses {
		for _, to := range statuses {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "Kanban", Status: from})
				if err != nil {
					t.Fatal(err)
				}
				got, err := f.svc.SetStatus(ctx, tk.ID, to)
				evs := f.events(t, tk.ID)
				switch {
				case from == to:
					if err != nil || got.Status != from || len(evs) != 1 {
						t.Fatalf("no-op: %v, %d events", err, len(evs))
					}
				case statusAllowed[[2]task.Status{from, to}]:
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					if got.Status != to {
						t.Fatalf("status %s", got.Status)
					}
					if to == task.StatusCompleted && (got.CompletedAt == nil || !got.CompletedAt.Equal(now)) {
						t.Fatalf("completed_at %v, want now", got.CompletedAt)
					}
					if to != task.StatusCompleted && got.CompletedAt != nil {
						t.Fatalf("completed_at %v on a %s task", got.CompletedAt, to)
					}
					if len(evs) != 2 || evs[1].Kind != taskevent.KindStatus || !strings.Contains(evs[1].Detail, string(from)+" → "+string(to)) {
						t.Fatalf("events %+v", evs)
					}
				default:
					wantCode(t, err, apperr.Invalid, "status")
					again, _ := f.c.Task.Get(ctx, tk.ID)
					if again.Status != from || len(evs) != 1 {
						t.Fatalf("a refused change changed the task: %s, %d events", again.Status, len(evs))
					}
				}
			})
		}
	}
	if err := tasks.CanSetStatus(task.StatusCancelled, task.StatusPending); err == nil || !strings.Contains(err.Error(), "final") {
		t.Errorf("cancelled → pending: %v", err)
	}
}

func TestCompleteAndReopen(t *testing.T) {
	f := setup(t)
	ctx := f.as(t, "manager@example.com")
	tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "Send results"})
	if err != nil {
		t.Fatal(err)
	}
	if tk, err = f.svc.Complete(ctx, tk.ID); err != nil || tk.Status != task.StatusCompleted || tk.CompletedAt == nil {
		t.Fatalf("complete: %v %v", tk, err)
	}
	if tk, err = f.svc.Reopen(ctx, tk.ID); err != nil || tk.Status != task.StatusPending || tk.CompletedAt != nil {
		t.Fatalf("reopen: %v %v", tk, err)
	}
	if tk, err = f.svc.Reopen(ctx, tk.ID); err != nil || tk.Status != task.StatusPending {
		t.Fatalf("reopening an open task: %v %v", tk, err)
	}
	evs := f.events(t, tk.ID)
	if len(evs) != 3 || evs[2].Detail != "Reopened: completed → pending" {
		t.Fatalf("events %+v", evs)
	}
	if _, err := f.svc.SetStatus(ctx, tk.ID, task.StatusCancelled); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Reopen(ctx, tk.ID)
	wantCode(t, err, apperr.Invalid, "status")
	// Status through Update follows the same machine.
	_, err = f.svc.Update(ctx, tk.ID, ent.UpdateTaskInput{Status: ptr(task.StatusInProgress)})
	wantCode(t, err, apperr.Invalid, "status")
}

func TestReassign(t *testing.T) {
	f := setup(t)
	ctx := f.as(t, "manager@example.com")
	tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "Call back", AssigneeID: f.id("staff@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	tk, err = f.svc.Reassign(ctx, tk.ID, *f.id("mri.tech@example.com"))
	if err != nil || *tk.AssigneeID != *f.id("mri.tech@example.com") {
		t.Fatalf("%v %v", tk, err)
	}
	if _, err := f.svc.Reassign(ctx, tk.ID, *f.id("mri.tech@example.com")); err != nil {
		t.Fatal(err)
	}
	evs := f.events(t, tk.ID)
	if len(evs) != 2 || evs[0].Detail != "Created pending with priority normal (computed: no rule raises it), assigned to Chloe Nguyen" ||
		evs[1].Kind != taskevent.KindAssigned || evs[1].Detail != "Assigned to Sam Patel (was Chloe Nguyen)" {
		t.Fatalf("events %+v", evs)
	}
	// A user of another location is not found, and nothing changes.
	_, err = f.svc.Reassign(ctx, tk.ID, *f.id("par-staff@example.com"))
	wantCode(t, err, apperr.NotFound, "userID")
	// Through Update, too.
	_, err = f.svc.Update(ctx, tk.ID, ent.UpdateTaskInput{AssigneeID: f.id("par-staff@example.com")})
	wantCode(t, err, apperr.NotFound, "assigneeID")
	tk, err = f.svc.Update(ctx, tk.ID, ent.UpdateTaskInput{ClearAssignee: true})
	if err != nil || tk.AssigneeID != nil {
		t.Fatalf("unassign: %v %v", tk, err)
	}
	if evs := f.events(t, tk.ID); evs[len(evs)-1].Detail != "Unassigned (was Sam Patel)" {
		t.Fatalf("last event %q", evs[len(evs)-1].Detail)
	}
}

// TestStaffOnlyOwnTasks: staff may change the tasks assigned to them and
// no one else's; a colleague's task reads as not found to every change,
// and the refused change leaves no event.
func TestStaffOnlyOwnTasks(t *testing.T) {
	f := setup(t)
	mgr := f.as(t, "manager@example.com")
	staff := f.as(t, "staff@example.com")
	theirs, err := f.svc.Create(mgr, tasks.NewTask{Title: "Sam's", AssigneeID: f.id("mri.tech@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	mine, err := f.svc.Create(mgr, tasks.NewTask{Title: "Chloe's", AssigneeID: f.id("staff@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]func(id pulid.ID) error{
		"SetStatus": func(id pulid.ID) error { _, err := f.svc.SetStatus(staff, id, task.StatusInProgress); return err },
		"Complete":  func(id pulid.ID) error { _, err := f.svc.Complete(staff, id); return err },
		"Update": func(id pulid.ID) error {
			_, err := f.svc.Update(staff, id, ent.UpdateTaskInput{Description: ptr("mine now")})
			return err
		},
		"Reassign":    func(id pulid.ID) error { _, err := f.svc.Reassign(staff, id, *f.id("staff@example.com")); return err },
		"SetPriority": func(id pulid.ID) error { _, err := f.svc.SetPriority(staff, id, ptr(task.PriorityUrgent)); return err },
		"AutoAssign":  func(id pulid.ID) error { _, err := f.svc.AutoAssign(staff, id); return err },
		// Changes that would change nothing are refused all the same.
		"SameStatus": func(id pulid.ID) error { _, err := f.svc.SetStatus(staff, id, task.StatusPending); return err },
		"Reopen":     func(id pulid.ID) error { _, err := f.svc.Reopen(staff, id); return err },
		"SameAssignee": func(id pulid.ID) error {
			_, err := f.svc.Reassign(staff, id, *f.id("mri.tech@example.com"))
			return err
		},
		"SamePriority": func(id pulid.ID) error { _, err := f.svc.SetPriority(staff, id, nil); return err },
		"EmptyUpdate":  func(id pulid.ID) error { _, err := f.svc.Update(staff, id, ent.UpdateTaskInput{}); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			wantCode(t, op(theirs.ID), apperr.NotFound, "")
			if evs := f.events(t, theirs.ID); len(evs) != 1 {
				t.Fatalf("%d events on the colleague's task", len(evs))
			}
			again, _ := f.c.Task.Get(mgr, theirs.ID)
			if again.Status != task.StatusPending || *again.AssigneeID != *f.id("mri.tech@example.com") || again.Description != "" || again.Priority != task.PriorityNormal {
				t.Fatalf("colleague's task changed: %+v", again)
			}
		})
	}
	// Their own task: every one of those works.
	if _, err := f.svc.SetPriority(staff, mine.ID, ptr(task.PriorityUrgent)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetStatus(staff, mine.ID, task.StatusInProgress); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Complete(staff, mine.ID); err != nil {
		t.Fatal(err)
	}
	// Handing their own task to a colleague is allowed; afterwards it is
	// the colleague's.
	other, _ := f.svc.Create(mgr, tasks.NewTask{Title: "Hand over", AssigneeID: f.id("staff@example.com")})
	if _, err := f.svc.Reassign(staff, other.ID, *f.id("sonographer@example.com")); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Complete(staff, other.ID)
	wantCode(t, err, apperr.NotFound, "")
	// Viewers may not change tasks at all.
	_, err = f.svc.Complete(f.as(t, "viewer@example.com"), mine.ID)
	wantCode(t, err, apperr.Forbidden, "")
}

// TestTenancy: a Parramatta task, contact or user is not found from Sydney.
func TestTenancy(t *testing.T) {
	f := setup(t)
	par := f.as(t, "par-manager@example.com")
	syd := f.as(t, "manager@example.com")
	parContact, err := f.c.Contact.Create().SetFirstName("Parra").Save(par)
	if err != nil {
		t.Fatal(err)
	}
	parTask, err := f.svc.Create(par, tasks.NewTask{Title: "PAR task", ContactID: &parContact.ID, AssigneeID: f.id("par-staff@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]func() error{
		"SetStatus": func() error { _, err := f.svc.SetStatus(syd, parTask.ID, task.StatusInProgress); return err },
		"Complete":  func() error { _, err := f.svc.Complete(syd, parTask.ID); return err },
		"Reopen":    func() error { _, err := f.svc.Reopen(syd, parTask.ID); return err },
		"Update": func() error {
			_, err := f.svc.Update(syd, parTask.ID, ent.UpdateTaskInput{Title: ptr("x")})
			return err
		},
		"Reassign":    func() error { _, err := f.svc.Reassign(syd, parTask.ID, *f.id("staff@example.com")); return err },
		"SetPriority": func() error { _, err := f.svc.SetPriority(syd, parTask.ID, nil); return err },
		"AutoAssign":  func() error { _, err := f.svc.AutoAssign(syd, parTask.ID); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) { wantCode(t, op(), apperr.NotFound, "id") })
	}
	t.Run("CreateWithPARContact", func(t *testing.T) {
		_, err := f.svc.Create(syd, tasks.NewTask{Title: "x", ContactID: &parContact.ID})
		wantCode(t, err, apperr.NotFound, "contactID")
	})
	t.Run("CreateForPARUser", func(t *testing.T) {
		_, err := f.svc.Create(syd, tasks.NewTask{Title: "x", AssigneeID: f.id("par-staff@example.com")})
		wantCode(t, err, apperr.NotFound, "assigneeID")
	})
	t.Run("History", func(t *testing.T) {
		evs, err := f.svc.History(syd, parTask.ID)
		if err != nil || len(evs) != 0 {
			t.Fatalf("SYD reads PAR history: %v %v", evs, err)
		}
	})
	if again, _ := f.c.Task.Get(par, parTask.ID); again.Title != "PAR task" || again.Status != task.StatusPending {
		t.Fatalf("PAR task changed from SYD: %+v", again)
	}
}

func TestAutoAssign(t *testing.T) {
	future := now.Add(72 * time.Hour)
	pending := task.StatusPending

	t.Run("Weighting", func(t *testing.T) { checkWeighting(t, setup(t)) })
	t.Run("TieBrokenByOpenTasks", func(t *testing.T) {
		f := setup(t)
		f.clearTasks(t)
		f.load(t, "sonographer@example.com", task.PriorityUrgent, pending, future)
		f.load(t, "staff@example.com", task.PriorityNormal, pending, future)
		f.load(t, "staff@example.com", task.PriorityNormal, pending, future)
		for _, e := range []string{"mri.tech@example.com", "manager@example.com"} {
			f.load(t, e, task.PriorityUrgent, pending, future)
			f.load(t, e, task.PriorityUrgent, pending, future)
		}
		tk, err := f.svc.Create(f.as(t, "staff@example.com"), tasks.NewTask{Title: "Call", Skill: ptr("calls"), AutoAssign: true})
		if err != nil {
			t.Fatal(err)
		}
		if *tk.AssigneeID != *f.id("sonographer@example.com") {
			t.Fatalf("assigned to %s", *tk.AssigneeID)
		}
		evs := f.events(t, tk.ID)
		if len(evs) != 2 || evs[0].Kind != taskevent.KindCreated || evs[1].Kind != taskevent.KindAutoAssigned ||
			!strings.HasSuffix(evs[1].Detail, "; chose Grace Kim, lowest workload with skill calls, tied with Chloe Nguyen and fewer open tasks") {
			t.Fatalf("events %+v", evs)
		}
	})
	t.Run("TieBrokenByName", func(t *testing.T) {
		f := setup(t)
		f.clearTasks(t)
		tk, err := f.svc.Create(f.as(t, "manager@example.com"), tasks.NewTask{Title: "Call", Skill: ptr("Calls"), AutoAssign: true})
		if err != nil {
			t.Fatal(err)
		}
		want := "Chloe Nguyen: workload 0 (0 open tasks); Daniel O'Connor: workload 0 (0 open tasks); Grace Kim: workload 0 (0 open tasks); " +
			"Sam Patel: workload 0 (0 open tasks); chose Chloe Nguyen, lowest workload with skill calls, tied with Daniel O'Connor on workload and open tasks; first by name"
		if evs := f.events(t, tk.ID); evs[1].Detail != want {
			t.Fatalf("detail %q\nwant %q", evs[1].Detail, want)
		}
	})
	t.Run("SkillFilter", func(t *testing.T) {
		f := setup(t)
		f.clearTasks(t)
		f.load(t, "mri.tech@example.com", task.PriorityUrgent, pending, future)
		tk, err := f.svc.Create(f.as(t, "manager@example.com"), tasks.NewTask{Title: "MRI safety call", Skill: ptr("mri"), AutoAssign: true})
		if err != nil {
			t.Fatal(err)
		}
		if *tk.AssigneeID != *f.id("mri.tech@example.com") {
			t.Fatalf("assigned to %s", *tk.AssigneeID)
		}
		if evs := f.events(t, tk.ID); evs[1].Detail != "Sam Patel: workload 4 (1 open task); chose Sam Patel, the only candidate with skill mri" {
			t.Fatalf("detail %q", evs[1].Detail)
		}
	})
	t.Run("NoSkillEveryStaffAndManager", func(t *testing.T) {
		f := setup(t)
		f.clearTasks(t)
		tk, err := f.svc.Create(f.as(t, "manager@example.com"), tasks.NewTask{Title: "Anything", AutoAssign: true})
		if err != nil {
			t.Fatal(err)
		}
		d := f.events(t, tk.ID)[1].Detail
		// Four candidates: no admin (Priya Sharma), no viewer (Marcus Lee).
		if strings.Count(d, "workload 0") != 4 || strings.Contains(d, "Priya") || strings.Contains(d, "Marcus") || strings.Contains(d, "skill") {
			t.Fatalf("detail %q", d)
		}
	})
	t.Run("NoCandidate", func(t *testing.T) {
		f := setup(t)
		ctx := f.as(t, "manager@example.com")
		before, _ := f.c.Task.Query().Count(ctx)
		_, err := f.svc.Create(ctx, tasks.NewTask{Title: "PET scan prep", Skill: ptr("pet"), AutoAssign: true})
		wantCode(t, err, apperr.Conflict, "assigneeID")
		if !strings.Contains(err.Error(), `skill "pet"`) {
			t.Fatalf("message %q does not name the skill", err)
		}
		if after, _ := f.c.Task.Query().Count(ctx); after != before {
			t.Fatal("a task was created although nobody could take it")
		}
		tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "PET scan prep", Skill: ptr("pet")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AutoAssign(ctx, tk.ID)
		wantCode(t, err, apperr.Conflict, "assigneeID")
	})
	t.Run("DisabledMembersSkipped", func(t *testing.T) {
		f := setup(t)
		sys := viewer.Seed.Grant(context.Background(), "test")
		if err := f.c.User.Update().Where(user.Email("mri.tech@example.com")).SetStatus(user.StatusDisabled).Exec(sys); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Create(f.as(t, "manager@example.com"), tasks.NewTask{Title: "MRI", Skill: ptr("mri"), AutoAssign: true})
		wantCode(t, err, apperr.Conflict, "assigneeID")
	})
	t.Run("ClosedTaskInvalid", func(t *testing.T) {
		f := setup(t)
		ctx := f.as(t, "manager@example.com")
		tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "Done", Status: task.StatusCompleted})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AutoAssign(ctx, tk.ID)
		wantCode(t, err, apperr.Invalid, "status")
	})
}

// checkWeighting: the least weighted workload wins, closed tasks and the
// task being assigned do not count, and the event explains it all.
func checkWeighting(t *testing.T, f *fixture) {
	past, future := now.Add(-time.Hour), now.Add(72*time.Hour)
	pending := task.StatusPending
	f.clearTasks(t)
	// Sam: high 3 + overdue normal 3 = 6; done and cancelled work
	// does not count.
	f.load(t, "mri.tech@example.com", task.PriorityHigh, pending, future)
	f.load(t, "mri.tech@example.com", task.PriorityNormal, task.StatusInProgress, past)
	f.load(t, "mri.tech@example.com", task.PriorityUrgent, task.StatusCompleted, future)
	f.load(t, "mri.tech@example.com", task.PriorityUrgent, task.StatusCancelled, future)
	// Chloe: urgent 4 + overdue normal 3 = 7.
	f.load(t, "staff@example.com", task.PriorityUrgent, pending, future)
	f.load(t, "staff@example.com", task.PriorityNormal, pending, past)
	// Grace: high 3 + urgent 4 = 7.
	f.load(t, "sonographer@example.com", task.PriorityHigh, pending, future)
	f.load(t, "sonographer@example.com", task.PriorityUrgent, pending, future)
	// Daniel: 3 normal + 2 low = 8.
	for range 3 {
		f.load(t, "manager@example.com", task.PriorityNormal, pending, future)
	}
	f.load(t, "manager@example.com", task.PriorityLow, pending, future)
	f.load(t, "manager@example.com", task.PriorityLow, pending, future)
	// The task being assigned is Sam's already and urgent: it must not
	// count against him.
	mgr := f.as(t, "manager@example.com")
	tk, err := f.svc.Create(mgr, tasks.NewTask{Title: "Call", Skill: ptr("calls"), Priority: ptr(task.PriorityUrgent), AssigneeID: f.id("mri.tech@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	tk, err = f.svc.AutoAssign(mgr, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *tk.AssigneeID != *f.id("mri.tech@example.com") {
		t.Fatalf("assigned to %s", *tk.AssigneeID)
	}
	evs := f.events(t, tk.ID)
	want := "Sam Patel: workload 6 (2 open tasks); Chloe Nguyen: workload 7 (2 open tasks); Grace Kim: workload 7 (2 open tasks); " +
		"Daniel O'Connor: workload 8 (5 open tasks); chose Sam Patel, lowest workload with skill calls"
	last := evs[len(evs)-1]
	if last.Kind != taskevent.KindAutoAssigned || last.Detail != want {
		t.Fatalf("event %s %q\nwant %q", last.Kind, last.Detail, want)
	}
}

// TestTasksPostgres runs the workload arithmetic and the status machine on
// PostgreSQL.
func TestTasksPostgres(t *testing.T) {
	f := setupPostgres(t)
	checkWeighting(t, f)
	ctx := f.as(t, "manager@example.com")
	tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "PG", DueAt: ptr(now.Add(3 * time.Hour))})
	if err != nil || tk.Priority != task.PriorityUrgent {
		t.Fatalf("%v %v", tk, err)
	}
	if tk, err = f.svc.Complete(ctx, tk.ID); err != nil || tk.CompletedAt == nil {
		t.Fatalf("%v %v", tk, err)
	}
	_, err = f.svc.SetStatus(ctx, tk.ID, task.StatusCancelled)
	wantCode(t, err, apperr.Invalid, "status")
	// The refused change must leave the connection usable (no aborted
	// transaction on PostgreSQL).
	if _, err := f.svc.Reopen(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
}
