package auth

import (
	"context"
	"net/http"
	"strings"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	entsession "github.com/avatarimaging/avatarcrm/ent/session"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// DevSignIn handles POST /auth/dev: in development mode it signs in the demo
// user whose address is in the form field "email", sets the session cookie
// and redirects to the page in "next" (default the dashboard). Outside
// development mode it is refused outright, whatever the request holds.
func (s *Service) DevSignIn(w http.ResponseWriter, r *http.Request) {
	if !s.Dev {
		http.Error(w, "development sign-in is disabled: dev mode is off", http.StatusForbidden)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	if email == "" {
		http.Error(w, "email is required", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	// As at any sign-in, pending invitations become memberships (and an
	// invited address without an account gets one).
	u, err := s.acceptInvitations(ctx, email)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if u == nil {
		s.event(r, audit.ActionSignInFailed, nil, email, "dev sign-in: no such user")
		http.Error(w, "no user with that email", http.StatusUnauthorized)
		return
	}
	v, err := LoadViewer(ctx, s.Client, u.ID, "")
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	token, _, err := s.Sessions.Create(ctx, u.ID, v.LocationID, entsession.MethodDev, clientMeta(r))
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.event(r, audit.ActionSignIn, u, email, "dev")
	s.setCookie(w, token)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// SignOut handles POST /auth/logout; with everywhere=1 it ends every
// session of the user.
func (s *Service) SignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		sess, err := s.Sessions.Lookup(r.Context(), c.Value)
		if err == nil {
			detail := "this session"
			if r.PostFormValue("everywhere") != "" {
				_, _ = s.Sessions.RevokeAll(r.Context(), sess.UserID)
				detail = "everywhere"
			}
			s.event(r, audit.ActionSignOut, &ent.User{ID: sess.UserID}, "", detail)
		}
		_ = s.Sessions.Revoke(r.Context(), c.Value)
	}
	s.clearCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// DevUser is a user offered on the development sign-in page.
type DevUser struct {
	Email, Name, Role, Location string
}

// DevUsers lists the users the development sign-in page offers, with their
// first membership. It returns nothing outside development mode.
func (s *Service) DevUsers(ctx context.Context) ([]DevUser, error) {
	if !s.Dev {
		return nil, nil
	}
	users, err := s.Client.User.Query().
		Where(user.StatusEQ(user.StatusActive), user.HasMembershipsWith(membership.DisabledAtIsNil())).
		WithMemberships(func(q *ent.MembershipQuery) { q.WithLocation() }).
		Order(user.ByEmail()).
		All(viewer.Identity.Grant(ctx, ""))
	if err != nil {
		return nil, err
	}
	var out []DevUser
	for _, u := range users {
		m := u.Edges.Memberships[0]
		out = append(out, DevUser{Email: u.Email, Name: u.Name, Role: string(m.Role), Location: m.Edges.Location.Code})
	}
	return out, nil
}
