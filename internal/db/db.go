// Package db opens the database (embedded SQLite by default, PostgreSQL when
// the URL says so) and applies the versioned schema migrations.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" driver

	"github.com/avatarimaging/avatarcrm/ent"
	_ "github.com/avatarimaging/avatarcrm/ent/runtime" // hooks, defaults and privacy policies
)

// DefaultURL is the database a zero-config start uses.
const DefaultURL = "sqlite:./data/avatarcrm.db"

// DB is an open database.
type DB struct {
	// Client is the ent client; every query through it passes the privacy rules.
	Client *ent.Client
	// SQL is the underlying connection pool, for migrations and health checks.
	SQL *sql.DB
	// Dialect is dialect.SQLite or dialect.Postgres.
	Dialect string
	// Driver is the ent driver over SQL.
	Driver *entsql.Driver
	// Write is the single write connection of a SQLite file (writer.go);
	// nil for PostgreSQL and in-memory databases, where SQL does both.
	Write *sql.DB

	gate *writeGate

	target Target
}

// Config says how to open the database.
type Config struct {
	// URL is "sqlite:<path>", "file:<path>?…", a bare path, or
	// "postgres://…".
	URL string
	// Debug logs every SQL statement.
	Debug bool
}

// Target is a parsed database URL.
type Target struct {
	Dialect    string
	DriverName string
	DSN        string
	// Path is the SQLite file, empty for in-memory databases and PostgreSQL.
	Path string
}

// Parse interprets a database URL.
func Parse(raw string) (Target, error) {
	if raw == "" {
		raw = DefaultURL
	}
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return Target{}, fmt.Errorf("database URL: %w", err)
		}
		return Target{Dialect: dialect.Postgres, DriverName: "pgx", DSN: raw}, nil
	case strings.HasPrefix(raw, "file:"):
		// A raw go-sqlite3 DSN, used by tests for in-memory databases.
		dsn := raw
		path := strings.TrimPrefix(strings.SplitN(raw, "?", 2)[0], "file:")
		if strings.Contains(raw, "mode=memory") {
			path = ""
		}
		return Target{Dialect: dialect.SQLite, DriverName: sqliteDriver, DSN: withPragmas(dsn), Path: path}, nil
	case strings.Contains(raw, "://") && !strings.HasPrefix(raw, "sqlite://"):
		return Target{}, fmt.Errorf("database URL %q: want sqlite:<path> or postgres://…", raw)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite://"), "sqlite:")
	if path == "" {
		return Target{}, errors.New("database URL: empty SQLite path")
	}
	return Target{Dialect: dialect.SQLite, DriverName: sqliteDriver, DSN: withPragmas("file:" + path), Path: path}, nil
}

// withPragmas adds the SQLite settings the application relies on unless the
// DSN sets them: foreign keys on, WAL so readers never wait for the writer, a
// busy timeout so writers queue instead of failing, and immediate
// transactions so two writers never deadlock upgrading a read lock, and a
// 16 MiB page cache a connection (the default 2 MiB makes counts over large
// tables read from disk again and again; more is wasted, since in WAL mode
// a reader drops its cache whenever another connection has committed, and
// the OS keeps the file's pages anyway); and 128 prepared statements kept
// a connection (the driver's _stmt_cache_size, off by default): ent writes
// the same SQL text for the same query, and preparing it again was 44% of
// the time spent in SQLite under the create benchmark (docs/PERFORMANCE.md,
// "Write path after batching the jobs' writes"). A cached statement is
// reset when it goes back, so it holds no read snapshot open.
func withPragmas(dsn string) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for _, p := range []string{"_fk=1", "_journal_mode=WAL", "_busy_timeout=10000", "_txlock=immediate", "_synchronous=NORMAL", "_cache_size=-16384", "_stmt_cache_size=128"} {
		name := strings.SplitN(p, "=", 2)[0]
		if strings.Contains(dsn, name+"=") {
			continue
		}
		if strings.Contains(dsn, "mode=memory") && name == "_journal_mode" {
			continue
		}
		dsn += sep + p
		sep = "&"
	}
	return dsn
}

// CheckPath verifies that the SQLite file's directory exists or can be
// created and is writable, so a bad path fails at start with a clear message.
func (t Target) CheckPath() error {
	if t.Path == "" {
		return nil
	}
	dir := filepath.Dir(t.Path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("database directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".avatarcrm-writable-*")
	if err != nil {
		return fmt.Errorf("database directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	if st, err := os.Stat(t.Path); err == nil {
		if st.IsDir() {
			return fmt.Errorf("database path %s is a directory", t.Path)
		}
		fh, err := os.OpenFile(t.Path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("database file %s: %w", t.Path, err)
		}
		_ = fh.Close()
	}
	return nil
}

// Open opens the database. It does not migrate; call Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	t, err := Parse(cfg.URL)
	if err != nil {
		return nil, err
	}
	if err := t.CheckPath(); err != nil {
		return nil, err
	}
	sqlDB, err := sql.Open(t.DriverName, t.DSN)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if t.Dialect == dialect.SQLite {
		// Reads share a small pool under WAL; writes have a connection of
		// their own (writer.go), so a pool bigger than the cores buys
		// nothing but page caches.
		sqlDB.SetMaxOpenConns(readConns)
		sqlDB.SetMaxIdleConns(readConns)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if t.Dialect == dialect.SQLite && t.Path != "" {
		// Not for an in-memory database: it lives only while a
		// connection is open.
		sqlDB.SetConnMaxIdleTime(readerIdle)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	drv := entsql.OpenDB(t.Dialect, sqlDB)
	var entDrv dialect.Driver = recordingDriver{drv}
	d := &DB{SQL: sqlDB, Dialect: t.Dialect, Driver: drv, target: t}
	if t.Dialect == dialect.SQLite && t.Path != "" {
		w, err := sql.Open(t.DriverName, t.DSN)
		if err != nil {
			_ = sqlDB.Close()
			return nil, fmt.Errorf("open database: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxIdleTime(0)
		gate := newWriteGate(w)
		d.Write, d.gate = w, gate
		entDrv = splitDriver{Driver: drv, write: entsql.OpenDB(t.Dialect, w), gate: gate}
	}
	opts := []ent.Option{ent.Driver(entDrv)}
	if cfg.Debug {
		opts = append(opts, ent.Debug())
	}
	d.Client = ent.NewClient(opts...)
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.Client.Close() }

// readConns is the size of a SQLite file's read pool.
const readConns = 4
