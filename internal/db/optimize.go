package db

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"
)

// Optimize refreshes the SQLite query planner's statistics (sqlite_stat1)
// where they are missing or stale, as SQLite recommends for long-lived
// applications: at start and before closing. Without statistics the
// planner guesses, and on a large contacts table it can pick the stage
// index over the warmness index for "warmest leads" and read every lead.
// analysis_limit keeps it to a sample of each index, so it takes
// milliseconds even over 100,000 contacts. PostgreSQL's autovacuum keeps
// its own statistics; there it does nothing.
func (d *DB) Optimize(ctx context.Context) error {
	if d.Dialect != dialect.SQLite {
		return nil
	}
	// Pragmas apply to one connection: run both on the same one.
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA analysis_limit=1000"); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	return nil
}
