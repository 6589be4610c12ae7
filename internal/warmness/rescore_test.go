package warmness_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/touchpoint"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// touchAt logs a communication of kind at a time of its own.
func (e *env) touchAt(t *testing.T, id pulid.ID, kind touchpoint.Kind, at time.Time) {
	t.Helper()
	if err := e.client.Touchpoint.Create().SetContactID(id).SetKind(kind).SetSummary("x").SetOccurredAt(at).Exec(e.staff); err != nil {
		t.Fatal(err)
	}
}

// stale lists the contacts whose stored score or reasons differ from
// scoring them afresh at now.
func stale(t *testing.T, c *ent.Client, now time.Time) []string {
	t.Helper()
	sys := viewer.Seed.Grant(context.Background(), "test")
	cts, err := c.Contact.Query().All(sys)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ct := range cts {
		f, err := warmness.LoadFacts(sys, c, ct, now)
		if err != nil {
			t.Fatal(err)
		}
		score, reasons, err := warmness.Rules{}.Score(sys, f)
		if err != nil {
			t.Fatal(err)
		}
		if warmness.Clamp(score) != ct.Warmness || !slices.Equal(reasons, ct.WarmnessReasons) {
			out = append(out, ct.FirstName+" "+ct.LastName)
		}
	}
	return out
}

// The schedule rescores only the contacts due, yet after every run each
// contact's stored score and reasons are exactly what scoring it afresh
// gives: at clock steps that cross the recency's decay, day counts, the
// 30- and 90-day windows and bookings starting. Contacts with no history
// are never written.
func TestService_RecalculateDue_MatchesFreshScores(t *testing.T) {
	e := newEnv(t)
	sys := viewer.Seed.Grant(context.Background(), "test")
	now := testutil.Now
	recent := e.mustContact(t, e.client.Contact.Create().SetFirstName("Recent").SetLastName("Reply"))
	e.touchAt(t, recent.ID, touchpoint.KindSmsIn, now.Add(-time.Hour))
	e.touchAt(t, recent.ID, touchpoint.KindEmailClick, now.Add(-29*24*time.Hour-23*time.Hour))
	e.touchAt(t, recent.ID, touchpoint.KindEmailClick, now.Add(-29*24*time.Hour-22*time.Hour))
	edge := e.mustContact(t, e.client.Contact.Create().SetFirstName("Window").SetLastName("Edge"))
	e.touchAt(t, edge.ID, touchpoint.KindWebForm, now.Add(-89*24*time.Hour-20*time.Hour))
	ahead := e.mustContact(t, e.client.Contact.Create().SetFirstName("Booked").SetLastName("Ahead"))
	e.book(t, ahead.ID, booking.StatusConfirmed, 3*time.Hour)
	e.book(t, ahead.ID, booking.StatusCompleted, 26*time.Hour)
	quiet := e.mustContact(t, e.client.Contact.Create().SetFirstName("No").SetLastName("History").
		SetLeadSource(contact.LeadSourceReferral).SetSmsConsent(true))
	e.touch(t, quiet.ID, touchpoint.KindSmsOut) // the clinic's own message: no clock in the score
	quietAt := *e.get(t, quiet.ID).WarmnessScoredAt
	if e.get(t, quiet.ID).WarmnessDueAt != nil {
		t.Fatalf("a contact without history is due at %v", e.get(t, quiet.ID).WarmnessDueAt)
	}
	total, err := e.client.Contact.Query().Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	if s := stale(t, e.client, now); len(s) > 0 {
		t.Fatalf("stale before any run: %v", s)
	}
	steps := []time.Duration{
		10 * time.Minute, 2 * time.Hour, 3 * time.Hour, 9 * time.Hour, 24 * time.Hour, 26*time.Hour + 15*time.Minute,
		3 * 24 * time.Hour, 14 * 24 * time.Hour, 14*24*time.Hour + 20*time.Hour, 30 * 24 * time.Hour,
		60 * 24 * time.Hour, 90 * 24 * time.Hour, 91 * 24 * time.Hour, 200 * 24 * time.Hour,
	}
	at := now
	for _, step := range steps {
		at = now.Add(step)
		e.svc.Now = func() time.Time { return at }
		res, err := e.svc.RecalculateDue(sys)
		if err != nil {
			t.Fatalf("+%v: %v", step, err)
		}
		if res.Checked >= total || res.Written > res.Checked {
			t.Errorf("+%v: checked %d, wrote %d, of %d contacts: want only those due", step, res.Checked, res.Written, total)
		}
		if s := stale(t, e.client, at); len(s) > 0 {
			t.Fatalf("+%v (checked %d, wrote %d): stale scores of %v", step, res.Checked, res.Written, s)
		}
		// A second run at the same moment finds nothing due.
		if again, err := e.svc.RecalculateDue(sys); err != nil || again.Checked != 0 {
			t.Fatalf("+%v: a second run checked %d (%v)", step, again.Checked, err)
		}
	}
	if got := e.get(t, quiet.ID); !got.WarmnessScoredAt.Equal(quietAt) {
		t.Errorf("a contact without history was rescored at %v", got.WarmnessScoredAt)
	}
	// Rescoring everything now writes nothing: every score is current.
	for _, id := range []pulid.ID{recent.ID, edge.ID, ahead.ID} {
		if e.get(t, id).WarmnessScoredAt.Equal(now) {
			t.Errorf("contact %s never rescored", id)
		}
	}
	n, err := e.svc.Rescore(sys, false)
	if err != nil || n.Checked != total || n.Written != 0 {
		t.Fatalf("rescoring all: checked %d of %d, wrote %d (%v); want none written", n.Checked, total, n.Written, err)
	}
}
