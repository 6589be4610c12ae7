package aiusage

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/aiusage"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Every new contact is scored by the built-in engine inside its create's
// transaction, and a row (with its audit entry) per score was about a
// quarter of a create's cost through HTTP (docs/PERFORMANCE.md). Those
// calls cost nothing and say nothing about a person, so they are counted:
// one AIUsage row per location, quarter hour, use case, engine, model,
// fallback and cache hit holds how many there were and their summed
// latency. A quarter hour of UTC never straddles a local midnight (every
// zone's offset is a multiple of 15 minutes), so the usage report's days
// in the location's zone stay exact. Calls of a remote model, and any
// call that costs, uses tokens or raises an alert, keep a row of their
// own with its audit entry.

// slotEvery is the width of a counter's time slot.
const slotEvery = 15 * time.Minute

// counted reports whether r is a free built-in call, counted in a group.
func counted(r ai.UsageRecord) bool {
	return (r.Model == "" || r.Model == ai.BuiltinModel) && r.Alert == 0 &&
		r.InputTokens <= 0 && r.OutputTokens <= 0 && r.CostIn <= 0 && r.CostOut <= 0
}

// group is the counter a free call adds to.
type group struct {
	loc                    pulid.ID
	slot                   time.Time
	useCase, engine, model string
	fallback               string
	cacheHit               bool
}

func (g group) key() string {
	return normalize.Truncate(fmt.Sprintf("%s|%s|%s|%s|%s|%t",
		g.slot.Format("2006-01-02T15:04Z"), g.useCase, g.engine, g.model, g.fallback, g.cacheHit), 200)
}

// tally is what a transaction adds to one group.
type tally struct {
	calls     int
	latencyUs int64
}

// pendingCounts are the groups a transaction has counted, written just
// before it commits.
type pendingCounts struct {
	mu     sync.Mutex
	groups map[group]*tally
	order  []group
}

func (p *pendingCounts) add(g group, latencyUs int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.groups[g]
	if t == nil {
		t = &tally{}
		p.groups[g] = t
		p.order = append(p.order, g)
	}
	t.calls++
	t.latencyUs += latencyUs
}

// count adds r to its group's counter: in the transaction of ctx at its
// commit (one upsert per group however many calls the transaction made,
// so the counter row is locked for a moment on PostgreSQL), else at once.
func (s *Store) count(ctx context.Context, c *ent.Client, loc pulid.ID, at time.Time, r ai.UsageRecord) error {
	g := group{
		loc: loc, slot: at.UTC().Truncate(slotEvery),
		useCase: string(r.UseCase), engine: r.Engine, model: r.Model, fallback: r.Fallback, cacheHit: r.CacheHit,
	}
	lat := max(r.Latency.Microseconds(), 0)
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		return s.upsert(ctx, c, g, tally{calls: 1, latencyUs: lat})
	}
	v, loaded := s.pending.LoadOrStore(tx, &pendingCounts{groups: map[group]*tally{}})
	p := v.(*pendingCounts)
	p.add(g, lat)
	if loaded {
		return nil
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(cctx context.Context, tx *ent.Tx) error {
			s.pending.Delete(tx)
			if b := s.held(); b != nil {
				// Held in memory after the commit and written by the
				// flusher (Start), many transactions' counts at once.
				if err := next.Commit(cctx, tx); err != nil {
					return err
				}
				b.addAll(p)
				return nil
			}
			for _, g := range p.order {
				if err := s.upsert(cctx, tx.Client(), g, *p.groups[g]); err != nil {
					_ = tx.Rollback()
					return fmt.Errorf("%w (the change was rolled back)", err)
				}
			}
			return next.Commit(cctx, tx)
		})
	})
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(rctx context.Context, tx *ent.Tx) error {
			s.pending.Delete(tx)
			return next.Rollback(rctx, tx)
		})
	})
	return nil
}

// upsert adds t to g's row, creating it if needed. The counter is the
// system's bookkeeping of a free engine, not anyone's action on a record,
// so it leaves no audit entry (each remote call's row still does).
func (s *Store) upsert(ctx context.Context, c *ent.Client, g group, t tally) error {
	sys := audit.WithoutAudit(viewer.AIUsage.Grant(ctx, ""))
	err := c.AIUsage.Create().
		SetLocationID(g.loc).SetCreatedAt(g.slot).SetSlot(g.key()).
		SetUseCase(g.useCase).SetEngine(g.engine).SetModel(g.model).
		SetLatencyUs(t.latencyUs).SetCacheHit(g.cacheHit).SetFallback(g.fallback).
		SetRemote(false).SetCalls(t.calls).
		OnConflictColumns(aiusage.FieldLocationID, aiusage.FieldSlot).
		Update(func(u *ent.AIUsageUpsert) {
			u.AddCalls(t.calls)
			u.AddLatencyUs(t.latencyUs)
		}).
		Exec(sys)
	if err != nil {
		return fmt.Errorf("ai usage: counting %s calls: %w", g.useCase, err)
	}
	return nil
}
