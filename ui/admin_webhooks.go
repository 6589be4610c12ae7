package ui

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/webhookdelivery"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// webhooksAPI is /admin/webhooks: outbound webhook subscriptions, their
// delivery log, and the website lead form's settings.
type webhooksAPI interface {
	WebhookEventTypes(ctx context.Context) ([]string, error)
	WebhookSubscriptions(ctx context.Context) ([]*ent.WebhookSubscription, error)
	WebhookDeliveries(ctx context.Context, subscriptionID *pulid.ID, status *webhookdelivery.Status, first *int) ([]*ent.WebhookDelivery, error)
	LeadFormSettings(ctx context.Context) (*graph.LeadFormSettings, error)
	CreateWebhookSubscription(ctx context.Context, input graph.CreateWebhookSubscriptionInput) (*graph.WebhookSubscriptionWithSecret, error)
	UpdateWebhookSubscription(ctx context.Context, id pulid.ID, input graph.UpdateWebhookSubscriptionInput) (*ent.WebhookSubscription, error)
	DeleteWebhookSubscription(ctx context.Context, id pulid.ID) (pulid.ID, error)
	RotateWebhookSecret(ctx context.Context, id pulid.ID, graceHours *int) (*graph.WebhookSubscriptionWithSecret, error)
	SendTestWebhook(ctx context.Context, id pulid.ID) (*ent.WebhookDelivery, error)
	UpdateLeadFormSettings(ctx context.Context, origins []string, doubleOptIn *bool) (*graph.LeadFormSettings, error)
	RotateLeadFormKey(ctx context.Context) (*graph.LeadFormSettings, error)
}

func (u *UI) webhookRoutes(r chi.Router) {
	r.Get("/admin/webhooks", u.adminWebhooks)
	r.Post("/admin/webhooks", u.createWebhook)
	r.Post("/admin/webhooks/{id}/test", u.testWebhook)
	r.Post("/admin/webhooks/{id}/rotate", u.rotateWebhook)
	r.Post("/admin/webhooks/{id}/enabled", u.enableWebhook)
	r.Post("/admin/webhooks/{id}/delete", u.deleteWebhook)
	r.Post("/admin/webhooks/lead-form", u.saveLeadForm)
	r.Post("/admin/webhooks/lead-form/rotate", u.rotateLeadForm)
}

const webhooksTitle = "Webhooks"

func (u *UI) adminWebhooks(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, webhooksTitle, graph.OpWebhookSubscriptions)
	if !ok {
		return
	}
	d, err := u.webhooksPage(r.Context(), views.WebhookForm{}, nil)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.AdminWebhooksPage(p, d))
}

// webhooksPage reads what the page shows; lead carries a lead form
// section kept after an error.
func (u *UI) webhooksPage(ctx context.Context, form views.WebhookForm, lead *views.LeadFormView) (views.WebhooksPage, error) {
	d := views.WebhooksPage{Form: form, CanEdit: u.allowed(ctx, graph.OpCreateWebhookSubscription)}
	if d.Form.Errors == nil {
		d.Form.Errors = views.FieldErrors{}
	}
	var err error
	if d.EventTypes, err = u.api.webhooks.WebhookEventTypes(ctx); err != nil {
		return d, err
	}
	if d.Subs, err = u.api.webhooks.WebhookSubscriptions(ctx); err != nil {
		return d, err
	}
	urls := map[pulid.ID]string{}
	for _, s := range d.Subs {
		urls[s.ID] = s.URL
	}
	ds, err := u.api.webhooks.WebhookDeliveries(ctx, nil, nil, ptr(50))
	if err != nil {
		return d, err
	}
	for _, x := range ds {
		d.Deliveries = append(d.Deliveries, views.WebhookDeliveryRow{D: x, URL: urls[x.SubscriptionID]})
	}
	if lead != nil {
		d.LeadForm = *lead
	}
	if u.allowed(ctx, graph.OpLeadFormSettings) {
		st, err := u.api.webhooks.LeadFormSettings(ctx)
		if err != nil {
			return d, err
		}
		d.LeadForm.URL, d.LeadForm.Snippet = st.URL, st.Snippet
		if lead == nil {
			d.LeadForm.Origins, d.LeadForm.DoubleOptIn = strings.Join(st.Origins, "\n"), st.DoubleOptIn
		}
	}
	if d.LeadForm.Errors == nil {
		d.LeadForm.Errors = views.FieldErrors{}
	}
	return d, nil
}

// showSecret renders the page with a new secret: it is shown once, never
// redirected to.
func (u *UI) showSecret(w http.ResponseWriter, r *http.Request, s *graph.WebhookSubscriptionWithSecret) {
	p, ok := u.adminPage(w, r, webhooksTitle, graph.OpWebhookSubscriptions)
	if !ok {
		return
	}
	d, err := u.webhooksPage(r.Context(), views.WebhookForm{}, nil)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d.NewSecret, d.NewSecretFor = s.Secret, s.Subscription.URL
	w.Header().Set("Cache-Control", "no-store")
	render(w, r, views.AdminWebhooksPage(p, d))
}

func (u *UI) createWebhook(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateWebhookSubscription) || !u.parseForm(w, r) {
		return
	}
	form := views.WebhookForm{URL: trim(r.PostFormValue("url")), Description: trim(r.PostFormValue("description")),
		EventTypes: r.PostForm["eventTypes"], IncludePII: r.PostFormValue("includePii") == "true"}
	in := graph.CreateWebhookSubscriptionInput{URL: form.URL, Description: &form.Description, EventTypes: form.EventTypes, IncludePii: &form.IncludePII}
	if in.EventTypes == nil {
		in.EventTypes = []string{}
	}
	created, err := u.api.webhooks.CreateWebhookSubscription(r.Context(), in)
	if err == nil {
		u.showSecret(w, r, created)
		return
	}
	u.finish(w, r, err, done{}, named("url", "description", "eventTypes", "includePii"), "", func(errs views.FieldErrors, status int) {
		p, ok := u.adminPage(w, r, webhooksTitle, graph.OpWebhookSubscriptions)
		if !ok {
			return
		}
		p.Error = "The subscription was not created: please check the form."
		form.Errors = errs
		d, err := u.webhooksPage(r.Context(), form, nil)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		renderStatus(w, r, status, views.AdminWebhooksPage(p, d))
	})
}

func (u *UI) testWebhook(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSendTestWebhook) {
		return
	}
	_, err := u.api.webhooks.SendTestWebhook(r.Context(), idParam(r))
	u.finish(w, r, err, done{Path: "/admin/webhooks", Key: "webhook-test"}, nil, "", nil)
}

func (u *UI) rotateWebhook(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRotateWebhookSecret) {
		return
	}
	s, err := u.api.webhooks.RotateWebhookSecret(r.Context(), idParam(r), nil)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.showSecret(w, r, s)
}

func (u *UI) enableWebhook(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUpdateWebhookSubscription) || !u.parseForm(w, r) {
		return
	}
	on := r.PostFormValue("enabled") == "true"
	_, err := u.api.webhooks.UpdateWebhookSubscription(r.Context(), idParam(r), graph.UpdateWebhookSubscriptionInput{Enabled: &on})
	key := "webhook-disabled"
	if on {
		key = "webhook-enabled"
	}
	u.finish(w, r, err, done{Path: "/admin/webhooks", Key: key}, nil, "", nil)
}

func (u *UI) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpDeleteWebhookSubscription) {
		return
	}
	_, err := u.api.webhooks.DeleteWebhookSubscription(r.Context(), idParam(r))
	u.finish(w, r, err, done{Path: "/admin/webhooks", Key: "webhook-deleted"}, nil, "", nil)
}

func (u *UI) saveLeadForm(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpUpdateLeadFormSettings) || !u.parseForm(w, r) {
		return
	}
	raw := r.PostFormValue("origins")
	origins := []string{}
	for _, o := range strings.FieldsFunc(raw, func(c rune) bool { return c == '\n' || c == ',' || c == ' ' || c == '\r' }) {
		origins = append(origins, o)
	}
	dbl := r.PostFormValue("doubleOptIn") == "true"
	_, err := u.api.webhooks.UpdateLeadFormSettings(r.Context(), origins, &dbl)
	u.finish(w, r, err, done{Path: "/admin/webhooks", Key: "lead-form-saved"}, named("origins"), "", func(errs views.FieldErrors, status int) {
		p, ok := u.adminPage(w, r, webhooksTitle, graph.OpWebhookSubscriptions)
		if !ok {
			return
		}
		p.Error = "The lead form settings were not saved: please check them."
		lead := &views.LeadFormView{Origins: raw, DoubleOptIn: dbl, Errors: errs}
		d, err := u.webhooksPage(r.Context(), views.WebhookForm{}, lead)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		renderStatus(w, r, status, views.AdminWebhooksPage(p, d))
	})
}

func (u *UI) rotateLeadForm(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRotateLeadFormKey) {
		return
	}
	_, err := u.api.webhooks.RotateLeadFormKey(r.Context())
	u.finish(w, r, err, done{Path: "/admin/webhooks", Key: "lead-form-rotated"}, nil, "", nil)
}
