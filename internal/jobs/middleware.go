package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// GlobalTag marks a job that belongs to no one location (maintenance over
// every location); every other job is tagged with its location's ID.
const GlobalTag = "global"

// locationOf reads the location_id field of a job's encoded arguments.
func locationOf(encoded []byte) pulid.ID {
	var a struct {
		LocationID pulid.ID `json:"location_id"`
	}
	_ = json.Unmarshal(encoded, &a)
	return a.LocationID
}

// tagLocation tags every inserted job with its location (or GlobalTag), so
// the admin API can list one location's jobs without reading arguments.
type tagLocation struct{ river.MiddlewareDefaults }

func (*tagLocation) InsertMany(ctx context.Context, many []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	for _, p := range many {
		tag := GlobalTag
		if loc := locationOf(p.EncodedArgs); loc != "" {
			tag = string(loc)
		}
		p.Tags = append(p.Tags, tag)
	}
	return doInner(ctx)
}

// actAsJob runs every job as the job capability (viewer.ForJob) for its
// location, with the job named in the audit entries its changes write, and
// logs the outcome.
type actAsJob struct {
	river.MiddlewareDefaults
	log *slog.Logger
}

func (m *actAsJob) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	loc := locationOf(job.EncodedArgs)
	ctx = viewer.ForJob(ctx, loc, job.Kind)
	meta := &audit.Meta{}
	meta.SetOperation(viewer.JobActor(job.Kind) + "#" + strconv.FormatInt(job.ID, 10))
	ctx = audit.WithMeta(ctx, meta)
	start := time.Now()
	err := doInner(ctx)
	attrs := []any{"job", job.ID, "kind", job.Kind, "attempt", job.Attempt, "took", time.Since(start).Round(time.Millisecond)}
	if loc != "" {
		attrs = append(attrs, "location", loc)
	}
	if err != nil {
		attrs = append(attrs, "max_attempts", job.MaxAttempts, "err", err)
		if job.Attempt >= job.MaxAttempts {
			// River discards it now: the dead letter, for an admin to see.
			m.log.Error("job out of attempts, dead-lettered", attrs...)
		} else {
			m.log.Info("job attempt failed, will retry", attrs...)
		}
		return err
	}
	m.log.Debug("job done", attrs...)
	return nil
}
