package ui

import (
	"log/slog"
	"net/http"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
)

// countingWriter remembers whether anything was written, so a failed
// export that wrote nothing can still answer with an error page.
type countingWriter struct {
	w http.ResponseWriter
	n int
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += n
	return n, err
}

// exportContacts streams the contacts of the list's filters (pipeline,
// stage, and the search's matches) as CSV: exportContacts, streamed
// (graph.Ops.ExportContactsTo), which records the export in the audit
// trail.
func (u *UI) exportContacts(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpExportContacts) {
		return
	}
	ctx := r.Context()
	qs := r.URL.Query()
	where, err := contactWhere(qs.Get("pipeline"), qs.Get("stage"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if q := trim(qs.Get("q")); q != "" {
		// The matches the list shows for the search, and no others.
		rs, err := u.api.contacts.SearchContacts(ctx, q, ptr(searchResultsMax), nil, where)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		where.IDIn = []pulid.ID{""} // matches nothing when the search found nothing
		for _, res := range rs {
			where.IDIn = append(where.IDIn, res.Contact.ID)
		}
	}
	p, err := u.page(ctx, r, "Export", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	day := u.opts.Now.Now().In(p.Me.TZ)
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="contacts-`+day.Format("2006-01-02")+`.csv"`)
	h.Set("Cache-Control", "no-store")
	cw := &countingWriter{w: w}
	if _, err := u.api.contacts.ExportContactsTo(ctx, cw, where); err != nil {
		if cw.n == 0 {
			h.Del("Content-Disposition")
			h.Del("Cache-Control")
			u.fail(w, r, err)
			return
		}
		// Too late for an error page: the download is cut short.
		slog.ErrorContext(ctx, "contacts export", "err", err)
	}
}
