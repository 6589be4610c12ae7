package jobs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

type plainArgs struct {
	N int `json:"n"`
}

func (plainArgs) Kind() string { return "test.plain" }

// BenchmarkEnqueue is the cost of one enqueue inside an open transaction
// on SQLite: a plain job, and a unique one (the welcome SMS's shape).
func BenchmarkEnqueue(b *testing.B) {
	d := testutil.OpenDB(b)
	ws := jobs.NewWorkers()
	jobs.Add(ws, &probeWorker{p: newProbe()})
	jobs.Add(ws, river.WorkFunc(func(context.Context, *river.Job[plainArgs]) error { return nil }))
	q, err := jobs.New(context.Background(), d, ws, jobs.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer q.Close()
	ctx := system()
	for _, unique := range []bool{false, true} {
		b.Run(fmt.Sprintf("unique=%v", unique), func(b *testing.B) {
			err := txn.Run(ctx, d.Client, func(ctx context.Context, _ *ent.Client) error {
				b.ResetTimer()
				for i := range b.N {
					var a river.JobArgs = plainArgs{N: i}
					if unique {
						a = probeArgs{Key: fmt.Sprint(i)}
					}
					if _, err := q.Enqueue(ctx, a, nil); err != nil {
						return err
					}
				}
				b.StopTimer()
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
