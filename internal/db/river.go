package db

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// riverMigrationLock is the PostgreSQL advisory lock key held while River's
// migrations run, so instances starting together apply them once.
const riverMigrationLock = 0x61766372 // "avcr"

// RiverDriver returns the River driver over this database's pool for
// migrations and inserts: riversqlite for SQLite, riverdatabasesql for
// PostgreSQL (the application talks to PostgreSQL through database/sql;
// see docs/DECISIONS.md). internal/jobs builds its own for working jobs.
func (d *DB) RiverDriver() riverdriver.Driver[*sql.Tx] {
	if d.Dialect == dialect.Postgres {
		return riverdatabasesql.New(d.SQL)
	}
	return riversqlite.New(d.SQL)
}

// migrateRiver applies River's own migrations (its river_* tables) with its
// migrator, after the application's. They are not ent entities: the schema
// drift test ignores them, and nothing in ent/schema describes them.
func (d *DB) migrateRiver(ctx context.Context) error {
	// River's migrator logs each step at info; this function logs them once.
	quiet := slog.New(warnOnly{slog.Default().Handler()})
	m, err := rivermigrate.New(d.RiverDriver(), &rivermigrate.Config{Logger: quiet})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if d.Dialect == dialect.Postgres {
		// River's migrator takes no lock; several instances may start at once.
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			return fmt.Errorf("river migrations: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", riverMigrationLock); err != nil {
			return fmt.Errorf("river migrations: lock: %w", err)
		}
		defer func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", riverMigrationLock)
		}()
	}
	// On SQLite each migration is its own immediate transaction; a second
	// process starting at the same moment may lose the race for one and see
	// it applied on the next try.
	var res *rivermigrate.MigrateResult
	for attempt := 1; ; attempt++ {
		res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err == nil || d.Dialect == dialect.Postgres || attempt == 3 {
			break
		}
		time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		slog.Info("river migration applied", "version", v.Version, "name", v.Name, "took", v.Duration)
	}
	return nil
}

// OpenPool opens another connection pool to the same database, with the
// same settings, for a component that must not queue behind the
// application's connections (River's own maintenance on SQLite; see
// internal/jobs). The caller closes it.
func (d *DB) OpenPool(maxOpen int) (*sql.DB, error) {
	p, err := sql.Open(d.target.DriverName, d.target.DSN)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(maxOpen)
	p.SetMaxIdleConns(maxOpen)
	p.SetConnMaxIdleTime(5 * time.Minute)
	return p, nil
}

// URL is the database's connection string as the driver takes it (for
// PostgreSQL, the postgres:// URL).
func (d *DB) URL() string { return d.target.DSN }

// warnOnly passes warnings and errors only.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}
