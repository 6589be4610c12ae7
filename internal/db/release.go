package db

import (
	"context"
	"database/sql"
	"time"
)

// readerIdle is how long a read connection of a SQLite file may sit idle
// before it is closed. Each holds up to 16 MiB of page cache and 128
// prepared statements in C memory that no Go setting bounds; after a burst
// they are what keeps the server's RSS up (docs/PERFORMANCE.md, "i12mem2").
// Reopening one costs a few hundred microseconds (the schema is read again
// on first use), so a trickle of requests keeps one or two open and a quiet
// server none.
const readerIdle = 30 * time.Second

// ReleaseMemory gives back the C memory SQLite holds for connections that
// are not in use: the idle read connections of a SQLite file are closed
// (the pool opens new ones on demand), and the write connection, when free
// at this moment, drops the unused pages of its cache (PRAGMA
// shrink_memory). Nothing for PostgreSQL. Meant for a quiet moment (after
// start-up, after a burst): it never waits for a writer.
func (d *DB) ReleaseMemory(ctx context.Context) {
	if d.gate == nil {
		return
	}
	// Lowering the idle limit closes the idle connections now; connections
	// in use are kept when they come back.
	d.SQL.SetMaxIdleConns(0)
	d.SQL.SetMaxIdleConns(readConns)
	select {
	case d.gate.sem <- struct{}{}:
	default:
		return // a writer is busy: its cache is in use
	}
	defer d.gate.release()
	_ = shrink(ctx, d.gate.db)
}

// shrink runs PRAGMA shrink_memory on one connection of db.
func shrink(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "PRAGMA shrink_memory")
	return err
}
