// Package wixwire reads Wix Bookings' webhook events: the envelope of the
// JWT's data claim, the booking event in it (created, updated, canceled…,
// each carrying the booking in its own place), a booking, and the payload
// an event is stored with. It is pure functions of bytes and imports only
// the standard library, so its fuzz test builds in seconds
// (docs/DECISIONS.md, "Wire parsers in leaf packages"); internal/wix
// verifies, stores and processes the events.
package wixwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Booking event slugs (the suffix of the event type
// wix.bookings.v2.booking_<slug>; "canceled" with one l).
const (
	SlugCreated     = "created"
	SlugUpdated     = "updated"
	SlugCanceled    = "canceled"
	SlugConfirmed   = "confirmed"
	SlugDeclined    = "declined"
	SlugRescheduled = "rescheduled"
)

// Slugs are the booking events /hooks/wix takes.
var Slugs = []string{SlugCreated, SlugUpdated, SlugCanceled, SlugConfirmed, SlugDeclined, SlugRescheduled}

const typePrefix = "wix.bookings.v2.booking_"

// ErrUnknownType is an event type this integration does not handle.
var ErrUnknownType = errors.New("unknown event type")

// Envelope is what the JWT's data claim holds.
type Envelope struct {
	EventType  string `json:"eventType"`
	InstanceID string `json:"instanceId"`
	// Data is the event, a JSON string (or, as stored, an object).
	Data     json.RawMessage `json:"data"`
	Identity json.RawMessage `json:"identity,omitempty"`
}

// Event is a parsed booking event.
type Event struct {
	// ID is Wix's event id (the deduplication key).
	ID         string
	Type       string // the full event type
	Slug       string
	InstanceID string
	EntityID   string
	At         time.Time
	Booking    Booking
}

// Booking is the part of a Wix booking the CRM uses.
type Booking struct {
	ID          string
	ServiceID   string
	ServiceName string
	Start, End  time.Time
	// Status is Wix's: CREATED, CONFIRMED, PENDING, DECLINED, CANCELED,
	// WAITING_LIST.
	Status  string
	Contact Contact
	// Updated is Wix's updatedDate, when given.
	Updated time.Time
}

// Contact is the booking's contact details.
type Contact struct {
	ContactID, FirstName, LastName, Email, Phone string
}

// wire shapes (Wix's JSON).
type wireEvent struct {
	ID           string          `json:"id"`
	EntityFqdn   string          `json:"entityFqdn"`
	Slug         string          `json:"slug"`
	EntityID     string          `json:"entityId"`
	EventTime    string          `json:"eventTime"`
	CreatedEvent *wireCreated    `json:"createdEvent"`
	UpdatedEvent *wireUpdated    `json:"updatedEvent"`
	ActionEvent  *wireAction     `json:"actionEvent"`
	Extra        json.RawMessage `json:"-"`
}

type wireCreated struct {
	Entity       json.RawMessage `json:"entity"`
	EntityAsJSON string          `json:"entityAsJson"`
}

type wireUpdated struct {
	CurrentEntity       json.RawMessage `json:"currentEntity"`
	CurrentEntityAsJSON string          `json:"currentEntityAsJson"`
}

type wireAction struct {
	Body       json.RawMessage `json:"body"`
	BodyAsJSON string          `json:"bodyAsJson"`
}

type wireBooking struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	StartDate    string `json:"startDate"`
	EndDate      string `json:"endDate"`
	UpdatedDate  string `json:"updatedDate"`
	BookedEntity struct {
		Title string `json:"title"`
		Slot  struct {
			ServiceID string `json:"serviceId"`
			StartDate string `json:"startDate"`
			EndDate   string `json:"endDate"`
		} `json:"slot"`
	} `json:"bookedEntity"`
	ContactDetails struct {
		ContactID string `json:"contactId"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Email     string `json:"email"`
		Phone     string `json:"phone"`
	} `json:"contactDetails"`
}

// MaxJSON bounds a parsed document (the JWT claim, the stored payload).
const MaxJSON = 256 << 10

// ParseEnvelope reads the JWT's data claim (a JSON document as a string).
func ParseEnvelope(data string) (Envelope, error) {
	var env Envelope
	if len(data) > MaxJSON {
		return env, errors.New("the data claim is too large")
	}
	if err := json.Unmarshal([]byte(data), &env); err != nil {
		return env, fmt.Errorf("the data claim is not a Wix event envelope: %w", err)
	}
	if env.EventType == "" {
		return env, errors.New("the envelope has no eventType")
	}
	return env, nil
}

// SlugOf returns the booking event slug of a Wix event type, or
// ErrUnknownType.
func SlugOf(eventType string) (string, error) {
	slug, ok := strings.CutPrefix(eventType, typePrefix)
	if !ok {
		return "", fmt.Errorf("%w %q: this endpoint takes %s<%s>", ErrUnknownType, eventType, typePrefix, strings.Join(Slugs, "|"))
	}
	for _, s := range Slugs {
		if s == slug {
			return slug, nil
		}
	}
	return "", fmt.Errorf("%w %q: this endpoint takes %s<%s>", ErrUnknownType, eventType, typePrefix, strings.Join(Slugs, "|"))
}

// stringOrObject reads a JSON value that is an object, or a string
// holding one (Wix sends both: "data" is a string in the JWT and an
// object once stored).
func stringOrObject(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []byte(s), nil
	}
	return raw, nil
}

// ParseEvent reads an envelope's event: its id, type and booking. The
// booking is taken from where each event type carries it (createdEvent,
// updatedEvent, actionEvent.body.booking), as an object or as the JSON
// string variants (entityAsJson, currentEntityAsJson, bodyAsJson).
func ParseEvent(env Envelope) (Event, error) {
	slug, err := SlugOf(env.EventType)
	if err != nil {
		return Event{}, err
	}
	inner, err := stringOrObject(env.Data)
	if err != nil || inner == nil {
		return Event{}, errors.New("the envelope's data is not an event")
	}
	var w wireEvent
	if err := json.Unmarshal(inner, &w); err != nil {
		return Event{}, fmt.Errorf("the event does not parse: %w", err)
	}
	if w.ID == "" {
		return Event{}, errors.New("the event has no id")
	}
	ev := Event{ID: w.ID, Type: env.EventType, Slug: slug, InstanceID: env.InstanceID, EntityID: w.EntityID}
	ev.At, _ = time.Parse(time.RFC3339, w.EventTime)
	var entity []byte
	switch {
	case w.CreatedEvent != nil:
		entity, err = pick(w.CreatedEvent.Entity, w.CreatedEvent.EntityAsJSON)
	case w.UpdatedEvent != nil:
		entity, err = pick(w.UpdatedEvent.CurrentEntity, w.UpdatedEvent.CurrentEntityAsJSON)
	case w.ActionEvent != nil:
		var body []byte
		if body, err = pick(w.ActionEvent.Body, w.ActionEvent.BodyAsJSON); err == nil && body != nil {
			var b struct {
				Booking json.RawMessage `json:"booking"`
			}
			if err = json.Unmarshal(body, &b); err == nil {
				entity, err = stringOrObject(b.Booking)
			}
		}
	}
	if err != nil {
		return Event{}, fmt.Errorf("the booking does not parse: %w", err)
	}
	if entity == nil {
		return Event{}, errors.New("the event carries no booking")
	}
	if ev.Booking, err = ParseBooking(entity); err != nil {
		return Event{}, err
	}
	return ev, nil
}

func pick(obj json.RawMessage, asJSON string) ([]byte, error) {
	if b, err := stringOrObject(obj); err != nil || b != nil {
		return b, err
	}
	if asJSON != "" {
		return []byte(asJSON), nil
	}
	return nil, nil
}

// ParseBooking reads one Wix booking (an event's entity or a query
// result). It needs an id and valid start and end times.
func ParseBooking(b []byte) (Booking, error) {
	var w wireBooking
	if err := json.Unmarshal(b, &w); err != nil {
		return Booking{}, fmt.Errorf("the booking does not parse: %w", err)
	}
	out := Booking{
		ID: strings.TrimSpace(w.ID), ServiceID: strings.TrimSpace(w.BookedEntity.Slot.ServiceID),
		ServiceName: strings.TrimSpace(w.BookedEntity.Title), Status: strings.ToUpper(strings.TrimSpace(w.Status)),
		Contact: Contact{
			ContactID: w.ContactDetails.ContactID, FirstName: strings.TrimSpace(w.ContactDetails.FirstName),
			LastName: strings.TrimSpace(w.ContactDetails.LastName), Email: strings.TrimSpace(w.ContactDetails.Email),
			Phone: strings.TrimSpace(w.ContactDetails.Phone),
		},
	}
	if out.ID == "" {
		return Booking{}, errors.New("the booking has no id")
	}
	if len(out.ID) > 120 || len(out.ServiceID) > 100 || len(out.ServiceName) > 200 {
		return Booking{}, errors.New("the booking's id, service id or title is too long")
	}
	start, end := w.BookedEntity.Slot.StartDate, w.BookedEntity.Slot.EndDate
	if start == "" {
		start, end = w.StartDate, w.EndDate
	}
	var err error
	if out.Start, err = time.Parse(time.RFC3339, start); err != nil {
		return Booking{}, fmt.Errorf("the booking's startDate %q is not a time", start)
	}
	if out.End, err = time.Parse(time.RFC3339, end); err != nil {
		return Booking{}, fmt.Errorf("the booking's endDate %q is not a time", end)
	}
	out.Start, out.End = out.Start.UTC(), out.End.UTC()
	if !out.End.After(out.Start) {
		return Booking{}, errors.New("the booking ends before it starts")
	}
	if t, err := time.Parse(time.RFC3339, w.UpdatedDate); err == nil {
		out.Updated = t.UTC()
	}
	return out, nil
}

// Stored is the payload a Wix event is stored with: the envelope with its
// event as an object, so the events page shows it readably.
type Stored struct {
	EventType  string          `json:"eventType"`
	InstanceID string          `json:"instanceId"`
	Event      json.RawMessage `json:"event"`
}

// StoredPayload is the payload to store for env.
func StoredPayload(env Envelope) ([]byte, error) {
	inner, err := stringOrObject(env.Data)
	if err != nil {
		return nil, err
	}
	if !json.Valid(inner) {
		return nil, errors.New("the event is not JSON")
	}
	return json.Marshal(Stored{EventType: env.EventType, InstanceID: env.InstanceID, Event: inner})
}

// ReadStored parses a stored payload back into its event.
func ReadStored(payload string) (Event, error) {
	var s Stored
	if err := json.Unmarshal([]byte(payload), &s); err != nil {
		return Event{}, err
	}
	return ParseEvent(Envelope{EventType: s.EventType, InstanceID: s.InstanceID, Data: s.Event})
}

// EventID digs the event id out of an envelope whose event did not
// parse, for the rejected record's dedupe ("" when there is none).
func EventID(env Envelope) string {
	inner, err := stringOrObject(env.Data)
	if err != nil || inner == nil {
		return ""
	}
	var w struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(inner, &w)
	return w.ID
}
