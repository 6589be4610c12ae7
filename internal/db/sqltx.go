package db

import (
	"context"
	"database/sql"
	"sync"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// ent's generated Tx does not show the *sql.Tx under it, and River inserts
// a job on a *sql.Tx. So the ent client runs on a driver that records the
// *sql.Tx of each transaction it opens in a slot the opener placed in the
// context (WithSQLTx); code running inside that transaction finds it with
// SQLTx and can write through it (internal/jobs enqueues this way, so a job
// commits or rolls back with the change that caused it).

type sqlTxKey struct{}

// sqlTxSlot holds the *sql.Tx of the transaction opened under a context,
// while it is open.
type sqlTxSlot struct {
	mu sync.Mutex
	tx *sql.Tx
}

// WithSQLTx returns ctx with an empty slot for the *sql.Tx of the next
// transaction the ent client opens with it (or a context derived from it).
// Every place that opens a transaction for services to join calls it
// (txn.Run, the GraphQL transactioner, the UI's form posts).
func WithSQLTx(ctx context.Context) context.Context {
	return context.WithValue(ctx, sqlTxKey{}, &sqlTxSlot{})
}

// SQLTx returns the *sql.Tx of the open transaction whose opener used
// WithSQLTx on ctx, or nil when there is none (no slot, or its transaction
// has ended).
func SQLTx(ctx context.Context) *sql.Tx {
	s, _ := ctx.Value(sqlTxKey{}).(*sqlTxSlot)
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx
}

// recordingDriver is the ent driver that fills the slot.
type recordingDriver struct{ *entsql.Driver }

// Tx implements dialect.Driver.
func (d recordingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	return d.BeginTx(ctx, nil)
}

// BeginTx is what the generated client's BeginTx calls.
func (d recordingDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	tx, err := d.Driver.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	slot, _ := ctx.Value(sqlTxKey{}).(*sqlTxSlot)
	etx, ok := tx.(*entsql.Tx)
	if slot == nil || !ok {
		return tx, nil
	}
	stx, ok := etx.Tx.(*sql.Tx)
	if !ok {
		return tx, nil
	}
	slot.mu.Lock()
	slot.tx = stx
	slot.mu.Unlock()
	return &recordedTx{Tx: tx, slot: slot, sqlTx: stx}, nil
}

// recordedTx empties the slot when its transaction ends, so a finished
// transaction is never written through by mistake.
type recordedTx struct {
	dialect.Tx
	slot  *sqlTxSlot
	sqlTx *sql.Tx
}

func (t *recordedTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

func (t *recordedTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}

func (t *recordedTx) release() {
	t.slot.mu.Lock()
	if t.slot.tx == t.sqlTx {
		t.slot.tx = nil
	}
	t.slot.mu.Unlock()
}
