package app

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/db"
)

// trimAfterBursts returns the C heap's free pages to the OS (db.TrimMalloc)
// once requests have been served since the last look, every interval.
func (a *App) trimAfterBursts(ctx context.Context) {
	interval, _ := time.ParseDuration(os.Getenv("AVATARCRM_X_TRIM"))
	if interval <= 0 || a.admit == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var last uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := a.admit.Served()
		if n == last || a.admit.InFlight() > 0 {
			continue
		}
		last = n
		start := time.Now()
		released := db.TrimMalloc()
		slog.Info("malloc trim", "released", released, "took", time.Since(start))
	}
}
