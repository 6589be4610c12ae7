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
	"github.com/avatarimaging/avatarcrm/ui/views"
)

var allRoles = []membership.Role{membership.RoleAdmin, membership.RoleManager, membership.RoleStaff, membership.RoleViewer}

// isAdmin reports whether the viewer is an administrator here: only they
// appoint administrators and disable people.
func isAdmin(p views.Page) bool { return p.Me.Role == string(membership.RoleAdmin) }

// assignableRoles are the roles the viewer may give: only administrators
// appoint administrators.
func assignableRoles(p views.Page) []views.Option {
	var out []views.Option
	for _, r := range allRoles {
		if r == membership.RoleAdmin && !isAdmin(p) {
			continue
		}
		out = append(out, views.Option{Value: string(r), Label: views.Humanize(string(r))})
	}
	return out
}

// members lists the people of the active location, by name.
func (u *UI) members(ctx context.Context, p views.Page, where *ent.UserWhereInput) ([]views.MemberRow, error) {
	conn, err := u.api.admin.Users(ctx, nil, ptr(500), nil, nil,
		&ent.UserOrder{Direction: entgql.OrderDirectionAsc, Field: ent.UserOrderFieldName}, where)
	if err != nil {
		return nil, err
	}
	canEdit, canRemove, canDisable := u.allowed(ctx, graph.OpSetMemberRole), u.allowed(ctx, graph.OpRemoveMember), u.allowed(ctx, graph.OpSetUserDisabled)
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
			LastSeen: usr.LastSeenAt, InvitedAt: usr.InvitedAt, Self: usr.Email == p.Me.Email,
		}
		for _, m := range ms {
			if m.LocationID.String() == p.Me.LocationID {
				row.Role, row.Skills = string(m.Role), m.Skills
				if m.DisabledAt != nil {
					row.Status = "disabled"
				}
			}
		}
		targetAdmin := row.Role == string(membership.RoleAdmin)
		row.CanEdit = canEdit && (isAdmin(p) || !targetAdmin)
		row.CanRemove = canRemove && !row.Self && (isAdmin(p) || !targetAdmin)
		row.CanDisable = canDisable && isAdmin(p) && !row.Self
		out = append(out, row)
	}
	return out, nil
}

// invitations lists the invitations of the active location nobody has
// accepted, as rows of the members table.
func (u *UI) invitations(ctx context.Context) ([]views.MemberRow, error) {
	conn, err := u.api.admin.Invitations(ctx, nil, ptr(500), nil, nil,
		&ent.InvitationOrder{Direction: entgql.OrderDirectionAsc, Field: ent.InvitationOrderFieldCreatedAt},
		&ent.InvitationWhereInput{AcceptedAtIsNil: true})
	if err != nil {
		return nil, err
	}
	canRevoke := u.allowed(ctx, graph.OpRevokeInvitation)
	out := make([]views.MemberRow, 0, len(conn.Edges))
	for _, e := range conn.Edges {
		inv := e.Node
		at := inv.CreatedAt
		out = append(out, views.MemberRow{
			ID: inv.ID.String(), Name: inv.Name, Email: inv.Email, Role: string(inv.Role), Status: "invited",
			InvitedAt: &at, Invitation: true, CanRemove: canRevoke,
		})
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

// adminUsers lists the members and the open invitations, and offers the
// invitation form.
func (u *UI) adminUsers(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "People", graph.OpUsers, graph.OpSetMemberRole)
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
	if u.allowed(ctx, graph.OpInvitations) {
		invs, err := u.invitations(ctx)
		if err != nil {
			return views.UsersPage{}, err
		}
		rows = append(rows, invs...)
	}
	if form.Role == "" {
		form.Role = string(membership.RoleStaff)
	}
	return views.UsersPage{
		Rows: rows, CanInvite: u.allowed(ctx, graph.OpInviteUser), Roles: assignableRoles(p), Invite: form, Now: u.opts.Now.Now(),
	}, nil
}

// inviteUser posts the invitation form: inviteUser.
func (u *UI) inviteUser(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpInviteUser) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	form := views.InviteForm{Email: trim(r.PostFormValue("email")), Name: trim(r.PostFormValue("name")), Role: r.PostFormValue("role")}
	role, err := enumValue("role", form.Role, allRoles)
	if err == nil {
		_, err = u.api.admin.InviteUser(ctx, graph.InviteUserInput{Email: form.Email, Name: &form.Name, Role: role})
	}
	u.finish(w, r, err, done{Path: "/admin/users", Key: "invited"}, named("email", "name", "role"), "", func(errs views.FieldErrors, status int) {
		form.Errors = errs
		p, ok := u.adminPage(w, r, "People", graph.OpUsers, graph.OpSetMemberRole)
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
	})
}

// revokeInvitation confirms, then withdraws an invitation:
// revokeInvitation.
func (u *UI) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	id := idParam(r)
	if !u.may(w, r, graph.OpRevokeInvitation) || (r.Method == http.MethodPost && !u.parseForm(w, r)) {
		return
	}
	ctx := r.Context()
	if confirmed(r) {
		_, err := u.api.admin.RevokeInvitation(ctx, id)
		u.finish(w, r, err, done{Path: "/admin/users", Key: "invitation-revoked"}, nil, "", nil)
		return
	}
	p, ok := u.adminPage(w, r, "Withdraw invitation", graph.OpInvitations)
	if !ok {
		return
	}
	conn, err := u.api.admin.Invitations(ctx, nil, ptr(1), nil, nil, nil,
		&ent.InvitationWhereInput{ID: &id, AcceptedAtIsNil: true})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if len(conn.Edges) == 0 {
		u.fail(w, r, apperr.NotFoundf("id", "not found"))
		return
	}
	inv := conn.Edges[0].Node
	c := views.Confirm{
		Title:   "Withdraw the invitation of " + inv.Email + "?",
		Message: inv.Email + " will not join " + p.Me.LocationName + " when they next sign in. You can invite them again.",
		Action:  r.URL.Path, Button: "Withdraw invitation", Cancel: "/admin/users",
	}
	p.Title = c.Title
	render(w, r, views.ConfirmPage(p, c))
}

// adminMember shows one member with the forms that change them.
func (u *UI) adminMember(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Person", graph.OpUsers, graph.OpSetMemberRole)
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
	if m.Role == string(membership.RoleAdmin) && !isAdmin(p) {
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
	if !u.may(w, r, graph.OpSetMemberRole) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	roleIn, skillsIn := r.PostFormValue("role"), r.PostFormValue("skills")
	role, err := enumValue("role", roleIn, allRoles)
	if err == nil {
		_, err = u.api.admin.SetMemberRole(ctx, graph.SetMemberRoleInput{UserID: id, Role: role, Skills: parseSkills(skillsIn)})
	}
	u.finish(w, r, err, done{Path: "/admin/users", Key: "role"}, named("role", "skills"), "", func(errs views.FieldErrors, status int) {
		p, ok := u.adminPage(w, r, "Person", graph.OpUsers, graph.OpSetMemberRole)
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
	})
}

// removeMember confirms, then removes a member from the location:
// removeMember.
func (u *UI) removeMember(w http.ResponseWriter, r *http.Request) {
	u.memberAction(w, r, graph.OpRemoveMember, "removed", func(p views.Page, m views.MemberRow) views.Confirm {
		return views.Confirm{
			Title:   "Remove " + memberLabel(m) + "?",
			Message: memberLabel(m) + " will lose access to " + p.Me.LocationName + " and be signed out here. Their account, and anything they have elsewhere, stays as it is.",
			Button:  "Remove from " + p.Me.LocationName,
		}
	}, func(ctx context.Context, id pulid.ID) error {
		_, err := u.api.admin.RemoveMember(ctx, id)
		return err
	})
}

// disableUser confirms, then disables a member at this location:
// setUserDisabled.
func (u *UI) disableUser(w http.ResponseWriter, r *http.Request) {
	u.memberAction(w, r, graph.OpSetUserDisabled, "disabled", func(p views.Page, m views.MemberRow) views.Confirm {
		return views.Confirm{
			Title:   "Disable " + memberLabel(m) + " at " + p.Me.LocationName + "?",
			Message: memberLabel(m) + " will be signed out here and cannot act at " + p.Me.LocationName + " until an administrator enables them again. Anything they have elsewhere is not affected.",
			Button:  "Disable at " + p.Me.LocationName,
		}
	}, func(ctx context.Context, id pulid.ID) error {
		_, err := u.api.admin.SetUserDisabled(ctx, id, true, nil)
		return err
	})
}

// enableUser enables a member disabled at this location again; not
// destructive, so no confirmation.
func (u *UI) enableUser(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSetUserDisabled) {
		return
	}
	_, err := u.api.admin.SetUserDisabled(r.Context(), idParam(r), false, nil)
	u.finish(w, r, err, done{Path: "/admin/users", Key: "enabled"}, nil, "", nil)
}

// memberAction runs a destructive operation on a member: a GET (or a POST
// without confirm=yes) shows the confirmation; a confirmed POST does it.
// A refusal on the input (INVALID) shows the confirmation again with why.
func (u *UI) memberAction(w http.ResponseWriter, r *http.Request, op graph.Op, flash string,
	confirm func(views.Page, views.MemberRow) views.Confirm, do func(context.Context, pulid.ID) error,
) {
	if !u.may(w, r, op) || (r.Method == http.MethodPost && !u.parseForm(w, r)) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	var err error
	if confirmed(r) {
		if err = do(ctx, id); err == nil {
			redirectDone(w, r, "/admin/users", flash, nil, "")
			return
		}
		if apperr.CodeOf(err) != apperr.Invalid {
			u.fail(w, r, err)
			return
		}
	}
	p, ok := u.adminPage(w, r, "Confirm", graph.OpUsers)
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
