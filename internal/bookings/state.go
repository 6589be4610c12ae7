package bookings

import (
	"fmt"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Action is something done to a booking that its status decides.
type Action string

// Actions of the state machine.
const (
	ActionConfirm    Action = "confirm"
	ActionComplete   Action = "complete"
	ActionNoShow     Action = "no_show"
	ActionCancel     Action = "cancel"
	ActionReschedule Action = "reschedule"
)

// Actions lists every action, in the order the transition table is
// documented.
var Actions = []Action{ActionConfirm, ActionComplete, ActionNoShow, ActionCancel, ActionReschedule}

// Transitions is the booking state machine: from a status, an action leads
// to a status. A pair that is not in the table is refused with INVALID.
//
//	status     confirm    complete   no_show   cancel     reschedule
//	pending    confirmed  —          —         cancelled  pending
//	confirmed  —          completed  no_show   cancelled  confirmed
//	completed  —          —          —         —          —
//	cancelled  —          —          —         —          —
//	no_show    —          —          —         —          —
//
// Completed, cancelled and no-show are final: they are facts about an
// appointment that happened (or did not), and reports, recalls and no-show
// follow-ups are built on them. A patient who wants another appointment
// gets a new booking, so the old one keeps its history.
//
// A booking must be confirmed before it can be completed or marked a
// no-show: confirming is when the clinic checks the referral and the
// patient's details, and a pending booking is not yet an appointment.
// Rescheduling keeps the status: the patient agreed to the new time when
// it was arranged.
var Transitions = map[booking.Status]map[Action]booking.Status{
	booking.StatusPending: {
		ActionConfirm:    booking.StatusConfirmed,
		ActionCancel:     booking.StatusCancelled,
		ActionReschedule: booking.StatusPending,
	},
	booking.StatusConfirmed: {
		ActionComplete:   booking.StatusCompleted,
		ActionNoShow:     booking.StatusNoShow,
		ActionCancel:     booking.StatusCancelled,
		ActionReschedule: booking.StatusConfirmed,
	},
}

// Statuses lists every booking status.
var Statuses = []booking.Status{booking.StatusPending, booking.StatusConfirmed, booking.StatusCompleted, booking.StatusCancelled, booking.StatusNoShow}

// Active reports whether a booking in status s still holds its time: only
// pending and confirmed bookings occupy a resource or a staff member.
func Active(s booking.Status) bool {
	return s == booking.StatusPending || s == booking.StatusConfirmed
}

// Final reports whether no action can change a booking in status s.
func Final(s booking.Status) bool { return len(Transitions[s]) == 0 }

// RecordsOutcome reports whether action a records how an appointment went
// (attended or not), which can only be known once it has started.
func RecordsOutcome(a Action) bool { return a == ActionComplete || a == ActionNoShow }

// Started reports whether booking b's appointment has begun at now.
func Started(b *ent.Booking, now time.Time) bool { return !b.StartsAt.After(now) }

// Allowed reports whether action a may be done to booking b at now: the
// transition table allows it and, for an outcome, the appointment has
// started. The service refuses the same with a reason; pages use this to
// offer only what will work.
func Allowed(b *ent.Booking, a Action, now time.Time) bool {
	if _, err := Next(b.Status, a); err != nil {
		return false
	}
	return !RecordsOutcome(a) || Started(b, now)
}

// Next returns the status action a leads to from status s, or an INVALID
// error naming both when the table has no such transition.
func Next(s booking.Status, a Action) (booking.Status, error) {
	if to, ok := Transitions[s][a]; ok {
		return to, nil
	}
	return "", &apperr.Error{
		Code:    apperr.Invalid,
		Field:   "status",
		Message: refusal(s, a),
		Details: map[string]any{"status": string(s), "action": string(a)},
	}
}

// refusal explains why a cannot be done to a booking in status s, and what
// to do instead.
func refusal(s booking.Status, a Action) string {
	what := map[Action]string{
		ActionConfirm:    "confirm",
		ActionComplete:   "complete",
		ActionNoShow:     "mark as a no-show",
		ActionCancel:     "cancel",
		ActionReschedule: "reschedule",
	}[a]
	if what == "" {
		what = string(a)
	}
	msg := fmt.Sprintf("cannot %s a booking that is %s", what, label(s))
	switch {
	case Final(s):
		msg += ": completed, cancelled and no-show bookings are final; make a new booking instead"
	case s == booking.StatusPending && (a == ActionComplete || a == ActionNoShow):
		msg += ": confirm it first"
	case s == booking.StatusConfirmed && a == ActionConfirm:
		msg += ": it is already confirmed"
	}
	return msg
}

// label names a status in a sentence.
func label(s booking.Status) string {
	if s == booking.StatusNoShow {
		return "a no-show"
	}
	return string(s)
}
