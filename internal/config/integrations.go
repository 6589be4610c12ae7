package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Integrations are the inbound webhooks' settings (issue 16): Wix
// Bookings, ManyChat, the pipeline's retries and the staff alerts
// (internal/hooks, internal/wix, internal/manychat, internal/alert).
type Integrations struct {
	// SlackWebhookURL receives staff alerts; empty stores them in the
	// outbox (shown on the admin events page).
	SlackWebhookURL string
	// WebhookMaxAttempts is how many times a stored event is processed
	// before it is dead-lettered; WebhookRetryBase the first retry's wait
	// (doubling up to an hour); WebhookAlertAfter the failed attempts
	// after which staff are alerted.
	WebhookMaxAttempts int
	WebhookRetryBase   time.Duration
	WebhookAlertAfter  int

	// WixPublicKeyPEM is the Wix app's public key (PEM); empty turns
	// /hooks/wix off (404).
	WixPublicKeyPEM []byte
	// WixLocation is the code of the location Wix bookings belong to
	// (default: the first location).
	WixLocation string
	// WixAPIBaseURL, WixAPIKey and WixSiteID reach the Wix Bookings API
	// for the manual sync.
	WixAPIBaseURL, WixAPIKey, WixSiteID string

	// ManyChatSecret is the global shared secret of /hooks/manychat, for
	// ManyChatLocation (default: the first location); ManyChatSecrets are
	// secrets per location code. No secret at all turns the route off.
	ManyChatSecret   string
	ManyChatLocation string
	ManyChatSecrets  map[string]string
	// ManyChatFields maps ManyChat custom field names to contact fields.
	ManyChatFields map[string]string
}

var integrationSettings = []Setting{
	{"slack-webhook-url", "AVATARCRM_SLACK_WEBHOOK_URL", "none (alerts go to the outbox on the admin events page)", "Slack incoming-webhook URL for staff alerts (or use the _FILE form)"},
	{"slack-webhook-url-file", "AVATARCRM_SLACK_WEBHOOK_URL_FILE", "none", "file holding the Slack incoming-webhook URL"},
	{"webhook-max-attempts", "AVATARCRM_WEBHOOK_MAX_ATTEMPTS", "10", "processing attempts of a stored webhook event before it is dead-lettered"},
	{"webhook-retry-base", "AVATARCRM_WEBHOOK_RETRY_BASE", "5s", "wait before a webhook event's first retry, doubling up to 1h"},
	{"webhook-alert-after", "AVATARCRM_WEBHOOK_ALERT_AFTER", "3", "failed attempts of a webhook event after which staff are alerted (Slack or outbox)"},
	{"wix-public-key-file", "AVATARCRM_WIX_PUBLIC_KEY_FILE", "none (/hooks/wix off)", "PEM file of the Wix app's public key; Wix webhooks are JWTs signed RS256 with it"},
	{"wix-location", "AVATARCRM_WIX_LOCATION", "the first location", "code of the location Wix bookings belong to"},
	{"wix-api-base-url", "AVATARCRM_WIX_API_BASE_URL", "https://www.wixapis.com", "Wix REST API root for `avatarcrm wix sync` (a local fake in tests)"},
	{"wix-api-key", "AVATARCRM_WIX_API_KEY", "none", "Wix API key or access token for the manual sync (or use the _FILE form)"},
	{"wix-api-key-file", "AVATARCRM_WIX_API_KEY_FILE", "none", "file holding the Wix API key"},
	{"wix-site-id", "AVATARCRM_WIX_SITE_ID", "none", "Wix site id (wix-site-id header) for the manual sync with an API key"},
	{"manychat-secret", "AVATARCRM_MANYCHAT_SECRET", "none (/hooks/manychat off)", "shared secret ManyChat sends in the Authorization header (or use the _FILE form)"},
	{"manychat-secret-file", "AVATARCRM_MANYCHAT_SECRET_FILE", "none", "file holding the ManyChat shared secret"},
	{"manychat-location", "AVATARCRM_MANYCHAT_LOCATION", "the first location", "code of the location the global ManyChat secret stands for"},
	{"manychat-secrets-file", "AVATARCRM_MANYCHAT_SECRETS_FILE", "none", "per-location ManyChat secrets: lines CODE=secret"},
	{"manychat-fields", "AVATARCRM_MANYCHAT_FIELDS", "none", "ManyChat custom fields to contact fields, e.g. `dob=date_of_birth,gp=referrer,note=notes`"},
}

func init() { Settings = append(Settings, integrationSettings...) }

type integrationFlags struct {
	slack, slackFile, maxAttempts, retryBase, alertAfter           *string
	wixKeyFile, wixLoc, wixBase, wixAPIKey, wixAPIKeyFile, wixSite *string
	mcSecret, mcSecretFile, mcLoc, mcSecretsFile, mcFields         *string
}

func integrationFlagSet(fs *flag.FlagSet, env func(name, def string) string) *integrationFlags {
	f := &integrationFlags{}
	for _, s := range integrationSettings {
		def := ""
		switch s.Env {
		case "AVATARCRM_WEBHOOK_MAX_ATTEMPTS", "AVATARCRM_WEBHOOK_RETRY_BASE", "AVATARCRM_WEBHOOK_ALERT_AFTER", "AVATARCRM_WIX_API_BASE_URL":
			def = s.Default
		}
		p := fs.String(s.Flag, env(s.Env, def), s.Help)
		switch s.Flag {
		case "slack-webhook-url":
			f.slack = p
		case "slack-webhook-url-file":
			f.slackFile = p
		case "webhook-max-attempts":
			f.maxAttempts = p
		case "webhook-retry-base":
			f.retryBase = p
		case "webhook-alert-after":
			f.alertAfter = p
		case "wix-public-key-file":
			f.wixKeyFile = p
		case "wix-location":
			f.wixLoc = p
		case "wix-api-base-url":
			f.wixBase = p
		case "wix-api-key":
			f.wixAPIKey = p
		case "wix-api-key-file":
			f.wixAPIKeyFile = p
		case "wix-site-id":
			f.wixSite = p
		case "manychat-secret":
			f.mcSecret = p
		case "manychat-secret-file":
			f.mcSecretFile = p
		case "manychat-location":
			f.mcLoc = p
		case "manychat-secrets-file":
			f.mcSecretsFile = p
		case "manychat-fields":
			f.mcFields = p
		}
	}
	return f
}

// secret reads a secret given directly or in a file (not both).
func secret(name, val, file string) (string, error) {
	if file == "" {
		return strings.TrimSpace(val), nil
	}
	if val != "" {
		return "", fmt.Errorf("%s and %s_FILE are both set: use one", name, name)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s_FILE: %s is empty", name, file)
	}
	return s, nil
}

// ContactFieldsFromManyChat are the contact fields a ManyChat custom field
// may fill.
var ContactFieldsFromManyChat = []string{"first_name", "last_name", "phone", "email", "date_of_birth", "referrer", "notes", "tags"}

// parseIntegrations reads the flag values gathered by integrationFlagSet.
func (c *Config) parseIntegrations(f *integrationFlags) error {
	var errs []error
	in := &c.Integrations
	var err error
	if in.SlackWebhookURL, err = secret("AVATARCRM_SLACK_WEBHOOK_URL", *f.slack, *f.slackFile); err != nil {
		errs = append(errs, err)
	} else if in.SlackWebhookURL != "" {
		if u, err := url.Parse(in.SlackWebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, errors.New("AVATARCRM_SLACK_WEBHOOK_URL: not an http(s) URL"))
		}
	}
	if in.WebhookMaxAttempts, err = strconv.Atoi(*f.maxAttempts); err != nil || in.WebhookMaxAttempts < 1 || in.WebhookMaxAttempts > 100 {
		errs = append(errs, fmt.Errorf("AVATARCRM_WEBHOOK_MAX_ATTEMPTS / --webhook-max-attempts: %q is not a number from 1 to 100", *f.maxAttempts))
	}
	if in.WebhookAlertAfter, err = strconv.Atoi(*f.alertAfter); err != nil || in.WebhookAlertAfter < 1 {
		errs = append(errs, fmt.Errorf("AVATARCRM_WEBHOOK_ALERT_AFTER / --webhook-alert-after: %q is not a positive number", *f.alertAfter))
	}
	in.WebhookRetryBase, err = parseDuration("AVATARCRM_WEBHOOK_RETRY_BASE / --webhook-retry-base", *f.retryBase, time.Millisecond)
	errs = append(errs, err)
	if *f.wixKeyFile != "" {
		if in.WixPublicKeyPEM, err = os.ReadFile(*f.wixKeyFile); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_WIX_PUBLIC_KEY_FILE / --wix-public-key-file: %w", err))
		}
	}
	in.WixLocation = strings.TrimSpace(*f.wixLoc)
	in.WixAPIBaseURL = strings.TrimRight(*f.wixBase, "/")
	if u, err := url.Parse(in.WixAPIBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("AVATARCRM_WIX_API_BASE_URL / --wix-api-base-url: %q is not an http(s) URL", *f.wixBase))
	}
	if in.WixAPIKey, err = secret("AVATARCRM_WIX_API_KEY", *f.wixAPIKey, *f.wixAPIKeyFile); err != nil {
		errs = append(errs, err)
	}
	in.WixSiteID = strings.TrimSpace(*f.wixSite)
	if in.ManyChatSecret, err = secret("AVATARCRM_MANYCHAT_SECRET", *f.mcSecret, *f.mcSecretFile); err != nil {
		errs = append(errs, err)
	} else if in.ManyChatSecret != "" && len(in.ManyChatSecret) < 16 {
		errs = append(errs, errors.New("AVATARCRM_MANYCHAT_SECRET: use at least 16 characters"))
	}
	in.ManyChatLocation = strings.TrimSpace(*f.mcLoc)
	if *f.mcSecretsFile != "" {
		b, err := os.ReadFile(*f.mcSecretsFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_MANYCHAT_SECRETS_FILE: %w", err))
		}
		in.ManyChatSecrets = map[string]string{}
		for i, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			code, sec, ok := strings.Cut(line, "=")
			code, sec = strings.TrimSpace(code), strings.TrimSpace(sec)
			if !ok || code == "" || len(sec) < 16 {
				errs = append(errs, fmt.Errorf("AVATARCRM_MANYCHAT_SECRETS_FILE line %d: write CODE=secret (a secret of at least 16 characters)", i+1))
				continue
			}
			in.ManyChatSecrets[code] = sec
		}
	}
	in.ManyChatFields = map[string]string{}
	for _, pair := range strings.Split(*f.mcFields, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		from, to, ok := strings.Cut(pair, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		known := false
		for _, k := range ContactFieldsFromManyChat {
			known = known || k == to
		}
		if !ok || from == "" || !known {
			errs = append(errs, fmt.Errorf("AVATARCRM_MANYCHAT_FIELDS: %q is not customField=contactField (one of %s)", pair, strings.Join(ContactFieldsFromManyChat, ", ")))
			continue
		}
		in.ManyChatFields[from] = to
	}
	return errors.Join(errs...)
}
