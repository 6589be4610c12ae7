package viewer

import (
	"context"

	"entgo.io/ent/privacy"
)

// A Capability is one kind of work the program does beyond what the
// person behind a request may do (or with no person at all). Granting one
// is the only way past the privacy rules (privacy.Allow), so every place
// where a rule is set aside names why; TestCapabilities lists them, so a
// new one is a visible change.
//
// Work under a capability is audited with its actor: the person whose
// request caused it (their viewer stays in the context), or else a system
// viewer naming the actor (a command, a job, "seed"); the audit trail adds
// "system: <capability>" to the entries of changes made under one.
type Capability struct {
	// Name is how the audit trail and the tests name it.
	Name string
	// Why says what the work is and why the viewer's own permissions are
	// not the rule for it.
	Why string
}

// The capabilities.
var (
	// Identity decides who is asking: sessions, API tokens, accounts and
	// memberships, invitations accepted at sign-in, the permission table
	// and overrides a viewer is built from, a location's network rules,
	// and the viewer's own user record. Nobody is signed in yet when it
	// runs, or the person may not read these rows themselves.
	Identity = Capability{"identity", "decide who is asking and end their sessions, before or apart from their permissions"}
	// Integrity reads the facts a rule depends on whatever the viewer may
	// read: that a referenced row is at the location, the location's
	// region and zone, overlapping bookings, a duplicate external ID, the
	// location row a booking change locks. It never changes anything.
	Integrity = Capability{"integrity", "read the facts a rule depends on, whatever the viewer may read"}
	// Consequences writes what follows from a change the viewer was
	// allowed to make: booking history and its timeline touchpoints, search
	// keys, warmness scores and warm-lead events, and the default
	// permission table and cancel reasons a location gets on first use.
	Consequences = Capability{"consequences", "record what follows from a change the viewer was allowed to make"}
	// ImportJob is the contact import job of the user who started it: its
	// progress and report, and the clean-up of abandoned uploads.
	ImportJob = Capability{"import-job", "keep the books of a contact import for the user who started it"}
	// Scheduler is maintenance across every location that the clock makes
	// due: rescoring warmness, reprioritising tasks.
	Scheduler = Capability{"scheduler", "maintenance across every location that the clock makes due"}
	// Seed loads the demo data into an empty database.
	Seed = Capability{"seed", "load the demo data into an empty database"}
	// AuditTrail reads and extends the audit chain itself (its head, a
	// verification, an export), which no location's policy covers.
	AuditTrail = Capability{"audit-trail", "read and extend the audit chain itself"}
	// Operator is a command an operator runs on the server: creating,
	// listing and revoking API tokens, exporting the audit trail.
	Operator = Capability{"operator", "a command an operator runs on the server"}
	// Job is a durable background job (internal/jobs) doing what its kind
	// names, for the location in its arguments or for every location: it
	// runs after the request that enqueued it, often in another process,
	// with no person's viewer (ForJob).
	Job = Capability{"job", "a durable background job doing what its kind names, after the request that enqueued it"}
	// AIUsage records what the AI layer's calls cost (AIUsage rows) and
	// the budget alerts they raise, and reads a location's month of
	// spending for the budget check: a staff member classifying an SMS
	// spends the location's budget without holding settings permissions.
	AIUsage = Capability{"ai-usage", "record and total what the AI layer's calls cost, whoever caused them"}
	// Webhook receives what an outside system (ClickSend, later Wix and
	// ManyChat) sends to /hooks/...: nobody is signed in, the secret in
	// the URL names the location. It finds that location by its token,
	// stores the raw event and enqueues its job; the job then runs as Job.
	Webhook = Capability{"webhook", "store what an outside system sends to /hooks, before anyone is signed in"}
)

// Tracking records what an email's recipient did through the signed links
// of a campaign email (/t/o, /t/c, /u: opened, clicked, unsubscribed):
// nobody is signed in, the token (HMAC, key outside the database) names
// the recipient, and only that recipient's rows and contact change.
var Tracking = Capability{"tracking", "record an email recipient's open, click or unsubscribe through a signed link, before anyone is signed in"}

// Capabilities lists every capability.
func Capabilities() []Capability {
	return []Capability{Identity, Integrity, Consequences, ImportJob, Scheduler, Seed, AuditTrail, Operator, Job, AIUsage, Webhook, Tracking}
}

type capKey struct{}

// Grant returns ctx in which the privacy layer allows c's work. The
// viewer of ctx stays, so the changes are audited as theirs; without one a
// system viewer stands in, naming actor (e.g. "cli:root", "seed") as who
// acted.
func (c Capability) Grant(ctx context.Context, actor string) context.Context {
	if FromContext(ctx) == nil {
		if actor == "" {
			actor = c.Name
		}
		ctx = NewContext(ctx, &Viewer{System: true, Actor: actor})
	}
	ctx = context.WithValue(ctx, capKey{}, c.Name)
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// CapabilityOf names the capability granted in ctx, or "".
func CapabilityOf(ctx context.Context) string {
	n, _ := ctx.Value(capKey{}).(string)
	return n
}
