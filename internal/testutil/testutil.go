// Package testutil holds the fixtures tests share: real SQLite files with
// migrations applied, the demo data, a running server, signed-in HTTP
// clients and a GraphQL helper.
package testutil

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/seed"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Now is the fixed clock of the demo data in tests: Wednesday 11 March 2026,
// 09:00 in Sydney (daylight time, UTC+11).
var Now = time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC)

// OpenDB opens a fresh, migrated SQLite database in a file under
// tb.TempDir(), closed when the test ends.
func OpenDB(tb testing.TB) *db.DB {
	tb.Helper()
	return openFile(tb, filepath.Join(tb.TempDir(), "test.db"))
}

func openFile(tb testing.TB, path string) *db.DB {
	tb.Helper()
	return OpenURL(tb, "sqlite:"+path)
}

// OpenURL opens the database at url (sqlite:<path>, or a PostgresURL),
// migrated to the newest version and closed when the test ends.
func OpenURL(tb testing.TB, url string) *db.DB {
	tb.Helper()
	quietLogs()
	d, err := db.Open(context.Background(), db.Config{URL: url})
	if err != nil {
		tb.Fatalf("open database: %v", err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return d
}

var (
	demoOnce sync.Once
	demoPath string
	demoErr  error
)

// DemoDBPath returns the path of a fresh copy of a database holding the demo
// data (seeded at Now), in tb.TempDir(). The demo database is built once per
// test binary and copied, which is much faster than seeding each time.
func DemoDBPath(tb testing.TB) string {
	tb.Helper()
	quietLogs()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "avatarcrm-demo-*")
		if err != nil {
			demoErr = err
			return
		}
		demoPath = filepath.Join(dir, "demo.db")
		d, err := db.Open(context.Background(), db.Config{URL: "sqlite:" + demoPath})
		if err != nil {
			demoErr = err
			return
		}
		defer d.Close()
		if _, demoErr = d.Migrate(context.Background()); demoErr != nil {
			return
		}
		ec := entclient.New(d, entclient.Options{AuditKey: AuditKey, Clock: clock.Fixed(Now)})
		_, demoErr = seed.Demo(context.Background(), ec, seed.Options{})
		if err := ec.Audit.Close(context.Background()); demoErr == nil {
			demoErr = err
		}
		if demoErr != nil {
			return
		}
		// Fold the WAL into the main file so a plain copy is complete.
		_, demoErr = d.SQL.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	})
	if demoErr != nil {
		tb.Fatalf("demo database: %v", demoErr)
	}
	dst := filepath.Join(tb.TempDir(), "demo.db")
	if err := copyFile(demoPath, dst); err != nil {
		tb.Fatalf("copy demo database: %v", err)
	}
	return dst
}

// AuditKey is the audit trail key of the demo database's trail (its seed
// entry) and of every StartServer: a test that runs a command against a
// copy of the demo database gives it AuditKeyFile, or the chain would not
// verify.
var AuditKey, _ = hex.DecodeString(auditKeyHex)

const auditKeyHex = "746573742d6f6e6c792d61756469742d6b65792d6e6f742d7365637265742121"

// AuditKeyFile writes AuditKey to a new key file (mode 0600) and returns
// its path.
func AuditKeyFile(tb testing.TB) string {
	tb.Helper()
	return WriteAuditKey(tb, filepath.Join(tb.TempDir(), "audit.key"))
}

// WriteAuditKey writes AuditKey to path (mode 0600, its directory created
// 0700) and returns path: for a test that needs the key in a given place.
func WriteAuditKey(tb testing.TB, path string) string {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(auditKeyHex+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// Client builds the client every process uses (internal/entclient) over
// d, with AuditKey and the clock fixed at Now; its audit writer is closed
// when the test ends.
func Client(tb testing.TB, d *db.DB) *entclient.Client {
	tb.Helper()
	ec := entclient.New(d, entclient.Options{AuditKey: AuditKey, Clock: clock.Fixed(Now)})
	tb.Cleanup(func() { _ = ec.Audit.Close(context.Background()) })
	return ec
}

// DemoDB opens a fresh copy of the demo database.
func DemoDB(tb testing.TB) *db.DB {
	tb.Helper()
	return openFile(tb, DemoDBPath(tb))
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// As returns a context acting as the user with that email at their default
// location (or at the location with the given code).
func As(tb testing.TB, c *ent.Client, email string, locationCode ...string) context.Context {
	tb.Helper()
	ctx := context.Background()
	u, err := c.User.Query().Where(user.Email(email)).WithMemberships(func(q *ent.MembershipQuery) { q.WithLocation() }).Only(viewer.Identity.Grant(ctx, ""))
	if err != nil {
		tb.Fatalf("user %s: %v", email, err)
	}
	var pref = u.DefaultLocationID
	if len(locationCode) > 0 {
		pref = nil
		for _, m := range u.Edges.Memberships {
			if m.Edges.Location.Code == locationCode[0] {
				id := m.LocationID
				pref = &id
			}
		}
		if pref == nil {
			tb.Fatalf("%s has no membership at %s", email, locationCode[0])
		}
	}
	var p pulid.ID
	if pref != nil {
		p = *pref
	}
	v, err := auth.LoadViewer(ctx, c, u.ID, p)
	if err != nil {
		tb.Fatalf("viewer %s: %v", email, err)
	}
	return viewer.NewContext(ctx, v)
}

var logOnce sync.Once

// quietLogs keeps test output to warnings and errors unless
// AVATARCRM_TEST_LOG=debug (or info) asks for more.
func quietLogs() {
	logOnce.Do(func() {
		level := slog.LevelWarn
		if v := os.Getenv("AVATARCRM_TEST_LOG"); v != "" {
			_ = level.UnmarshalText([]byte(v))
		}
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	})
}
