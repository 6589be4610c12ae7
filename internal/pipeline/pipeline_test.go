package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/stagechange"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// expectAllowed restates the transition table from its rules (the prose of
// docs/PIPELINES.md), independently of the table in the code, so a slip in
// either shows up as a difference.
func expectAllowed(from, to contact.Stage) bool {
	idx := func(s contact.Stage) int { return slices.Index(pipeline.Stages, s) }
	in := func(s contact.Stage, set ...contact.Stage) bool { return slices.Contains(set, s) }
	samePipeline := pipeline.PipelineOf(from) == pipeline.PipelineOf(to)
	switch {
	case from == to:
		return false // a no-op, not a transition
	case samePipeline && idx(to) > idx(from): // forward, skipping allowed
		return true
	case samePipeline && idx(to) == idx(from)-1: // one step back
		return true
	case from == contact.StageBooked && to == contact.StageConfirmed,
		from == contact.StageConfirmed && to == contact.StageBooked: // handoff
		return true
	case in(from, contact.StageConfirmed, contact.StageReminded, contact.StageReady) && to == contact.StageCompleted:
		return true
	case in(from, contact.StageBooked, contact.StageConfirmed, contact.StageReminded, contact.StageReady) &&
		in(to, contact.StageQualified, contact.StageContacted): // cancelled booking
		return true
	case from == contact.StageRecalled && to == contact.StageBooked: // re-booking
		return true
	case to == contact.StageReferralSent:
		return true
	case from == contact.StageReferralSent && to == contact.StagePartnershipActive:
		return true
	}
	return false
}

func TestStagesMatchSchema(t *testing.T) {
	var got []string
	for _, s := range pipeline.Stages {
		got = append(got, string(s))
	}
	if !slices.Equal(got, schema.Stages) {
		t.Fatalf("pipeline.Stages = %v, schema has %v", got, schema.Stages)
	}
	for _, s := range pipeline.Stages {
		if err := contact.PipelineValidator(pipeline.PipelineOf(s)); err != nil {
			t.Errorf("PipelineOf(%s): %v", s, err)
		}
	}
}

// TestCanMoveMatrix checks every pair of stages against the rules.
func TestCanMoveMatrix(t *testing.T) {
	allowed := 0
	for _, from := range pipeline.Stages {
		for _, to := range pipeline.Stages {
			err := pipeline.CanMove(from, to)
			switch {
			case from == to:
				if err != nil {
					t.Errorf("%s → %s (no-op): %v", from, to, err)
				}
			case expectAllowed(from, to):
				allowed++
				if err != nil {
					t.Errorf("%s → %s: refused (%v), the rules allow it", from, to, err)
				}
			default:
				var ae *apperr.Error
				if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field != "stage" {
					t.Errorf("%s → %s: got %v, want INVALID on stage", from, to, err)
					continue
				}
				if !strings.Contains(ae.Message, string(from)) || !strings.Contains(ae.Message, string(to)) {
					t.Errorf("%s → %s: message %q does not name both stages", from, to, ae.Message)
				}
			}
		}
	}
	if allowed != 44 {
		t.Errorf("%d allowed transitions, the table in docs/PIPELINES.md has 44", allowed)
	}
	if err := pipeline.CanMove(contact.StageNewLead, "nowhere"); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("unknown stage: %v", err)
	}
}

func staffCtx(t *testing.T, c *ent.Client) (context.Context, pulid.ID) {
	t.Helper()
	ctx := testutil.As(t, c, "staff@example.com")
	return ctx, viewer.FromContext(ctx).UserID
}

func newContact(t *testing.T, ctx context.Context, c *ent.Client, name string, stage contact.Stage) *ent.Contact {
	t.Helper()
	ct, err := c.Contact.Create().SetFirstName(name).SetStage(stage).SetPipeline(pipeline.PipelineOf(stage)).
		SetStageChangedAt(testutil.Now.Add(-72 * time.Hour)).Save(ctx)
	if err != nil {
		t.Fatalf("create contact: %v", err)
	}
	return ct
}

func clock() func() time.Time { return func() time.Time { return testutil.Now } }

// TestMoveEveryTransition runs every one of the 144 pairs through Move on
// a real contact: allowed moves change the contact and leave a StageChange
// and a touchpoint; refused ones change and record nothing; the same stage
// is a no-op.
func TestMoveEveryTransition(t *testing.T) {
	d := testutil.DemoDB(t)
	c := d.Client
	ctx, staffID := staffCtx(t, c)
	svc := &pipeline.Service{Client: c, Now: clock()}
	for _, from := range pipeline.Stages {
		for _, to := range pipeline.Stages {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				ct := newContact(t, ctx, c, "Matrix", from)
				got, err := svc.Move(ctx, ct.ID, to, "  matrix test  ")
				changes, cerr := c.StageChange.Query().Where(stagechange.ContactID(ct.ID)).All(ctx)
				if cerr != nil {
					t.Fatal(cerr)
				}
				tps, terr := c.Touchpoint.Query().Where(touchpoint.ContactID(ct.ID), touchpoint.KindEQ(touchpoint.KindStageChange)).All(ctx)
				if terr != nil {
					t.Fatal(terr)
				}
				stored, gerr := c.Contact.Get(ctx, ct.ID)
				if gerr != nil {
					t.Fatal(gerr)
				}
				switch {
				case from == to:
					if err != nil || got.Stage != from || len(changes) != 0 || len(tps) != 0 || !stored.StageChangedAt.Equal(ct.StageChangedAt) {
						t.Fatalf("no-op: err %v, stage %v, %d changes, %d touchpoints", err, got, len(changes), len(tps))
					}
				case expectAllowed(from, to):
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					if got.Stage != to || got.Pipeline != pipeline.PipelineOf(to) || stored.Stage != to || !stored.StageChangedAt.Equal(testutil.Now) {
						t.Fatalf("contact after the move: %s/%s at %v", stored.Pipeline, stored.Stage, stored.StageChangedAt)
					}
					if len(changes) != 1 {
						t.Fatalf("%d stage changes, want 1", len(changes))
					}
					sc := changes[0]
					if sc.FromStage == nil || string(*sc.FromStage) != string(from) || sc.FromPipeline == nil || string(*sc.FromPipeline) != string(pipeline.PipelineOf(from)) ||
						string(sc.ToStage) != string(to) || string(sc.ToPipeline) != string(pipeline.PipelineOf(to)) ||
						sc.ActorID == nil || *sc.ActorID != staffID || sc.Reason != "matrix test" || !sc.At.Equal(testutil.Now) {
						t.Fatalf("stage change: %+v", sc)
					}
					if len(tps) != 1 || !strings.Contains(tps[0].Summary, pipeline.Label(from)+" → "+pipeline.Label(to)) ||
						!strings.HasSuffix(tps[0].Summary, "— matrix test") || tps[0].ActorID == nil || *tps[0].ActorID != staffID {
						t.Fatalf("touchpoints: %+v", tps)
					}
				default:
					var ae *apperr.Error
					if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field != "stage" ||
						!strings.Contains(ae.Message, "from "+string(from)+" to "+string(to)) {
						t.Fatalf("got %v, want INVALID on stage naming %s and %s", err, from, to)
					}
					if stored.Stage != from || len(changes) != 0 || len(tps) != 0 {
						t.Fatalf("a refused move changed something: stage %s, %d changes, %d touchpoints", stored.Stage, len(changes), len(tps))
					}
				}
			})
		}
	}
}

func TestMoveAcrossPipelinesSummary(t *testing.T) {
	d := testutil.DemoDB(t)
	c := d.Client
	ctx, _ := staffCtx(t, c)
	svc := &pipeline.Service{Client: c, Now: clock()}
	ct := newContact(t, ctx, c, "Handoff", contact.StageBooked)
	if _, err := svc.Move(ctx, ct.ID, contact.StageConfirmed, ""); err != nil {
		t.Fatal(err)
	}
	tp, err := c.Touchpoint.Query().Where(touchpoint.ContactID(ct.ID), touchpoint.KindEQ(touchpoint.KindStageChange)).Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Stage: Booked → Confirmed (Lead → Pre-Appointment)"; tp.Summary != want {
		t.Fatalf("summary %q, want %q", tp.Summary, want)
	}
}

func TestMoveErrors(t *testing.T) {
	d := testutil.DemoDB(t)
	c := d.Client
	ctx, _ := staffCtx(t, c)
	svc := &pipeline.Service{Client: c, Now: clock()}
	ct := newContact(t, ctx, c, "Errors", contact.StageNewLead)

	t.Run("UnknownStage", func(t *testing.T) {
		_, err := svc.Move(ctx, ct.ID, "nowhere", "")
		if ae := apperr.From(err); ae.Code != apperr.Invalid || ae.Field != "stage" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ReasonTooLong", func(t *testing.T) {
		_, err := svc.Move(ctx, ct.ID, contact.StageContacted, strings.Repeat("x", pipeline.MaxReason+1))
		if ae := apperr.From(err); ae.Code != apperr.Invalid || ae.Field != "reason" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := svc.Move(ctx, "con_01JZZZZZZZZZZZZZZZZZZZZZZZ", contact.StageContacted, "")
		if ae := apperr.From(err); ae.Code != apperr.NotFound || ae.Field != "contactID" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("OtherLocationNotFound", func(t *testing.T) {
		par := testutil.As(t, c, "par-staff@example.com")
		parContact := newContact(t, par, c, "Parramatta", contact.StageNewLead)
		_, err := svc.Move(ctx, parContact.ID, contact.StageContacted, "")
		if ae := apperr.From(err); ae.Code != apperr.NotFound || ae.Field != "contactID" {
			t.Fatalf("SYD moving a PAR contact: %v, want NOT_FOUND", err)
		}
		again, err := c.Contact.Get(par, parContact.ID)
		if err != nil || again.Stage != contact.StageNewLead {
			t.Fatalf("PAR contact after the attempt: %v %v", again, err)
		}
	})
	t.Run("ViewerForbidden", func(t *testing.T) {
		v := testutil.As(t, c, "viewer@example.com")
		_, err := svc.Move(v, ct.ID, contact.StageContacted, "")
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("viewer moving a contact: %v, want FORBIDDEN", err)
		}
		// Even a move that would change nothing.
		if _, err := svc.Move(v, ct.ID, ct.Stage, ""); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("viewer's no-op move: %v, want FORBIDDEN", err)
		}
		n, _ := c.StageChange.Query().Where(stagechange.ContactID(ct.ID)).Count(ctx)
		if n != 0 {
			t.Fatalf("a forbidden move left %d stage changes", n)
		}
	})
	t.Run("InCallersTransaction", func(t *testing.T) {
		// Inside a caller's transaction the move joins it: a rollback
		// undoes the move and its history together.
		txCtx, tx, err := c.OpenTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Move(txCtx, ct.ID, contact.StageContacted, ""); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		got, _ := c.Contact.Get(ctx, ct.ID)
		n, _ := c.StageChange.Query().Where(stagechange.ContactID(ct.ID)).Count(ctx)
		if got.Stage != contact.StageNewLead || n != 0 {
			t.Fatalf("after rollback: stage %s, %d changes", got.Stage, n)
		}
	})
}

func TestMoveMany(t *testing.T) {
	d := testutil.DemoDB(t)
	c := d.Client
	ctx, _ := staffCtx(t, c)
	svc := &pipeline.Service{Client: c, Now: clock()}
	a := newContact(t, ctx, c, "A", contact.StageNewLead)
	b := newContact(t, ctx, c, "B", contact.StageQualified)
	already := newContact(t, ctx, c, "Already", contact.StageBooked)
	bad := newContact(t, ctx, c, "Bad", contact.StageCompleted) // completed → booked is refused
	par := newContact(t, testutil.As(t, c, "par-staff@example.com"), c, "Par", contact.StageNewLead)

	moved, failed, err := svc.MoveMany(ctx, []pulid.ID{a.ID, b.ID, already.ID, bad.ID, par.ID, a.ID}, contact.StageBooked, "campaign")
	if err != nil {
		t.Fatal(err)
	}
	errs := map[pulid.ID]error{}
	for _, f := range failed {
		errs[f.ContactID] = f.Err
	}
	if moved != 3 {
		t.Errorf("moved %d, want 3 (two moves and one already there)", moved)
	}
	if len(errs) != 2 || apperr.CodeOf(errs[bad.ID]) != apperr.Invalid || apperr.CodeOf(errs[par.ID]) != apperr.NotFound {
		t.Fatalf("errs = %v", errs)
	}
	for _, id := range []pulid.ID{a.ID, b.ID} {
		n, _ := c.StageChange.Query().Where(stagechange.ContactID(id)).Count(ctx)
		got, _ := c.Contact.Get(ctx, id)
		if n != 1 || got.Stage != contact.StageBooked {
			t.Errorf("%s: stage %s, %d changes (a duplicate ID must move once)", id, got.Stage, n)
		}
	}
	if got, _ := c.Contact.Get(ctx, bad.ID); got.Stage != contact.StageCompleted {
		t.Errorf("refused contact moved to %s", got.Stage)
	}
}

// TestDocumentedTable: the table in docs/PIPELINES.md is the code's.
func TestDocumentedTable(t *testing.T) {
	raw, err := os.ReadFile("../../docs/PIPELINES.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for line := range strings.Lines(string(raw)) {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) != 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") || !strings.Contains(cells[2], "`") {
			continue
		}
		from := contact.Stage(strings.Trim(strings.TrimSpace(cells[1]), "`"))
		if contact.StageValidator(from) != nil || strings.Contains(cells[2], "→") {
			continue // the pipelines table
		}
		var doc []contact.Stage
		for _, s := range strings.Split(cells[2], ",") {
			doc = append(doc, contact.Stage(strings.Trim(strings.TrimSpace(s), "`")))
		}
		if got := pipeline.Targets(from); !slices.Equal(doc, got) {
			t.Errorf("docs: %s → %v; code: %v", from, doc, got)
		}
		rows++
	}
	if rows != len(pipeline.Stages) {
		t.Errorf("docs list %d stages in the transition table, want %d", rows, len(pipeline.Stages))
	}
}

// MoveMany refuses more than MaxBulk contacts at once, moving none.
func TestMoveManyTooMany(t *testing.T) {
	d := testutil.DemoDB(t)
	ctx, _ := staffCtx(t, d.Client)
	svc := &pipeline.Service{Client: d.Client, Now: clock()}
	a := newContact(t, ctx, d.Client, "A", contact.StageNewLead)
	ids := make([]pulid.ID, pipeline.MaxBulk+1)
	for i := range ids {
		ids[i] = a.ID
	}
	moved, failed, err := svc.MoveMany(ctx, ids, contact.StageContacted, "")
	if e := apperr.From(err); e.Code != apperr.Invalid || e.Field != "contactIDs" || moved != 0 || len(failed) != 0 {
		t.Fatalf("%d contacts: moved %d, failed %v, err %v", len(ids), moved, failed, err)
	}
	if got, _ := d.Client.Contact.Get(ctx, a.ID); got.Stage != contact.StageNewLead {
		t.Errorf("the contact moved to %s", got.Stage)
	}
}
