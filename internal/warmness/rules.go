// Package warmness scores how ready a contact is to book: a number from 0
// (cold) to 100 (hot) with the reasons behind it, so staff can see why a
// lead is hot and call the right people first.
//
// The score is computed by a Scorer from Facts about the contact. Rules, the
// built-in scorer, is transparent and deterministic: every factor it counts
// is one WarmnessReason stored on the contact. An AI scorer can refine or
// replace it later through the same interface.
//
// Service keeps the stored score current: its Hook recomputes a contact's
// score, in the transaction of the change, whenever something that the
// score depends on changes, and writes a "contact.warm" Event when the score
// crosses 80 upwards.
package warmness

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
)

// Facts are what a Scorer knows about a contact.
type Facts struct {
	// Now is the moment the score is for.
	Now time.Time

	LeadSource   contact.LeadSource
	Stage        contact.Stage
	Archived     bool
	SMSConsent   bool
	EmailConsent bool

	// LastTouch is the time of the most recent communication (any
	// touchpoint but notes and stage changes); nil when there was none.
	LastTouch *time.Time
	// Touches30 counts communications in the 30 days before Now;
	// Touches90 in the 90 days before Now (so including Touches30).
	Touches30, Touches90 int
	// Replies90 counts what the contact sent in the last 90 days: inbound
	// SMS, emails and calls, and web forms.
	Replies90 int

	// Upcoming counts pending or confirmed bookings that start after Now.
	Upcoming int
	// Attended counts completed bookings.
	Attended int
	// NoShows and Cancellations count missed and cancelled bookings.
	NoShows, Cancellations int

	// LocationID is the contact's location (for an AI scorer's usage
	// records); empty when unknown.
	LocationID string
	// NextChange is the first moment after Now at which these facts change
	// with the clock alone: a communication leaves the 30- or 90-day
	// window, a booking starts (Upcoming falls, or a completed visit
	// becomes the last contact). Zero: never. LoadFacts sets it; Due adds
	// the recency's own decay.
	NextChange time.Time

	// Messages are what the contact sent with words in it (inbound SMS,
	// emails, calls and web forms of the last 90 days: the touchpoints'
	// summaries), newest first, at most MaxMessages: an AI scorer reads
	// the latest one's meaning. The rules ignore them.
	Messages []Message
}

// Message is one inbound touchpoint with its text.
type Message struct {
	Kind string
	At   time.Time
	Text string
}

// MaxMessages bounds Facts.Messages.
const MaxMessages = 5

// Scored is a score with its reasons and the engine that gave it.
type Scored struct {
	Score   int
	Reasons []types.WarmnessReason
	// Engine names what scored: EngineRules, or the AI layer's engine
	// ("builtin", "openai").
	Engine string
}

// EngineRules is the engine name of the Rules scorer.
const EngineRules = "rules"

// EngineScorer is a Scorer that also names the engine that scored (the
// AI layer behind this interface). Service stores the name with the
// score, so the contact page can say which engine scored it.
type EngineScorer interface {
	ScoreEngine(ctx context.Context, f Facts) (Scored, error)
}

// Scorer computes a warmness score, 0 to 100, and the reasons for it.
// Callers clamp the score to 0..100 whatever a Scorer returns.
type Scorer interface {
	Score(ctx context.Context, f Facts) (int, []types.WarmnessReason, error)
}

// Factor names, as stored in WarmnessReason.Factor.
const (
	FactorRecency       = "recency"
	FactorFrequency     = "frequency"
	FactorReplies       = "replies"
	FactorSource        = "source"
	FactorUpcoming      = "upcoming_booking"
	FactorAttended      = "attended"
	FactorNoShows       = "no_shows"
	FactorCancellations = "cancellations"
	FactorConsent       = "consent"
	FactorStage         = "stage"
	FactorArchived      = "archived"
)

// Points of the built-in rules. docs (and the final hand-over) list them as
// a table; change both together.
const (
	// RecencyMax is the points for a communication today; they halve every
	// RecencyHalfLife and stop after RecencyWindow.
	RecencyMax      = 30
	RecencyHalfLife = 14 * 24 * time.Hour
	RecencyWindow   = 90 * 24 * time.Hour

	Per30DayTouch  = 2 // each communication in the last 30 days …
	Max30DayTouch  = 12
	Per90DayTouch  = 1 // … and each one 31–90 days ago
	Max90DayTouch  = 4
	PerReply       = 6 // each reply in the last 90 days, on top of frequency
	MaxReplies     = 18
	UpcomingPoints = 20
	AttendedPoints = 10
	PerNoShow      = -10
	MaxNoShow      = -20
	PerCancel      = -5
	MaxCancel      = -10
	SMSConsent     = 4
	EmailConsent   = 3
)

// SourcePoints are the points of each lead source: referrals convert best.
var SourcePoints = map[contact.LeadSource]int{
	contact.LeadSourceGpReferral: 20,
	contact.LeadSourceReferral:   18,
	contact.LeadSourceWix:        12,
	contact.LeadSourceWebsite:    12, // the clinic's own site, as Wix
	contact.LeadSourceWalkIn:     12,
	contact.LeadSourceGoogleAds:  10,
	contact.LeadSourceManychat:   8,
	contact.LeadSourceMetaAds:    6,
	contact.LeadSourceOther:      4,
}

// StagePoints are the points of each stage: the further along, the warmer.
var StagePoints = map[contact.Stage]int{
	contact.StageNewLead:           0,
	contact.StageContacted:         3,
	contact.StageQualified:         6,
	contact.StageBooked:            9,
	contact.StageConfirmed:         11,
	contact.StageReminded:          12,
	contact.StageReady:             13,
	contact.StageCompleted:         14,
	contact.StageResultsSent:       14,
	contact.StageRecalled:          15,
	contact.StageReferralSent:      15,
	contact.StagePartnershipActive: 15,
}

var sourceLabels = map[contact.LeadSource]string{
	contact.LeadSourceGpReferral: "GP referral",
	contact.LeadSourceReferral:   "Personal referral",
	contact.LeadSourceWix:        "Enquired on the website",
	contact.LeadSourceWebsite:    "Sent the website's form",
	contact.LeadSourceWalkIn:     "Walked in",
	contact.LeadSourceGoogleAds:  "Google Ads enquiry",
	contact.LeadSourceManychat:   "ManyChat conversation",
	contact.LeadSourceMetaAds:    "Meta Ads enquiry",
	contact.LeadSourceOther:      "Other source",
}

// Rules is the built-in scorer: a sum of fixed points per factor (see the
// constants), deterministic and explainable. Its zero value is ready.
type Rules struct{}

// Score implements Scorer.
func (Rules) Score(_ context.Context, f Facts) (int, []types.WarmnessReason, error) {
	var rs []types.WarmnessReason
	add := func(factor string, points int, detail string) {
		rs = append(rs, types.WarmnessReason{Factor: factor, Points: points, Detail: detail})
	}

	// Recency is always listed, so a cold lead says why it is cold.
	if f.LastTouch == nil {
		add(FactorRecency, 0, "No contact from the patient on record")
	} else {
		age := max(f.Now.Sub(*f.LastTouch), 0)
		days := int(age / (24 * time.Hour))
		p := recencyPoints(age)
		add(FactorRecency, p, "Last contact from the patient "+daysAgo(days))
	}
	older := max(f.Touches90-f.Touches30, 0)
	if p := min(f.Touches30*Per30DayTouch, Max30DayTouch) + min(older*Per90DayTouch, Max90DayTouch); p > 0 {
		add(FactorFrequency, p, fmt.Sprintf("Got in touch %s in the last 30 days, %s in the 60 before", plural(f.Touches30, "time"), plural(older, "time")))
	}
	if f.Replies90 > 0 {
		add(FactorReplies, min(f.Replies90*PerReply, MaxReplies), plural(f.Replies90, "reply")+" from the contact in the last 90 days")
	}
	if p, ok := SourcePoints[f.LeadSource]; ok && p != 0 {
		add(FactorSource, p, sourceLabels[f.LeadSource])
	}
	if f.Upcoming > 0 {
		add(FactorUpcoming, UpcomingPoints, "Has an upcoming booking")
	}
	if f.Attended > 0 {
		add(FactorAttended, AttendedPoints, "Attended before ("+plural(f.Attended, "visit")+")")
	}
	if f.NoShows > 0 {
		add(FactorNoShows, max(f.NoShows*PerNoShow, MaxNoShow), "Missed "+plural(f.NoShows, "appointment"))
	}
	if f.Cancellations > 0 {
		add(FactorCancellations, max(f.Cancellations*PerCancel, MaxCancel), "Cancelled "+plural(f.Cancellations, "booking"))
	}
	switch {
	case f.SMSConsent && f.EmailConsent:
		add(FactorConsent, SMSConsent+EmailConsent, "Agreed to SMS and email")
	case f.SMSConsent:
		add(FactorConsent, SMSConsent, "Agreed to SMS")
	case f.EmailConsent:
		add(FactorConsent, EmailConsent, "Agreed to email")
	}
	if p := StagePoints[f.Stage]; p != 0 {
		add(FactorStage, p, "Stage "+string(f.Stage))
	}
	if f.Archived {
		// Archived contacts are out of the running: the factor cancels
		// the others, so the score is 0 and the reasons still show why
		// the contact was warm before.
		add(FactorArchived, -max(sum(rs), 0), "Archived")
	}
	return Total(rs), rs, nil
}

// Total adds up reasons' points and clamps the sum to 0..100.
func Total(rs []types.WarmnessReason) int { return Clamp(sum(rs)) }

func sum(rs []types.WarmnessReason) int {
	n := 0
	for _, r := range rs {
		n += r.Points
	}
	return n
}

// Clamp limits a score to 0..100.
func Clamp(score int) int { return max(0, min(100, score)) }

// daysAgo says how long ago in whole days elapsed. The scorer knows no time
// zone, so it cannot say "today" or "yesterday" by the clinic's calendar:
// 11 hours before 9 am is yesterday evening, not today.
func daysAgo(d int) string {
	switch d {
	case 0:
		return "in the last 24 hours"
	case 1:
		return "1 day ago"
	}
	return fmt.Sprintf("%d days ago", d)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if word == "reply" {
		return fmt.Sprintf("%d replies", n)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// RecencyNext is the first moment after f.Now at which the rules'
// recency reason changes with the clock alone: its points step down (they
// are rounded, so they change at known moments: at most about one and a
// half times a day early on) or its day count ("3 days ago") moves on.
// Zero when f has no last contact.
func RecencyNext(f Facts) time.Time {
	if f.LastTouch == nil {
		return time.Time{}
	}
	last := *f.LastTouch
	age := max(f.Now.Sub(last), 0)
	const day = 24 * time.Hour
	next := last.Add((age/day + 1) * day)
	if age <= RecencyWindow {
		if p := recencyPoints(age); p >= 1 {
			// The points fall to p-1 once RecencyMax·½^(age/half-life)
			// drops below p-½; a millisecond later rounds for sure.
			a := time.Duration(float64(RecencyHalfLife)*math.Log2(RecencyMax/(float64(p)-0.5))) + time.Millisecond
			if t := last.Add(a); t.After(f.Now) && t.Before(next) {
				next = t
			}
		}
		if t := last.Add(RecencyWindow + time.Nanosecond); t.After(f.Now) && t.Before(next) {
			next = t
		}
	}
	return next
}

// recencyPoints are the recency points at age.
func recencyPoints(age time.Duration) int {
	if age > RecencyWindow {
		return 0
	}
	return int(math.Round(RecencyMax * math.Pow(0.5, float64(age)/float64(RecencyHalfLife))))
}
