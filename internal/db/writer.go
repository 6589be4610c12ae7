package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// SQLite lets one writer in at a time. With every transaction on a shared
// pool, writers queued inside SQLite's busy handler, which sleeps 1, 2, 5 …
// 100 ms between tries: the lock passed from writer to writer with gaps,
// and the connections the waiting writers held were missing for reads
// (docs/PERFORMANCE.md, "Why 50 clients do not create faster than one").
//
// So on a SQLite file the ent driver sends every transaction and every
// statement outside one that may write (Exec) to a pool of its own with a
// single connection, and a writer waits for it in Go, in arrival order,
// holding nothing. Reads outside a transaction keep the read pool. The
// wait is bounded like the busy timeout it replaces (writeWait), so a
// transaction that waits for another one it holds itself still fails
// instead of hanging.

// writeWait is how long a writer waits for the write connection: the
// busy timeout of the DSN (withPragmas).
const writeWait = 10 * time.Second

// errWriteBusy is returned when the write connection stayed busy.
var errWriteBusy = errors.New("database is locked: the write connection stayed busy for 10s")

// writeGate hands the single write connection to one writer at a time.
type writeGate struct {
	sem chan struct{}
	db  *sql.DB // the write pool, for checkpoints

	// Guarded by sem.
	commits  int
	lastCkpt time.Time
}

func newWriteGate(w *sql.DB) *writeGate {
	return &writeGate{sem: make(chan struct{}, 1), db: w, lastCkpt: time.Now()}
}

// SQLite folds the WAL back into the database only when a checkpoint has
// copied every frame and no reader still reads an old one; with requests
// always in flight that moment never came and the WAL grew to gigabytes
// (docs/PERFORMANCE.md). A TRUNCATE checkpoint waits for the readers of
// the moment (new ones read the folded file) and empties the WAL. It runs
// on the write connection while the gate is held, every checkpointCommits
// commits or checkpointEvery, so the WAL stays within a few MiB a burst.
const (
	checkpointCommits = 500
	checkpointEvery   = 10 * time.Second
	// checkpointWait bounds how long a checkpoint waits for readers (the
	// connection's busy timeout while it runs); a checkpoint that cannot
	// finish is tried again at the next commit.
	checkpointWait = 500
)

// committed runs after a commit, with the gate still held.
func (g *writeGate) committed() {
	g.commits++
	if g.commits < checkpointCommits && time.Since(g.lastCkpt) < checkpointEvery {
		return
	}
	g.commits = 0
	g.lastCkpt = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := checkpoint(ctx, g.db); err != nil {
		slog.Debug("sqlite: WAL checkpoint", "err", err)
	}
}

// checkpoint runs PRAGMA wal_checkpoint(TRUNCATE) on one connection of db
// with a short busy timeout.
func checkpoint(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout=%d", checkpointWait)); err != nil {
		return err
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout=%d", writeWait.Milliseconds()))
	}()
	var busy, logFrames, done int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return err
	}
	if busy != 0 {
		return errors.New("readers kept the WAL busy")
	}
	return nil
}

// Checkpoint empties a SQLite file's WAL (a TRUNCATE checkpoint on the
// write connection, waiting for writers); nothing for PostgreSQL. For the
// maintenance schedule and after an import.
func (d *DB) Checkpoint(ctx context.Context) error {
	if d.gate == nil {
		return nil
	}
	if err := d.gate.acquire(ctx); err != nil {
		return err
	}
	defer d.gate.release()
	d.gate.commits = 0
	d.gate.lastCkpt = time.Now()
	return checkpoint(ctx, d.gate.db)
}

func (g *writeGate) acquire(ctx context.Context) error {
	select {
	case g.sem <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(writeWait)
	defer t.Stop()
	select {
	case g.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errWriteBusy
	}
}

func (g *writeGate) release() { <-g.sem }

// splitDriver is the ent driver of a SQLite file: reads on the read pool,
// transactions and Exec on the write connection.
type splitDriver struct {
	*entsql.Driver // the read pool
	write          *entsql.Driver
	gate           *writeGate
}

// Exec implements dialect.ExecQuerier: a statement outside a transaction
// that may write.
func (d splitDriver) Exec(ctx context.Context, query string, args, v any) error {
	if err := d.gate.acquire(ctx); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	defer d.gate.release()
	return d.write.Exec(ctx, query, args, v)
}

// Tx implements dialect.Driver.
func (d splitDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	return d.BeginTx(ctx, nil)
}

// BeginTx opens a transaction on the write connection.
func (d splitDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	if err := d.gate.acquire(ctx); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	tx, err := recordingDriver{d.write}.BeginTx(ctx, opts)
	if err != nil {
		d.gate.release()
		return nil, err
	}
	t := &gatedTx{Tx: tx, gate: d.gate}
	// database/sql rolls a transaction back by itself when its context
	// ends, even if nobody calls Rollback; the gate follows it.
	t.stop = context.AfterFunc(ctx, t.end)
	return t, nil
}

// Close closes both pools.
func (d splitDriver) Close() error {
	return errors.Join(d.write.Close(), d.Driver.Close())
}

// gatedTx gives the write connection back when its transaction ends.
type gatedTx struct {
	dialect.Tx
	gate *writeGate
	once sync.Once
	stop func() bool
}

func (t *gatedTx) Commit() error {
	if !t.stop() {
		// The context ended: the transaction is rolled back, the gate gone.
		return t.Tx.Commit()
	}
	err := t.Tx.Commit()
	if err == nil {
		t.gate.committed()
	}
	t.end()
	return err
}

func (t *gatedTx) Rollback() error {
	t.stop()
	err := t.Tx.Rollback()
	t.end()
	return err
}

func (t *gatedTx) end() {
	t.once.Do(t.gate.release)
}
