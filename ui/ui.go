// Package ui is the staff UI: templ pages upgraded with htmx. Handlers parse
// the request, call an operation, and render. The operations are graph.Ops:
// the GraphQL schema's own operations run in-process, each checking the
// permission the schema declares and running a change in one transaction,
// so a page can do nothing the API would refuse. Each area of the UI
// depends on the few operations it calls (api.go), never on the resolvers
// or the services behind them.
package ui

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

//go:embed static
var static embed.FS

// Options configure the UI.
type Options struct {
	// Dev shows the development sign-in.
	Dev bool
	// Now is the clock; nil is the system clock.
	Now clock.Clock
	// DevUsers lists the demo users for the development sign-in.
	DevUsers func(context.Context) ([]auth.DevUser, error)
	// OIDCProvider names the OpenID Connect provider ("Google") the sign-in
	// page offers; empty when that sign-in is not configured.
	OIDCProvider string
}

// UI serves the staff pages.
type UI struct {
	api  apis
	opts Options
}

// New returns the UI over the operations (graph.NewOps).
func New(api API, opts Options) *UI {
	views.SetClock(opts.Now)
	return &UI{api: apis{
		guard: api, layout: api, dash: api,
		contacts: api, bookings: api, tasks: api, admin: api, ai: api, auto: api,
		messaging: api, sms: api, inbound: api, webhooks: api, reports: api, campaigns: api,
	}, opts: opts}
}

// Routes mounts the UI.
func (u *UI) Routes(r chi.Router) {
	r.Use(u.checkQueryText)
	sub, _ := fs.Sub(static, "static")
	r.Handle("/static/*", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(sub))))
	r.Get("/login", u.signIn)
	r.Group(func(r chi.Router) {
		r.Use(u.requireViewer)
		r.Get("/", u.dashboard)
		u.contactRoutes(r)
		u.bookingRoutes(r)
		u.taskRoutes(r)
		u.adminRoutes(r)
		u.messagingRoutes(r)
		u.smsRoutes(r)
		u.webhookRoutes(r)
		u.reportRoutes(r)
		u.campaignRoutes(r)
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		u.fail(w, r, apperr.NotFoundf("", "There is no page at %s.", r.URL.Path))
	})
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// requireViewer sends anonymous visitors to the sign-in page.
func (u *UI) requireViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := viewer.FromContext(r.Context()); v == nil || v.UserID == "" {
			if r.Header.Get("HX-Request") != "" {
				w.Header().Set("HX-Redirect", "/login")
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// page builds the layout data for the signed-in viewer.
func (u *UI) page(ctx context.Context, r *http.Request, title, active string) (views.Page, error) {
	me, err := u.api.layout.Me(ctx)
	if err != nil {
		return views.Page{}, err
	}
	tz, err := time.LoadLocation(me.Location.Timezone)
	if err != nil {
		tz = time.UTC
	}
	p := views.Page{
		Title: title, Active: active, Path: withoutDone(r), Flash: flashFor(r),
		Me: views.Me{
			Name: me.User.Name, Email: me.User.Email, Role: string(me.Role),
			LocationID: me.Location.ID.String(), LocationName: me.Location.Name, LocationCode: me.Location.Code,
			TZ: tz, Region: me.Location.Region, Perms: map[rbac.Permission]bool{},
		},
	}
	for _, l := range me.Locations {
		p.Me.Locations = append(p.Me.Locations, views.LocationOption{ID: l.Location.ID.String(), Name: l.Location.Name, Code: l.Location.Code, Role: string(l.Role)})
	}
	for _, perm := range me.Permissions {
		p.Me.Perms[rbac.Permission(perm)] = true
	}
	return p, nil
}

// render writes a component with status 200.
func render(w http.ResponseWriter, r *http.Request, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := c.Render(r.Context(), w); err != nil {
		slog.ErrorContext(r.Context(), "render", "err", err, "path", r.URL.Path)
	}
}

// fail renders an error page with the status its code calls for. Internal
// errors are logged and shown without detail.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	ae := apperr.From(err)
	status := Status(ae.Code)
	if ae.Code == apperr.Internal {
		slog.ErrorContext(r.Context(), "ui error", "path", r.URL.Path, "err", err)
	}
	if ae.Code == apperr.Unauthenticated {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	msg := ae.Message
	if ae.Code == apperr.NotFound && msg == "not found" {
		msg = "That record does not exist, or it belongs to another location."
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	p, perr := u.page(r.Context(), r, views.Humanize(string(ae.Code)), "")
	if perr != nil {
		_ = views.Bare("Error").Render(r.Context(), w)
		return
	}
	_ = views.ErrorPage(p, status, msg).Render(r.Context(), w)
}

// Status maps an error code to an HTTP status.
func Status(c apperr.Code) int {
	switch c {
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// may answers with the error page (403, or the sign-in page) unless the
// viewer may run op: a page that offers op's form, or takes its post, asks
// first. The operation checks again when it runs; the permission is the
// one the schema declares for op.
func (u *UI) may(w http.ResponseWriter, r *http.Request, op graph.Op) bool {
	if err := u.api.guard.Check(r.Context(), op); err != nil {
		u.fail(w, r, err)
		return false
	}
	return true
}

// allowed reports whether the viewer may run op, for showing its button.
func (u *UI) allowed(ctx context.Context, op graph.Op) bool { return u.api.guard.Allowed(ctx, op) }

var errBadRequest = errors.New("bad request")
