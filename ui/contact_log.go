package ui

import (
	"net/http"

	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// logForm is the empty "log a call, SMS or note" form: an inbound call,
// now, in the location's zone.
func (u *UI) logForm(p views.Page) views.LogForm {
	now := u.opts.Now.Now().In(p.Me.TZ)
	return views.LogForm{Channel: "call", Direction: "inbound", Date: now.Format(calDateLayout), Time: now.Format("15:04"), Errors: views.FieldErrors{}}
}

// logTouchpoint posts the contact page's log form: logTouchpoint. A bad
// field comes back beside it, on the contact page, with the input kept.
func (u *UI) logTouchpoint(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpLogTouchpoint) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	f := views.LogForm{
		Channel: r.PostFormValue("channel"), Direction: r.PostFormValue("direction"), Text: r.PostFormValue("text"),
		Date: trim(r.PostFormValue("date")), Time: trim(r.PostFormValue("time")), Errors: views.FieldErrors{},
	}
	in := graph.LogTouchpointInput{ContactID: id, Channel: graph.LoggedChannel(f.Channel), Text: f.Text}
	var err error
	if !in.Channel.IsValid() {
		err = apperr.Invalidf("channel", "choose call, SMS, email or note")
	}
	if f.Direction != "" {
		d := graph.TouchpointDirection(f.Direction)
		in.Direction = &d
		if err == nil && !d.IsValid() {
			err = apperr.Invalidf("direction", "choose who got in touch")
		}
	}
	if err == nil && (f.Date != "" || f.Time != "") {
		p, perr := u.page(ctx, r, "Contact", "contacts")
		if perr != nil {
			u.fail(w, r, perr)
			return
		}
		at, errs := localStart(f.Date, f.Time, p.Me.TZ)
		if len(errs) > 0 {
			f.Errors = errs
		} else {
			in.OccurredAt = &at
		}
	}
	if len(f.Errors) == 0 && err == nil {
		_, err = u.api.contacts.LogTouchpoint(ctx, in)
		if err == nil {
			redirectDone(w, r, "/contacts/"+id.String(), "touchpoint-logged", nil, "timeline")
			return
		}
	}
	status := http.StatusUnprocessableEntity
	if err != nil {
		var ok bool
		if f.Errors, status, ok = formErrors(err, inputs{"channel": "channel", "direction": "direction", "text": "text", "occurredAt": "time"}, ""); !ok {
			u.fail(w, r, err)
			return
		}
	}
	u.showContact(w, r, status, func(d *views.ContactDetail) {
		d.Log = f
		d.Error = "Nothing was logged: please check the form above the timeline."
	})
}
