package testutil

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/config"
)

// Server is the whole application running on a real listener.
type Server struct {
	URL string
	App *app.App

	// clock is the server's clock: ServerOptions.Now (default Now) until
	// BookedBefore turns it back.
	clock *settable

	stopOnce sync.Once
	stop     func() error
}

// Stop shuts the server down gracefully, as SIGTERM does, and waits: after
// it returns, every request has finished and every audit entry is written.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	s.stopOnce.Do(func() {
		if err := s.stop(); err != nil {
			tb.Errorf("serve: %v", err)
		}
	})
}

// ServerOptions tune StartServer.
type ServerOptions struct {
	// DatabaseURL overrides the demo SQLite copy (e.g. a PostgreSQL URL).
	DatabaseURL string
	// Env holds extra AVATARCRM_* settings.
	Env map[string]string
	// NoDev turns development mode off.
	NoDev bool
	// Now overrides the clock (default Now).
	Now func() time.Time
}

// StartServer starts the application on 127.0.0.1 with a copy of the demo
// database, in development mode, and stops it when the test ends.
func StartServer(tb testing.TB, opts ServerOptions) *Server {
	tb.Helper()
	env := map[string]string{
		"AVATARCRM_ADDR":      "127.0.0.1:0",
		"AVATARCRM_DEV":       "true",
		"AVATARCRM_SEED_DEMO": "false",
		"AVATARCRM_LOG_LEVEL": "warn",
		// Tests sign in and query far faster than people; the rate-limit
		// tests set their own limits.
		"AVATARCRM_RATE_SIGNIN":       "10000/1m",
		"AVATARCRM_RATE_GRAPHQL":      "100000/1m",
		"AVATARCRM_RATE_GRAPHQL_USER": "100000/1m",
		"AVATARCRM_RATE_UI":           "100000/1m",
		// Schedules follow the wall clock; tests that want them say so.
		"AVATARCRM_SCHEDULES": "false",
	}
	if opts.DatabaseURL != "" {
		env["AVATARCRM_DATABASE_URL"] = opts.DatabaseURL
	} else {
		env["AVATARCRM_DATABASE_URL"] = "sqlite:" + DemoDBPath(tb)
	}
	// Keep the audit key out of the package directory (the default for a
	// PostgreSQL URL is ./data), with the key the demo data's entry was
	// written with.
	env["AVATARCRM_AUDIT_KEY_FILE"] = AuditKeyFile(tb)
	if opts.NoDev {
		env["AVATARCRM_DEV"] = "false"
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	// Bind before loading the settings, so the default base URL (and with
	// it the OIDC redirect URL, BaseURL+"/auth/callback") names the real
	// port rather than port 0.
	var ln net.Listener
	if env["AVATARCRM_ADDR"] == "127.0.0.1:0" {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			tb.Fatalf("listen: %v", err)
		}
		env["AVATARCRM_ADDR"] = ln.Addr().String()
	}
	cfg, err := config.Load(nil, func(k string) string { return env[k] })
	if err != nil {
		closeListener(ln)
		tb.Fatalf("config: %v", err)
	}
	a := app.New(cfg)
	clk := &settable{base: opts.Now}
	a.Now = clk.Now
	ctx, cancel := context.WithCancel(context.Background())
	if err := a.Open(ctx); err != nil {
		cancel()
		closeListener(ln)
		_ = a.Close()
		tb.Fatalf("open app: %v", err)
	}
	if ln != nil {
		a.UseListener(ln)
	} else if err := a.Listen(); err != nil {
		cancel()
		tb.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	srv := &Server{URL: "http://" + a.Addr(), App: a, clock: clk}
	srv.stop = func() error {
		cancel()
		return <-done
	}
	tb.Cleanup(func() {
		srv.Stop(tb)
		_ = a.Close()
	})
	return srv
}

// settable is the test's clock (base, default Now) unless a test turns it
// back for a while.
type settable struct {
	mu   sync.Mutex
	at   time.Time
	base func() time.Time
}

// Now implements the clock.
func (c *settable) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.at.IsZero():
		return c.at
	case c.base != nil:
		return c.base()
	}
	return Now
}

// BookedBefore runs fn with the server's clock turned back to a day before
// at, then puts it back: test setup making a booking of a time that has
// passed as it was made, before the visit (createBooking refuses an ended
// booking unless it is recorded as a past visit). Calls run one at a time.
func (s *Server) BookedBefore(tb testing.TB, at time.Time, fn func()) {
	tb.Helper()
	s.clock.mu.Lock()
	s.clock.at = at.Add(-24 * time.Hour)
	s.clock.mu.Unlock()
	defer func() {
		s.clock.mu.Lock()
		s.clock.at = time.Time{}
		s.clock.mu.Unlock()
	}()
	fn()
}

func closeListener(ln net.Listener) {
	if ln != nil {
		_ = ln.Close()
	}
}

// Client returns an HTTP client with its own cookie jar that does not
// follow redirects, so tests see them.
func (s *Server) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// SignIn returns a client signed in as the demo user with that email,
// through the development sign-in, as a script would do it.
func (s *Server) SignIn(tb testing.TB, email string) *http.Client {
	tb.Helper()
	c := s.Client()
	resp, err := c.PostForm(s.URL+"/auth/dev", url.Values{"email": {email}})
	if err != nil {
		tb.Fatalf("sign in %s: %v", email, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign in %s: status %d", email, resp.StatusCode)
	}
	return c
}

// GQLError is one GraphQL error.
type GQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (e GQLError) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// GQLResponse is a GraphQL response.
type GQLResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []GQLError      `json:"errors"`
	Status int             `json:"-"`
}

// Decode unmarshals Data into v.
func (r GQLResponse) Decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Data, err)
	}
}

// FirstCode returns the code of the first error, or "".
func (r GQLResponse) FirstCode() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Code()
}

// GraphQL posts a query with variables and returns the response.
func (s *Server) GraphQL(tb testing.TB, c *http.Client, query string, vars map[string]any) GQLResponse {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("graphql: %v", err)
	}
	defer resp.Body.Close()
	var out GQLResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		tb.Fatalf("graphql response (status %d): %v", resp.StatusCode, err)
	}
	out.Status = resp.StatusCode
	return out
}

// MustGraphQL is GraphQL that fails the test on any error.
func (s *Server) MustGraphQL(tb testing.TB, c *http.Client, query string, vars map[string]any) GQLResponse {
	tb.Helper()
	r := s.GraphQL(tb, c, query, vars)
	if len(r.Errors) > 0 {
		msgs := make([]string, 0, len(r.Errors))
		for _, e := range r.Errors {
			msgs = append(msgs, e.Code()+": "+e.Message)
		}
		tb.Fatalf("graphql errors: %s", strings.Join(msgs, "; "))
	}
	return r
}
