package warmness

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// rescoreBatch is how many contacts a rescoring reads, then writes in one
// transaction: SQLite has one writer, and a create waiting behind a batch
// waits for its writes only (each with its audit entry: 200 held the
// writer up to 200-300 ms on a loaded machine), never its reads.
const rescoreBatch = 50

// Rescored is what a rescoring did.
type Rescored struct {
	// Checked contacts were scored again.
	Checked int `json:"rescored"`
	// Written of them had a new score, reasons or due time and were
	// updated (each with its audit entry); the others were left alone.
	Written int `json:"written"`
}

// Rescore scores contacts of the viewer's location (or, as the system, of
// every location) again as of now: every contact, or with dueOnly those
// whose due time has passed (Due). It works in batches: the facts are read
// and scored outside any transaction, then the contacts whose score,
// reasons or due time changed are written in one short transaction per
// batch, so other writers get SQLite's write connection between batches.
//
// A contact changed meanwhile (a reply logged, a booking moved) was
// rescored by that change, from newer facts: the batch leaves it alone.
// Every written contact's due time is in the future, so a rescoring that
// stops half way (a crash, a retried job) is simply run again: it finds
// the contacts still due and nothing twice.
func (s *Service) Rescore(ctx context.Context, dueOnly bool) (Rescored, error) {
	ctx = context.WithValue(ctx, bulkKey{}, true)
	var res Rescored
	bound := s.Now.Now().UTC()
	var last pulid.ID
	seen := map[pulid.ID]bool{}
	for {
		q := s.Client.Contact.Query()
		if dueOnly {
			// Written contacts leave the set (their due time is after
			// bound), so the first page is always the next one.
			q.Where(contact.WarmnessDueAtLTE(bound)).Order(contact.ByWarmnessDueAt(), contact.ByID())
		} else {
			q.Where(contact.IDGT(last)).Order(contact.ByID())
		}
		cts, err := q.Limit(rescoreBatch).All(ctx)
		if err != nil {
			return res, fmt.Errorf("warmness: contacts to rescore: %w", err)
		}
		fresh := slices.DeleteFunc(cts, func(ct *ent.Contact) bool { return seen[ct.ID] })
		if len(fresh) == 0 {
			// Done; or, due only, every contact left is one this run
			// already checked that a change rescored meanwhile, still
			// due (its clock was behind bound): the next run takes it.
			return res, nil
		}
		last = fresh[len(fresh)-1].ID
		n, err := s.rescoreBatch(ctx, fresh)
		res.Written += n
		if err != nil {
			return res, err
		}
		res.Checked += len(fresh)
		for _, ct := range fresh {
			seen[ct.ID] = true
		}
		if !dueOnly {
			clear(seen) // ids only grow
		}
	}
}

// rescoring is one contact's new score, read outside the transaction.
type rescoring struct {
	ct          *ent.Contact
	sc          Scored
	due         *time.Time
	scoreChange bool
}

// rescoreBatch scores cts as of now and writes those that changed; it
// returns how many it wrote.
func (s *Service) rescoreBatch(ctx context.Context, cts []*ent.Contact) (int, error) {
	sys := viewer.Consequences.Grant(ctx, "")
	now := s.Now.Now()
	var todo []rescoring
	for _, ct := range cts {
		f, err := LoadFacts(sys, s.Client, ct, now)
		if err != nil {
			return 0, err
		}
		sc, err := s.score(ent.NewContext(ctx, s.Client), f)
		if err != nil {
			return 0, fmt.Errorf("warmness: score %s: %w", ct.ID, err)
		}
		r := rescoring{ct: ct, sc: sc, due: Due(f)}
		r.scoreChange = sc.Score != ct.Warmness || !slices.Equal(sc.Reasons, ct.WarmnessReasons)
		if r.scoreChange || !sameTime(r.due, ct.WarmnessDueAt) {
			todo = append(todo, r)
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	written := 0
	err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		written = 0
		sys := viewer.Consequences.Grant(ctx, "")
		for _, r := range todo {
			cur, err := c.Contact.Query().Where(contact.ID(r.ct.ID)).
				Select(contact.FieldWarmness, contact.FieldWarmnessScoredAt, contact.FieldWarmnessDueAt).
				Only(sys)
			if ent.IsNotFound(err) {
				continue // purged meanwhile
			}
			if err != nil {
				return err
			}
			if cur.Warmness != r.ct.Warmness || !sameTime(cur.WarmnessScoredAt, r.ct.WarmnessScoredAt) ||
				!sameTime(cur.WarmnessDueAt, r.ct.WarmnessDueAt) {
				continue // a change rescored it meanwhile, from newer facts
			}
			u := c.Contact.UpdateOneID(r.ct.ID)
			if r.scoreChange {
				u.SetWarmness(r.sc.Score).SetWarmnessReasons(r.sc.Reasons).SetWarmnessScoredAt(now)
			}
			if r.due != nil {
				u.SetWarmnessDueAt(*r.due)
			} else {
				u.ClearWarmnessDueAt()
			}
			if err := u.Exec(WithoutRecalc(sys)); err != nil {
				return err
			}
			if r.scoreChange {
				if err := s.crossed(sys, c, r.ct.LocationID, r.ct.ID, r.ct.Warmness, r.sc.Score, now); err != nil {
					return err
				}
			}
			written++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return written, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
