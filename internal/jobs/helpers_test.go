package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// probeArgs is the job kind of these tests: its worker records each run of
// its key in a probe, and fails while the probe says so.
type probeArgs struct {
	Key        string   `json:"key" river:"unique"`
	LocationID pulid.ID `json:"location_id,omitempty"`
	Phone      string   `json:"phone,omitempty" phi:"true"`
}

func (probeArgs) Kind() string { return "test.probe" }

func (probeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// probe counts runs per key and who ran them.
type probe struct {
	mu      sync.Mutex
	runs    map[string]int
	viewers []*viewer.Viewer
	// capabilities are the viewer.Capability each run had.
	capabilities []string
	// failing makes every run fail while set.
	failing bool
	hold    time.Duration
}

func newProbe() *probe { return &probe{runs: map[string]int{}} }

type probeWorker struct {
	river.WorkerDefaults[probeArgs]
	p *probe
}

func (w *probeWorker) Work(ctx context.Context, j *river.Job[probeArgs]) error {
	w.p.mu.Lock()
	hold, failing := w.p.hold, w.p.failing
	w.p.mu.Unlock()
	if hold > 0 {
		time.Sleep(hold)
	}
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	w.p.viewers = append(w.p.viewers, viewer.FromContext(ctx))
	w.p.capabilities = append(w.p.capabilities, viewer.CapabilityOf(ctx))
	if failing {
		return fmt.Errorf("provider down (attempt %d)", j.Attempt)
	}
	w.p.runs[j.Args.Key]++
	return nil
}

func (p *probe) count(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.runs[key]
}

func (p *probe) setFailing(b bool) {
	p.mu.Lock()
	p.failing = b
	p.mu.Unlock()
}

// database is one of the two dialects the queue runs on.
type database struct {
	name string
	open func(t *testing.T) *db.DB
}

func databases() []database {
	return []database{
		{"sqlite", func(t *testing.T) *db.DB { return testutil.OpenDB(t) }},
		{"postgres", func(t *testing.T) *db.DB {
			d, err := db.Open(context.Background(), db.Config{URL: testutil.PostgresURL(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = d.Close() })
			if _, err := d.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			return d
		}},
	}
}

// newQueue builds a queue with the probe's worker; workers > 0 starts it.
func newQueue(t *testing.T, d *db.DB, p *probe, cfg jobs.Config) *jobs.Queue {
	t.Helper()
	ws := jobs.NewWorkers()
	jobs.Add(ws, &probeWorker{p: p})
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 100 * time.Millisecond
	}
	q, err := jobs.New(context.Background(), d, ws, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	if cfg.Workers > 0 {
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := q.Stop(ctx); err != nil {
				t.Errorf("stop queue: %v", err)
			}
		})
	}
	return q
}

// system is the context tests act in.
func system() context.Context { return viewer.Operator.Grant(context.Background(), "test") }

// waitState waits until job id is in one of states and returns it.
func waitState(t *testing.T, q *jobs.Queue, id int64, timeout time.Duration, states ...jobs.State) *jobs.Job {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last *jobs.Job
	for time.Now().Before(deadline) {
		j, err := q.Get(system(), id)
		if err != nil {
			t.Fatalf("get job %d: %v", id, err)
		}
		last = j
		if slices.Contains(states, j.State) {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %d still %s after %s, want %v (errors %+v)", id, last.State, timeout, states, last.Errors)
	return nil
}

// mustCreateLocation creates a location with c as the change a job goes
// with.
func mustCreateLocation(ctx context.Context, c *ent.Client, code string) (*ent.Location, error) {
	l, err := c.Location.Create().SetCode(code).SetName("Clinic " + code).Save(ctx)
	if err != nil {
		return nil, errors.Join(errors.New("create location"), err)
	}
	return l, nil
}
