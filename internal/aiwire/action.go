package aiwire

import "github.com/avatarimaging/avatarcrm/internal/ai"

// Action is what the inbound SMS path does with a reply (internal/sms);
// its values are the Message.action codes.
type Action string

// The actions.
const (
	ActionConfirm     Action = "confirmed"
	ActionCancel      Action = "cancelled"
	ActionReschedule  Action = "reschedule_task"
	ActionQuestion    Action = "question_task"
	ActionOptOut      Action = "opted_out"
	ActionOptIn       Action = "opted_in"
	ActionNeedsReply  Action = "needs_reply"
	ActionLogOnly     Action = "logged"
	ActionUnspecified Action = ""
)

// Plan is what a reply of intent leads to: the one statement of that
// policy, which internal/sms carries out and WouldDo puts in words for the
// admin page's "try it" box. A sure STOP or START is honoured at once;
// anything the classifier is unsure of, and anything it cannot place
// (other), waits for a person and changes nothing.
func Plan(intent string, needsReview bool) Action {
	switch {
	case intent == string(ai.IntentOptOut) && !needsReview:
		return ActionOptOut
	case needsReview:
		return ActionNeedsReply
	case intent == string(ai.IntentConfirm):
		return ActionConfirm
	case intent == string(ai.IntentCancel):
		return ActionCancel
	case intent == string(ai.IntentReschedule):
		return ActionReschedule
	case intent == string(ai.IntentQuestion):
		return ActionQuestion
	case intent == string(ai.IntentOptIn):
		return ActionOptIn
	}
	return ActionNeedsReply
}

// WouldDo says in words what the inbound SMS path does with a reply of
// intent (Plan). proposed is the patient's proposed time in words, or "".
func WouldDo(intent string, needsReview bool, proposed string) string {
	switch Plan(intent, needsReview) {
	case ActionOptOut:
		return "Unsubscribe the number from SMS at once (Spam Act) and confirm by one last text."
	case ActionConfirm:
		return "Mark the booking confirmed and thank the patient."
	case ActionCancel:
		return "Cancel the booking (reason: patient SMS), free the slot, tell staff and reply that it is cancelled."
	case ActionReschedule:
		if proposed != "" {
			return "Create a task for reception to move the booking to " + proposed + ", and reply that the clinic will call."
		}
		return "Create a task for reception to move the booking, and reply that the clinic will call."
	case ActionQuestion:
		return "Create a task for reception to answer the question."
	case ActionOptIn:
		return "Subscribe the number to SMS again."
	}
	if needsReview {
		return "Hand the reply to a person: the system is not sure enough to act on it."
	}
	return "Hand the reply to a person (needs a reply): it is not a confirmation, cancellation, new time, question or STOP."
}
