package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// The admin API: what the jobs and dead-letter page and the GraphQL
// operations (jobs, retryJob, discardJob) call. Reading needs
// automation:read, changing automation:update; a person sees the jobs of
// their active location, and an admin also the jobs that belong to no
// location (maintenance). A system viewer (under a viewer.Capability: a
// job, the scheduler, an operator's command) sees all.

// State is a job's state (River's): available, scheduled, running,
// retryable (failed, waiting to be tried again), completed, cancelled,
// discarded (out of attempts: the dead letter), pending.
type State = rivertype.JobState

// States as River names them.
const (
	StateAvailable = rivertype.JobStateAvailable
	StateScheduled = rivertype.JobStateScheduled
	StateRunning   = rivertype.JobStateRunning
	StateRetryable = rivertype.JobStateRetryable
	StateCompleted = rivertype.JobStateCompleted
	StateCancelled = rivertype.JobStateCancelled
	StateDiscarded = rivertype.JobStateDiscarded
	StatePending   = rivertype.JobStatePending
)

// Redacted replaces the value of an argument marked phi:"true".
const Redacted = "[redacted]"

// Job is one job as the admin API shows it.
type Job struct {
	ID    int64
	Kind  string
	Queue string
	State State
	// LocationID is the location the job acts for; empty for jobs that
	// span every location.
	LocationID pulid.ID
	// Args are the job's arguments as JSON with every field marked
	// phi:"true" replaced by Redacted; for a kind this process does not
	// know, every value is redacted.
	Args        json.RawMessage
	Attempt     int
	MaxAttempts int
	// Errors are the failed attempts' errors, oldest first. Workers must not
	// put PHI in error messages.
	Errors      []AttemptError
	CreatedAt   time.Time
	ScheduledAt time.Time
	AttemptedAt *time.Time
	FinalizedAt *time.Time
}

// AttemptError is the error of one failed attempt.
type AttemptError struct {
	At      time.Time
	Attempt int
	Error   string
}

// ListParams filter and page a job list. Zero values mean "any".
type ListParams struct {
	States []State
	Kinds  []string
	// First is the page size (default 50, at most 500).
	First int
	// After is the cursor of the previous page's last job (Page.End).
	After string
}

// Page is one page of jobs, newest first.
type Page struct {
	Jobs []Job
	// End is the cursor to pass as ListParams.After for the next page;
	// empty when this page is the last.
	End string
}

// List lists jobs the viewer may see, newest first.
func (q *Queue) List(ctx context.Context, p ListParams) (*Page, error) {
	tags, err := visibleTags(ctx, rbac.Read)
	if err != nil {
		return nil, err
	}
	first := p.First
	if first <= 0 {
		first = 50
	}
	first = min(first, 500)
	lp := river.NewJobListParams().First(first).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(p.States) > 0 {
		lp = lp.States(p.States...)
	}
	if len(p.Kinds) > 0 {
		lp = lp.Kinds(p.Kinds...)
	}
	if tags != nil {
		lp = lp.TagsAny(tags...)
	}
	if p.After != "" {
		var c river.JobListCursor
		if err := c.UnmarshalText([]byte(p.After)); err != nil {
			return nil, apperr.Invalidf("after", "not a cursor of this list")
		}
		lp = lp.After(&c)
	}
	res, err := q.client.JobList(ctx, lp)
	if err != nil {
		return nil, err
	}
	page := &Page{Jobs: make([]Job, 0, len(res.Jobs))}
	for _, r := range res.Jobs {
		page.Jobs = append(page.Jobs, q.view(r))
	}
	if len(res.Jobs) == first && res.LastCursor != nil {
		b, err := res.LastCursor.MarshalText()
		if err != nil {
			return nil, err
		}
		page.End = string(b)
	}
	return page, nil
}

// Get returns one job. NOT_FOUND when it does not exist or the viewer may
// not see it.
func (q *Queue) Get(ctx context.Context, id int64) (*Job, error) {
	r, err := q.visible(ctx, id, rbac.Read)
	if err != nil {
		return nil, err
	}
	j := q.view(r)
	return &j, nil
}

// Retry makes a job available to run again now: a dead-lettered job gets
// one more attempt, a waiting retry runs at once. CONFLICT while it runs.
func (q *Queue) Retry(ctx context.Context, id int64) (*Job, error) {
	r, err := q.visible(ctx, id, rbac.Update)
	if err != nil {
		return nil, err
	}
	if r.State == StateRunning {
		return nil, apperr.Conflictf("job %d is running; retry it once it has finished", id)
	}
	if tx := db.SQLTx(ctx); tx != nil {
		// Inside a mutation's transaction (GraphQL, the admin page): on
		// SQLite a second connection would wait for this one's write lock.
		r, err = q.client.JobRetryTx(ctx, tx, id)
	} else {
		r, err = q.client.JobRetry(ctx, id)
	}
	if err != nil {
		return nil, notFound(err, id)
	}
	q.log.Info("job retried by hand", "job", id, "kind", r.Kind, "by", actor(ctx))
	j := q.view(r)
	return &j, nil
}

// Discard gives up on a job. One still waiting (available, scheduled,
// retryable, pending) is cancelled and never runs; one running is asked to
// stop and is not tried again; a dead-lettered one is removed from the
// dead letter (deleted). CONFLICT for a job already completed or cancelled.
func (q *Queue) Discard(ctx context.Context, id int64) (*Job, error) {
	r, err := q.visible(ctx, id, rbac.Update)
	if err != nil {
		return nil, err
	}
	switch r.State {
	case StateCompleted, StateCancelled:
		return nil, apperr.Conflictf("job %d has already %s", id, r.State)
	case StateDiscarded:
		if tx := db.SQLTx(ctx); tx != nil {
			r, err = q.client.JobDeleteTx(ctx, tx, id)
		} else {
			r, err = q.client.JobDelete(ctx, id)
		}
	default:
		if tx := db.SQLTx(ctx); tx != nil {
			r, err = q.client.JobCancelTx(ctx, tx, id)
		} else {
			r, err = q.client.JobCancel(ctx, id)
		}
	}
	if err != nil {
		return nil, notFound(err, id)
	}
	q.log.Info("job discarded by hand", "job", id, "kind", r.Kind, "state", r.State, "by", actor(ctx))
	j := q.view(r)
	return &j, nil
}

// visible fetches a job the viewer may act on with act.
func (q *Queue) visible(ctx context.Context, id int64, act rbac.Action) (*rivertype.JobRow, error) {
	tags, err := visibleTags(ctx, act)
	if err != nil {
		return nil, err
	}
	r, err := q.client.JobGet(ctx, id)
	if err != nil {
		return nil, notFound(err, id)
	}
	if tags != nil && !slices.ContainsFunc(r.Tags, func(t string) bool { return slices.Contains(tags, t) }) {
		// Another location's job reads as not found, like any row.
		return nil, apperr.NotFoundf("id", "no job %d", id)
	}
	return r, nil
}

// visibleTags returns the tags of the jobs the viewer may act on with
// act, nil meaning all (the system).
func visibleTags(ctx context.Context, act rbac.Action) ([]string, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, apperr.Unauthenticatedf("sign in first")
	}
	if v.System {
		return nil, nil
	}
	if !v.Can(rbac.Automation, act).Allowed {
		return nil, apperr.Forbiddenf("you may not %s jobs", act)
	}
	tags := []string{string(v.LocationID)}
	if v.Role == rbac.Admin {
		tags = append(tags, GlobalTag)
	}
	return tags, nil
}

func actor(ctx context.Context) string {
	v := viewer.FromContext(ctx)
	switch {
	case v == nil:
		return ""
	case v.System:
		return "system"
	}
	return string(v.UserID)
}

func notFound(err error, id int64) error {
	if errors.Is(err, rivertype.ErrNotFound) {
		return apperr.NotFoundf("id", "no job %d", id)
	}
	if errors.Is(err, rivertype.ErrJobRunning) {
		return apperr.Conflictf("job %d is running", id)
	}
	return err
}

// view turns River's row into a Job with PHI redacted.
func (q *Queue) view(r *rivertype.JobRow) Job {
	j := Job{
		ID: r.ID, Kind: r.Kind, Queue: r.Queue, State: r.State,
		LocationID: locationOf(r.EncodedArgs),
		Args:       q.redact(r.Kind, r.EncodedArgs),
		Attempt:    r.Attempt, MaxAttempts: r.MaxAttempts,
		CreatedAt: r.CreatedAt, ScheduledAt: r.ScheduledAt,
		AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt,
	}
	for _, e := range r.Errors {
		j.Errors = append(j.Errors, AttemptError{At: e.At, Attempt: e.Attempt, Error: e.Error})
	}
	return j
}

// redact replaces the values of PHI fields (all values, for an unknown
// kind) in encoded arguments.
func (q *Queue) redact(kind string, encoded []byte) json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(encoded, &m); err != nil {
		return json.RawMessage(`"` + Redacted + `"`)
	}
	keys, known := q.workers.phi[kind]
	red, _ := json.Marshal(Redacted)
	for k := range m {
		if !known || slices.Contains(keys, k) {
			m[k] = red
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return json.RawMessage(`"` + Redacted + `"`)
	}
	return out
}
