package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/ai/intent"
	"github.com/avatarimaging/avatarcrm/internal/ai/redact"
	"github.com/avatarimaging/avatarcrm/internal/ai/when"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Intent is what a patient's SMS reply means.
type Intent string

// The intents. IntentOptIn is an addition to the six the issue names: a
// START must re-subscribe a patient as surely as a STOP unsubscribes
// one, so it has its own label; a caller that does not handle it can
// treat it as IntentOther.
const (
	IntentConfirm    Intent = intent.Confirm
	IntentCancel     Intent = intent.Cancel
	IntentReschedule Intent = intent.Reschedule
	IntentQuestion   Intent = intent.Question
	IntentOptOut     Intent = intent.OptOut
	IntentOptIn      Intent = intent.OptIn
	IntentOther      Intent = intent.Other
)

// Intents lists every intent.
var Intents = []Intent{IntentConfirm, IntentCancel, IntentReschedule, IntentQuestion, IntentOptOut, IntentOptIn, IntentOther}

// MaxSMSLength bounds the message DetectSMSIntent reads (a long SMS is
// several parts; 2,000 bytes is more than any reply).
const MaxSMSLength = 2000

// SMSInput is a patient's reply and what it replies to.
type SMSInput struct {
	LocationID string
	// Message is the patient's text, untrusted.
	Message string
	// Now is when it arrived; zero means the AI's clock.
	Now time.Time
	// Zone is the clinic's time zone; nil means Options.Zone.
	Zone *time.Location
	// Appointment is the start of the booking the reply is about, if any.
	Appointment *time.Time
	// Service is what that booking is for ("MRI Knee"), if known.
	Service string
	// Prompt is the clinic's message being replied to, if known.
	Prompt string
	// ContactNames are the patient's names, so they are redacted even
	// where no pattern would find them.
	ContactNames []string
}

// ProposedTime is a day or time the patient proposed, in the clinic's
// zone.
type ProposedTime struct {
	// Start and End bound the window; End is exclusive, and equals Start
	// for an exact time.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Granularity is "time", "part_of_day", "day" or "span".
	Granularity string `json:"granularity"`
	// Text is the words it was read from ("tues arvo").
	Text string `json:"text"`
}

// SMSIntent is what DetectSMSIntent decided.
type SMSIntent struct {
	Answer
	Intent Intent `json:"intent"`
	// Threshold is the confidence below which the caller should have a
	// person read the message instead of acting on it.
	Threshold float64 `json:"threshold"`
	// NeedsReview is Confidence < Threshold, or an opt-out or opt-in that
	// only a model (not the rules) saw, or a message the classifier
	// suspected of being one.
	NeedsReview bool `json:"needsReview"`
	// Proposed is the time the patient proposed, for a reschedule.
	Proposed *ProposedTime `json:"proposed,omitempty"`
}

// DetectSMSIntent implements Service. It answers INVALID for a message
// longer than MaxSMSLength.
func (a *AI) DetectSMSIntent(ctx context.Context, in SMSInput) (SMSIntent, error) {
	if len(in.Message) > MaxSMSLength {
		return SMSIntent{}, apperr.Invalidf("message", "the message is %d bytes; at most %d are read", len(in.Message), MaxSMSLength)
	}
	now := a.nowOr(in.Now)
	zone := in.Zone
	if zone == nil {
		zone = a.o.Zone
	}
	b, pred := a.builtinIntent(in, now, zone)
	return run(ctx, a, request[SMSIntent]{
		uc: UseSMSIntent, location: in.LocationID, builtin: b,
		answer: func(r *SMSIntent) *Answer { return &r.Answer },
		final:  pred.Rule != "" || strings.TrimSpace(in.Message) == "",
		schema: a.schemas.byUseCase[UseSMSIntent],
		prompt: func() (string, string) { return a.smsPrompt(in, now, zone) },
		accept: func(raw []byte) (SMSIntent, error) { return a.acceptIntent(raw, in, b, now, zone) },
	}), nil
}

// builtinIntent is the built-in engine's reading of a reply.
func (a *AI) builtinIntent(in SMSInput, now time.Time, zone *time.Location) (SMSIntent, intent.Prediction) {
	r := SMSIntent{Answer: Answer{Engine: EngineBuiltin, Model: BuiltinModel}, Threshold: a.o.IntentThreshold}
	if strings.TrimSpace(in.Message) == "" {
		r.Intent, r.Reason, r.NeedsReview = IntentOther, "The message is empty", true
		return r, intent.Prediction{}
	}
	p := a.intents.Predict(in.Message)
	r.Intent, r.Confidence = Intent(p.Label), p.Confidence
	switch {
	case p.Rule == intent.OptOut:
		r.Reason = fmt.Sprintf("Opt-out request (%q): no more messages to this number", p.Matched)
	case p.Rule == intent.OptIn:
		r.Reason = fmt.Sprintf("Opt-in request (%q): messages may resume", p.Matched)
	default:
		r.Reason = fmt.Sprintf("Reads as %s (%.0f%%)", intentWords[r.Intent], 100*p.Confidence)
		if ev := a.intents.Evidence(in.Message, p.Label, 3); len(ev) > 0 {
			r.Reason += ": " + quoteWords(ev)
		}
		if p.Suspect != "" {
			r.NeedsReview = true
			r.Reason += fmt.Sprintf("; it may be an %s, a person should read it", strings.ReplaceAll(p.Suspect, "_", "-"))
		}
	}
	if r.Confidence < r.Threshold {
		r.NeedsReview = true
	}
	if r.Intent == IntentReschedule {
		if pt, ok := when.Find(in.Message, when.Context{Now: now, Location: zone, Appointment: in.Appointment}); ok {
			r.Proposed = proposed(pt)
			r.Reason += "; proposes " + describeWindow(r.Proposed)
		}
	}
	return r, p
}

var intentWords = map[Intent]string{
	IntentConfirm: "a confirmation", IntentCancel: "a cancellation", IntentReschedule: "a request to change the time",
	IntentQuestion: "a question", IntentOptOut: "an opt-out", IntentOptIn: "an opt-in", IntentOther: "not about the booking",
}

func quoteWords(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "“" + w + "”"
	}
	return strings.Join(q, ", ")
}

func proposed(p when.Proposal) *ProposedTime {
	return &ProposedTime{Start: p.Start, End: p.End, Granularity: string(p.Granularity), Text: p.Text}
}

// describeWindow says a proposal the way staff read it: "Tue 31 Mar
// 12:00–17:00".
func describeWindow(p *ProposedTime) string {
	switch when.Granularity(p.Granularity) {
	case when.Exact:
		return p.Start.Format("Mon 2 Jan 15:04")
	case when.PartOfDay:
		return p.Start.Format("Mon 2 Jan 15:04") + "–" + p.End.Format("15:04")
	case when.Day:
		return p.Start.Format("Mon 2 Jan")
	}
	return p.Start.Format("Mon 2 Jan") + " – " + p.End.Add(-time.Nanosecond).Format("Mon 2 Jan")
}

func (a *AI) smsPrompt(in SMSInput, now time.Time, zone *time.Location) (string, string) {
	red := a.redactor(now, in.ContactNames...)
	data := map[string]any{
		"message":  red.Redact(in.Message),
		"today":    now.In(zone).Format("Monday 2 January 2006 15:04"),
		"timezone": zone.String(),
	}
	if in.Prompt != "" {
		data["replying_to"] = red.Redact(in.Prompt)
	}
	if in.Appointment != nil {
		data["appointment"] = in.Appointment.In(zone).Format("Monday 2 January 2006 15:04")
	}
	if in.Service != "" {
		data["service"] = in.Service
	}
	sys := `You read a patient's SMS reply to a medical imaging clinic's appointment reminder or confirmation and say what it means.
intent is one of: confirm (will attend, or acknowledges the booking), cancel (will not attend and asks for no new time), reschedule (wants another day or time), question (asks something that needs an answer), opt_out (asks to receive no more messages: STOP, unsubscribe, remove me), opt_in (START: wants messages again), other (not about the booking).
If the patient proposes a day or time, give proposed.date (YYYY-MM-DD, resolved from today in the clinic's time zone) and, if known, proposed.start and proposed.end (HH:MM, 24-hour; "arvo" is 12:00–17:00, morning 08:00–12:00); otherwise proposed is null.
confidence is your probability, 0 to 1, that intent is right.
` + guard
	return sys, promptJSON(data)
}

type intentAnswer struct {
	Intent     Intent  `json:"intent"`
	Confidence float64 `json:"confidence"`
	Proposed   *struct {
		Date  string  `json:"date"`
		Start *string `json:"start"`
		End   *string `json:"end"`
	} `json:"proposed"`
}

// acceptIntent checks a model's reading. The schema has fixed the
// intent to the enumeration; here the proposed time must be a real date
// within a year from today, and a model's opt-out or opt-in the rules did
// not see goes to a person.
func (a *AI) acceptIntent(raw []byte, in SMSInput, b SMSIntent, now time.Time, zone *time.Location) (SMSIntent, error) {
	var m intentAnswer
	if err := json.Unmarshal(raw, &m); err != nil {
		return SMSIntent{}, reject("%v", err)
	}
	r := SMSIntent{Intent: m.Intent, Threshold: a.o.IntentThreshold, Answer: Answer{Confidence: m.Confidence}}
	r.Reason = fmt.Sprintf("The model reads it as %s (%.0f%%)", intentWords[r.Intent], 100*m.Confidence)
	if b.Intent != r.Intent {
		r.Reason += fmt.Sprintf("; the built-in engine read %s (%.0f%%)", intentWords[b.Intent], 100*b.Confidence)
	}
	if r.Intent == IntentOptOut || r.Intent == IntentOptIn {
		r.NeedsReview = true
		r.Reason += "; the opt-out rules did not match, so a person should confirm"
	}
	if r.Confidence < r.Threshold {
		r.NeedsReview = true
	}
	if r.Intent != IntentReschedule {
		return r, nil
	}
	if m.Proposed != nil {
		// The model read the whole message; its date is checked (a real
		// day within a year) and computed into the zone here.
		p, err := modelWindow(m.Proposed.Date, m.Proposed.Start, m.Proposed.End, now, zone)
		if err != nil {
			return SMSIntent{}, err
		}
		r.Proposed = p
	} else if b.Proposed != nil {
		r.Proposed = b.Proposed
	} else if pt, ok := when.Find(in.Message, when.Context{Now: now, Location: zone, Appointment: in.Appointment}); ok {
		r.Proposed = proposed(pt)
	}
	if r.Proposed != nil {
		r.Reason += "; proposes " + describeWindow(r.Proposed)
	}
	return r, nil
}

// modelWindow builds a proposal from a model's date and times, refusing
// dates in the past or more than a year ahead and windows that end before
// they start.
func modelWindow(date string, start, end *string, now time.Time, zone *time.Location) (*ProposedTime, error) {
	d, err := time.ParseInLocation("2006-01-02", date, zone)
	if err != nil {
		return nil, reject("proposed date %q: %v", date, err)
	}
	today := midnightIn(now, zone)
	if d.Before(today) || d.After(today.AddDate(1, 0, 0)) {
		return nil, reject("proposed date %s is not within a year from today", date)
	}
	at := func(s string) time.Time {
		t, _ := time.Parse("15:04", s)
		return time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), 0, 0, zone)
	}
	switch {
	case start == nil:
		return &ProposedTime{Start: d, End: d.AddDate(0, 0, 1), Granularity: string(when.Day), Text: date}, nil
	case end == nil || *end == *start:
		s := at(*start)
		return &ProposedTime{Start: s, End: s, Granularity: string(when.Exact), Text: date + " " + *start}, nil
	}
	s, e := at(*start), at(*end)
	if !e.After(s) {
		return nil, reject("proposed window %s–%s ends before it starts", *start, *end)
	}
	return &ProposedTime{Start: s, End: e, Granularity: string(when.PartOfDay), Text: date + " " + *start + "–" + *end}, nil
}

func midnightIn(t time.Time, zone *time.Location) time.Time {
	t = t.In(zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
}

// redactor returns what a prompt's untrusted text goes through: a
// Redactor when redaction is on, else one that changes nothing.
func (a *AI) redactor(now time.Time, known ...string) textRedactor {
	if !a.o.Redact {
		return noRedaction{}
	}
	return redact.New(now, known...)
}

type textRedactor interface {
	Redact(string) string
	Restore(string) string
}

type noRedaction struct{}

func (noRedaction) Redact(s string) string  { return s }
func (noRedaction) Restore(s string) string { return s }
