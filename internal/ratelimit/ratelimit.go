// Package ratelimit throttles abusive or runaway clients per client IP and
// per signed-in user, on top of github.com/go-chi/httprate.
//
// Counters live in memory by default, which is right for a single instance.
// When the CRM runs as several instances behind a load balancer, each would
// otherwise grant the full budget on its own, so Config.RedisURL switches the
// counters to Redis (github.com/go-chi/httprate-redis) and the budget is
// shared. If Redis stops answering at run time, httprate-redis falls back to a
// per-instance in-memory counter (and switches back once Redis answers a
// PING): limits get looser by the number of instances for the duration of
// the outage, but requests keep flowing instead of all failing.
//
// Windows are aligned to the wall clock (the Redis counter needs that so all
// instances agree on which window a request belongs to; the in-memory counter
// is made to behave the same so both backends answer alike). httprate uses a
// sliding-window approximation: the previous window's count still weighs on
// the current one, decaying linearly, so a client that exhausted its budget
// recovers gradually rather than all at once at the window boundary.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/httprate"
	httprateredis "github.com/go-chi/httprate-redis"
	"github.com/redis/go-redis/v9"
)

// Limit is a budget of Requests per Window for one key (an IP or a user).
//
// A Limit with Requests == 0 disables limiting, so an operator can switch one
// limit off through configuration without a code change.
type Limit struct {
	Requests int
	Window   time.Duration
}

// Disabled reports whether l lets every request through.
func (l Limit) Disabled() bool { return l.Requests == 0 }

// String renders l as "10/1m0s" for logs and errors.
func (l Limit) String() string {
	if l.Disabled() {
		return "off"
	}
	return strconv.Itoa(l.Requests) + "/" + l.Window.String()
}

// validate rejects limits httprate cannot enforce meaningfully. Windows
// shorter than a second are refused because httprate-redis keys a window by
// its Unix second: two sub-second windows would share one Redis counter, and
// Retry-After cannot express less than a second anyway.
func (l Limit) validate() error {
	switch {
	case l.Disabled():
		return nil
	case l.Requests < 0:
		return fmt.Errorf("requests must be >= 0, got %d", l.Requests)
	case l.Window < time.Second:
		return fmt.Errorf("window must be at least 1s, got %s", l.Window)
	}
	return nil
}

// Config configures a Limiter.
type Config struct {
	// SignIn limits sign-in attempts per client IP. It is the one limit
	// that guards against password/credential guessing, so it is tight.
	SignIn Limit
	// GraphQLPerIP limits /graphql per client IP. A clinic's staff usually
	// share one public IP behind NAT, so it is higher than GraphQLPerUser.
	GraphQLPerIP Limit
	// GraphQLPerUser limits /graphql per signed-in user.
	GraphQLPerUser Limit
	// UIPerUser limits staff UI pages (and their HTMX fragments) per user.
	UIPerUser Limit
	// WebhookPerIP limits inbound webhooks per sender IP.
	WebhookPerIP Limit

	// RedisURL, when set, keeps counters in Redis so that every instance
	// shares one budget, e.g. "redis://:password@redis:6379/0" or
	// "rediss://…" for TLS. Empty keeps counters in this process's memory.
	RedisURL string
	// RedisKeyPrefix namespaces this app's counters in a Redis shared with
	// other apps or environments. Default "avatarcrm:ratelimit".
	RedisKeyPrefix string

	// IPKey returns the client IP of a request. The server resolves it from
	// trusted proxies (for example chi's middleware.ClientIPFromXFF followed
	// by middleware.GetClientIP(r.Context())); reading X-Forwarded-For here
	// would let any client pick its own bucket. When nil, the IP of the TCP
	// peer (r.RemoteAddr) is used, which is only right when nothing proxies
	// the app. A func that returns "" puts the request into one shared
	// "unknown" bucket: stricter, and loud, rather than unlimited.
	IPKey func(*http.Request) string

	// Logger receives the warnings about refused requests and Redis
	// trouble. Nil means slog.Default().
	Logger *slog.Logger
}

// DefaultConfig returns limits sized for a clinic CRM: far above what a
// person clicking through the UI or a well-behaved integration produces,
// low enough to stop credential guessing and runaway scripts.
func DefaultConfig() Config {
	return Config{
		// 10/min per IP: a person retyping a password never needs more, and
		// it caps guessing at 14,400 attempts a day per IP.
		SignIn: Limit{Requests: 10, Window: time.Minute},
		// 600/min (10/s) per IP: room for a whole clinic behind one NAT.
		GraphQLPerIP: Limit{Requests: 600, Window: time.Minute},
		// 300/min (5/s) per user: a busy screen issues a few queries per
		// interaction; a loop in a script hits this quickly.
		GraphQLPerUser: Limit{Requests: 300, Window: time.Minute},
		// 300/min per user: pages plus their HTMX partials; static assets
		// should be mounted outside this limit.
		UIPerUser: Limit{Requests: 300, Window: time.Minute},
		// 120/min per IP: webhook senders retry in bursts after an outage
		// of ours; 2/s absorbs that without letting a flood through.
		WebhookPerIP:   Limit{Requests: 120, Window: time.Minute},
		RedisKeyPrefix: defaultRedisKeyPrefix,
	}
}

const (
	defaultRedisKeyPrefix = "avatarcrm:ratelimit"
	// redisPingTimeout bounds the start-up check, so a wrong RedisURL shows
	// up as an error at start rather than as a hang.
	redisPingTimeout = 2 * time.Second
)

// Names of the limits the preset middlewares register. They appear in logs
// and in Redis keys, so they are part of the operational interface.
const (
	NameSignIn         = "signin"
	NameGraphQLPerIP   = "graphql_ip"
	NameGraphQLPerUser = "graphql_user"
	NameUIPerUser      = "ui_user"
	NameWebhookPerIP   = "webhook_ip"
)

// Limiter builds rate-limiting middlewares that share one backend (memory
// or one Redis connection pool). Build middlewares while wiring routes; the
// returned middlewares are safe for concurrent use.
type Limiter struct {
	cfg    Config
	log    *slog.Logger
	ipKey  func(*http.Request) string
	client *redis.Client // nil: in-memory counters

	mu    sync.Mutex
	names map[string]bool

	closeOnce sync.Once
	closeErr  error
}

// New validates cfg and builds a Limiter. With cfg.RedisURL set it connects
// to Redis and PINGs it (bounded by a short timeout) so that a wrong URL or an
// unreachable server is reported now; the caller decides whether that should
// stop the start or be logged and retried with in-memory counters.
func New(cfg Config) (*Limiter, error) {
	for name, lim := range map[string]Limit{
		NameSignIn:         cfg.SignIn,
		NameGraphQLPerIP:   cfg.GraphQLPerIP,
		NameGraphQLPerUser: cfg.GraphQLPerUser,
		NameUIPerUser:      cfg.UIPerUser,
		NameWebhookPerIP:   cfg.WebhookPerIP,
	} {
		if err := lim.validate(); err != nil {
			return nil, fmt.Errorf("ratelimit: limit %s: %w", name, err)
		}
	}
	if cfg.RedisKeyPrefix == "" {
		cfg.RedisKeyPrefix = defaultRedisKeyPrefix
	}
	l := &Limiter{
		cfg:   cfg,
		log:   cfg.Logger,
		ipKey: cfg.IPKey,
		names: make(map[string]bool),
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	if l.ipKey == nil {
		l.ipKey = remoteAddrIP
	}
	if cfg.RedisURL != "" {
		client, err := dialRedis(cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		l.client = client
	}
	return l, nil
}

// dialRedis parses url and checks that Redis answers.
func dialRedis(rawURL string) (*redis.Client, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Parse errors quote the whole URL, password included; keep
		// only the reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("ratelimit: invalid RedisURL (want redis://[user:password@]host:port[/db] or rediss://…): %w", err)
	}
	// Short timeouts and no retries, as httprate-redis recommends for a
	// client passed in: a slow Redis must trip the in-memory fallback
	// within ~250 ms instead of stalling every request for seconds.
	// Values given in the URL (dial_timeout=…, read_timeout=…) win.
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 500 * time.Millisecond
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = 250 * time.Millisecond
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = 250 * time.Millisecond
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1
	}
	if opts.ClientName == "" {
		opts.ClientName = "avatarcrm-ratelimit"
	}
	// CLIENT SETINFO fails on older or managed Redis and only adds noise.
	opts.DisableIdentity = true

	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), redisPingTimeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("ratelimit: redis at %s did not answer PING: %w", opts.Addr, err)
	}
	return client, nil
}

// Shared reports whether counters are kept in Redis and so shared between
// instances.
func (l *Limiter) Shared() bool { return l.client != nil }

// Close releases the Redis connections; it is a no-op for in-memory
// counters. Middlewares keep working after Close, on their per-instance
// fallback counters, so closing the limiter before the HTTP server has
// drained does not fail requests. (httprate-redis v0.6.0 then keeps one
// goroutine per limit PINGing the closed client every 200 ms; close the
// limiter at process exit, not while the process goes on serving.)
func (l *Limiter) Close() error {
	l.closeOnce.Do(func() {
		if l.client != nil {
			l.closeErr = l.client.Close()
		}
	})
	return l.closeErr
}

// PerIP returns a middleware that allows lim.Requests per lim.Window for each
// client IP (from Config.IPKey).
//
// name identifies the limit in logs and Redis keys, and gives the limit
// its own counters. It must be unique within the Limiter: with Redis, two
// middlewares of one name would silently share a budget while in memory they
// would not, so a repeated name panics at wiring time. To apply one budget to
// several routes, reuse the returned middleware. PerIP also panics on an
// invalid Limit (negative Requests, Window under 1s).
func (l *Limiter) PerIP(name string, lim Limit) func(http.Handler) http.Handler {
	return l.middleware(name, lim, nil)
}

// PerUser returns a middleware that allows lim.Requests per lim.Window for each
// user, as identified by userKey (for example the signed-in user's ID from
// the request context; mount it after the authentication middleware).
// Requests for which userKey returns "" (not signed in) are limited per
// client IP instead, in this limit's own counters. userKey may return a
// session token: it is never logged, and counters store only a hash of it.
// name follows the same rules as in PerIP.
func (l *Limiter) PerUser(name string, lim Limit, userKey func(*http.Request) string) func(http.Handler) http.Handler {
	if userKey == nil {
		panic("ratelimit: PerUser " + name + ": nil userKey")
	}
	return l.middleware(name, lim, userKey)
}

// SignIn limits sign-in attempts per IP with Config.SignIn.
func (l *Limiter) SignIn() func(http.Handler) http.Handler {
	return l.PerIP(NameSignIn, l.cfg.SignIn)
}

// GraphQL limits /graphql per IP (Config.GraphQLPerIP) and then per user
// (Config.GraphQLPerUser). The per-IP check runs first so that floods from
// unauthenticated clients are refused before any per-user work. Mount it after
// the authentication middleware so userKey can see the user.
func (l *Limiter) GraphQL(userKey func(*http.Request) string) func(http.Handler) http.Handler {
	perIP := l.PerIP(NameGraphQLPerIP, l.cfg.GraphQLPerIP)
	perUser := l.PerUser(NameGraphQLPerUser, l.cfg.GraphQLPerUser, userKey)
	return func(next http.Handler) http.Handler { return perIP(perUser(next)) }
}

// UI limits staff UI pages per user with Config.UIPerUser.
func (l *Limiter) UI(userKey func(*http.Request) string) func(http.Handler) http.Handler {
	return l.PerUser(NameUIPerUser, l.cfg.UIPerUser, userKey)
}

// Webhooks limits inbound webhooks per sender IP with Config.WebhookPerIP.
func (l *Limiter) Webhooks() func(http.Handler) http.Handler {
	return l.PerIP(NameWebhookPerIP, l.cfg.WebhookPerIP)
}

// responseHeaders are httprate's default header names in the canonical case
// net/http sends them in anyway ("X-Ratelimit-Limit" on the wire either way;
// HTTP headers are case-insensitive). Passing them pre-canonicalized spares
// Header.Set an allocation per header on every request.
var responseHeaders = httprate.ResponseHeaders{
	Limit:      "X-Ratelimit-Limit",
	Remaining:  headerRemaining,
	Increment:  "X-Ratelimit-Increment",
	Reset:      "X-Ratelimit-Reset",
	RetryAfter: "Retry-After",
}

const headerRemaining = "X-Ratelimit-Remaining"

// Key namespaces: keeping IP and user keys apart means a user ID can never
// collide with an IP string inside one limit's counters.
const (
	ipKeyPrefix   = "ip:"
	userKeyPrefix = "u:"
)

func (l *Limiter) middleware(name string, lim Limit, userKey func(*http.Request) string) func(http.Handler) http.Handler {
	if name == "" {
		panic("ratelimit: empty limit name")
	}
	if err := lim.validate(); err != nil {
		panic("ratelimit: limit " + name + ": " + err.Error())
	}
	l.mu.Lock()
	if l.names[name] {
		l.mu.Unlock()
		panic("ratelimit: limit name " + strconv.Quote(name) + " registered twice; reuse the middleware to share a budget")
	}
	l.names[name] = true
	l.mu.Unlock()

	if lim.Disabled() {
		l.log.Info("rate limit disabled", slog.String("limit", name))
		return func(next http.Handler) http.Handler { return next }
	}

	ipKey := l.ipKey
	key := func(r *http.Request) string {
		return ipKeyPrefix + clientIP(ipKey, r)
	}
	if userKey != nil {
		key = func(r *http.Request) string {
			if u := userKey(r); u != "" {
				return userKeyPrefix + u
			}
			return ipKeyPrefix + clientIP(ipKey, r)
		}
	}

	refused := &refusal{
		name:    name,
		limit:   lim,
		ipKey:   ipKey,
		userKey: userKey,
		log:     l.log,
	}
	rl := httprate.NewRateLimiter(lim.Requests, lim.Window,
		httprate.WithLimitCounter(l.counter(name, lim)),
		httprate.WithResponseHeaders(responseHeaders),
		httprate.WithLimitHandler(refused.serveHTTP),
		httprate.WithErrorHandler(refused.serveError),
	)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// RespondOnLimit rather than rl.Handler with WithKeyFuncs:
			// the key is built once here, without httprate's JoinKeys
			// string builder on every request.
			if rl.RespondOnLimit(w, r, key(r)) {
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// counter returns the counter for one named limit.
//
// The in-memory counter is passed explicitly rather than left to httprate's
// default because the default shifts windows to the limiter's start instant;
// an explicit counter keeps windows on the wall clock, as the Redis counter
// must be, so Retry-After can be computed from the window end.
func (l *Limiter) counter(name string, lim Limit) httprate.LimitCounter {
	if l.client == nil {
		return httprate.NewLocalLimitCounter(lim.Window)
	}
	// Every request in flight when Redis fails reports its own error;
	// one line per second says the same thing.
	var errGate logGate
	return httprateredis.NewCounter(&httprateredis.Config{
		Client:       l.client,
		PrefixKey:    l.cfg.RedisKeyPrefix + ":" + name,
		WindowLength: lim.Window,
		OnError: func(err error) {
			if ok, suppressed := errGate.allow(time.Now()); ok {
				l.log.Warn("rate limit: redis error",
					slog.String("limit", name), slog.Any("err", err), slog.Int64("suppressed", suppressed))
			}
		},
		OnFallbackChange: func(activated bool) {
			if activated {
				l.log.Warn("rate limit: redis unavailable, counting in this instance's memory until it answers",
					slog.String("limit", name))
				return
			}
			l.log.Info("rate limit: redis answers again, counters shared", slog.String("limit", name))
		},
	})
}

// clientIP returns the request's client IP as a bucket key. IPv6 clients are
// bucketed by /64 (httprate.CanonicalizeIP) because one host typically owns a
// whole /64 and could otherwise rotate addresses to get a fresh budget.
func clientIP(ipKey func(*http.Request) string, r *http.Request) string {
	ip := ipKey(r)
	if ip == "" {
		return "unknown"
	}
	return httprate.CanonicalizeIP(ip)
}

// remoteAddrIP is the IPKey used when none is configured.
func remoteAddrIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
