package ui

// The reports pages (issue 18): pick a report or ask in words, adjust it
// as chips, read its figures, charts and insights, export it as CSV,
// print it; save it and read its stored runs; enter ad spend; opt in to
// the Monday email. Every figure comes from the reports operations
// (graph.Ops); the page only formats.

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

func (u *UI) reportRoutes(r chi.Router) {
	r.Get("/reports", u.reportsPage)
	r.Get("/reports/export.csv", u.exportReport)
	r.Post("/reports/save", u.saveReport)
	r.Post("/reports/subscription", u.setReportSubscription)
	r.Get("/reports/saved/{id}", u.savedReportPage)
	r.Post("/reports/saved/{id}/run", u.runReport)
	r.Get("/reports/saved/{id}/delete", u.deleteReport)
	r.Post("/reports/saved/{id}/delete", u.deleteReport)
	r.Get("/reports/runs/{id}", u.reportRunPage)
	r.Get("/reports/runs/{id}/export.csv", u.exportReportRun)
	r.Get("/reports/ad-spend", u.adSpendPage)
	r.Post("/reports/ad-spend", u.saveAdSpend)
}

// reportsPage runs the report the query asks for: a question in words (q)
// is read into a request whose chips then carry it; otherwise the chips'
// own values (kind, period, …). No kind: the page offers the choices.
func (u *UI) reportsPage(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpGenerateReport) {
		return
	}
	ctx := r.Context()
	p, err := u.page(ctx, r, "Reports", "reports")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.reportsData(ctx, p)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	if text := trim(q.Get("q")); text != "" {
		d.Question = text
		ans, err := u.api.reports.ReportQuery(ctx, text)
		if err != nil {
			u.reportFailed(w, r, p, d, err)
			return
		}
		d.Answer = &views.QuestionView{OK: ans.OK, Notes: ans.Notes, Suggestions: ans.Suggestions, Engine: ans.Engine}
		if ans.OK && ans.Request != nil {
			d.Form = views.FormFromSpec(*ans.Request, len(d.Options.Locations))
			d.Result = ans.Result
		}
		render(w, r, views.ReportsPageView(p, d))
		return
	}
	d.Form = reportForm(q)
	if d.Form.Kind != "" {
		res, err := u.generate(ctx, d.Form)
		if err != nil {
			u.reportFailed(w, r, p, d, err)
			return
		}
		d.Result = res
	}
	render(w, r, views.ReportsPageView(p, d))
}

// reportFailed shows a request the report refused (INVALID) on the page,
// by its chips, with 422; anything else is the error page.
func (u *UI) reportFailed(w http.ResponseWriter, r *http.Request, p views.Page, d views.ReportsPage, err error) {
	errs, status, ok := formErrors(err, inputs{}, "")
	if !ok {
		u.fail(w, r, err)
		return
	}
	d.Errors = errs
	renderStatus(w, r, status, views.ReportsPageView(p, d))
}

// reportsData is what the page shows whatever the report: the choices,
// the saved reports, the Monday email switch, what the viewer may do.
func (u *UI) reportsData(ctx context.Context, p views.Page) (views.ReportsPage, error) {
	d := views.ReportsPage{
		Options:    views.ReportOptionsFor(p.Me.Locations),
		CanSave:    u.allowed(ctx, graph.OpSaveReport),
		CanExport:  u.allowed(ctx, graph.OpGenerateReport),
		CanAdSpend: u.allowed(ctx, graph.OpAdSpend),
		Save:       views.SaveForm{Schedule: string(reports.Never)},
	}
	if len(d.Options.Locations) == 0 {
		d.Options.Locations = []views.Option{{Value: p.Me.LocationID, Label: p.Me.LocationName}}
	}
	saved, err := u.api.reports.Reports(ctx)
	if err != nil {
		return d, err
	}
	for _, s := range saved {
		d.Saved = append(d.Saved, savedRow(s))
	}
	if u.allowed(ctx, graph.OpSetReportSubscription) {
		sub, err := u.api.reports.ReportSubscription(ctx)
		if err != nil {
			return d, err
		}
		d.CanSubscribe, d.Weekly = true, sub.Weekly
	}
	return d, nil
}

func savedRow(s *reports.Saved) views.SavedRow {
	return views.SavedRow{ID: s.ID.String(), Name: s.Name, Kind: string(s.Kind), Schedule: scheduleWords(s.Schedule),
		Description: s.Request.Description, LastRun: s.LastRunAt}
}

func scheduleWords(s reports.Schedule) string {
	switch s {
	case reports.Daily:
		return "every day"
	case reports.Weekly:
		return "every week"
	case reports.Monthly:
		return "every month"
	}
	return "only when run"
}

// generate runs the form's report.
func (u *UI) generate(ctx context.Context, f views.ReportForm) (*reports.Result, error) {
	req, err := reportRequest(f)
	if err != nil {
		return nil, err
	}
	return u.api.reports.GenerateReport(ctx, req)
}

// reportForm reads the chips' values from a query or a posted form. A
// report without a period covers last month, compared with the month
// before.
func reportForm(q url.Values) views.ReportForm {
	list := func(k string) []string {
		var out []string
		for _, v := range q[k] {
			if v = trim(v); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	f := views.ReportForm{
		Kind: trim(q.Get("kind")), Period: trim(q.Get("period")), From: trim(q.Get("from")), To: trim(q.Get("to")),
		Compare: trim(q.Get("compare")), CompareFrom: trim(q.Get("compare_from")), CompareTo: trim(q.Get("compare_to")),
		Locations: list("loc"), GroupBy: list("by"), Services: list("service"), Sources: list("source"),
		Campaigns: list("campaign"), Practitioners: list("practitioner"), Weekdays: list("weekday"), Hours: list("hour"),
	}
	if f.Period == "" && f.From == "" && f.To == "" {
		f.Period = string(reports.LastMonth)
	}
	if f.Period != "" {
		f.From, f.To = "", ""
	}
	if f.Compare == "" {
		f.Compare = string(reports.PreviousPeriod)
	}
	return f
}

// reportRequest checks the form's values and makes the request; the
// report checks the rest (dates in order, locations the viewer may read).
func reportRequest(f views.ReportForm) (reports.Request, error) {
	var req reports.Request
	kind, err := enumValue("kind", f.Kind, reports.Kinds)
	if err != nil {
		return req, apperr.Invalidf("kind", "Choose a report.")
	}
	req.Kind = kind
	if f.Period != "" {
		np, err := enumValue("period", f.Period, reports.NamedPeriods)
		if err != nil {
			return req, apperr.Invalidf("period", "Choose one of the listed periods.")
		}
		req.NamedPeriod = &np
	} else {
		if req.From, err = dateValue("from", f.From); err != nil {
			return req, err
		}
		if req.To, err = dateValue("to", f.To); err != nil {
			return req, err
		}
	}
	cmp, err := enumValue("compare", f.Compare, reports.Comparisons)
	if err != nil {
		return req, apperr.Invalidf("compare", "Choose one of the listed comparisons.")
	}
	req.Comparison = &cmp
	if cmp == reports.CustomComparison {
		if req.CompareFrom, err = dateValue("compare_from", f.CompareFrom); err != nil {
			return req, err
		}
		if req.CompareTo, err = dateValue("compare_to", f.CompareTo); err != nil {
			return req, err
		}
	}
	for _, id := range f.Locations {
		req.LocationIDs = append(req.LocationIDs, pulid.ID(id))
	}
	for _, by := range f.GroupBy {
		d, err := enumValue("by", by, reports.Dimensions)
		if err != nil {
			return req, apperr.Invalidf("by", "There is no breakdown %q.", by)
		}
		req.GroupBy = append(req.GroupBy, d)
	}
	var fl reports.Filters
	fl.Services = f.Services
	fl.Campaigns = f.Campaigns
	for _, s := range f.Sources {
		if contact.LeadSourceValidator(contact.LeadSource(s)) != nil {
			return req, apperr.Invalidf("source", "There is no lead source %q.", s)
		}
		fl.Sources = append(fl.Sources, contact.LeadSource(s))
	}
	for _, id := range f.Practitioners {
		fl.PractitionerIDs = append(fl.PractitionerIDs, pulid.ID(id))
	}
	for _, s := range f.Weekdays {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 6 {
			return req, apperr.Invalidf("weekday", "A weekday is 0 (Sunday) to 6 (Saturday).")
		}
		fl.Weekdays = append(fl.Weekdays, n)
	}
	for _, s := range f.Hours {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 23 {
			return req, apperr.Invalidf("hour", "An hour is 0 to 23.")
		}
		fl.Hours = append(fl.Hours, n)
	}
	if len(fl.Services)+len(fl.Sources)+len(fl.Campaigns)+len(fl.PractitionerIDs)+len(fl.Weekdays)+len(fl.Hours) > 0 {
		req.Filters = &fl
	}
	return req, nil
}

func dateValue(field, s string) (*types.Date, error) {
	d, err := types.ParseDate(s)
	if err != nil {
		return nil, apperr.Invalidf(field, "Give the date as YYYY-MM-DD.")
	}
	return &d, nil
}

// saveReport saves the shown request with a name and goes to it.
func (u *UI) saveReport(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSaveReport) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	f := reportForm(r.PostForm)
	name := trim(r.PostFormValue("name"))
	sched := reports.Never
	if s := r.PostFormValue("schedule"); s != "" {
		sched = reports.Schedule(s)
	}
	var saved *reports.Saved
	req, err := reportRequest(f)
	if err == nil {
		if sched, err = enumValue("schedule", string(sched), reports.Schedules); err == nil {
			saved, err = u.api.reports.SaveReport(ctx, reports.SaveInput{Name: name, Request: req, Schedule: &sched})
		}
	}
	next := done{Path: "/reports", Key: "report-saved"}
	if err == nil {
		next.Path = "/reports/saved/" + saved.ID.String()
	}
	u.finish(w, r, err, next, inputs{"name": "name", "schedule": "name"}, "", func(errs views.FieldErrors, status int) {
		p, err := u.page(ctx, r, "Reports", "reports")
		if err != nil {
			u.fail(w, r, err)
			return
		}
		d, err := u.reportsData(ctx, p)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		d.Form = f
		d.Result, _ = u.generate(ctx, f)
		d.Save = views.SaveForm{Name: name, Schedule: string(sched), Errors: errs}
		renderStatus(w, r, status, views.ReportsPageView(p, d))
	})
}

// setReportSubscription opts the viewer in to or out of the Monday email.
func (u *UI) setReportSubscription(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSetReportSubscription) || !u.parseForm(w, r) {
		return
	}
	weekly := r.PostFormValue("weekly") == "true"
	_, err := u.api.reports.SetReportSubscription(r.Context(), weekly)
	key := "monday-off"
	if weekly {
		key = "monday-on"
	}
	u.finish(w, r, err, done{Path: "/reports", Key: key, Fragment: "h-monday"}, nil, "", nil)
}

// savedReportPage is a saved report: what it asks and its stored runs.
func (u *UI) savedReportPage(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpReport) {
		return
	}
	ctx := r.Context()
	s, err := u.api.reports.Report(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	runs, err := u.api.reports.ReportRuns(ctx, s.ID, ptr(50))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, err := u.page(ctx, r, s.Name, "reports")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.SavedPage{
		Saved: savedRow(s), Form: views.FormFromSpec(s.Request, max(len(p.Me.Locations), 1)), Described: s.Request.Description,
		CanRun: u.allowed(ctx, graph.OpRunReport), CanManage: u.allowed(ctx, graph.OpDeleteReport),
		CanExport: u.allowed(ctx, graph.OpGenerateReport),
	}
	// Open it with its own request, so a named period stays named.
	d.Form = formFromRequest(s.Stored, d.Form)
	for _, run := range runs {
		d.Runs = append(d.Runs, views.RunView{ID: run.ID.String(), Trigger: run.Trigger, RanAt: run.RanAt, Result: &run.Result})
	}
	render(w, r, views.SavedReportPage(p, d))
}

// formFromRequest is the form of a saved request: its named period (not
// the dates it resolves to today), its comparison, breakdowns, filters and
// locations as asked.
func formFromRequest(req reports.Request, resolved views.ReportForm) views.ReportForm {
	f := resolved
	f.Locations = nil
	for _, id := range req.LocationIDs {
		f.Locations = append(f.Locations, id.String())
	}
	if req.NamedPeriod != nil {
		f.Period, f.From, f.To = string(*req.NamedPeriod), "", ""
	}
	return f
}

// runReport runs a saved report now, stores the run and shows it.
func (u *UI) runReport(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRunReport) {
		return
	}
	run, err := u.api.reports.RunReport(r.Context(), idParam(r))
	next := done{Key: "report-ran"}
	if err == nil {
		next.Path = "/reports/runs/" + run.ID.String()
	}
	u.finish(w, r, err, next, nil, "", nil)
}

// deleteReport deletes a saved report after a confirmation; its runs stay.
func (u *UI) deleteReport(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpDeleteReport) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	if !confirmed(r) {
		s, err := u.api.reports.Report(ctx, id)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		p, err := u.page(ctx, r, "Delete "+s.Name, "reports")
		if err != nil {
			u.fail(w, r, err)
			return
		}
		render(w, r, views.ConfirmPage(p, views.Confirm{
			Title: "Delete " + s.Name + "?", Message: "The report will no longer be listed or run on its schedule. Its stored runs stay readable.",
			Action: "/reports/saved/" + id.String() + "/delete", Button: "Delete report", Cancel: "/reports/saved/" + id.String(),
		}))
		return
	}
	_, err := u.api.reports.DeleteReport(ctx, id)
	u.finish(w, r, err, done{Path: "/reports", Key: "report-deleted"}, nil, "", nil)
}

// reportRunPage shows a stored run as it was: no figure is computed again.
func (u *UI) reportRunPage(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpReportRun) {
		return
	}
	ctx := r.Context()
	run, err := u.api.reports.ReportRun(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.RunView{ID: run.ID.String(), Trigger: run.Trigger, RanAt: run.RanAt, Result: &run.Result,
		ReportName: views.ReportKindLabel(string(run.Kind))}
	if run.ReportID != nil {
		d.ReportID = run.ReportID.String()
		// The report may have been deleted since; the run stays readable.
		if s, err := u.api.reports.Report(ctx, *run.ReportID); err == nil {
			d.ReportName = s.Name
		}
	}
	p, err := u.page(ctx, r, d.ReportName, "reports")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.ReportRunPage(p, d, u.allowed(ctx, graph.OpReportRun)))
}

// exportReport streams the chips' report as CSV: the same operation as
// the page, so the file holds the figures the page shows.
func (u *UI) exportReport(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpGenerateReport) {
		return
	}
	res, err := u.generate(r.Context(), reportForm(r.URL.Query()))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.sendReportCSV(w, r, res, strings.ToLower(string(res.Kind))+"-"+string(res.Request.From)+"-"+string(res.Request.To))
}

// exportReportRun streams a stored run as CSV, as it was stored.
func (u *UI) exportReportRun(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpReportRun) {
		return
	}
	run, err := u.api.reports.ReportRun(r.Context(), idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.sendReportCSV(w, r, &run.Result, "run-"+run.ID.String())
}

func (u *UI) sendReportCSV(w http.ResponseWriter, r *http.Request, res *reports.Result, name string) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="report-`+safeFileName(name)+`.csv"`)
	h.Set("Cache-Control", "no-store")
	if err := writeReportCSV(w, res); err != nil {
		// The result is in memory: only the connection can fail here.
		return
	}
}

// safeFileName keeps letters, digits and dashes.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}
