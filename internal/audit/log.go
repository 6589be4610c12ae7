package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/clock"
)

// Options tune a Log.
type Options struct {
	// FlushInterval is the longest a recorded entry waits before its batch
	// is written. Default (and maximum) 100 ms.
	FlushInterval time.Duration
	// MaxBatch is the most entries written in one transaction; a full batch
	// is written at once. Default 256.
	MaxBatch int
	// QueueSize is how many recorded entries may wait for the writer before
	// Record blocks. Default 16 × MaxBatch.
	QueueSize int
	// MaxBody is how much of a request body Middleware reads to hash it;
	// the server's own limit (4 MiB) is the default.
	MaxBody int64
	// Now is the clock; nil is the system clock.
	Now clock.Clock
	// Logger receives the writer's errors; default slog.Default().
	Logger *slog.Logger
	// HeadFile, when set, receives the chain's head after every flush and
	// every committed append (see HeadFile); nil keeps no head.
	HeadFile *HeadFile
}

// Log is the audit trail: a chain writer for the application's three paths
// (Append, Hook, Record) and the tools that read the chain back.
type Log struct {
	client  *ent.Client
	dialect string
	key     []byte
	now     clock.Clock
	log     *slog.Logger

	interval time.Duration
	maxBatch int
	maxBody  int64

	queue chan Entry

	// mu guards closed and the start of every in-flight Record, so Close
	// can tell when no Record can send any more and close the queue.
	mu       sync.RWMutex
	closed   bool
	started  bool
	inflight sync.WaitGroup

	// pending counts recorded entries not yet committed.
	pending atomic.Int64
	// txEntries holds, per open transaction (*ent.Tx), the Hook's entries
	// to write at its commit (onCommit).
	txEntries sync.Map
	// lastFullWarn rate-limits the queue-full warning (unix nanoseconds).
	lastFullWarn atomic.Int64
	// abort stops the writer's retries when Close gives up.
	abort     chan struct{}
	abortOnce sync.Once
	done      chan struct{}

	// headFile keeps the head outside the database; headDirty wakes the
	// writer to write it; integ is what the trail knows of its integrity
	// (integrity.go).
	headFile  *HeadFile
	headDirty chan struct{}
	integ     integrity
}

// New returns a Log writing to client's audit_entries table with key.
// dialect is the database's (db.DB.Dialect). Call Start before Record.
func New(client *ent.Client, dialectName string, key []byte, opts Options) *Log {
	if opts.FlushInterval <= 0 || opts.FlushInterval > 100*time.Millisecond {
		opts.FlushInterval = 100 * time.Millisecond
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 16 * opts.MaxBatch
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 4 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	l := &Log{
		client:    client,
		dialect:   dialectName,
		key:       append([]byte(nil), key...),
		now:       opts.Now,
		log:       opts.Logger,
		interval:  opts.FlushInterval,
		maxBatch:  opts.MaxBatch,
		maxBody:   opts.MaxBody,
		queue:     make(chan Entry, opts.QueueSize),
		abort:     make(chan struct{}),
		done:      make(chan struct{}),
		headFile:  opts.HeadFile,
		headDirty: make(chan struct{}, 1),
	}
	if opts.HeadFile != nil {
		// What the file says is the newest entry this process must find
		// in the chain from now on.
		if h, ok := opts.HeadFile.Head(); ok {
			l.integ.seen, l.integ.written = h, h
		}
	}
	return l
}

// Start launches the background writer for Record. It is safe to call
// more than once.
func (l *Log) Start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.closed {
		return
	}
	l.started = true
	go l.run()
}

// Record queues e for the background writer. It returns at once unless the
// queue is full, in which case it waits for room: an audit trail that drops
// entries under load is worse than a slower request. At is set now if
// zero, so an entry's time is when it was recorded, not when it was
// flushed; an empty Action means ActionRequest.
//
// After Close, Record writes e synchronously (AppendNow, with a 10 s bound)
// and logs a warning, so a straggling request during shutdown is still
// audited; if that write fails the error is logged and the entry is lost,
// which is the only way Record can lose one.
func (l *Log) Record(e Entry) {
	if e.At.IsZero() {
		e.At = l.now.Now()
	}
	if e.Action == "" {
		// Append refuses an entry without an action; in the queue such an
		// entry would fail its batch forever. Record is the read path, so
		// "request" is what it means.
		e.Action = ActionRequest
	}
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		l.log.Warn("audit: Record after Close; writing synchronously", "action", e.Action, "path", e.Path)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := l.AppendNow(ctx, e); err != nil {
			l.log.Error("audit: entry lost: Record after Close failed", "err", err, "action", e.Action, "path", e.Path)
		}
		return
	}
	l.inflight.Add(1)
	l.mu.RUnlock()
	defer l.inflight.Done()
	l.pending.Add(1)
	select {
	case l.queue <- e:
	default:
		// Back-pressure: wait for the writer rather than drop. Warn at
		// most once a second: under a burst every request lands here.
		now := time.Now().UnixNano()
		if last := l.lastFullWarn.Load(); now-last > int64(time.Second) && l.lastFullWarn.CompareAndSwap(last, now) {
			l.log.Warn("audit: queue full; requests wait for the audit writer", "queued", len(l.queue), "pending", l.pending.Load())
		}
		l.queue <- e
	}
}

// Pending returns how many recorded entries are not yet written.
func (l *Log) Pending() int { return int(l.pending.Load()) }

// Close stops accepting entries for the queue, writes everything queued and
// returns when it is committed. If ctx ends first, Close stops retrying and
// returns an error saying how many entries were not written.
func (l *Log) Close(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		<-l.done
		return l.closeErr(nil)
	}
	l.closed = true
	started := l.started
	l.mu.Unlock()
	if !started {
		// Nobody drains the queue: run the writer now to flush what was
		// recorded before Start.
		go l.run()
	}
	// In-flight Records finish once the writer makes room; then nothing
	// can send any more and the queue can be closed.
	go func() {
		l.inflight.Wait()
		close(l.queue)
	}()
	select {
	case <-l.done:
		l.writeHead()
		return l.closeErr(nil)
	case <-ctx.Done():
		l.abortOnce.Do(func() { close(l.abort) })
		<-l.done
		l.writeHead()
		// The writer is gone; unblock any Record still waiting for room so
		// its request can finish. Those entries are counted in pending.
		go func() {
			for range l.queue {
			}
		}()
		return l.closeErr(ctx.Err())
	}
}

func (l *Log) closeErr(cause error) error {
	if n := l.pending.Load(); n > 0 {
		if cause == nil {
			cause = errors.New("writer stopped")
		}
		return fmt.Errorf("audit: %d entries not written: %w", n, cause)
	}
	return nil
}

// run is the background writer: it collects a batch, starting with the
// first entry that arrives and ending when MaxBatch entries are in or
// FlushInterval has passed since that first one, and writes it in one
// transaction.
func (l *Log) run() {
	defer close(l.done)
	batch := make([]Entry, 0, l.maxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	// The head file is rewritten (and synced) after a flush, but at most
	// once per FlushInterval: under a burst of back-to-back batches a sync
	// per batch would slow the writer by half; the head then lags the
	// chain by at most one interval.
	var lastHead time.Time
	headTimer := time.NewTimer(time.Hour)
	headTimer.Stop()
	var headDue <-chan time.Time
	head := func() {
		if wait := l.interval - time.Since(lastHead); wait > 0 {
			if headDue == nil {
				headTimer.Reset(wait)
				headDue = headTimer.C
			}
			return
		}
		l.writeHead()
		lastHead = time.Now()
	}
	for {
		var e Entry
		var ok bool
		select {
		case e, ok = <-l.queue:
		case <-l.headDirty:
			// An append committed outside this writer (a mutation's
			// transaction, AppendNow): keep the head file up to date
			// even when no request is recorded.
			head()
			continue
		case <-headDue:
			headDue = nil
			head()
			continue
		}
		if !ok {
			return
		}
		batch = append(batch[:0], e)
		timer.Reset(l.interval)
		open := true
	collect:
		for len(batch) < l.maxBatch {
			select {
			case e, ok := <-l.queue:
				if !ok {
					open = false
					break collect
				}
				batch = append(batch, e)
			case <-timer.C:
				break collect
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		if !l.flush(batch) {
			// Aborted by Close: what is left stays counted in pending.
			return
		}
		head()
		if !open {
			return
		}
	}
}

// flush writes batch, retrying with exponential backoff (50 ms to 5 s) for
// as long as it takes: a database restart or a lock timeout must not lose
// entries. It gives up only when Close's deadline passes.
func (l *Log) flush(batch []Entry) bool {
	backoff := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		// A hung database must not hold a batch forever, and Close's
		// deadline must interrupt a write in progress.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		go func() {
			select {
			case <-l.abort:
				cancel()
			case <-ctx.Done():
			}
		}()
		err := l.AppendNow(ctx, batch...)
		cancel()
		if err == nil {
			l.pending.Add(-int64(len(batch)))
			if attempt > 1 {
				l.log.Info("audit: batch written after retries", "entries", len(batch), "attempts", attempt)
			}
			return true
		}
		l.log.Error("audit: writing batch failed; will retry", "err", err, "entries", len(batch), "attempt", attempt, "retry_in", backoff)
		select {
		case <-l.abort:
			return false
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}
