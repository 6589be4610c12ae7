package config

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/netguard"
	"github.com/avatarimaging/avatarcrm/internal/ratelimit"
)

// Security holds the network-facing protections: trusted proxies, the
// global IP allowlist, rate limits and GraphQL introspection.
type Security struct {
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed; from anyone else the header is ignored.
	TrustedProxies []netip.Prefix
	// TrustCloudflare reads CF-Connecting-IP from trusted proxies; set it
	// only when the server is reachable through Cloudflare alone.
	TrustCloudflare bool
	// AllowedIPs is the global allowlist; empty allows every network
	// (locations may still have their own rules).
	AllowedIPs []netip.Prefix
	// RedisURL shares rate-limit counts between instances.
	RedisURL string
	// Rates are the rate limits.
	Rates ratelimit.Config
	// Introspection allows GraphQL schema introspection; on in dev mode.
	Introspection bool

	introspectionSet bool
}

var securitySettings = []Setting{
	{"trusted-proxies", "AVATARCRM_TRUSTED_PROXIES", "none", "CIDRs of load balancers whose X-Forwarded-For is believed"},
	{"trust-cloudflare", "AVATARCRM_TRUST_CLOUDFLARE", "false", "read CF-Connecting-IP from trusted proxies (only when reachable through Cloudflare alone)"},
	{"allowed-ips", "AVATARCRM_ALLOWED_IPS", "none (every network)", "global IPv4/IPv6 allowlist, comma-separated CIDRs; locations add their own in the admin UI"},
	{"redis-url", "AVATARCRM_REDIS_URL", "none (in-memory)", "Redis for rate-limit counts shared by several instances, e.g. redis://127.0.0.1:6379/0"},
	{"rate-signin", "AVATARCRM_RATE_SIGNIN", "10/1m", "sign-in attempts per IP (requests/window; 0 turns a limit off)"},
	{"rate-graphql", "AVATARCRM_RATE_GRAPHQL", "600/1m", "GraphQL requests per IP"},
	{"rate-graphql-user", "AVATARCRM_RATE_GRAPHQL_USER", "300/1m", "GraphQL requests per user or API token"},
	{"rate-ui", "AVATARCRM_RATE_UI", "300/1m", "UI requests per user"},
	{"rate-webhook", "AVATARCRM_RATE_WEBHOOK", "120/1m", "webhook requests per IP"},
	{"graphql-introspection", "AVATARCRM_GRAPHQL_INTROSPECTION", "same as dev", "allow GraphQL schema introspection"},
}

func init() { Settings = append(Settings, securitySettings...) }

type securityFlags struct {
	proxies, cloudflare, allowed, introspection *string
	signin, graphql, graphqlUser, ui, webhook   *string
}

func (c *Config) securityFlags(fs *flag.FlagSet, env func(name, def string) string) *securityFlags {
	fs.StringVar(&c.Security.RedisURL, "redis-url", env("AVATARCRM_REDIS_URL", ""), "Redis URL for shared rate limits")
	return &securityFlags{
		proxies:       fs.String("trusted-proxies", env("AVATARCRM_TRUSTED_PROXIES", ""), "trusted proxy CIDRs"),
		cloudflare:    fs.String("trust-cloudflare", env("AVATARCRM_TRUST_CLOUDFLARE", "false"), "trust CF-Connecting-IP"),
		allowed:       fs.String("allowed-ips", env("AVATARCRM_ALLOWED_IPS", ""), "global IP allowlist"),
		introspection: fs.String("graphql-introspection", env("AVATARCRM_GRAPHQL_INTROSPECTION", ""), "allow GraphQL introspection"),
		signin:        fs.String("rate-signin", env("AVATARCRM_RATE_SIGNIN", "10/1m"), "sign-in rate limit"),
		graphql:       fs.String("rate-graphql", env("AVATARCRM_RATE_GRAPHQL", "600/1m"), "GraphQL rate limit per IP"),
		graphqlUser:   fs.String("rate-graphql-user", env("AVATARCRM_RATE_GRAPHQL_USER", "300/1m"), "GraphQL rate limit per user"),
		ui:            fs.String("rate-ui", env("AVATARCRM_RATE_UI", "300/1m"), "UI rate limit per user"),
		webhook:       fs.String("rate-webhook", env("AVATARCRM_RATE_WEBHOOK", "120/1m"), "webhook rate limit per IP"),
	}
}

// parseSecurity reads the flag values gathered by securityFlags.
func (c *Config) parseSecurity(f *securityFlags) error {
	var errs []error
	s := &c.Security
	var err error
	if s.TrustedProxies, err = netguard.ParseRules(*f.proxies); err != nil {
		errs = append(errs, fmt.Errorf("AVATARCRM_TRUSTED_PROXIES: %w", err))
	}
	if s.AllowedIPs, err = netguard.ParseRules(*f.allowed); err != nil {
		errs = append(errs, fmt.Errorf("AVATARCRM_ALLOWED_IPS: %w", err))
	}
	if s.TrustCloudflare, err = strconv.ParseBool(*f.cloudflare); err != nil {
		errs = append(errs, fmt.Errorf("AVATARCRM_TRUST_CLOUDFLARE: %q is not true or false", *f.cloudflare))
	}
	if *f.introspection != "" {
		s.introspectionSet = true
		if s.Introspection, err = strconv.ParseBool(*f.introspection); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_GRAPHQL_INTROSPECTION: %q is not true or false", *f.introspection))
		}
	}
	s.Rates = ratelimit.DefaultConfig()
	s.Rates.RedisURL = s.RedisURL
	for _, r := range []struct {
		name string
		val  string
		dst  *ratelimit.Limit
	}{
		{"AVATARCRM_RATE_SIGNIN", *f.signin, &s.Rates.SignIn},
		{"AVATARCRM_RATE_GRAPHQL", *f.graphql, &s.Rates.GraphQLPerIP},
		{"AVATARCRM_RATE_GRAPHQL_USER", *f.graphqlUser, &s.Rates.GraphQLPerUser},
		{"AVATARCRM_RATE_UI", *f.ui, &s.Rates.UIPerUser},
		{"AVATARCRM_RATE_WEBHOOK", *f.webhook, &s.Rates.WebhookPerIP},
	} {
		l, err := ParseRate(r.val)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.name, err))
			continue
		}
		*r.dst = l
	}
	if s.RedisURL != "" && !strings.HasPrefix(s.RedisURL, "redis://") && !strings.HasPrefix(s.RedisURL, "rediss://") {
		errs = append(errs, fmt.Errorf("AVATARCRM_REDIS_URL: %q must start with redis:// or rediss://", s.RedisURL))
	}
	return errors.Join(errs...)
}

func (c *Config) securityDefaults() {
	if !c.Security.introspectionSet {
		c.Security.Introspection = c.Dev
	}
}

// ParseRate reads a rate limit written "requests/window", e.g. 10/1m or
// 600/30s; "0" turns the limit off.
func ParseRate(s string) (ratelimit.Limit, error) {
	s = strings.TrimSpace(s)
	if s == "0" || s == "off" {
		return ratelimit.Limit{}, nil
	}
	n, w, ok := strings.Cut(s, "/")
	if !ok {
		return ratelimit.Limit{}, fmt.Errorf("%q: write requests/window, e.g. 10/1m", s)
	}
	req, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || req < 1 {
		return ratelimit.Limit{}, fmt.Errorf("%q: %q is not a positive number of requests", s, n)
	}
	win, err := time.ParseDuration(strings.TrimSpace(w))
	if err != nil || win < time.Second {
		return ratelimit.Limit{}, fmt.Errorf("%q: the window must be a duration of at least 1s, e.g. 1m", s)
	}
	return ratelimit.Limit{Requests: req, Window: win}, nil
}
