package viewer

import (
	"context"

	"entgo.io/ent/privacy"
)

// SystemContext returns ctx acting as the system itself: migrations, seeding
// and background jobs. Privacy rules allow it everything, so use it only
// where no person is behind the work.
func SystemContext(ctx context.Context) context.Context {
	ctx = NewContext(ctx, &Viewer{System: true})
	return privacy.DecisionContext(ctx, privacy.Allow)
}
