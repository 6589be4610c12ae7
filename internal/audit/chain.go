package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Actions recorded across the application.
const (
	ActionRequest          = "request"
	ActionCreate           = "create"
	ActionUpdate           = "update"
	ActionDelete           = "delete"
	ActionDenied           = "denied"
	ActionSignIn           = "sign_in"
	ActionSignInFailed     = "sign_in_failed"
	ActionSignOut          = "sign_out"
	ActionExport           = "export"
	ActionAPIKeyCreate     = "apikey_create"
	ActionAPIKeyRevoke     = "apikey_revoke"
	ActionPermissionChange = "permission_change"
	ActionSeed             = "seed"
	// ActionAccessChange records a change to who may act where: a member
	// disabled, enabled or removed, sessions ended, an invitation accepted.
	ActionAccessChange = "access_change"
)

// GenesisMAC is the prev_mac of entry 1.
const GenesisMAC = ""

// LockKey is the PostgreSQL advisory lock that serialises chain writers
// ("AUDT" in ASCII). Every instance sharing a database uses the same one.
const LockKey int64 = 0x41554454

// TimePrecision is the precision at which times are stored and MACed: the
// finest both SQLite (text) and PostgreSQL (timestamptz) keep exactly.
const TimePrecision = time.Microsecond

// Field length caps, in bytes. Request data is attacker-controlled; an
// unbounded User-Agent must not bloat the trail.
const (
	maxShort  = 256  // ids, emails, action, method, ip, hashes
	maxMedium = 2048 // path, operation, user agent
	maxDetail = 8192
)

// Entry is one audit entry as the application describes it. The writer adds
// the sequence number and the MACs.
type Entry struct {
	// At is when it happened; zero means now. Stored in UTC, truncated to
	// microseconds.
	At time.Time
	// UserID, Email and LocationID say who acted, and at which location
	// (the tenant the entry belongs to).
	UserID     string
	Email      string
	LocationID string
	// Action is one of the Action constants.
	Action string
	// ResourceType and ResourceID name what was touched, e.g. Contact and
	// con_01J….
	ResourceType string
	ResourceID   string
	// Operation is the GraphQL operation name or the route.
	Operation string
	// Method, Path, IP and UserAgent describe the HTTP request.
	Method    string
	Path      string
	IP        string
	UserAgent string
	// Status is the HTTP status; LatencyMS how long the request took.
	Status    int
	LatencyMS int
	// PHI says whether protected health information was touched.
	PHI bool
	// BodySHA256 is the hex SHA-256 of the request body; the body itself is
	// never stored.
	BodySHA256 string
	// Detail is free text; it must never carry PHI values (name fields, not
	// their contents).
	Detail string
}

// Stored is an entry as it sits in the chain. Its prev_mac is not stored:
// it is the MAC of entry ID-1 (GenesisMAC for entry 1).
type Stored struct {
	ID    int64
	Entry Entry
	MAC   string
}

// FromEnt converts a stored row.
func FromEnt(a *ent.AuditEntry) Stored {
	return Stored{
		ID: a.ID,
		Entry: Entry{
			At: a.At, UserID: a.UserID, Email: a.Email, LocationID: a.LocationID,
			Action: a.Action, ResourceType: a.ResourceType, ResourceID: a.ResourceID,
			Operation: a.Operation, Method: a.Method, Path: a.Path, IP: a.IP,
			UserAgent: a.UserAgent, Status: a.Status, LatencyMS: a.LatencyMs,
			PHI: a.Phi, BodySHA256: a.BodySha256, Detail: a.Detail,
		},
		MAC: a.MAC,
	}
}

// normalize makes e exactly what will be stored, so the MAC computed now
// matches the one recomputed from the row later.
func normalize(e Entry, now clock.Clock) Entry {
	if e.At.IsZero() {
		e.At = now.Now()
	}
	e.At = e.At.UTC().Truncate(TimePrecision)
	e.UserID = clean(e.UserID, maxShort)
	e.Email = clean(e.Email, maxShort)
	e.LocationID = clean(e.LocationID, maxShort)
	e.Action = clean(e.Action, maxShort)
	e.ResourceType = clean(e.ResourceType, maxShort)
	e.ResourceID = clean(e.ResourceID, maxShort)
	e.Operation = clean(e.Operation, maxMedium)
	e.Method = clean(e.Method, maxShort)
	e.Path = clean(e.Path, maxMedium)
	e.IP = clean(e.IP, maxShort)
	e.UserAgent = clean(e.UserAgent, maxMedium)
	e.BodySHA256 = clean(e.BodySHA256, maxShort)
	e.Detail = clean(e.Detail, maxDetail)
	if !types.IsLowerHex(e.BodySHA256) {
		// The hash is stored as the bytes its hex spells; anything else
		// would not read back as what was MACed. Only the middleware sets
		// it (always hex), so say what happened rather than fail the write.
		e.BodySHA256 = ""
		e.Detail = clean(strings.TrimPrefix(e.Detail+"; body_sha256 was not hex and is left out", "; "), maxDetail)
	}
	return e
}

// clean returns s as valid UTF-8 without NUL bytes (PostgreSQL text refuses
// both, and one unstorable entry must not wedge the batched writer), cut to
// at most n bytes on a rune boundary.
func clean(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	if len(s) > n {
		i := n
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return s
}

// timeLayout is the fixed-precision UTC form of at in the canonical encoding.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Canonical returns the canonical encoding of entry id (see the package
// documentation). e must already be normalised (as stored).
func Canonical(id int64, e Entry) []byte {
	b := make([]byte, 0, 512)
	b = append(b, "v1"...)
	field := func(name, v string) {
		b = append(b, ';')
		b = append(b, name...)
		b = append(b, '=')
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
	}
	field("id", strconv.FormatInt(id, 10))
	field("at", e.At.UTC().Truncate(TimePrecision).Format(timeLayout))
	field("user_id", e.UserID)
	field("email", e.Email)
	field("location_id", e.LocationID)
	field("action", e.Action)
	field("resource_type", e.ResourceType)
	field("resource_id", e.ResourceID)
	field("operation", e.Operation)
	field("method", e.Method)
	field("path", e.Path)
	field("ip", e.IP)
	field("user_agent", e.UserAgent)
	field("status", strconv.Itoa(e.Status))
	field("latency_ms", strconv.Itoa(e.LatencyMS))
	field("phi", strconv.FormatBool(e.PHI))
	field("body_sha256", e.BodySHA256)
	field("detail", e.Detail)
	return b
}

// ComputeMAC returns hex(HMAC-SHA256(key, prevMAC || canonical(id, e))).
func ComputeMAC(key []byte, prevMAC string, id int64, e Entry) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(prevMAC))
	h.Write(Canonical(id, e))
	return hex.EncodeToString(h.Sum(nil))
}

// Head is the newest entry of the chain: keep its String() somewhere the
// database's administrators cannot write, and pass it to Verify to catch
// truncation.
type Head struct {
	ID  int64
	MAC string
}

// String returns "ID:MAC".
func (h Head) String() string { return strconv.FormatInt(h.ID, 10) + ":" + h.MAC }

// ParseHead parses the form Head.String returns.
func ParseHead(s string) (Head, error) {
	s = strings.TrimSpace(s)
	idStr, mac, ok := strings.Cut(s, ":")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if !ok || err != nil || id < 0 {
		return Head{}, fmt.Errorf("audit head %q: want ID:MAC as printed by `avatarcrm audit head`", s)
	}
	if id == 0 && mac == GenesisMAC {
		return Head{}, nil
	}
	if b, err := hex.DecodeString(mac); err != nil || len(b) != sha256.Size || mac != strings.ToLower(mac) {
		return Head{}, fmt.Errorf("audit head %q: the MAC must be 64 lower-case hex digits", s)
	}
	return Head{ID: id, MAC: mac}, nil
}

// insertChunk bounds the rows per INSERT statement: 19 columns × 200 rows
// stays far below SQLite's and PostgreSQL's bind-parameter limits.
const insertChunk = 200

// Append writes entries to the chain inside tx, so they commit or roll back
// with whatever else tx does. It serialises with every other chain writer
// (see the package documentation): on PostgreSQL the advisory lock it takes
// is held until tx ends, so call Append at the end of a transaction (or use
// Hook, which defers its writes to the commit) — a transaction that holds
// the chain lock while waiting for row locks could deadlock with another
// that holds those rows and waits for the chain. On SQLite the transaction
// already holds the write lock. tx must use READ COMMITTED (PostgreSQL's
// default): a REPEATABLE READ snapshot taken before the lock would read a
// stale head, and the insert would fail on the duplicate id.
func (l *Log) Append(ctx context.Context, tx *ent.Tx, entries ...Entry) error {
	_, err := l.appendEntries(ctx, tx, entries)
	return err
}

// appendEntries is Append that also returns the chain's new head, which
// becomes the head once tx commits (see committed).
func (l *Log) appendEntries(ctx context.Context, tx *ent.Tx, entries []Entry) (Head, error) {
	if len(entries) == 0 {
		return Head{}, nil
	}
	if tx == nil {
		return Head{}, errors.New("audit: Append needs a transaction (use AppendNow)")
	}
	for i := range entries {
		if entries[i].Action == "" {
			return Head{}, fmt.Errorf("audit: entry %d has no action", i)
		}
	}
	// The audit entity's policy refuses every mutation but the system's.
	sctx := viewer.AuditTrail.Grant(ctx, "")
	if l.dialect == dialect.Postgres {
		if err := lockChain(sctx, tx); err != nil {
			return Head{}, fmt.Errorf("audit: lock chain: %w", err)
		}
	}
	head, err := readHead(sctx, tx.AuditEntry)
	if err != nil {
		return Head{}, err
	}
	if err := l.checkContinuity(sctx, tx, head); err != nil {
		return Head{}, err
	}
	builders := make([]*ent.AuditEntryCreate, 0, min(len(entries), insertChunk))
	id, prev := head.ID, head.MAC
	for i, e := range entries {
		e = normalize(e, l.now)
		id++
		mac := ComputeMAC(l.key, prev, id, e)
		builders = append(builders, tx.AuditEntry.Create().
			SetID(id).SetAt(e.At).
			SetUserID(e.UserID).SetEmail(e.Email).SetLocationID(e.LocationID).
			SetAction(e.Action).SetResourceType(e.ResourceType).SetResourceID(e.ResourceID).
			SetOperation(e.Operation).SetMethod(e.Method).SetPath(e.Path).
			SetIP(e.IP).SetUserAgent(e.UserAgent).SetStatus(e.Status).SetLatencyMs(e.LatencyMS).
			SetPhi(e.PHI).SetBodySha256(e.BodySHA256).SetDetail(e.Detail).
			SetMAC(mac))
		prev = mac
		if len(builders) == insertChunk || i == len(entries)-1 {
			if err := tx.AuditEntry.CreateBulk(builders...).Exec(sctx); err != nil {
				return Head{}, fmt.Errorf("audit: write entries: %w", err)
			}
			builders = builders[:0]
		}
	}
	return Head{ID: id, MAC: prev}, nil
}

// AppendNow writes entries in a transaction of its own.
func (l *Log) AppendNow(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	tx, err := l.client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("audit: begin: %w", err)
	}
	head, err := l.appendEntries(ctx, tx, entries)
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("audit: commit: %w", err)
	}
	l.committed(head)
	return nil
}

// Head returns the newest entry's id and MAC ({0, ""} for an empty trail).
func (l *Log) Head(ctx context.Context) (Head, error) {
	return readHead(viewer.AuditTrail.Grant(ctx, ""), l.client.AuditEntry)
}

func readHead(ctx context.Context, c *ent.AuditEntryClient) (Head, error) {
	last, err := c.Query().
		Order(auditentry.ByID(sql.OrderDesc())).
		Select(auditentry.FieldID, auditentry.FieldMAC).
		First(ctx)
	switch {
	case ent.IsNotFound(err):
		return Head{ID: 0, MAC: GenesisMAC}, nil
	case err != nil:
		return Head{}, fmt.Errorf("audit: read chain head: %w", err)
	}
	return Head{ID: last.ID, MAC: last.MAC}, nil
}

// lockChain takes the PostgreSQL advisory lock in tx. The generated client
// has no raw-SQL method on a transaction, so the lock rides on an aggregate
// query: without GROUP BY it returns exactly one row even on an empty table,
// and the non-aggregate pg_advisory_xact_lock(…) in its select list is
// evaluated once for that row — blocking until the lock is granted. The
// head is then read by a separate statement, whose fresh READ COMMITTED
// snapshot sees everything the previous lock holder committed.
func lockChain(ctx context.Context, tx *ent.Tx) error {
	var rows []struct {
		Max  sql.NullInt64  `sql:"max_id"`
		Lock sql.NullString `sql:"chain_lock"`
	}
	return tx.AuditEntry.Query().
		Aggregate(
			func(s *sql.Selector) string { return "MAX(" + s.C(auditentry.FieldID) + ") AS max_id" },
			func(*sql.Selector) string {
				return "pg_advisory_xact_lock(" + strconv.FormatInt(LockKey, 10) + ")::text AS chain_lock"
			},
		).
		Scan(ctx, &rows)
}
