package ui

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// adminTokens lists the API tokens and offers the create form.
func (u *UI) adminTokens(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "API tokens", graph.OpAPITokens)
	if !ok {
		return
	}
	d, err := u.tokensPage(r.Context(), p, views.TokenForm{})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.AdminTokensPage(p, d))
}

func (u *UI) tokensPage(ctx context.Context, p views.Page, form views.TokenForm) (views.TokensPage, error) {
	now := u.opts.Now.Now()
	d := views.TokensPage{CanCreate: u.allowed(ctx, graph.OpCreateAPIToken), Now: now}
	conn, err := u.api.admin.APITokens(ctx, nil, ptr(500), nil, nil,
		&ent.APITokenOrder{Direction: entgql.OrderDirectionDesc, Field: ent.APITokenOrderFieldCreatedAt}, nil)
	if err != nil {
		return d, err
	}
	members, err := u.members(ctx, p, nil)
	if err != nil {
		return d, err
	}
	names, self := map[string]string{}, ""
	for _, m := range members {
		names[m.ID] = memberLabel(m)
		if m.Self {
			self = m.ID
		}
		if m.Status != string(user.StatusDisabled) {
			d.Users = append(d.Users, views.Option{Value: m.ID, Label: memberLabel(m) + " (" + views.Humanize(m.Role) + ")"})
		}
	}
	canRevoke := u.allowed(ctx, graph.OpRevokeAPIToken)
	for _, e := range conn.Edges {
		t := e.Node
		row := views.TokenRow{
			ID: t.ID.String(), Name: t.Name, Hint: t.Hint, Created: t.CreatedAt,
			Expires: t.ExpiresAt, LastUsed: t.LastUsedAt, State: tokenState(t, now),
		}
		row.User = names[t.UserID.String()]
		if row.User == "" {
			row.User = "(no longer a member)"
		}
		row.CanRevoke = canRevoke && row.State != "revoked"
		d.Rows = append(d.Rows, row)
	}
	if form.UserID == "" {
		form.UserID = self
	}
	d.Form = form
	return d, nil
}

func tokenState(t *ent.APIToken, now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		return "expired"
	}
	return "active"
}

// createToken posts the create form: createAPIToken. The new token is
// rendered at once, never redirected to: it is not stored anywhere it
// could be shown from again.
func (u *UI) createToken(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateAPIToken) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	form := views.TokenForm{Name: trim(r.PostFormValue("name")), UserID: r.PostFormValue("userID"), ExpiresInDays: trim(r.PostFormValue("expiresInDays"))}
	in := graph.CreateAPITokenInput{Name: form.Name}
	if form.UserID != "" {
		in.UserID = ptr(pulid.ID(form.UserID))
	}
	var created *graph.CreatedAPIToken
	err := func() error {
		if form.ExpiresInDays != "" {
			n, err := strconv.Atoi(form.ExpiresInDays)
			if err != nil {
				return apperr.Invalidf("expiresInDays", "enter a whole number of days, or leave it empty for a token that never expires")
			}
			in.ExpiresInDays = &n
		}
		var err error
		created, err = u.api.admin.CreateAPIToken(ctx, in)
		return err
	}()
	if err != nil {
		// The new token is shown, not redirected to: only errors go through
		// finish.
		u.finish(w, r, err, done{}, inputs{"name": "name", "userID": "userID", "expiresInDays": "expiresInDays", "expiresAt": "expiresInDays"}, "",
			func(errs views.FieldErrors, status int) {
				form.Errors = errs
				p, ok := u.adminPage(w, r, "API tokens", graph.OpAPITokens)
				if !ok {
					return
				}
				p.Error = "No token was created: please check the form."
				d, err := u.tokensPage(ctx, p, form)
				if err != nil {
					u.fail(w, r, err)
					return
				}
				renderStatus(w, r, status, views.AdminTokensPage(p, d))
			})
		return
	}
	p, ok := u.adminPage(w, r, "New API token", graph.OpAPITokens)
	if !ok {
		return
	}
	d := views.TokenCreated{Token: created.Token, Name: created.APIToken.Name, Expires: created.APIToken.ExpiresAt}
	if m, err := u.member(ctx, p, created.APIToken.UserID); err == nil {
		d.User = memberLabel(m)
	}
	// Neither the browser nor a proxy may keep this page.
	w.Header().Set("Cache-Control", "no-store")
	render(w, r, views.AdminTokenCreatedPage(p, d))
}

// revokeToken confirms, then revokes a token: revokeAPIToken.
func (u *UI) revokeToken(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpRevokeAPIToken) || (r.Method == http.MethodPost && !u.parseForm(w, r)) {
		return
	}
	ctx := r.Context()
	id := idParam(r)
	if confirmed(r) {
		_, err := u.api.admin.RevokeAPIToken(ctx, id)
		u.finish(w, r, err, done{Path: "/admin/tokens", Key: "token-revoked"}, nil, "", nil)
		return
	}
	p, ok := u.adminPage(w, r, "Revoke token", graph.OpAPITokens)
	if !ok {
		return
	}
	conn, err := u.api.admin.APITokens(ctx, nil, ptr(1), nil, nil, nil, &ent.APITokenWhereInput{ID: &id})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if len(conn.Edges) == 0 {
		u.fail(w, r, apperr.NotFoundf("id", "not found"))
		return
	}
	t := conn.Edges[0].Node
	c := views.Confirm{
		Title:   "Revoke “" + t.Name + "”?",
		Message: "Anything using the token ending …" + t.Hint + " stops working at once. This cannot be undone; you can create a new token.",
		Action:  r.URL.Path, Button: "Revoke token", Cancel: "/admin/tokens",
	}
	p.Title = c.Title
	render(w, r, views.ConfirmPage(p, c))
}
