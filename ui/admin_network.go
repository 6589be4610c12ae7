package ui

import (
	"context"
	"net/http"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/netguard"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// lockoutField is the input (and error field) that confirms a change
// locking out the viewer's own address (access.IPRules).
const lockoutField = "confirmLockout"

// adminNetwork lists the IP rules and offers the add form.
func (u *UI) adminNetwork(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Network", graph.OpIPRules)
	if !ok {
		return
	}
	d, err := u.networkPage(r.Context(), p, views.IPRuleForm{})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.AdminNetworkPage(p, d))
}

func (u *UI) networkPage(ctx context.Context, p views.Page, form views.IPRuleForm) (views.NetworkPage, error) {
	d := views.NetworkPage{CanEdit: u.allowed(ctx, graph.OpAddIPRule), Form: form, MyIP: "unknown"}
	if ip := netguard.IPFrom(ctx); ip.IsValid() {
		d.MyIP = ip.String()
	}
	conn, err := u.api.admin.IPRules(ctx, nil, ptr(500), nil, nil,
		&ent.IPRuleOrder{Direction: entgql.OrderDirectionAsc, Field: ent.IPRuleOrderFieldCreatedAt}, nil)
	if err != nil {
		return d, err
	}
	for _, e := range conn.Edges {
		rule := e.Node
		row := views.IPRuleRow{ID: rule.ID.String(), CIDR: rule.Cidr, Note: rule.Note, Created: rule.CreatedAt, CanRemove: d.CanEdit}
		if rule.CreatedByID != nil {
			by, err := rule.CreatedBy(ctx)
			switch {
			case err != nil && !ent.IsNotFound(err):
				return d, err
			case by != nil && by.Name != "":
				row.Creator = by.Name
			case by != nil:
				row.Creator = by.Email
			default:
				row.Creator = "(no longer a member)"
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// addIPRule posts the add form: addIPRule. A rule that would lock out the
// viewer's own address is refused (INVALID on confirmLockout); the form
// comes back with the reason and a box to tick to add it anyway.
func (u *UI) addIPRule(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpAddIPRule) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	form := views.IPRuleForm{CIDR: trim(r.PostFormValue("cidr")), Note: trim(r.PostFormValue("note"))}
	confirm := r.PostFormValue(lockoutField) == "true"
	_, err := u.api.admin.AddIPRule(ctx, graph.AddIPRuleInput{Cidr: form.CIDR, Note: &form.Note, ConfirmLockout: &confirm})
	u.finish(w, r, err, done{Path: "/admin/network", Key: "iprule-added"}, named("cidr", "note", lockoutField), "", func(errs views.FieldErrors, status int) {
		form.Errors, form.Lockout = errs, errs.Has(lockoutField)
		p, ok := u.adminPage(w, r, "Network", graph.OpIPRules)
		if !ok {
			return
		}
		if form.Lockout {
			p.Error = "The rule was not added: it would lock you out."
		} else {
			p.Error = "The rule was not added: please check the form."
		}
		d, err := u.networkPage(ctx, p, form)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		renderStatus(w, r, status, views.AdminNetworkPage(p, d))
	})
}

// removeIPRule confirms, then removes a rule: removeIPRule. When the
// removal would lock out the viewer's address, the confirmation asks again
// with a box to tick.
func (u *UI) removeIPRule(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRemoveIPRule) || (r.Method == http.MethodPost && !u.parseForm(w, r)) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	var err error
	if confirmed(r) {
		lockout := r.PostFormValue(lockoutField) == "true"
		if _, err = u.api.admin.RemoveIPRule(ctx, id, &lockout); err == nil {
			redirectDone(w, r, "/admin/network", "iprule-removed", nil, "")
			return
		}
		if apperr.CodeOf(err) != apperr.Invalid {
			u.fail(w, r, err)
			return
		}
	}
	p, ok := u.adminPage(w, r, "Remove network rule", graph.OpIPRules)
	if !ok {
		return
	}
	conn, qerr := u.api.admin.IPRules(ctx, nil, ptr(1), nil, nil, nil, &ent.IPRuleWhereInput{ID: &id})
	if qerr != nil {
		u.fail(w, r, qerr)
		return
	}
	if len(conn.Edges) == 0 {
		u.fail(w, r, apperr.NotFoundf("id", "not found"))
		return
	}
	rule := conn.Edges[0].Node
	c := views.Confirm{
		Title:   "Remove " + rule.Cidr + "?",
		Message: "Requests from " + rule.Cidr + " will no longer be allowed by this rule. If it was the last rule, every network may reach this location again.",
		Action:  r.URL.Path, Button: "Remove rule", Cancel: "/admin/network",
	}
	p.Title = c.Title
	if err != nil {
		ae := apperr.From(err)
		c.Error = sentence(ae.Message)
		if ae.Field == lockoutField {
			c.Lockout, c.LockoutLabel = true, "Yes, remove it even though it locks out my address"
		}
		renderStatus(w, r, http.StatusUnprocessableEntity, views.ConfirmPage(p, c))
		return
	}
	render(w, r, views.ConfirmPage(p, c))
}
