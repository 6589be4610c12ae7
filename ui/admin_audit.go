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
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

const auditPageSize = 100

var auditActions = []string{
	audit.ActionRequest, audit.ActionCreate, audit.ActionUpdate, audit.ActionDelete, audit.ActionDenied,
	audit.ActionSignIn, audit.ActionSignInFailed, audit.ActionSignOut, audit.ActionExport,
}

// auditQuery reads the filter of the audit page and export. Dates are days
// in the location's zone; "to" includes its whole day.
func auditQuery(r *http.Request, tz *time.Location) (audit.Query, views.AuditView, map[string]string) {
	qs := r.URL.Query()
	d := views.AuditView{
		User: trim(qs.Get("user")), Action: qs.Get("action"), ResourceType: trim(qs.Get("resource_type")),
		ResourceID: trim(qs.Get("resource_id")), From: qs.Get("from"), To: qs.Get("to"), Actions: auditActions,
	}
	q := audit.Query{UserEmail: d.User, ResourceType: d.ResourceType, ResourceID: d.ResourceID, Limit: auditPageSize}
	errs := map[string]string{}
	for _, a := range auditActions {
		if a == d.Action {
			q.Action = a
		}
	}
	if d.From != "" {
		t, err := time.ParseInLocation("2006-01-02", d.From, tz)
		if err != nil {
			errs["from"] = "Use a date such as 2026-03-01."
		}
		q.From = t
	}
	if d.To != "" {
		t, err := time.ParseInLocation("2006-01-02", d.To, tz)
		if err != nil {
			errs["to"] = "Use a date such as 2026-03-31."
		}
		q.To = t.AddDate(0, 0, 1)
	}
	if b, err := strconv.ParseInt(qs.Get("before"), 10, 64); err == nil && b > 0 {
		q.BeforeID = b
	}
	return q, d, errs
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

// adminAudit shows the active location's audit trail (audit:read), newest
// first, a hundred at a time.
func (u *UI) adminAudit(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Audit trail", func(can map[string]bool) bool { return can["audit:read"] })
	if !ok {
		return
	}
	q, d, errs := auditQuery(r, p.Me.TZ)
	d.Errors = errs
	d.Integrity = auditIntegrity(u.r.Audit)
	d.CanExport = p.Me.Can["audit:export"]
	d.ExportCSV = auditLink("/admin/audit/export", r, map[string]string{"format": "csv"})
	d.ExportJSON = auditLink("/admin/audit/export", r, map[string]string{"format": "json"})
	if len(errs) == 0 {
		// The search runs as the viewer: the privacy policy limits it to
		// this location and to holders of audit:read.
		entries, err := u.r.Audit.Search(r.Context(), q)
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
// (audit:export). The export is itself an access to the trail and is
// recorded in it.
func (u *UI) exportAudit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := graph.Require(ctx, rbac.Audit, rbac.Export); err != nil {
		u.fail(w, r, err)
		return
	}
	v := viewer.FromContext(ctx)
	p, err := u.page(ctx, r, "Audit export", "admin")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	q, _, errs := auditQuery(r, p.Me.TZ)
	if len(errs) > 0 {
		u.fail(w, r, apperr.Invalidf("from", "dates must look like 2026-03-01"))
		return
	}
	q.Limit = 0
	q.BeforeID = 0
	q.LocationID = string(v.LocationID)
	format := r.URL.Query().Get("format")
	ext, ctype := "csv", "text/csv; charset=utf-8"
	if format == "json" {
		ext, ctype = "json", "application/json"
	} else {
		format = "csv"
	}
	u.r.Audit.Record(audit.Entry{
		Action: audit.ActionExport, UserID: string(v.UserID), Email: v.Email, LocationID: string(v.LocationID),
		ResourceType: "audit", Method: r.Method, Path: r.URL.Path,
		Detail: fmt.Sprintf("format=%s user=%q action=%q resource=%q %q from=%s to=%s", format, q.UserEmail, q.Action, q.ResourceType, q.ResourceID, r.URL.Query().Get("from"), r.URL.Query().Get("to")),
	})
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("audit-%s-%s.%s", p.Me.LocationCode, u.opts.Now().In(p.Me.TZ).Format("20060102-1504"), ext)))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := u.r.Audit.Export(ctx, w, q, format); err != nil {
		// Headers are gone; the download ends short and the log says why.
		slogError(r, "audit export", err)
	}
}

func slogError(r *http.Request, msg string, err error) {
	slog.ErrorContext(r.Context(), msg, "err", err, "path", r.URL.Path)
}

// auditIntegrity is what is wrong with the trail itself, for the page's
// banner: broken chain, repaired triggers, an unwritable head file.
func auditIntegrity(l *audit.Log) []string {
	if l == nil {
		return nil
	}
	var out []string
	for _, p := range l.Status().Problems {
		out = append(out, p.Message)
	}
	return out
}
