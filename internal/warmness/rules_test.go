package warmness_test

import (
	"context"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

var now = time.Date(2026, 3, 10, 22, 0, 0, 0, time.UTC)

func ago(d time.Duration) *time.Time {
	t := now.Add(-d)
	return &t
}

// base is an ordinary lead: a Google Ads enquiry contacted a week ago.
func base() warmness.Facts {
	return warmness.Facts{
		Now: now, LeadSource: contact.LeadSourceGoogleAds, Stage: contact.StageContacted,
		LastTouch: ago(7 * 24 * time.Hour), Touches30: 1, Touches90: 1,
	}
}

func score(t *testing.T, f warmness.Facts) (int, []types.WarmnessReason) {
	t.Helper()
	n, rs, err := warmness.Rules{}.Score(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return n, rs
}

func TestRules_FactorsMoveTheScore(t *testing.T) {
	baseScore, _ := score(t, base())
	if baseScore <= 0 || baseScore >= 80 {
		t.Fatalf("base lead scores %d; the cases below need room both ways", baseScore)
	}
	tests := []struct {
		name   string
		change func(*warmness.Facts)
		factor string
		warmer bool
	}{
		{"RecentTouchWarmer", func(f *warmness.Facts) { f.LastTouch = ago(time.Hour) }, warmness.FactorRecency, true},
		{"OldTouchColder", func(f *warmness.Facts) { f.LastTouch = ago(60 * 24 * time.Hour) }, warmness.FactorRecency, false},
		{"NoTouchColder", func(f *warmness.Facts) { f.LastTouch, f.Touches30, f.Touches90 = nil, 0, 0 }, warmness.FactorRecency, false},
		{"MoreTouches30Warmer", func(f *warmness.Facts) { f.Touches30, f.Touches90 = 4, 4 }, warmness.FactorFrequency, true},
		{"MoreTouches90Warmer", func(f *warmness.Facts) { f.Touches90 = 3 }, warmness.FactorFrequency, true},
		{"ReplyWarmer", func(f *warmness.Facts) { f.Replies90 = 1 }, warmness.FactorReplies, true},
		{"GPReferralWarmer", func(f *warmness.Facts) { f.LeadSource = contact.LeadSourceGpReferral }, warmness.FactorSource, true},
		{"ReferralWarmer", func(f *warmness.Facts) { f.LeadSource = contact.LeadSourceReferral }, warmness.FactorSource, true},
		{"OtherSourceColder", func(f *warmness.Facts) { f.LeadSource = contact.LeadSourceOther }, warmness.FactorSource, false},
		{"UpcomingBookingWarmer", func(f *warmness.Facts) { f.Upcoming = 1 }, warmness.FactorUpcoming, true},
		{"AttendedWarmer", func(f *warmness.Facts) { f.Attended = 1 }, warmness.FactorAttended, true},
		{"NoShowColder", func(f *warmness.Facts) { f.NoShows = 1 }, warmness.FactorNoShows, false},
		{"CancellationColder", func(f *warmness.Facts) { f.Cancellations = 1 }, warmness.FactorCancellations, false},
		{"SMSConsentWarmer", func(f *warmness.Facts) { f.SMSConsent = true }, warmness.FactorConsent, true},
		{"EmailConsentWarmer", func(f *warmness.Facts) { f.EmailConsent = true }, warmness.FactorConsent, true},
		{"LaterStageWarmer", func(f *warmness.Facts) { f.Stage = contact.StageConfirmed }, warmness.FactorStage, true},
		{"EarlierStageColder", func(f *warmness.Facts) { f.Stage = contact.StageNewLead }, warmness.FactorStage, false},
		{"ArchivedCold", func(f *warmness.Facts) { f.Archived = true }, warmness.FactorArchived, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := base()
			tc.change(&f)
			got, rs := score(t, f)
			if tc.warmer && got <= baseScore || !tc.warmer && got >= baseScore {
				t.Errorf("score %d, base %d; want it %s", got, baseScore, map[bool]string{true: "higher", false: "lower"}[tc.warmer])
			}
			found := false
			for _, r := range rs {
				if r.Factor == tc.factor {
					found = true
				}
			}
			if !found && tc.factor != warmness.FactorStage {
				t.Errorf("no %s reason in %+v", tc.factor, rs)
			}
		})
	}

	t.Run("RepliesCountMoreThanOutbound", func(t *testing.T) {
		out := base()
		out.LastTouch, out.Touches30, out.Touches90 = ago(time.Hour), 2, 2
		in := out
		in.Replies90 = 1 // the same touches, one of them a reply
		o, _ := score(t, out)
		i, _ := score(t, in)
		if i <= o {
			t.Fatalf("with a reply %d, all outbound %d", i, o)
		}
	})
	t.Run("RecencyDecays", func(t *testing.T) {
		prev := 101
		for _, d := range []int{0, 3, 7, 14, 30, 60, 91} {
			f := base()
			f.LastTouch = ago(time.Duration(d) * 24 * time.Hour)
			_, rs := score(t, f)
			p := rs[0].Points
			if rs[0].Factor != warmness.FactorRecency || p > prev || p < 0 || p > warmness.RecencyMax {
				t.Fatalf("day %d: recency %+v after %d", d, rs[0], prev)
			}
			prev = p
		}
		if prev != 0 {
			t.Fatalf("after 90 days recency still gives %d", prev)
		}
	})
}

func TestRules_Clamps(t *testing.T) {
	hot := warmness.Facts{
		Now: now, LeadSource: contact.LeadSourceGpReferral, Stage: contact.StageReady, LastTouch: ago(0),
		Touches30: 20, Touches90: 30, Replies90: 10, Upcoming: 1, Attended: 3, SMSConsent: true, EmailConsent: true,
	}
	if n, rs := score(t, hot); n != 100 {
		t.Errorf("hottest lead scores %d (%+v), want 100", n, rs)
	}
	cold := warmness.Facts{Now: now, LeadSource: contact.LeadSourceOther, NoShows: 5, Cancellations: 5}
	if n, rs := score(t, cold); n != 0 {
		t.Errorf("coldest lead scores %d (%+v), want 0", n, rs)
	}
	archived := hot
	archived.Archived = true
	if n, _ := score(t, archived); n != 0 {
		t.Errorf("archived hot lead scores %d, want 0", n)
	}
	if warmness.Clamp(-3) != 0 || warmness.Clamp(140) != 100 || warmness.Clamp(42) != 42 {
		t.Error("Clamp")
	}
}

func TestRules_ReasonsAddUp(t *testing.T) {
	f := base()
	f.Upcoming, f.Replies90, f.NoShows, f.SMSConsent = 1, 1, 1, true
	n, rs := score(t, f)
	sum := 0
	for _, r := range rs {
		sum += r.Points
		if r.Factor == "" || r.Detail == "" {
			t.Errorf("reason without factor or detail: %+v", r)
		}
	}
	if sum != n {
		t.Fatalf("reasons add up to %d, score %d", sum, n)
	}
}
