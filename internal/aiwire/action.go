package aiwire

import "github.com/avatarimaging/avatarcrm/internal/ai"

// WouldDo says in words what the inbound SMS path does with a reply of
// intent, so the admin page's "try it" box and that path state the policy
// once. proposed is the patient's proposed time in words, or "".
func WouldDo(intent string, needsReview bool, proposed string) string {
	switch {
	case intent == string(ai.IntentOptOut) && !needsReview:
		return "Unsubscribe the number from SMS at once (Spam Act) and confirm by one last text."
	case needsReview:
		return "Hand the reply to a person: the system is not sure enough to act on it."
	case intent == string(ai.IntentConfirm):
		return "Mark the booking confirmed."
	case intent == string(ai.IntentCancel):
		return "Cancel the booking and create a task to offer another time."
	case intent == string(ai.IntentReschedule):
		if proposed != "" {
			return "Create a task to move the booking to " + proposed + "."
		}
		return "Create a task to move the booking."
	case intent == string(ai.IntentQuestion):
		return "Create a task for staff to answer the question."
	case intent == string(ai.IntentOptIn):
		return "Subscribe the number to SMS again."
	}
	return "Log the reply on the contact's timeline; nothing else."
}
