// Package txn runs a service's change in the caller's transaction or in one
// of its own, so a change and the history that explains it (a stage
// change, a booking or task event, a touchpoint, the audit entry) commit
// together or not at all.
package txn

import (
	"context"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/db"
)

// Run calls fn with the transaction in ctx when there is one (a GraphQL
// mutation under graph.Transactional, a UI form post), or else in a new
// transaction of root, committed when fn succeeds and rolled back when it
// fails or panics. fn's ctx carries the transaction, for hooks and nested
// services.
func Run(ctx context.Context, root *ent.Client, fn func(ctx context.Context, c *ent.Client) error) error {
	if tx := ent.TxFromContext(ctx); tx != nil {
		return fn(ctx, tx.Client())
	}
	// The slot lets a job join this transaction (internal/jobs).
	ctx = db.WithSQLTx(ctx)
	tx, err := root.Tx(ctx)
	if err != nil {
		return fmt.Errorf("open transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	txCtx := ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client())
	if err := fn(txCtx, tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Key identifies the database transaction of tx: every *ent.Tx of one
// transaction has the same key. A mutation's Tx() returns a new *ent.Tx
// on every call (the generated code wraps the mutation's config), so a
// map keyed by the pointer sees each mutation of a transaction as a
// transaction of its own; hooks that gather per transaction (the audit
// entries written at commit) key by this instead. The key holds the
// transaction's driver, whose OnCommit hooks every such *ent.Tx shares,
// so it stays unique for as long as it is kept.
func Key(tx *ent.Tx) any {
	if tx == nil {
		return nil
	}
	v := reflect.ValueOf(tx).Elem().FieldByName("config")
	if v.IsValid() {
		v = v.FieldByName("driver")
	}
	if v.IsValid() && v.Kind() == reflect.Interface && !v.IsNil() {
		if d := v.Elem(); d.Kind() == reflect.Pointer {
			return txKey{d.UnsafePointer()}
		}
	}
	return tx
}

// txKey is Key's value: the transaction driver's address, as a pointer
// (which keeps the driver alive while a map holds the key).
type txKey struct{ p unsafe.Pointer }
