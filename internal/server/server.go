// Package server wires the HTTP surface: middleware, the GraphQL endpoint,
// the staff UI, sign-in and health checks.
package server

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/db"
)

// Deps are what the server serves.
type Deps struct {
	DB       *db.DB
	Auth     *auth.Service
	Resolver *graph.Resolver
	// UI mounts the staff UI routes on a router.
	UI interface{ Routes(chi.Router) }
	// Dev enables the playground and introspection.
	Dev bool
	// OIDC is sign-in with an OpenID Connect provider; nil when not
	// configured.
	OIDC *auth.OIDC
}

// Handler returns the root HTTP handler.
func Handler(d Deps) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(logRequests)
	r.Use(recoverPanics)
	r.Use(securityHeaders)
	r.Use(limitBody(4 << 20))

	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	r.Get("/readyz", readyz(d.DB))

	// Browser-facing routes refuse cross-origin unsafe requests (CSRF):
	// Go's CrossOriginProtection reads Sec-Fetch-Site and Origin, which
	// every current browser sends; scripts without them pass.
	cop := http.NewCrossOriginProtection()
	r.Group(func(r chi.Router) {
		r.Use(cop.Handler)
		r.Use(d.Auth.Middleware)
		gql := graph.NewHandler(d.Resolver, graph.Options{Introspection: d.Dev})
		r.Handle("/graphql", gql)
		if d.Dev {
			r.With(relaxedCSP).Handle("/playground", playground.Handler("Avatar Imaging CRM GraphQL", "/graphql"))
		}
		r.Post("/auth/dev", d.Auth.DevSignIn)
		if d.OIDC != nil {
			// GETs: the provider redirects the browser back with a GET,
			// and state plus the sealed login cookie stand in for CSRF
			// protection.
			r.Get("/auth/login", d.OIDC.Login)
			r.Get("/auth/callback", d.OIDC.Callback)
		}
		r.Post("/auth/logout", d.Auth.SignOut)
		r.Post("/location", d.Auth.SwitchLocation)
		if d.UI != nil {
			d.UI.Routes(r)
		}
	})
	return r
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
