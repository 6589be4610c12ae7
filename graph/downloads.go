package graph

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Downloads: the exports a browser saves as a file. GraphQL answers them
// as one string, bounded (exportContacts, exportAuditEntries); the staff
// UI streams them to the browser through these methods, which check the
// permission the same schema field declares and run the same code, so the
// two roads cannot disagree on who may export what.

// maxAPIAuditExport bounds exportAuditEntries' answer; the CLI's export
// has no bound.
const maxAPIAuditExport = 50_000

// ExportContactsTo writes what exportContacts answers, as CSV, to w as it
// is read (no bound but the service's own): the contacts where selects,
// archived ones never. The export is recorded in the audit trail.
func (o *Ops) ExportContactsTo(ctx context.Context, w io.Writer, where *ent.ContactWhereInput) (int, error) {
	if err := o.Check(ctx, OpExportContacts); err != nil {
		return 0, err
	}
	return o.r.ContactService.Export(ctx, w, where)
}

// ExportAuditEntriesTo writes what exportAuditEntries answers to w as it
// is read, without its bound. The export is recorded in the trail.
func (o *Ops) ExportAuditEntriesTo(ctx context.Context, w io.Writer, filter *AuditFilter, format AuditExportFormat) (int, error) {
	if err := o.Check(ctx, OpExportAuditEntries); err != nil {
		return 0, err
	}
	return o.r.exportAudit(ctx, w, filter, format, 0)
}

// exportAudit writes the active location's entries the filter selects
// (oldest first, at most limit when limit > 0) and records the export.
func (r *Resolver) exportAudit(ctx context.Context, w io.Writer, filter *AuditFilter, format AuditExportFormat, limit int) (int, error) {
	v, err := viewer.AtLocation(ctx)
	if err != nil {
		return 0, err
	}
	if !format.IsValid() {
		return 0, apperr.Invalidf("format", "choose csv or json")
	}
	q := auditQuery(filter)
	q.BeforeID, q.Limit = 0, limit
	// The export reads the trail as the trail itself (audit.Log.Export):
	// the location is the viewer's, always.
	q.LocationID = string(v.LocationID)
	// Reading the trail is itself an access to record.
	from, to := "", ""
	if !q.From.IsZero() {
		from = q.From.Format(time.RFC3339)
	}
	if !q.To.IsZero() {
		to = q.To.Format(time.RFC3339)
	}
	r.Audit.Record(audit.Entry{
		Action: audit.ActionExport, UserID: string(v.UserID), Email: v.Email, LocationID: string(v.LocationID),
		ResourceType: "audit", Method: audit.MetaFrom(ctx).Values().Method, Path: audit.MetaFrom(ctx).Values().Path,
		Operation: audit.MetaFrom(ctx).Values().Operation,
		Detail:    fmt.Sprintf("format=%s user=%q action=%q resource=%q %q from=%s to=%s", format, q.UserEmail, q.Action, q.ResourceType, q.ResourceID, from, to),
	})
	return r.Audit.Export(ctx, w, q, string(format))
}
