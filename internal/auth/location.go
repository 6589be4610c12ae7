package auth

import (
	"net/http"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// SwitchLocation handles POST /location: it makes the form's "location"
// the session's active location, if the user belongs there, and returns to
// the page in "next".
func (s *Service) SwitchLocation(w http.ResponseWriter, r *http.Request) {
	v := viewer.FromContext(r.Context())
	sess := SessionFrom(r.Context())
	if v == nil || sess == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	loc := pulid.ID(r.PostFormValue("location"))
	if _, ok := v.Memberships[loc]; !ok {
		http.Error(w, "you have no access to that location", http.StatusForbidden)
		return
	}
	if err := s.Sessions.SetLocation(r.Context(), sess, loc); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
