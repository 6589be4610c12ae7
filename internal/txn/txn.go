// Package txn runs a service's change in the caller's transaction or in one
// of its own, so a change and the history that explains it (a stage
// change, a booking or task event, a touchpoint, the audit entry) commit
// together or not at all.
package txn

import (
	"context"
	"fmt"

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
