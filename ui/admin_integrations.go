package ui

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/webhookevent"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// The integrations pages (issue 16): /admin/integrations (endpoints, Wix
// service mappings, the Wix sync, staff alerts) and
// /admin/integrations/events (stored webhook events, their processing
// history, replay).

func (u *UI) integrationRoutes(r chi.Router) {
	r.Get("/admin/integrations", u.adminIntegrations)
	r.Post("/admin/integrations/wix-services", u.setWixService)
	r.Get("/admin/integrations/wix-services/{id}/remove", u.removeWixService)
	r.Post("/admin/integrations/wix-services/{id}/remove", u.removeWixService)
	r.Post("/admin/integrations/wix-sync", u.syncWix)
	r.Get("/admin/integrations/events", u.webhookEvents)
	r.Get("/admin/integrations/events/{id}", u.webhookEvent)
	r.Post("/admin/integrations/events/{id}/replay", u.replayWebhookEvent)
}

const eventsPageSize = 50

var webhookSources = []string{"wix", "manychat", "clicksend"}

// webhookEvents lists the stored events, newest first, with filters.
func (u *UI) webhookEvents(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Webhook events", graph.OpWebhookEvents)
	if !ok {
		return
	}
	qs := r.URL.Query()
	d := views.WebhookEventsPage{Source: qs.Get("source"), Status: qs.Get("status"), Sources: webhookSources}
	d.Statuses = []string{"received", "processed", "failed", "ignored", "dead", "rejected"}
	where := &graph.WebhookEventsWhere{}
	if d.Source != "" {
		where.Source = &d.Source
	}
	if d.Status != "" {
		st := webhookevent.Status(d.Status)
		where.Status = &st
	}
	if b, err := time.Parse(time.RFC3339Nano, qs.Get("before")); err == nil {
		where.Before = &b
	}
	evs, err := u.api.inbound.WebhookEvents(r.Context(), where, ptr(eventsPageSize))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	for _, ev := range evs {
		d.Rows = append(d.Rows, webhookRow(ev))
	}
	if len(evs) == eventsPageSize {
		v := url.Values{}
		for _, k := range []string{"source", "status"} {
			if x := qs.Get(k); x != "" {
				v.Set(k, x)
			}
		}
		v.Set("before", evs[len(evs)-1].ReceivedAt.UTC().Format(time.RFC3339Nano))
		d.Older = "/admin/integrations/events?" + v.Encode()
	}
	render(w, r, views.WebhookEventsPageView(p, d))
}

func webhookRow(ev *ent.WebhookEvent) views.WebhookEventRow {
	return views.WebhookEventRow{
		ID: ev.ID.String(), Source: ev.Source, Kind: ev.Kind, EventType: ev.EventType, EventID: ev.EventID,
		Status: string(ev.Status), LastError: ev.LastError, Received: ev.ReceivedAt, Attempts: ev.Attempts, Duplicates: ev.Duplicates,
	}
}

// webhookEvent shows one event: payload, history, the replay button.
func (u *UI) webhookEvent(w http.ResponseWriter, r *http.Request) {
	u.showEvent(w, r, http.StatusOK, "")
}

func (u *UI) showEvent(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p, ok := u.adminPage(w, r, "Webhook event", graph.OpWebhookEvent)
	if !ok {
		return
	}
	ev, err := u.api.inbound.WebhookEvent(r.Context(), idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.WebhookEventPage{Row: webhookRow(ev), Payload: ev.Payload, Processed: ev.ProcessedAt,
		CanReplay:  u.allowed(r.Context(), graph.OpReplayWebhookEvent),
		Replayable: ev.Status != webhookevent.StatusRejected && ev.Status != webhookevent.StatusReceived, Error: msg}
	for _, h := range ev.History {
		d.History = append(d.History, views.WebhookAttemptRow{At: h.At, Attempt: h.Attempt, Outcome: h.Outcome, Error: h.Error, TookMs: h.TookMs})
	}
	renderStatus(w, r, status, views.WebhookEventPageView(p, d))
}

// replayWebhookEvent posts the replay button: replayWebhookEvent.
func (u *UI) replayWebhookEvent(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpReplayWebhookEvent) || !u.parseForm(w, r) {
		return
	}
	id := idParam(r)
	_, err := u.api.inbound.ReplayWebhookEvent(r.Context(), id)
	if err == nil {
		redirectDone(w, r, "/admin/integrations/events/"+id.String(), "webhook-replayed", nil, "")
		return
	}
	switch apperr.CodeOf(err) {
	case apperr.Invalid, apperr.Conflict:
		u.showEvent(w, r, Status(apperr.CodeOf(err)), sentence(apperr.From(err).Message))
	default:
		u.fail(w, r, err)
	}
}

// adminIntegrations shows the endpoints, the Wix mappings and sync, and
// the staff alerts.
func (u *UI) adminIntegrations(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Integrations", graph.OpInboundSettings)
	if !ok {
		return
	}
	d, err := u.integrationsPage(r.Context(), views.WixServiceForm{}, views.WixSyncForm{})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.IntegrationsPageView(p, d))
}

func (u *UI) integrationsPage(ctx context.Context, form views.WixServiceForm, sync views.WixSyncForm) (views.IntegrationsPage, error) {
	var d views.IntegrationsPage
	st, err := u.api.inbound.InboundSettings(ctx)
	if err != nil {
		return d, err
	}
	d = views.IntegrationsPage{
		WixEnabled: st.WixEnabled, WixSyncEnabled: st.WixSyncEnabled, ManyChatEnabled: st.ManyChatEnabled, SlackEnabled: st.SlackEnabled,
		WixURL: st.WixURL, ManyChatURL: st.ManyChatURL, Form: form, Sync: sync,
		CanEdit: u.allowed(ctx, graph.OpSetWixService),
	}
	names := map[pulid.ID]string{}
	if u.allowed(ctx, graph.OpServices) {
		conn, err := u.api.inbound.Services(ctx, nil, ptr(500), nil, nil, nil, nil)
		if err != nil {
			return d, err
		}
		for _, e := range conn.Edges {
			names[e.Node.ID] = e.Node.Name
			d.Services = append(d.Services, views.ServiceOption{ID: e.Node.ID.String(), Name: e.Node.Name})
		}
	}
	ms, err := u.api.inbound.WixServices(ctx)
	if err != nil {
		return d, err
	}
	for _, m := range ms {
		name := names[m.ServiceID]
		if name == "" {
			name = m.ServiceID.String()
		}
		d.Mappings = append(d.Mappings, views.WixServiceRow{ID: m.ID.String(), WixID: m.WixServiceID, WixName: m.WixName, ServiceID: m.ServiceID.String(), ServiceName: name})
	}
	alerts, err := u.api.inbound.StaffAlerts(ctx, ptr(50))
	if err != nil {
		return d, err
	}
	for _, a := range alerts {
		d.Alerts = append(d.Alerts, views.StaffAlertRow{Created: a.CreatedAt, Topic: a.Topic, Text: a.Text, Status: string(a.Status), Channel: a.Channel, LastError: a.LastError})
	}
	return d, nil
}

func (u *UI) integrationsAgain(w http.ResponseWriter, r *http.Request, status int, form views.WixServiceForm, sync views.WixSyncForm) {
	p, ok := u.adminPage(w, r, "Integrations", graph.OpInboundSettings)
	if !ok {
		return
	}
	p.Error = "Nothing was changed: please check the form."
	d, err := u.integrationsPage(r.Context(), form, sync)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	renderStatus(w, r, status, views.IntegrationsPageView(p, d))
}

// setWixService posts the mapping form: setWixService.
func (u *UI) setWixService(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSetWixService) || !u.parseForm(w, r) {
		return
	}
	form := views.WixServiceForm{WixID: trim(r.PostFormValue("wixServiceID")), WixName: trim(r.PostFormValue("wixName")), ServiceID: trim(r.PostFormValue("serviceID"))}
	_, err := u.api.inbound.SetWixService(r.Context(), graph.WixServiceInput{WixServiceID: form.WixID, WixName: &form.WixName, ServiceID: pulid.ID(form.ServiceID)})
	u.finish(w, r, err, done{Path: "/admin/integrations", Key: "wix-service-saved"}, named("wixServiceID", "wixName", "serviceID"), "", func(errs views.FieldErrors, status int) {
		form.Errors = errs
		u.integrationsAgain(w, r, status, form, views.WixSyncForm{})
	})
}

// removeWixService confirms, then removes a mapping: deleteWixService.
func (u *UI) removeWixService(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpDeleteWixService) || (r.Method == http.MethodPost && !u.parseForm(w, r)) {
		return
	}
	if confirmed(r) {
		if _, err := u.api.inbound.DeleteWixService(r.Context(), idParam(r)); err != nil {
			u.fail(w, r, err)
			return
		}
		redirectDone(w, r, "/admin/integrations", "wix-service-removed", nil, "")
		return
	}
	p, ok := u.adminPage(w, r, "Remove Wix service mapping", graph.OpWixServices)
	if !ok {
		return
	}
	c := views.Confirm{
		Title:   "Remove this Wix service mapping?",
		Message: "Wix bookings of this service will become tasks for staff until it is mapped again.",
		Action:  r.URL.Path, Button: "Remove mapping", Cancel: "/admin/integrations",
	}
	render(w, r, views.ConfirmPage(p, c))
}

// syncWix posts the sync form: syncWix (a job).
func (u *UI) syncWix(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSyncWix) || !u.parseForm(w, r) {
		return
	}
	sync := views.WixSyncForm{Since: trim(r.PostFormValue("since"))}
	d, err := types.ParseDate(sync.Since)
	if err != nil {
		sync.Errors = views.FieldErrors{"since": "Use a date such as 2026-03-01."}
		u.integrationsAgain(w, r, http.StatusUnprocessableEntity, views.WixServiceForm{}, sync)
		return
	}
	_, err = u.api.inbound.SyncWix(r.Context(), d)
	u.finish(w, r, err, done{Path: "/admin/integrations", Key: "wix-sync-started"}, named("since"), "", func(errs views.FieldErrors, status int) {
		sync.Errors = errs
		u.integrationsAgain(w, r, status, views.WixServiceForm{}, sync)
	})
}
