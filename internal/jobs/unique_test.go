package jobs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// Enqueuing the same unique job twice runs it once, before and after it
// has run.
func TestQueue_UniqueJobRunsOnce(t *testing.T) {
	d := databases()[0].open(t)
	p := newProbe()
	q := newQueue(t, d, p, jobs.Config{Workers: 2})
	ctx := system()
	enqueue := func() jobs.Enqueued {
		t.Helper()
		var res jobs.Enqueued
		err := txn.Run(ctx, d.Client, func(ctx context.Context, _ *ent.Client) error {
			var err error
			res, err = q.Enqueue(ctx, probeArgs{Key: "reminder-24h:bkg_1"}, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first, second := enqueue(), enqueue()
	if first.Duplicate || !second.Duplicate || second.ID != first.ID {
		t.Fatalf("enqueues = %+v then %+v; want a new job then a duplicate of it", first, second)
	}
	waitState(t, q, first.ID, 10*time.Second, jobs.StateCompleted)
	if third := enqueue(); !third.Duplicate {
		t.Fatalf("enqueue after completion = %+v, want a duplicate of the completed job", third)
	}
	time.Sleep(300 * time.Millisecond)
	if n := p.count("reminder-24h:bkg_1"); n != 1 {
		t.Fatalf("the unique job ran %d times, want 1", n)
	}
}

// Two queues (two processes' River clients) on one database, both working
// and both enqueuing the same unique jobs: every job runs exactly once.
func TestQueue_TwoClientsNeverRunAJobTwice(t *testing.T) {
	for _, dbc := range databases() {
		t.Run(dbc.name, func(t *testing.T) {
			d := dbc.open(t)
			p := newProbe()
			a := newQueue(t, d, p, jobs.Config{Workers: 4, ID: "client-a"})
			b := newQueue(t, d, p, jobs.Config{Workers: 4, ID: "client-b"})
			ctx := system()
			const n = 150
			got := [2][]int64{make([]int64, n), make([]int64, n)}
			var wg sync.WaitGroup
			for qi, q := range []*jobs.Queue{a, b} {
				ids := got[qi]
				wg.Go(func() {
					for i := range n {
						res, err := q.EnqueueAlone(ctx, probeArgs{Key: fmt.Sprintf("k%03d", i)}, nil)
						if err != nil {
							t.Errorf("enqueue %d: %v", i, err)
							return
						}
						ids[i] = res.ID
					}
				})
			}
			wg.Wait()
			ids := got[0]
			for i, id := range ids {
				if got[1][i] != id {
					t.Errorf("job k%03d: the two clients enqueued jobs %d and %d, want one job", i, id, got[1][i])
				}
				waitState(t, a, id, 30*time.Second, jobs.StateCompleted)
				if c := p.count(fmt.Sprintf("k%03d", i)); c != 1 {
					t.Errorf("job k%03d ran %d times, want 1", i, c)
				}
			}
			// Both clients took part.
			byClient := map[string]int{}
			for _, id := range ids {
				r, err := a.River().JobGet(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.AttemptedBy) > 0 {
					byClient[r.AttemptedBy[len(r.AttemptedBy)-1]]++
				}
			}
			t.Logf("jobs worked per client: %v", byClient)
		})
	}
}
