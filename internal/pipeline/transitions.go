package pipeline

import (
	"fmt"
	"github.com/avatarimaging/avatarcrm/internal/labels"
	"slices"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Stages in pipeline order (the order of ent/schema.Stages).
var Stages = []contact.Stage{
	contact.StageNewLead, contact.StageContacted, contact.StageQualified, contact.StageBooked,
	contact.StageConfirmed, contact.StageReminded, contact.StageReady,
	contact.StageCompleted, contact.StageResultsSent, contact.StageRecalled,
	contact.StageReferralSent, contact.StagePartnershipActive,
}

// transitions is the table of stage moves a clinic makes; docs/PIPELINES.md
// shows it as a matrix. Each target is there for one of these reasons:
//
//   - forward along the contact's pipeline, skipping steps if the work
//     happened outside the CRM (a walk-in who books at once: new_lead →
//     booked);
//   - one step back within the pipeline, to correct a click on the wrong
//     column (qualified → contacted);
//   - the handoff between Lead and Pre-Appointment: booked → confirmed, and
//     back to booked when the confirmation was premature;
//   - the appointment happens: confirmed, reminded or ready → completed (not
//     every patient gets a reminder or a ready check);
//   - the booking is cancelled: booked, confirmed, reminded or ready → back
//     to qualified (still wants the scan) or contacted (needs a new
//     conversation);
//   - a recall turns into a new booking: recalled → booked;
//   - anyone can refer us a patient or a practice: any stage →
//     referral_sent, and a referral that works becomes partnership_active.
//
// Everything else is refused: skipping the booking (qualified → confirmed),
// completing without an appointment (booked → completed), or leaving the
// Partnership pipeline for the patient journey.
var transitions = map[contact.Stage][]contact.Stage{
	// Lead
	contact.StageNewLead:   {contact.StageContacted, contact.StageQualified, contact.StageBooked, contact.StageReferralSent},
	contact.StageContacted: {contact.StageNewLead, contact.StageQualified, contact.StageBooked, contact.StageReferralSent},
	contact.StageQualified: {contact.StageContacted, contact.StageBooked, contact.StageReferralSent},
	contact.StageBooked:    {contact.StageQualified, contact.StageContacted, contact.StageConfirmed, contact.StageReferralSent},
	// Pre-Appointment
	contact.StageConfirmed: {contact.StageBooked, contact.StageReminded, contact.StageReady, contact.StageCompleted, contact.StageQualified, contact.StageContacted, contact.StageReferralSent},
	contact.StageReminded:  {contact.StageConfirmed, contact.StageReady, contact.StageCompleted, contact.StageQualified, contact.StageContacted, contact.StageReferralSent},
	contact.StageReady:     {contact.StageReminded, contact.StageCompleted, contact.StageQualified, contact.StageContacted, contact.StageReferralSent},
	// Post-Appointment
	contact.StageCompleted:   {contact.StageResultsSent, contact.StageRecalled, contact.StageReferralSent},
	contact.StageResultsSent: {contact.StageCompleted, contact.StageRecalled, contact.StageReferralSent},
	contact.StageRecalled:    {contact.StageResultsSent, contact.StageBooked, contact.StageReferralSent},
	// Partnership
	contact.StageReferralSent:      {contact.StagePartnershipActive},
	contact.StagePartnershipActive: {contact.StageReferralSent},
}

// PipelineOf returns the pipeline a stage belongs to.
func PipelineOf(s contact.Stage) contact.Pipeline {
	switch s {
	case contact.StageConfirmed, contact.StageReminded, contact.StageReady:
		return contact.PipelinePreAppointment
	case contact.StageCompleted, contact.StageResultsSent, contact.StageRecalled:
		return contact.PipelinePostAppointment
	case contact.StageReferralSent, contact.StagePartnershipActive:
		return contact.PipelinePartnership
	}
	return contact.PipelineLead
}

// Targets returns the stages a contact in stage from may move to, in the
// table's order.
func Targets(from contact.Stage) []contact.Stage {
	return slices.Clone(transitions[from])
}

// CanMove reports whether a contact may move from one stage to another: nil
// when the table allows it, or when from and to are the same stage (a
// no-op); otherwise an INVALID error on the field "stage" that names both
// stages and where the contact could go instead.
func CanMove(from, to contact.Stage) error {
	if err := contact.StageValidator(to); err != nil {
		return apperr.Invalidf("stage", "unknown stage %q", to)
	}
	if err := contact.StageValidator(from); err != nil {
		return apperr.Invalidf("stage", "unknown current stage %q", from)
	}
	if from == to || slices.Contains(transitions[from], to) {
		return nil
	}
	targets := make([]string, 0, len(transitions[from]))
	for _, t := range transitions[from] {
		targets = append(targets, string(t))
	}
	e := apperr.Invalidf("stage", "cannot move from %s to %s; from %s a contact can move to %s",
		from, to, from, joinOr(targets))
	e.Details = map[string]any{"from": string(from), "to": string(to)}
	return e
}

// NextStage is the stage a contact in s normally goes to next, which the
// analytics count as its conversion: the next step of the patient journey
// (ready → completed crosses into Post-Appointment), a re-booking for a
// recall, and an active partnership for a referral. partnership_active has
// none.
func NextStage(s contact.Stage) (contact.Stage, bool) {
	switch s {
	case contact.StageRecalled:
		return contact.StageBooked, true
	case contact.StagePartnershipActive:
		return "", false
	}
	i := slices.Index(Stages, s)
	if i < 0 || i+1 >= len(Stages) {
		return "", false
	}
	return Stages[i+1], true
}

// journey is the patient's way through Lead, Pre-Appointment and
// Post-Appointment: a later stage of it is progress past every earlier one.
var journey = Stages[:10]

// reached reports whether entering stage got reaches s's next stage, or
// skips past it: after a new lead, booked counts as progress even though
// contacted and qualified were skipped.
func reached(s, got contact.Stage) bool {
	next, ok := NextStage(s)
	if !ok {
		return false
	}
	if got == next {
		return true
	}
	i, j := slices.Index(journey, s), slices.Index(journey, got)
	// recalled's next step is a new booking, not a later journey stage.
	return s != contact.StageRecalled && i >= 0 && j > i
}

// Label is the name of a stage as the clinic says it.
func Label(s contact.Stage) string { return labels.Of(string(s)) }

// PipelineLabel is the name of a pipeline as the clinic says it.
func PipelineLabel(p contact.Pipeline) string {
	if p == "" {
		p = contact.PipelineLead
	}
	return labels.Of(string(p))
}

func joinOr(items []string) string {
	switch len(items) {
	case 0:
		return "nothing"
	case 1:
		return items[0]
	}
	return fmt.Sprintf("%s or %s", strings.Join(items[:len(items)-1], ", "), items[len(items)-1])
}
