package txn_test

import (
	"context"
	"errors"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

func TestRun(t *testing.T) {
	d := testutil.DemoDB(t)
	ctx := viewer.Seed.Grant(context.Background(), "test")
	exists := func(code string) bool {
		n, err := d.Client.Location.Query().Where(location.Code(code)).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	create := func(code string) func(context.Context, *ent.Client) error {
		return func(ctx context.Context, c *ent.Client) error {
			if ent.TxFromContext(ctx) == nil {
				t.Error("fn runs without a transaction in its context")
			}
			return c.Location.Create().SetName("Txn " + code).SetCode(code).Exec(ctx)
		}
	}
	boom := errors.New("boom")

	if err := txn.Run(ctx, d.Client, create("TOK")); err != nil || !exists("TOK") {
		t.Fatalf("success: %v, committed %v", err, exists("TOK"))
	}
	err := txn.Run(ctx, d.Client, func(ctx context.Context, c *ent.Client) error {
		if err := create("TERR")(ctx, c); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || exists("TERR") {
		t.Fatalf("failure: %v, row kept %v", err, exists("TERR"))
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic was swallowed")
			}
		}()
		_ = txn.Run(ctx, d.Client, func(ctx context.Context, c *ent.Client) error {
			_ = create("TPAN")(ctx, c)
			panic("boom")
		})
	}()
	if exists("TPAN") {
		t.Error("a panic left its row")
	}

	// Inside the caller's transaction: joined, so the caller's rollback
	// takes the row too.
	tx, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := txn.Run(ent.NewTxContext(ctx, tx), d.Client, create("TJOIN")); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if exists("TJOIN") {
		t.Error("Run committed on its own inside the caller's transaction")
	}
}
