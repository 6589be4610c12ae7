package ui

// The admin area: people, permissions, API tokens and network rules of the
// active location. Like every page it calls the GraphQL resolvers
// in-process; what is different is that it changes things, so:
//
//   - Every change runs in one database transaction (inTx), as a GraphQL
//     mutation does under entgql.Transactioner.
//   - Every POST first checks the permission the mutation declares with
//     @hasPermission (require): the directive runs only in the GraphQL
//     executor, not on an in-process call. The services and ent's privacy
//     rules check again underneath.
//   - A form that worked redirects (303) to its page with ?done=<key>, and
//     the page shows the message for that key (flashes). A form that failed
//     on its input is shown again with the input kept and the message next
//     to the field, with status 422 (or 409 for a conflict).
//   - Destructive actions (removing, disabling, revoking) go through a
//     confirmation page whose form posts again with confirm=yes.
//
// All of it works without JavaScript.

import (
	"context"
	"fmt"
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
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
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

	r.Get("/admin/network", u.adminNetwork)
	r.Post("/admin/network", u.addIPRule)
	r.Get("/admin/network/{id}/remove", u.removeIPRule)
	r.Post("/admin/network/{id}/remove", u.removeIPRule)
}

// flashes are the messages a redirect after a successful form can ask for
// with ?done=<key>. Only these keys show anything, so a crafted link cannot
// put its own words on the page.
var flashes = map[string]string{
	"invited":          "Invitation created. They can sign in with this email address.",
	"role":             "Role and skills saved.",
	"removed":          "Removed from this location. Their sessions have ended.",
	"disabled":         "Account disabled. Their sessions have ended.",
	"enabled":          "Account enabled.",
	"permission":       "Permission saved. It applies from the next request.",
	"override-added":   "Exception saved.",
	"override-removed": "Exception removed.",
	"token-revoked":    "Token revoked. It stopped working at once.",
	"iprule-added":     "Network rule added.",
	"iprule-removed":   "Network rule removed.",

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

	"contact-created":  "Contact created.",
	"contact-updated":  "Contact saved.",
	"contact-stage":    "Stage changed. The move is on the timeline.",
	"contact-archived": "Contact archived. It no longer shows in lists or searches; Restore brings it back.",
	"contact-restored": "Contact restored.",
	"contact-purged":   "Contact deleted permanently, with its touchpoints, bookings and tasks.",
	"contacts-merged":  "Contacts merged. Their history is now on this contact's timeline.",
	"import-started":   "Import started. This page updates as the rows are imported.",
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

// inTx runs fn in one database transaction, as a GraphQL mutation runs
// under entgql.Transactioner. fn's ctx carries the transaction
// (ent.TxFromContext) and its client (ent.FromContext), which the resolvers
// and services write through, so a form changes everything it changes or
// nothing. It commits when fn succeeds and rolls back when fn fails or
// panics. The error is fn's (or the commit's); render after inTx returns,
// outside the transaction.
func (u *UI) inTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	// The slot lets a job join the form's transaction (internal/jobs).
	txCtx, tx, err := u.r.Client.OpenTx(db.WithSQLTx(ctx))
	if err != nil {
		return fmt.Errorf("open transaction: %w", err)
	}
	done := false
	defer func() {
		if !done {
			// fn panicked: undo, and let the panic go on to the recovery
			// middleware.
			_ = tx.Rollback()
		}
	}()
	if err := fn(txCtx); err != nil {
		done = true
		if rerr := tx.Rollback(); rerr != nil {
			slog.ErrorContext(ctx, "rollback", "err", rerr)
		}
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// require refuses with the 403 page a request whose viewer lacks the
// permission a mutation declares with @hasPermission. Resolvers called
// in-process skip the GraphQL directive, so the UI checks it the same way.
func (u *UI) require(w http.ResponseWriter, r *http.Request, res rbac.Resource, act rbac.Action) bool {
	if err := graph.Require(r.Context(), res, act); err != nil {
		u.fail(w, r, err)
		return false
	}
	return true
}

// adminPage builds the page of an admin area, refusing (403) a viewer
// whom allowed says may not use it.
func (u *UI) adminPage(w http.ResponseWriter, r *http.Request, title string, allowed func(map[string]bool) bool) (views.Page, bool) {
	p, err := u.page(r.Context(), r, title, "admin")
	if err != nil {
		u.fail(w, r, err)
		return p, false
	}
	if !allowed(p.Me.Can) {
		u.fail(w, r, apperr.Forbiddenf("your role (%s) may not use this page", p.Me.Role))
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

// formErrors sorts the error of a form's mutation. A bad input (INVALID) or
// a conflict belongs in the form: next to its field when the form has an
// input of that name (one of fields), else above the form. It returns the
// messages and the status to answer with (422 or 409). Any other error
// returns ok false, and the caller shows the error page.
func formErrors(err error, fields ...string) (errs views.FieldErrors, status int, ok bool) {
	ae := apperr.From(err)
	switch ae.Code {
	case apperr.Invalid:
		status = http.StatusUnprocessableEntity
	case apperr.Conflict:
		status = http.StatusConflict
	default:
		return nil, 0, false
	}
	msg := sentence(ae.Message)
	if ae.Field != "" && slices.Contains(fields, ae.Field) {
		return views.FieldErrors{ae.Field: msg}, status, true
	}
	return views.FieldErrors{"": msg}, status, true
}

// fieldFormErrors is formErrors for a form whose inputs are named unlike
// the API's fields: fields maps an error's field to the form's input. It
// also puts a NOT_FOUND about a record the form chose (one of fields) next
// to its input, as notThere: the record is gone, or at another location.
func fieldFormErrors(err error, fields map[string]string, notThere string) (errs views.FieldErrors, status int, ok bool) {
	ae := apperr.From(err)
	msg := sentence(ae.Message)
	switch ae.Code {
	case apperr.Invalid:
		status = http.StatusUnprocessableEntity
	case apperr.Conflict:
		status = http.StatusConflict
	case apperr.NotFound:
		if fields[ae.Field] == "" {
			return nil, 0, false
		}
		status, msg = http.StatusUnprocessableEntity, notThere
	default:
		return nil, 0, false
	}
	if in := fields[ae.Field]; in != "" {
		return views.FieldErrors{in: msg}, status, true
	}
	return views.FieldErrors{"": msg}, status, true
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
	p, ok := u.adminPage(w, r, "Admin", views.CanAdmin)
	if !ok {
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
