package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// The admin API shows people the jobs of their location only, to those
// whose role may read automation, and changes them only for those who may
// update it; PHI never leaves in arguments. Every job runs as the job
// capability for its location.
func TestQueue_AdminAccess(t *testing.T) {
	d := testutil.DemoDB(t)
	p := newProbe()
	q := newQueue(t, d, p, jobs.Config{})
	sys := system()
	loc := func(code string) *ent.Location {
		return d.Client.Location.Query().Where(location.Code(code)).OnlyX(sys)
	}
	syd, par := loc("SYD"), loc("PAR")
	mustEnqueue := func(a probeArgs) int64 {
		res, err := q.EnqueueAlone(sys, a, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.ID
	}
	sydJob := mustEnqueue(probeArgs{Key: "syd", LocationID: syd.ID, Phone: "+61400000001"})
	parJob := mustEnqueue(probeArgs{Key: "par", LocationID: par.ID})
	globalJob := mustEnqueue(probeArgs{Key: "global"})

	ids := func(ctx context.Context) []int64 {
		t.Helper()
		page, err := q.List(ctx, jobs.ListParams{})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, j := range page.Jobs {
			out = append(out, j.ID)
		}
		return out
	}
	same := func(got, want []int64) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	}

	manager := testutil.As(t, d.Client, "manager@example.com")
	admin := testutil.As(t, d.Client, "admin@example.com", "SYD")
	staff := testutil.As(t, d.Client, "staff@example.com")
	parManager := testutil.As(t, d.Client, "par-manager@example.com")

	if got := ids(sys); !same(got, []int64{globalJob, parJob, sydJob}) {
		t.Errorf("system sees %v, want every job newest first", got)
	}
	if got := ids(manager); !same(got, []int64{sydJob}) {
		t.Errorf("the Sydney manager sees %v, want only Sydney's job %d", got, sydJob)
	}
	if got := ids(admin); !same(got, []int64{globalJob, sydJob}) {
		t.Errorf("the admin at Sydney sees %v, want Sydney's and the global job", got)
	}
	if got := ids(parManager); !same(got, []int64{parJob}) {
		t.Errorf("the Parramatta manager sees %v, want only %d", got, parJob)
	}
	if _, err := q.List(staff, jobs.ListParams{}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("staff listing jobs: %v, want FORBIDDEN", err)
	}
	if _, err := q.List(context.Background(), jobs.ListParams{}); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Errorf("nobody listing jobs: %v, want UNAUTHENTICATED", err)
	}
	// Another location's job reads as not found, for reading and changing.
	if _, err := q.Get(manager, parJob); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Sydney manager gets Parramatta's job: %v, want NOT_FOUND", err)
	}
	if _, err := q.Discard(manager, parJob); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("Sydney manager discards Parramatta's job: %v, want NOT_FOUND", err)
	}
	if _, err := q.Retry(manager, globalJob); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("a manager retries the global job: %v, want NOT_FOUND", err)
	}
	j, err := q.Get(manager, sydJob)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(j.Args), "400000001") || j.LocationID != syd.ID {
		t.Errorf("job as shown: args %s location %s; want the phone redacted and Sydney", j.Args, j.LocationID)
	}

	// Discarding a waiting job cancels it; once finished it cannot be
	// discarded again.
	j, err = q.Discard(manager, sydJob)
	if err != nil || j.State != jobs.StateCancelled {
		t.Fatalf("discard a waiting job = %+v, %v; want it cancelled", j, err)
	}
	if _, err := q.Discard(manager, sydJob); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("discard a cancelled job: %v, want CONFLICT", err)
	}

	// The jobs run as the job capability of their location.
	wq := newQueue(t, d, p, jobs.Config{Workers: 2})
	waitState(t, wq, parJob, 10*time.Second, jobs.StateCompleted)
	waitState(t, wq, globalJob, 10*time.Second, jobs.StateCompleted)
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := map[string]bool{}
	for i, v := range p.viewers {
		if v == nil || !v.System || v.Actor != viewer.JobActor("test.probe") || p.capabilities[i] != viewer.Job.Name {
			t.Errorf("a job ran as %+v under %q, want the job capability", v, p.capabilities[i])
			continue
		}
		seen[string(v.LocationID)] = true
	}
	if !seen[string(par.ID)] || !seen[""] || seen[string(syd.ID)] {
		t.Errorf("jobs ran for locations %v; want Parramatta's and the global one, not the cancelled Sydney job", seen)
	}
}

// A dead letter discarded by hand leaves the dead-letter list.
func TestQueue_DiscardDeadLetter(t *testing.T) {
	d := testutil.OpenDB(t)
	p := newProbe()
	p.setFailing(true)
	q := newQueue(t, d, p, jobs.Config{Workers: 1, MaxAttempts: 1, PollInterval: 50 * time.Millisecond})
	res, err := q.EnqueueAlone(system(), probeArgs{Key: "dead"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, q, res.ID, 10*time.Second, jobs.StateDiscarded)
	if _, err := q.Discard(system(), res.ID); err != nil {
		t.Fatal(err)
	}
	page, err := q.List(system(), jobs.ListParams{States: []jobs.State{jobs.StateDiscarded}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Jobs) != 0 {
		t.Fatalf("dead letters after discarding: %+v", page.Jobs)
	}
}
