package ui

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

var allRoles = []membership.Role{membership.RoleAdmin, membership.RoleManager, membership.RoleStaff, membership.RoleViewer}

// assignableRoles are the roles the viewer may give: only administrators
// appoint administrators.
func assignableRoles(p views.Page) []views.Option {
	var out []views.Option
	for _, r := range allRoles {
		if r == membership.RoleAdmin && p.Me.Role != string(rbac.Admin) {
			continue
		}
		out = append(out, views.Option{Value: string(r), Label: views.Humanize(string(r))})
	}
	return out
}

// members lists the people of the active location, by name.
func (u *UI) members(ctx context.Context, p views.Page, where *ent.UserWhereInput) ([]views.MemberRow, error) {
	conn, err := u.r.Query().Users(ctx, nil, ptr(500), nil, nil,
		&ent.UserOrder{Direction: entgql.OrderDirectionAsc, Field: ent.UserOrderFieldName}, where)
	if err != nil {
		return nil, err
	}
	self := viewer.FromContext(ctx).UserID
	out := make([]views.MemberRow, 0, len(conn.Edges))
	for _, e := range conn.Edges {
		usr := e.Node
		// Memberships are filtered to the active location: this one.
		ms, err := usr.Memberships(ctx)
		if err != nil {
			return nil, err
		}
		row := views.MemberRow{
			ID: usr.ID.String(), Name: usr.Name, Email: usr.Email, Status: string(usr.Status),
			LastSeen: usr.LastSeenAt, InvitedAt: usr.InvitedAt, Self: usr.ID == self,
		}
		for _, m := range ms {
			if m.LocationID.String() == p.Me.LocationID {
				row.Role, row.Skills = string(m.Role), m.Skills
			}
		}
		isAdmin := p.Me.Role == string(rbac.Admin)
		targetAdmin := row.Role == string(membership.RoleAdmin)
		row.CanEdit = p.Me.Can["users:update"] && (isAdmin || !targetAdmin)
		row.CanRemove = p.Me.Can["users:delete"] && !row.Self && (isAdmin || !targetAdmin)
		row.CanDisable = isAdmin && p.Me.Can["users:update"] && !row.Self
		out = append(out, row)
	}
	return out, nil
}

// member returns one member of the active location, or NOT_FOUND.
func (u *UI) member(ctx context.Context, p views.Page, id pulid.ID) (views.MemberRow, error) {
	rows, err := u.members(ctx, p, &ent.UserWhereInput{ID: &id})
	if err != nil {
		return views.MemberRow{}, err
	}
	if len(rows) == 0 {
		return views.MemberRow{}, apperr.NotFoundf("id", "That person is not a member of this location.")
	}
	return rows[0], nil
}

// adminUsers lists the members and offers the invitation form.
func (u *UI) adminUsers(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "People", views.CanManageUsers)
	if !ok {
		return
	}
	d, err := u.usersPage(r.Context(), p, views.InviteForm{})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.AdminUsersPage(p, d))
}

func (u *UI) usersPage(ctx context.Context, p views.Page, form views.InviteForm) (views.UsersPage, error) {
	rows, err := u.members(ctx, p, nil)
	if err != nil {
		return views.UsersPage{}, err
	}
	if form.Role == "" {
		form.Role = string(membership.RoleStaff)
	}
	return views.UsersPage{
		Rows: rows, CanInvite: p.Me.Can["users:create"], Roles: assignableRoles(p), Invite: form, Now: u.opts.Now.Now(),
	}, nil
}

// inviteUser posts the invitation form: inviteUser.
func (u *UI) inviteUser(w http.ResponseWriter, r *http.Request) {
	if !u.require(w, r, rbac.Users, rbac.Create) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	form := views.InviteForm{Email: trim(r.PostFormValue("email")), Name: trim(r.PostFormValue("name")), Role: r.PostFormValue("role")}
	role, err := enumValue("role", form.Role, allRoles)
	if err == nil {
		err = u.inTx(ctx, func(ctx context.Context) error {
			_, err := u.r.Mutation().InviteUser(ctx, graph.InviteUserInput{Email: form.Email, Name: &form.Name, Role: role})
			return err
		})
	}
	if err != nil {
		errs, status, ok := formErrors(err, "email", "name", "role")
		if !ok {
			u.fail(w, r, err)
			return
		}
		form.Errors = errs
		p, ok := u.adminPage(w, r, "People", views.CanManageUsers)
		if !ok {
			return
		}
		p.Error = "Nobody was invited: please check the form."
		d, err := u.usersPage(ctx, p, form)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		renderStatus(w, r, status, views.AdminUsersPage(p, d))
		return
	}
	redirectDone(w, r, "/admin/users", "invited", nil, "")
}

// adminMember shows one member with the forms that change them.
func (u *UI) adminMember(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Person", views.CanManageUsers)
	if !ok {
		return
	}
	m, err := u.member(r.Context(), p, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Title = m.Name
	render(w, r, views.AdminMemberPage(p, u.memberPage(p, m, m.Role, strings.Join(m.Skills, ", "), nil)))
}

func (u *UI) memberPage(p views.Page, m views.MemberRow, role, skills string, errs views.FieldErrors) views.MemberPage {
	roles := assignableRoles(p)
	if m.Role == string(membership.RoleAdmin) && p.Me.Role != string(rbac.Admin) {
		roles = append([]views.Option{{Value: m.Role, Label: views.Humanize(m.Role)}}, roles...)
	}
	return views.MemberPage{Member: m, Roles: roles, Role: role, Skills: skills, Errors: errs, Now: u.opts.Now.Now()}
}

// parseSkills turns "MRI, calls,, ct" into [mri calls ct]. An empty field
// clears the skills (a non-nil empty list; nil would keep them).
func parseSkills(s string) []string {
	out := []string{}
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.Join(strings.Fields(f), " "))
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// setMemberRole posts the role and skills form: setMemberRole.
func (u *UI) setMemberRole(w http.ResponseWriter, r *http.Request) {
	if !u.require(w, r, rbac.Users, rbac.Update) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	roleIn, skillsIn := r.PostFormValue("role"), r.PostFormValue("skills")
	role, err := enumValue("role", roleIn, allRoles)
	if err == nil {
		err = u.inTx(ctx, func(ctx context.Context) error {
			_, err := u.r.Mutation().SetMemberRole(ctx, graph.SetMemberRoleInput{UserID: id, Role: role, Skills: parseSkills(skillsIn)})
			return err
		})
	}
	if err != nil {
		errs, status, ok := formErrors(err, "role", "skills")
		if !ok {
			u.fail(w, r, err)
			return
		}
		p, ok := u.adminPage(w, r, "Person", views.CanManageUsers)
		if !ok {
			return
		}
		m, merr := u.member(ctx, p, id)
		if merr != nil {
			u.fail(w, r, merr)
			return
		}
		p.Title, p.Error = m.Name, "Nothing was changed: please check the form."
		renderStatus(w, r, status, views.AdminMemberPage(p, u.memberPage(p, m, roleIn, skillsIn, errs)))
		return
	}
	redirectDone(w, r, "/admin/users", "role", nil, "")
}

// removeMember confirms, then removes a member from the location:
// removeMember.
func (u *UI) removeMember(w http.ResponseWriter, r *http.Request) {
	u.memberAction(w, r, rbac.Delete, "removed", func(p views.Page, m views.MemberRow) views.Confirm {
		return views.Confirm{
			Title:   "Remove " + memberLabel(m) + "?",
			Message: memberLabel(m) + " will lose access to " + p.Me.LocationName + " and be signed out everywhere. Their account and any other locations stay.",
			Button:  "Remove from " + p.Me.LocationName,
		}
	}, func(ctx context.Context, id pulid.ID) error {
		_, err := u.r.Mutation().RemoveMember(ctx, id)
		return err
	})
}

// disableUser confirms, then disables an account: setUserDisabled.
func (u *UI) disableUser(w http.ResponseWriter, r *http.Request) {
	u.memberAction(w, r, rbac.Update, "disabled", func(_ views.Page, m views.MemberRow) views.Confirm {
		return views.Confirm{
			Title:   "Disable " + memberLabel(m) + "?",
			Message: memberLabel(m) + " will be signed out everywhere and cannot sign in at any location until an administrator enables the account again.",
			Button:  "Disable account",
		}
	}, func(ctx context.Context, id pulid.ID) error {
		_, err := u.r.Mutation().SetUserDisabled(ctx, id, true)
		return err
	})
}

// enableUser enables a disabled account again; not destructive, so no
// confirmation.
func (u *UI) enableUser(w http.ResponseWriter, r *http.Request) {
	if !u.require(w, r, rbac.Users, rbac.Update) {
		return
	}
	id := idParam(r)
	err := u.inTx(r.Context(), func(ctx context.Context) error {
		_, err := u.r.Mutation().SetUserDisabled(ctx, id, false)
		return err
	})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirectDone(w, r, "/admin/users", "enabled", nil, "")
}

// memberAction runs a destructive action on a member: a GET (or a POST
// without confirm=yes) shows the confirmation; a confirmed POST does it.
func (u *UI) memberAction(w http.ResponseWriter, r *http.Request, act rbac.Action, done string,
	confirm func(views.Page, views.MemberRow) views.Confirm, do func(context.Context, pulid.ID) error,
) {
	if r.Method == http.MethodPost && (!u.require(w, r, rbac.Users, act) || !u.parseForm(w, r)) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	var err error
	if confirmed(r) {
		if err = u.inTx(ctx, func(ctx context.Context) error { return do(ctx, id) }); err == nil {
			redirectDone(w, r, "/admin/users", done, nil, "")
			return
		}
		if apperr.CodeOf(err) != apperr.Invalid {
			u.fail(w, r, err)
			return
		}
	}
	p, ok := u.adminPage(w, r, "Confirm", func(c map[string]bool) bool {
		return views.CanManageUsers(c) && c["users:"+string(act)]
	})
	if !ok {
		return
	}
	m, merr := u.member(ctx, p, id)
	if merr != nil {
		u.fail(w, r, merr)
		return
	}
	c := confirm(p, m)
	c.Action = r.URL.Path
	c.Cancel = "/admin/users/" + m.ID
	p.Title = c.Title
	if err != nil {
		c.Error = sentence(apperr.From(err).Message)
		renderStatus(w, r, http.StatusUnprocessableEntity, views.ConfirmPage(p, c))
		return
	}
	render(w, r, views.ConfirmPage(p, c))
}

func memberLabel(m views.MemberRow) string {
	if strings.TrimSpace(m.Name) != "" {
		return m.Name
	}
	return m.Email
}
