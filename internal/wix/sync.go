package wix

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/wix/wixwire"
)

// API is the Wix Bookings API client the manual sync uses: POST
// {BaseURL}/_api/bookings-reader/v2/extended-bookings/query with
// "Authorization: <key or token>" (no "Bearer") and wix-site-id for an
// API key, cursor paging of at most 100.
type API struct {
	BaseURL string
	Key     string
	SiteID  string
	Client  *http.Client
}

// QueryPath is the extended bookings query's path.
const QueryPath = "/_api/bookings-reader/v2/extended-bookings/query"

// PageLimit is Wix's largest page.
const PageLimit = 100

type queryRequest struct {
	Query struct {
		Filter       map[string]any      `json:"filter,omitempty"`
		Sort         []map[string]string `json:"sort,omitempty"`
		CursorPaging struct {
			Limit  int    `json:"limit"`
			Cursor string `json:"cursor,omitempty"`
		} `json:"cursorPaging"`
	} `json:"query"`
}

type queryResponse struct {
	ExtendedBookings []struct {
		Booking json.RawMessage `json:"booking"`
	} `json:"extendedBookings"`
	PagingMetadata struct {
		Cursors struct {
			Next string `json:"next"`
		} `json:"cursors"`
		HasNext bool `json:"hasNext"`
	} `json:"pagingMetadata"`
}

// Updated returns the bookings Wix changed since since, oldest first,
// page by page (at most maxPages pages: a guard against a cursor that
// never ends). Bookings that do not parse are skipped and counted.
func (a *API) Updated(ctx context.Context, since time.Time, each func(wixwire.Booking) error) (skipped int, err error) {
	cursor := ""
	for page := 0; page < 1000; page++ {
		var req queryRequest
		if cursor == "" {
			req.Query.Filter = map[string]any{"updatedDate": map[string]string{"$gte": since.UTC().Format(time.RFC3339)}}
			req.Query.Sort = []map[string]string{{"fieldName": "updatedDate", "order": "ASC"}}
		}
		req.Query.CursorPaging.Limit = PageLimit
		req.Query.CursorPaging.Cursor = cursor
		var res queryResponse
		if err := a.post(ctx, req, &res); err != nil {
			return skipped, err
		}
		for _, eb := range res.ExtendedBookings {
			b, err := wixwire.ParseBooking(eb.Booking)
			if err != nil {
				skipped++
				slog.Warn("wix sync: a booking does not parse", "err", err)
				continue
			}
			if err := each(b); err != nil {
				return skipped, err
			}
		}
		cursor = res.PagingMetadata.Cursors.Next
		if !res.PagingMetadata.HasNext || cursor == "" {
			return skipped, nil
		}
	}
	return skipped, fmt.Errorf("wix: more than 1000 pages")
}

func (a *API) post(ctx context.Context, body any, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.BaseURL+QueryPath, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", a.Key)
	if a.SiteID != "" {
		req.Header.Set("wix-site-id", a.SiteID)
	}
	c := a.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("wix: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("wix: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		msg := data
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return fmt.Errorf("wix: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("wix: the answer does not parse: %w", err)
	}
	return nil
}

// SyncResult counts what a sync did, by outcome.
type SyncResult struct {
	Seen     int
	Outcomes map[Outcome]int
	// Failed are bookings that could not be reconciled (a time already
	// taken, …), with why; a later sync tries them again.
	Failed []string
	// Unparsed are bookings Wix returned that do not parse.
	Unparsed int
}

func (r SyncResult) String() string {
	return fmt.Sprintf("%d bookings: %d created, %d confirmed, %d rescheduled, %d cancelled, %d updated, %d tasks for unmapped services, %d unchanged, %d skipped (past or cancelled), %d failed, %d unreadable",
		r.Seen, r.Outcomes[OutcomeCreated], r.Outcomes[OutcomeConfirmed], r.Outcomes[OutcomeRescheduled], r.Outcomes[OutcomeCancelled],
		r.Outcomes[OutcomeUpdated], r.Outcomes[OutcomeTask], r.Outcomes[OutcomeUnchanged], r.Outcomes[OutcomeSkipped], len(r.Failed), r.Unparsed)
}

// Sync pulls the bookings Wix changed since since and reconciles each, in
// a transaction of its own, as the viewer in ctx (a system viewer at the
// location: the command, or the wix.sync job). Reconciling is idempotent,
// so a second sync changes nothing.
func (s *Service) Sync(ctx context.Context, since time.Time) (SyncResult, error) {
	res := SyncResult{Outcomes: map[Outcome]int{}}
	if s.API == nil || s.API.Key == "" {
		return res, fmt.Errorf("wix sync: set AVATARCRM_WIX_API_KEY (and AVATARCRM_WIX_SITE_ID for an API key)")
	}
	skipped, err := s.API.Updated(ctx, since, func(b wixwire.Booking) error {
		res.Seen++
		out, err := s.Reconcile(ctx, b, "")
		if err != nil {
			res.Failed = append(res.Failed, b.ID+": "+err.Error())
			return nil
		}
		res.Outcomes[out]++
		return nil
	})
	res.Unparsed = skipped
	return res, err
}

// SyncArgs is the job the admin page's "Sync from Wix" button enqueues.
type SyncArgs struct {
	LocationID pulid.ID  `json:"location_id" river:"unique"`
	Since      time.Time `json:"since" river:"unique"`
}

// Kind implements river.JobArgs.
func (SyncArgs) Kind() string { return "wix.sync" }

// InsertOpts implements river.JobArgsWithInsertOpts: one sync of a
// location and date waiting or running at a time; few attempts (a person
// is waiting for it).
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, Queue: jobs.QueueMaintenance, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// AddWorkers registers the sync job's worker.
func AddWorkers(ws *jobs.Workers, s *Service) { jobs.Add(ws, &syncWorker{s: s}) }

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	s *Service
}

// Timeout allows a long sync (many pages).
func (w *syncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return 15 * time.Minute }

func (w *syncWorker) Work(ctx context.Context, j *river.Job[SyncArgs]) error {
	res, err := w.s.Sync(ctx, j.Args.Since)
	slog.Info("wix sync", "location", j.Args.LocationID, "since", j.Args.Since, "result", res.String(), "err", err)
	if err == nil && len(res.Failed) > 0 {
		// Recorded as the job's error so the jobs page shows which.
		return river.JobCancel(fmt.Errorf("wix sync: %d bookings not reconciled: %v", len(res.Failed), res.Failed))
	}
	return err
}

// StartSync enqueues the sync job of the viewer's location in the
// transaction of ctx.
func (s *Service) StartSync(ctx context.Context, q jobs.Enqueuer, loc pulid.ID, since time.Time) (jobs.Enqueued, error) {
	return q.Enqueue(ctx, SyncArgs{LocationID: loc, Since: since.UTC()}, nil)
}
