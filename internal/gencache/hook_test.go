package gencache_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/gencache"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// A write to a matching type makes every entry of earlier generations
// unusable at once, and again at its commit (an entry built inside the
// transaction's window from the old rows must not outlive it); a read
// leaves it alone.
func TestHook_InvalidatesOnWriteAndCommit(t *testing.T) {
	ctx := viewer.Seed.Grant(context.Background(), "gencache test")
	d, err := db.Open(ctx, db.Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "crm.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var g gencache.Gen
	d.Client.Use(gencache.Hook(&g, func(typ string) bool { return typ == ent.TypeUser }))

	before := g.Load()
	if _, err := d.Client.Location.Query().Count(ctx); err != nil {
		t.Fatal(err)
	}
	if g.Load() != before {
		t.Fatal("a read invalidated the cache")
	}

	tx, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.User.Create().SetEmail("cache@example.com").SetName("Cache").SetStatus(user.StatusActive).Exec(ctx); err != nil {
		_ = tx.Rollback()
		t.Fatal(err)
	}
	atWrite := g.Load()
	if atWrite == before {
		t.Fatal("a write to a matching type did not invalidate at once")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if g.Load() == atWrite {
		t.Fatal("the commit did not invalidate again")
	}
}
