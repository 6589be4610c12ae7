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
	opts.AI = provider.New(a.Config.AI, provider.Deps{Usage: store, Budget: store, Now: a.Now, Logger: slog.Default()})
}

// aiWorkers registers the job that refines warmness with a remote model.
func (a *App) aiWorkers(ws *jobs.Workers) {
	jobs.Add(ws, &aiwire.RefineWorker{Client: a.Ent.Ent, AI: a.Ent.AI, Now: a.Now})
}

// wireAI gives the warmness service its refinement (only with a remote
// model: the built-in engine has already given its best) and returns the
// service of the GraphQL operations.
func (a *App) wireAI() *aiwire.Service {
	if a.Ent.AI.Remote() {
		a.Ent.Warmness.Refine = aiwire.RefineHook(a.Jobs)
	}
	return &aiwire.Service{Client: a.DB.Client, AI: a.Ent.AI, Usage: a.Ent.AIUsage, Warmness: a.Ent.Warmness, Now: a.Now}
}
