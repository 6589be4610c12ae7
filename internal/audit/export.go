package audit

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/auditentry"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Query selects entries for Search and Export. Empty fields do not filter.
type Query struct {
	// From is inclusive, To exclusive.
	From, To time.Time
	// UserEmail matches the entry's email (case-insensitively).
	UserEmail    string
	LocationID   string
	ResourceType string
	ResourceID   string
	Action       string
	// Limit caps the entries returned: Search defaults to 50 (at most 500);
	// Export returns everything when 0.
	Limit int
	// BeforeID is Search's cursor: only entries older than it (the last id
	// of the previous page).
	BeforeID int64
}

func (q Query) predicates() []predicate.AuditEntry {
	var ps []predicate.AuditEntry
	if !q.From.IsZero() {
		ps = append(ps, auditentry.AtGTE(q.From.UTC()))
	}
	if !q.To.IsZero() {
		ps = append(ps, auditentry.AtLT(q.To.UTC()))
	}
	if q.UserEmail != "" {
		ps = append(ps, auditentry.EmailEQ(strings.ToLower(strings.TrimSpace(q.UserEmail))))
	}
	if q.LocationID != "" {
		ps = append(ps, auditentry.LocationIDEQ(q.LocationID))
	}
	if q.ResourceType != "" {
		ps = append(ps, auditentry.ResourceTypeEQ(q.ResourceType))
	}
	if q.ResourceID != "" {
		ps = append(ps, auditentry.ResourceIDEQ(q.ResourceID))
	}
	if q.Action != "" {
		ps = append(ps, auditentry.ActionEQ(q.Action))
	}
	return ps
}

// Search returns one page of entries, newest first, for the admin viewer.
// It runs with the caller's context, so the AuditEntry privacy policy
// applies (the audit permission, and only the viewer's location); pass
// q.BeforeID = the last id of a page to get the next.
func (l *Log) Search(ctx context.Context, q Query) ([]*ent.AuditEntry, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	ps := q.predicates()
	if q.BeforeID > 0 {
		ps = append(ps, auditentry.IDLT(q.BeforeID))
	}
	return l.client.AuditEntry.Query().
		Where(ps...).
		Order(auditentry.ByID(sql.OrderDesc())).
		Limit(limit).
		All(ctx)
}

// exportPage is how many entries Export holds in memory at once.
const exportPage = 1000

// ExportColumns are the CSV header and the JSON keys, in order.
var ExportColumns = []string{
	"id", "at", "user_id", "email", "location_id", "action", "resource_type", "resource_id",
	"operation", "method", "path", "ip", "user_agent", "status", "latency_ms", "phi",
	"body_sha256", "detail", "prev_mac", "mac",
}

// exportRow is one entry in JSON, keys in ExportColumns order.
type exportRow struct {
	ID           int64  `json:"id"`
	At           string `json:"at"`
	UserID       string `json:"user_id"`
	Email        string `json:"email"`
	LocationID   string `json:"location_id"`
	Action       string `json:"action"`
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource_id"`
	Operation    string `json:"operation"`
	Method       string `json:"method"`
	Path         string `json:"path"`
	IP           string `json:"ip"`
	UserAgent    string `json:"user_agent"`
	Status       int    `json:"status"`
	LatencyMS    int    `json:"latency_ms"`
	PHI          bool   `json:"phi"`
	BodySHA256   string `json:"body_sha256"`
	Detail       string `json:"detail"`
	PrevMAC      string `json:"prev_mac"`
	MAC          string `json:"mac"`
}

// Export writes the entries q selects, oldest first, to w and returns how
// many it wrote. It reads a page at a time, so an export of years of
// entries does not sit in memory. Formats:
//
//   - "csv": a header row (ExportColumns) then one row per entry (RFC 4180,
//     encoding/csv). A text cell starting with = + - @ or a tab gets a
//     leading ' so a spreadsheet shows it instead of running it as a formula
//     (paths and user agents come from the outside world).
//   - "json": one JSON array of objects with the ExportColumns keys.
//   - "ndjson": one such object per line.
//
// at is RFC 3339 UTC with microseconds, as MACed. Export runs as the
// system: callers check the permission and pass q.LocationID to keep a
// location's admin to their own location.
func (l *Log) Export(ctx context.Context, w io.Writer, q Query, format string) (int, error) {
	sctx := viewer.AuditTrail.Grant(ctx, "")
	bw := bufio.NewWriterSize(w, 64<<10)
	var (
		cw   *csv.Writer
		enc  *json.Encoder
		n    int
		last int64
		// prevMACs holds the MAC of entry id-1 for each entry of the page.
		prevMACs map[int64]string
	)
	switch format {
	case "csv":
		cw = csv.NewWriter(bw)
		if err := cw.Write(ExportColumns); err != nil {
			return 0, err
		}
	case "json":
		if _, err := bw.WriteString("["); err != nil {
			return 0, err
		}
		enc = json.NewEncoder(bw)
	case "ndjson":
		enc = json.NewEncoder(bw)
	default:
		return 0, fmt.Errorf("audit export: unknown format %q (want csv, json or ndjson)", format)
	}
	if enc != nil {
		// Paths and details are shown as written, not as \u003c escapes.
		enc.SetEscapeHTML(false)
	}
	ps := q.predicates()
	for {
		size := exportPage
		if q.Limit > 0 {
			size = min(size, q.Limit-n)
			if size <= 0 {
				break
			}
		}
		page, err := l.client.AuditEntry.Query().
			Where(append(ps[:len(ps):len(ps)], auditentry.IDGT(last))...).
			Order(auditentry.ByID()).
			Limit(size).
			All(sctx)
		if err != nil {
			return n, fmt.Errorf("audit export: %w", err)
		}
		if prevMACs, err = l.prevMACs(sctx, page, prevMACs); err != nil {
			return n, fmt.Errorf("audit export: %w", err)
		}
		for _, a := range page {
			r := exportRow{
				ID: a.ID, At: a.At.UTC().Format(timeLayout), UserID: a.UserID, Email: a.Email,
				LocationID: a.LocationID, Action: a.Action, ResourceType: a.ResourceType,
				ResourceID: a.ResourceID, Operation: a.Operation, Method: a.Method, Path: a.Path,
				IP: a.IP, UserAgent: a.UserAgent, Status: a.Status, LatencyMS: a.LatencyMs,
				PHI: a.Phi, BodySHA256: a.BodySha256, Detail: a.Detail, PrevMAC: prevMACs[a.ID-1], MAC: a.MAC,
			}
			switch format {
			case "csv":
				err = cw.Write(r.csv())
			case "json":
				if n > 0 {
					_, err = bw.WriteString(",")
				}
				if err == nil {
					err = enc.Encode(r) // Encode ends with a newline: valid whitespace.
				}
			case "ndjson":
				err = enc.Encode(r)
			}
			if err != nil {
				return n, fmt.Errorf("audit export: %w", err)
			}
			n++
			last = a.ID
		}
		if len(page) < size {
			break
		}
	}
	switch format {
	case "csv":
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, fmt.Errorf("audit export: %w", err)
		}
	case "json":
		if _, err := bw.WriteString("]\n"); err != nil {
			return n, err
		}
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("audit export: %w", err)
	}
	return n, nil
}

// prevMACs returns the MACs of the entries just before those of page (the
// prev_mac column: it is not stored). Within a run of consecutive ids the
// page has them; the others (the page's first entry, and every entry after
// a gap a filter made) are read in one query. last is the previous page's
// map, whose newest entry may precede this page's first.
func (l *Log) prevMACs(ctx context.Context, page []*ent.AuditEntry, last map[int64]string) (map[int64]string, error) {
	m := make(map[int64]string, len(page)+1)
	for _, a := range page {
		m[a.ID] = a.MAC
	}
	var missing []int64
	for _, a := range page {
		p := a.ID - 1
		if _, ok := m[p]; ok {
			continue
		}
		if mac, ok := last[p]; ok {
			m[p] = mac
			continue
		}
		if p == 0 {
			m[0] = GenesisMAC
			continue
		}
		missing = append(missing, p)
	}
	for len(missing) > 0 {
		chunk := missing[:min(len(missing), 500)]
		missing = missing[len(chunk):]
		rows, err := l.client.AuditEntry.Query().Where(auditentry.IDIn(chunk...)).
			Select(auditentry.FieldID, auditentry.FieldMAC).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			m[r.ID] = r.MAC
		}
		// An entry deleted from the chain leaves its successor's prev_mac
		// empty in the export; Verify names the gap.
	}
	return m, nil
}

func (r exportRow) csv() []string {
	return []string{
		strconv.FormatInt(r.ID, 10), r.At, cell(r.UserID), cell(r.Email), cell(r.LocationID),
		cell(r.Action), cell(r.ResourceType), cell(r.ResourceID), cell(r.Operation), cell(r.Method),
		cell(r.Path), cell(r.IP), cell(r.UserAgent), strconv.Itoa(r.Status), strconv.Itoa(r.LatencyMS),
		strconv.FormatBool(r.PHI), cell(r.BodySHA256), cell(r.Detail), r.PrevMAC, r.MAC,
	}
}

// cell defuses spreadsheet formula injection (OWASP "CSV injection").
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
