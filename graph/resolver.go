// Package graph is the GraphQL API: the schema (*.graphql), the gqlgen
// executor generated from it, and thin resolvers that hand each operation to
// ent or to an internal service.
package graph

import (
	"context"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/access"
	"github.com/avatarimaging/avatarcrm/internal/aiwire"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/bookings"
	"github.com/avatarimaging/avatarcrm/internal/campaigns"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/hooks"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/leadform"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/reports"
	"github.com/avatarimaging/avatarcrm/internal/schedule"
	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/internal/sms"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
	"github.com/avatarimaging/avatarcrm/internal/webhooks"
	"github.com/avatarimaging/avatarcrm/internal/wix"
)

// Resolver is the root resolver. internal/app wires every dependency; a
// resolver missing a service fails on the operations that need it (tests
// that build a partial one call only what they gave it). It holds no state
// of its own.
type Resolver struct {
	Client *ent.Client
	// Access reads and changes permission tables and overrides.
	Access *access.Store
	// Users manages members, invitations and roles.
	Users *access.Users
	// IPRules manages the networks allowed at a location.
	IPRules *access.IPRules
	// Auth creates API tokens and ends sessions.
	Auth *auth.Service
	// Audit is the audit trail, for the admin viewer and export.
	Audit *audit.Log
	// Bookings runs the booking state machine, conflict checks and lists.
	Bookings *bookings.Service
	// Tasks creates and changes tasks: priorities, status, assignment.
	Tasks *tasks.Service
	// Pipeline moves contacts between stages and reads stage analytics.
	Pipeline *pipeline.Service
	// ContactService archives, merges, imports and exports contacts (named
	// apart from the contacts query).
	ContactService *contacts.Service
	// Warmness keeps contacts' warmness scores current.
	Warmness *warmness.Service
	// Search is the fuzzy contact search; its hook keeps the index current.
	Search *search.Index
	// Automation manages and dry-runs the automation rules.
	Automation *automation.Service
	// Jobs is the job queue's admin API (jobs, retryJob, discardJob).
	Jobs *jobs.Queue
	// Messaging queues and previews SMS and edits their templates.
	Messaging *messaging.Service
	// Scheduler lists the schedules and their next runs.
	Scheduler *schedule.Scheduler
	// AI is the AI layer's wiring: usage and budget, classifySMS,
	// recalculateWarmness (graph/ai.graphql).
	AI *aiwire.Service
	// SMS is two-way SMS: conversations, sendSMS, the webhook settings,
	// undoing what a reply did (graph/sms.graphql).
	SMS *sms.Service
	// Hooks is the webhook pipeline's admin side: stored events, replay
	// (graph/inbound.graphql); Alerts the staff alerts; Wix the Wix
	// service mappings and sync; Inbound what the settings say.
	Hooks   *hooks.Pipeline
	Wix     *wix.Service
	Inbound InboundSettings
	// Webhooks are the outbound webhook subscriptions and their delivery
	// log; LeadForm the website form's settings (graph/webhooks.graphql).
	Webhooks *webhooks.Service
	LeadForm *leadform.Service
	// ReportService computes reports and keeps saved reports, their runs, ad
	// spend and the Monday summary's subscriptions (graph/reports.graphql).
	ReportService *reports.Service
	// CampaignService is email campaigns: audiences, drafts, sending,
	// analytics (graph/campaigns.graphql; named apart from the campaigns
	// query).
	CampaignService *campaigns.Service
	// Now is the clock.
	Now clock.Clock
}

// client returns the transactional client of a mutation (set by
// Transactional or Ops) or the root client.
func (r *Resolver) client(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return r.Client
}

// nodeType maps an ID to its table by the ID's prefix. An ID nobody could
// have been given is simply not found.
func nodeType(_ context.Context, id pulid.ID) (string, error) {
	t, err := pulid.TableOf(id)
	if err != nil {
		return "", apperr.NotFoundf("id", "%s not found", id)
	}
	return t, nil
}
