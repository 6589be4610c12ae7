package db

import (
	"context"
	"database/sql/driver"
	"sync/atomic"
)

// statementHook, when set, sees the text of every statement the SQLite
// connections run (benchmarks count statements per operation with it).
var statementHook atomic.Pointer[func(query string)]

// SetStatementHook makes f see the text of every SQL statement run on a
// SQLite connection of this process, and "BEGIN" for every transaction;
// nil removes it. It is for benchmarks and tests: counting the statements
// an operation costs. f must be safe for concurrent use.
func SetStatementHook(f func(query string)) {
	if f == nil {
		statementHook.Store(nil)
		return
	}
	statementHook.Store(&f)
}

func seeStatement(q string) {
	if f := statementHook.Load(); f != nil {
		(*f)(q)
	}
}

// QueryContext implements driver.QueryerContext.
func (c *utcConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	seeStatement(query)
	return c.SQLiteConn.QueryContext(ctx, query, args)
}

// ExecContext implements driver.ExecerContext.
func (c *utcConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	seeStatement(query)
	return c.SQLiteConn.ExecContext(ctx, query, args)
}

// BeginTx implements driver.ConnBeginTx.
func (c *utcConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	seeStatement("BEGIN")
	return c.SQLiteConn.BeginTx(ctx, opts)
}
