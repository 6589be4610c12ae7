package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// SMS says how outbound SMS are sent (internal/messaging).
type SMS struct {
	// Provider is "outbox" (store and show, send nothing) or "clicksend".
	Provider          string
	ClickSendUsername string
	ClickSendAPIKey   string
	ClickSendBaseURL  string
	// ClickSendRate is the most requests a second sent to ClickSend.
	ClickSendRate float64
	// From is the sender ID or number; empty lets the provider choose.
	From string
	// PriceCents is the price of one SMS segment, for the cost of messages
	// the provider does not price (the outbox) and of previews.
	PriceCents int
}

var smsSettings = []Setting{
	{"sms-provider", "AVATARCRM_SMS_PROVIDER", "outbox", "outbox (stores what would be sent and shows it on the messages page) or clicksend"},
	{"clicksend-username", "AVATARCRM_CLICKSEND_USERNAME", "none", "ClickSend API username (required with clicksend)"},
	{"clicksend-api-key", "AVATARCRM_CLICKSEND_API_KEY", "none", "ClickSend API key (or use the _FILE form)"},
	{"clicksend-api-key-file", "AVATARCRM_CLICKSEND_API_KEY_FILE", "none", "file holding the ClickSend API key"},
	{"clicksend-base-url", "AVATARCRM_CLICKSEND_BASE_URL", "https://rest.clicksend.com", "ClickSend REST API root (a local fake in tests)"},
	{"clicksend-rate", "AVATARCRM_CLICKSEND_RATE", "5", "most send requests a second to ClickSend"},
	{"sms-from", "AVATARCRM_SMS_FROM", "none", "sender ID or number of SMS (up to 11 letters or an E.164 number)"},
	{"sms-price-cents", "AVATARCRM_SMS_PRICE_CENTS", "8", "price of one SMS segment in cents, for the outbox's costs and previews"},
}

func init() { Settings = append(Settings, smsSettings...) }

type smsFlags struct{ provider, user, key, keyFile, base, rate, from, price *string }

func smsFlagSet(fs *flag.FlagSet, env func(name, def string) string) *smsFlags {
	return &smsFlags{
		provider: fs.String("sms-provider", env("AVATARCRM_SMS_PROVIDER", "outbox"), "SMS provider: outbox or clicksend"),
		user:     fs.String("clicksend-username", env("AVATARCRM_CLICKSEND_USERNAME", ""), "ClickSend API username"),
		key:      fs.String("clicksend-api-key", env("AVATARCRM_CLICKSEND_API_KEY", ""), "ClickSend API key"),
		keyFile:  fs.String("clicksend-api-key-file", env("AVATARCRM_CLICKSEND_API_KEY_FILE", ""), "file holding the ClickSend API key"),
		base:     fs.String("clicksend-base-url", env("AVATARCRM_CLICKSEND_BASE_URL", "https://rest.clicksend.com"), "ClickSend REST API root"),
		rate:     fs.String("clicksend-rate", env("AVATARCRM_CLICKSEND_RATE", "5"), "ClickSend requests a second"),
		from:     fs.String("sms-from", env("AVATARCRM_SMS_FROM", ""), "SMS sender ID or number"),
		price:    fs.String("sms-price-cents", env("AVATARCRM_SMS_PRICE_CENTS", "8"), "price of one SMS segment in cents"),
	}
}

// parseSMS reads the flag values gathered by smsFlagSet.
func (c *Config) parseSMS(f *smsFlags) error {
	var errs []error
	s := &c.SMS
	s.Provider = strings.ToLower(strings.TrimSpace(*f.provider))
	s.ClickSendUsername, s.ClickSendAPIKey, s.From = *f.user, *f.key, strings.TrimSpace(*f.from)
	s.ClickSendBaseURL = strings.TrimRight(*f.base, "/")
	if u, err := url.Parse(s.ClickSendBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("AVATARCRM_CLICKSEND_BASE_URL / --clicksend-base-url: %q is not an http(s) URL", *f.base))
	}
	var err error
	if s.ClickSendRate, err = strconv.ParseFloat(*f.rate, 64); err != nil || s.ClickSendRate <= 0 || s.ClickSendRate > 1000 {
		errs = append(errs, fmt.Errorf("AVATARCRM_CLICKSEND_RATE / --clicksend-rate: %q is not a number of requests a second (0 to 1000)", *f.rate))
	}
	if s.PriceCents, err = strconv.Atoi(*f.price); err != nil || s.PriceCents < 0 || s.PriceCents > 10000 {
		errs = append(errs, fmt.Errorf("AVATARCRM_SMS_PRICE_CENTS / --sms-price-cents: %q is not a whole number of cents (0 to 10000)", *f.price))
	}
	if *f.keyFile != "" {
		if s.ClickSendAPIKey != "" {
			errs = append(errs, errors.New("AVATARCRM_CLICKSEND_API_KEY and AVATARCRM_CLICKSEND_API_KEY_FILE are both set: use one"))
		} else if b, err := os.ReadFile(*f.keyFile); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_CLICKSEND_API_KEY_FILE / --clicksend-api-key-file: %w", err))
		} else if s.ClickSendAPIKey = strings.TrimSpace(string(b)); s.ClickSendAPIKey == "" {
			errs = append(errs, fmt.Errorf("AVATARCRM_CLICKSEND_API_KEY_FILE / --clicksend-api-key-file: %s is empty", *f.keyFile))
		}
	}
	switch s.Provider {
	case "outbox":
	case "clicksend":
		if s.ClickSendUsername == "" || s.ClickSendAPIKey == "" {
			errs = append(errs, errors.New("AVATARCRM_SMS_PROVIDER=clicksend needs AVATARCRM_CLICKSEND_USERNAME and AVATARCRM_CLICKSEND_API_KEY (or _FILE)"))
		}
	default:
		errs = append(errs, fmt.Errorf("AVATARCRM_SMS_PROVIDER / --sms-provider: %q is not outbox or clicksend", *f.provider))
	}
	if len(s.From) > 16 {
		errs = append(errs, fmt.Errorf("AVATARCRM_SMS_FROM / --sms-from: %q is longer than a sender ID or number", s.From))
	}
	return errors.Join(errs...)
}
