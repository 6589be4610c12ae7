package app

import (
	"time"

	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/leadform"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/webhooks"
)

// openWebhooks builds outbound webhooks (delivered from the automation
// event job's dispatch) and the website lead form (its submissions
// processed through the webhook pipeline). Call before openJobs, which
// registers the delivery worker and gives both their queue.
func (a *App) openWebhooks(taskSvc *tasks.Service) {
	wc := a.Config.Webhooks
	a.Webhooks = &webhooks.Service{
		Client: a.DB.Client, Now: a.Now, AllowPrivate: wc.AllowPrivate,
		HTTP:  webhooks.NewHTTPClient(wc.AllowPrivate, 15*time.Second),
		Retry: wc.Retry, DisableAfter: wc.DisableAfter, Alerts: webhooks.TaskAlerter{Tasks: taskSvc, Staff: a.Alerts},
	}
	a.Automation.Fanout = a.Webhooks
	a.LeadForm = &leadform.Service{Client: a.DB.Client, Contacts: a.Contacts, Hooks: a.Hooks, Audit: a.Audit, PublicURL: a.Config.BaseURL, Now: a.Now}
	a.LeadForm.Register(a.Hooks)
}

// webhookWorkers registers the delivery job's worker (openJobs).
func (a *App) webhookWorkers(ws *jobs.Workers) {
	if a.Webhooks != nil {
		webhooks.AddWorkers(ws, a.Webhooks)
	}
}

// leadFormRoutes is the form's handler with its per-IP rate limit.
func (a *App) leadFormRoutes() *leadform.Handler {
	h := &leadform.Handler{S: a.LeadForm}
	if a.limiter != nil {
		h.Limit = a.limiter.PerIP("lead_form", a.Config.Webhooks.LeadFormRate)
	}
	return h
}
