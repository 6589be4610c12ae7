// Package app assembles the whole program from its settings: database,
// migrations, demo data, services and the HTTP server. cmd/avatarcrm and the
// end-to-end tests start the same App.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/access"
	"github.com/avatarimaging/avatarcrm/internal/admit"
	"github.com/avatarimaging/avatarcrm/internal/alert"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/events"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/leadform"
	"github.com/avatarimaging/avatarcrm/internal/manychat"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/netguard"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/ratelimit"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/internal/schedule"
	"github.com/avatarimaging/avatarcrm/internal/seed"
	"github.com/avatarimaging/avatarcrm/internal/server"
	"github.com/avatarimaging/avatarcrm/internal/sms"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/webhooks"
	"github.com/avatarimaging/avatarcrm/internal/wix"
	"github.com/avatarimaging/avatarcrm/ui"
)

// App is a running Avatar Imaging CRM.
type App struct {
	Config *config.Config
	DB     *db.DB
	Auth   *auth.Service
	// OIDC is sign-in with an OpenID Connect provider, when configured.
	OIDC *auth.OIDC
	// Ent is the ent client with every hook (internal/entclient).
	Ent *entclient.Client
	// Audit is the tamper-evident audit trail (Ent.Audit).
	Audit *audit.Log
	// Contacts is the contact service; its import worker runs with the app.
	Contacts *contacts.Service
	// Handler is the root HTTP handler.
	Handler http.Handler
	// Events is the domain events' outbox; Automation runs the rules on
	// them (automation.go).
	Events     *events.Outbox
	Automation *automation.Service
	// Jobs is the durable job queue; Schedules its timers (jobs.go).
	Jobs      *jobs.Queue
	Schedules *schedule.Scheduler
	// Messaging sends SMS through the configured provider (jobs.go).
	Messaging *messaging.Service
	// SMS is two-way SMS; Hooks the webhook shim whose ClickSend events
	// it processes (internal/sms, internal/hooks).
	SMS   *sms.Service
	Hooks *hooks.Pipeline
	// Alerts tells staff (Slack or the outbox); Wix and ManyChat are the
	// inbound integrations whose events the pipeline processes
	// (integrations.go).
	Alerts   *alert.Service
	Wix      *wix.Service
	ManyChat *manychat.Service
	// Webhooks delivers events to integrators; LeadForm is the website
	// form (webhooks.go).
	Webhooks *webhooks.Service
	LeadForm *leadform.Service
	// Reports computes the reports and sends the Monday summary.
	Reports *reports.Service
	// Campaigns is email campaigns and their tracking links (campaigns.go).
	Campaigns *campaigns.Service
	// Worker opens the app for `avatarcrm worker`: jobs and schedules,
	// no HTTP handler.
	Worker bool
	// OnlyJobKinds, when set before Open, limits the jobs this process
	// works to these kinds (`avatarcrm schedule run`).
	OnlyJobKinds []string

	srv      *http.Server
	listener net.Listener
	limiter  *ratelimit.Limiter
	admit    *admit.Limiter
	// Now is the program's one clock (see internal/clock); tests replace
	// it before Open.
	Now clock.Clock
}

// New builds an App from its settings without opening anything.
func New(cfg *config.Config) *App {
	return &App{Config: cfg, Now: clock.System}
}

// Open connects to the database, applies migrations, loads the demo data
// when asked and the database is empty, and builds the handler.
func (a *App) Open(ctx context.Context) error {
	d, err := db.Open(ctx, db.Config{URL: a.Config.DatabaseURL})
	if err != nil {
		return err
	}
	a.DB = d
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	auditOpts, err := a.auditOptions()
	if err != nil {
		return err
	}
	// The one client, with every hook: text checks, search index, audit
	// trail, PHI reads, warmness.
	a.openAI(&auditOpts)
	ec := entclient.New(d, auditOpts)
	a.Ent, a.Audit = ec, ec.Audit
	// Built-in AI calls are counted in memory and written every second
	// (aiusage.FlushEvery), not in every create's transaction.
	ec.AIUsage.Start(ctx)
	// The trail is checked before anything writes to it.
	if err := a.checkAudit(ctx); err != nil {
		return err
	}
	if a.Config.SeedDemo {
		empty, err := a.isEmpty(ctx)
		if err != nil {
			return err
		}
		if empty {
			if _, err := seed.Demo(ctx, ec, seed.Options{Timezone: a.Config.Timezone}); err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
		}
	}
	// Contacts written before the index existed (a database older than
	// it) are indexed now.
	if _, err := ec.Search.EnsureIndexed(viewer.Consequences.Grant(ctx, "startup")); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	sessions := auth.NewSessions(d.Client, a.Config.SessionIdle, a.Config.SessionMax)
	sessions.Now = a.Now
	store := access.NewStore(d.Client, 30*time.Second)
	store.Now = a.Now
	a.Auth = &auth.Service{Client: d.Client, Sessions: sessions, Dev: a.Config.Dev, Secure: a.Config.SecureCookies(), Policies: store, Audit: a.Audit}
	sec := a.Config.Security
	ipRules := &access.IPRules{Client: d.Client}
	// Location rules are cached briefly; a change made here invalidates at
	// once, and other instances see it within the TTL.
	ipRules.Allowlist = netguard.NewAllowlist(sec.AllowedIPs, ipRules.Load, 30*time.Second)
	var proxyOpts []netguard.ProxyOption
	if sec.TrustCloudflare {
		proxyOpts = append(proxyOpts, netguard.TrustCloudflareHeader())
	}
	proxies := netguard.NewProxies(sec.TrustedProxies, proxyOpts...)
	rates := sec.Rates
	rates.IPKey = func(r *http.Request) string { return netguard.IPFrom(r.Context()).String() }
	if a.limiter, err = ratelimit.New(rates); err != nil {
		return fmt.Errorf("rate limits: %w", err)
	}
	// Bookings move contacts through the pipeline and create follow-up
	// tasks through the same services the rest of the app uses.
	// Domain events (contact.created, booking.*, …) are written by the
	// services in the change's transaction with the job that runs the
	// rules; the outbox gets its queue in openJobs.
	a.Events = &events.Outbox{Now: a.Now}
	stages := &pipeline.Service{Client: d.Client, Now: a.Now, Events: a.Events}
	taskSvc := &tasks.Service{Client: d.Client, Now: a.Now, Events: a.Events}
	bookingSvc := &bookings.Service{Client: d.Client, Stages: stages, Tasks: taskSvc, Now: a.Now, Dialect: d.Dialect, Outbox: a.Events}
	// Warmness scores are recomputed in the transaction of every change
	// they depend on (touchpoints, bookings, a contact's source, consents,
	// stage or archiving), whatever path made it.
	warm := ec.Warmness
	warm.Events = a.Events
	// CSV imports run as durable jobs (openJobs), as the person who
	// started them with their location's permission table.
	a.Contacts = &contacts.Service{Client: d.Client, Warmness: warm, Stages: stages, Audit: a.Audit, Now: a.Now, Events: a.Events, Policies: store}
	a.Automation = &automation.Service{Client: d.Client, Tasks: taskSvc, Stages: stages, Now: a.Now}
	a.SMS = &sms.Service{Client: d.Client, PublicURL: a.Config.BaseURL, Now: a.Now,
		Deps: sms.Deps{Bookings: bookingSvc, Tasks: taskSvc, Events: a.Events, AI: a.Ent.AI}}
	a.Hooks = &hooks.Pipeline{Client: d.Client, Audit: a.Audit, Now: a.Now}
	a.SMS.Register(a.Hooks)
	hookRoutes, err := a.openIntegrations(d.Client, bookingSvc, taskSvc)
	if err != nil {
		return err
	}
	a.openWebhooks(taskSvc)
	// Reports read the figures with their own SQL, bound to the
	// locations the viewer may read (internal/reports).
	a.Reports = &reports.Service{Client: d.Client, SQL: d.SQL, Dialect: d.Dialect, Now: a.Now}
	if a.Ent.AI != nil {
		a.Reports.AI = a.Ent.AI
	}
	if err := a.openJobs(ctx, warm, taskSvc); err != nil {
		return err
	}
	aiSvc := a.wireAI()
	if err := a.seedRules(ctx); err != nil {
		return err
	}
	if a.Worker {
		return nil
	}
	resolver := &graph.Resolver{
		Client:  d.Client,
		Access:  store,
		Users:   &access.Users{Client: d.Client, Store: store, Audit: a.Audit, Now: a.Now},
		IPRules: ipRules,
		Auth:    a.Auth,
		Audit:   a.Audit,
		Now:     a.Now,
		Search:  ec.Search,

		Bookings: bookingSvc,
		Tasks:    taskSvc,
		Pipeline: stages,

		ContactService:  a.Contacts,
		Warmness:        warm,
		Automation:      a.Automation,
		Jobs:            a.Jobs,
		Messaging:       a.Messaging,
		SMS:             a.SMS,
		ReportService:   a.Reports,
		Scheduler:       a.Schedules,
		AI:              aiSvc,
		Hooks:           a.Hooks,
		Wix:             a.Wix,
		Inbound:         a.inboundSettings(),
		Webhooks:        a.Webhooks,
		LeadForm:        a.LeadForm,
		CampaignService: a.Campaigns,
	}
	uiOpts := ui.Options{Dev: a.Config.Dev, Now: a.Now, DevUsers: a.Auth.DevUsers}
	if a.Config.OIDCEnabled() {
		// Discovery runs now, so a wrong issuer stops the start with a
		// message instead of failing the first person who signs in.
		a.OIDC, err = auth.NewOIDC(ctx, a.Auth, auth.OIDCConfig{
			Issuer:       a.Config.OIDCIssuer,
			ClientID:     a.Config.OIDCClientID,
			ClientSecret: a.Config.OIDCClientSecret,
			RedirectURL:  a.Config.OIDCRedirectURL(),
			HostedDomain: a.Config.OIDCHostedDomain,
		})
		if err != nil {
			return err
		}
		uiOpts.OIDCProvider = a.OIDC.ProviderName()
	}
	staffUI := ui.New(graph.NewOps(resolver), uiOpts)
	if a.OIDC != nil {
		a.OIDC.Fail = staffUI.SignInError
	}
	a.admit = admission(a.Config.Capacity)
	a.Handler = server.Handler(server.Deps{
		DB:            d,
		Auth:          a.Auth,
		Resolver:      resolver,
		UI:            staffUI,
		Dev:           a.Config.Dev,
		Introspection: sec.Introspection,
		OIDC:          a.OIDC,
		Proxies:       proxies,
		Allowlist:     ipRules.Allowlist,
		Limiter:       a.limiter,
		Admit:         a.admit,
		Audit:         a.Audit,
		BodyLimits:    bodyLimits(staffUI.BodyLimits()),
		Hooks:         a.Hooks,
		HookRoutes:    hookRoutes,
		LeadForm:      a.leadFormRoutes(),
		Tracking:      a.Campaigns,
	})
	return nil
}

// admission is the bound on requests run at once. Turned off (-1), it is
// a bound no burst reaches, so releaseAfterBursts still sees when one ends
// (a channel of empty structs allocates nothing for its capacity).
func admission(c config.Capacity) *admit.Limiter {
	n := c.MaxInFlight
	if n < 0 {
		n = 1 << 30
		slog.Info("admission: no bound")
	}
	l := admit.New(n, c.MaxQueueWait)
	if c.MaxInFlight >= 0 {
		slog.Info("admission", "max_inflight", l.Limit(), "max_queue_wait", c.MaxQueueWait)
	}
	return l
}

func (a *App) isEmpty(ctx context.Context) (bool, error) {
	n, err := a.DB.Client.Location.Query().Where(location.IDNEQ("")).Count(viewer.Seed.Grant(ctx, "startup"))
	return n == 0, err
}

// Listen binds the listen address; Addr then reports the bound address
// (useful with port 0 in tests).
func (a *App) Listen() error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	a.listener = ln
	return nil
}

// UseListener makes Serve use ln instead of binding the listen address:
// tests bind first so the base URL (and the OIDC redirect URL) can name the
// real port.
func (a *App) UseListener(ln net.Listener) { a.listener = ln }

// Addr is the bound address.
func (a *App) Addr() string {
	if a.listener == nil {
		return a.Config.Addr
	}
	return a.listener.Addr().String()
}

// Serve serves HTTP until ctx is cancelled, then stops gracefully: it stops
// accepting, lets requests in flight finish (up to the shutdown timeout)
// and returns.
func (a *App) Serve(ctx context.Context) error {
	if a.listener == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	a.srv = &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if err := a.startJobs(ctx); err != nil {
		return err
	}
	a.releaseMemory(ctx, "after start-up")
	go a.releaseAfterBursts(ctx)
	errc := make(chan error, 1)
	go func() { errc <- a.srv.Serve(a.listener) }()
	slog.Info("serving", "addr", "http://"+a.Addr(), "dev", a.Config.Dev)
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := a.srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := a.stopJobs(sctx); err != nil {
		slog.Error("jobs", "err", err)
	}
	// Requests and jobs have finished (an import stopped midway resumes
	// at the next start): write every audit entry still queued, and the
	// AI calls' counts.
	if err := a.Ent.AIUsage.Stop(sctx); err != nil {
		slog.Error("ai usage counts not written", "err", err)
	}
	if err := a.Audit.Close(sctx); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Close releases the database and the rate limiter.
func (a *App) Close() error {
	if a.Audit != nil {
		ctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
		if err := a.Ent.AIUsage.Stop(ctx); err != nil {
			slog.Error("ai usage counts not written", "err", err)
		}
		if err := a.Audit.Close(ctx); err != nil {
			slog.Error("audit entries not written", "err", err)
		}
		cancel()
	}
	if a.limiter != nil {
		_ = a.limiter.Close()
	}
	if a.Jobs != nil {
		a.Jobs.Close()
	}
	if a.DB != nil {
		return a.DB.Close()
	}
	return nil
}

// bodyLimits adds the GraphQL upload limit to the UI's: both take files
// (multipart bodies) larger than the server's default cap.
func bodyLimits(ui map[string]int64) map[string]int64 {
	out := map[string]int64{"/graphql": graph.MaxUploadBytes}
	for path, n := range ui {
		out[path] = n
	}
	return out
}
