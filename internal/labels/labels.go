// Package labels is the one table of the words people read for the codes
// the program stores: stages, pipelines, statuses, kinds, sources, roles,
// modalities, CSV columns. Every page (views.Humanize), every timeline
// line and the CSV export headers read it, so a code such as results_sent
// never reaches a screen and a word is changed in one place.
package labels

import "strings"

// words maps a code to its words. A code missing here falls back to Of's
// plain rule; TestEveryEnumHasALabel keeps every stored enum value here.
var words = map[string]string{
	// Lead sources.
	"meta_ads": "Meta Ads", "google_ads": "Google Ads", "referral": "Personal referral", "gp_referral": "GP referral",
	"wix": "Website (Wix)", "manychat": "ManyChat", "walk_in": "Walk-in", "other": "Other",
	"sms": "SMS", "website": "Website form",
	// Pipelines.
	"lead": "Lead", "pre_appointment": "Pre-Appointment", "post_appointment": "Post-Appointment", "partnership": "Partnership",
	// Stages.
	"new_lead": "New lead", "contacted": "Contacted", "qualified": "Qualified", "booked": "Booked",
	"confirmed": "Confirmed", "reminded": "Reminded", "ready": "Ready",
	"completed": "Completed", "results_sent": "Results sent", "recalled": "Recalled",
	"referral_sent": "Referral sent", "partnership_active": "Partnership active",
	// Booking statuses and sources, booking history.
	"pending": "Pending", "cancelled": "Cancelled", "no_show": "No-show",
	"manual": "Made by staff", "api": "Through the API",
	"created": "Created", "rescheduled": "Rescheduled", "updated": "Updated",
	// Task statuses, kinds, priorities, history.
	"in_progress": "In progress",
	"general":     "General", "call": "Call", "follow_up": "Follow-up", "no_show_follow_up": "No-show follow-up",
	"results": "Results", "recall": "Recall", "admin": "Admin",
	"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent",
	"assigned": "Assigned", "auto_assigned": "Auto-assigned", "status": "Status", "priority": "Priority",
	// Touchpoint kinds and the timeline's own kinds.
	"sms_in": "SMS from the patient", "sms_out": "SMS to the patient",
	"email_in": "Email from the patient", "email_out": "Email to the patient",
	"call_in": "Call from the patient", "call_out": "Call to the patient",
	"note": "Note", "booking_event": "Booking", "web_form": "Web form", "stage_change": "Stage change",
	"email_open": "Opened a campaign email", "email_click": "Clicked a campaign link",
	"email_bounce": "Email bounced", "email_unsub": "Unsubscribed from email",
	"booking": "Booking", "booking_created": "Booking made", "booking_confirmed": "Booking confirmed",
	"booking_rescheduled": "Booking moved", "booking_cancelled": "Booking cancelled",
	"booking_completed": "Attended", "booking_no_show": "No-show", "booking_updated": "Booking changed",
	"task_created": "Task created", "task_completed": "Task done",
	// Lead intents (what a contact's notes ask for; urgencies are the
	// task priorities' words).
	"book": "To book", "price": "The price", "question": "A question",
	// Two-way SMS: directions, intents of a reply, what the system did.
	"inbound": "From the patient", "outbound": "To the patient", "received": "Received",
	"confirm": "Confirms", "cancel": "Cancels", "reschedule": "Asks for another time",
	"opt_out": "Opts out (STOP)", "opt_in": "Opts in (START)",
	"reschedule_task": "Task to move the booking", "question_task": "Task to answer",
	"opted_out": "Opted out", "opted_in": "Opted back in", "needs_reply": "Needs a reply", "logged": "Logged only",
	// Roles, user statuses, sign-in methods, permission effects.
	"manager": "Manager", "staff": "Staff", "viewer": "Viewer",
	"active": "Active", "invited": "Invited", "disabled": "Disabled",
	"dev": "Development sign-in", "oidc": "Google sign-in", "grant": "Grant", "deny": "Deny",
	// Modalities.
	"mri": "MRI", "ct": "CT", "xray": "X-ray", "ultrasound": "Ultrasound", "mammography": "Mammography",
	"dexa": "DEXA", "nuclear": "Nuclear medicine",
	// Import jobs.
	"running": "Running", "done": "Done", "failed": "Failed", "staged": "Waiting for the columns",
	// CSV columns (contacts export).
	"first_name": "First name", "last_name": "Last name", "phone": "Phone", "email": "Email",
	"date_of_birth": "Date of birth", "lead_source": "Lead source", "referrer": "Referrer", "tags": "Tags",
	"notes": "Notes", "sms_consent": "SMS consent", "email_consent": "Email consent", "stage": "Stage",
	"id": "ID", "pipeline": "Pipeline", "warmness": "Warmness", "assigned_to_id": "Assigned to (user ID)",
	"created_at": "Created", "updated_at": "Updated",
}

// Of returns the words for code: the table's, or else the code with
// underscores as spaces and a capital first letter ("qualified_lead" →
// "Qualified lead").
func Of(code string) string {
	if w, ok := words[code]; ok {
		return w
	}
	s := strings.ReplaceAll(code, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Has reports whether the table has words of its own for code.
func Has(code string) bool {
	_, ok := words[code]
	return ok
}

// Headers returns the words of each column code, for a CSV header row.
func Headers(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = Of(c)
	}
	return out
}
