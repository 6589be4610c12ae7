package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/db"
)

// ErrNoTransaction is returned by Enqueue outside a transaction: a job
// enqueued on its own could outlive a change that rolls back, or be lost
// when the change commits and the enqueue fails. Enqueue inside the
// change's transaction (txn.Run), or use EnqueueAlone when the job is the
// whole change.
var ErrNoTransaction = errors.New("jobs: Enqueue needs the transaction of the change that causes the job (txn.Run), or use EnqueueAlone")

// ErrUnknownTransaction is returned by Enqueue inside an ent transaction
// that was not opened through txn.Run, the GraphQL transactioner or the
// UI's form posts: its *sql.Tx was not recorded (db.WithSQLTx), so the job
// could not join it.
var ErrUnknownTransaction = errors.New("jobs: the transaction in the context was opened without db.WithSQLTx; open it with txn.Run")

// Enqueued is the outcome of an enqueue.
type Enqueued struct {
	// ID is the job's ID (River's), or the existing job's for a duplicate.
	ID int64
	// Duplicate is true when a unique job with the same key already
	// existed, so nothing new was enqueued.
	Duplicate bool
}

// Enqueue inserts a job in the transaction that ctx carries, so it
// commits or rolls back with the change that causes it; it is worked once
// that transaction commits. Outside a transaction it fails with
// ErrNoTransaction (it never opens one of its own: the caller's change
// would then commit without its job, or the reverse).
//
// opts may be nil; the kind's InsertOpts method, then the queue's defaults
// apply. For an idempotent side effect give the kind a unique key
// (river.UniqueOpts{ByArgs: true} with the fields that identify the effect
// tagged `river:"unique"`): a second enqueue of the same key is a
// Duplicate, not a second job.
func (q *Queue) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (Enqueued, error) {
	if err := q.known(args); err != nil {
		return Enqueued{}, err
	}
	tx := db.SQLTx(ctx)
	if tx == nil {
		if ent.TxFromContext(ctx) != nil {
			return Enqueued{}, ErrUnknownTransaction
		}
		return Enqueued{}, ErrNoTransaction
	}
	res, err := q.client.InsertTx(ctx, tx, args, opts)
	if err != nil {
		return Enqueued{}, err
	}
	return Enqueued{ID: res.Job.ID, Duplicate: res.UniqueSkippedAsDuplicate}, nil
}

// EnqueueAlone inserts a job on its own, for callers whose enqueue is the
// whole change: schedules (which only enqueue), operators' commands,
// retries of a webhook. Inside a service's change use Enqueue.
func (q *Queue) EnqueueAlone(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (Enqueued, error) {
	if err := q.known(args); err != nil {
		return Enqueued{}, err
	}
	res, err := q.client.Insert(ctx, args, opts)
	if err != nil {
		return Enqueued{}, err
	}
	return Enqueued{ID: res.Job.ID, Duplicate: res.UniqueSkippedAsDuplicate}, nil
}

// known refuses a job of a kind with no registered worker: nothing would
// ever work it.
func (q *Queue) known(args river.JobArgs) error {
	if _, ok := q.workers.phi[args.Kind()]; !ok {
		return fmt.Errorf("jobs: no worker is registered for job kind %q (jobs.Add)", args.Kind())
	}
	return nil
}

// Enqueuer is what a service needs to enqueue jobs in its changes;
// *Queue implements it.
type Enqueuer interface {
	Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (Enqueued, error)
}

var _ Enqueuer = (*Queue)(nil)

// EnqueueMany inserts many jobs in the transaction that ctx carries, in
// one statement per batch (River's InsertManyTx): a campaign's thousands
// of send jobs commit with the recipients they send to. Unique keys hold
// as in Enqueue.
func (q *Queue) EnqueueMany(ctx context.Context, params []river.InsertManyParams) (int, error) {
	for _, p := range params {
		if err := q.known(p.Args); err != nil {
			return 0, err
		}
	}
	tx := db.SQLTx(ctx)
	if tx == nil {
		if ent.TxFromContext(ctx) != nil {
			return 0, ErrUnknownTransaction
		}
		return 0, ErrNoTransaction
	}
	res, err := q.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}
