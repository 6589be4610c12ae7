package audit

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/intercept"
	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// SystemUserID is the user_id of entries written for work the system does
// on its own (a system viewer under a viewer.Capability), such as
// background jobs and commands.
const SystemUserID = "system"

// phiTypes are the entities that hold protected health information. A Task
// does too when it is about a contact (see isPHI).
var phiTypes = map[string]bool{ent.TypeContact: true, ent.TypeTouchpoint: true, ent.TypeBooking: true}

// unaudited are the entities Hook leaves alone: the trail itself (auditing
// its own inserts would recurse), and sessions, which change on every
// request and are covered by sign_in/sign_out entries.
var unaudited = map[string]bool{ent.TypeAuditEntry: true, ent.TypeSession: true}

// Hook returns an ent hook, for client.Use, that writes a create, update or
// delete entry for every successful mutation of any entity but AuditEntry
// and Session: one entry per affected row, naming the entity type and id
// and (for updates) the names, never the values, of the changed fields.
// Who acted comes from the viewer in the context; request data from its
// Meta, which is marked PHI for Contact, Touchpoint, Booking and a Task
// with a contact.
//
// When the mutation runs in a transaction (an ent.Tx, as every GraphQL
// mutation does under graph.Transactional), the entries are written by
// Append in that same transaction at its commit, just before COMMIT: a
// rolled-back change leaves no entry, a committed one always has its
// entry, and if the entry cannot be written the transaction is rolled back
// and Commit returns the error. Deferring to the commit keeps PostgreSQL's
// chain lock for a moment instead of the whole transaction. Outside a
// transaction the change is already committed when the hook sees it, so the
// entries go in with AppendNow right away; should that fail they are handed
// to Record, which retries, rather than lost.
//
// WithoutAudit(ctx) turns the hook off for bulk system work.
func (l *Log) Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if unaudited[m.Type()] || skipped(ctx) {
				return next.Mutate(ctx, m)
			}
			op := m.Op()
			var before []string
			if op.Is(ent.OpUpdate | ent.OpDelete) {
				// Bulk changes: find the rows before they change (or go).
				ids, err := mutationIDs(ctx, m)
				if err != nil {
					return nil, fmt.Errorf("audit: ids of %s %s: %w", m.Type(), op, err)
				}
				before = ids
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				if errors.Is(err, privacy.Deny) {
					// The request's entry becomes "denied", naming what.
					MetaFrom(ctx).Deny(fmt.Sprintf("%s %s: %v", m.Type(), opName(op), err))
				}
				return v, err
			}
			entries := l.mutationEntries(ctx, m, v, before)
			if len(entries) == 0 {
				return v, nil
			}
			meta := MetaFrom(ctx)
			if entries[0].PHI {
				meta.MarkPHI()
			}
			if tx := txOf(ctx, m); tx != nil {
				l.onCommit(tx, meta, entries)
				return v, nil
			}
			if err := l.AppendNow(ctx, entries...); err != nil {
				l.log.Error("audit: writing mutation entries failed; queued for retry", "err", err, "type", m.Type(), "op", opName(op))
				for _, e := range entries {
					l.Record(e)
				}
			}
			meta.addWritten(len(entries))
			return v, nil
		})
	}
}

// onCommit writes entries in tx just before it commits: a rolled-back
// change leaves no entry, a committed one always has its entry, and if the
// entries cannot be written the transaction is rolled back and Commit
// returns the error. The entries of every mutation of one transaction are
// written together, in the order of the mutations, by one Append (one
// read of the chain's head and multi-row inserts): a contact import's
// batch of 500 rows reads the head once, not 500 times.
func (l *Log) onCommit(tx *ent.Tx, meta *Meta, entries []Entry) {
	// Keyed by the transaction, not the *ent.Tx: each mutation's Tx() is
	// a new one, and keyed by it every mutation appended on its own (one
	// head read each, and the chain's known head left behind the real one).
	key := txn.Key(tx)
	v, loaded := l.txEntries.LoadOrStore(key, &txEntries{})
	p := v.(*txEntries)
	p.add(meta, entries)
	if loaded {
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(cctx context.Context, tx *ent.Tx) error {
			l.txEntries.Delete(key)
			entries, metas := p.take()
			head, err := l.appendEntries(cctx, tx, entries)
			if err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("%w (the change was rolled back)", err)
			}
			if err := next.Commit(cctx, tx); err != nil {
				return err
			}
			l.committed(head)
			for _, mw := range metas {
				mw.meta.addWritten(mw.n)
			}
			return nil
		})
	})
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(rctx context.Context, tx *ent.Tx) error {
			l.txEntries.Delete(key)
			return next.Rollback(rctx, tx)
		})
	})
}

// txEntries are the entries a transaction's mutations wait to write at
// its commit.
type txEntries struct {
	mu      sync.Mutex
	entries []Entry
	metas   []metaWritten
}

// metaWritten is how many of the entries a request's Meta counts.
type metaWritten struct {
	meta *Meta
	n    int
}

func (p *txEntries) add(meta *Meta, entries []Entry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.entries = append(p.entries, entries...)
	if k := len(p.metas); k > 0 && p.metas[k-1].meta == meta {
		p.metas[k-1].n += len(entries)
		return
	}
	p.metas = append(p.metas, metaWritten{meta, len(entries)})
}

func (p *txEntries) take() ([]Entry, []metaWritten) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, m := p.entries, p.metas
	p.entries, p.metas = nil, nil
	return e, m
}

// RecordChange writes entries about a change the caller is making that the
// Hook cannot describe alone (e.g. an account disabled at every location,
// one entry in each location's trail): in the transaction of ctx at its
// commit, as the Hook's entries, else at once. The request's data and its
// actor fill what an entry leaves empty (but LocationID, which names the
// trail the entry belongs to).
func (l *Log) RecordChange(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	meta := MetaFrom(ctx)
	mv := meta.Values()
	vw := viewer.FromContext(ctx)
	for i := range entries {
		e := &entries[i]
		if e.At.IsZero() {
			e.At = l.now.Now()
		}
		if e.Operation == "" {
			e.Operation = mv.Operation
		}
		if e.Method == "" && e.Path == "" {
			e.Method, e.Path, e.IP, e.UserAgent = mv.Method, mv.Path, mv.IP, mv.UserAgent
		}
		if e.UserID == "" {
			switch {
			case mv.UserID != "" || mv.Email != "":
				e.UserID, e.Email = mv.UserID, mv.Email
			case vw != nil && vw.System:
				e.UserID, e.Email = SystemUserID, vw.Actor
			case vw != nil:
				e.UserID, e.Email = string(vw.UserID), vw.Email
			}
		}
	}
	if tx := ent.TxFromContext(ctx); tx != nil {
		l.onCommit(tx, meta, entries)
		return nil
	}
	if err := l.AppendNow(ctx, entries...); err != nil {
		return err
	}
	meta.addWritten(len(entries))
	return nil
}

// txOf returns the transaction the mutation runs in. The mutation itself
// knows (its driver is the transaction's); the context's transaction, which
// graph.Transactional sets, is the fallback for a mutation type that
// cannot say.
func txOf(ctx context.Context, m ent.Mutation) *ent.Tx {
	if t, ok := m.(interface{ Tx() (*ent.Tx, error) }); ok {
		if tx, err := t.Tx(); err == nil {
			return tx
		}
		return nil
	}
	return ent.TxFromContext(ctx)
}

// mutationIDs returns the ids a bulk update or delete selects, through
// the mutation's generated IDs method, which queries with the caller's
// context (so the caller's read rules apply).
func mutationIDs(ctx context.Context, m ent.Mutation) ([]string, error) {
	if t, ok := m.(interface {
		IDs(context.Context) ([]pulid.ID, error)
	}); ok {
		ids, err := t.IDs(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = string(id)
		}
		return out, nil
	}
	return nil, nil
}

func (l *Log) mutationEntries(ctx context.Context, m ent.Mutation, v ent.Value, before []string) []Entry {
	op := m.Op()
	var action string
	var ids []string
	switch {
	case op.Is(ent.OpCreate):
		action = ActionCreate
		if id := valueField(v, "ID"); id != "" {
			ids = []string{id}
		} else if id := oneID(m); id != "" {
			ids = []string{id}
		}
	case op.Is(ent.OpUpdateOne):
		action = ActionUpdate
		ids = []string{oneID(m)}
	case op.Is(ent.OpDeleteOne):
		action = ActionDelete
		ids = []string{oneID(m)}
	case op.Is(ent.OpUpdate):
		action, ids = ActionUpdate, before
	case op.Is(ent.OpDelete):
		action, ids = ActionDelete, before
	}
	if len(ids) == 0 {
		return nil
	}
	base := Entry{Action: action, ResourceType: m.Type(), PHI: isPHI(m, v), At: l.now.Now()}
	mv := MetaFrom(ctx).Values()
	base.Operation, base.Method, base.Path, base.IP, base.UserAgent = mv.Operation, mv.Method, mv.Path, mv.IP, mv.UserAgent
	switch vw := viewer.FromContext(ctx); {
	case mv.UserID != "" || mv.Email != "":
		base.UserID, base.Email, base.LocationID = mv.UserID, mv.Email, mv.LocationID
	case vw == nil:
	case vw.System:
		base.UserID, base.Email = SystemUserID, vw.Actor
	default:
		base.UserID, base.Email, base.LocationID = string(vw.UserID), vw.Email, string(vw.LocationID)
	}
	if base.LocationID == "" {
		// System work: the row's own location keeps the entry in that
		// location's trail.
		if loc, ok := m.Field("location_id"); ok {
			base.LocationID = fmt.Sprint(loc)
		} else {
			base.LocationID = valueField(v, "LocationID")
		}
	}
	var detail []string
	if action == ActionUpdate {
		fields := append(m.Fields(), m.ClearedFields()...)
		sort.Strings(fields)
		if len(fields) > 0 {
			detail = append(detail, "fields: "+strings.Join(fields, ","))
		}
	}
	if c := viewer.CapabilityOf(ctx); c != "" {
		// Past the privacy rules: say under which capability.
		detail = append(detail, "system: "+c)
	}
	base.Detail = strings.Join(detail, "; ")
	entries := make([]Entry, len(ids))
	for i, id := range ids {
		entries[i] = base
		entries[i].ResourceID = id
	}
	return entries
}

// oneID is the id of an UpdateOne/DeleteOne mutation (every audited entity
// has a pulid.ID).
func oneID(m ent.Mutation) string {
	if t, ok := m.(interface{ ID() (pulid.ID, bool) }); ok {
		if id, ok := t.ID(); ok {
			return string(id)
		}
	}
	return ""
}

// isPHI reports whether a mutation touches protected health information.
func isPHI(m ent.Mutation, v ent.Value) bool {
	if phiTypes[m.Type()] {
		return true
	}
	if m.Type() == ent.TypeTask {
		if c, ok := m.Field("contact_id"); ok && fmt.Sprint(c) != "" {
			return true
		}
		return valueField(v, "ContactID") != ""
	}
	return false
}

// valueField reads a string-like field of the entity a mutation returned
// (e.g. *ent.Contact's ID); the generated entities have no common getter.
func valueField(v ent.Value, name string) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return ""
	}
	f := rv.FieldByName(name)
	for f.IsValid() && f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	if !f.IsValid() || f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

// PHIInterceptor returns an ent interceptor, for client.Intercept, that
// marks the request's Meta as having touched PHI whenever a Contact,
// Touchpoint or Booking query runs, including the queries behind graph
// traversals and eager loading. It changes no query.
func PHIInterceptor() ent.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		if phiTypes[q.Type()] {
			MetaFrom(ctx).MarkPHI()
		}
		return nil
	})
}

// opName names a mutation operation for people.
func opName(op ent.Op) string {
	switch {
	case op.Is(ent.OpCreate):
		return ActionCreate
	case op.Is(ent.OpUpdate | ent.OpUpdateOne):
		return ActionUpdate
	case op.Is(ent.OpDelete | ent.OpDeleteOne):
		return ActionDelete
	}
	return op.String()
}
