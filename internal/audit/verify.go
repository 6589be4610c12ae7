package audit

import (
	"context"
	"fmt"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// verifyPage is how many entries Verify holds in memory at once.
const verifyPage = 1000

// Report is the outcome of Verify.
type Report struct {
	// Checked is how many entries were examined (all of them when OK).
	Checked int
	// OK is true when the whole chain is intact (and matches the expected
	// head, if one was given).
	OK bool
	// FirstBadID is the id of the first entry at which the chain breaks
	// (for truncation: the id just after the newest surviving entry).
	FirstBadID int64
	// Problem says what is wrong, and what that usually means.
	Problem string
	// Head is the newest entry seen.
	Head Head
}

// Verify walks the whole chain in id order, a page at a time, recomputing
// every MAC, and reports the first entry at which it breaks:
//
//   - an id that is not the previous one plus one: rows were deleted (the
//     first entry after the gap is named) or ids were rewritten;
//   - a MAC that does not match the entry's content: the row was edited,
//     forged (inserted without the key), or moved (the id is part of what
//     is MACed, so swapping two rows' contents breaks both);
//   - an entry spliced in from elsewhere (its MAC was computed over another
//     predecessor): prev_mac is not stored but taken from the entry before,
//     so this too is a MAC mismatch.
//
// Without expect, deleting the newest rows is not detectable: what remains is
// a valid, shorter chain. With expect (a head recorded earlier and kept
// elsewhere) Verify also requires entry expect.ID to exist with expect.MAC,
// so any truncation or rewrite behind the kept head is reported.
func (l *Log) Verify(ctx context.Context, expect *Head) (Report, error) {
	return l.verifyFrom(ctx, Head{ID: 0, MAC: GenesisMAC}, expect)
}

// VerifyTail verifies the newest n entries: each one's MAC, and that each
// links to the one before, starting from the MAC of the entry just before
// them (which is taken as it is). It is the quick check the server runs at
// start; Verify checks everything.
func (l *Log) VerifyTail(ctx context.Context, n int) (Report, error) {
	sctx := viewer.AuditTrail.Grant(ctx, "")
	head, err := l.Head(sctx)
	if err != nil {
		return Report{}, err
	}
	anchor := Head{ID: 0, MAC: GenesisMAC}
	if from := head.ID - int64(n); n > 0 && from > 0 {
		row, err := l.client.AuditEntry.Query().Where(auditentry.ID(from)).Select(auditentry.FieldID, auditentry.FieldMAC).Only(sctx)
		switch {
		case ent.IsNotFound(err):
			return Report{FirstBadID: from, Problem: fmt.Sprintf("entry %d is missing (deleted)", from), Head: Head{ID: from - 1}}, nil
		case err != nil:
			return Report{}, fmt.Errorf("audit: read entry %d: %w", from, err)
		}
		anchor = Head{ID: row.ID, MAC: row.MAC}
	}
	return l.verifyFrom(ctx, anchor, nil)
}

// verifyFrom verifies the entries after prev, which is taken as given.
func (l *Log) verifyFrom(ctx context.Context, prev Head, expect *Head) (Report, error) {
	sctx := viewer.AuditTrail.Grant(ctx, "")
	var rep Report
	bad := func(id int64, format string, args ...any) (Report, error) {
		rep.FirstBadID = id
		rep.Problem = fmt.Sprintf(format, args...)
		rep.Head = prev
		return rep, nil
	}
	for {
		page, err := l.client.AuditEntry.Query().
			Where(auditentry.IDGT(prev.ID)).
			Order(auditentry.ByID()).
			Limit(verifyPage).
			All(sctx)
		if err != nil {
			return rep, fmt.Errorf("audit: read entries after %d: %w", prev.ID, err)
		}
		for _, row := range page {
			s := FromEnt(row)
			rep.Checked++
			want := prev.ID + 1
			switch {
			case s.ID > want && s.ID == want+1:
				return bad(s.ID, "entry %d is missing (deleted): entry %d follows entry %d", want, s.ID, prev.ID)
			case s.ID > want:
				return bad(s.ID, "entries %d to %d are missing (deleted): entry %d follows entry %d", want, s.ID-1, s.ID, prev.ID)
			case s.ID < want:
				// The primary key makes this impossible unless the table
				// was rebuilt.
				return bad(s.ID, "entry %d appears again after entry %d (duplicated or reordered ids)", s.ID, prev.ID)
			}
			if mac := ComputeMAC(l.key, prev.MAC, s.ID, s.Entry); mac != s.MAC {
				return bad(s.ID, "entry %d: MAC mismatch: its content was edited, it was forged or inserted without the key, rows were reordered, or it was spliced in from elsewhere (or the key is wrong)", s.ID)
			}
			if expect != nil && s.ID == expect.ID && s.MAC != expect.MAC {
				return bad(s.ID, "entry %d's MAC differs from the kept head %s: the trail was rewritten", s.ID, expect)
			}
			prev = Head{ID: s.ID, MAC: s.MAC}
		}
		if len(page) < verifyPage {
			break
		}
	}
	rep.Head = prev
	if expect != nil && expect.ID > prev.ID {
		rep.FirstBadID = prev.ID + 1
		rep.Problem = fmt.Sprintf("truncated: the kept head is entry %d but the newest entry is %d (entries %d to %d were deleted)", expect.ID, prev.ID, prev.ID+1, expect.ID)
		return rep, nil
	}
	rep.OK = true
	return rep, nil
}
