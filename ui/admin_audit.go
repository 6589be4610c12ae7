package ui

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

const auditPageSize = 100

var auditActions = []string{
	audit.ActionRequest, audit.ActionCreate, audit.ActionUpdate, audit.ActionDelete, audit.ActionDenied,
	audit.ActionSignIn, audit.ActionSignInFailed, audit.ActionSignOut, audit.ActionExport,
}

// auditFilter reads the filter of the audit page and export. Dates are
// days in the location's zone; "to" includes its whole day.
func auditFilter(r *http.Request, tz *time.Location) (graph.AuditFilter, views.AuditView, map[string]string) {
	qs := r.URL.Query()
	d := views.AuditView{
		User: trim(qs.Get("user")), Action: qs.Get("action"), ResourceType: trim(qs.Get("resource_type")),
		ResourceID: trim(qs.Get("resource_id")), From: qs.Get("from"), To: qs.Get("to"), Actions: auditActions,
	}
	f := graph.AuditFilter{UserEmail: nilIfEmpty(d.User), ResourceType: nilIfEmpty(d.ResourceType), ResourceID: nilIfEmpty(d.ResourceID)}
	errs := map[string]string{}
	for _, a := range auditActions {
		if a == d.Action {
			f.Action = ptr(a)
		}
	}
	if d.From != "" {
		t, err := time.ParseInLocation("2006-01-02", d.From, tz)
		if err != nil {
			errs["from"] = "Use a date such as 2026-03-01."
		}
		f.From = &t
	}
	if d.To != "" {
		t, err := time.ParseInLocation("2006-01-02", d.To, tz)
		if err != nil {
			errs["to"] = "Use a date such as 2026-03-31."
		}
		t = t.AddDate(0, 0, 1)
		f.To = &t
	}
	if b, err := strconv.Atoi(qs.Get("before")); err == nil && b > 0 {
		f.Before = &b
	}
	return f, d, errs
}

func auditLink(path string, r *http.Request, set map[string]string) string {
	v := url.Values{}
	for _, k := range []string{"user", "action", "resource_type", "resource_id", "from", "to"} {
		if x := r.URL.Query().Get(k); x != "" {
			v.Set(k, x)
		}
	}
	for k, x := range set {
		v.Set(k, x)
	}
	return path + "?" + v.Encode()
}

// adminAudit shows the active location's audit trail (auditEntries), newest
// first, a hundred at a time.
func (u *UI) adminAudit(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Audit trail", graph.OpAuditEntries)
	if !ok {
		return
	}
	f, d, errs := auditFilter(r, p.Me.TZ)
	d.Errors = errs
	d.CanExport = u.allowed(r.Context(), graph.OpExportAuditEntries)
	integrity, err := u.api.admin.AuditIntegrity(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.Integrity = auditProblems(integrity)
	d.ExportCSV = auditLink("/admin/audit/export", r, map[string]string{"format": "csv"})
	d.ExportJSON = auditLink("/admin/audit/export", r, map[string]string{"format": "json"})
	if len(errs) == 0 {
		entries, err := u.api.admin.AuditEntries(r.Context(), &f, ptr(auditPageSize))
		if err != nil {
			u.fail(w, r, err)
			return
		}
		d.Entries = entries
		if len(entries) == auditPageSize {
			d.Next = auditLink("/admin/audit", r, map[string]string{"before": strconv.FormatInt(entries[len(entries)-1].ID, 10)})
		}
	} else {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	render(w, r, views.AdminAuditPage(p, d))
}

// exportAudit downloads what the filter selects as CSV or JSON
// (exportAuditEntries, streamed). The export is itself an access to the
// trail and is recorded in it.
func (u *UI) exportAudit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !u.may(w, r, graph.OpExportAuditEntries) {
		return
	}
	p, err := u.page(ctx, r, "Audit export", "admin")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f, _, errs := auditFilter(r, p.Me.TZ)
	if len(errs) > 0 {
		u.fail(w, r, apperr.Invalidf("from", "dates must look like 2026-03-01"))
		return
	}
	f.Before = nil
	format, ext, ctype := graph.AuditExportFormatCSV, "csv", "text/csv; charset=utf-8"
	if r.URL.Query().Get("format") == "json" {
		format, ext, ctype = graph.AuditExportFormatJSON, "json", "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("audit-%s-%s.%s", p.Me.LocationCode, u.opts.Now.Now().In(p.Me.TZ).Format("20060102-1504"), ext)))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := u.api.admin.ExportAuditEntriesTo(ctx, w, &f, format); err != nil {
		// Headers are gone; the download ends short and the log says why.
		slogError(r, "audit export", err)
	}
}

func slogError(r *http.Request, msg string, err error) {
	slog.ErrorContext(r.Context(), msg, "err", err, "path", r.URL.Path)
}

// auditProblems is what is wrong with the trail itself (auditIntegrity),
// for the page's banner: broken chain, repaired triggers, an unwritable
// head file.
func auditProblems(st *graph.AuditIntegrity) []string {
	var out []string
	for _, p := range st.Problems {
		out = append(out, p.Message)
	}
	return out
}
