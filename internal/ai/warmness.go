package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/warmness"
)

// WarmnessInput is a contact and its history, as plain values: the
// wiring reads the ent rows and fills these.
type WarmnessInput struct {
	LocationID string
	// Now is the moment the score is for; zero means the AI's clock.
	Now         time.Time
	Contact     WarmContact
	Touchpoints []Touchpoint
	Bookings    []BookingFact
}

// WarmContact is what scoring needs of a contact.
type WarmContact struct {
	// FirstName and LastName are only used to redact them.
	FirstName, LastName string
	// LeadSource and Stage take the values of the contact's enums
	// ("gp_referral", "booked" …).
	LeadSource, Stage string
	Archived          bool
	SMSConsent        bool
	EmailConsent      bool
}

// Touchpoint is one entry of a contact's timeline.
type Touchpoint struct {
	// Kind takes the touchpoint enum's values: sms_in, sms_out, email_in,
	// email_out, call_in, call_out, booking_event, web_form, note,
	// stage_change, and a campaign email's email_open, email_click,
	// email_bounce, email_unsub.
	Kind string
	At   time.Time
	// ByContact marks a booking_event the patient made themselves (an
	// online booking or change): that is the patient's own contact.
	ByContact bool
	// Text is the message, for inbound kinds (optional). The latest
	// inbound message's meaning adds to the score; a model reads the last
	// few.
	Text string
}

// BookingFact is one booking of the contact.
type BookingFact struct {
	// Status takes the booking enum's values: pending, confirmed,
	// completed, no_show, cancelled …
	Status   string
	StartsAt time.Time
}

// Warmness bands.
const (
	BandCold = "cold"
	BandWarm = "warm"
	BandHot  = "hot"
)

// Band returns the band of a score: hot above 80 (warmness.WarmThreshold,
// the score that raises a contact.warm event and lifts tasks to high),
// cold up to 40, warm between.
func Band(score int) string {
	switch {
	case score > warmness.WarmThreshold:
		return BandHot
	case score <= 40:
		return BandCold
	}
	return BandWarm
}

// Warmness is a contact's score and why.
type Warmness struct {
	Answer
	// Score is 0 to 100.
	Score int `json:"score"`
	// Band is cold, warm or hot.
	Band string `json:"band"`
	// RulesScore is what the warmness rules alone give: the floor of the
	// explanation, always shown.
	RulesScore int `json:"rulesScore"`
	// Reasons are the rules' reasons, then the engine's own (factor
	// "message_intent" for the built-in engine, "model" for a model's
	// adjustment). They are stored on the contact as they are.
	Reasons []types.WarmnessReason `json:"reasons"`
}

// Factors the AI layer adds to the rules' reasons.
const (
	FactorMessageIntent = "message_intent"
	FactorModel         = "model"
)

// MessageIntentPoints are what the meaning of the latest message from
// the contact adds: asking to come in or asking a question is interest;
// declining or opting out is the opposite.
var MessageIntentPoints = map[Intent]int{
	IntentConfirm:    6,
	IntentReschedule: 6,
	IntentQuestion:   4,
	IntentCancel:     -8,
	IntentOptOut:     -20,
}

// ownContact are the touchpoint kinds where the patient reached out. Only
// these count as the "last contact" of the recency rule: the clinic's
// messages, staff-made bookings, cancellations and no-shows do not (the
// rule of issue 11).
var ownContact = map[string]bool{"sms_in": true, "email_in": true, "call_in": true, "web_form": true}

// communication are the kinds that count towards frequency, as in
// internal/warmness.
var communication = map[string]bool{
	"sms_in": true, "sms_out": true, "email_in": true, "email_out": true,
	"call_in": true, "call_out": true, "booking_event": true, "web_form": true, "email_click": true,
}

// Facts derives the warmness rules' facts from the contact and its
// history at now. Recency counts only the contact's own contact (inbound
// messages, calls and forms, and bookings they made themselves); frequency
// counts every communication both ways, as the rules do today.
func (in WarmnessInput) Facts(now time.Time) warmness.Facts {
	f := warmness.Facts{
		Now: now, LeadSource: contact.LeadSource(in.Contact.LeadSource), Stage: contact.Stage(in.Contact.Stage),
		Archived: in.Contact.Archived, SMSConsent: in.Contact.SMSConsent, EmailConsent: in.Contact.EmailConsent,
	}
	since90, since30 := now.Add(-90*24*time.Hour), now.Add(-30*24*time.Hour)
	clicks := warmness.ClickDays{}
	for _, tp := range in.Touchpoints {
		at := tp.At
		if at.After(now) {
			at = now // a clock ahead of ours
		}
		if tp.Kind == "email_click" && !clicks.First(at) {
			continue // a campaign click counts once a day (internal/warmness)
		}
		own := ownContact[tp.Kind] || tp.Kind == "email_click" || tp.Kind == "booking_event" && tp.ByContact
		if own && (f.LastTouch == nil || at.After(*f.LastTouch)) {
			f.LastTouch = &at
		}
		if !communication[tp.Kind] || at.Before(since90) {
			continue
		}
		f.Touches90++
		if !at.Before(since30) {
			f.Touches30++
		}
		if ownContact[tp.Kind] {
			f.Replies90++
		}
	}
	for _, b := range in.Bookings {
		switch b.Status {
		case "pending", "confirmed":
			if b.StartsAt.After(now) {
				f.Upcoming++
			}
		case "completed":
			f.Attended++
		case "no_show":
			f.NoShows++
		case "cancelled":
			f.Cancellations++
		}
	}
	return f
}

// latestInbound returns the contact's most recent messages with text,
// newest first, at most n, from the last 90 days.
func (in WarmnessInput) latestInbound(now time.Time, n int) []Touchpoint {
	var out []Touchpoint
	for _, tp := range in.Touchpoints {
		if ownContact[tp.Kind] && strings.TrimSpace(tp.Text) != "" && !tp.At.Before(now.Add(-90*24*time.Hour)) {
			out = append(out, tp)
		}
	}
	slices.SortStableFunc(out, func(a, b Touchpoint) int { return b.At.Compare(a.At) })
	return out[:min(n, len(out))]
}

// AnalyzeWarmness implements Service.
func (a *AI) AnalyzeWarmness(ctx context.Context, in WarmnessInput) (Warmness, error) {
	if _, ok := warmness.SourcePoints[contact.LeadSource(in.Contact.LeadSource)]; !ok && in.Contact.LeadSource != "" {
		return Warmness{}, apperr.Invalidf("leadSource", "unknown lead source %q", in.Contact.LeadSource)
	}
	now := a.nowOr(in.Now)
	b, err := a.builtinWarmness(ctx, in, now)
	if err != nil {
		return Warmness{}, err
	}
	return run(ctx, a, request[Warmness]{
		uc: UseWarmness, location: in.LocationID, builtin: b,
		answer: func(r *Warmness) *Answer { return &r.Answer },
		schema: a.schemas.byUseCase[UseWarmness],
		prompt: func() (string, string) { return a.warmnessPrompt(in, b, now) },
		accept: func(raw []byte) (Warmness, error) { return acceptWarmness(raw, b) },
	}), nil
}

func (a *AI) builtinWarmness(ctx context.Context, in WarmnessInput, now time.Time) (Warmness, error) {
	return a.builtinWarmnessFacts(ctx, in, in.Facts(now), now)
}

// builtinWarmnessFacts scores facts f with the rules and adds the
// meaning of in's latest inbound message.
func (a *AI) builtinWarmnessFacts(ctx context.Context, in WarmnessInput, f warmness.Facts, now time.Time) (Warmness, error) {
	rules, reasons, err := warmness.Rules{}.Score(ctx, f)
	if err != nil {
		return Warmness{}, err
	}
	w := Warmness{Answer: Answer{Engine: EngineBuiltin, Model: BuiltinModel}, RulesScore: rules, Reasons: reasons}
	score := rules
	if msgs := in.latestInbound(now, 1); len(msgs) > 0 && !in.Contact.Archived {
		p := a.intents.Predict(msgs[0].Text)
		if pts := MessageIntentPoints[Intent(p.Label)]; pts != 0 && p.Suspect == "" && (p.Rule != "" || p.Confidence >= a.o.IntentThreshold) {
			w.Reasons = append(w.Reasons, types.WarmnessReason{
				Factor: FactorMessageIntent, Points: pts,
				Detail: "Latest message reads as " + intentWords[Intent(p.Label)],
			})
			score = warmness.Total(w.Reasons)
		}
	}
	w.Score = warmness.Clamp(score)
	w.Band = Band(w.Score)
	w.Confidence = warmConfidence(w.Score, len(in.Touchpoints)+len(in.Bookings))
	w.Reason = fmt.Sprintf("%s: %d from the warmness rules", titleBand(w.Band), rules)
	if w.Score != rules {
		w.Reason += fmt.Sprintf(", %+d for the latest message", w.Score-rules)
	}
	return w, nil
}

// warmConfidence is the built-in engine's confidence in a band: lower
// near a band's edge, and lower with little history to go on.
func warmConfidence(score, history int) float64 {
	edge := min(abs(score-40), abs(score-warmness.WarmThreshold))
	c := 0.55 + 0.35*min(1, float64(edge)/15)
	if history >= 3 {
		c += 0.1
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func titleBand(b string) string { return strings.ToUpper(b[:1]) + b[1:] }

func (a *AI) warmnessPrompt(in WarmnessInput, b Warmness, now time.Time) (string, string) {
	red := a.redactor(now, in.Contact.FirstName, in.Contact.LastName)
	var msgs []map[string]string
	for _, tp := range in.latestInbound(now, 5) {
		msgs = append(msgs, map[string]string{
			"kind": tp.Kind, "days_ago": fmt.Sprint(int(now.Sub(tp.At).Hours() / 24)),
			"text": red.Redact(truncate(tp.Text, 400)),
		})
	}
	var factors []map[string]any
	for _, r := range b.Reasons {
		factors = append(factors, map[string]any{"factor": r.Factor, "points": r.Points, "detail": r.Detail})
	}
	data := map[string]any{
		"rules_score": b.RulesScore, "score": b.Score, "factors": factors,
		"lead_source": in.Contact.LeadSource, "stage": in.Contact.Stage, "recent_messages_from_patient": msgs,
	}
	sys := `You help a medical imaging clinic judge how ready a lead is to book a scan (warmness, 0 to 100). A rules engine has scored the lead; its factors are given. Read the patient's recent messages and adjust the score by at most 15 points either way (adjustment), only where the messages show something the factors miss: keen to book, asking about cost, an urgent need, hesitation, unhappiness, a refusal. Give up to three reasons from the enumeration; use no_change with adjustment 0 when the factors already say it all. confidence is 0 to 1.
` + guard
	return sys, promptJSON(data)
}

// ModelReasons are the words shown for a model's reason codes: a model
// picks codes, the clinic's own words are shown.
var ModelReasons = map[string]string{
	"wants_to_book": "wants to book", "asked_about_cost": "asked about the cost", "urgent_need": "describes an urgent need",
	"engaged": "engaged in the conversation", "hesitant": "sounds hesitant", "unresponsive": "has stopped replying",
	"unhappy": "sounds unhappy", "declined": "declined", "opted_out": "asked not to be contacted", "no_change": "nothing beyond the rules",
}

type warmAnswer struct {
	Adjustment int      `json:"adjustment"`
	Reasons    []string `json:"reasons"`
	Confidence float64  `json:"confidence"`
}

// acceptWarmness applies a model's adjustment (the schema bounds it to
// ±15) on top of the built-in score; the rules' reasons stay.
func acceptWarmness(raw []byte, b Warmness) (Warmness, error) {
	var m warmAnswer
	if err := json.Unmarshal(raw, &m); err != nil {
		return Warmness{}, reject("%v", err)
	}
	w := b
	w.Reasons = slices.Clone(b.Reasons)
	w.Confidence = m.Confidence
	words := make([]string, 0, len(m.Reasons))
	for _, r := range m.Reasons {
		words = append(words, ModelReasons[r])
	}
	if m.Adjustment != 0 {
		if len(words) == 0 || slices.Contains(m.Reasons, "no_change") {
			return Warmness{}, reject("an adjustment of %+d without a reason", m.Adjustment)
		}
		w.Reasons = append(w.Reasons, types.WarmnessReason{Factor: FactorModel, Points: m.Adjustment, Detail: "The model: " + strings.Join(words, ", ")})
	}
	w.Score = warmness.Clamp(b.Score + m.Adjustment)
	w.Band = Band(w.Score)
	w.Reason = fmt.Sprintf("%s: %d from the warmness rules", titleBand(w.Band), b.RulesScore)
	if b.Score != b.RulesScore {
		w.Reason += fmt.Sprintf(", %+d for the latest message", b.Score-b.RulesScore)
	}
	if m.Adjustment != 0 {
		w.Reason += fmt.Sprintf(", %+d from the model (%s)", m.Adjustment, strings.Join(words, ", "))
	}
	return w, nil
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
