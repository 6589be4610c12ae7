// Package hooks is the webhook shim at /hooks/...: what an outside system
// sends is stored as a WebhookEvent before it is acknowledged, deduplicated
// by the sender's event id, and processed by a durable job enqueued in the
// same transaction (Pipeline). ClickSend's inbound SMS and delivery
// receipts are its first sources (clicksend.go); Wix and ManyChat (issue
// 16) register theirs the same way.
package hooks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/webhookevent"
	"github.com/avatarimaging/avatarcrm/internal/alert"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Processor does what one kind of stored event means. It runs in the
// event's job as the job capability at the event's location; an error is
// retried with backoff (return a Permanent error for an event that can
// never succeed).
type Processor interface {
	Process(ctx context.Context, ev *ent.WebhookEvent) error
}

// ProcessorFunc is a Processor.
type ProcessorFunc func(ctx context.Context, ev *ent.WebhookEvent) error

// Process implements Processor.
func (f ProcessorFunc) Process(ctx context.Context, ev *ent.WebhookEvent) error { return f(ctx, ev) }

// Permanent marks an error no retry can fix: the event is marked failed
// and its job ends.
type Permanent struct{ Err error }

func (e *Permanent) Error() string { return e.Err.Error() }
func (e *Permanent) Unwrap() error { return e.Err }

// ErrIgnore, returned by a processor, marks the event ignored (nothing to
// do, e.g. a receipt for a message this system never sent).
var ErrIgnore = errors.New("nothing to do")

// Args is the job that processes one stored event. Replay counts the
// replays asked for by staff, so a replay is a new job even while the
// event's first one is kept (completed or dead-lettered).
type Args struct {
	EventID    pulid.ID `json:"event_id" river:"unique"`
	LocationID pulid.ID `json:"location_id"`
	Source     string   `json:"source"`
	EventKind  string   `json:"kind"`
	Replay     int      `json:"replay,omitempty" river:"unique"`
}

// Kind implements river.JobArgs.
func (Args) Kind() string { return "webhook.process" }

// InsertOpts implements river.JobArgsWithInsertOpts: one job per event.
func (Args) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Pipeline stores webhook events and runs their processors.
type Pipeline struct {
	Client *ent.Client
	// Jobs enqueues the processing jobs (set once the queue exists).
	Jobs jobs.Enqueuer
	// Audit records refused requests (a wrong token).
	Audit *audit.Log
	Now   clock.Clock
	// MaxAttempts is how many times an event is processed before its job
	// is dead-lettered (default 10); Backoff spaces the retries.
	MaxAttempts int
	Backoff     jobs.Backoff
	// Alerts tells staff when an event has failed AlertAfter times
	// (default 3) and when it is dead-lettered; nil tells nobody.
	Alerts     alert.Alerter
	AlertAfter int

	processors map[string]Processor
}

func key(source, kind string) string { return source + "/" + kind }

// Register makes p the processor of source's events of kind.
func (p *Pipeline) Register(source, kind string, pr Processor) {
	if p.processors == nil {
		p.processors = map[string]Processor{}
	}
	p.processors[key(source, kind)] = pr
}

// AddWorkers registers the processing job's worker.
func AddWorkers(ws *jobs.Workers, p *Pipeline) {
	jobs.Add(ws, &worker{p: p})
}

// Incoming is one request to store.
type Incoming struct {
	LocationID pulid.ID
	Source     string
	Kind       string
	// EventID is the sender's id of the event, the deduplication key.
	EventID string
	// Payload is the request as JSON.
	Payload []byte
	// EventType is the sender's name for the event, when it has one.
	EventType string
}

// Store writes the event and enqueues its job in one transaction, as the
// webhook capability (nobody is signed in). The same event again (source,
// kind and event id at the location) is counted as a duplicate and
// enqueues nothing; dup reports it.
func (p *Pipeline) Store(ctx context.Context, in Incoming) (ev *ent.WebhookEvent, dup bool, err error) {
	if _, ok := p.processors[key(in.Source, in.Kind)]; !ok {
		return nil, false, fmt.Errorf("hooks: no processor for %s", key(in.Source, in.Kind))
	}
	ctx = viewer.Webhook.Grant(viewer.NewContext(ctx, &viewer.Viewer{System: true, LocationID: in.LocationID, Actor: "webhook:" + in.Source}), "webhook:"+in.Source)
	err = txn.Run(ctx, p.Client, func(ctx context.Context, c *ent.Client) error {
		old, err := c.WebhookEvent.Query().Where(webhookevent.LocationID(in.LocationID), webhookevent.Source(in.Source),
			webhookevent.Kind(in.Kind), webhookevent.EventID(in.EventID)).Only(ctx)
		if err == nil {
			dup, ev = true, old
			return c.WebhookEvent.UpdateOneID(old.ID).AddDuplicates(1).Exec(ctx)
		}
		if !ent.IsNotFound(err) {
			return err
		}
		ev, err = c.WebhookEvent.Create().SetLocationID(in.LocationID).SetSource(in.Source).SetKind(in.Kind).
			SetEventID(in.EventID).SetPayload(string(in.Payload)).SetReceivedAt(p.Now.Now()).
			SetEventType(in.EventType).Save(ctx)
		if err != nil {
			return err
		}
		return p.enqueue(ctx, ev, 0)
	})
	if err != nil && ent.IsConstraintError(err) {
		// The same event stored by a concurrent request a moment ago.
		return nil, true, nil
	}
	return ev, dup, err
}

// enqueue enqueues the processing job of ev in the transaction of ctx.
func (p *Pipeline) enqueue(ctx context.Context, ev *ent.WebhookEvent, replay int) error {
	_, err := p.Jobs.Enqueue(ctx, Args{EventID: ev.ID, LocationID: ev.LocationID, Source: ev.Source, EventKind: ev.Kind, Replay: replay},
		&river.InsertOpts{MaxAttempts: p.maxAttempts(), UniqueOpts: river.UniqueOpts{ByArgs: true}})
	return err
}

func (p *Pipeline) maxAttempts() int {
	if p.MaxAttempts > 0 {
		return p.MaxAttempts
	}
	return 10
}

type worker struct {
	river.WorkerDefaults[Args]
	p *Pipeline
}

func (w *worker) Work(ctx context.Context, j *river.Job[Args]) error {
	return w.p.process(ctx, j.Args.EventID, j.Attempt >= j.MaxAttempts)
}

// NextRetry spaces a failing event's attempts with the pipeline's backoff
// (AVATARCRM_WEBHOOK_RETRY_BASE), not the queue's.
func (w *worker) NextRetry(j *river.Job[Args]) time.Time {
	return w.p.Backoff.NextRetry(j.JobRow)
}

// process runs an event's processor and records the outcome on the event:
// its status, attempts, last error and a line of its history. last says
// this is the job's last attempt: a failure dead-letters the event.
func (p *Pipeline) process(ctx context.Context, id pulid.ID, last bool) error {
	ev, err := p.Client.WebhookEvent.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	switch ev.Status {
	case webhookevent.StatusProcessed, webhookevent.StatusIgnored, webhookevent.StatusRejected:
		return nil
	}
	pr, ok := p.processors[key(ev.Source, ev.Kind)]
	if !ok {
		return fmt.Errorf("hooks: no processor for %s", key(ev.Source, ev.Kind))
	}
	start := time.Now()
	perr := pr.Process(ctx, ev)
	now := p.Now.Now()
	var perm *Permanent
	dead := perr != nil && !errors.Is(perr, ErrIgnore) && (last || errors.As(perr, &perm))
	line := types.WebhookAttempt{At: now, Attempt: ev.Attempts + 1, TookMs: time.Since(start).Milliseconds()}
	up := p.Client.WebhookEvent.UpdateOneID(ev.ID).AddAttempts(1)
	switch {
	case perr == nil:
		line.Outcome = "processed"
		up.SetStatus(webhookevent.StatusProcessed).SetProcessedAt(now).SetLastError("")
	case errors.Is(perr, ErrIgnore):
		line.Outcome = "ignored"
		up.SetStatus(webhookevent.StatusIgnored).SetProcessedAt(now).SetLastError(trim(perr.Error()))
	case dead:
		line.Outcome = "dead"
		up.SetStatus(webhookevent.StatusDead).SetLastError(trim(perr.Error()))
	default:
		line.Outcome = "failed"
		up.SetStatus(webhookevent.StatusFailed).SetLastError(trim(perr.Error()))
	}
	if perr != nil {
		line.Error = trim(perr.Error())
	}
	up.SetHistory(appendHistory(ev.History, line))
	if err := up.Exec(ctx); err != nil {
		slog.Error("webhook event outcome not recorded", "event", ev.ID, "err", err)
	}
	if perr != nil && !errors.Is(perr, ErrIgnore) {
		p.alert(ctx, ev, line, dead)
	}
	switch {
	case perr == nil, errors.Is(perr, ErrIgnore):
		return nil
	case perm != nil:
		slog.Error("webhook event failed for good", "event", ev.ID, "source", ev.Source, "kind", ev.Kind, "err", perr)
		return river.JobCancel(perr)
	}
	return perr
}

// maxHistory bounds an event's history (the newest lines are kept).
const maxHistory = 50

func appendHistory(h []types.WebhookAttempt, line types.WebhookAttempt) []types.WebhookAttempt {
	h = append(h, line)
	if len(h) > maxHistory {
		h = h[len(h)-maxHistory:]
	}
	return h
}

// alert tells staff about an event that has failed AlertAfter times in a
// row, and about one dead-lettered; each once per replay. The text names
// the event, never its payload (it leaves the system).
func (p *Pipeline) alert(ctx context.Context, ev *ent.WebhookEvent, line types.WebhookAttempt, dead bool) {
	if p.Alerts == nil {
		return
	}
	after := p.AlertAfter
	if after <= 0 {
		after = 3
	}
	failed := 0
	for _, h := range append(ev.History, line) {
		switch h.Outcome {
		case "failed", "dead":
			failed++
		case "replayed", "processed", "ignored":
			failed = 0
		}
	}
	replay := 0
	for _, h := range ev.History {
		if h.Outcome == "replayed" {
			replay++
		}
	}
	subject := fmt.Sprintf("%s#%d", ev.ID, replay)
	var a alert.Alert
	switch {
	case dead:
		a = alert.Alert{Topic: "webhook.dead", Text: fmt.Sprintf("Webhook event %s (%s %s) was dead-lettered after %d attempts: %s. Replay it from Admin → Webhook events once the cause is fixed.",
			ev.ID, ev.Source, ev.Kind, line.Attempt, line.Error)}
	case failed == after:
		a = alert.Alert{Topic: "webhook.failing", Text: fmt.Sprintf("Webhook event %s (%s %s) has failed %d times; it is being retried. Last error: %s",
			ev.ID, ev.Source, ev.Kind, failed, line.Error)}
	default:
		return
	}
	a.LocationID, a.Subject = ev.LocationID, subject
	if err := p.Alerts.Raise(ctx, a); err != nil {
		slog.Error("webhook alert not raised", "event", ev.ID, "err", err)
	}
}

func trim(s string) string {
	if len(s) > 1000 {
		return s[:1000]
	}
	return s
}
