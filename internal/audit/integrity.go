package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// integrity is what a Log knows about the chain beyond its rows: the newest
// head this process has seen committed, and what has gone wrong.
type integrity struct {
	mu sync.Mutex
	// seen is the newest head this process knows to have been committed:
	// its own appends, what the head file held at start, and the chain's
	// head at the start-up check. The chain must never be found shorter,
	// nor entry seen.ID with another MAC.
	seen Head
	// written is the head last written to the head file.
	written Head
	// broken says how the chain was found broken; it stays set (and the
	// head file stays as it was, as evidence) until the server restarts
	// with the head file moved aside.
	broken string
	// triggers says which append-only triggers were missing at start.
	triggers string
	// headErr is the last failure to write the head file, cleared by the
	// next success.
	headErr     string
	lastHeadLog time.Time
	checkedAt   time.Time
}

// Status is what the audit trail knows about its own integrity: what the
// start-up check found, and what appends since have found.
type Status struct {
	// OK is true when nothing is wrong.
	OK bool
	// Problems says what is wrong, the chain itself first.
	Problems []Problem
	// CheckedAt is when the start-up check ran; zero if it has not.
	CheckedAt time.Time
}

// Problem is one thing wrong with the trail.
type Problem struct {
	// Kind is one of the Problem constants; safe to show anyone.
	Kind string
	// Message says what was found, for administrators (entry numbers,
	// file paths).
	Message string
}

// Problem kinds.
const (
	// ProblemChainBroken: entries were deleted, edited or forged, or the
	// chain does not reach the head kept in the head file.
	ProblemChainBroken = "chain_broken"
	// ProblemTriggers: the append-only triggers were missing or disabled
	// at start (and were repaired), or could not be checked.
	ProblemTriggers = "triggers"
	// ProblemHeadFile: the head file cannot be written.
	ProblemHeadFile = "head_file"
)

// Status reports the trail's integrity. The server's /readyz/audit and the
// admin audit page show it.
func (l *Log) Status() Status {
	l.integ.mu.Lock()
	defer l.integ.mu.Unlock()
	st := Status{CheckedAt: l.integ.checkedAt}
	for _, p := range []Problem{
		{ProblemChainBroken, l.integ.broken},
		{ProblemTriggers, l.integ.triggers},
		{ProblemHeadFile, l.integ.headErr},
	} {
		if p.Message != "" {
			st.Problems = append(st.Problems, p)
		}
	}
	st.OK = len(st.Problems) == 0
	return st
}

// chainBroken records that the chain is broken and logs it, once.
func (l *Log) chainBroken(problem string) {
	l.integ.mu.Lock()
	first := l.integ.broken == ""
	if first {
		l.integ.broken = "audit trail broken: " + problem
	}
	l.integ.mu.Unlock()
	if first {
		l.log.Error("audit: the trail is broken; entries were deleted or changed by someone with access to the database. Run `avatarcrm audit verify`; the head file is left as it was, as evidence",
			"problem", problem, "head_file", l.headFilePath())
	}
}

func (l *Log) headFilePath() string {
	if l.headFile == nil {
		return ""
	}
	return l.headFile.Path()
}

// committed notes that entries up to h are committed, and has the head
// file brought up to date.
func (l *Log) committed(h Head) {
	if h.ID == 0 {
		return
	}
	l.integ.mu.Lock()
	if h.ID > l.integ.seen.ID {
		l.integ.seen = h
	}
	l.integ.mu.Unlock()
	if l.headFile == nil {
		return
	}
	l.mu.RLock()
	running := l.started && !l.closed
	l.mu.RUnlock()
	if !running {
		// No background writer (a command-line tool that only appends,
		// or after Close): write it now.
		l.writeHead()
		return
	}
	select {
	case l.headDirty <- struct{}{}:
	default:
	}
}

// writeHead writes the newest committed head to the head file, if it
// changed. A broken chain freezes the file: its last head is the evidence
// of what was there.
func (l *Log) writeHead() {
	if l.headFile == nil {
		return
	}
	l.integ.mu.Lock()
	h, frozen, same := l.integ.seen, l.integ.broken != "", l.integ.seen == l.integ.written
	l.integ.mu.Unlock()
	if frozen || same || h.ID == 0 {
		return
	}
	err := l.headFile.Write(h)
	l.integ.mu.Lock()
	logIt := false
	if err == nil {
		l.integ.written, l.integ.headErr = h, ""
	} else {
		l.integ.headErr = fmt.Sprintf("the audit head file %s cannot be written: %v", l.headFile.Path(), err)
		// Every flush tries again; say so once a minute.
		if now := time.Now(); now.Sub(l.integ.lastHeadLog) >= time.Minute {
			l.integ.lastHeadLog, logIt = now, true
		}
	}
	l.integ.mu.Unlock()
	switch {
	case errors.Is(err, ErrHeadConflict):
		l.chainBroken(err.Error())
	case logIt:
		l.log.Error("audit: writing the head file failed; deleting the newest entries would go unnoticed until it works again", "err", err, "head_file", l.headFile.Path())
	}
}

// checkContinuity compares the chain's head, read under the chain lock
// before an append, with the newest head this process knows was committed.
// The chain may have grown (other instances, CLI commands) but never shrunk,
// and the entry known last must still be there with its MAC. A break is
// recorded (Status, the log) but does not stop the append: losing new
// entries would not undo the deletion.
func (l *Log) checkContinuity(ctx context.Context, tx *ent.Tx, head Head) error {
	l.integ.mu.Lock()
	known, broken := l.integ.seen, l.integ.broken != ""
	l.integ.mu.Unlock()
	if known.ID == 0 || head == known || broken {
		return nil
	}
	switch {
	case head.ID < known.ID:
		l.chainBroken(fmt.Sprintf("entries %d to %d were deleted: the newest entry is %d, but entry %d was written before", head.ID+1, known.ID, head.ID, known.ID))
		return nil
	case head.ID == known.ID:
		l.chainBroken(fmt.Sprintf("entry %d was rewritten: its MAC is not the one written", known.ID))
		return nil
	}
	row, err := tx.AuditEntry.Query().Where(auditentry.ID(known.ID)).Select(auditentry.FieldID, auditentry.FieldMAC).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		l.chainBroken(fmt.Sprintf("entry %d was deleted", known.ID))
	case err != nil:
		return fmt.Errorf("audit: read entry %d: %w", known.ID, err)
	case row.MAC != known.MAC:
		l.chainBroken(fmt.Sprintf("entry %d was rewritten: its MAC is not the one written", known.ID))
	}
	return nil
}

// StartTail is how many of the newest entries the start-up check verifies.
const StartTail = 1000

// CheckAtStart checks the trail when the server starts: the chain must
// reach the head kept in the head file (the newest entries were not cut
// off, the table was not emptied), and the newest tail entries must verify.
// What it finds is logged as an error and reported by Status; only a
// database error is returned. Without a head file yet, the check starts
// one at the chain's current head.
func (l *Log) CheckAtStart(ctx context.Context, tail int) (Status, error) {
	sctx := viewer.AuditTrail.Grant(ctx, "")
	head, err := l.Head(sctx)
	if err != nil {
		return Status{}, err
	}
	var expect Head
	var has bool
	if l.headFile != nil {
		expect, has = l.headFile.Head()
	}
	switch {
	case has && head.ID == 0 && expect.ID > 0:
		l.chainBroken(fmt.Sprintf("the audit trail is empty, but the head file %s says entry %d was written: every entry was deleted", l.headFile.Path(), expect.ID))
	case has && head.ID < expect.ID:
		l.chainBroken(fmt.Sprintf("entries %d to %d were deleted: the newest entry is %d, but the head file %s says %d", head.ID+1, expect.ID, head.ID, l.headFile.Path(), expect.ID))
	case has && expect.ID > 0:
		row, err := l.client.AuditEntry.Query().Where(auditentry.ID(expect.ID)).Select(auditentry.FieldID, auditentry.FieldMAC).Only(sctx)
		switch {
		case ent.IsNotFound(err):
			l.chainBroken(fmt.Sprintf("entry %d, the head file's, was deleted", expect.ID))
		case err != nil:
			return Status{}, fmt.Errorf("audit: read entry %d: %w", expect.ID, err)
		case row.MAC != expect.MAC:
			l.chainBroken(fmt.Sprintf("entry %d was rewritten: its MAC differs from the head file %s", expect.ID, l.headFile.Path()))
		}
	case l.headFile != nil && !has && head.ID > 0:
		l.log.Warn("audit: no head file yet; it is kept from now on, but entries deleted from the end of the trail before now cannot be detected",
			"head_file", l.headFile.Path(), "entries", head.ID)
	}
	rep, err := l.VerifyTail(sctx, tail)
	if err != nil {
		return Status{}, err
	}
	if !rep.OK {
		l.chainBroken(rep.Problem)
	}
	l.integ.mu.Lock()
	l.integ.checkedAt = l.now.Now()
	if head.ID > l.integ.seen.ID && l.integ.broken == "" {
		l.integ.seen = head
	}
	l.integ.mu.Unlock()
	l.writeHead()
	return l.Status(), nil
}
