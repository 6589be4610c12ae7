package contacts

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/labels"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// MaxAPIExport caps the rows of an export returned in one GraphQL answer.
const MaxAPIExport = 50_000

// exportPage is how many contacts an export holds in memory at once.
const exportPage = 500

// ExportFields are the columns of a contacts CSV export, as codes. The
// columns an import understands come first, so an export can be imported
// elsewhere as it is.
var ExportFields = []string{
	"first_name", "last_name", "phone", "email", "date_of_birth", "lead_source", "referrer", "tags",
	"notes", "sms_consent", "email_consent", "stage",
	"id", "pipeline", "warmness", "assigned_to_id", "created_at", "updated_at",
}

// ExportColumns are the header row: ExportFields in the words of the one
// label table ("First name", "Date of birth", "SMS consent"), which the
// import's column guessing reads back as the same fields.
var ExportColumns = labels.Headers(ExportFields)

// ListFilter returns the filter of a contact list: where, and unless where
// asks about archivedAt itself (anywhere, in and/or/not too), only contacts
// that are not archived. where is not changed.
func ListFilter(where *ent.ContactWhereInput) *ent.ContactWhereInput {
	if where == nil {
		return &ent.ContactWhereInput{ArchivedAtIsNil: true}
	}
	if mentionsArchived(where) {
		return where
	}
	w := *where
	w.ArchivedAtIsNil = true
	return &w
}

func mentionsArchived(w *ent.ContactWhereInput) bool {
	if w == nil {
		return false
	}
	if w.ArchivedAt != nil || w.ArchivedAtNEQ != nil || len(w.ArchivedAtIn) > 0 || len(w.ArchivedAtNotIn) > 0 ||
		w.ArchivedAtGT != nil || w.ArchivedAtGTE != nil || w.ArchivedAtLT != nil || w.ArchivedAtLTE != nil ||
		w.ArchivedAtIsNil || w.ArchivedAtNotNil || mentionsArchived(w.Not) {
		return true
	}
	for _, x := range append(append([]*ent.ContactWhereInput{}, w.And...), w.Or...) {
		if mentionsArchived(x) {
			return true
		}
	}
	return false
}

// Export writes the contacts matching where that are not archived, as CSV
// (a header row of ExportColumns, then one row per contact, oldest first),
// and returns how many it wrote. It reads a page at a time, so a large
// export does not sit in memory. It needs contacts:export (FORBIDDEN
// otherwise) and is recorded in the audit trail as an export, with the row
// count and never the filter's values.
func (s *Service) Export(ctx context.Context, w io.Writer, where *ent.ContactWhereInput) (int, error) {
	return s.ExportLimit(ctx, w, where, 0)
}

// ExportLimit is Export refusing, before writing anything, a filter that
// matches more than limit contacts (INVALID); 0 means no limit.
func (s *Service) ExportLimit(ctx context.Context, w io.Writer, where *ent.ContactWhereInput, limit int) (int, error) {
	v, err := viewer.Authorize(ctx, rbac.ContactsExport)
	if err != nil {
		return 0, err
	}
	ps := []predicate.Contact{contact.ArchivedAtIsNil()}
	if where != nil {
		p, err := where.P()
		switch {
		case err == ent.ErrEmptyContactWhereInput:
		case err != nil:
			return 0, apperr.Invalidf("where", "%s", err)
		default:
			ps = append(ps, p)
		}
	}
	c := s.client(ctx)
	if limit > 0 {
		n, err := c.Contact.Query().Where(ps...).Count(ctx)
		if err != nil {
			return 0, err
		}
		if n > limit {
			return 0, apperr.Invalidf("where", "%d contacts match; an export returns at most %d: narrow the filter", n, limit)
		}
	}
	n, err := writeContacts(ctx, c, w, ps)
	if s.Audit != nil {
		meta := audit.MetaFrom(ctx).Values()
		e := audit.Entry{
			Action: audit.ActionExport, ResourceType: ent.TypeContact, PHI: true,
			UserID: string(v.UserID), Email: v.Email, LocationID: string(v.LocationID),
			Operation: meta.Operation, Method: meta.Method, Path: meta.Path, IP: meta.IP, UserAgent: meta.UserAgent,
			Detail: fmt.Sprintf("contacts CSV: %d rows", n),
		}
		if v.System {
			e.UserID = audit.SystemUserID
		}
		if err != nil {
			e.Detail += " (failed part way)"
		}
		s.Audit.Record(e)
	}
	return n, err
}

func writeContacts(ctx context.Context, c *ent.Client, w io.Writer, ps []predicate.Contact) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(ExportColumns); err != nil {
		return 0, err
	}
	n := 0
	var last pulid.ID
	for {
		page, err := c.Contact.Query().Where(append(ps[:len(ps):len(ps)], contact.IDGT(last))...).
			Order(contact.ByID()).Limit(exportPage).All(ctx)
		if err != nil {
			return n, err
		}
		for _, ct := range page {
			if err := cw.Write(exportRow(ct)); err != nil {
				return n, err
			}
			n++
			last = ct.ID
		}
		if len(page) < exportPage {
			break
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

func exportRow(ct *ent.Contact) []string {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	dob, assigned := "", ""
	if ct.DateOfBirth != nil {
		dob = string(*ct.DateOfBirth)
	}
	if ct.AssignedToID != nil {
		assigned = string(*ct.AssignedToID)
	}
	return []string{
		cell(ct.FirstName), cell(ct.LastName), str(ct.Phone), cell(str(ct.Email)), dob, string(ct.LeadSource),
		cell(str(ct.Referrer)), cell(strings.Join(ct.Tags, ";")), cell(ct.Notes),
		yesNo(ct.SmsConsent), yesNo(ct.EmailConsent), string(ct.Stage),
		string(ct.ID), string(ct.Pipeline), strconv.Itoa(ct.Warmness), assigned,
		ct.CreatedAt.UTC().Format(time.RFC3339), ct.UpdatedAt.UTC().Format(time.RFC3339),
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// cell defuses spreadsheet formula injection (OWASP "CSV injection"): a
// text cell starting with = + - @ or a tab gets a leading '. Phones (E.164,
// starting with +) are ours, not typed, and are left as they are.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
