package db_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/db"
)

// ReleaseMemory closes the idle read connections of a SQLite file, does
// not wait for a writer that holds the write connection, and leaves the
// database working: reads reopen a connection, the open transaction
// commits, and its row is there.
func TestReleaseMemoryClosesIdleReaders(t *testing.T) {
	d := open(t, "sqlite:"+filepath.Join(t.TempDir(), "r.db"))
	ctx := context.Background()
	if _, err := d.SQL.ExecContext(ctx, "CREATE TABLE t (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	// Several readers at once, so the pool holds more than one.
	var wg, opened sync.WaitGroup
	opened.Add(4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := d.SQL.Conn(ctx)
			opened.Done()
			if err != nil {
				t.Error(err)
				return
			}
			opened.Wait() // hold it until all four are open
			var n int
			_ = c.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n)
			_ = c.Close()
		}()
	}
	wg.Wait()
	if idle := d.SQL.Stats().Idle; idle < 2 {
		t.Fatalf("%d idle readers before the release, want several", idle)
	}

	// A writer holds the write connection meanwhile.
	tctx := db.WithSQLTx(ctx)
	tx, err := d.Client.Tx(tctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQLTx(tctx).ExecContext(ctx, "INSERT INTO t (n) VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	d.ReleaseMemory(ctx) // must return without the write connection
	if idle := d.SQL.Stats().Idle; idle != 0 {
		t.Errorf("%d idle readers after the release, want 0", idle)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	d.ReleaseMemory(ctx) // the write connection free: its cache shrinks
	var n int
	if err := d.SQL.QueryRowContext(ctx, "SELECT n FROM t").Scan(&n); err != nil || n != 42 {
		t.Fatalf("read after the release: %d, %v; want 42", n, err)
	}
}
