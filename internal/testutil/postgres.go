package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// DefaultTestPostgres is the PostgreSQL server the parity tests use unless
// AVATARCRM_TEST_POSTGRES names another.
const DefaultTestPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresURL creates a fresh, empty, uniquely named database on the
// PostgreSQL server given by AVATARCRM_TEST_POSTGRES (default
// DefaultTestPostgres), returns its URL, and drops it when the test ends. The
// URL must name a database the user can connect to and a user allowed to
// create databases. When no server answers within a few seconds the test is
// skipped, so `go test ./...` passes on a machine without PostgreSQL.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	quietLogs()
	server := os.Getenv("AVATARCRM_TEST_POSTGRES")
	if server == "" {
		server = DefaultTestPostgres
	}
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("AVATARCRM_TEST_POSTGRES=%q: want a postgres:// URL", server)
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		tb.Fatalf("AVATARCRM_TEST_POSTGRES: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		SkipOrFail(tb, "PostgreSQL parity test needs a server at %s (%v): set AVATARCRM_TEST_POSTGRES to a postgres:// URL of a user who may create databases",
			u.Redacted(), err)
	}

	var b [6]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("avatarcrm_test_%s_%s", time.Now().UTC().Format("20060102150405"), hex.EncodeToString(b[:]))
	cctx, ccancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer ccancel()
	if _, err := admin.ExecContext(cctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		tb.Fatalf("create test database on %s: %v", u.Redacted(), err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE (PostgreSQL 13+) ends connections a test left open.
		_, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		if err != nil && strings.Contains(err.Error(), "syntax error") {
			_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
		}
		if err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})

	dbURL := *u
	dbURL.Path = "/" + name
	dbURL.RawPath = ""
	return dbURL.String()
}
