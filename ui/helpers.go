package ui

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// dayBounds returns the start of the day containing t in tz and the start
// of the next day. Across a daylight-saving change a day is 23 or 25 hours;
// AddDate keeps both ends at local midnight.
func dayBounds(t time.Time, tz *time.Location) (time.Time, time.Time) {
	l := t.In(tz)
	start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, tz)
	return start, start.AddDate(0, 0, 1)
}

// cursorString encodes a cursor for a URL.
func cursorString(c *entgql.Cursor[pulid.ID]) string {
	if c == nil {
		return ""
	}
	var b bytes.Buffer
	c.MarshalGQL(&b)
	s, err := strconv.Unquote(b.String())
	if err != nil {
		return ""
	}
	return s
}

// parseCursor decodes a cursor from a URL; a bad one is ignored.
func parseCursor(s string) *entgql.Cursor[pulid.ID] {
	if s == "" {
		return nil
	}
	var c entgql.Cursor[pulid.ID]
	if err := c.UnmarshalGQL(s); err != nil {
		return nil
	}
	return &c
}

func ptr[T any](v T) *T { return &v }

// enums types the values an ent schema lists as strings (schema.Stages,
// schema.TaskKinds, …) as its generated enum, for enumValue.
func enums[T ~string](values []string) []T {
	out := make([]T, len(values))
	for i, v := range values {
		out[i] = T(v)
	}
	return out
}

func options[T ~string](values []T) []views.Option {
	out := make([]views.Option, 0, len(values))
	for _, v := range values {
		out = append(out, views.Option{Value: string(v), Label: views.Humanize(string(v))})
	}
	return out
}

// appointments resolves the names a booking row shows.
func appointments(ctx context.Context, bs []*ent.Booking) ([]views.Appointment, error) {
	out := make([]views.Appointment, 0, len(bs))
	for _, b := range bs {
		c, err := b.Contact(ctx)
		if err != nil {
			return nil, err
		}
		s, err := b.Service(ctx)
		if err != nil {
			return nil, err
		}
		a := views.Appointment{Booking: b, Contact: c, Service: s}
		if b.StaffID != nil {
			if a.Staff, err = b.Staff(ctx); err != nil && !ent.IsNotFound(err) {
				return nil, err
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// taskRows resolves the names a task row shows.
func taskRows(ctx context.Context, ts []*ent.Task) ([]views.TaskRow, error) {
	out := make([]views.TaskRow, 0, len(ts))
	for _, t := range ts {
		row := views.TaskRow{Task: t}
		var err error
		if t.ContactID != nil {
			if row.Contact, err = t.Contact(ctx); err != nil && !ent.IsNotFound(err) {
				return nil, err
			}
		}
		if t.AssigneeID != nil {
			if row.Assignee, err = t.Assignee(ctx); err != nil && !ent.IsNotFound(err) {
				return nil, err
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func bookingNodes(c *ent.BookingConnection) []*ent.Booking {
	out := make([]*ent.Booking, 0, len(c.Edges))
	for _, e := range c.Edges {
		out = append(out, e.Node)
	}
	return out
}

func taskNodes(c *ent.TaskConnection) []*ent.Task {
	out := make([]*ent.Task, 0, len(c.Edges))
	for _, e := range c.Edges {
		out = append(out, e.Node)
	}
	return out
}

func trim(s string) string { return strings.TrimSpace(s) }
