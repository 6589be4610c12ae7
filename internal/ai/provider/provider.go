// Package provider builds the AI layer from the server's settings: the
// built-in engine alone, or with an OpenAI-compatible model in front of
// it. The server (internal/app) and "avatarcrm ai eval" use it.
package provider

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/ai/openai"
	"github.com/avatarimaging/avatarcrm/internal/config"
)

// Deps are what the AI layer needs from the rest of the program.
type Deps struct {
	// Usage receives every call's record (the AIUsage table).
	Usage ai.UsageSink
	// Budget is each location's monthly budget and spending.
	Budget ai.Budget
	// Zone is the default time zone (the first location's).
	Zone *time.Location
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// HTTPClient replaces the default HTTP client (tests).
	HTTPClient *http.Client
}

// New returns the AI layer the settings describe. cfg has been validated
// by config.
func New(cfg config.AI, d Deps) *ai.AI {
	o := ai.Options{
		Usage: d.Usage, Budget: d.Budget, Zone: d.Zone, Now: d.Now, Logger: d.Logger,
		Redact: cfg.Redact, Timeout: cfg.Timeout,
	}
	if cfg.Provider == config.AIOpenAI {
		o.Model = openai.New(openai.Config{BaseURL: cfg.BaseURL, APIKey: cfg.APIKey, HTTPClient: d.HTTPClient})
		o.Provider = ai.EngineOpenAI
		o.FastModel, o.SmartModel = cfg.ModelFast, cfg.ModelSmart
		o.Prices, o.JSONModes = cfg.Prices, cfg.JSONModes
	}
	if !cfg.Redact && cfg.Provider == config.AIOpenAI && d.Logger != nil {
		d.Logger.Warn("ai: redaction is off: patient names, numbers and addresses are sent to the model", "base_url", cfg.BaseURL)
	}
	return ai.New(o)
}
