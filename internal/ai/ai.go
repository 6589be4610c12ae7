// Package ai is the CRM's AI layer: one small interface, Service, over two
// engines.
//
//   - The built-in engine (the default) is deterministic, needs no
//     network and answers in microseconds: rules, a small classifier
//     trained from labelled messages shipped in the binary
//     (internal/ai/intent), templates written by the clinic and
//     statistics computed by the caller.
//   - An OpenAI-compatible chat model (Workers AI, Ollama, vLLM,
//     llama.cpp, OpenAI) is an optional upgrade behind the same
//     interface. Every answer must be JSON that validates against the use
//     case's schema and passes the use case's own checks; on a timeout,
//     an error, invalid output or an exhausted budget, the built-in
//     engine answers and the reason is recorded.
//
// Every call, remote or not, reports a UsageRecord to a UsageSink; a
// Budget is consulted before anything is sent away; identical remote
// requests are answered from a cache. Patient text is untrusted: each
// function can only return its enumerated outputs, whatever a message or
// a model says, and with redaction on (the default) names, phone numbers,
// emails, addresses, Medicare numbers and dates of birth are replaced by
// placeholders before a prompt leaves the building. docs/AI.md has the
// details.
package ai

import (
	"context"
	"time"
)

// Service is what the rest of the CRM calls. *AI implements it; so does
// the deterministic engine returned by (*AI).Builtin.
//
// Each method returns an error only for input it cannot work with (an
// apperr INVALID naming the field); a remote model's failure is never an
// error, the built-in engine answers instead.
type Service interface {
	// AnalyzeWarmness scores how ready a contact is to book, 0–100, on top
	// of the warmness rules (internal/warmness), with the reasons.
	AnalyzeWarmness(ctx context.Context, in WarmnessInput) (Warmness, error)
	// DetectSMSIntent reads a patient's reply: confirm, cancel,
	// reschedule, question, opt_out, opt_in or other, with any proposed
	// time resolved in the clinic's zone.
	DetectSMSIntent(ctx context.Context, in SMSInput) (SMSIntent, error)
	// EnrichContact tidies what a web form or chat bot sent: normalised
	// fields, the service asked about, the lead's intent and urgency.
	EnrichContact(ctx context.Context, in EnrichInput) (Enrichment, error)
	// GenerateEmailCampaign drafts a campaign email: subject, sanitised
	// HTML with the unsubscribe placeholder, and text.
	GenerateEmailCampaign(ctx context.Context, in CampaignInput) (Campaign, error)
	// GenerateReportInsights turns a report's facts (numbers computed by
	// the caller) into sentences; a sentence citing a number that is not
	// among the facts is dropped.
	GenerateReportInsights(ctx context.Context, in InsightsInput) (Insights, error)
	// PrioritizeTask applies the task priority rules (internal/tasks)
	// and explains them; a model may only raise the priority.
	PrioritizeTask(ctx context.Context, in PriorityInput) (Priority, error)
	// SuggestAssignee picks the staff member with the lowest workload who
	// has the task's skill, and says why.
	SuggestAssignee(ctx context.Context, in AssigneeInput) (Assignee, error)
	// ParseReportQuery turns a question in words into a report request
	// validated against the caller's catalogue; text it cannot read
	// yields suggestions, not an error.
	ParseReportQuery(ctx context.Context, in ReportQueryInput) (ReportQuery, error)
}

// Engines that answer.
const (
	EngineBuiltin = "builtin"
	EngineOpenAI  = "openai"
)

// BuiltinModel is the model name the built-in engine reports.
const BuiltinModel = "builtin"

// UseCase names a function in usage records and prompts.
type UseCase string

// The use cases, one per Service method.
const (
	UseWarmness    UseCase = "warmness"
	UseSMSIntent   UseCase = "sms_intent"
	UseEnrich      UseCase = "enrich_contact"
	UseCampaign    UseCase = "email_campaign"
	UseInsights    UseCase = "report_insights"
	UsePriority    UseCase = "task_priority"
	UseAssignee    UseCase = "task_assignee"
	UseReportQuery UseCase = "report_query"
)

// UseCases lists every use case, for reports and filters.
var UseCases = []UseCase{UseWarmness, UseSMSIntent, UseEnrich, UseCampaign, UseInsights, UsePriority, UseAssignee, UseReportQuery}

// Fallback reasons: why the built-in engine answered although a remote
// model is configured.
const (
	FallbackTimeout           = "timeout"
	FallbackRateLimited       = "rate_limited"       // HTTP 429
	FallbackServerError       = "server_error"       // HTTP 5xx
	FallbackHTTPError         = "http_error"         // other HTTP errors (401, 400 …)
	FallbackNetwork           = "network"            // no answer at all
	FallbackInvalidJSON       = "invalid_json"       // not JSON
	FallbackSchemaInvalid     = "schema_invalid"     // JSON, but not the schema
	FallbackRejected          = "rejected"           // valid JSON whose content failed the use case's checks
	FallbackBudgetExhausted   = "budget_exhausted"   // the location spent its monthly budget
	FallbackBudgetUnavailable = "budget_unavailable" // the budget could not be read
)

// Answer is what every result says about itself.
type Answer struct {
	// Engine is the engine that answered: EngineBuiltin or EngineOpenAI.
	Engine string `json:"engine"`
	// Model is the model that answered (BuiltinModel for the built-in
	// engine).
	Model string `json:"model"`
	// Confidence is 0 to 1.
	Confidence float64 `json:"confidence"`
	// Reason is a short explanation a person can read.
	Reason string `json:"reason"`
	// Fallback is set when a remote model was tried and the built-in
	// engine answered instead (one of the Fallback constants).
	Fallback string `json:"fallback,omitempty"`
	// CacheHit is set when a remote answer came from the cache.
	CacheHit bool `json:"cacheHit,omitempty"`
}

// Tier is a model size.
type Tier string

// The model tiers: fast (small, cheap: classification) and smart
// (larger: writing).
const (
	TierFast  Tier = "fast"
	TierSmart Tier = "smart"
)

// tierOf is the tier each use case asks for.
var tierOf = map[UseCase]Tier{
	UseSMSIntent:   TierFast,
	UseEnrich:      TierFast,
	UsePriority:    TierFast,
	UseAssignee:    TierFast,
	UseReportQuery: TierFast,
	UseWarmness:    TierSmart,
	UseCampaign:    TierSmart,
	UseInsights:    TierSmart,
}

// nowOr returns t, or the AI's clock when t is zero.
func (a *AI) nowOr(t time.Time) time.Time {
	if t.IsZero() {
		return a.now()
	}
	return t
}
