// Package config reads the server's settings from flags and AVATARCRM_*
// environment variables and validates them at start, so a mistake fails
// loudly with a message that says what to fix.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/db"
)

// Config is every setting of the server.
type Config struct {
	// Addr is the listen address, host:port.
	Addr string
	// DatabaseURL is sqlite:<path> (default) or postgres://….
	DatabaseURL string
	// Dev enables the development sign-in, the GraphQL playground and
	// introspection. It is on by default only for the zero-config start.
	Dev bool
	// SeedDemo loads the demo data into an empty database at start.
	SeedDemo bool
	// BaseURL is the public URL of the server, e.g. https://crm.example.com.
	// It decides Secure cookies and the sign-in redirect address.
	BaseURL string
	// Timezone is the IANA zone of the first location when a database is
	// created.
	Timezone string
	// SessionIdle is how long a session may sit unused before it ends
	// (HIPAA automatic log-off); SessionMax ends any session after that long.
	SessionIdle time.Duration
	SessionMax  time.Duration
	// LogLevel is debug, info, warn or error; LogFormat text or json.
	LogLevel  string
	LogFormat string
	// ShutdownTimeout bounds a graceful stop.
	ShutdownTimeout time.Duration

	// OIDCIssuer and OIDCClientID turn on sign-in with an OpenID Connect
	// provider (e.g. https://accounts.google.com); both or neither.
	OIDCIssuer   string
	OIDCClientID string
	// OIDCClientSecret is the OAuth client secret, given directly or read
	// from OIDCClientSecretFile (which keeps it out of the environment).
	OIDCClientSecret     string
	OIDCClientSecretFile string
	// OIDCHostedDomain, when set, admits only accounts of that Google
	// Workspace domain (the hd claim and the email domain must both match).
	OIDCHostedDomain string

	// AuditKeyFile holds the audit trail's MAC key (hex); it is created,
	// mode 0600, when missing. AuditKey (hex), when set, is used instead.
	// The key is kept outside the database on purpose (internal/audit).
	AuditKeyFile string
	AuditKey     string
	// AuditHeadFile keeps the audit chain's head (newest id and MAC)
	// outside the database, so cutting entries off the end is detected;
	// default audit.head beside the key file.
	AuditHeadFile string

	// Security holds proxies, allowlists, rate limits and introspection
	// (security.go).
	Security Security

	// AI holds the AI layer's settings (ai.go).
	AI AI
	// Jobs is the job queue and the schedules (jobs.go).
	Jobs Jobs
	// Capacity bounds the requests run at once (capacity.go).
	Capacity Capacity
	// SMS is the SMS provider and its settings (sms.go).
	SMS SMS
	// Integrations are the inbound webhooks' settings (integrations.go).
	Integrations Integrations
	// Webhooks are outbound webhooks and the lead form (webhooks.go).
	Webhooks Webhooks
	// Email is the email provider and its settings (email.go).
	Email Email

	// devSet records whether Dev was given explicitly.
	devSet bool
	// seedSet records whether SeedDemo was given explicitly.
	seedSet bool
}

// Setting describes one setting for flags, environment and documentation.
type Setting struct {
	Flag, Env, Default, Help string
}

// Settings lists every setting; the README's configuration table is kept in
// step with it by a test.
var Settings = []Setting{
	{"addr", "AVATARCRM_ADDR", "127.0.0.1:8080", "listen address, host:port"},
	{"database-url", "AVATARCRM_DATABASE_URL", db.DefaultURL, "sqlite:<path> or postgres://user:pass@host/db"},
	{"dev", "AVATARCRM_DEV", "on only for the zero-config start", "development mode: dev sign-in at POST /auth/dev, GraphQL playground, introspection"},
	{"seed-demo", "AVATARCRM_SEED_DEMO", "same as dev", "load the demo data into an empty database at start"},
	{"base-url", "AVATARCRM_BASE_URL", "http://<addr>", "public URL; https:// makes cookies Secure"},
	{"timezone", "AVATARCRM_TIMEZONE", "Australia/Sydney", "IANA time zone of the first location"},
	{"session-idle", "AVATARCRM_SESSION_IDLE", "15m", "idle time after which a session ends (automatic log-off)"},
	{"session-max", "AVATARCRM_SESSION_MAX", "12h", "absolute session lifetime"},
	{"log-level", "AVATARCRM_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"log-format", "AVATARCRM_LOG_FORMAT", "text", "text or json"},
	{"shutdown-timeout", "AVATARCRM_SHUTDOWN_TIMEOUT", "15s", "how long a graceful stop may take"},
	{"oidc-issuer", "AVATARCRM_OIDC_ISSUER", "none", "OpenID Connect issuer, e.g. https://accounts.google.com; with the client id it turns on sign-in (and dev mode off by default)"},
	{"oidc-client-id", "AVATARCRM_OIDC_CLIENT_ID", "none", "OAuth client id registered with the provider; redirect URL is <base-url>/auth/callback"},
	{"oidc-client-secret", "AVATARCRM_OIDC_CLIENT_SECRET", "none", "OAuth client secret (required with the issuer; or use the _FILE form)"},
	{"oidc-client-secret-file", "AVATARCRM_OIDC_CLIENT_SECRET_FILE", "none", "file holding the OAuth client secret"},
	{"oidc-hosted-domain", "AVATARCRM_OIDC_HOSTED_DOMAIN", "none", "admit only accounts of this Google Workspace domain, e.g. avatarimaging.com.au"},
	{"audit-key-file", "AVATARCRM_AUDIT_KEY_FILE", "audit.key beside the SQLite file, else ./data/audit.key", "file holding the audit trail's HMAC key (hex); created with mode 0600 if missing; must not be readable by group or others"},
	{"audit-key", "AVATARCRM_AUDIT_KEY", "none", "the audit HMAC key in hex (at least 32 bytes) instead of the key file"},
	{"audit-head-file", "AVATARCRM_AUDIT_HEAD_FILE", "audit.head beside the key file", "where the server keeps the audit chain's head (newest entry id and MAC), rewritten as entries are written; `audit verify` checks the trail against it, so deleted newest entries are caught"},
}

// Load reads settings from args (flags) over the environment (getenv).
func Load(args []string, getenv func(string) string) (*Config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	c := &Config{}
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("AVATARCRM_ADDR", "127.0.0.1:8080"), "listen address")
	fs.StringVar(&c.DatabaseURL, "database-url", env("AVATARCRM_DATABASE_URL", ""), "database URL")
	devStr := fs.String("dev", env("AVATARCRM_DEV", ""), "development mode (true/false)")
	seedStr := fs.String("seed-demo", env("AVATARCRM_SEED_DEMO", ""), "seed demo data into an empty database (true/false)")
	fs.StringVar(&c.BaseURL, "base-url", env("AVATARCRM_BASE_URL", ""), "public base URL")
	fs.StringVar(&c.Timezone, "timezone", env("AVATARCRM_TIMEZONE", "Australia/Sydney"), "IANA time zone of the first location")
	idle := fs.String("session-idle", env("AVATARCRM_SESSION_IDLE", "15m"), "session idle timeout")
	maxAge := fs.String("session-max", env("AVATARCRM_SESSION_MAX", "12h"), "session absolute lifetime")
	fs.StringVar(&c.LogLevel, "log-level", env("AVATARCRM_LOG_LEVEL", "info"), "log level")
	fs.StringVar(&c.LogFormat, "log-format", env("AVATARCRM_LOG_FORMAT", "text"), "log format")
	shutdown := fs.String("shutdown-timeout", env("AVATARCRM_SHUTDOWN_TIMEOUT", "15s"), "graceful stop timeout")
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", env("AVATARCRM_OIDC_ISSUER", ""), "OpenID Connect issuer URL")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", env("AVATARCRM_OIDC_CLIENT_ID", ""), "OAuth client id")
	fs.StringVar(&c.OIDCClientSecret, "oidc-client-secret", env("AVATARCRM_OIDC_CLIENT_SECRET", ""), "OAuth client secret")
	fs.StringVar(&c.OIDCClientSecretFile, "oidc-client-secret-file", env("AVATARCRM_OIDC_CLIENT_SECRET_FILE", ""), "file holding the OAuth client secret")
	fs.StringVar(&c.OIDCHostedDomain, "oidc-hosted-domain", env("AVATARCRM_OIDC_HOSTED_DOMAIN", ""), "Google Workspace domain to admit")
	fs.StringVar(&c.AuditKeyFile, "audit-key-file", env("AVATARCRM_AUDIT_KEY_FILE", ""), "file holding the audit HMAC key")
	fs.StringVar(&c.AuditKey, "audit-key", env("AVATARCRM_AUDIT_KEY", ""), "audit HMAC key in hex (instead of the key file)")
	fs.StringVar(&c.AuditHeadFile, "audit-head-file", env("AVATARCRM_AUDIT_HEAD_FILE", ""), "file keeping the audit chain's head")
	sec := c.securityFlags(fs, env)
	readAI := AIFlags(fs, getenv)
	jf := jobsFlagSet(fs, env)
	sf := smsFlagSet(fs, env)
	inf := integrationFlagSet(fs, env)
	wf := webhooksFlagSet(fs, env)
	cf := capacityFlagSet(fs, env)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var errs []error
	var err error
	if *devStr != "" {
		c.devSet = true
		if c.Dev, err = strconv.ParseBool(*devStr); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_DEV / --dev: %q is not true or false", *devStr))
		}
	}
	if *seedStr != "" {
		c.seedSet = true
		if c.SeedDemo, err = strconv.ParseBool(*seedStr); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_SEED_DEMO / --seed-demo: %q is not true or false", *seedStr))
		}
	}
	c.SessionIdle, err = parseDuration("AVATARCRM_SESSION_IDLE / --session-idle", *idle, time.Minute)
	errs = append(errs, err)
	c.SessionMax, err = parseDuration("AVATARCRM_SESSION_MAX / --session-max", *maxAge, time.Minute)
	errs = append(errs, err)
	c.ShutdownTimeout, err = parseDuration("AVATARCRM_SHUTDOWN_TIMEOUT / --shutdown-timeout", *shutdown, time.Second)
	errs = append(errs, err)
	errs = append(errs, c.readOIDCSecret())
	errs = append(errs, c.parseSecurity(sec))
	c.AI, err = readAI()
	errs = append(errs, err)
	errs = append(errs, c.parseJobs(jf))
	errs = append(errs, c.parseSMS(sf))
	errs = append(errs, c.parseIntegrations(inf))
	errs = append(errs, c.parseWebhooks(wf))
	errs = append(errs, c.parseCapacity(cf))
	c.Email, err = readEmail(env)
	errs = append(errs, err)
	c.defaults()
	c.securityDefaults()
	errs = append(errs, c.validate())
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// defaults fills settings that depend on others.
func (c *Config) defaults() {
	if !c.devSet {
		// Dev mode is on only for the zero-config demo: the default SQLite
		// file, served on a loopback address. Any real deployment sets a
		// database or binds a public address, and so gets dev mode off; so
		// does a server with real sign-in configured.
		c.Dev = c.DatabaseURL == "" && isLoopback(c.Addr) && !c.OIDCEnabled()
	}
	if !c.seedSet {
		c.SeedDemo = c.Dev
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.AuditKeyFile == "" {
		c.AuditKeyFile = DefaultAuditKeyFile(c.DatabaseURL)
	}
	if c.Email.TrackingKeyFile == "" {
		c.Email.TrackingKeyFile = filepath.Join(filepath.Dir(c.AuditKeyFile), "tracking.key")
	}
	if c.AuditHeadFile == "" {
		c.AuditHeadFile = DefaultAuditHeadFile(c.AuditKeyFile)
	}
	c.OIDCIssuer = strings.TrimRight(c.OIDCIssuer, "/")
	c.OIDCHostedDomain = strings.ToLower(c.OIDCHostedDomain)
}

func (c *Config) validate() error {
	var errs []error
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		errs = append(errs, fmt.Errorf("AVATARCRM_ADDR / --addr: %q is not host:port", c.Addr))
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		errs = append(errs, fmt.Errorf("AVATARCRM_ADDR / --addr: port %q must be a number from 0 to 65535", port))
	} else if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		errs = append(errs, fmt.Errorf("AVATARCRM_ADDR / --addr: host %q is not an IP address or host name", host))
	}
	if t, err := db.Parse(c.DatabaseURL); err != nil {
		errs = append(errs, fmt.Errorf("AVATARCRM_DATABASE_URL / --database-url: %w", err))
	} else if err := t.CheckPath(); err != nil {
		errs = append(errs, fmt.Errorf("AVATARCRM_DATABASE_URL / --database-url: %w", err))
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" || c.Timezone == "Local" {
		errs = append(errs, fmt.Errorf("AVATARCRM_TIMEZONE / --timezone: unknown time zone %q (want an IANA name such as Australia/Sydney)", c.Timezone))
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		errs = append(errs, fmt.Errorf("AVATARCRM_BASE_URL / --base-url: %q must start with http:// or https://", c.BaseURL))
	}
	if c.SessionMax < c.SessionIdle {
		errs = append(errs, fmt.Errorf("AVATARCRM_SESSION_MAX (%s) must not be shorter than AVATARCRM_SESSION_IDLE (%s)", c.SessionMax, c.SessionIdle))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("AVATARCRM_LOG_LEVEL / --log-level: %q is not debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("AVATARCRM_LOG_FORMAT / --log-format: %q is not text or json", c.LogFormat))
	}
	errs = append(errs, c.validateOIDC())
	return errors.Join(errs...)
}

// OIDCEnabled reports whether sign-in with an OpenID Connect provider is
// configured.
func (c *Config) OIDCEnabled() bool { return c.OIDCIssuer != "" && c.OIDCClientID != "" }

// OIDCRedirectURL is the address the provider sends the browser back to;
// it must be registered with the provider exactly.
func (c *Config) OIDCRedirectURL() string { return c.BaseURL + "/auth/callback" }

// readOIDCSecret loads the client secret from its file, if one is named.
func (c *Config) readOIDCSecret() error {
	if c.OIDCClientSecretFile == "" {
		return nil
	}
	if c.OIDCClientSecret != "" {
		return errors.New("AVATARCRM_OIDC_CLIENT_SECRET and AVATARCRM_OIDC_CLIENT_SECRET_FILE are both set: use one")
	}
	b, err := os.ReadFile(c.OIDCClientSecretFile)
	if err != nil {
		return fmt.Errorf("AVATARCRM_OIDC_CLIENT_SECRET_FILE / --oidc-client-secret-file: %w", err)
	}
	// Secrets written with echo end in a newline that is not part of them.
	c.OIDCClientSecret = strings.TrimSpace(string(b))
	if c.OIDCClientSecret == "" {
		return fmt.Errorf("AVATARCRM_OIDC_CLIENT_SECRET_FILE / --oidc-client-secret-file: %s is empty", c.OIDCClientSecretFile)
	}
	return nil
}

// validateOIDC refuses partial sign-in settings: a half-configured provider
// would otherwise leave the server without any way to sign in, or with a
// domain restriction silently ignored.
func (c *Config) validateOIDC() error {
	if !c.OIDCEnabled() {
		var set []string
		for _, s := range []struct{ name, v string }{
			{"AVATARCRM_OIDC_ISSUER", c.OIDCIssuer},
			{"AVATARCRM_OIDC_CLIENT_ID", c.OIDCClientID},
			{"AVATARCRM_OIDC_CLIENT_SECRET", c.OIDCClientSecret},
			{"AVATARCRM_OIDC_HOSTED_DOMAIN", c.OIDCHostedDomain},
		} {
			if s.v != "" {
				set = append(set, s.name)
			}
		}
		if len(set) > 0 {
			return fmt.Errorf("OpenID Connect sign-in is partly configured (%s set): set both AVATARCRM_OIDC_ISSUER and AVATARCRM_OIDC_CLIENT_ID, or neither", strings.Join(set, ", "))
		}
		return nil
	}
	var errs []error
	u, err := url.Parse(c.OIDCIssuer)
	switch {
	case err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, fmt.Errorf("AVATARCRM_OIDC_ISSUER / --oidc-issuer: %q is not an issuer URL such as https://accounts.google.com", c.OIDCIssuer))
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(net.JoinHostPort(u.Hostname(), "0")):
		// A provider on this machine (a test double) needs no TLS.
	default:
		errs = append(errs, fmt.Errorf("AVATARCRM_OIDC_ISSUER / --oidc-issuer: %q must start with https:// (http:// only for a provider on a loopback address)", c.OIDCIssuer))
	}
	if c.OIDCClientSecret == "" {
		errs = append(errs, errors.New("AVATARCRM_OIDC_CLIENT_SECRET or AVATARCRM_OIDC_CLIENT_SECRET_FILE is required with AVATARCRM_OIDC_ISSUER"))
	}
	if c.OIDCHostedDomain != "" && (!validHostname(c.OIDCHostedDomain) || !strings.Contains(c.OIDCHostedDomain, ".")) {
		errs = append(errs, fmt.Errorf("AVATARCRM_OIDC_HOSTED_DOMAIN / --oidc-hosted-domain: %q is not a domain such as avatarimaging.com.au", c.OIDCHostedDomain))
	}
	return errors.Join(errs...)
}

// SecureCookies reports whether cookies must be marked Secure.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

func parseDuration(name, s string, min time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration such as 15m", name, s)
	}
	if d < min {
		return 0, fmt.Errorf("%s: %s is shorter than %s", name, d, min)
	}
	return d, nil
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, part := range strings.Split(h, ".") {
		if part == "" || len(part) > 63 {
			return false
		}
		for _, r := range part {
			if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// DefaultAuditHeadFile is where the audit chain's head is kept unless a
// setting says otherwise: audit.head beside the key file, which should be
// outside the data directory (docs/SECURITY.md).
func DefaultAuditHeadFile(keyFile string) string {
	return filepath.Join(filepath.Dir(keyFile), "audit.head")
}

// DataDir is the directory that holds the database's files, which backups
// and copies take along: the SQLite file's directory, or ./data (where the
// defaults put the key) for PostgreSQL.
func DataDir(databaseURL string) string {
	if t, err := db.Parse(databaseURL); err == nil && t.Path != "" {
		return filepath.Dir(t.Path)
	}
	return "./data"
}

// DefaultAuditKeyFile is where the audit key lives unless a setting says
// otherwise: beside the SQLite file (so each database has its own key), or
// ./data/audit.key for PostgreSQL. Production should point
// AVATARCRM_AUDIT_KEY_FILE at a secret-store mount instead.
func DefaultAuditKeyFile(databaseURL string) string {
	if t, err := db.Parse(databaseURL); err == nil && t.Path != "" {
		return filepath.Join(filepath.Dir(t.Path), "audit.key")
	}
	return "./data/audit.key"
}
