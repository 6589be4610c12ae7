package aiwire

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// Enricher reads what a contact's own words — its notes — ask for, through
// the AI layer's EnrichContact: the catalogue service asked about, the
// lead's intent and urgency. It implements contacts.Enricher.
//
// In the change's transaction only the built-in engine reads (rules and
// the catalogue, a few microseconds, no network), and what it finds goes
// into the contact row being written: no extra row. A create or update
// that carries no notes costs nothing at all. With a remote model
// configured, the change also enqueues ai.refine_enrichment, which asks
// the model after the commit and stores its answer when the notes are
// still the ones it read.
type Enricher struct {
	AI *ai.AI
	// Queue, when set (a remote model is configured), enqueues the
	// refinement in the change's transaction.
	Queue Enqueuer
	Now   clock.Clock
}

// Enrich implements contacts.Enricher: it sets interested_service_id,
// lead_intent, urgency and enrichment on m (a contact create, or an
// update that changes the notes) from m's notes, and clears them when the
// notes are emptied. It reports whether it read anything (a refinement is
// then due). loc is the contact's location.
func (e *Enricher) Enrich(ctx context.Context, c *ent.Client, loc pulid.ID, m *ent.ContactMutation) (bool, error) {
	notes, ok := m.Notes()
	if !ok {
		return false, nil
	}
	if strings.TrimSpace(notes) == "" {
		if !m.Op().Is(ent.OpCreate) {
			m.ClearInterestedServiceID()
			m.ClearLeadIntent()
			m.ClearUrgency()
			m.ClearEnrichment()
		}
		return false, nil
	}
	cat, err := Catalogue(ctx, c, loc)
	if err != nil {
		return false, err
	}
	now := e.Now.Now()
	en, err := e.AI.Builtin().EnrichContact(ctx, ai.EnrichInput{
		LocationID: string(loc), Source: "contact notes", Catalogue: cat, Now: now,
		Fields: map[string]string{"notes": notes},
	})
	if err != nil {
		return false, err
	}
	Apply(m, en, notes, now)
	return true, nil
}

// Enriched implements contacts.Enricher: after the save, in the same
// transaction, it enqueues the remote refinement of ct (only when a
// remote model is configured).
func (e *Enricher) Enriched(ctx context.Context, ct *ent.Contact) error {
	if e.Queue == nil {
		return nil
	}
	_, err := e.Queue.Enqueue(ctx, RefineEnrichmentArgs{LocationID: ct.LocationID, ContactID: ct.ID}, nil)
	if err == jobs.ErrNoTransaction {
		return nil // a command or a fixture: the built-in reading stays
	}
	return err
}

// Apply sets what en found in notes on m (a create, an update or an
// update's Mutation()): the service (cleared when none stands out),
// intent, urgency, and who read them.
func Apply(m *ent.ContactMutation, en ai.Enrichment, notes string, at time.Time) {
	if en.ServiceID != "" {
		m.SetInterestedServiceID(pulid.ID(en.ServiceID))
	} else if !m.Op().Is(ent.OpCreate) {
		m.ClearInterestedServiceID()
	}
	m.SetLeadIntent(contact.LeadIntent(en.Intent))
	m.SetUrgency(contact.Urgency(en.Urgency))
	m.SetEnrichment(&types.ContactEnrichment{
		Engine: en.Engine, Model: en.Model, Confidence: en.Confidence, Reason: en.Reason,
		Modality: en.Modality, Fallback: en.Fallback, NotesHash: NotesHash(notes), At: at.UTC(),
	})
}

// NotesHash identifies notes: FNV-1a 64 in hex.
func NotesHash(notes string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(notes))
	return fmt.Sprintf("%016x", h.Sum64())
}

// Catalogue reads the location's active services for the AI layer (as
// integrity: the catalogue is a fact the reading depends on, whatever the
// viewer may read).
func Catalogue(ctx context.Context, c *ent.Client, loc pulid.ID) ([]ai.CatalogueService, error) {
	ss, err := c.Service.Query().
		Where(service.LocationID(loc), service.Active(true)).
		Select(service.FieldName, service.FieldModality).
		All(viewer.Integrity.Grant(ctx, ""))
	if err != nil {
		return nil, fmt.Errorf("enrich: catalogue: %w", err)
	}
	out := make([]ai.CatalogueService, len(ss))
	for i, s := range ss {
		out[i] = ai.CatalogueService{ID: string(s.ID), Name: s.Name, Modality: string(s.Modality)}
	}
	return out, nil
}

// RefineEnrichmentArgs asks a remote model to read a contact's notes
// again after the change that wrote them has committed. Unique by contact
// while one waits: several edits in a row make one remote call, of the
// latest notes.
type RefineEnrichmentArgs struct {
	LocationID pulid.ID `json:"location_id" river:"unique"`
	ContactID  pulid.ID `json:"contact_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (RefineEnrichmentArgs) Kind() string { return "ai.refine_enrichment" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (RefineEnrichmentArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable,
	}}}
}

// RefineEnrichmentWorker works RefineEnrichmentArgs: it reads the
// contact's notes and the catalogue, asks the AI layer outside any
// transaction (the remote model, the built-in engine on any failure) and,
// when the model answered and the notes are still those it read, stores
// its service, intent and urgency. A fallback leaves the built-in reading
// and records why (the usage row, and the log).
type RefineEnrichmentWorker struct {
	river.WorkerDefaults[RefineEnrichmentArgs]
	Client *ent.Client
	AI     *ai.AI
	Now    clock.Clock
}

// Work implements river.Worker. It runs as the job capability at the
// contact's location (internal/jobs).
func (w *RefineEnrichmentWorker) Work(ctx context.Context, j *river.Job[RefineEnrichmentArgs]) error {
	ct, err := w.Client.Contact.Query().Where(contact.ID(j.Args.ContactID)).
		Select(contact.FieldLocationID, contact.FieldFirstName, contact.FieldLastName, contact.FieldNotes, contact.FieldEnrichment).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil // purged since
	}
	if err != nil {
		return err
	}
	if strings.TrimSpace(ct.Notes) == "" {
		return nil
	}
	cat, err := Catalogue(ctx, w.Client, ct.LocationID)
	if err != nil {
		return err
	}
	now := w.Now.Now()
	en, err := w.AI.EnrichContact(ctx, ai.EnrichInput{
		LocationID: string(ct.LocationID), Source: "contact notes", Catalogue: cat, Now: now,
		// The names are passed so that redaction knows them.
		Fields: map[string]string{"first_name": ct.FirstName, "last_name": ct.LastName, "notes": ct.Notes},
	})
	if err != nil {
		return err
	}
	if en.Engine == ai.EngineBuiltin {
		slog.InfoContext(ctx, "ai: enrichment kept the built-in reading", "contact", ct.ID, "fallback", en.Fallback)
		return nil
	}
	hash := NotesHash(ct.Notes)
	return txn.Run(ctx, w.Client, func(ctx context.Context, c *ent.Client) error {
		cur, err := c.Contact.Query().Where(contact.ID(ct.ID)).Select(contact.FieldNotes).Only(ctx)
		if err != nil {
			return err
		}
		if NotesHash(cur.Notes) != hash {
			return nil // edited since: that edit enqueued its own refinement
		}
		u := c.Contact.UpdateOneID(ct.ID)
		Apply(u.Mutation(), en, ct.Notes, now)
		return u.Exec(warmness.WithoutRecalc(ctx))
	})
}
