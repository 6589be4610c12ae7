package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// A job enqueued in a change's transaction exists exactly when the change
// does: a rollback drops both, a commit keeps both, and no worker starts
// the job before the commit.
func TestQueue_Enqueue_SameTransaction(t *testing.T) {
	for _, dbc := range databases() {
		t.Run(dbc.name, func(t *testing.T) {
			d := dbc.open(t)
			p := newProbe()
			q := newQueue(t, d, p, jobs.Config{Workers: 2})
			ctx := system()

			t.Run("RollbackDropsTheJob", func(t *testing.T) {
				boom := errors.New("the change failed")
				var id int64
				err := txn.Run(ctx, d.Client, func(ctx context.Context, c *ent.Client) error {
					if _, err := mustCreateLocation(ctx, c, "RBK"); err != nil {
						return err
					}
					res, err := q.Enqueue(ctx, probeArgs{Key: "rolled-back"}, nil)
					if err != nil {
						return err
					}
					id = res.ID
					return boom
				})
				if !errors.Is(err, boom) {
					t.Fatalf("txn.Run = %v, want the change's error", err)
				}
				if n := d.Client.Location.Query().Where(location.Code("RBK")).CountX(ctx); n != 0 {
					t.Fatalf("the rolled-back location exists (%d rows)", n)
				}
				if _, err := q.Get(ctx, id); err == nil {
					t.Fatalf("job %d exists after its transaction rolled back", id)
				}
				time.Sleep(500 * time.Millisecond) // five poll intervals
				if n := p.count("rolled-back"); n != 0 {
					t.Fatalf("the rolled-back job ran %d times", n)
				}
			})

			t.Run("CommitKeepsTheJob", func(t *testing.T) {
				var id int64
				err := txn.Run(ctx, d.Client, func(ctx context.Context, c *ent.Client) error {
					if _, err := mustCreateLocation(ctx, c, "CMT"); err != nil {
						return err
					}
					res, err := q.Enqueue(ctx, probeArgs{Key: "committed"}, nil)
					if err != nil {
						return err
					}
					id = res.ID
					// Workers are polling; none may see the job yet.
					time.Sleep(400 * time.Millisecond)
					if n := p.count("committed"); n != 0 {
						t.Errorf("the job ran %d times before its transaction committed", n)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if n := d.Client.Location.Query().Where(location.Code("CMT")).CountX(ctx); n != 1 {
					t.Fatalf("the committed location: %d rows, want 1", n)
				}
				waitState(t, q, id, 10*time.Second, jobs.StateCompleted)
				if n := p.count("committed"); n != 1 {
					t.Fatalf("the committed job ran %d times, want 1", n)
				}
			})

			t.Run("OutsideATransaction", func(t *testing.T) {
				if _, err := q.Enqueue(ctx, probeArgs{Key: "alone"}, nil); !errors.Is(err, jobs.ErrNoTransaction) {
					t.Fatalf("Enqueue without a transaction = %v, want ErrNoTransaction", err)
				}
				// A transaction opened without the slot cannot be joined.
				tx, err := d.Client.Tx(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = tx.Rollback() }()
				if _, err := q.Enqueue(ent.NewTxContext(ctx, tx), probeArgs{Key: "unknown"}, nil); !errors.Is(err, jobs.ErrUnknownTransaction) {
					t.Fatalf("Enqueue in a bare ent transaction = %v, want ErrUnknownTransaction", err)
				}
			})

			t.Run("NestedServiceJoinsTheCallersTransaction", func(t *testing.T) {
				// A service calling txn.Run inside a caller's transaction
				// joins it; its job goes with the caller's rollback.
				err := txn.Run(ctx, d.Client, func(ctx context.Context, c *ent.Client) error {
					return txn.Run(ctx, d.Client, func(ctx context.Context, c *ent.Client) error {
						_, err := q.Enqueue(ctx, probeArgs{Key: "nested"}, nil)
						if err != nil {
							return err
						}
						return errors.New("outer change fails")
					})
				})
				if err == nil {
					t.Fatal("want the change's error")
				}
				page, err := q.List(ctx, jobs.ListParams{Kinds: []string{"test.probe"}})
				if err != nil {
					t.Fatal(err)
				}
				for _, j := range page.Jobs {
					if string(j.Args) == `{"key":"nested"}` {
						t.Fatalf("the nested job survived the rollback: %+v", j)
					}
				}
			})
		})
	}
}
