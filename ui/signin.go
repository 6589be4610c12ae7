package ui

import (
	"net/http"
	"sort"

	"github.com/avatarimaging/avatarcrm/ui/views"
)

// signIn shows the sign-in page; in development mode it offers the demo
// users.
func (u *UI) signIn(w http.ResponseWriter, r *http.Request) {
	d := views.SignIn{Dev: u.opts.Dev, Next: r.URL.Query().Get("next")}
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
