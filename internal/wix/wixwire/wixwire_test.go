package wixwire_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/wix/wixwire"
)

// envelope wraps an event as Wix's data claim does: the event as a JSON
// string inside the envelope.
func envelope(t testing.TB, eventType string, event []byte) string {
	t.Helper()
	b, err := json.Marshal(map[string]string{
		"eventType": eventType, "instanceId": "inst-1", "data": string(event), "identity": `{"identityType":"APP"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The three places Wix puts the booking, object and JSON-string variants.
func TestParseEvent_Fixtures(t *testing.T) {
	cases := []struct {
		file, typ, slug, status string
		start                   string
	}{
		{"booking_created.json", "wix.bookings.v2.booking_created", "created", "CONFIRMED", "2026-03-19T23:00:00Z"},
		{"booking_updated_asjson.json", "wix.bookings.v2.booking_updated", "updated", "CONFIRMED", "2026-03-20T00:00:00Z"},
		{"booking_canceled.json", "wix.bookings.v2.booking_canceled", "canceled", "CANCELED", "2026-03-20T00:00:00Z"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			env, err := wixwire.ParseEnvelope(envelope(t, c.typ, fixture(t, c.file)))
			if err != nil {
				t.Fatal(err)
			}
			ev, err := wixwire.ParseEvent(env)
			if err != nil {
				t.Fatal(err)
			}
			b := ev.Booking
			if ev.Slug != c.slug || b.ID != "b7d1c2e3-4f50-4a6b-8c7d-9e0f1a2b3c4d" || b.Status != c.status ||
				b.ServiceID != "11111111-2222-4333-8444-555555555555" || b.Start.Format(time.RFC3339) != c.start || b.End.Sub(b.Start) != 30*time.Minute {
				t.Errorf("%+v", ev)
			}
			// Stored and read back, the event is the same.
			p, err := wixwire.StoredPayload(env)
			if err != nil {
				t.Fatal(err)
			}
			again, err := wixwire.ReadStored(string(p))
			if err != nil || again.ID != ev.ID || again.Booking != ev.Booking {
				t.Errorf("stored: %+v %v", again, err)
			}
		})
	}
	t.Run("EntityAsJSONString", func(t *testing.T) {
		inner, _ := json.Marshal(map[string]any{"id": "e-2", "createdEvent": map[string]string{
			"entityAsJson": `{"id":"bk-2","bookedEntity":{"slot":{"serviceId":"s","startDate":"2026-03-20T10:00:00.000+11:00","endDate":"2026-03-20T10:15:00.000+11:00"}},"status":"PENDING"}`,
		}})
		env, _ := wixwire.ParseEnvelope(envelope(t, "wix.bookings.v2.booking_created", inner))
		ev, err := wixwire.ParseEvent(env)
		if err != nil || ev.Booking.ID != "bk-2" || ev.Booking.Status != "PENDING" {
			t.Errorf("%+v %v", ev, err)
		}
	})
	t.Run("UnknownType", func(t *testing.T) {
		env, _ := wixwire.ParseEnvelope(envelope(t, "wix.contacts.v4.contact_created", []byte(`{"id":"x"}`)))
		if _, err := wixwire.ParseEvent(env); !errors.Is(err, wixwire.ErrUnknownType) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("NoBooking", func(t *testing.T) {
		env, _ := wixwire.ParseEnvelope(envelope(t, "wix.bookings.v2.booking_created", []byte(`{"id":"x","createdEvent":{}}`)))
		if _, err := wixwire.ParseEvent(env); err == nil {
			t.Error("no error")
		}
	})
}

// FuzzParseEvent: any data claim parses or is refused, never a panic, and
// what parses has an id, a booking id and an end after its start.
func FuzzParseEvent(f *testing.F) {
	for _, n := range []string{"booking_created.json", "booking_updated_asjson.json", "booking_canceled.json"} {
		f.Add(envelope(f, "wix.bookings.v2.booking_created", fixture(f, n)))
	}
	f.Add(`{"eventType":"wix.bookings.v2.booking_created","data":{"id":"1","createdEvent":{"entity":"{}"}}}`)
	f.Add(`{"eventType":"x","data":null}`)
	f.Fuzz(func(t *testing.T, data string) {
		env, err := wixwire.ParseEnvelope(data)
		if err != nil {
			return
		}
		ev, err := wixwire.ParseEvent(env)
		if err != nil {
			return
		}
		if ev.ID == "" || ev.Booking.ID == "" || !ev.Booking.End.After(ev.Booking.Start) {
			t.Errorf("accepted %+v", ev)
		}
		if p, err := wixwire.StoredPayload(env); err == nil {
			if _, err := wixwire.ReadStored(string(p)); err != nil {
				t.Errorf("stored payload does not read back: %v", err)
			}
		}
	})
}
