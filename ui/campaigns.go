package ui

// Email campaigns (issue 17, docs/EMAIL.md): the list with headline rates,
// a campaign's page (its status and buttons, the audience builder with its
// live count, the content editor with the draft engine, the preview at
// desktop and phone widths, the test email) and its analytics. Every
// handler calls the campaignsAPI operations (graph.Ops), which check the
// permission the schema declares: staff may draft, managers send.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/campaign"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// campaignsAPI is the campaigns area.
type campaignsAPI interface {
	Campaigns(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.CampaignOrder, where *ent.CampaignWhereInput, list ...graph.List) (*ent.CampaignConnection, error)
	Campaign(ctx context.Context, id pulid.ID) (*ent.Campaign, error)
	CampaignAnalytics(ctx context.Context, id pulid.ID) (*graph.CampaignAnalytics, error)
	AudiencePreview(ctx context.Context, filter graph.CampaignAudienceInput, sampleSize *int) (*graph.AudiencePreview, error)
	PreviewCampaign(ctx context.Context, id pulid.ID, contactID pulid.ID) (*graph.CampaignPreview, error)
	CampaignTemplates(ctx context.Context) ([]*graph.CampaignTemplate, error)
	CreateCampaign(ctx context.Context, input graph.CampaignInput) (*ent.Campaign, error)
	UpdateCampaign(ctx context.Context, id pulid.ID, input graph.CampaignInput) (*ent.Campaign, error)
	GenerateCampaignDraft(ctx context.Context, input graph.CampaignDraftInput) (*graph.CampaignDraft, error)
	ScheduleCampaign(ctx context.Context, id pulid.ID, at *time.Time, local *string) (*ent.Campaign, error)
	SendCampaign(ctx context.Context, id pulid.ID) (*ent.Campaign, error)
	PauseCampaign(ctx context.Context, id pulid.ID) (*ent.Campaign, error)
	ResumeCampaign(ctx context.Context, id pulid.ID) (*ent.Campaign, error)
	CancelCampaign(ctx context.Context, id pulid.ID) (*ent.Campaign, error)
	SendTestEmail(ctx context.Context, id pulid.ID, to *string, contactID *pulid.ID) (*graph.TestEmailResult, error)
	EmailSettings(ctx context.Context) (*graph.EmailSettings, error)
	Services(ctx context.Context, after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ServiceOrder, where *ent.ServiceWhereInput, list ...graph.List) (*ent.ServiceConnection, error)
}

// campaignsListLength is how many campaigns the list shows (newest first).
const campaignsListLength = 100

// audienceSample is how many eligible contacts the builder shows, and the
// preview offers to render the campaign for.
const audienceSample = 10

func (u *UI) campaignRoutes(r chi.Router) {
	r.Get("/campaigns", u.campaignsList)
	r.Post("/campaigns", u.createCampaign)
	r.Get("/campaigns/{id}", u.campaignPage)
	r.Post("/campaigns/{id}", u.updateCampaign)
	r.Post("/campaigns/{id}/draft", u.draftCampaign)
	r.Get("/campaigns/{id}/audience", u.campaignAudience)
	r.Get("/campaigns/{id}/preview", u.campaignPreview)
	r.Get("/campaigns/{id}/preview.html", u.campaignPreviewHTML)
	r.Post("/campaigns/{id}/test", u.sendTestEmail)
	r.Post("/campaigns/{id}/schedule", u.scheduleCampaign)
	r.Get("/campaigns/{id}/send", u.sendCampaign)
	r.Post("/campaigns/{id}/send", u.sendCampaign)
	r.Post("/campaigns/{id}/pause", u.pauseCampaign)
	r.Post("/campaigns/{id}/resume", u.resumeCampaign)
	r.Get("/campaigns/{id}/cancel", u.cancelCampaign)
	r.Post("/campaigns/{id}/cancel", u.cancelCampaign)
	r.Get("/campaigns/{id}/analytics", u.campaignAnalytics)
}

// campaignsList lists the campaigns with their headline rates.
func (u *UI) campaignsList(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCampaigns) {
		return
	}
	u.showCampaigns(w, r, http.StatusOK, views.CampaignNew{Errors: views.FieldErrors{}})
}

func (u *UI) showCampaigns(w http.ResponseWriter, r *http.Request, status int, form views.CampaignNew) {
	ctx := r.Context()
	p, err := u.page(ctx, r, "Campaigns", "campaigns")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	conn, err := u.api.campaigns.Campaigns(ctx, nil, ptr(campaignsListLength), nil, nil,
		&ent.CampaignOrder{Direction: entgql.OrderDirectionDesc, Field: ent.CampaignOrderFieldCreatedAt}, nil)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.CampaignsPage{CanCreate: u.allowed(ctx, graph.OpCreateCampaign), New: form}
	es, err := u.api.campaigns.EmailSettings(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.Sending = views.SendingView{Provider: es.Provider, From: es.From, Rate: es.RatePerMinute, Quota: es.DailyQuota, SentToday: es.SentLast24h}
	for _, e := range conn.Edges {
		c := e.Node
		row := views.CampaignRow{ID: c.ID.String(), Name: c.Name, Status: string(c.Status), StatusNote: c.StatusNote,
			Scheduled: c.ScheduledAt, Started: c.StartedAt, Recipients: c.RecipientCount}
		if c.RecipientCount > 0 {
			a, err := u.api.campaigns.CampaignAnalytics(ctx, c.ID)
			if err != nil {
				u.fail(w, r, err)
				return
			}
			s := statsView(a.Stats)
			row.Sent, row.Opened, row.Clicked, row.Unsubscribed = s.Sent, s.Opened, s.Clicked, s.Unsubscribed
			row.OpenRate, row.ClickRate = s.OpenRate, s.ClickRate
		}
		d.Rows = append(d.Rows, row)
	}
	renderStatus(w, r, status, views.CampaignsListView(p, d))
}

// createCampaign starts a draft and opens it.
func (u *UI) createCampaign(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateCampaign) || !u.parseForm(w, r) {
		return
	}
	form := views.CampaignNew{Name: trim(r.PostFormValue("name")), Goal: trim(r.PostFormValue("goal")), Errors: views.FieldErrors{}}
	c, err := u.api.campaigns.CreateCampaign(r.Context(), graph.CampaignInput{Name: &form.Name, Goal: &form.Goal})
	next := done{Path: "/campaigns", Key: "campaign-created"}
	if err == nil {
		next.Path = "/campaigns/" + c.ID.String()
	}
	u.finish(w, r, err, next, named("name", "goal"), "", func(errs views.FieldErrors, status int) {
		form.Errors = errs
		u.showCampaigns(w, r, status, form)
	})
}

// campaignPage is a campaign's page; ?contact= and ?width= choose the
// preview (the links that work without script).
func (u *UI) campaignPage(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCampaign) {
		return
	}
	q := r.URL.Query()
	u.showCampaign(w, r, http.StatusOK, nil, q.Get("contact"), q.Get("width"), nil)
}

// showCampaign renders a campaign's page with status. form, when set, is
// the editor as posted (a refused save, or a draft to review); edit may
// change the page further (an error beside a button's field).
func (u *UI) showCampaign(w http.ResponseWriter, r *http.Request, status int, form *views.CampaignForm, contactID, width string, edit func(*views.CampaignPage)) {
	ctx := r.Context()
	c, err := u.api.campaigns.Campaign(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, err := u.page(ctx, r, c.Name, "campaigns")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d, err := u.campaignData(ctx, p, c, form, contactID, width)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if edit != nil {
		edit(&d)
	}
	renderStatus(w, r, status, views.CampaignView(p, d))
}

// campaignData gathers a campaign's page.
func (u *UI) campaignData(ctx context.Context, p views.Page, c *ent.Campaign, form *views.CampaignForm, contactID, width string) (views.CampaignPage, error) {
	st := c.Status
	editable := st == campaign.StatusDraft || st == campaign.StatusScheduled || st == campaign.StatusPaused
	d := views.CampaignPage{ID: c.ID.String(), Name: c.Name, Status: string(st), StatusNote: c.StatusNote,
		Scheduled: c.ScheduledAt, Started: c.StartedAt, Finished: c.FinishedAt, Recipients: c.RecipientCount,
		Editable: editable, TestTo: p.Me.Email,
		CanUpdate:   editable && u.allowed(ctx, graph.OpUpdateCampaign),
		CanSchedule: (st == campaign.StatusDraft || st == campaign.StatusScheduled || st == campaign.StatusPaused) && u.allowed(ctx, graph.OpScheduleCampaign),
		CanSend:     (st == campaign.StatusDraft || st == campaign.StatusScheduled) && u.allowed(ctx, graph.OpSendCampaign),
		CanPause:    (st == campaign.StatusSending || st == campaign.StatusScheduled) && u.allowed(ctx, graph.OpPauseCampaign),
		CanResume:   st == campaign.StatusPaused && u.allowed(ctx, graph.OpResumeCampaign),
		CanCancel:   (st == campaign.StatusScheduled || st == campaign.StatusSending || st == campaign.StatusPaused) && u.allowed(ctx, graph.OpCancelCampaign),
		CanTest:     u.allowed(ctx, graph.OpSendTestEmail),
	}
	d.CanDraft = d.CanUpdate && u.allowed(ctx, graph.OpGenerateCampaignDraft)
	if c.ScheduledAt != nil {
		d.ScheduleLocal = c.ScheduledAt.In(p.Me.TZ).Format(localMinute)
	} else {
		d.ScheduleLocal = u.opts.Now.Now().In(p.Me.TZ).Add(time.Hour).Truncate(time.Hour).Format(localMinute)
	}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = campaignForm(c, p.Me.TZ)
	}
	if d.Form.Errors == nil {
		d.Form.Errors = views.FieldErrors{}
	}
	d.Draft = views.DraftForm{Goal: d.Form.Goal, Tone: "friendly"}
	var err error
	if d.Options, err = u.audienceOptions(ctx, p); err != nil {
		return d, err
	}
	if d.CanDraft {
		ts, err := u.api.campaigns.CampaignTemplates(ctx)
		if err != nil {
			return d, err
		}
		for _, t := range ts {
			d.Draft.Templates = append(d.Draft.Templates, views.Option{Value: t.Key, Label: t.Title})
		}
	}
	if d.Recipients > 0 {
		a, err := u.api.campaigns.CampaignAnalytics(ctx, c.ID)
		if err != nil {
			return d, err
		}
		d.Stats = statsView(a.Stats)
	}
	// The audience as saved: the builder's count, and the contacts the
	// preview offers.
	saved := audienceInput(c.Audience)
	d.Audience = u.audienceView(ctx, saved)
	if form != nil {
		if in, err := audienceFromForm(form.Audience, p.Me.TZ); err == nil {
			d.Audience = u.audienceView(ctx, in)
		}
	}
	d.Preview, err = u.previewView(ctx, c, saved, contactID, width)
	return d, err
}

// localMinute is the layout of a datetime-local input.
const localMinute = "2006-01-02T15:04"

// campaignForm is the editor's form for a saved campaign.
func campaignForm(c *ent.Campaign, tz *time.Location) views.CampaignForm {
	f := views.CampaignForm{Name: c.Name, Goal: c.Goal, Subject: c.Subject, FromName: c.FromName, FromAddress: c.FromAddress,
		HTML: c.HTMLBody, Text: c.TextBody, Errors: views.FieldErrors{}}
	if a := c.Audience; a != nil {
		f.Audience = views.AudienceFilter{Stages: a.Stages, Pipelines: a.Pipelines, Sources: a.Sources, Tags: strings.Join(a.Tags, ", "),
			NeverBooked: a.NeverBooked}
		if a.WarmnessMin != nil {
			f.Audience.WarmnessMin = strconv.Itoa(*a.WarmnessMin)
		}
		if a.WarmnessMax != nil {
			f.Audience.WarmnessMax = strconv.Itoa(*a.WarmnessMax)
		}
		if a.LastBookingBefore != nil {
			f.Audience.LastBookingBefore = a.LastBookingBefore.In(tz).Format(time.DateOnly)
		}
		if a.LastBookingAfter != nil {
			f.Audience.LastBookingAfter = a.LastBookingAfter.In(tz).Format(time.DateOnly)
		}
		for _, id := range a.ServiceIDs {
			f.Audience.ServiceIDs = append(f.Audience.ServiceIDs, id.String())
		}
		if a.LocationID != nil {
			f.Audience.Location = a.LocationID.String()
		}
	}
	return f
}

// audienceInput is a saved audience as the preview's filter.
func audienceInput(a *types.CampaignAudience) graph.CampaignAudienceInput {
	if a == nil {
		return graph.CampaignAudienceInput{}
	}
	in := graph.CampaignAudienceInput{Stages: a.Stages, Pipelines: a.Pipelines, Sources: a.Sources,
		WarmnessMin: a.WarmnessMin, WarmnessMax: a.WarmnessMax, LastBookingBefore: a.LastBookingBefore,
		LastBookingAfter: a.LastBookingAfter, ServiceIDs: a.ServiceIDs, Tags: a.Tags, LocationID: a.LocationID}
	if a.NeverBooked {
		in.NeverBooked = ptr(true)
	}
	return in
}

// audienceOptions are the builder's choices: the lists of the contact
// schema, the location's active services, the viewer's locations.
func (u *UI) audienceOptions(ctx context.Context, p views.Page) (views.AudienceOptions, error) {
	o := views.AudienceOptions{Stages: options(schema.Stages), Pipelines: options(schema.Pipelines), Sources: options(schema.LeadSources)}
	conn, err := u.api.campaigns.Services(ctx, nil, ptr(200), nil, nil,
		&ent.ServiceOrder{Direction: entgql.OrderDirectionAsc, Field: ent.ServiceOrderFieldName}, nil)
	if err != nil {
		return o, err
	}
	for _, e := range conn.Edges {
		o.Services = append(o.Services, views.Option{Value: e.Node.ID.String(), Label: e.Node.Name})
	}
	o.Locations = []views.Option{{Value: "", Label: p.Me.LocationName + " (this location)"}}
	for _, l := range p.Me.Locations {
		if l.ID != p.Me.LocationID {
			o.Locations = append(o.Locations, views.Option{Value: l.ID, Label: l.Name})
		}
	}
	return o, nil
}

// audienceFilter reads the builder's fields from a form or query.
func audienceFilter(v url.Values) views.AudienceFilter {
	return views.AudienceFilter{
		Stages: v["stages"], Pipelines: v["pipelines"], Sources: v["sources"], ServiceIDs: v["serviceIDs"],
		WarmnessMin: trim(v.Get("warmnessMin")), WarmnessMax: trim(v.Get("warmnessMax")),
		LastBookingBefore: trim(v.Get("lastBookingBefore")), LastBookingAfter: trim(v.Get("lastBookingAfter")),
		NeverBooked: v.Get("neverBooked") == "true", Tags: v.Get("tags"), Location: v.Get("locationID"),
	}
}

// audienceFromForm turns the builder's fields into the operations' filter:
// dates are local midnights in the location's zone. A number or date that
// is not one is INVALID naming its field.
func audienceFromForm(f views.AudienceFilter, tz *time.Location) (graph.CampaignAudienceInput, error) {
	in := graph.CampaignAudienceInput{Stages: f.Stages, Pipelines: f.Pipelines, Sources: f.Sources}
	num := func(field, s string) (*int, error) {
		if s == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, apperr.Invalidf(field, "Enter a whole number from 0 to 100.")
		}
		return &n, nil
	}
	day := func(field, s string) (*time.Time, error) {
		if s == "" {
			return nil, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, s, tz)
		if err != nil {
			return nil, apperr.Invalidf(field, "Enter a date (YYYY-MM-DD).")
		}
		return &t, nil
	}
	var err error
	if in.WarmnessMin, err = num("warmnessMin", f.WarmnessMin); err != nil {
		return in, err
	}
	if in.WarmnessMax, err = num("warmnessMax", f.WarmnessMax); err != nil {
		return in, err
	}
	if in.LastBookingBefore, err = day("lastBookingBefore", f.LastBookingBefore); err != nil {
		return in, err
	}
	if in.LastBookingAfter, err = day("lastBookingAfter", f.LastBookingAfter); err != nil {
		return in, err
	}
	if f.NeverBooked {
		in.NeverBooked = ptr(true)
	}
	for _, id := range f.ServiceIDs {
		if id != "" {
			in.ServiceIDs = append(in.ServiceIDs, pulid.ID(id))
		}
	}
	for _, t := range strings.Split(f.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			in.Tags = append(in.Tags, t)
		}
	}
	if f.Location != "" {
		id := pulid.ID(f.Location)
		in.LocationID = &id
	}
	return in, nil
}

// audienceView asks for the filter's live count, sample and exclusions; a
// refused filter says why in the view.
func (u *UI) audienceView(ctx context.Context, in graph.CampaignAudienceInput) views.AudienceView {
	a, err := u.api.campaigns.AudiencePreview(ctx, in, ptr(audienceSample))
	if err != nil {
		return views.AudienceView{Error: sentence(apperr.From(err).Message)}
	}
	v := views.AudienceView{Matched: a.Matched, Eligible: a.Eligible}
	for _, c := range a.Sample {
		row := views.AudienceContact{ID: c.ID.String(), Name: contactName(c), Stage: string(c.Stage), Warmness: c.Warmness}
		if c.Email != nil {
			row.Email = *c.Email
		}
		v.Sample = append(v.Sample, row)
	}
	for _, x := range a.Excluded {
		v.Excluded = append(v.Excluded, views.Exclusion{Reason: x.Reason, Label: x.Label, Count: x.Count})
	}
	return v
}

// campaignAudience answers the builder's live count as its fields change.
func (u *UI) campaignAudience(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpAudiencePreview) {
		return
	}
	me, err := u.api.layout.Me(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	tz, err := time.LoadLocation(me.Location.Timezone)
	if err != nil {
		tz = time.UTC
	}
	in, err := audienceFromForm(audienceFilter(r.URL.Query()), tz)
	if err != nil {
		render(w, r, views.AudienceResult(views.AudienceView{Error: sentence(apperr.From(err).Message)}))
		return
	}
	render(w, r, views.AudienceResult(u.audienceView(r.Context(), in)))
}

// previewView renders the campaign for a contact of its audience (the
// chosen one, else the first of the sample) at a width.
func (u *UI) previewView(ctx context.Context, c *ent.Campaign, audience graph.CampaignAudienceInput, contactID, width string) (views.PreviewView, error) {
	pv := views.PreviewView{CampaignID: c.ID.String(), ContactID: contactID, Width: "desktop"}
	if width == "phone" {
		pv.Width = "phone"
	}
	a, err := u.api.campaigns.AudiencePreview(ctx, audience, ptr(audienceSample))
	if err == nil {
		for _, ct := range a.Sample {
			pv.Contacts = append(pv.Contacts, views.Option{Value: ct.ID.String(), Label: contactName(ct)})
		}
	}
	if pv.ContactID == "" && len(pv.Contacts) > 0 {
		pv.ContactID = pv.Contacts[0].Value
	}
	if pv.ContactID == "" {
		return pv, nil
	}
	if !hasOption(pv.Contacts, pv.ContactID) {
		// A contact chosen by link, outside the sample: named by its ID.
		pv.Contacts = append(pv.Contacts, views.Option{Value: pv.ContactID, Label: pv.ContactID})
	}
	out, err := u.api.campaigns.PreviewCampaign(ctx, c.ID, pulid.ID(pv.ContactID))
	if err != nil {
		code := apperr.CodeOf(err)
		if code == apperr.Invalid || code == apperr.NotFound {
			pv.Error = sentence(apperr.From(err).Message)
			return pv, nil
		}
		return pv, err
	}
	pv.To, pv.From, pv.Subject, pv.Text = out.To, out.From, out.Subject, out.Text
	return pv, nil
}

func hasOption(opts []views.Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// campaignPreview answers the preview's contact and width choices (htmx).
func (u *UI) campaignPreview(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpPreviewCampaign) {
		return
	}
	q := r.URL.Query()
	if r.Header.Get("HX-Request") == "" {
		http.Redirect(w, r, "/campaigns/"+idParam(r).String()+"?"+url.Values{"contact": {q.Get("contact")}, "width": {q.Get("width")}}.Encode()+"#preview-panel", http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	c, err := u.api.campaigns.Campaign(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	pv, err := u.previewView(ctx, c, audienceInput(c.Audience), q.Get("contact"), q.Get("width"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.PreviewPanel(pv))
}

// previewCSP is the rendered email's policy in the preview frame: no
// script at all, the email's own inline styles and images, and framing by
// this site only (every other page refuses to be framed).
const previewCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox"

// campaignPreviewHTML is the preview frame's document: the HTML part as
// the contact would get it (tracking off), sandboxed.
func (u *UI) campaignPreviewHTML(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpPreviewCampaign) {
		return
	}
	out, err := u.api.campaigns.PreviewCampaign(r.Context(), idParam(r), pulid.ID(r.URL.Query().Get("contact")))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", previewCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(out.HTML))
}

// editorForm reads the editor's fields as posted.
func editorForm(r *http.Request) views.CampaignForm {
	return views.CampaignForm{
		Name: trim(r.PostFormValue("name")), Goal: trim(r.PostFormValue("goal")),
		Subject: r.PostFormValue("subject"), FromName: trim(r.PostFormValue("fromName")), FromAddress: trim(r.PostFormValue("fromAddress")),
		HTML: r.PostFormValue("htmlBody"), Text: r.PostFormValue("textBody"),
		Audience: audienceFilter(r.PostForm), Errors: views.FieldErrors{},
	}
}

// campaignFields maps the fields an error names (the API's, or ent's
// column names from a hook) to the editor's inputs.
var campaignFields = func() inputs {
	in := named("name", "goal", "subject", "htmlBody", "textBody", "fromName", "fromAddress",
		"audience", "warmnessMin", "warmnessMax", "lastBookingBefore", "lastBookingAfter", "tags", "locationID")
	in["html_body"], in["text_body"], in["from_name"], in["from_address"] = "htmlBody", "textBody", "fromName", "fromAddress"
	return in
}()

// updateCampaign saves the editor; a refused field (a template with an
// unknown variable, say) shows beside it with everything as typed.
func (u *UI) updateCampaign(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUpdateCampaign) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	f := editorForm(r)
	tz := u.zone(ctx)
	aud, err := audienceFromForm(f.Audience, tz)
	if err == nil {
		_, err = u.api.campaigns.UpdateCampaign(ctx, id, graph.CampaignInput{Name: &f.Name, Goal: &f.Goal, Audience: &aud,
			Subject: &f.Subject, HTMLBody: &f.HTML, TextBody: &f.Text, FromName: &f.FromName, FromAddress: &f.FromAddress})
	}
	u.finish(w, r, err, done{Path: "/campaigns/" + id.String(), Key: "campaign-saved"}, campaignFields, "", func(errs views.FieldErrors, status int) {
		f.Errors = errs
		u.showCampaign(w, r, status, &f, "", "", nil)
	})
}

// zone is the active location's time zone (UTC if it cannot be read).
func (u *UI) zone(ctx context.Context) *time.Location {
	me, err := u.api.layout.Me(ctx)
	if err != nil {
		return time.UTC
	}
	tz, err := time.LoadLocation(me.Location.Timezone)
	if err != nil {
		return time.UTC
	}
	return tz
}

// draftCampaign asks the draft engine for a subject and bodies from the
// editor's goal and the draft options, and shows the editor with them
// filled in (and every other field as typed) to review and save. Nothing
// is saved.
func (u *UI) draftCampaign(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpGenerateCampaignDraft) || !u.parseForm(w, r) {
		return
	}
	f := editorForm(r)
	dr := views.DraftForm{Goal: f.Goal, Template: r.PostFormValue("draftTemplate"), Tone: r.PostFormValue("draftTone"), ServiceID: r.PostFormValue("draftService"),
		BookingURL: trim(r.PostFormValue("draftBookingURL"))}
	in := graph.CampaignDraftInput{Goal: f.Goal}
	if dr.Template != "" {
		in.Template = &dr.Template
	}
	if dr.Tone != "" {
		in.Tone = &dr.Tone
	}
	if dr.ServiceID != "" {
		sid := pulid.ID(dr.ServiceID)
		in.ServiceID = &sid
	}
	if dr.BookingURL != "" {
		in.BookingURL = &dr.BookingURL
	}
	out, err := u.api.campaigns.GenerateCampaignDraft(r.Context(), in)
	status := http.StatusOK
	if err != nil {
		ae := apperr.From(err)
		if ae.Code != apperr.Invalid && ae.Code != apperr.NotFound {
			u.fail(w, r, err)
			return
		}
		status = http.StatusUnprocessableEntity
		dr.Error = sentence(ae.Message)
	} else {
		f.Subject, f.HTML, f.Text = out.Subject, out.HTMLBody, out.TextBody
		dr.Engine = out.Engine
		if dr.Engine == "builtin" {
			dr.Engine = "built-in"
		}
		if out.Fallback != nil {
			dr.Fallback = *out.Fallback
		}
		if dr.Template == "" {
			dr.Template = out.Template
		}
	}
	u.showCampaign(w, r, status, &f, "", "", func(d *views.CampaignPage) {
		templates := d.Draft.Templates
		d.Draft = dr
		d.Draft.Templates = templates
	})
}

// sendTestEmail sends the campaign, rendered for the preview's contact, to
// the address given (the viewer's own by default).
func (u *UI) sendTestEmail(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSendTestEmail) || !u.parseForm(w, r) {
		return
	}
	id := idParam(r)
	var to *string
	if t := trim(r.PostFormValue("to")); t != "" {
		to = &t
	}
	var contactID *pulid.ID
	if c := r.PostFormValue("contact"); c != "" {
		cid := pulid.ID(c)
		contactID = &cid
	}
	_, err := u.api.campaigns.SendTestEmail(r.Context(), id, to, contactID)
	u.finish(w, r, err, done{Path: "/campaigns/" + id.String(), Key: "campaign-test-sent"}, inputs{"to": "to", "contactID": "to"}, "", func(errs views.FieldErrors, status int) {
		u.showCampaign(w, r, status, nil, r.PostFormValue("contact"), "", func(d *views.CampaignPage) {
			if to != nil {
				d.TestTo = *to
			}
			d.TestError = errs.Get("to") + errs.Get("")
		})
	})
}

// scheduleCampaign schedules the campaign at a time in the location's zone.
func (u *UI) scheduleCampaign(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpScheduleCampaign) || !u.parseForm(w, r) {
		return
	}
	id := idParam(r)
	at := trim(r.PostFormValue("at"))
	var err error
	if at == "" {
		err = apperr.Invalidf("local", "Choose the date and time to send at.")
	} else {
		_, err = u.api.campaigns.ScheduleCampaign(r.Context(), id, nil, &at)
	}
	u.finish(w, r, err, done{Path: "/campaigns/" + id.String(), Key: "campaign-scheduled"}, inputs{"local": "at", "at": "at"}, "", func(errs views.FieldErrors, status int) {
		u.showCampaign(w, r, status, nil, "", "", func(d *views.CampaignPage) {
			d.ScheduleLocal = at
			d.ScheduleError = errs.Get("at") + errs.Get("")
		})
	})
}

// sendCampaign starts sending now, after a confirmation.
func (u *UI) sendCampaign(w http.ResponseWriter, r *http.Request) {
	u.campaignAction(w, r, graph.OpSendCampaign, u.api.campaigns.SendCampaign, "campaign-sending",
		func(c *ent.Campaign, eligible int) *views.Confirm {
			return &views.Confirm{Title: "Send “" + c.Name + "” now?",
				Message: "It goes to the " + strconv.Itoa(eligible) + " contacts of its audience who agreed to marketing email, at the configured rate. You can pause or cancel it while it sends.",
				Button:  "Send now"}
		})
}

// pauseCampaign stops sending after the emails in flight.
func (u *UI) pauseCampaign(w http.ResponseWriter, r *http.Request) {
	u.campaignAction(w, r, graph.OpPauseCampaign, u.api.campaigns.PauseCampaign, "campaign-paused", nil)
}

// resumeCampaign goes on sending a paused campaign.
func (u *UI) resumeCampaign(w http.ResponseWriter, r *http.Request) {
	u.campaignAction(w, r, graph.OpResumeCampaign, u.api.campaigns.ResumeCampaign, "campaign-resumed", nil)
}

// cancelCampaign stops a campaign for good, after a confirmation.
func (u *UI) cancelCampaign(w http.ResponseWriter, r *http.Request) {
	u.campaignAction(w, r, graph.OpCancelCampaign, u.api.campaigns.CancelCampaign, "campaign-cancelled",
		func(c *ent.Campaign, _ int) *views.Confirm {
			return &views.Confirm{Title: "Cancel “" + c.Name + "”?",
				Message: "Nobody else gets it: the recipients not yet sent are left out for good. Emails already sent stay sent. This cannot be undone.",
				Button:  "Cancel campaign"}
		})
}

// campaignAction runs a status change: at once (ask nil), or after a
// confirmation page that posts again with confirm=yes.
func (u *UI) campaignAction(w http.ResponseWriter, r *http.Request, op graph.Op, run func(context.Context, pulid.ID) (*ent.Campaign, error), key string, ask func(*ent.Campaign, int) *views.Confirm) {
	if !u.may(w, r, op) || (r.Method == http.MethodPost && !u.parseForm(w, r)) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	next := done{Path: "/campaigns/" + id.String(), Key: key}
	if ask == nil || confirmed(r) {
		_, err := run(ctx, id)
		u.finish(w, r, err, next, nil, "", nil)
		return
	}
	c, err := u.api.campaigns.Campaign(ctx, id)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, err := u.page(ctx, r, c.Name, "campaigns")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	eligible := 0
	if a, err := u.api.campaigns.AudiencePreview(ctx, audienceInput(c.Audience), ptr(1)); err == nil {
		eligible = a.Eligible
	}
	cf := ask(c, eligible)
	cf.Action, cf.Cancel = r.URL.Path, next.Path
	p.Title = cf.Title
	render(w, r, views.ConfirmPage(p, *cf))
}

// campaignAnalytics is a campaign's analytics page.
func (u *UI) campaignAnalytics(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCampaignAnalytics) {
		return
	}
	ctx := r.Context()
	c, err := u.api.campaigns.Campaign(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	a, err := u.api.campaigns.CampaignAnalytics(ctx, c.ID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p, err := u.page(ctx, r, c.Name+": analytics", "campaigns")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.CampaignAnalyticsView(p, analyticsView(c, a, p.Me.TZ)))
}

// analyticsView lays out the analytics: the figures, the links and the
// activity per bucket, drawn as a chart of the running totals.
func analyticsView(c *ent.Campaign, a *graph.CampaignAnalytics, tz *time.Location) views.AnalyticsPage {
	d := views.AnalyticsPage{ID: c.ID.String(), Name: c.Name, Status: string(c.Status), Stats: statsView(a.Stats), Bucket: a.Bucket}
	if d.Bucket == "" {
		d.Bucket = "day"
	}
	for _, l := range a.Links {
		d.Links = append(d.Links, views.LinkRow{Index: l.Index, URL: l.URL, Clicks: l.Clicks, Unique: l.UniqueClicks})
	}
	layout := "Mon 2 Jan"
	if d.Bucket == "hour" {
		layout = "Mon 2 Jan 15:04"
	}
	labels := make([]string, 0, len(a.Series))
	var sent, opens, clicks []int
	var ts, to, tc int
	for _, s := range a.Series {
		label := s.At.In(tz).Format(layout)
		labels = append(labels, label)
		d.Series = append(d.Series, views.SeriesRow{Label: label, Sent: s.Sent, Opens: s.Opens, Clicks: s.Clicks, Unsubscribes: s.Unsubscribes, Bounces: s.Bounces})
		ts, to, tc = ts+s.Sent, to+s.Opens, tc+s.Clicks
		sent, opens, clicks = append(sent, ts), append(opens, to), append(clicks, tc)
	}
	d.Chart = views.NewLineChart("Running totals of emails sent, opens and clicks per "+d.Bucket, labels, []views.ChartSeries{
		{Name: "Sent", Class: "chart-sent", Values: sent},
		{Name: "Opens", Class: "chart-opens", Values: opens},
		{Name: "Clicks", Class: "chart-clicks", Values: clicks},
	}, 720, 240)
	return d
}

// statsView copies a campaign's counts and rates.
func statsView(s *graph.CampaignStats) views.StatsView {
	if s == nil {
		return views.StatsView{}
	}
	return views.StatsView{Recipients: s.Recipients, Queued: s.Queued, Sent: s.Sent, Delivered: s.Delivered, Bounced: s.Bounced,
		Failed: s.Failed, Suppressed: s.Suppressed, Opened: s.Opened, Opens: s.Opens, Clicked: s.Clicked, Clicks: s.Clicks,
		Unsubscribed: s.Unsubscribed, DeliveryRate: s.DeliveryRate, OpenRate: s.OpenRate, ClickRate: s.ClickRate,
		BounceRate: s.BounceRate, UnsubscribeRate: s.UnsubscribeRate}
}
