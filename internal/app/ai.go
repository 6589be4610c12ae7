package app

import (
	"log/slog"

	"github.com/avatarimaging/avatarcrm/internal/ai/provider"
	"github.com/avatarimaging/avatarcrm/internal/aiusage"
	"github.com/avatarimaging/avatarcrm/internal/aiwire"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
)

// openAI builds the AI layer from the settings, its books on the
// AIUsage table, before the ent client (whose warmness scorer uses it).
func (a *App) openAI(opts *entclient.Options) {
	store := &aiusage.Store{Client: a.DB.Client, Now: a.Now}
	opts.AIUsage = store
	opts.AI = provider.New(a.Config.AI, provider.Deps{Usage: store, Budget: store, Now: a.Now, Logger: slog.Default()})
}

// aiWorkers registers the job that refines warmness with a remote model.
func (a *App) aiWorkers(ws *jobs.Workers) {
	jobs.Add(ws, &aiwire.RefineWorker{Client: a.Ent.Ent, AI: a.Ent.AI, Now: a.Now})
	jobs.Add(ws, &aiwire.RefineEnrichmentWorker{Client: a.Ent.Ent, AI: a.Ent.AI, Now: a.Now})
}

// wireAI gives the warmness service its refinement (only with a remote
// model: the built-in engine has already given its best), the contact
// service its enrichment of notes (refined likewise), and returns the
// service of the GraphQL operations.
func (a *App) wireAI() *aiwire.Service {
	enr := &aiwire.Enricher{AI: a.Ent.AI, Now: a.Now}
	if a.Ent.AI.Remote() {
		a.Ent.Warmness.Refine = aiwire.RefineHook(a.Jobs)
		enr.Queue = a.Jobs
	}
	// Contacts created and updated through the service (GraphQL, pages)
	// have their notes read; imports do not.
	a.Contacts.Enricher = enr
	return &aiwire.Service{Client: a.DB.Client, AI: a.Ent.AI, Usage: a.Ent.AIUsage, Warmness: a.Ent.Warmness, Now: a.Now}
}
