package ui

import (
	"net/http"
	"net/url"
	"sort"

	"github.com/avatarimaging/avatarcrm/ui/views"
)

// signIn shows the sign-in page; in development mode it offers the demo
// users.
func (u *UI) signIn(w http.ResponseWriter, r *http.Request) {
	u.signInPage(w, r, http.StatusOK, "")
}

// SignInError shows the sign-in page with an error message and status: a
// refused OIDC sign-in explains itself and offers to start again.
func (u *UI) SignInError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	u.signInPage(w, r, status, msg)
}

func (u *UI) signInPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	d := views.SignIn{Dev: u.opts.Dev, Next: r.URL.Query().Get("next"), Error: msg, OIDCProvider: u.opts.OIDCProvider}
	if d.OIDCProvider != "" {
		d.LoginURL = "/auth/login"
		if d.Next != "" {
			d.LoginURL += "?next=" + url.QueryEscape(d.Next)
		}
	}
	if u.opts.Dev && u.opts.DevUsers != nil {
		users, err := u.opts.DevUsers(r.Context())
		if err != nil {
			u.fail(w, r, err)
			return
		}
		for _, usr := range users {
			d.Users = append(d.Users, views.SignInUser{Email: usr.Email, Name: usr.Name, Role: usr.Role, Location: usr.Location})
		}
		sort.SliceStable(d.Users, func(i, j int) bool {
			if d.Users[i].Location != d.Users[j].Location {
				return d.Users[i].Location > d.Users[j].Location
			}
			return rank(d.Users[i].Role) > rank(d.Users[j].Role)
		})
	}
	if status != http.StatusOK {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
	}
	render(w, r, views.SignInPage(d))
}

func rank(role string) int {
	switch role {
	case "admin":
		return 4
	case "manager":
		return 3
	case "staff":
		return 2
	}
	return 1
}
