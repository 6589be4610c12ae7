package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// BenchmarkWarmnessSchedule measures the warmness schedule's run on the
// large database, as the server runs it (entclient: audit, search and
// warmness hooks; the AI layer's built-in scorer).
//
// AVATARCRM_BENCH_WARM_HISTORY contacts (default all the bulk ones) are
// given a message from the patient at a random time in the last 120 days
// first, so their scores age with the clock: the worst case, where every
// contact has a history. Sub-benchmarks, each of one run (-benchtime 1x):
//
//   - legacy_all: every contact rescored and written in transactions of
//     200 with the reads inside them, as the schedule did before.
//   - due_first: the run after the upgrade: every contact with a history
//     is due at once (the migration's backfill).
//   - due_tick: a run 15 minutes later: only the contacts whose score
//     moved with the clock in those 15 minutes.
//
// Each reports run-ms, contacts checked and written, and create-p50-ms /
// create-max-ms: a contact insert (its own transaction) every 20 ms while
// the run works, against idle-create-p50-ms with nothing running.
func BenchmarkWarmnessSchedule(b *testing.B) {
	f := getFixture(b)
	ctx := context.Background()
	sys := viewer.Seed.Grant(ctx, "bench")
	history := f.Contacts
	if v := os.Getenv("AVATARCRM_BENCH_WARM_HISTORY"); v != "" {
		history, _ = strconv.Atoi(v)
	}
	now := testutil.Now
	if err := giveHistory(sys, f, history, now); err != nil {
		b.Fatal(err)
	}
	at := now
	ec := entclient.New(f.DB, entclient.Options{AuditKey: testutil.AuditKey, Clock: clock.Clock(func() time.Time { return at })})
	defer func() { _ = ec.Audit.Close(ctx) }()
	job := viewer.Scheduler.Grant(ctx, "bench")
	idle := createLatencies(b, ec, f.Location, func() bool { return false }, 30)
	b.Logf("idle create p50 %.2f ms", idle.p50())

	var backfill func() error // before due_first's run, untimed
	run := func(b *testing.B, name string, fn func() (warmness.Rescored, error)) {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				if backfill != nil {
					if err := backfill(); err != nil {
						b.Fatal(err)
					}
				}
				var res warmness.Rescored
				var err error
				var took time.Duration
				stop := countStatements(b)
				cpu0 := processCPU()
				done := make(chan struct{})
				var lat latencies
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					lat = createLatencies(b, ec, f.Location, func() bool {
						select {
						case <-done:
							return true
						default:
							return false
						}
					}, 1<<30)
				}()
				t0 := time.Now()
				res, err = fn()
				took = time.Since(t0)
				close(done)
				wg.Wait()
				cpu := processCPU() - cpu0
				stop()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(took)/float64(time.Millisecond), "run-ms")
				b.ReportMetric(float64(cpu)/float64(time.Millisecond), "cpu-ms")
				b.ReportMetric(float64(res.Checked), "checked")
				b.ReportMetric(float64(res.Written), "written")
				b.ReportMetric(float64(len(lat)), "creates")
				b.ReportMetric(lat.p50(), "create-p50-ms")
				b.ReportMetric(lat.max(), "create-max-ms")
				b.ReportMetric(idle.p50(), "idle-create-p50-ms")
			}
		})
	}
	run(b, "legacy_all", func() (warmness.Rescored, error) { return legacyAll(job, ec) })
	backfill = func() error {
		// The migration's backfill: every contact with a history is due.
		_, err := f.DB.SQL.ExecContext(ctx, "UPDATE contacts SET warmness_due_at = created_at WHERE EXISTS (SELECT 1 FROM touchpoints t WHERE t.contact_id = contacts.id AND t.kind = 'sms_in')")
		return err
	}
	run(b, "due_first", func() (warmness.Rescored, error) { return ec.Warmness.RecalculateDue(job) })
	backfill = nil
	// AVATARCRM_BENCH_WARM_OFFSET (minutes) moves the ticks on, for a
	// second process on the same database after a first one's ticks.
	if v := os.Getenv("AVATARCRM_BENCH_WARM_OFFSET"); v != "" {
		m, _ := strconv.Atoi(v)
		at = at.Add(time.Duration(m) * time.Minute)
	}
	at = at.Add(15 * time.Minute)
	run(b, "due_tick", func() (warmness.Rescored, error) { return ec.Warmness.RecalculateDue(job) })
	at = at.Add(15 * time.Minute)
	run(b, "due_tick2", func() (warmness.Rescored, error) { return ec.Warmness.RecalculateDue(job) })
}

// legacyAll is the schedule's run before: every contact, 200 to a
// transaction, each read, scored and written inside it.
func legacyAll(ctx context.Context, ec *entclient.Client) (warmness.Rescored, error) {
	var res warmness.Rescored
	var last pulid.ID
	for {
		ids, err := ec.Ent.Contact.Query().Where(contact.IDGT(last)).Order(contact.ByID()).Limit(200).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return res, err
		}
		err = txn.Run(ctx, ec.Ent, func(ctx context.Context, c *ent.Client) error {
			for _, id := range ids {
				if _, err := ec.Warmness.Recalculate(ctx, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Checked += len(ids)
		res.Written += len(ids)
		last = ids[len(ids)-1]
	}
}

// giveHistory gives n bulk contacts one message from the patient each, at
// a random time in the 120 days before now (no hooks: the runs score them).
func giveHistory(ctx context.Context, f *fixture, n int, now time.Time) error {
	have, err := f.DB.Client.Touchpoint.Query().Where(touchpoint.KindEQ(touchpoint.KindSmsIn), touchpoint.SummaryEQ("bench history")).Count(ctx)
	if err != nil || have > 0 {
		return err
	}
	rng := rand.New(rand.NewPCG(7, 7))
	var last pulid.ID
	for done := 0; done < n; {
		ids, err := f.DB.Client.Contact.Query().Where(contact.IDGT(last), contact.LocationID(f.Location)).Order(contact.ByID()).Limit(min(1000, n-done)).IDs(ctx)
		if err != nil || len(ids) == 0 {
			return err
		}
		tx, err := f.DB.Client.Tx(ctx)
		if err != nil {
			return err
		}
		bs := make([]*ent.TouchpointCreate, 0, len(ids))
		for _, id := range ids {
			bs = append(bs, tx.Touchpoint.Create().SetLocationID(f.Location).SetContactID(id).SetKind(touchpoint.KindSmsIn).
				SetSummary("bench history").SetOccurredAt(now.Add(-time.Duration(rng.Int64N(int64(120*24*time.Hour))))))
		}
		if err := tx.Touchpoint.CreateBulk(bs...).Exec(ctx); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("history: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		done += len(ids)
		last = ids[len(ids)-1]
	}
	return nil
}

// createLatencies inserts a contact (its own transaction, every hook) every
// 20 ms until stop says so or max are done, and returns their latencies.
func createLatencies(b *testing.B, ec *entclient.Client, loc pulid.ID, stop func() bool, limit int) latencies {
	ctx := viewer.Seed.Grant(context.Background(), "bench")
	var lat latencies
	for i := 0; i < limit && !stop(); i++ {
		t0 := time.Now()
		err := txn.Run(ctx, ec.Ent, func(ctx context.Context, c *ent.Client) error {
			return c.Contact.Create().SetLocationID(loc).SetFirstName("During").SetLastName(fmt.Sprintf("Run%d", i)).Exec(ctx)
		})
		if err != nil {
			b.Error(err)
			return lat
		}
		lat = append(lat, time.Since(t0))
		time.Sleep(20 * time.Millisecond)
	}
	return lat
}

func (l latencies) p50() float64 { return l.pct(0.5) }
func (l latencies) max() float64 { return l.pct(1) }

func (l latencies) pct(p float64) float64 {
	if len(l) == 0 {
		return 0
	}
	s := append(latencies(nil), l...)
	for i := 1; i < len(s); i++ { // small: insertion sort
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	i := max(0, min(int(float64(len(s))*p+0.5)-1, len(s)-1))
	return float64(s[i]) / float64(time.Millisecond)
}
