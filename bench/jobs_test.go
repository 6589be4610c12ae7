package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// The job queue's benchmarks run on a fresh database each (they do not
// need the 100,000 contacts), except BenchmarkCreateContactWithJob, which
// measures what an enqueue adds to BenchmarkCreateContact on the large one.

// noopArgs is a job that does nothing but report when it started.
type noopArgs struct {
	N          int      `json:"n"`
	LocationID pulid.ID `json:"location_id,omitempty"`
}

func (noopArgs) Kind() string { return "bench.noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
	started func(n int)
}

func (w *noopWorker) Work(_ context.Context, j *river.Job[noopArgs]) error {
	if w.started != nil {
		w.started(j.Args.N)
	}
	return nil
}

// queueSetups are the databases and River pool layouts measured.
var queueSetups = []struct {
	name   string
	open   func(b *testing.B) *db.DB
	shared bool
}{
	{"sqlite-own-pool", func(b *testing.B) *db.DB { return testutil.OpenDB(b) }, false},
	{"sqlite-shared-pool", func(b *testing.B) *db.DB { return testutil.OpenDB(b) }, true},
	{"postgres", openPostgres, false},
}

func openPostgres(b *testing.B) *db.DB {
	d, err := db.Open(context.Background(), db.Config{URL: testutil.PostgresURL(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return d
}

func startQueue(b *testing.B, d *db.DB, shared bool, workers int, started func(int)) *jobs.Queue {
	b.Helper()
	ws := jobs.NewWorkers()
	jobs.Add(ws, &noopWorker{started: started})
	q, err := jobs.New(context.Background(), d, ws, jobs.Config{Workers: workers, SharedSQLitePool: shared})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(q.Close)
	if workers > 0 {
		if err := q.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(ctx)
		})
	}
	return q
}

// enqueueBatch commits n jobs in one transaction.
func enqueueBatch(ctx context.Context, d *db.DB, q *jobs.Queue, from, n int) error {
	return txn.Run(ctx, d.Client, func(ctx context.Context, _ *ent.Client) error {
		for i := from; i < from+n; i++ {
			if _, err := q.Enqueue(ctx, noopArgs{N: i}, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkJobsThroughput enqueues b.N jobs (transactions of 50) while ten
// (the default) or fifty workers run them, and reports jobs/s from the
// first enqueue to the last job started.
func BenchmarkJobsThroughput(b *testing.B) {
	for _, s := range queueSetups {
		for _, workers := range []int{10, 50} {
			b.Run(fmt.Sprintf("%s/workers-%d", s.name, workers), func(b *testing.B) { throughput(b, s.open, s.shared, workers) })
		}
	}
}

func throughput(b *testing.B, open func(*testing.B) *db.DB, shared bool, workers int) {
	d := open(b)
	var done atomic.Int64
	all := make(chan struct{})
	target := int64(b.N)
	q := startQueue(b, d, shared, workers, func(int) {
		if done.Add(1) == target {
			close(all)
		}
	})
	ctx := viewer.Operator.Grant(context.Background(), "test")
	b.ResetTimer()
	for i := 0; i < b.N; i += 50 {
		if err := enqueueBatch(ctx, d, q, i, min(50, b.N-i)); err != nil {
			b.Fatal(err)
		}
	}
	enqueued := b.Elapsed()
	select {
	case <-all:
	case <-time.After(5 * time.Minute):
		b.Fatalf("%d of %d jobs ran", done.Load(), b.N)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	b.ReportMetric(float64(b.N)/enqueued.Seconds(), "enqueued/s")
	// Completion is recorded in batches after the work; wait for it so the
	// next round starts on an idle queue.
	waitIdle(b, d)
}

// BenchmarkJobsCommitToStart commits one job at a time, 50-100 ms apart
// (as contacts arrive, not in lockstep with the queue's own fetches), and
// measures how long after the commit a worker starts it (p50, p95).
func BenchmarkJobsCommitToStart(b *testing.B) {
	for _, s := range queueSetups {
		b.Run(s.name, func(b *testing.B) {
			d := s.open(b)
			startedAt := make(chan time.Time, 1)
			q := startQueue(b, d, s.shared, 10, func(int) { startedAt <- time.Now() })
			ctx := viewer.Operator.Grant(context.Background(), "test")
			time.Sleep(time.Second) // the client's loops are up
			lat := make(latencies, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				if err := enqueueBatch(ctx, d, q, i, 1); err != nil {
					b.Fatal(err)
				}
				committed := time.Now()
				select {
				case t := <-startedAt:
					lat = append(lat, t.Sub(committed))
				case <-time.After(30 * time.Second):
					b.Fatalf("job %d did not start within 30 s", i)
				}
				b.StopTimer()
				time.Sleep(50*time.Millisecond + time.Duration(i%10)*5*time.Millisecond)
				b.StartTimer()
			}
			b.StopTimer()
			lat.report(b)
		})
	}
}

// BenchmarkJobsWriteContention measures an application write transaction
// (a contact insert, as the system) while the queue is busy: a producer
// keeps enqueuing and ten workers keep completing. "idle" is the same
// write with no queue running. On SQLite every one of these writes needs
// the single write lock that River's fetches and completions also take.
func BenchmarkJobsWriteContention(b *testing.B) {
	type setup struct {
		name   string
		open   func(b *testing.B) *db.DB
		shared bool
		busy   bool
	}
	setups := []setup{{"sqlite-idle", queueSetups[0].open, false, false}}
	for _, s := range queueSetups {
		setups = append(setups, setup{s.name + "-busy", s.open, s.shared, true})
	}
	setups = append(setups, setup{"postgres-idle", openPostgres, false, false})
	for _, s := range setups {
		b.Run(s.name, func(b *testing.B) {
			d := s.open(b)
			ctx := viewer.Operator.Grant(context.Background(), "test")
			loc, err := d.Client.Location.Create().SetCode("BEN").SetName("Bench").Save(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var ran atomic.Int64
			bgStart := time.Now()
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if s.busy {
				q := startQueue(b, d, s.shared, 10, func(int) { ran.Add(1) })
				wg.Go(func() {
					for i := 0; ; i += 10 {
						select {
						case <-stop:
							return
						default:
						}
						if err := enqueueBatch(ctx, d, q, i, 10); err != nil {
							b.Error(err)
							return
						}
						time.Sleep(5 * time.Millisecond)
					}
				})
				time.Sleep(500 * time.Millisecond)
			}
			measure(b, func(i int) error {
				return txn.Run(ctx, d.Client, func(ctx context.Context, c *ent.Client) error {
					_, err := c.Contact.Create().SetLocationID(loc.ID).SetFirstName("Write").SetLastName(fmt.Sprint(i)).
						SetLeadSource(contact.LeadSourceWalkIn).Save(ctx)
					return err
				})
			})
			close(stop)
			wg.Wait()
			if s.busy {
				b.ReportMetric(float64(ran.Load())/time.Since(bgStart).Seconds(), "bg-jobs/s")
			}
		})
	}
}

// waitIdle waits until no job is left unfinished.
func waitIdle(b *testing.B, d *db.DB) {
	b.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var n int
		if err := d.SQL.QueryRow("SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'discarded', 'cancelled')").Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// welcomeArgs stands for the welcome SMS the automation step will enqueue
// with every new lead.
type welcomeArgs struct {
	ContactID  pulid.ID `json:"contact_id" river:"unique"`
	LocationID pulid.ID `json:"location_id"`
}

func (welcomeArgs) Kind() string { return "bench.welcome" }

func (welcomeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type welcomeWorker struct {
	river.WorkerDefaults[welcomeArgs]
}

func (welcomeWorker) Work(context.Context, *river.Job[welcomeArgs]) error { return nil }

// BenchmarkCreateContactWithJob is BenchmarkCreateContact/resolver in a
// transaction, without and with a unique job enqueued in it (the welcome
// SMS of the automation step), on the large database: what the enqueue
// adds to the write path. "with-job-working" also runs ten workers that
// complete the jobs, so River's writes compete with the creates.
func BenchmarkCreateContactWithJob(b *testing.B) {
	f := getFixture(b)
	ws := jobs.NewWorkers()
	jobs.Add(ws, &welcomeWorker{})
	input := func(i int) ent.CreateContactInput {
		return ent.CreateContactInput{
			FirstName:  "Bench",
			LastName:   ptr(fmt.Sprintf("Job%d", i)),
			Phone:      ptr(fmt.Sprintf("0489 %03d %03d", i/1000%1000, i%1000)),
			Email:      ptr(fmt.Sprintf("Bench.Job%d@Example.net", i)),
			LeadSource: ptr(contact.LeadSourceWalkIn),
		}
	}
	// The jobs left unworked must not reach the servers of later
	// benchmarks on this database, which have no worker for them.
	b.Cleanup(func() { _, _ = f.DB.SQL.Exec("DELETE FROM river_job WHERE kind = 'bench.welcome'") })
	for _, v := range []struct {
		name    string
		enqueue bool
		workers int
	}{{"no-job", false, 0}, {"with-job", true, 0}, {"with-job-working", true, 10}} {
		b.Run(v.name, func(b *testing.B) {
			q, err := jobs.New(context.Background(), f.DB, ws, jobs.Config{Workers: v.workers})
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			if v.workers > 0 {
				if err := q.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				defer func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					_ = q.Stop(ctx)
				}()
			}
			ctx := testutil.As(b, f.DB.Client, "staff@example.com")
			m := (&graph.Resolver{Client: f.DB.Client, ContactService: &contacts.Service{Client: f.DB.Client}}).Mutation()
			allow := false
			measure(b, func(int) error {
				return txn.Run(ctx, f.DB.Client, func(ctx context.Context, _ *ent.Client) error {
					c, err := m.CreateContact(ctx, input(int(createSeq.Add(1))), &allow)
					if err != nil || !v.enqueue {
						return err
					}
					_, err = q.Enqueue(ctx, welcomeArgs{ContactID: c.ID, LocationID: c.LocationID}, nil)
					return err
				})
			})
		})
	}
}
