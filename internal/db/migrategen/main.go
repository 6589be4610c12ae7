// Command migrategen writes a new versioned migration for each database
// dialect from the difference between ent/schema and the migrations already
// written. Run it after changing ent/schema:
//
//	go run ./internal/db/migrategen -name add_stage_history
//
// After adding a hand-written migration (triggers, data fixes), rewrite the
// checksums with -rehash.
//
// It replays the existing migrations on a scratch database (in-memory SQLite;
// a throwaway database on the PostgreSQL server at -pg) and asks Atlas for
// the statements that bring it to the schema. Nothing is written when the
// schema has not changed.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
	"github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"

	"github.com/avatarimaging/avatarcrm/ent/migrate"
	"github.com/avatarimaging/avatarcrm/internal/db"
)

func main() {
	name := flag.String("name", "", "migration name, e.g. add_stage_history")
	pg := flag.String("pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server to create a scratch database on")
	only := flag.String("dialect", "", "generate only for this dialect (sqlite or postgres)")
	rehash := flag.Bool("rehash", false, "only rewrite atlas.sum after adding a hand-written migration")
	flag.Parse()
	if *rehash {
		for _, dir := range []string{"internal/db/migrations/sqlite", "internal/db/migrations/postgres"} {
			must(rehashDir(dir))
		}
		return
	}
	if *name == "" {
		log.Fatal("-name is required")
	}
	ctx := context.Background()
	if *only == "" || *only == "sqlite" {
		must(diff(ctx, "internal/db/migrations/sqlite", "sqlite://dev?mode=memory&_fk=1", dialect.SQLite, *name))
		warnRebuilds("internal/db/migrations/sqlite")
	}
	if *only == "" || *only == "postgres" {
		devURL, drop := scratchPG(ctx, *pg)
		defer drop()
		must(diff(ctx, "internal/db/migrations/postgres", devURL, dialect.Postgres, *name))
	}
}

func diff(ctx context.Context, dir, devURL, dia, name string) error {
	// The long names as the existing migrations spell them (internal/db,
	// PinEntSymbols), whichever dialect is diffed first.
	db.PinEntSymbols(dia)
	d, err := sqltool.NewGooseDir(dir)
	if err != nil {
		return err
	}
	return migrate.NamedDiff(ctx, devURL, name,
		schema.WithDir(d),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dia),
		schema.WithFormatter(sqltool.GooseFormatter),
		schema.WithDropColumn(false),
		schema.WithDropIndex(true),
	)
}

// rehashDir rewrites a directory's atlas.sum, which Atlas checks before it
// replays the directory, after a hand-written migration (triggers, data
// fixes) was added.
func rehashDir(dir string) error {
	d, err := sqltool.NewGooseDir(dir)
	if err != nil {
		return err
	}
	sum, err := d.Checksum()
	if err != nil {
		return err
	}
	return atlasmigrate.WriteSumFile(d, sum)
}

// scratchPG creates an empty database for Atlas to replay migrations on.
func scratchPG(ctx context.Context, server string) (string, func()) {
	// Atlas opens "postgres://" URLs with the driver named "postgres"
	// (which a dependency of internal/db may have registered already).
	if !slices.Contains(sql.Drivers(), "postgres") {
		sql.Register("postgres", stdlib.GetDefaultDriver())
	}
	admin, err := sql.Open("postgres", server)
	must(err)
	dbName := fmt.Sprintf("avatarcrm_migrategen_%d", rand.Uint32())
	_, err = admin.ExecContext(ctx, "CREATE DATABASE "+dbName)
	must(err)
	u, err := url.Parse(server)
	must(err)
	u.Path = "/" + dbName
	if !strings.Contains(u.RawQuery, "sslmode") {
		u.RawQuery = "sslmode=disable"
	}
	return u.String(), func() {
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)")
		_ = admin.Close()
	}
}

// warnRebuilds flags SQLite migrations that rebuild a table. Atlas turns
// foreign keys off around a rebuild, but goose runs each migration in a
// transaction, where SQLite ignores that PRAGMA: dropping the old table then
// fails (or cascades). Restructure the change (e.g. a unique index instead of
// a UNIQUE column) or mark the file "-- +goose NO TRANSACTION".
func warnRebuilds(dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(b)
		if strings.Contains(s, "PRAGMA foreign_keys = off") && !strings.Contains(s, "+goose NO TRANSACTION") {
			log.Printf("WARNING: %s rebuilds a table inside a transaction; see warnRebuilds in migrategen", f)
		}
		// Atlas reverses a rebuild by dropping the temporary new_ table,
		// which no longer exists: that Down fails and must be written by
		// hand (TestMigrations_DownAndUp runs it).
		if _, down, ok := strings.Cut(s, "+goose Down"); ok && strings.Contains(down, "DROP TABLE `new_") {
			log.Printf("WARNING: %s: its Down drops a rebuild's temporary table; write the reverse by hand", f)
		}
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
