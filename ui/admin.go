package ui

// The admin area: people, permissions, API tokens and network rules of the
// active location, and the helpers every form of the UI shares. Like every
// page it calls the operations (graph.Ops), which check the permission the
// schema declares and run each change in one transaction; in addition:
//
//   - A page that offers an operation's form, or takes its post, asks
//     whether the viewer may run it first (may, adminPage), so nobody fills
//     in a form they could not send.
//   - A form that worked redirects (303) to its page with ?done=<key>, and
//     the page shows the message for that key (flashes). A form that failed
//     on its input is shown again with the input kept and the message next
//     to the field, with status 422 (or 409 for a conflict): finish.
//   - Destructive actions (removing, disabling, revoking) go through a
//     confirmation page whose form posts again with confirm=yes.
//
// All of it works without JavaScript.

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// adminRoutes mounts the admin area; the caller has required a viewer.
func (u *UI) adminRoutes(r chi.Router) {
	r.Get("/admin", u.adminIndex)

	r.Get("/admin/users", u.adminUsers)
	r.Post("/admin/users", u.inviteUser)
	r.Get("/admin/users/{id}", u.adminMember)
	r.Post("/admin/users/{id}/role", u.setMemberRole)
	r.Get("/admin/users/{id}/remove", u.removeMember)
	r.Post("/admin/users/{id}/remove", u.removeMember)
	r.Get("/admin/users/{id}/disable", u.disableUser)
	r.Post("/admin/users/{id}/disable", u.disableUser)
	r.Post("/admin/users/{id}/enable", u.enableUser)
	r.Get("/admin/invitations/{id}/revoke", u.revokeInvitation)
	r.Post("/admin/invitations/{id}/revoke", u.revokeInvitation)

	r.Get("/admin/permissions", u.adminPermissions)
	r.Post("/admin/permissions", u.setPermission)
	r.Post("/admin/permissions/overrides", u.addOverride)
	r.Get("/admin/permissions/overrides/{id}/remove", u.removeOverride)
	r.Post("/admin/permissions/overrides/{id}/remove", u.removeOverride)

	r.Get("/admin/tokens", u.adminTokens)
	r.Post("/admin/tokens", u.createToken)
	r.Get("/admin/tokens/{id}/revoke", u.revokeToken)
	r.Post("/admin/tokens/{id}/revoke", u.revokeToken)

	r.Get("/admin/audit", u.adminAudit)
	r.Get("/admin/audit/export", u.exportAudit)

	r.Get("/admin/locations", u.adminLocations)
	r.Post("/admin/locations", u.createLocation)
	r.Get("/admin/ai", u.adminAI)
	r.Post("/admin/ai/budget", u.setAIBudget)
	r.Post("/admin/ai/try", u.tryAI)

	u.integrationRoutes(r)
	r.Get("/admin/network", u.adminNetwork)
	r.Post("/admin/network", u.addIPRule)
	r.Get("/admin/network/{id}/remove", u.removeIPRule)
	r.Post("/admin/network/{id}/remove", u.removeIPRule)

	u.automationRoutes(r)
}

// flashes are the messages a redirect after a successful form can ask for
// with ?done=<key>. Only these keys show anything, so a crafted link cannot
// put its own words on the page.
var flashes = map[string]string{
	"webhook-replayed":      "Replay queued: the event is processed again in a moment.",
	"wix-service-saved":     "Wix service mapping saved.",
	"wix-service-removed":   "Wix service mapping removed.",
	"wix-sync-started":      "Wix sync queued: it runs as a job (Admin → Jobs, wix.sync).",
	"ai-budget":             "AI budget saved.",
	"report-saved":          "Report saved. Run it now to keep today's figures.",
	"report-ran":            "Report run: the figures below are stored and read the same whenever you open them.",
	"report-deleted":        "Report deleted. Its stored runs stay readable.",
	"ad-spend-saved":        "Ad spend saved.",
	"monday-on":             "You will get the Monday email.",
	"monday-off":            "You will no longer get the Monday email.",
	"warmness-recalculated": "Warmness recalculated.",
	"rule-saved":            "Rule saved.",
	"rule-created":          "Rule created.",
	"rule-enabled":          "Rule enabled.",
	"rule-disabled":         "Rule disabled: it starts no runs, and runs waiting out its delay are skipped.",
	"job-retried":           "The job will run again now.",
	"job-discarded":         "Job discarded.",
	"invited":               "Invitation created. They become a member when they sign in with this email address.",
	"invitation-revoked":    "Invitation withdrawn.",
	"role":                  "Role and skills saved.",
	"removed":               "Removed from this location. Their sessions here have ended.",
	"disabled":              "Disabled at this location. Their sessions here have ended.",
	"enabled":               "Enabled at this location again.",
	"permission":            "Permission saved. It applies from the next request.",
	"override-added":        "Exception saved.",
	"override-removed":      "Exception removed.",
	"token-revoked":         "Token revoked. It stopped working at once.",
	"iprule-added":          "Network rule added.",
	"iprule-removed":        "Network rule removed.",
	"location-created":      "Location created, with the default roles, permissions and settings. You are its administrator: switch to it with the location menu to invite its people.",

	"booking-created":     "Booking made. It is pending until it is confirmed.",
	"booking-confirmed":   "Booking confirmed.",
	"booking-rescheduled": "Booking moved to the new time.",
	"booking-cancelled":   "Booking cancelled.",
	"booking-completed":   "Marked as attended.",
	"booking-no-show":     "Marked as a no-show. A follow-up call has been created: see Tasks below.",

	"task-created":       "Task created.",
	"task-updated":       "Task saved.",
	"task-started":       "Task started.",
	"task-completed":     "Task completed.",
	"task-pending":       "Task moved back to pending.",
	"task-reopened":      "Task reopened.",
	"task-cancelled":     "Task cancelled.",
	"task-assigned":      "Task reassigned.",
	"task-auto-assigned": "Task auto-assigned by skill and workload; its history says why.",
	"task-priority":      "Priority set by hand.",
	"task-priority-auto": "Priority handed back to the rules and computed again.",

	"contact-created":   "Contact created.",
	"contact-updated":   "Contact saved.",
	"contact-stage":     "Stage changed. The move is on the timeline.",
	"touchpoint-logged": "Logged. It is on the timeline, and the warmness score is updated.",
	"contact-archived":  "Contact archived. It no longer shows in lists or searches; Restore brings it back.",
	"contact-restored":  "Contact restored.",
	"contact-purged":    "Contact deleted permanently, with its touchpoints, bookings and tasks.",
	"contacts-merged":   "Contacts merged. Their history is now on this contact's timeline.",
	"import-started":    "Import started. This page updates as the rows are imported.",

	"sms-sent":              "SMS queued. Its delivery status shows in the thread.",
	"sms-undone":            "Undone. The booking's history says so.",
	"conversation-done":     "Conversation marked done. A new message from the patient reopens it.",
	"conversation-assigned": "Conversation assigned.",
	"sms-settings":          "SMS settings saved.",
	"webhook-test":          "Test event queued: it appears in the delivery log below.",
	"webhook-enabled":       "Subscription enabled; its failures are cleared.",
	"webhook-disabled":      "Subscription disabled: nothing is sent to it until it is enabled again.",
	"webhook-deleted":       "Subscription deleted, with its delivery log.",
	"lead-form-saved":       "Lead form settings saved.",
	"lead-form-rotated":     "Form key replaced. Paste the new snippet into the site: the old address no longer works.",
	"sms-token-rotated":     "Token replaced. Paste the new URLs into ClickSend: the old ones no longer work.",

	"campaign-created":   "Draft created. Build its audience, write or draft its content, then preview it.",
	"campaign-saved":     "Campaign saved.",
	"campaign-test-sent": "Test email sent. Check the inbox it went to (with the outbox provider, the Messages page).",
	"campaign-scheduled": "Campaign scheduled. It starts sending at the time shown; you can still change it until then.",
	"campaign-sending":   "Sending started. The figures below fill in as the emails go out.",
	"campaign-paused":    "Campaign paused after the emails in flight. Resume goes on where it stopped.",
	"campaign-resumed":   "Campaign resumed.",
	"campaign-cancelled": "Campaign cancelled. Nobody else gets it.",
}

// flashFor returns the message of the request's ?done= key, if any.
func flashFor(r *http.Request) string { return flashes[r.URL.Query().Get("done")] }

// withoutDone is the request's path and query without the flash key, so a
// return-to link does not show the message again.
func withoutDone(r *http.Request) string {
	q := r.URL.Query()
	if !q.Has("done") {
		return r.URL.RequestURI()
	}
	q.Del("done")
	q.Del("cell")
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}

// redirectDone answers a successful form post: 303 to path with the flash
// key (and fragment, if any, e.g. "#perm-viewer-contacts-read").
func redirectDone(w http.ResponseWriter, r *http.Request, path, key string, extra url.Values, fragment string) {
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	q.Set("done", key)
	target := path + "?" + q.Encode()
	if fragment != "" {
		target += "#" + fragment
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// adminPage builds the page of an admin area, refusing (403) a viewer who
// may not run every one of ops, the operations the page shows or offers.
func (u *UI) adminPage(w http.ResponseWriter, r *http.Request, title string, ops ...graph.Op) (views.Page, bool) {
	for _, op := range ops {
		if !u.may(w, r, op) {
			return views.Page{}, false
		}
	}
	p, err := u.page(r.Context(), r, title, "admin")
	if err != nil {
		u.fail(w, r, err)
		return p, false
	}
	return p, true
}

// parseForm reads a posted form, answering 400 if it cannot.
func (u *UI) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, &apperr.Error{Code: apperr.Invalid, Message: "The form could not be read. Please try again.", Err: errBadRequest})
		return false
	}
	return true
}

// inputs maps the field an operation's error names (the API's, a hook's or
// ent's) to the form's input it belongs next to.
type inputs map[string]string

// named is inputs for a form whose inputs are named as the API's fields.
func named(fields ...string) inputs {
	in := inputs{}
	for _, f := range fields {
		in[f] = f
	}
	return in
}

// formErrors sorts the error of a form's operation. A bad input (INVALID)
// or a conflict belongs in the form (422, 409): next to its input when the
// error names one of in, else above the form. With notThere set, a
// NOT_FOUND about a record the form chose (one of in) goes next to its
// input too, saying notThere: the record is gone, or at another location.
// Any other error returns ok false, and the caller shows the error page.
func formErrors(err error, in inputs, notThere string) (errs views.FieldErrors, status int, ok bool) {
	ae := apperr.From(err)
	msg := sentence(ae.Message)
	switch ae.Code {
	case apperr.Invalid, apperr.ConsentWithdrawn:
		status = http.StatusUnprocessableEntity
	case apperr.Conflict:
		status = http.StatusConflict
	case apperr.NotFound:
		if notThere == "" || in[ae.Field] == "" {
			return nil, 0, false
		}
		status, msg = http.StatusUnprocessableEntity, notThere
	default:
		return nil, 0, false
	}
	if input := in[ae.Field]; input != "" {
		return views.FieldErrors{input: msg}, status, true
	}
	return views.FieldErrors{"": msg}, status, true
}

// done is where a form that worked goes: 303 to Path with the flash Key
// (and Extra query values and a Fragment, if any).
type done struct {
	Path, Key string
	Extra     url.Values
	Fragment  string
}

// finish answers a form post once its operation ran: err nil redirects to
// next; an error formErrors places in the form (by in, notThere) shows the
// form again through again, with the messages and the status; any other
// error (or any error, with again nil: a button, not a form) is the error
// page.
func (u *UI) finish(w http.ResponseWriter, r *http.Request, err error, next done, in inputs, notThere string, again func(views.FieldErrors, int)) {
	if err == nil {
		redirectDone(w, r, next.Path, next.Key, next.Extra, next.Fragment)
		return
	}
	errs, status, ok := formErrors(err, in, notThere)
	if !ok || again == nil {
		u.fail(w, r, err)
		return
	}
	again(errs, status)
}

// notHere is what a form says of a record it chose that is not there.
const notHere = "That is not at this location (any more): choose another."

// sentence makes an error message read as a sentence: ent's "is too long"
// becomes "This is too long.".
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "This is not valid."
	}
	if strings.HasPrefix(msg, "is ") {
		msg = "This " + msg
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// renderStatus writes a component with a status other than 200.
func renderStatus(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		slog.ErrorContext(r.Context(), "render", "err", err, "path", r.URL.Path)
	}
}

// confirmed reports whether a destructive request is confirmed: a POST
// carrying confirm=yes. A GET, or a POST without it, is not.
func confirmed(r *http.Request) bool {
	return r.Method == http.MethodPost && r.PostFormValue("confirm") == "yes"
}

// idParam is the {id} of the path.
func idParam(r *http.Request) pulid.ID { return pulid.ID(chi.URLParam(r, "id")) }

// adminIndex links to the admin areas the viewer may use.
func (u *UI) adminIndex(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Admin")
	if !ok {
		return
	}
	if len(views.AdminSections(p.Me)) == 0 {
		u.fail(w, r, apperr.Forbiddenf("your role (%s) may not use any admin page", p.Me.Role))
		return
	}
	render(w, r, views.AdminIndex(p))
}

// enumValue checks a submitted value against the allowed ones: the
// resolvers called in-process get Go values, not GraphQL-validated enums.
func enumValue[T ~string](field, v string, allowed []T) (T, error) {
	if slices.Contains(allowed, T(v)) {
		return T(v), nil
	}
	return "", apperr.Invalidf(field, "choose one of the listed values")
}
