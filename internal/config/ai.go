package config

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai"
)

// AI holds the AI layer's settings (internal/ai, docs/AI.md).
type AI struct {
	// Provider is "builtin" (the default: no network) or "openai" (an
	// OpenAI-compatible chat completions server, with the built-in
	// engine as fallback).
	Provider string
	// BaseURL is the server's API root, e.g. Workers AI's
	// https://api.cloudflare.com/client/v4/accounts/ACCOUNT/ai/v1 or
	// Ollama's http://localhost:11434/v1.
	BaseURL string
	// APIKey is the Bearer token, given directly or read from APIKeyFile.
	APIKey     string
	APIKeyFile string
	// ModelFast and ModelSmart are the two tiers' model names.
	ModelFast, ModelSmart string
	// Timeout bounds each remote call.
	Timeout time.Duration
	// Redact replaces personal details with placeholders before anything
	// is sent to the provider.
	Redact bool
	// Prices per model (the defaults are Workers AI's for the two Llama
	// models, overridden or extended by AVATARCRM_AI_PRICES).
	Prices map[string]ai.Price
	// JSONModes per model: how each is asked for JSON.
	JSONModes map[string]ai.JSONMode
}

// Providers.
const (
	AIBuiltin = "builtin"
	AIOpenAI  = "openai"
)

// Default model names: Cloudflare Workers AI's Llama models, the plan's
// choice.
const (
	DefaultAIModelFast  = "@cf/meta/llama-3.2-1b-instruct"
	DefaultAIModelSmart = "@cf/meta/llama-3.1-8b-instruct"
)

var aiSettings = []Setting{
	{"ai-provider", "AVATARCRM_AI_PROVIDER", "builtin", "builtin (no network) or openai (an OpenAI-compatible chat completions server, with the built-in engine as fallback)"},
	{"ai-base-url", "AVATARCRM_AI_BASE_URL", "none", "API root of the OpenAI-compatible server, e.g. https://api.cloudflare.com/client/v4/accounts/ACCOUNT/ai/v1 or http://localhost:11434/v1 (required with openai)"},
	{"ai-api-key", "AVATARCRM_AI_API_KEY", "none", "Bearer token for the server (or use the _FILE form; none for Ollama)"},
	{"ai-api-key-file", "AVATARCRM_AI_API_KEY_FILE", "none", "file holding the API key"},
	{"ai-model-fast", "AVATARCRM_AI_MODEL_FAST", DefaultAIModelFast, "model for classification (SMS intent, enrichment, tasks, report questions)"},
	{"ai-model-smart", "AVATARCRM_AI_MODEL_SMART", DefaultAIModelSmart, "model for writing and judgement (warmness, campaigns, insights)"},
	{"ai-timeout", "AVATARCRM_AI_TIMEOUT", "2s", "how long a remote call may take before the built-in engine answers instead"},
	{"ai-redact", "AVATARCRM_AI_REDACT", "true", "replace names, phone numbers, emails, addresses, Medicare numbers and dates of birth with placeholders before anything is sent"},
	{"ai-prices", "AVATARCRM_AI_PRICES", "Workers AI's Llama prices", "price per model in US dollars per million tokens, input/output: model=0.282/0.827,other=0/0 (merged over the defaults)"},
	{"ai-json-modes", "AVATARCRM_AI_JSON_MODES", "llama-3.2-1b: none, others: json_schema", "how each model is asked for JSON: model=json_schema|json_object|none, comma-separated"},
}

func init() { Settings = append(Settings, aiSettings...) }

// AIFlags registers the AI settings on fs, with defaults from env, and
// returns the function that reads and validates them once fs is parsed.
// The server and "avatarcrm ai eval" share it.
func AIFlags(fs *flag.FlagSet, getenv func(string) string) func() (AI, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	var c AI
	fs.StringVar(&c.Provider, "ai-provider", env("AVATARCRM_AI_PROVIDER", AIBuiltin), "AI engine: builtin or openai")
	fs.StringVar(&c.BaseURL, "ai-base-url", env("AVATARCRM_AI_BASE_URL", ""), "OpenAI-compatible API root")
	fs.StringVar(&c.APIKey, "ai-api-key", env("AVATARCRM_AI_API_KEY", ""), "API key")
	fs.StringVar(&c.APIKeyFile, "ai-api-key-file", env("AVATARCRM_AI_API_KEY_FILE", ""), "file holding the API key")
	fs.StringVar(&c.ModelFast, "ai-model-fast", env("AVATARCRM_AI_MODEL_FAST", DefaultAIModelFast), "fast model")
	fs.StringVar(&c.ModelSmart, "ai-model-smart", env("AVATARCRM_AI_MODEL_SMART", DefaultAIModelSmart), "smart model")
	timeout := fs.String("ai-timeout", env("AVATARCRM_AI_TIMEOUT", "2s"), "remote call timeout")
	redact := fs.String("ai-redact", env("AVATARCRM_AI_REDACT", "true"), "redact personal details (true/false)")
	prices := fs.String("ai-prices", env("AVATARCRM_AI_PRICES", ""), "model=input/output dollars per million tokens")
	modes := fs.String("ai-json-modes", env("AVATARCRM_AI_JSON_MODES", ""), "model=json_schema|json_object|none")
	return func() (AI, error) {
		var errs []error
		var err error
		c.Provider = strings.ToLower(strings.TrimSpace(c.Provider))
		if c.Timeout, err = time.ParseDuration(*timeout); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_AI_TIMEOUT / --ai-timeout: %q is not a duration such as 2s", *timeout))
		} else if c.Timeout < 100*time.Millisecond || c.Timeout > time.Minute {
			errs = append(errs, fmt.Errorf("AVATARCRM_AI_TIMEOUT / --ai-timeout: %s must be between 100ms and 1m", c.Timeout))
		}
		if c.Redact, err = strconv.ParseBool(*redact); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_AI_REDACT / --ai-redact: %q is not true or false", *redact))
		}
		c.Prices = maps.Clone(ai.DefaultPrices)
		if p, err := ai.ParsePrices(*prices); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_AI_PRICES / --ai-prices: %w", err))
		} else {
			maps.Copy(c.Prices, p)
		}
		c.JSONModes = maps.Clone(ai.DefaultJSONModes)
		if m, err := ai.ParseJSONModes(*modes); err != nil {
			errs = append(errs, fmt.Errorf("AVATARCRM_AI_JSON_MODES / --ai-json-modes: %w", err))
		} else {
			maps.Copy(c.JSONModes, m)
		}
		errs = append(errs, c.readKey(), c.validate())
		if err := errors.Join(errs...); err != nil {
			return AI{}, err
		}
		return c, nil
	}
}

func (c *AI) readKey() error {
	if c.APIKeyFile == "" {
		return nil
	}
	if c.APIKey != "" {
		return errors.New("AVATARCRM_AI_API_KEY and AVATARCRM_AI_API_KEY_FILE are both set: use one")
	}
	b, err := os.ReadFile(c.APIKeyFile)
	if err != nil {
		return fmt.Errorf("AVATARCRM_AI_API_KEY_FILE / --ai-api-key-file: %w", err)
	}
	c.APIKey = strings.TrimSpace(string(b))
	if c.APIKey == "" {
		return fmt.Errorf("AVATARCRM_AI_API_KEY_FILE / --ai-api-key-file: %s is empty", c.APIKeyFile)
	}
	return nil
}

func (c *AI) validate() error {
	switch c.Provider {
	case AIBuiltin:
		return nil
	case AIOpenAI:
	default:
		return fmt.Errorf("AVATARCRM_AI_PROVIDER / --ai-provider: %q is not builtin or openai", c.Provider)
	}
	var errs []error
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		errs = append(errs, errors.New("AVATARCRM_AI_BASE_URL is required with AVATARCRM_AI_PROVIDER=openai, e.g. http://localhost:11434/v1 for Ollama"))
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, fmt.Errorf("AVATARCRM_AI_BASE_URL / --ai-base-url: %q is not a URL such as https://api.example.com/v1", c.BaseURL))
	case u.Scheme == "http" && !localHost(u.Hostname()):
		// Patient text (redacted or not) must not cross the internet in
		// clear text.
		errs = append(errs, fmt.Errorf("AVATARCRM_AI_BASE_URL / --ai-base-url: %q must use https:// (http:// only for this machine, a private address or a container name)", c.BaseURL))
	}
	for _, m := range []struct{ name, v string }{{"AVATARCRM_AI_MODEL_FAST", c.ModelFast}, {"AVATARCRM_AI_MODEL_SMART", c.ModelSmart}} {
		if m.v == "" {
			errs = append(errs, fmt.Errorf("%s must name a model", m.name))
			continue
		}
		if _, ok := c.Prices[m.v]; !ok {
			errs = append(errs, fmt.Errorf("%s: no price for model %q: add it to AVATARCRM_AI_PRICES as %s=input/output (dollars per million tokens; 0/0 for a local model)", m.name, m.v, m.v))
		}
	}
	return errors.Join(errs...)
}

// localHost reports whether host is this machine, a private network
// address or a single-label name (a container on the same network).
func localHost(host string) bool {
	if host == "localhost" || !strings.Contains(host, ".") && net.ParseIP(host) == nil {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate())
}
