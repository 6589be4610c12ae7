package viewer

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// JobActor is the Name of the viewer a background job runs as: "job:" and
// the job's kind, so audit entries and logs say which job acted.
func JobActor(kind string) string { return "job:" + kind }

// ForJob returns ctx acting for a durable job (internal/jobs) of the given
// kind, for location (empty for work that spans every location, such as
// rescoring all contacts). It is the one capability background jobs get:
// system access, with the job named as the actor and the location the job
// belongs to as the active location. internal/jobs applies it to every job
// it runs, so workers never grant themselves access.
func ForJob(ctx context.Context, location pulid.ID, kind string) context.Context {
	ctx = SystemContext(ctx)
	return NewContext(ctx, &Viewer{System: true, LocationID: location, Name: JobActor(kind)})
}
