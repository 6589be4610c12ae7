// Package messaging sends outbound messages (SMS now, email later): one
// Message record per message, written with its send job in the transaction
// of the change that causes it (with the Outbox, a message that may go now
// is sent in that transaction instead: inline.go); a provider behind one interface (the
// Outbox by default, ClickSend's REST v3 API when configured); SMS
// templates per location; the reminders and recalls scans; quiet hours,
// opt-out and consent checked again at send time. docs/AUTOMATION.md
// describes it.
//
// The contract the rules engine (internal/automation) calls:
//
//	// QueueSMS records one Message and enqueues its send job in the caller's transaction
//	// (ctx must carry the txn; ent client c is the txn's client). Idempotent by in.Key:
//	// a second call with the same non-empty Key returns the existing Message and sends nothing.
//	func (s *Service) QueueSMS(ctx context.Context, c *ent.Client, in SMSInput) (*ent.Message, error)
//
//	type SMSInput struct {
//		ContactID pulid.ID  // required; To = contact's E.164 phone   (pulid = ent/schema/pulid)
//		BookingID *pulid.ID // optional context for template variables
//		Template  string    // "welcome","confirmation","reminder_24h","reminder_2h","recall","no_show_followup" or "" with Body
//		Body      string    // used when Template == ""
//		RuleID    *pulid.ID // the automation rule that sent it, if any
//		SentBy    *pulid.ID // the user who sent it, if a person
//		Marketing bool      // needs consent + opt-out line (the recall template is marketing anyway)
//		Urgent    bool      // ignores quiet hours
//		Key       string    // idempotency/unique key, e.g. "reminder_24h:<bookingID>:<startsAtUnix>"
//		Bookings  []pulid.ID // added: further same-day bookings a combined reminder covers
//	}
//
// The location is the contact's. The send job (kind "sms.send") is
// registered by AddWorkers; a process that calls QueueSMS must have it
// registered (jobs.Enqueue refuses unknown kinds).
package messaging
