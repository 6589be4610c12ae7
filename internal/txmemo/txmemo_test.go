package txmemo_test

import (
	"context"
	"errors"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/txmemo"
)

type key string

func TestGet(t *testing.T) {
	loads := 0
	load := func() (int, error) { loads++; return loads, nil }

	t.Run("WithoutMemoLoadsEveryTime", func(t *testing.T) {
		loads = 0
		ctx := context.Background()
		a, _ := txmemo.Get(ctx, key("a"), load)
		b, _ := txmemo.Get(ctx, key("a"), load)
		if a != 1 || b != 2 {
			t.Errorf("got %d, %d: want two loads", a, b)
		}
	})
	t.Run("MemoLoadsOncePerKey", func(t *testing.T) {
		loads = 0
		ctx := txmemo.With(context.Background())
		a, _ := txmemo.Get(ctx, key("a"), load)
		b, _ := txmemo.Get(ctx, key("a"), load)
		c, _ := txmemo.Get(ctx, key("c"), load)
		if a != 1 || b != 1 || c != 2 {
			t.Errorf("got %d, %d, %d: want 1, 1, 2", a, b, c)
		}
		// A new memo (the next batch's transaction) reads again.
		d, _ := txmemo.Get(txmemo.With(context.Background()), key("a"), load)
		if d != 3 {
			t.Errorf("a new memo got %d, want a fresh load", d)
		}
	})
	t.Run("ErrorsAreNotRemembered", func(t *testing.T) {
		ctx := txmemo.With(context.Background())
		boom := errors.New("boom")
		if _, err := txmemo.Get(ctx, key("e"), func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
			t.Fatalf("err %v", err)
		}
		v, err := txmemo.Get(ctx, key("e"), func() (int, error) { return 7, nil })
		if err != nil || v != 7 {
			t.Errorf("after an error: %d, %v; want 7", v, err)
		}
	})
}
