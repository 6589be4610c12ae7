package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"entgo.io/ent/dialect"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations are generated from ent/schema by `go run ./internal/db/migrategen`
// (Atlas diff, goose format), one directory per dialect.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// MigrationsFS returns the migration files for a dialect.
func MigrationsFS(dialectName string) (fs.FS, error) {
	dir := "migrations/sqlite"
	if dialectName == dialect.Postgres {
		dir = "migrations/postgres"
	}
	return fs.Sub(migrations, dir)
}

func (d *DB) provider() (*goose.Provider, error) {
	fsys, err := MigrationsFS(d.Dialect)
	if err != nil {
		return nil, err
	}
	gd := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d.Dialect == dialect.Postgres {
		gd = goose.DialectPostgres
		// Several instances may start at once; a session lock makes one of
		// them migrate while the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	return goose.NewProvider(gd, d.SQL, fsys, opts...)
}

// Migrate applies every pending migration of the application and then
// River's (the job queue's tables, river.go), and returns how many of the
// application's ran.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	p, err := d.provider()
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	for _, r := range res {
		slog.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	if err := d.migrateRiver(ctx); err != nil {
		return len(res), err
	}
	return len(res), nil
}

// MigrationStatus describes one migration.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

// Status lists the migrations and whether each has been applied.
func (d *DB) Status(ctx context.Context) ([]MigrationStatus, error) {
	p, err := d.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}

// Pending reports how many migrations are not yet applied.
func (d *DB) Pending(ctx context.Context) (int, error) {
	st, err := d.Status(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range st {
		if !s.Applied {
			n++
		}
	}
	return n, nil
}
