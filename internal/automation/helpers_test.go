package automation_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/automationrule"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// queued is a job the fake queue took.
type queued struct {
	args river.JobArgs
	at   time.Time
	done bool
}

// fakeQueue records enqueues, refusing any outside a transaction as the
// real queue does, and keeps unique jobs unique.
type fakeQueue struct {
	t    *testing.T
	mu   sync.Mutex
	jobs []*queued
	now  func() time.Time
}

func (q *fakeQueue) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (jobs.Enqueued, error) {
	if db.SQLTx(ctx) == nil {
		return jobs.Enqueued{}, jobs.ErrNoTransaction
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, j := range q.jobs {
		if j.args == args {
			return jobs.Enqueued{ID: int64(i + 1), Duplicate: true}, nil
		}
	}
	at := q.now()
	if opts != nil && !opts.ScheduledAt.IsZero() {
		at = opts.ScheduledAt
	}
	q.jobs = append(q.jobs, &queued{args: args, at: at})
	return jobs.Enqueued{ID: int64(len(q.jobs))}, nil
}

// fakeSMS records SMS, one per idempotency key.
type fakeSMS struct {
	mu   sync.Mutex
	sent []automation.SMSInput
	keys map[string]pulid.ID
	// failFor fails every SMS to this contact.
	failFor pulid.ID
	// calls counts QueueSMS calls, a key sent again included.
	calls int
}

func (f *fakeSMS) QueueSMS(_ context.Context, _ *ent.Client, in automation.SMSInput) (pulid.ID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failFor != "" && in.ContactID == f.failFor {
		return "", errors.New("the SMS outbox is broken for this contact")
	}
	if id, ok := f.keys[in.Key]; ok {
		return id, nil
	}
	id := pulid.New("msg")
	f.keys[in.Key] = id
	f.sent = append(f.sent, in)
	return id, nil
}

func (f *fakeSMS) templates() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.sent {
		out = append(out, s.Template)
	}
	return out
}

// clockT is a settable clock.
type clockT struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clockT) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clockT) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is the demo database with the services wired as the app wires
// them, over the fake queue.
type world struct {
	t        *testing.T
	c        *ent.Client
	clock    *clockT
	q        *fakeQueue
	sms      *fakeSMS
	auto     *automation.Service
	contacts *contacts.Service
	bookings *bookings.Service
	tasks    *tasks.Service
	stages   *pipeline.Service
	admin    context.Context
	loc      pulid.ID
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOn(t, testutil.DemoDB(t))
}

// newWorldOn is newWorld on d, which holds the demo data.
func newWorldOn(t *testing.T, d *db.DB) *world {
	t.Helper()
	ec := testutil.Client(t, d)
	w := &world{t: t, c: d.Client, clock: &clockT{t: testutil.Now}, sms: &fakeSMS{keys: map[string]pulid.ID{}}}
	w.q = &fakeQueue{t: t, now: w.clock.Now}
	out := &events.Outbox{Jobs: w.q, Now: w.clock.Now}
	w.stages = &pipeline.Service{Client: d.Client, Now: w.clock.Now, Events: out}
	w.tasks = &tasks.Service{Client: d.Client, Now: w.clock.Now, Events: out}
	w.bookings = &bookings.Service{Client: d.Client, Stages: w.stages, Tasks: w.tasks, Now: w.clock.Now, Outbox: out, Dialect: d.Dialect}
	ec.Warmness.Events = out
	ec.Warmness.Now = w.clock.Now
	w.contacts = &contacts.Service{Client: d.Client, Warmness: ec.Warmness, Stages: w.stages, Now: w.clock.Now, Events: out}
	w.auto = &automation.Service{Client: d.Client, Jobs: w.q, SMS: w.sms, Tasks: w.tasks, Stages: w.stages, Now: w.clock.Now}
	w.admin = testutil.As(t, d.Client, "admin@example.com")
	w.loc = viewer.FromContext(w.admin).LocationID
	return w
}

// drain works every queued job that is due by the clock, as River would,
// until none is left; it returns how many ran.
func (w *world) drain() int {
	w.t.Helper()
	n := 0
	for {
		w.q.mu.Lock()
		var due []*queued
		for _, j := range w.q.jobs {
			if !j.done && !j.at.After(w.clock.Now()) {
				due = append(due, j)
			}
		}
		sort.SliceStable(due, func(a, b int) bool { return due[a].at.Before(due[b].at) })
		w.q.mu.Unlock()
		if len(due) == 0 {
			return n
		}
		for _, j := range due {
			j.done = true
			n++
			var err error
			switch a := j.args.(type) {
			case events.Args:
				// A first attempt, as River runs it: in a batch.
				err = w.auto.DispatchBatch(viewer.ForJob(context.Background(), a.LocationID, a.Kind()), a.EventID, a.LocationID, false)
			case automation.RuleArgs:
				err = w.auto.RunRule(viewer.ForJob(context.Background(), a.LocationID, a.Kind()), a.RuleID, a.EventID, false)
			default:
				w.t.Fatalf("unexpected job %T", j.args)
			}
			if err != nil {
				w.t.Fatalf("job %s: %v", j.args.Kind(), err)
			}
		}
	}
}

// rule returns the location's default rule with key.
func (w *world) rule(key string) *ent.AutomationRule {
	w.t.Helper()
	r, err := w.c.AutomationRule.Query().Where(automationrule.DefaultKey(key)).
		Where(automationrule.LocationID(w.loc)).Only(w.admin)
	if err != nil {
		w.t.Fatalf("rule %s: %v", key, err)
	}
	return r
}

// disableDefaults turns every default rule off, so a test sees only its own.
func (w *world) disableDefaults() {
	w.t.Helper()
	if err := w.c.AutomationRule.Update().Where(automationrule.LocationID(w.loc)).SetEnabled(false).Exec(w.admin); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) otherLocation() pulid.ID {
	w.t.Helper()
	id, err := w.c.Location.Query().Where(location.IDNEQ(w.loc)).FirstID(viewer.Seed.Grant(context.Background(), "test"))
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func ptr[T any](v T) *T { return &v }

type tasksNewTask = tasks.NewTask

func testutilAs(t *testing.T, w *world, email string) context.Context {
	return testutil.As(t, w.c, email)
}

// book books the contact at start with the first service whose resource is
// free then.
func (w *world) book(contactID pulid.ID, start time.Time) *ent.Booking {
	w.t.Helper()
	svcs, err := w.c.Service.Query().Where(service.LocationID(w.loc), service.Active(true)).All(w.admin)
	if err != nil {
		w.t.Fatal(err)
	}
	var last error
	for _, svc := range svcs {
		b, err := w.bookings.Create(w.admin, bookings.NewBooking{ContactID: contactID, ServiceID: svc.ID, StartsAt: start})
		if err == nil {
			return b
		}
		last = err
	}
	w.t.Fatalf("no service free at %s: %v", start, last)
	return nil
}
