package automation

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/automationrule"
	"github.com/avatarimaging/avatarcrm/ent/event"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/txmemo"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// BatchSize is the most events one batch dispatches in one transaction:
// enough to share a commit and an audit append among the creates of a
// busy minute, few enough that the batch holds SQLite's one write
// connection for a few milliseconds, not for a whole backlog.
const BatchSize = 24

// batchTries is how many batches DispatchBatch tries, each without the
// events that failed in the ones before, before it dispatches its own
// event alone.
const batchTries = 3

// DispatchBatch dispatches event eventID of location loc together with
// the location's other pending (unprocessed) events, up to BatchSize, in
// one transaction: one BEGIN and COMMIT, one read of the events and of
// the rules, and one audit append for all of them, where Dispatch pays
// each per event (docs/DECISIONS.md, "i12create").
//
// Every event keeps its own job (events.Args, committed with the change
// that wrote it), so none can be lost: an event committed while a batch
// runs is not in it, and its own job dispatches it (in the next batch).
// None is dispatched twice: a batch takes only events unprocessed in its
// transaction and marks them processed there (on SQLite the transaction
// holds the one write connection; on PostgreSQL the rows are locked FOR
// UPDATE SKIP LOCKED), and the job of an event a batch took finds it
// processed and does nothing. A batch in which one event fails is rolled
// back whole and tried again without that event, so a failing event
// holds up no other; the failing event is left to its own job, which
// dispatches it alone (Dispatch) with River's retries and dead letter.
// lastAttempt is the job's last attempt (RunRule). ctx acts for loc.
func (s *Service) DispatchBatch(ctx context.Context, eventID, loc pulid.ID, lastAttempt bool) error {
	if ent.TxFromContext(ctx) != nil {
		return s.Dispatch(ctx, eventID, lastAttempt)
	}
	// One batch of a location at a time in this process: the jobs River
	// fetched together wait here, then find their events done below
	// instead of each reading the pending events again.
	mu := s.batches.lock(loc)
	defer mu.Unlock()
	if s.batches.take(eventID) {
		return nil
	}
	var failed []pulid.ID
	for range batchTries {
		done, bad, err := s.batch(ctx, eventID, loc, failed)
		if err == nil {
			s.batches.add(done, eventID)
			if !slices.Contains(failed, eventID) {
				return nil
			}
			break
		}
		if bad == "" {
			return err // not one event's failure: River tries the job again
		}
		failed = append(failed, bad)
	}
	// This job's own event failed in a batch (or too many others did):
	// dispatch it alone, rule by rule if need be.
	return s.Dispatch(ctx, eventID, lastAttempt)
}

// batch dispatches the location's pending events but those in skip, the
// oldest first and own among them, in one transaction. It returns the events dispatched; on an
// event's failure, that event (bad) and the error, with nothing kept.
func (s *Service) batch(ctx context.Context, own, loc pulid.ID, skip []pulid.ID) (done []pulid.ID, bad pulid.ID, err error) {
	// The location and templates every welcome SMS of the batch reads are
	// read once (txmemo), inside this transaction only.
	err = txn.Run(txmemo.With(ctx), s.Client, func(ctx context.Context, c *ent.Client) error {
		done, bad = nil, ""
		q := c.Event.Query().Where(event.LocationID(loc), event.ProcessedAtIsNil(), lockPending)
		if len(skip) > 0 {
			q.Where(event.IDNotIn(skip...))
		}
		evs, err := q.Order(event.ByID()).Limit(BatchSize).All(ctx)
		if err != nil {
			return err
		}
		if evs, err = withOwn(ctx, c, evs, own, skip); err != nil || len(evs) == 0 {
			return err
		}
		var types []string
		for _, ev := range evs {
			if !slices.Contains(types, ev.Type) {
				types = append(types, ev.Type)
			}
		}
		rules, err := c.AutomationRule.Query().Where(
			automationrule.LocationID(loc), automationrule.TriggerIn(types...), automationrule.Enabled(true),
		).Order(automationrule.ByID()).All(ctx)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			bad = ev.ID
			var mine []*ent.AutomationRule
			for _, r := range rules {
				if r.Trigger == ev.Type {
					mine = append(mine, r)
				}
			}
			now, err := s.schedule(ctx, c, ev, mine)
			if err != nil {
				return fmt.Errorf("event %s: %w", ev.ID, err)
			}
			// Read unprocessed in this transaction: no run of it
			// exists yet (Dispatch's fresh).
			for _, r := range now {
				if _, err := s.runOnce(ctx, c, r.ID, r, ev, true); err != nil {
					return fmt.Errorf("event %s: rule %s: %w", ev.ID, r.ID, err)
				}
			}
			done = append(done, ev.ID)
		}
		bad = ""
		return nil
	})
	if err != nil {
		return nil, bad, err
	}
	return done, "", nil
}

// lockPending locks the pending events a batch reads on PostgreSQL, where
// two processes' batches may run at once, skipping those another batch
// holds. SQLite has no row locks and needs none: a batch's transaction
// holds the one write connection from its first statement.
func lockPending(s *sql.Selector) {
	if s.Dialect() == dialect.Postgres {
		s.ForUpdate(sql.WithLockAction(sql.SkipLocked))
	}
}

// withOwn makes sure a full batch holds the job's own event: evs are the
// oldest pending events, and when they fill the batch without it, its
// own event (if still pending and not skipped) takes the last place.
func withOwn(ctx context.Context, c *ent.Client, evs []*ent.Event, own pulid.ID, skip []pulid.ID) ([]*ent.Event, error) {
	if len(evs) < BatchSize || slices.Contains(skip, own) ||
		slices.ContainsFunc(evs, func(e *ent.Event) bool { return e.ID == own }) {
		return evs, nil
	}
	ev, err := c.Event.Query().Where(event.ID(own), event.ProcessedAtIsNil(), lockPending).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return evs, nil // dispatched already
	case err != nil:
		return nil, err
	}
	return append(evs[:len(evs)-1], ev), nil
}

// batches is what DispatchBatch keeps between jobs in this process: a
// lock per location, and the events a batch dispatched whose own jobs
// have not run yet. It is a cache: an event missing from it (another
// process dispatched it, or the set was cleared) costs its job one read
// of the pending events, never a second dispatch.
type batches struct {
	mu    sync.Mutex
	locks map[pulid.ID]*sync.Mutex
	done  map[pulid.ID]struct{}
}

// maxDone bounds the set of dispatched events whose jobs have not run
// (jobs of another process, or discarded): past it the set starts over.
const maxDone = 8192

func (b *batches) lock(loc pulid.ID) *sync.Mutex {
	b.mu.Lock()
	if b.locks == nil {
		b.locks = map[pulid.ID]*sync.Mutex{}
	}
	mu := b.locks[loc]
	if mu == nil {
		mu = &sync.Mutex{}
		b.locks[loc] = mu
	}
	b.mu.Unlock()
	mu.Lock()
	return mu
}

func (b *batches) add(ids []pulid.ID, except pulid.ID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done == nil || len(b.done)+len(ids) > maxDone {
		b.done = make(map[pulid.ID]struct{}, len(ids))
	}
	for _, id := range ids {
		if id != except {
			b.done[id] = struct{}{}
		}
	}
}

func (b *batches) take(id pulid.ID) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.done[id]
	delete(b.done, id)
	return ok
}
