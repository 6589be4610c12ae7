package ui

import (
	"context"
	"net/http"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// adminLocations lists the viewer's locations and offers the form that
// adds one (createLocation): its creator becomes its administrator.
func (u *UI) adminLocations(w http.ResponseWriter, r *http.Request) {
	p, ok := u.adminPage(w, r, "Locations", graph.OpCreateLocation)
	if !ok {
		return
	}
	d, err := u.locationsPage(r.Context(), views.LocationForm{TimeZone: p.Me.TZ.String()})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	render(w, r, views.AdminLocationsPage(p, d))
}

func (u *UI) locationsPage(ctx context.Context, form views.LocationForm) (views.LocationsPage, error) {
	d := views.LocationsPage{Form: form}
	conn, err := u.api.admin.Locations(ctx, nil, ptr(200), nil, nil,
		&ent.LocationOrder{Direction: entgql.OrderDirectionAsc, Field: ent.LocationOrderFieldName}, nil)
	if err != nil {
		return d, err
	}
	for _, e := range conn.Edges {
		l := e.Node
		row := views.LocationRow{ID: l.ID.String(), Code: l.Code, Name: l.Name, TimeZone: l.Timezone, Phone: l.Phone, Region: l.Region}
		if l.Hostname != nil {
			row.Hostname = *l.Hostname
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// createLocation posts the add form; a bad field comes back beside it.
func (u *UI) createLocation(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpCreateLocation) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	form := views.LocationForm{
		Code: trim(r.PostFormValue("code")), Name: trim(r.PostFormValue("name")), TimeZone: trim(r.PostFormValue("timeZone")),
		Hostname: trim(r.PostFormValue("hostname")), Phone: trim(r.PostFormValue("phone")), Address: trim(r.PostFormValue("address")),
	}
	_, err := u.api.admin.CreateLocation(ctx, graph.CreateLocationInput{
		Code: form.Code, Name: form.Name, TimeZone: form.TimeZone,
		Hostname: &form.Hostname, Phone: &form.Phone, Address: &form.Address,
	})
	u.finish(w, r, err, done{Path: "/admin/locations", Key: "location-created"}, named("code", "name", "timeZone", "hostname", "phone", "address"), "", func(errs views.FieldErrors, status int) {
		form.Errors = errs
		p, ok := u.adminPage(w, r, "Locations", graph.OpCreateLocation)
		if !ok {
			return
		}
		p.Error = "The location was not created: please check the form."
		d, err := u.locationsPage(ctx, form)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		renderStatus(w, r, status, views.AdminLocationsPage(p, d))
	})
}
