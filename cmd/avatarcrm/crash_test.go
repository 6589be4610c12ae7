package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// The crash tests run the real program (this test binary re-executed as
// `avatarcrm worker` or `avatarcrm serve`, with one extra job kind that
// calls a local server) and kill it with SIGKILL while jobs run.

const childEnv = "AVATARCRM_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		// The child: the program itself, plus the effect job.
		app.ExtraWorkers = func(ws *jobs.Workers) { jobs.Add(ws, &effectWorker{}) }
		if at := os.Getenv(testNowEnv); at != "" {
			now, err := time.Parse(time.RFC3339, at)
			if err != nil {
				fmt.Fprintln(os.Stderr, "avatarcrm:", testNowEnv, err)
				os.Exit(2)
			}
			cliClock = clock.Fixed(now)
		}
		if off := os.Getenv(testOffsetEnv); off != "" {
			d, err := time.ParseDuration(off)
			if err != nil {
				fmt.Fprintln(os.Stderr, "avatarcrm:", testOffsetEnv, err)
				os.Exit(2)
			}
			shifted := shiftedClock{Clock: clockwork.NewRealClock(), offset: d}
			cliClock = func() time.Time { return shifted.Now().UTC() }
			app.TimerClock = shifted
		}
		ctx, stop := signalContext()
		err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "avatarcrm:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// effectArgs is a job whose side effect is a POST to a local server,
// carrying its key as the idempotency key, as a provider call would.
type effectArgs struct {
	Key string `json:"key" river:"unique"`
	URL string `json:"url"`
}

func (effectArgs) Kind() string { return "test.effect" }

func (effectArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type effectWorker struct {
	river.WorkerDefaults[effectArgs]
}

func (w *effectWorker) Work(ctx context.Context, j *river.Job[effectArgs]) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.Args.URL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Idempotency-Key", j.Args.Key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("effect server: %s", res.Status)
	}
	return nil
}

// effects is the side-effect server: it applies each idempotency key once
// and counts every request.
type effects struct {
	mu       sync.Mutex
	applied  map[string]int
	requests int
}

func (e *effects) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	// A provider call takes a while; the kill lands among calls in flight.
	time.Sleep(20 * time.Millisecond)
	e.mu.Lock()
	e.requests++
	e.applied[key]++
	e.mu.Unlock()
}

func (e *effects) snapshot() (applied map[string]int, requests int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	applied = make(map[string]int, len(e.applied))
	for k, v := range e.applied {
		applied[k] = v
	}
	return applied, e.requests
}

// child is a running copy of the program.
type child struct {
	cmd *exec.Cmd
	out *lockedBuffer
}

// lockedBuffer is a child's output, safe to read while the child writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startChild(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), append(env, childEnv+"=1")...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, out: out}
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
	})
	return c
}

func TestCrash_SIGKILLWhileJobsRun_EveryCommittedJobOnce(t *testing.T) {
	for _, dbc := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "crm.db") }},
		{"postgres", func(t *testing.T) string { return testutil.PostgresURL(t) }},
	} {
		t.Run(dbc.name, func(t *testing.T) { crashTest(t, dbc.url(t)) })
	}
}

func crashTest(t *testing.T, url string) {
	ctx := context.Background()
	fx := &effects{applied: map[string]int{}}
	srv := httptest.NewServer(fx)
	defer srv.Close()

	d, err := db.Open(ctx, db.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ws := jobs.NewWorkers()
	jobs.Add(ws, &effectWorker{})
	q, err := jobs.New(ctx, d, ws, jobs.Config{}) // insert-only: the children work
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()

	// 300 jobs in transactions of 10; every fifth transaction rolls back.
	sys := viewer.Operator.Grant(ctx, "test")
	committed := map[string]bool{}
	var rolledBack []string
	for tx := range 30 {
		var keys []string
		err := txn.Run(sys, d.Client, func(ctx context.Context, _ *ent.Client) error {
			for i := range 10 {
				key := fmt.Sprintf("effect-%02d-%d", tx, i)
				if _, err := q.Enqueue(ctx, effectArgs{Key: key, URL: srv.URL}, nil); err != nil {
					return err
				}
				keys = append(keys, key)
			}
			if tx%5 == 4 {
				return errRollback
			}
			return nil
		})
		switch {
		case errors.Is(err, errRollback):
			rolledBack = append(rolledBack, keys...)
		case err != nil:
			t.Fatal(err)
		default:
			for _, k := range keys {
				committed[k] = true
			}
		}
	}

	keyFile := filepath.Join(t.TempDir(), "audit.key")
	env := []string{
		"AVATARCRM_DATABASE_URL=" + url,
		"AVATARCRM_AUDIT_KEY_FILE=" + keyFile,
		"AVATARCRM_ADDR=127.0.0.1:0",
		"AVATARCRM_DEV=false",
		"AVATARCRM_SEED_DEMO=false",
		"AVATARCRM_JOBS_WORKERS=4",
		"AVATARCRM_JOBS_TIMEOUT=1s",
		"AVATARCRM_JOBS_RESCUE_AFTER=2s",
		"AVATARCRM_SCHEDULES=false",
		"AVATARCRM_LOG_LEVEL=warn",
	}
	first := startChild(t, env, "worker")
	// Kill it once a third of the effects are applied, with calls in flight.
	deadline := time.Now().Add(60 * time.Second)
	for {
		applied, _ := fx.snapshot()
		if len(applied) >= len(committed)/3 {
			break
		}
		if time.Now().After(deadline) || first.cmd.ProcessState != nil {
			t.Fatalf("the worker applied %d effects in 60 s; output:\n%s", len(applied), first.out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	atKill, _ := fx.snapshot()
	running := countJobs(t, d, "running")
	t.Logf("killed the worker with %d of %d effects applied and %d jobs running", len(atKill), len(committed), running)
	if len(atKill) >= len(committed) {
		t.Fatalf("every effect was applied before the kill; the test proves nothing")
	}

	// Restart, this time as the server: it finishes the rest, rescuing the
	// jobs the dead worker left running.
	second := startChild(t, env, "serve")
	deadline = time.Now().Add(120 * time.Second)
	for countJobs(t, d, "completed") < len(committed) {
		if time.Now().After(deadline) || second.cmd.ProcessState != nil {
			t.Fatalf("after the restart only %d of %d jobs completed; output:\n%s", countJobs(t, d, "completed"), len(committed), second.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = second.cmd.Process.Signal(syscall.SIGTERM)
	if err := second.cmd.Wait(); err != nil {
		t.Errorf("serve did not stop cleanly on SIGTERM: %v\n%s", err, second.out)
	}

	applied, requests := fx.snapshot()
	for k := range committed {
		if applied[k] == 0 {
			t.Errorf("committed job %s never reached the provider", k)
		}
	}
	for _, k := range rolledBack {
		if applied[k] != 0 {
			t.Errorf("rolled-back job %s reached the provider", k)
		}
	}
	if len(applied) != len(committed) {
		t.Errorf("the provider saw %d distinct keys, want the %d committed", len(applied), len(committed))
	}
	repeats := 0
	for _, n := range applied {
		repeats += n - 1
	}
	// At least once: a job killed mid-call is called again with the same
	// idempotency key, which the provider applies once.
	t.Logf("%d committed jobs, %d requests, %d repeated after the kill (deduplicated by key)", len(committed), requests, repeats)
	if n := countJobs(t, d, "completed"); n != len(committed) {
		t.Errorf("%d jobs completed, want %d", n, len(committed))
	}
	if n := countJobs(t, d, ""); n != len(committed) {
		t.Errorf("%d effect jobs in the queue, want exactly the %d committed", n, len(committed))
	}
}

var errRollback = errors.New("the change is rolled back")

// countJobs counts the effect jobs in a state ("" for all), reading
// River's table directly.
func countJobs(t *testing.T, d *db.DB, state string) int {
	t.Helper()
	q := "SELECT count(*) FROM river_job WHERE kind = 'test.effect'"
	var args []any
	if state != "" {
		if d.Dialect == "postgres" {
			q += " AND state = $1"
		} else {
			q += " AND state = ?"
		}
		args = append(args, state)
	}
	var n int
	if err := d.SQL.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
