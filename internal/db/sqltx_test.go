package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/db"
)

// The *sql.Tx under an ent transaction is found through the context while
// the transaction is open, writes through it commit and roll back with
// the transaction, and it is gone once the transaction ends.
func TestSQLTx(t *testing.T) {
	d := open(t, "sqlite:"+filepath.Join(t.TempDir(), "tx.db"))
	ctx := context.Background()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL.Exec("CREATE TABLE probe (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := d.SQL.QueryRow("SELECT count(*) FROM probe").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, commit := range []bool{false, true} {
		tctx := db.WithSQLTx(ctx)
		if db.SQLTx(tctx) != nil {
			t.Fatal("a slot without a transaction holds one")
		}
		tx, err := d.Client.Tx(tctx)
		if err != nil {
			t.Fatal(err)
		}
		stx := db.SQLTx(tctx)
		if stx == nil {
			t.Fatal("no *sql.Tx recorded for the open transaction")
		}
		if _, err := stx.Exec("INSERT INTO probe (v) VALUES ('x')"); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		if db.SQLTx(tctx) != nil {
			t.Error("the slot still holds a finished transaction")
		}
	}
	if n := count(); n != 1 {
		t.Fatalf("%d rows, want the committed one only", n)
	}
	// Without a slot nothing is recorded.
	tx, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if db.SQLTx(ctx) != nil {
		t.Error("a transaction opened without a slot was recorded")
	}
}

// River's tables are created beside the application's (and are ignored by
// the schema drift test, which only adds what ent/schema lacks).
func TestMigrate_CreatesRiverTables(t *testing.T) {
	d := open(t, "sqlite:"+filepath.Join(t.TempDir(), "river.db"))
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"river_job", "river_leader", "river_migration", "river_queue"} {
		var n int
		if err := d.SQL.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: %d, %v", table, n, err)
		}
	}
}
