package aiwire_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/aiusage"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/ai"
	"github.com/avatarimaging/avatarcrm/internal/ai/aitest"
	"github.com/avatarimaging/avatarcrm/internal/ai/provider"
	aiusagestore "github.com/avatarimaging/avatarcrm/internal/aiusage"
	"github.com/avatarimaging/avatarcrm/internal/aiwire"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

const (
	fastModel  = "@cf/meta/llama-3.2-1b-instruct"
	smartModel = "@cf/meta/llama-3.1-8b-instruct"
)

// env is the demo database with the AI layer pointed at a fake
// chat-completions server, its books in the AIUsage table.
type env struct {
	ec    *entclient.Client
	ai    *ai.AI
	store *aiusagestore.Store
	fake  *aitest.Server
	now   clock.Clock
}

func newEnv(t *testing.T, respond func(aitest.Request) aitest.Response) *env {
	t.Helper()
	d := testutil.DemoDB(t)
	now := clock.Fixed(testutil.Now)
	store := &aiusagestore.Store{Client: d.Client, Now: now}
	fake := aitest.NewServer(t, respond)
	layer := provider.New(config.AI{
		Provider: config.AIOpenAI, BaseURL: fake.BaseURL(), APIKey: "test-key",
		ModelFast: fastModel, ModelSmart: smartModel, Timeout: 300 * time.Millisecond,
		Redact: true, Prices: ai.DefaultPrices,
	}, provider.Deps{Usage: store, Budget: store, Now: now})
	ec := entclient.New(d, entclient.Options{AuditKey: testutil.AuditKey, Clock: now, AI: layer})
	t.Cleanup(func() { _ = ec.Audit.Close(context.Background()) })
	return &env{ec: ec, ai: layer, store: store, fake: fake, now: now}
}

// sys reads anything.
func sys() context.Context { return viewer.Integrity.Grant(context.Background(), "test") }

// usage returns the AIUsage rows of a use case, oldest first.
func (e *env) usage(t *testing.T, uc ai.UseCase) []*ent.AIUsage {
	t.Helper()
	rows, err := e.ec.Ent.AIUsage.Query().Where(aiusage.UseCase(string(uc))).Order(ent.Asc(aiusage.FieldCreatedAt), ent.Asc(aiusage.FieldID)).
		All(viewer.AIUsage.Grant(context.Background(), "test"))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// admin acts as the demo's administrator, at Sydney.
func (e *env) admin(t *testing.T) context.Context {
	t.Helper()
	return testutil.As(t, e.ec.Ent, "admin@example.com")
}

// messagedContact returns a contact of the admin's location who has
// written in within 60 days of the demo's clock.
func (e *env) messagedContact(t *testing.T) *ent.Contact {
	t.Helper()
	tp, err := e.ec.Ent.Touchpoint.Query().
		Where(touchpoint.KindEQ(touchpoint.KindSmsIn), touchpoint.OccurredAtGTE(testutil.Now.AddDate(0, 0, -60))).
		First(e.admin(t))
	if err != nil {
		t.Fatalf("no contact with an inbound SMS in the demo data: %v", err)
	}
	return e.ec.Ent.Contact.GetX(sys(), tp.ContactID)
}

func refineWarmness(t *testing.T, e *env, ct *ent.Contact) error {
	t.Helper()
	w := &aiwire.RefineWorker{Client: e.ec.Ent, AI: e.ai, Now: e.now}
	ctx := viewer.ForJob(context.Background(), ct.LocationID, aiwire.RefineArgs{}.Kind())
	return w.Work(ctx, &river.Job[aiwire.RefineArgs]{Args: aiwire.RefineArgs{LocationID: ct.LocationID, ContactID: ct.ID}})
}

// The warmness refinement job against the fake: the model's answer
// updates the stored score (with the model's reason) and its usage row
// has the tokens and their cost; a 500 or a timeout leaves the built-in
// score and records why; a spent budget means the model is not asked.
func TestRefineWorker(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := newEnv(t, func(aitest.Request) aitest.Response {
			return aitest.JSON(map[string]any{"adjustment": 10, "reasons": []string{"wants_to_book"}, "confidence": 0.8}, 1200, 40)
		})
		ct := e.messagedContact(t)
		in, _, err := aiwire.LoadWarmnessInput(sys(), e.ec.Ent, ct.ID, testutil.Now)
		if err != nil {
			t.Fatal(err)
		}
		base, err := e.ai.Builtin().AnalyzeWarmness(context.Background(), ai.WarmnessInput{Contact: in.Contact, Touchpoints: in.Touchpoints, Bookings: in.Bookings, Now: in.Now})
		if err != nil {
			t.Fatal(err)
		}
		if err := refineWarmness(t, e, ct); err != nil {
			t.Fatalf("Work: %v", err)
		}
		if n := len(e.fake.Requests()); n != 1 {
			t.Fatalf("the fake got %d requests, want 1", n)
		}
		if m := e.fake.Requests()[0].Model; m != smartModel {
			t.Errorf("model asked: %q, want the smart tier %q", m, smartModel)
		}
		got := e.ec.Ent.Contact.GetX(sys(), ct.ID)
		if want := min(base.Score+10, 100); got.Warmness != want {
			t.Errorf("stored warmness %d, want %d (built-in %d + 10 from the model)", got.Warmness, want, base.Score)
		}
		if i := slices.IndexFunc(got.WarmnessReasons, func(r types.WarmnessReason) bool { return r.Factor == ai.FactorModel }); i < 0 || got.WarmnessReasons[i].Points != 10 {
			t.Errorf("reasons %+v, want the model's +10", got.WarmnessReasons)
		}
		if eng := ai.EngineOfReasons(got.WarmnessReasons, ""); eng != ai.EngineOpenAI {
			t.Errorf("engine of the stored score: %q", eng)
		}
		rows := e.usage(t, ai.UseWarmness)
		last := rows[len(rows)-1]
		wantIn, wantOut := ai.DefaultPrices[smartModel].Cost(1200, 40)
		if last.Engine != ai.EngineOpenAI || last.Model != smartModel || last.InputTokens != 1200 || last.OutputTokens != 40 ||
			last.CostIn != int64(wantIn) || last.CostOut != int64(wantOut) || last.Fallback != "" || !last.Remote || last.LocationID != ct.LocationID {
			t.Errorf("usage row %+v, want openai/%s 1200+40 tokens costing %d+%d", last, smartModel, wantIn, wantOut)
		}
		if wantIn == 0 || wantOut == 0 {
			t.Errorf("the smart model has no price: %d/%d", wantIn, wantOut)
		}
	})

	for _, c := range []struct {
		name     string
		res      aitest.Response
		fallback string
	}{
		{"ServerError", aitest.Response{Status: 500}, ai.FallbackServerError},
		{"Timeout", aitest.Response{Hang: true}, ai.FallbackTimeout},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, func(aitest.Request) aitest.Response { return c.res })
			ct := e.messagedContact(t)
			if err := refineWarmness(t, e, ct); err != nil {
				t.Fatalf("Work: %v (a remote failure is not the job's failure)", err)
			}
			if len(e.fake.Requests()) == 0 {
				t.Fatal("the model was not asked")
			}
			got := e.ec.Ent.Contact.GetX(sys(), ct.ID)
			if got.Warmness != ct.Warmness || ai.EngineOfReasons(got.WarmnessReasons, "") != ai.EngineBuiltin {
				t.Errorf("score %d (engine %s), want the built-in %d kept", got.Warmness, ai.EngineOfReasons(got.WarmnessReasons, ""), ct.Warmness)
			}
			rows := e.usage(t, ai.UseWarmness)
			last := rows[len(rows)-1]
			if last.Engine != ai.EngineBuiltin || last.Fallback != c.fallback || last.Model != smartModel || last.CostIn+last.CostOut != 0 {
				t.Errorf("usage row: engine %s model %s fallback %q cost %d, want builtin answering for %s with fallback %q and no cost",
					last.Engine, last.Model, last.Fallback, last.CostIn+last.CostOut, smartModel, c.fallback)
			}
		})
	}

	t.Run("BudgetExhausted", func(t *testing.T) {
		e := newEnv(t, func(aitest.Request) aitest.Response {
			return aitest.JSON(map[string]any{"adjustment": 10, "reasons": []string{"wants_to_book"}, "confidence": 0.8}, 10, 10)
		})
		ct := e.messagedContact(t)
		spendBudget(t, e, ct.LocationID)
		if err := refineWarmness(t, e, ct); err != nil {
			t.Fatalf("Work: %v", err)
		}
		if n := len(e.fake.Requests()); n != 0 {
			t.Errorf("the fake got %d requests with the budget spent, want none", n)
		}
		if got := e.ec.Ent.Contact.GetX(sys(), ct.ID); got.Warmness != ct.Warmness {
			t.Errorf("score %d, want the built-in %d kept", got.Warmness, ct.Warmness)
		}
		rows := e.usage(t, ai.UseWarmness)
		if last := rows[len(rows)-1]; last.Engine != ai.EngineBuiltin || last.Fallback != ai.FallbackBudgetExhausted {
			t.Errorf("usage row: engine %s fallback %q, want builtin/budget_exhausted", last.Engine, last.Fallback)
		}
	})
}

// spendBudget sets a one-cent budget at loc and records a remote call
// that spent it.
func spendBudget(t *testing.T, e *env, loc pulid.ID) {
	t.Helper()
	admin := e.admin(t)
	if v := viewer.FromContext(admin); v.LocationID != loc {
		t.Fatalf("the admin's location %s is not the contact's %s", v.LocationID, loc)
	}
	if _, err := e.store.SetBudget(admin, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RecordUsage(context.Background(), ai.UsageRecord{
		At: testutil.Now, LocationID: string(loc), UseCase: ai.UseSMSIntent, Engine: ai.EngineOpenAI, Model: fastModel,
		InputTokens: 1, CostIn: ai.Cents(1),
	}); err != nil {
		t.Fatal(err)
	}
}

// notesContact gives a contact of the demo data notes, as a direct
// write (the enrichment is the job's to do here).
func (e *env) notesContact(t *testing.T, notes string) *ent.Contact {
	t.Helper()
	ct := e.messagedContact(t)
	return e.ec.Ent.Contact.UpdateOne(ct).SetNotes(notes).SaveX(e.admin(t))
}

func refineEnrichment(t *testing.T, e *env, ct *ent.Contact) error {
	t.Helper()
	w := &aiwire.RefineEnrichmentWorker{Client: e.ec.Ent, AI: e.ai, Now: e.now}
	ctx := viewer.ForJob(context.Background(), ct.LocationID, aiwire.RefineEnrichmentArgs{}.Kind())
	return w.Work(ctx, &river.Job[aiwire.RefineEnrichmentArgs]{Args: aiwire.RefineEnrichmentArgs{LocationID: ct.LocationID, ContactID: ct.ID}})
}

func serviceID(t *testing.T, e *env, loc pulid.ID, name string) pulid.ID {
	t.Helper()
	return e.ec.Ent.Service.Query().Where(service.LocationID(loc), service.Name(name)).OnlyIDX(sys())
}

// The enrichment refinement job: the model's service (one of the
// catalogue), intent and urgency are stored with its engine; its usage
// row is costed; the prompt carries no name or number of the patient; a
// 500 keeps the built-in reading and records why; notes edited while the
// model thought are not overwritten with an answer about the old ones.
func TestRefineEnrichmentWorker(t *testing.T) {
	const notes = "Hi my name is Bruce Wayne, call me on 0412 345 678. GP wants a scan of my knee, how much will it cost?"
	t.Run("OK", func(t *testing.T) {
		var want pulid.ID
		e := newEnv(t, func(aitest.Request) aitest.Response {
			return aitest.JSON(map[string]any{"service_id": string(want), "intent": "price", "urgency": "low", "confidence": 0.9}, 800, 30)
		})
		ct := e.notesContact(t, notes)
		want = serviceID(t, e, ct.LocationID, "MRI Knee")
		if err := refineEnrichment(t, e, ct); err != nil {
			t.Fatalf("Work: %v", err)
		}
		reqs := e.fake.Requests()
		if len(reqs) != 1 {
			t.Fatalf("the fake got %d requests, want 1", len(reqs))
		}
		for _, leak := range []string{"Bruce", "Wayne", "0412", "345 678", ct.FirstName} {
			if strings.Contains(reqs[0].Raw, leak) {
				t.Errorf("the request carries %q: %s", leak, reqs[0].User())
			}
		}
		got := e.ec.Ent.Contact.GetX(sys(), ct.ID)
		if got.InterestedServiceID == nil || *got.InterestedServiceID != want || got.LeadIntent == nil || *got.LeadIntent != contact.LeadIntentPrice ||
			got.Urgency == nil || *got.Urgency != contact.UrgencyLow || got.Enrichment == nil || got.Enrichment.Engine != ai.EngineOpenAI {
			t.Errorf("stored: service %v intent %v urgency %v enrichment %+v; want MRI Knee, price, low, by openai",
				got.InterestedServiceID, got.LeadIntent, got.Urgency, got.Enrichment)
		}
		rows := e.usage(t, ai.UseEnrich)
		last := rows[len(rows)-1]
		wantIn, wantOut := ai.DefaultPrices[last.Model].Cost(800, 30)
		if last.Engine != ai.EngineOpenAI || last.InputTokens != 800 || last.CostIn != int64(wantIn) || last.CostOut != int64(wantOut) || wantIn == 0 {
			t.Errorf("usage row %+v, want openai costing %d+%d", last, wantIn, wantOut)
		}
	})

	t.Run("ServerError", func(t *testing.T) {
		e := newEnv(t, func(aitest.Request) aitest.Response { return aitest.Response{Status: 500} })
		ct := e.notesContact(t, notes)
		if err := refineEnrichment(t, e, ct); err != nil {
			t.Fatalf("Work: %v", err)
		}
		if got := e.ec.Ent.Contact.GetX(sys(), ct.ID); got.Enrichment != nil && got.Enrichment.Engine != ai.EngineBuiltin {
			t.Errorf("enrichment %+v after a 500, want the built-in reading kept", got.Enrichment)
		}
		rows := e.usage(t, ai.UseEnrich)
		if last := rows[len(rows)-1]; last.Engine != ai.EngineBuiltin || last.Fallback != ai.FallbackServerError {
			t.Errorf("usage row: engine %s fallback %q, want builtin/server_error", last.Engine, last.Fallback)
		}
	})

	t.Run("NotesEditedMeanwhile", func(t *testing.T) {
		var e *env
		var ct *ent.Contact
		var admin context.Context
		e = newEnv(t, func(aitest.Request) aitest.Response {
			// The receptionist edits the notes while the model thinks.
			e.ec.Ent.Contact.UpdateOneID(ct.ID).SetNotes("Wants a CT of the chest next month").ExecX(admin)
			return aitest.JSON(map[string]any{"service_id": nil, "intent": "price", "urgency": "low", "confidence": 0.9}, 800, 30)
		})
		admin = e.admin(t)
		ct = e.notesContact(t, notes)
		if err := refineEnrichment(t, e, ct); err != nil {
			t.Fatalf("Work: %v", err)
		}
		if got := e.ec.Ent.Contact.GetX(sys(), ct.ID); got.Enrichment != nil && got.Enrichment.Engine == ai.EngineOpenAI {
			t.Errorf("the answer about the old notes was stored: %+v", got.Enrichment)
		}
	})
}
