package auth

import (
	"net/http"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/netguard"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// actor names the request's viewer in its audit entry.
func actor(r *http.Request, v *viewer.Viewer) {
	audit.MetaFrom(r.Context()).SetActor(string(v.UserID), v.Email, string(v.LocationID))
}

// event writes a sign-in, sign-out or failed sign-in to the audit trail.
func (s *Service) event(r *http.Request, action string, u *ent.User, email, detail string) {
	if s.Audit == nil {
		return
	}
	e := audit.Entry{
		Action: action, Email: email, Detail: detail,
		Method: r.Method, Path: r.URL.Path, UserAgent: r.UserAgent(),
		ResourceType: "users",
	}
	if ip := netguard.IPFrom(r.Context()); ip.IsValid() {
		e.IP = ip.String()
	}
	if u != nil {
		e.UserID, e.Email, e.ResourceID = string(u.ID), u.Email, string(u.ID)
		audit.MetaFrom(r.Context()).SetActor(string(u.ID), u.Email, "")
	}
	s.Audit.Record(e)
}
