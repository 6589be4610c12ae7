package ui

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestInTx checks the transaction every admin form runs in: fn sees the
// transaction in its context (the resolvers write through ent.FromContext,
// the audit log hooks ent.TxFromContext), a success commits, and an error
// or a panic leaves nothing behind.
func TestInTx(t *testing.T) {
	ctx := viewer.Seed.Grant(context.Background(), "test")
	d, err := db.Open(ctx, db.Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "tx.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u := New(&graph.Resolver{Client: d.Client}, Options{})
	create := func(ctx context.Context, code string) error {
		c := ent.FromContext(ctx)
		if c == nil || ent.TxFromContext(ctx) == nil {
			return errors.New("fn's context carries no transaction")
		}
		return c.Location.Create().SetName("Test " + code).SetCode(code).Exec(ctx)
	}
	exists := func(code string) bool {
		ok, err := d.Client.Location.Query().Where(location.Code(code)).Exist(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	if err := u.inTx(ctx, func(ctx context.Context) error { return create(ctx, "OK") }); err != nil {
		t.Fatalf("inTx: %v", err)
	}
	if !exists("OK") {
		t.Error("a successful fn was not committed")
	}

	boom := errors.New("boom")
	err = u.inTx(ctx, func(ctx context.Context) error {
		if err := create(ctx, "ERR"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("inTx returned %v, want fn's error", err)
	}
	if exists("ERR") {
		t.Error("a failed fn was committed")
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not go on")
			}
		}()
		_ = u.inTx(ctx, func(ctx context.Context) error {
			if err := create(ctx, "PANIC"); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if exists("PANIC") {
		t.Error("a panicking fn was committed")
	}
	// The rollback released the database: another write goes through.
	if err := u.inTx(ctx, func(ctx context.Context) error { return create(ctx, "AFTER") }); err != nil || !exists("AFTER") {
		t.Errorf("write after the rollbacks: %v", err)
	}
}
