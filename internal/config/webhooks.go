package config

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ratelimit"
)

// Webhooks configures outbound webhooks for integrators (internal/webhooks)
// and the website lead form (internal/leadform).
type Webhooks struct {
	// AllowPrivate lets outbound webhooks reach private, loopback and
	// link-local addresses (off: they are refused at dial time, SSRF).
	AllowPrivate bool
	// Retry is the wait before each retry of a failed delivery.
	Retry []time.Duration
	// DisableAfter: a subscription failing this long whose delivery runs
	// out of attempts is disabled.
	DisableAfter time.Duration
	// LeadFormRate limits lead form posts per IP.
	LeadFormRate ratelimit.Limit
}

// DefaultWebhookRetry is Standard Webhooks' suggested schedule, about
// three days.
const DefaultWebhookRetry = "5s,5m,30m,2h,5h,10h,10h,24h,24h"

var webhookSettings = []Setting{
	{"webhooks-allow-private", "AVATARCRM_WEBHOOKS_ALLOW_PRIVATE", "false", "let outbound webhooks reach private, loopback and link-local addresses (refused otherwise, against server-side request forgery)"},
	{"webhooks-retry", "AVATARCRM_WEBHOOKS_RETRY", DefaultWebhookRetry, "waits before each retry of a failed outbound webhook, comma-separated durations"},
	{"webhooks-disable-after", "AVATARCRM_WEBHOOKS_DISABLE_AFTER", "72h", "an outbound webhook subscription failing this long is disabled (and staff get a task) when a delivery runs out of retries"},
	{"rate-lead-form", "AVATARCRM_RATE_LEAD_FORM", "10/1m", "website lead form posts per IP (requests/window; 0 turns it off)"},
}

func init() { Settings = append(Settings, webhookSettings...) }

type webhookFlags struct{ allowPrivate, retry, disableAfter, leadRate *string }

func webhooksFlagSet(fs *flag.FlagSet, env func(name, def string) string) *webhookFlags {
	return &webhookFlags{
		allowPrivate: fs.String("webhooks-allow-private", env("AVATARCRM_WEBHOOKS_ALLOW_PRIVATE", "false"), "outbound webhooks may reach private addresses"),
		retry:        fs.String("webhooks-retry", env("AVATARCRM_WEBHOOKS_RETRY", DefaultWebhookRetry), "outbound webhook retry waits"),
		disableAfter: fs.String("webhooks-disable-after", env("AVATARCRM_WEBHOOKS_DISABLE_AFTER", "72h"), "disable a subscription failing this long"),
		leadRate:     fs.String("rate-lead-form", env("AVATARCRM_RATE_LEAD_FORM", "10/1m"), "lead form posts per IP"),
	}
}

func (c *Config) parseWebhooks(f *webhookFlags) error {
	var errs []error
	w := &c.Webhooks
	var err error
	if w.AllowPrivate, err = strconv.ParseBool(*f.allowPrivate); err != nil {
		errs = append(errs, fmt.Errorf("AVATARCRM_WEBHOOKS_ALLOW_PRIVATE / --webhooks-allow-private: %q is not true or false", *f.allowPrivate))
	}
	w.Retry = nil
	for _, p := range strings.Split(*f.retry, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(p))
		if err != nil || d <= 0 || d > 7*24*time.Hour {
			errs = append(errs, fmt.Errorf("AVATARCRM_WEBHOOKS_RETRY / --webhooks-retry: %q is not a list of durations such as %s", *f.retry, DefaultWebhookRetry))
			break
		}
		w.Retry = append(w.Retry, d)
	}
	if len(w.Retry) > 30 {
		errs = append(errs, errors.New("AVATARCRM_WEBHOOKS_RETRY / --webhooks-retry: at most 30 retries"))
	}
	if w.DisableAfter, err = time.ParseDuration(*f.disableAfter); err != nil || w.DisableAfter < 0 {
		errs = append(errs, fmt.Errorf("AVATARCRM_WEBHOOKS_DISABLE_AFTER / --webhooks-disable-after: %q is not a duration such as 72h", *f.disableAfter))
	}
	if w.LeadFormRate, err = ParseRate(*f.leadRate); err != nil {
		errs = append(errs, fmt.Errorf("AVATARCRM_RATE_LEAD_FORM / --rate-lead-form: %w", err))
	}
	return errors.Join(errs...)
}
