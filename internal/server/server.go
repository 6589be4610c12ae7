// Package server wires the HTTP surface: middleware, the GraphQL endpoint,
// the staff UI, sign-in and health checks.
package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/admit"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/gqlhttp"
	"github.com/avatarimaging/avatarcrm/internal/netguard"
	"github.com/avatarimaging/avatarcrm/internal/ratelimit"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Deps are what the server serves.
type Deps struct {
	DB       *db.DB
	Auth     *auth.Service
	Resolver *graph.Resolver
	// UI mounts the staff UI routes on a router.
	UI interface{ Routes(chi.Router) }
	// Dev enables the playground.
	Dev bool
	// Introspection allows GraphQL schema introspection.
	Introspection bool
	// OIDC is sign-in with an OpenID Connect provider; nil when not
	// configured.
	OIDC *auth.OIDC
	// Proxies says whose forwarding headers to believe for the client IP.
	Proxies netguard.Proxies
	// Allowlist refuses networks a location (or the whole server) has not
	// approved.
	Allowlist *netguard.Allowlist
	// Limiter applies rate limits; nil turns them off.
	Limiter *ratelimit.Limiter
	// Admit bounds how many GraphQL requests and pages run at once; nil
	// runs every one as it comes.
	Admit *admit.Limiter
	// Audit records every request; nil records nothing (tests of other
	// layers).
	Audit *audit.Log
	// BodyLimits raises the request body limit (DefaultBodyLimit) for
	// exact paths, such as the UI's CSV upload.
	BodyLimits map[string]int64
	// Hooks mounts the webhook shim (/hooks/...); nil mounts none.
	Hooks interface{ ClickSendRoutes(chi.Router) }
	// HookRoutes mount more webhook endpoints (/hooks/wix,
	// /hooks/manychat), on the same terms as ClickSend's.
	HookRoutes []func(chi.Router)
	// LeadForm mounts the website lead form (/hooks/lead/...); nil mounts
	// none.
	LeadForm interface{ Routes(chi.Router) }
	// Tracking mounts the email tracking and unsubscribe links (/t/o,
	// /t/c, /u: internal/campaigns); nil mounts none.
	Tracking interface{ Routes(chi.Router) }
}

// DefaultBodyLimit caps request bodies but on the paths of Deps.BodyLimits.
const DefaultBodyLimit = 4 << 20

// Handler returns the root HTTP handler. A request passes, in order:
// request id → access log → panic recovery → security headers → body limit
// → client IP (trusted proxies only) → audit → global IP allowlist → CSRF
// (cross-origin check) → sign-in rate limit → session or API token → the
// location's IP allowlist → per-user rate limit → admission (GraphQL and
// pages: internal/admit) → the route.
func Handler(d Deps) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(logRequests)
	r.Use(recoverPanics)
	r.Use(securityHeaders)
	r.Use(limitBody(DefaultBodyLimit, d.BodyLimits))
	r.Use(d.Proxies.Middleware)
	if d.Audit != nil {
		// Early, so refusals by the allowlist and the rate limits are in
		// the trail too; the auth layer names the actor once it knows.
		r.Use(d.Audit.Middleware(clientIP, nil))
	}

	// Health checks answer load balancers and orchestrators from any
	// network and carry no data.
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	r.Get("/readyz", readyz(d.DB))
	if d.Audit != nil {
		r.Get("/readyz/audit", auditReady(d.Audit))
	}

	// Webhooks: no session, no CSRF check, no IP allowlist (ClickSend
	// publishes no source ranges); the secret token in the path names
	// the location, and the event is stored before the 200.
	if d.Hooks != nil {
		d.Hooks.ClickSendRoutes(r)
	}
	for _, mount := range d.HookRoutes {
		mount(r)
	}
	// The website lead form: public by design (its key is in the clinic's
	// page source), so CORS, a honeypot and a per-IP limit guard it.
	if d.LeadForm != nil {
		d.LeadForm.Routes(r)
	}
	// Email tracking and unsubscribe: no session, no CSRF check (mail
	// clients post the RFC 8058 one-click unsubscribe from anywhere); the
	// signed token is the key, and a wrong one is a plain 404.
	if d.Tracking != nil {
		d.Tracking.Routes(r)
	}

	// Browser-facing routes refuse cross-origin unsafe requests (CSRF):
	// Go's CrossOriginProtection reads Sec-Fetch-Site and Origin, which
	// every current browser sends; scripts without them pass.
	cop := http.NewCrossOriginProtection()
	none := func(h http.Handler) http.Handler { return h }
	signInLimit, gqlLimit, uiLimit := none, none, none
	if d.Limiter != nil {
		signInLimit = d.Limiter.SignIn()
		gqlLimit = d.Limiter.GraphQL(userKey)
		uiLimit = skipStatic(d.Limiter.UI(userKey))
	}
	// Admission comes after the rate limits, so a request over its budget
	// is refused at once instead of queueing first. Webhooks, sign-in,
	// sign-out and health checks are not bounded: each is one small
	// statement or none, and a webhook refused under load is one the
	// provider may never send again.
	admitted := none
	if d.Admit != nil {
		if d.Admit.Busy == nil {
			d.Admit.Busy = busy
		}
		admitted = d.Admit.Middleware
	}
	r.Group(func(r chi.Router) {
		if d.Allowlist != nil {
			r.Use(d.Allowlist.Middleware(nil, nil))
		}
		r.Use(cop.Handler)
		r.With(signInLimit).Post("/auth/dev", d.Auth.DevSignIn)
		if d.OIDC != nil {
			// GETs: the provider redirects the browser back with a GET,
			// and state plus the sealed login cookie stand in for CSRF
			// protection.
			r.With(signInLimit).Get("/auth/login", d.OIDC.Login)
			r.With(signInLimit).Get("/auth/callback", d.OIDC.Callback)
		}
		r.Group(func(r chi.Router) {
			r.Use(d.Auth.Middleware)
			if d.Allowlist != nil {
				r.Use(d.Allowlist.Middleware(locationOf, nil))
			}
			gql := graph.NewHandler(d.Resolver, graph.Options{Introspection: d.Introspection})
			r.With(gqlLimit, admitted).Handle("/graphql", gql)
			if d.Dev {
				r.With(relaxedCSP).Handle("/playground", playground.Handler("Avatar Imaging CRM GraphQL", "/graphql"))
			}
			r.Post("/auth/logout", d.Auth.SignOut)
			r.Post("/location", d.Auth.SwitchLocation)
			if d.UI != nil {
				r.Group(func(r chi.Router) {
					r.Use(uiLimit)
					r.Use(skipStatic(admitted))
					d.UI.Routes(r)
				})
			}
		})
	})
	return r
}

// codeUnavailable is the GraphQL error code of a request refused because
// the server is too busy (503 with Retry-After): it ran nothing.
const codeUnavailable = "UNAVAILABLE"

// busy answers a request that waited too long for its turn: a GraphQL
// error with a code for /graphql, plain text for pages.
func busy(w http.ResponseWriter, r *http.Request, retry time.Duration) {
	msg := fmt.Sprintf("the server is busy: please try again in %d s", int(retry/time.Second))
	if r.URL.Path == "/graphql" {
		gqlhttp.WriteError(w, r, &gqlhttp.RequestError{Status: http.StatusServiceUnavailable, Code: codeUnavailable, Message: msg})
		return
	}
	http.Error(w, msg, http.StatusServiceUnavailable)
}

// userKey keys per-user rate limits: the API token when there is one, so
// each integration has its own budget, else the user.
func userKey(r *http.Request) string {
	v := viewer.FromContext(r.Context())
	switch {
	case v == nil:
		return ""
	case v.TokenID != "":
		return "token:" + v.TokenID
	}
	return string(v.UserID)
}

func clientIP(r *http.Request) string {
	if ip := netguard.IPFrom(r.Context()); ip.IsValid() {
		return ip.String()
	}
	return ""
}

// locationOf is the request's active location, for the location allowlist.
func locationOf(r *http.Request) string {
	if v := viewer.FromContext(r.Context()); v != nil {
		return string(v.LocationID)
	}
	return ""
}

// skipStatic leaves embedded assets out of a limit: a page load fetches
// several, and they carry no data.
func skipStatic(mw func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		limited := mw(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/static/") {
				next.ServeHTTP(w, r)
				return
			}
			limited.ServeHTTP(w, r)
		})
	}
}

func readyz(d *db.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.SQL.PingContext(ctx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		if n, err := d.Pending(ctx); err != nil || n > 0 {
			http.Error(w, "migrations pending", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ready\n"))
	}
}
