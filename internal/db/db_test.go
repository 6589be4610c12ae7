package db_test

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/avatarimaging/avatarcrm/ent/migrate"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		dialect string
		// driver is the database/sql driver; for SQLite any registered
		// driver will do (the package wraps go-sqlite3).
		driver string
		path   string
		// dsnHas are substrings the DSN must contain; dsnNot must not.
		dsnHas  []string
		dsnNot  []string
		wantErr string
	}{
		{
			name: "default", raw: "",
			dialect: dialect.SQLite, path: "./data/avatarcrm.db",
			dsnHas: []string{"file:./data/avatarcrm.db?", "_fk=1", "_journal_mode=WAL", "_busy_timeout=10000", "_txlock=immediate"},
		},
		{
			name: "sqlite: prefix", raw: "sqlite:/var/lib/avatarcrm/crm.db",
			dialect: dialect.SQLite, path: "/var/lib/avatarcrm/crm.db",
			dsnHas: []string{"file:/var/lib/avatarcrm/crm.db?", "_fk=1", "_journal_mode=WAL"},
		},
		{
			name: "sqlite:// prefix", raw: "sqlite:///var/lib/avatarcrm/crm.db",
			dialect: dialect.SQLite, path: "/var/lib/avatarcrm/crm.db",
			dsnHas: []string{"file:/var/lib/avatarcrm/crm.db?", "_fk=1"},
		},
		{
			name: "bare path", raw: "data/crm.db",
			dialect: dialect.SQLite, path: "data/crm.db",
			dsnHas: []string{"file:data/crm.db?", "_fk=1", "_journal_mode=WAL"},
		},
		{
			name: "file DSN keeps its settings", raw: "file:crm.db?_busy_timeout=1&_fk=1",
			dialect: dialect.SQLite, path: "crm.db",
			dsnHas: []string{"file:crm.db?_busy_timeout=1&_fk=1&", "_journal_mode=WAL"},
			dsnNot: []string{"_busy_timeout=10000", "_fk=1&_fk=1"},
		},
		{
			name: "in-memory file DSN", raw: "file:t1?mode=memory&cache=shared&_fk=1",
			dialect: dialect.SQLite, path: "",
			dsnHas: []string{"file:t1?mode=memory&cache=shared&_fk=1", "_busy_timeout=10000"},
			dsnNot: []string{"_journal_mode"},
		},
		{
			name: "postgres", raw: "postgres://crm:secret@db.internal:5432/crm?sslmode=require",
			dialect: dialect.Postgres, driver: "pgx", path: "",
			dsnHas: []string{"postgres://crm:secret@db.internal:5432/crm?sslmode=require"},
			dsnNot: []string{"_fk"},
		},
		{
			name: "postgresql scheme", raw: "postgresql://crm@localhost/crm",
			dialect: dialect.Postgres, driver: "pgx", path: "",
			dsnHas: []string{"postgresql://crm@localhost/crm"},
		},
		{name: "mysql", raw: "mysql://root@localhost/crm", wantErr: "want sqlite:<path> or postgres://"},
		{name: "bad postgres URL", raw: "postgres://crm@%zz/crm", wantErr: "database URL"},
		{name: "empty sqlite path", raw: "sqlite:", wantErr: "empty SQLite path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Parse(tt.raw)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want an error containing %q", tt.raw, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %q, want it to contain %q", tt.raw, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			if got.Dialect != tt.dialect || got.Path != tt.path {
				t.Errorf("Parse(%q) = dialect %q path %q, want %q %q",
					tt.raw, got.Dialect, got.Path, tt.dialect, tt.path)
			}
			if tt.driver != "" && got.DriverName != tt.driver {
				t.Errorf("Parse(%q).DriverName = %q, want %q", tt.raw, got.DriverName, tt.driver)
			}
			if !slices.Contains(sql.Drivers(), got.DriverName) {
				t.Errorf("Parse(%q).DriverName = %q, which is not a registered database/sql driver %v", tt.raw, got.DriverName, sql.Drivers())
			}
			for _, s := range tt.dsnHas {
				if !strings.Contains(got.DSN, s) {
					t.Errorf("Parse(%q).DSN = %q, want it to contain %q", tt.raw, got.DSN, s)
				}
			}
			for _, s := range tt.dsnNot {
				if strings.Contains(got.DSN, s) {
					t.Errorf("Parse(%q).DSN = %q, must not contain %q", tt.raw, got.DSN, s)
				}
			}
		})
	}
}

// open opens a database at url and closes it when the test ends.
func open(t *testing.T, url string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Config{URL: url})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// openBefore opens a new database of kind ("sqlite": a file; "postgres":
// a scratch database) migrated up to just before the migration whose file
// name ends with suffix: the upgrade tests write rows as the release before
// it did, then migrate.
func openBefore(t *testing.T, kind, suffix string) *db.DB {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "old.db")
	if kind == "postgres" {
		url = testutil.PostgresURL(t)
	}
	d := open(t, url)
	if err := d.MigrateBefore(context.Background(), suffix); err != nil {
		t.Fatal(err)
	}
	return d
}

// migrationCount is the number of migration files for a dialect.
func migrationCount(t *testing.T, dialectName string) int {
	t.Helper()
	fsys, err := db.MigrationsFS(dialectName)
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no %s migrations embedded", dialectName)
	}
	return len(files)
}

// assertMatchesSchema applies the migrations to an empty database and asks
// ent which statements would bring it to ent/schema, drops included. Any
// statement means ent/schema changed without a migration (run
// `go run ./internal/db/migrategen -name …`), or a migration was edited by
// hand.
func assertMatchesSchema(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	n, err := d.Migrate(ctx)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if want := migrationCount(t, d.Dialect); n != want {
		t.Fatalf("applied %d migrations to an empty database, want %d", n, want)
	}
	assertNoSchemaDiff(t, d)
}

// assertNoSchemaDiff fails if ent would change the migrated database d to
// bring it to ent/schema.
func assertNoSchemaDiff(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	db.PinEntSymbols(d.Dialect)
	var buf bytes.Buffer
	if err := d.Client.Schema.WriteTo(ctx, &buf,
		migrate.WithDropColumn(true),
		migrate.WithDropIndex(true),
		migrate.WithForeignKeys(true),
	); err != nil {
		t.Fatalf("diff schema: %v", err)
	}
	var stmts []string
	for _, line := range strings.Split(buf.String(), "\n") {
		line = strings.TrimSpace(line)
		switch strings.TrimSuffix(strings.ToUpper(line), ";") {
		case "", "BEGIN", "COMMIT":
			continue
		}
		stmts = append(stmts, line)
	}
	if len(stmts) > 0 {
		t.Fatalf("the %s migrations do not produce ent/schema; ent would still run:\n%s\n\n"+
			"After changing ent/schema run `go generate ./...` and then "+
			"`go run ./internal/db/migrategen -name <what_changed>`, and commit the new files in internal/db/migrations.",
			d.Dialect, strings.Join(stmts, "\n"))
	}
}

func TestMigrations_MatchSchema_SQLite(t *testing.T) {
	d := open(t, "sqlite:"+filepath.Join(t.TempDir(), "schema.db"))
	assertMatchesSchema(t, d)
}

func TestMigrations_MatchSchema_Postgres(t *testing.T) {
	d := open(t, testutil.PostgresURL(t))
	if d.Dialect != dialect.Postgres {
		t.Fatalf("dialect = %s, want postgres", d.Dialect)
	}
	assertMatchesSchema(t, d)
}

func TestMigrate_Idempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "idem.db")
	want := migrationCount(t, dialect.SQLite)

	d := open(t, "sqlite:"+path)
	if n, err := d.Pending(ctx); err != nil || n != want {
		t.Fatalf("Pending on an empty database = %d, %v; want %d", n, err, want)
	}
	if n, err := d.Migrate(ctx); err != nil || n != want {
		t.Fatalf("first Migrate = %d, %v; want %d", n, err, want)
	}
	if n, err := d.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("second Migrate = %d, %v; want 0", n, err)
	}
	// A restart opens the same file again: nothing more to do.
	_ = d.Close()
	d = open(t, "sqlite:"+path)
	if n, err := d.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("Migrate after reopening = %d, %v; want 0", n, err)
	}
	st, err := d.Status(ctx)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if len(st) != want {
		t.Fatalf("Status lists %d migrations, want %d: %+v", len(st), want, st)
	}
	for i, s := range st {
		if !s.Applied {
			t.Errorf("migration %d (%s) not applied", s.Version, s.Name)
		}
		if s.Version == 0 || !strings.HasSuffix(s.Name, ".sql") {
			t.Errorf("migration %+v: want a version and a .sql file", s)
		}
		if i > 0 && s.Version <= st[i-1].Version {
			t.Errorf("Status not in version order: %d after %d", s.Version, st[i-1].Version)
		}
	}
	if n, err := d.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("Pending after Migrate = %d, %v; want 0", n, err)
	}
}
