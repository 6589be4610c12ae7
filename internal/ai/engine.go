package ai

import (
	"context"
	"log/slog"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai/intent"
)

// Model is a remote chat model that answers in JSON. internal/ai/openai
// implements it with the official OpenAI client; tests may use that
// client against a local fake server.
type Model interface {
	// Complete sends one request and returns the model's text. Errors
	// should be *ModelError so the fallback reason is precise; any other
	// error counts as FallbackNetwork.
	Complete(ctx context.Context, req Completion) (CompletionResult, error)
}

// JSONMode is how a model is asked for JSON.
type JSONMode string

// The JSON modes. Workers AI's Llama 3.2 1B has none: the prompt asks
// for JSON and the answer is validated all the same.
const (
	JSONSchema JSONMode = "json_schema"
	JSONObject JSONMode = "json_object"
	JSONNone   JSONMode = "none"
)

// Completion is one request to a Model.
type Completion struct {
	Model  string
	System string
	User   string
	// SchemaName and Schema describe the answer (sent as response_format
	// json_schema when Mode is JSONSchema).
	SchemaName string
	Schema     map[string]any
	Mode       JSONMode
	// MaxTokens bounds the answer.
	MaxTokens int64
}

// CompletionResult is a Model's answer.
type CompletionResult struct {
	Content string
	// Model is the model that answered, as the server reports it.
	Model string
	// InputTokens and OutputTokens are the usage block's prompt_tokens
	// and completion_tokens.
	InputTokens, OutputTokens int64
}

// ModelError says how a remote call failed.
type ModelError struct {
	// Reason is one of the Fallback constants.
	Reason string
	// Status is the HTTP status, when there was one.
	Status int
	Err    error
}

func (e *ModelError) Error() string {
	if e.Err != nil {
		return "ai model: " + e.Reason + ": " + e.Err.Error()
	}
	return "ai model: " + e.Reason
}

func (e *ModelError) Unwrap() error { return e.Err }

// Options configure an AI.
type Options struct {
	// Model is the remote model; nil means the built-in engine answers
	// everything (AVATARCRM_AI_PROVIDER=builtin).
	Model Model
	// Provider names the remote engine in answers and usage records;
	// default EngineOpenAI.
	Provider string
	// FastModel and SmartModel are the model names of the two tiers.
	FastModel, SmartModel string
	// JSONModes says how each model is asked for JSON; a model not listed
	// gets DefaultJSONMode.
	JSONModes map[string]JSONMode
	// Prices per model, to cost each call.
	Prices map[string]Price
	// Timeout bounds each remote call; default 2 s.
	Timeout time.Duration
	// Redact replaces personal details with placeholders in everything
	// sent to the remote model. It should be on; the zero value is off
	// only so that tests can show what is sent without it.
	Redact bool
	// Usage receives a record of every call; nil discards them.
	Usage UsageSink
	// Budget is consulted before every remote call; nil means no budget.
	Budget Budget
	// CacheSize and CacheTTL size the cache of remote answers; defaults
	// 10,000 entries and 1 hour. A negative CacheSize turns it off.
	CacheSize int
	CacheTTL  time.Duration
	// IntentThreshold is the confidence below which an SMS intent needs a
	// person (SMSIntent.NeedsReview); default 0.6.
	IntentThreshold float64
	// Zone is the time zone used when an input names none; default UTC.
	Zone *time.Location
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultJSONMode is the JSON mode of a model Options.JSONModes does not
// list.
const DefaultJSONMode = JSONSchema

// DefaultTimeout bounds a remote call unless Options.Timeout says
// otherwise.
const DefaultTimeout = 2 * time.Second

// DefaultIntentThreshold is the confidence below which an SMS intent
// needs a person.
const DefaultIntentThreshold = 0.6

// AI is the AI layer. It is safe for concurrent use.
type AI struct {
	o       Options
	intents *intent.Model
	cache   *cache
	log     *slog.Logger
	schemas *schemas
}

// New returns the AI layer configured by o.
func New(o Options) *AI {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.IntentThreshold <= 0 {
		o.IntentThreshold = DefaultIntentThreshold
	}
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	if o.Provider == "" {
		o.Provider = EngineOpenAI
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	a := &AI{o: o, intents: intent.Default(), log: log, schemas: mustSchemas()}
	if o.Model != nil && o.CacheSize >= 0 {
		a.cache = newCache(o.CacheSize, o.CacheTTL)
	}
	return a
}

// Builtin returns the deterministic engine alone: for callers that must
// not wait on a network inside a transaction (scoring warmness when a
// contact changes). Its calls are reported to the same UsageSink.
func (a *AI) Builtin() Service {
	o := a.o
	o.Model = nil
	return &AI{o: o, intents: a.intents, log: a.log, schemas: a.schemas}
}

// Remote reports whether a remote model is configured.
func (a *AI) Remote() bool { return a.o.Model != nil }

func (a *AI) now() time.Time { return a.o.Now() }

func (a *AI) modelFor(uc UseCase) string {
	if tierOf[uc] == TierSmart {
		return a.o.SmartModel
	}
	return a.o.FastModel
}

func (a *AI) jsonMode(model string) JSONMode {
	if m, ok := a.o.JSONModes[model]; ok {
		return m
	}
	return DefaultJSONMode
}

var _ Service = (*AI)(nil)
