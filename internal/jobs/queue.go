// Package jobs is the durable job queue: River (github.com/riverqueue/river)
// on the application's database, SQLite or PostgreSQL.
//
// A job kind is an arguments struct with a Kind method and a River worker
// for it, registered with Add. A service enqueues a job with
// Queue.Enqueue inside the transaction of the change that causes it, so
// the job commits or rolls back with the change. Workers run inside
// `avatarcrm serve` and in `avatarcrm worker` processes; every job runs as
// the job capability (viewer.ForJob) for the location in its arguments.
// Delivery is at least once: a job whose process dies mid-run is run again,
// so a worker's side effect must be idempotent (a unique key, or a check of
// what it already did). Failed attempts are retried with exponential
// backoff (Backoff); a job out of attempts is discarded, River's dead
// letter, and can be listed, retried or discarded with the admin API
// (admin.go). docs/AUTOMATION.md explains the design and the measurements.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/avatarimaging/avatarcrm/internal/db"
)

// Queue names. Long scans over every contact run one at a time on their
// own queue so they never hold up messages.
const (
	QueueDefault     = river.QueueDefault
	QueueMaintenance = "maintenance"
)

// Config says how this process takes part in the queue.
type Config struct {
	// Workers is how many jobs of the default queue this process works at
	// once; 0 makes it insert-only (another process works the jobs).
	Workers int
	// MaxAttempts is how many times a job is tried before it is discarded
	// (dead-lettered), unless its kind says otherwise (default 10).
	MaxAttempts int
	// Backoff spaces the retries.
	Backoff Backoff
	// JobTimeout bounds one attempt (default 1 min).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay "running" before it is taken
	// to have died with its process (SIGKILL, power loss) and is tried
	// again; at least JobTimeout (default 5 min).
	RescueAfter time.Duration
	// PollInterval is how often workers look for due jobs besides being
	// told of new ones (default 1 s on SQLite, 200 ms on PostgreSQL: see
	// defaultPoll).
	PollInterval time.Duration
	// FetchCooldown is the least time between two fetches of due jobs
	// (default 20 ms; River's is 100 ms). A new job waits for the next
	// fetch, so it bounds the latency from commit to start, and with
	// Workers it bounds throughput (Workers jobs per fetch).
	FetchCooldown time.Duration
	// OnlyKinds, when set, makes this process work only jobs of these
	// kinds (an operator's `avatarcrm schedule run`); others wait for the
	// processes that work everything.
	OnlyKinds []string
	// SharedSQLitePool makes River use the application's SQLite read pool
	// for everything (measured in docs/AUTOMATION.md).
	SharedSQLitePool bool
	// OwnSQLitePool gives River's workers a one-connection pool of their
	// own, as before issue 12's write-path fix, instead of the
	// application's write connection (for measurement:
	// docs/PERFORMANCE.md).
	OwnSQLitePool bool
	// ID names this process in River's tables (default: River's, from the
	// host name and the time).
	ID string
	// Logger receives River's and the workers' logs (default slog.Default
	// at warn and above for River itself).
	Logger *slog.Logger
}

// Queue is the job queue of one process. It holds two River clients on
// one driver: an inserter, ready from New, that enqueues and serves the
// admin API, and the worker client, built at Start from every kind
// registered by then. So a service can take the queue before the workers
// that call that service are registered.
type Queue struct {
	client  *river.Client[*sql.Tx] // the inserter
	work    *river.Client[*sql.Tx] // the workers, from Start
	rc      river.Config           // the worker client's configuration
	only    []string
	driver  riverdriver.Driver[*sql.Tx] // the inserter's
	wdriver riverdriver.Driver[*sql.Tx] // the workers', when not driver
	workers *Workers
	dialect string
	working bool
	log     *slog.Logger
	closers []func()
}

// New builds the queue over d's database. River's tables must exist
// (db.Migrate creates them). Job kinds may be added to ws until Start;
// nothing is worked before it.
func New(ctx context.Context, d *db.DB, ws *Workers, cfg Config) (*Queue, error) {
	if ws == nil {
		ws = NewWorkers()
	}
	log := cmp.Or(cfg.Logger, slog.Default())
	q := &Queue{workers: ws, dialect: d.Dialect, working: cfg.Workers > 0, log: log}
	var err error
	switch {
	case d.Dialect == dialect.Postgres:
		q.driver, err = q.postgresDriver(ctx, d, cfg)
	case cfg.SharedSQLitePool:
		q.driver = riversqlite.New(d.SQL)
	case d.Write != nil && !cfg.OwnSQLitePool:
		// A SQLite file: River's workers (fetch, completion, leader
		// election, maintenance) share the application's single write
		// connection (internal/db/writer.go). Their statements queue in
		// database/sql behind the application's transactions, and the
		// application's behind theirs, in Go: no SQLite busy handler
		// sleeping between tries, and no commit by another connection that
		// makes the writer drop its page cache (docs/PERFORMANCE.md).
		// The inserter stays on the read pool: it inserts inside the
		// caller's transaction (whatever its pool), and its reads (the
		// jobs admin) run inside mutations that hold the write connection.
		q.driver = riversqlite.New(d.SQL)
		q.wdriver = riversqlite.New(d.Write)
	default:
		// River runs several loops at once (fetch, complete, leader
		// election, maintenance, notification polling); on one connection
		// of its own they queue in Go instead of fighting for SQLite's lock,
		// and meet the application's writers only through the busy timeout.
		var pool *sql.DB
		if pool, err = d.OpenPool(1); err == nil {
			q.closers = append(q.closers, func() { _ = pool.Close() })
			q.driver = riversqlite.New(pool)
		}
	}
	if err != nil {
		q.Close()
		return nil, err
	}
	b := cfg.Backoff
	rc := &river.Config{
		ID:                          cfg.ID,
		Logger:                      riverLogger(cfg.Logger),
		FetchOnlyKnownKinds:         len(cfg.OnlyKinds) > 0,
		RetryPolicy:                 b,
		MaxAttempts:                 cmp.Or(cfg.MaxAttempts, 10),
		JobTimeout:                  cmp.Or(cfg.JobTimeout, time.Minute),
		RescueStuckJobsAfter:        cmp.Or(cfg.RescueAfter, 5*time.Minute),
		FetchPollInterval:           cmp.Or(cfg.PollInterval, defaultPoll(d.Dialect)),
		FetchCooldown:               min(cmp.Or(cfg.PollInterval, defaultPoll(d.Dialect)), cmp.Or(cfg.FetchCooldown, 20*time.Millisecond)),
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
		CancelledJobRetentionPeriod: 7 * 24 * time.Hour,
		DiscardedJobRetentionPeriod: 30 * 24 * time.Hour,
		Middleware:                  []rivertype.Middleware{&tagLocation{}, &actAsJob{log: log}},
	}
	if rc.RescueStuckJobsAfter < rc.JobTimeout {
		rc.RescueStuckJobsAfter = rc.JobTimeout
	}
	if q.working {
		rc.Queues = map[string]river.QueueConfig{
			QueueDefault:     {MaxWorkers: cfg.Workers},
			QueueMaintenance: {MaxWorkers: 1},
		}
	}
	q.rc, q.only = *rc, cfg.OnlyKinds
	// The inserter checks kinds itself (Enqueue), against every kind
	// registered at the time, not only those this process works.
	ins := *rc
	ins.Queues, ins.Workers, ins.SkipUnknownJobCheck = nil, nil, true
	if q.client, err = river.NewClient(q.driver, &ins); err != nil {
		q.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return q, nil
}

// postgresDriver is River's database/sql driver over the application's
// pool, with a small pgx pool only for LISTEN, so new jobs are announced
// instead of waiting for the next poll.
func (q *Queue) postgresDriver(ctx context.Context, d *db.DB, cfg Config) (riverdriver.Driver[*sql.Tx], error) {
	if cfg.Workers == 0 {
		return riverdatabasesql.New(d.SQL), nil
	}
	pc, err := pgxpool.ParseConfig(d.URL())
	if err != nil {
		return nil, fmt.Errorf("job queue listener: %w", err)
	}
	pc.MaxConns, pc.MinConns = 2, 0
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("job queue listener: %w", err)
	}
	q.closers = append(q.closers, pool.Close)
	return riverdatabasesql.NewWithPgxListener(d.SQL, pool), nil
}

// riverLogger keeps River's own chatter (leader elections, maintenance) at
// warn and above unless a logger is given.
func riverLogger(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.New(levelFloor{slog.Default().Handler(), slog.LevelWarn})
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

// Start starts working jobs, if this process works any (Config.Workers).
// They run until Stop: cancelling ctx does not cut running jobs off.
func (q *Queue) Start(ctx context.Context) error {
	if !q.working {
		return nil
	}
	rc := q.rc
	rc.Workers = q.workers.riverWorkers(q.only)
	drv := q.driver
	if q.wdriver != nil {
		drv = q.wdriver
	}
	work, err := river.NewClient(drv, &rc)
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	if err := work.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	q.work = work
	return nil
}

// Stop stops fetching jobs and waits for those running to finish, until
// ctx ends; then it cancels them (they will be retried: at-least-once).
func (q *Queue) Stop(ctx context.Context) error {
	if q.work == nil {
		return nil
	}
	err := q.work.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = q.work.StopAndCancel(hctx)
	}
	q.work = nil
	return err
}

// Close releases the queue's own connections (after Stop).
func (q *Queue) Close() {
	for _, c := range q.closers {
		c()
	}
	q.closers = nil
}

// Working reports whether this process works jobs.
func (q *Queue) Working() bool { return q.working }

// Kinds lists the job kinds this queue knows.
func (q *Queue) Kinds() []string { return q.workers.Kinds() }

// River is the underlying inserting client, for what this package does
// not wrap (reading a job's row in tests, queue controls). Prefer the
// methods of Queue: they keep the transaction and access rules.
func (q *Queue) River() *river.Client[*sql.Tx] { return q.client }

// defaultPoll is how often workers look for due jobs unless told.
// On PostgreSQL a new job is announced with NOTIFY, but River sends at most
// one announcement per queue per fetch cooldown: a job inserted right
// after another (a rule's job by the event job that just started, a send
// job by the rule's) is often not announced, and waits for the poll. With
// River's 1 s poll the welcome SMS chain (three jobs) took a second at the
// median (BenchmarkWelcomeSMSLatency/postgres); at 200 ms it takes about
// 150 ms, for five cheap fetch queries a second per queue. On SQLite a
// fetch takes the single write lock, so its poll stays at 1 s; River's
// SQLite driver polls its notification table every 50 ms anyway.
func defaultPoll(d string) time.Duration {
	if d == dialect.Postgres {
		return 200 * time.Millisecond
	}
	return time.Second
}
