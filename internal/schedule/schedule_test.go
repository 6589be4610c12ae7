package schedule_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/schedule"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

var sydney = mustZone("Australia/Sydney")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

func entry(t *testing.T, name string) schedule.Entry {
	t.Helper()
	s := &schedule.Scheduler{Entries: schedule.Entries()}
	e, ok := s.Entry(name)
	if !ok {
		t.Fatalf("no schedule %q", name)
	}
	return e
}

// "Monday 8 am in Sydney" stays 8 am local on both sides of both of
// 2026's daylight-saving changes (5 April, 4 October), so its UTC time
// moves by an hour.
func TestLatestAndNext_AcrossDaylightSaving(t *testing.T) {
	e := entry(t, "weekly-summary")
	tests := []struct {
		name     string
		now      time.Time
		latest   string // RFC 3339 in Sydney
		next     string
		nextUTC  string
		nextHour int
	}{
		{"before daylight saving ends", time.Date(2026, 4, 1, 12, 0, 0, 0, sydney),
			"2026-03-30T08:00:00+11:00", "2026-04-06T08:00:00+10:00", "2026-04-05T22:00:00Z", 8},
		{"the Sunday it ends", time.Date(2026, 4, 5, 12, 0, 0, 0, sydney),
			"2026-03-30T08:00:00+11:00", "2026-04-06T08:00:00+10:00", "2026-04-05T22:00:00Z", 8},
		{"the Monday after", time.Date(2026, 4, 6, 8, 0, 0, 0, sydney),
			"2026-04-06T08:00:00+10:00", "2026-04-13T08:00:00+10:00", "2026-04-12T22:00:00Z", 8},
		{"a minute before the slot", time.Date(2026, 4, 6, 7, 59, 0, 0, sydney),
			"2026-03-30T08:00:00+11:00", "2026-04-06T08:00:00+10:00", "2026-04-05T22:00:00Z", 8},
		{"the Sunday it starts", time.Date(2026, 10, 4, 12, 0, 0, 0, sydney),
			"2026-09-28T08:00:00+10:00", "2026-10-05T08:00:00+11:00", "2026-10-04T21:00:00Z", 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := schedule.Latest(e, sydney, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			n, err := schedule.Next(e, sydney, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Format(time.RFC3339); got != tt.latest {
				t.Errorf("Latest(%s) = %s, want %s", tt.now, got, tt.latest)
			}
			if got := n.Format(time.RFC3339); got != tt.next {
				t.Errorf("Next(%s) = %s, want %s", tt.now, got, tt.next)
			}
			if got := n.UTC().Format(time.RFC3339); got != tt.nextUTC {
				t.Errorf("Next(%s) in UTC = %s, want %s", tt.now, got, tt.nextUTC)
			}
		})
	}
	// Every 15 minutes is in UTC: a quarter hour is a quarter hour.
	w := entry(t, "warmness")
	l, _ := schedule.Latest(w, time.UTC, time.Date(2026, 4, 4, 16, 7, 30, 0, time.UTC))
	if want := time.Date(2026, 4, 4, 16, 0, 0, 0, time.UTC); !l.Equal(want) {
		t.Errorf("warmness slot = %s, want %s", l, want)
	}
}

// fixture is a demo database with an insert-only queue and the scheduler.
type fixture struct {
	d     *db.DB
	q     *jobs.Queue
	sched *schedule.Scheduler
}

func newFixture(t *testing.T, now func() time.Time, workers int) *fixture {
	t.Helper()
	d := testutil.DemoDB(t)
	ws := jobs.NewWorkers()
	schedule.AddWorkers(ws, schedule.Deps{
		Warmness: &warmness.Service{Client: d.Client, Now: now},
		Tasks:    &tasks.Service{Client: d.Client, Now: now},
	})
	q, err := jobs.New(context.Background(), d, ws, jobs.Config{Workers: workers, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	if workers > 0 {
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(ctx)
		})
	}
	return &fixture{d: d, q: q, sched: &schedule.Scheduler{Queue: q, Client: d.Client, Entries: schedule.Entries(), Now: now}}
}

func (f *fixture) jobsOf(t *testing.T, kind string) []jobs.Job {
	t.Helper()
	page, err := f.q.List(viewer.Operator.Grant(context.Background(), "test"), jobs.ListParams{Kinds: []string{kind}, First: 500})
	if err != nil {
		t.Fatal(err)
	}
	return page.Jobs
}

func periods(js []jobs.Job) []string {
	var out []string
	for _, j := range js {
		var p schedule.Period
		_ = json.Unmarshal(j.Args, &p)
		out = append(out, p.Period+" "+string(p.LocationID))
	}
	slices.Sort(out)
	return out
}

// Running a schedule by hand enqueues its slot once; running it again
// does nothing more.
func TestScheduler_Run_TwiceEnqueuesOnce(t *testing.T) {
	now := time.Date(2026, 3, 16, 8, 3, 0, 0, sydney) // Monday, just after 8 am
	f := newFixture(t, func() time.Time { return now }, 0)
	ctx := context.Background()
	locs := f.d.Client.Location.Query().CountX(viewer.Operator.Grant(ctx, "test"))
	for _, name := range f.sched.Names() {
		first, err := f.sched.Run(ctx, name)
		if err != nil {
			t.Fatalf("run %s: %v", name, err)
		}
		second, err := f.sched.Run(ctx, name)
		if err != nil {
			t.Fatalf("run %s again: %v", name, err)
		}
		e, _ := f.sched.Entry(name)
		want := 1
		if e.PerLocation {
			want = locs
		}
		if len(first) != want || len(second) != want {
			t.Fatalf("%s fired %d then %d slots, want %d each", name, len(first), len(second), want)
		}
		for i := range first {
			if first[i].Job.Duplicate || !second[i].Job.Duplicate || second[i].Job.ID != first[i].Job.ID {
				t.Errorf("%s at %q: %+v then %+v, want a new job then the same one as a duplicate", name, first[i].Location, first[i].Job, second[i].Job)
			}
		}
		if n := len(f.jobsOf(t, e.Job(schedule.Slot{}).Kind())); n != want {
			t.Errorf("%s: %d jobs in the queue, want %d", name, n, want)
		}
	}
	// The weekly summary's slot is this Monday 8 am in each zone.
	got := periods(f.jobsOf(t, "schedule.weekly-summary"))
	for _, p := range got {
		if p[:25] != "2026-03-16T08:00:00+11:00" {
			t.Errorf("weekly summary period %q, want Monday 16 March 08:00 Sydney time", p)
		}
	}
}

// Two schedulers (two processes) on one database, driven by a fake clock
// through a daylight-saving change: each location gets exactly one weekly
// summary per Monday, at 8 am local.
func TestScheduler_TimersFireOncePerSlot_TwoInstances(t *testing.T) {
	start := time.Date(2026, 4, 6, 7, 59, 0, 0, sydney) // Monday after DST ended
	clock := clockwork.NewFakeClockAt(start)
	f := newFixture(t, clock.Now, 0)
	weekly, _ := f.sched.Entry("weekly-summary")
	var scheds []*schedule.Scheduler
	for range 2 {
		s := &schedule.Scheduler{Queue: f.q, Client: f.d.Client, Entries: []schedule.Entry{weekly}, Now: clock.Now, Clock: clock, Resync: time.Hour}
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Stop() })
		scheds = append(scheds, s)
	}
	locs := f.d.Client.Location.Query().Where(location.IDNEQ("")).CountX(viewer.Operator.Grant(context.Background(), "test"))
	// Catch-up at start: last Monday's slot is a week old, too late.
	if n := len(f.jobsOf(t, "schedule.weekly-summary")); n != 0 {
		t.Fatalf("%d jobs before 8 am, want none", n)
	}
	waitFor := func(want int) []jobs.Job {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			js := f.jobsOf(t, "schedule.weekly-summary")
			if len(js) >= want || time.Now().After(deadline) {
				return js
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	clock.Advance(2 * time.Minute) // 8:01 Monday 6 April (AEST)
	js := waitFor(locs)
	time.Sleep(200 * time.Millisecond) // let the second instance's timers fire too
	js = f.jobsOf(t, "schedule.weekly-summary")
	if len(js) != locs {
		t.Fatalf("after Monday 8 am: %d weekly-summary jobs, want one per location (%d): %v", len(js), locs, periods(js))
	}
	for _, p := range periods(js) {
		if p[:25] != "2026-04-06T08:00:00+10:00" {
			t.Errorf("period %q, want 6 April 08:00 AEST", p)
		}
	}
	// A week on, again one per location.
	clock.Advance(7 * 24 * time.Hour)
	js = waitFor(2 * locs)
	time.Sleep(200 * time.Millisecond)
	if js = f.jobsOf(t, "schedule.weekly-summary"); len(js) != 2*locs {
		t.Fatalf("after two Mondays: %d jobs, want %d: %v", len(js), 2*locs, periods(js))
	}
}

// A process starting an hour after Monday 8 am enqueues the missed weekly
// summary; one starting seven hours after (past its 6 h catch-up) does not.
func TestScheduler_CatchUp(t *testing.T) {
	for _, tt := range []struct {
		late time.Duration
		want bool
	}{{time.Hour, true}, {7 * time.Hour, false}} {
		now := time.Date(2026, 3, 16, 8, 0, 0, 0, sydney).Add(tt.late)
		clock := clockwork.NewFakeClockAt(now)
		f := newFixture(t, clock.Now, 0)
		weekly, _ := f.sched.Entry("weekly-summary")
		s := &schedule.Scheduler{Queue: f.q, Client: f.d.Client, Entries: []schedule.Entry{weekly}, Now: clock.Now, Clock: clock}
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		_ = s.Stop()
		n := len(f.jobsOf(t, "schedule.weekly-summary"))
		if got := n > 0; got != tt.want {
			t.Errorf("started %s after the slot: %d jobs, want caught up = %v", tt.late, n, tt.want)
		}
	}
}

// warmness and reprioritize do their work as jobs, as the job capability.
// Two days after the demo was scored, the warmness job rescores the
// contacts whose score moved with the clock (their due time passed), and
// leaves those without a history alone.
func TestScheduler_MaintenanceJobsDoTheirWork(t *testing.T) {
	now := testutil.Now.Add(48 * time.Hour)
	f := newFixture(t, func() time.Time { return now }, 2)
	ctx := context.Background()
	op := viewer.Operator.Grant(ctx, "test")
	contacts := f.d.Client.Contact.Query().CountX(op)
	due := f.d.Client.Contact.Query().Where(contact.WarmnessDueAtLTE(now)).CountX(op)
	if due == 0 || due == contacts {
		t.Fatalf("%d of %d demo contacts due two days on: want some", due, contacts)
	}
	timeless, err := f.d.Client.Contact.Query().Where(contact.WarmnessDueAtIsNil()).First(op)
	if err != nil {
		t.Fatalf("a demo contact whose score does not age: %v", err)
	}
	for _, name := range []string{"warmness", "reprioritize"} {
		fired, err := f.sched.Run(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		id := fired[0].Job.ID
		var row *rivertype.JobRow
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			row, err = f.q.River().JobGet(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if row.State == rivertype.JobStateCompleted || row.State == rivertype.JobStateDiscarded {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if row.State != rivertype.JobStateCompleted {
			t.Fatalf("%s job %s: %+v", name, row.State, row.Errors)
		}
		if row.Queue != jobs.QueueMaintenance {
			t.Errorf("%s ran on queue %q, want %q", name, row.Queue, jobs.QueueMaintenance)
		}
		out := map[string]int{}
		if err := json.Unmarshal(row.Output(), &out); err != nil {
			t.Fatalf("%s output %s: %v", name, row.Output(), err)
		}
		if name == "warmness" {
			// Each due contact gets its next due time, so each is written.
			if out["rescored"] != due || out["written"] != due {
				t.Errorf("warmness rescored %d contacts, wrote %d; want the %d due (of %d)", out["rescored"], out["written"], due, contacts)
			}
			if left := f.d.Client.Contact.Query().Where(contact.WarmnessDueAtLTE(now)).CountX(op); left != 0 {
				t.Errorf("%d contacts still due after the job", left)
			}
			got := f.d.Client.Contact.GetX(op, timeless.ID)
			if got.Warmness != timeless.Warmness || !got.WarmnessScoredAt.Equal(*timeless.WarmnessScoredAt) {
				t.Errorf("contact without history rescored: %d at %v, was %d at %v", got.Warmness, got.WarmnessScoredAt, timeless.Warmness, timeless.WarmnessScoredAt)
			}
		}
		if _, ok := out["changed"]; name == "reprioritize" && !ok {
			t.Errorf("reprioritize output %v, want the number changed", out)
		}
	}
}

var _ river.JobArgs = schedule.WarmnessArgs{}
