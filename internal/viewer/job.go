package viewer

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// JobActor is the Actor of the viewer a background job runs as: "job:"
// and the job's kind, so audit entries and logs say which job acted.
func JobActor(kind string) string { return "job:" + kind }

// ForJob returns ctx acting for a durable job (internal/jobs) of the given
// kind, for location (empty for work that spans every location, such as
// rescoring all contacts): the Job capability, granted to a system viewer
// that names the job as the actor and has the job's location as the
// active location. internal/jobs applies it to every job it runs, so
// workers never grant themselves access. Whoever enqueued the job is not
// in the context: a job runs after their request, often in another
// process.
func ForJob(ctx context.Context, location pulid.ID, kind string) context.Context {
	actor := JobActor(kind)
	ctx = NewContext(ctx, &Viewer{System: true, LocationID: location, Actor: actor})
	return Job.Grant(ctx, actor)
}
