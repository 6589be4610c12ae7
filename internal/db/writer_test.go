package db_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/db"
)

// Many concurrent transactions on a SQLite file queue for the write
// connection and all commit; reads outside a transaction meanwhile go to
// the read pool; Checkpoint folds the WAL back and empties it.
func TestWriteConnectionSerialisesWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	d := open(t, "sqlite:"+path)
	if d.Write == nil {
		t.Fatal("a SQLite file has no write connection")
	}
	ctx := context.Background()
	if _, err := d.SQL.ExecContext(ctx, "CREATE TABLE t (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	const writers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				tctx := db.WithSQLTx(ctx)
				etx, err := d.Client.Tx(tctx)
				if err != nil {
					errs <- err
					return
				}
				if _, err := db.SQLTx(tctx).ExecContext(ctx, "INSERT INTO t (n) VALUES (?)", w*each+i); err != nil {
					_ = etx.Rollback()
					errs <- err
					return
				}
				if err := etx.Commit(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int
	if err := d.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != writers*each {
		t.Fatalf("%d rows committed, want %d", n, writers*each)
	}
	if err := d.Checkpoint(ctx); err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != 0 {
		t.Errorf("WAL is %d bytes after a TRUNCATE checkpoint, want 0", st.Size())
	}
}

// A transaction whose context ends without Commit or Rollback gives the
// write connection back: the next writer is not stuck behind it.
func TestWriteConnectionFreedWhenContextEnds(t *testing.T) {
	d := open(t, "sqlite:"+filepath.Join(t.TempDir(), "w.db"))
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := d.Client.Tx(ctx); err != nil {
		t.Fatal(err)
	}
	cancel() // the transaction is abandoned
	tx, err := d.Client.Tx(context.Background())
	if err != nil {
		t.Fatalf("next transaction: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
