package aiusage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/aiusage"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	store "github.com/avatarimaging/avatarcrm/internal/aiusage"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Free built-in calls are counted in one row per location, quarter hour,
// use case, engine, model, fallback and cache hit: three calls in one
// transaction and two outside any make one row of five calls with the
// summed latency and no audit entry; a rolled-back transaction counts
// nothing; a remote call keeps a row of its own. The usage report adds
// the counts up by the location's day.
func TestStore_CountsBuiltinCalls(t *testing.T) {
	d := testutil.DemoDB(t)
	ec := testutil.Client(t, d)
	c := ec.Ent
	admin := testutil.As(t, c, "admin@example.com")
	loc := string(viewer.FromContext(admin).LocationID)
	at := testutil.Now.Add(3 * time.Minute) // 09:03 in Sydney
	s := &store.Store{Client: c, Now: func() time.Time { return at }}
	sys := viewer.AIUsage.Grant(context.Background(), "test")
	entries := func() int {
		n, err := c.AuditEntry.Query().Where(auditentry.ResourceType(ent.TypeAIUsage)).Count(viewer.AuditTrail.Grant(context.Background(), "test"))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := entries()
	builtin := ai.UsageRecord{LocationID: loc, UseCase: ai.UseCase("warmness"), Engine: "builtin", Model: ai.BuiltinModel, Latency: 10 * time.Microsecond}
	err := txn.Run(admin, c, func(ctx context.Context, _ *ent.Client) error {
		for range 3 {
			if err := s.RecordUsage(ctx, builtin); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.RecordUsage(admin, builtin); err != nil {
			t.Fatal(err)
		}
	}
	boom := errors.New("boom")
	if err := txn.Run(admin, c, func(ctx context.Context, _ *ent.Client) error {
		if err := s.RecordUsage(ctx, builtin); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	remote := ai.UsageRecord{LocationID: loc, UseCase: ai.UseCase("warmness"), Engine: "openai", Model: "gpt-test", InputTokens: 10, CostIn: 5, Latency: time.Millisecond}
	if err := s.RecordUsage(admin, remote); err != nil {
		t.Fatal(err)
	}

	rows, err := c.AIUsage.Query().Where(aiusage.UseCase("warmness")).All(sys)
	if err != nil {
		t.Fatal(err)
	}
	var counter, own *ent.AIUsage
	for _, r := range rows {
		if r.Remote {
			own = r
		} else {
			counter = r
		}
	}
	if len(rows) != 2 || counter == nil || own == nil {
		t.Fatalf("%d rows, want a counter and a remote call's row", len(rows))
	}
	if counter.Calls != 5 || counter.LatencyUs != 50 || counter.Slot == nil || !counter.CreatedAt.Equal(testutil.Now) {
		t.Errorf("counter: %d calls, %d µs, slot %v, at %s; want 5 calls, 50 µs, the quarter hour from %s",
			counter.Calls, counter.LatencyUs, counter.Slot, counter.CreatedAt, testutil.Now)
	}
	if own.Calls != 1 || own.Slot != nil || own.CostIn != 5 {
		t.Errorf("remote row: %d calls, slot %v, cost %d", own.Calls, own.Slot, own.CostIn)
	}
	if got := entries() - before; got != 1 {
		t.Errorf("%d audit entries for AI usage, want 1 (the remote call's)", got)
	}

	day := types.Date(at.In(time.FixedZone("AEDT", 11*3600)).Format(types.DateLayout))
	groups, err := s.Usage(admin, day, day)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	for _, g := range groups {
		if g.UseCase == "warmness" {
			calls[g.Engine] += g.Calls
		}
	}
	if calls["builtin"] != 5 || calls["openai"] != 1 {
		t.Errorf("usage report: %v, want 5 built-in and 1 remote call", calls)
	}
}

// A started Store (the server's) holds the counts of committed
// transactions in memory and writes them a moment later, all of them in
// one upsert per group: the usage report reads them at once (it writes
// what is held first), a rolled-back transaction still counts nothing,
// and Stop writes what is left.
func TestStore_StartedHoldsCountsUntilFlushed(t *testing.T) {
	d := testutil.DemoDB(t)
	ec := testutil.Client(t, d)
	c := ec.Ent
	admin := testutil.As(t, c, "admin@example.com")
	loc := string(viewer.FromContext(admin).LocationID)
	at := testutil.Now.Add(3 * time.Minute)
	s := &store.Store{Client: c, Now: func() time.Time { return at }}
	s.Start(context.Background())
	sys := viewer.AIUsage.Grant(context.Background(), "test")
	calls := func() int {
		rows, err := c.AIUsage.Query().Where(aiusage.UseCase("warmness"), aiusage.Remote(false)).All(sys)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rows {
			n += r.Calls
		}
		return n
	}
	builtin := ai.UsageRecord{LocationID: loc, UseCase: ai.UseCase("warmness"), Engine: "builtin", Model: ai.BuiltinModel, Latency: 10 * time.Microsecond}
	record := func(fail error) error {
		return txn.Run(admin, c, func(ctx context.Context, _ *ent.Client) error {
			if err := s.RecordUsage(ctx, builtin); err != nil {
				return err
			}
			return fail
		})
	}
	for range 3 {
		if err := record(nil); err != nil {
			t.Fatal(err)
		}
	}
	boom := errors.New("boom")
	if err := record(boom); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n := calls(); n > 3 {
		t.Fatalf("%d calls stored, want at most the 3 committed", n)
	}
	day := types.Date(at.In(time.FixedZone("AEDT", 11*3600)).Format(types.DateLayout))
	groups, err := s.Usage(admin, day, day)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, g := range groups {
		if g.UseCase == "warmness" && g.Engine == "builtin" {
			got += g.Calls
		}
	}
	if got != 3 || calls() != 3 {
		t.Errorf("usage report: %d built-in calls, %d stored; want 3 and 3", got, calls())
	}
	if err := record(nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := calls(); n != 4 {
		t.Errorf("after Stop: %d calls stored, want 4", n)
	}
}
