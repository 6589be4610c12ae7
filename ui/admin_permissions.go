package ui

import (
	"context"
	"net/http"
	"net/url"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/permission"
	"github.com/avatarimaging/avatarcrm/ent/permissionoverride"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

var (
	editableRoles = []permission.Role{permission.RoleManager, permission.RoleStaff, permission.RoleViewer}
	conditions    = []rbac.Condition{rbac.OwnLocationOnly, rbac.OwnRecordsOnly}
	effects       = []permissionoverride.Effect{permissionoverride.EffectGrant, permissionoverride.EffectDeny}
)

var conditionOptions = []views.Option{
	{Value: string(rbac.OwnLocationOnly), Label: "This location"},
	{Value: string(rbac.OwnRecordsOnly), Label: "Own records only"},
}

// adminPermissions shows the matrix and the overrides.
func (u *UI) adminPermissions(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Permissions", graph.OpPermissionMatrix)
	if !ok {
		return
	}
	saved := ""
	if r.URL.Query().Get("done") == "permission" {
		saved = r.URL.Query().Get("cell")
	}
	d, err := u.permissionsPage(r.Context(), p, views.OverrideForm{}, saved)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.AdminPermissionsPage(p, d))
}

// permissionsPage loads the matrix and, for viewers who may read them, the
// overrides.
func (u *UI) permissionsPage(ctx context.Context, p views.Page, form views.OverrideForm, saved string) (views.PermissionsPage, error) {
	cells, err := u.api.admin.PermissionMatrix(ctx)
	if err != nil {
		return views.PermissionsPage{}, err
	}
	d := views.PermissionsPage{CanEdit: u.allowed(ctx, graph.OpSetPermission)}
	for _, role := range rbac.Roles {
		d.Roles = append(d.Roles, string(role))
	}
	type key struct {
		role string
		res  rbac.Resource
		act  rbac.Action
	}
	byKey := map[key]*graph.PermissionCell{}
	for _, c := range cells {
		byKey[key{string(c.Role), c.Resource, c.Action}] = c
	}
	for _, res := range rbac.Resources {
		for _, act := range rbac.Actions {
			row := views.PermRow{Resource: string(res), Action: string(act)}
			for _, role := range d.Roles {
				c := byKey[key{role, res, act}]
				if c == nil {
					continue
				}
				pc := views.PermCell{
					Role: role, Resource: string(res), Action: string(act),
					Allowed: c.Allowed, Own: c.Own,
					Editable: d.CanEdit && role != string(rbac.Admin),
				}
				if c.Condition != nil {
					pc.Condition = string(*c.Condition)
				}
				pc.Saved = saved != "" && pc.ID() == saved
				row.Cells = append(row.Cells, pc)
			}
			d.Rows = append(d.Rows, row)
		}
	}
	d.ShowOverrides = u.allowed(ctx, graph.OpPermissionOverrides) && u.allowed(ctx, graph.OpUsers)
	if !d.ShowOverrides {
		return d, nil
	}
	d.CanAddOverride = u.allowed(ctx, graph.OpSetPermissionOverride)
	members, err := u.members(ctx, p, nil)
	if err != nil {
		return d, err
	}
	for _, m := range members {
		if !m.Self {
			d.Users = append(d.Users, views.Option{Value: m.ID, Label: memberLabel(m) + " (" + views.Humanize(m.Role) + ")"})
		}
	}
	if d.Overrides, err = u.overrides(ctx, p, members, nil); err != nil {
		return d, err
	}
	d.Resources = options(rbac.Resources)
	d.Actions = options(rbac.Actions)
	d.Conditions = conditionOptions
	if form.Effect == "" {
		form.Effect = string(permissionoverride.EffectGrant)
	}
	if form.Condition == "" {
		form.Condition = string(rbac.OwnLocationOnly)
	}
	d.OverrideForm = form
	return d, nil
}

// overrides lists the location's exceptions (those where matches), naming
// each person from members.
func (u *UI) overrides(ctx context.Context, p views.Page, members []views.MemberRow, where *ent.PermissionOverrideWhereInput) ([]views.OverrideRow, error) {
	conn, err := u.api.admin.PermissionOverrides(ctx, nil, ptr(500), nil, nil,
		&ent.PermissionOverrideOrder{Direction: entgql.OrderDirectionAsc, Field: ent.PermissionOverrideOrderFieldCreatedAt}, where)
	if err != nil {
		return nil, err
	}
	names, self := map[string]string{}, ""
	for _, m := range members {
		names[m.ID] = memberLabel(m)
		if m.Self {
			self = m.ID
		}
	}
	canRemove := u.allowed(ctx, graph.OpRemovePermissionOverride)
	var out []views.OverrideRow
	for _, e := range conn.Edges {
		o := e.Node
		name, ok := names[o.UserID.String()]
		if !ok {
			name = "(no longer a member)"
		}
		out = append(out, views.OverrideRow{
			ID: o.ID.String(), User: name, Resource: string(o.Resource), Action: string(o.Action),
			Effect: string(o.Effect), Condition: string(o.Condition), Reason: o.Reason,
			// Nobody changes their own rights (the service refuses).
			CanRemove: canRemove && o.UserID.String() != self,
		})
	}
	return out, nil
}

// setPermission posts one cell of the matrix: setPermission. grant is
// "none" (the role's own row goes; it may still inherit) or the condition
// of the grant.
func (u *UI) setPermission(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSetPermission) || !u.parseForm(w, r) {
		return
	}
	in := graph.SetPermissionInput{}
	var err error
	if in.Role, err = enumValue("role", r.PostFormValue("role"), editableRoles); err != nil {
		u.fail(w, r, apperr.Invalidf("role", "Administrators may always do everything; choose manager, staff or viewer."))
		return
	}
	if in.Resource, err = enumValue("resource", r.PostFormValue("resource"), rbac.Resources); err != nil {
		u.fail(w, r, err)
		return
	}
	if in.Action, err = enumValue("action", r.PostFormValue("action"), rbac.Actions); err != nil {
		u.fail(w, r, err)
		return
	}
	if g := r.PostFormValue("grant"); g != "none" {
		cond, err := enumValue("grant", g, conditions)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		in.Allowed, in.Condition = true, &cond
	}
	_, err = u.api.admin.SetPermission(r.Context(), in)
	cell := views.PermCell{Role: string(in.Role), Resource: string(in.Resource), Action: string(in.Action)}.ID()
	u.finish(w, r, err, done{Path: "/admin/permissions", Key: "permission", Extra: url.Values{"cell": {cell}}, Fragment: cell}, nil, "", nil)
}

// addOverride posts the exception form: setPermissionOverride.
func (u *UI) addOverride(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpSetPermissionOverride) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	form := views.OverrideForm{
		UserID: r.PostFormValue("userID"), Resource: r.PostFormValue("resource"), Action: r.PostFormValue("action"),
		Effect: r.PostFormValue("effect"), Condition: r.PostFormValue("condition"), Reason: trim(r.PostFormValue("reason")),
	}
	err := func() error {
		in := graph.SetPermissionOverrideInput{Reason: &form.Reason}
		var err error
		if form.UserID == "" {
			return apperr.Invalidf("userID", "choose a person")
		}
		in.UserID = pulid.ID(form.UserID)
		if in.Resource, err = enumValue("resource", form.Resource, rbac.Resources); err != nil {
			return err
		}
		if in.Action, err = enumValue("action", form.Action, rbac.Actions); err != nil {
			return err
		}
		if in.Effect, err = enumValue("effect", form.Effect, effects); err != nil {
			return err
		}
		cond, err := enumValue("condition", form.Condition, conditions)
		if err != nil {
			return err
		}
		in.Condition = &cond
		_, err = u.api.admin.SetPermissionOverride(ctx, in)
		return err
	}()
	u.finish(w, r, err, done{Path: "/admin/permissions", Key: "override-added", Fragment: "overrides"},
		named("userID", "resource", "action", "effect", "condition", "reason"), "", func(errs views.FieldErrors, status int) {
			form.Errors = errs
			p, ok := u.adminPage(w, r, "Permissions", graph.OpPermissionMatrix)
			if !ok {
				return
			}
			p.Error = "The exception was not saved: please check the form."
			d, err := u.permissionsPage(ctx, p, form, "")
			if err != nil {
				u.fail(w, r, err)
				return
			}
			renderStatus(w, r, status, views.AdminPermissionsPage(p, d))
		})
}

// removeOverride confirms, then removes an exception:
// removePermissionOverride.
func (u *UI) removeOverride(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRemovePermissionOverride) || (r.Method == http.MethodPost && !u.parseForm(w, r)) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	var err error
	if confirmed(r) {
		if _, err = u.api.admin.RemovePermissionOverride(ctx, id); err == nil {
			redirectDone(w, r, "/admin/permissions", "override-removed", nil, "overrides")
			return
		}
		if apperr.CodeOf(err) != apperr.Invalid {
			u.fail(w, r, err)
			return
		}
	}
	p, ok := u.adminPage(w, r, "Remove exception", graph.OpPermissionOverrides, graph.OpUsers)
	if !ok {
		return
	}
	members, merr := u.members(ctx, p, nil)
	if merr != nil {
		u.fail(w, r, merr)
		return
	}
	rows, merr := u.overrides(ctx, p, members, &ent.PermissionOverrideWhereInput{ID: &id})
	if merr != nil {
		u.fail(w, r, merr)
		return
	}
	if len(rows) == 0 {
		u.fail(w, r, apperr.NotFoundf("id", "not found"))
		return
	}
	o := rows[0]
	c := views.Confirm{
		Title:   "Remove this exception?",
		Message: "The exception (" + o.Effect + " " + o.Action + " " + o.Resource + " for " + o.User + ") goes, and their role decides again.",
		Action:  r.URL.Path, Button: "Remove exception", Cancel: "/admin/permissions#overrides",
	}
	p.Title = c.Title
	if err != nil {
		c.Error = sentence(apperr.From(err).Message)
		renderStatus(w, r, http.StatusUnprocessableEntity, views.ConfirmPage(p, c))
		return
	}
	render(w, r, views.ConfirmPage(p, c))
}
