package mcwire_test

import (
	"os"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/manychat/mcwire"
)

// A subscriber as ManyChat's External Request sends it (VENDORS.md).
var subscriberJSON = readSubscriber()

func readSubscriber() string {
	b, err := os.ReadFile("testdata/subscriber.json")
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(b))
}

func TestParse(t *testing.T) {
	s, err := mcwire.Parse([]byte(subscriberJSON))
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "1234567890" || s.FirstName != "Maya" || s.Phone != "+61491570120" || s.SMSConsent == nil || !*s.SMSConsent ||
		s.EmailConsent == nil || *s.EmailConsent || s.CustomFields["dob"] != "1985-04-23" || s.CustomFields["score"] != "7" {
		t.Errorf("%+v", s)
	}
	if _, ok := s.CustomFields["empty"]; ok {
		t.Error("a null custom field was kept")
	}
	if s.EventID() != "1234567890@2026-03-10T21:50:00+00:00" {
		t.Errorf("event id %q", s.EventID())
	}
	// The API's shape: custom_fields as a list, a numeric id, only a name.
	s, err = mcwire.Parse([]byte(`{"id":42,"name":"Sam Lee","custom_fields":[{"id":1,"name":"gp","type":"text","value":"Dr Who"}]}`))
	if err != nil || s.ID != "42" || s.FirstName != "Sam" || s.LastName != "Lee" || s.CustomFields["gp"] != "Dr Who" {
		t.Errorf("%+v %v", s, err)
	}
	for name, body := range map[string]string{
		"NoID":      `{"first_name":"A"}`,
		"NoOne":     `{"id":"1"}`,
		"NotJSON":   `first_name=A`,
		"BadFields": `{"id":"1","first_name":"A","custom_fields":"x"}`,
	} {
		if _, err := mcwire.Parse([]byte(body)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzParse: any body parses or is refused, never a panic; what parses
// has an id and someone to reach.
func FuzzParse(f *testing.F) {
	f.Add([]byte(subscriberJSON))
	f.Add([]byte(`{"id":42,"name":"Sam Lee","custom_fields":[{"name":"gp","value":true}]}`))
	f.Add([]byte(`{"id":"1","email":"a@b","custom_fields":{"x":{"y":1}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := mcwire.Parse(body)
		if err != nil {
			return
		}
		if s.ID == "" || (s.FirstName == "" && s.Phone == "" && s.Email == "") || len(s.EventID()) > 200 {
			t.Errorf("accepted %+v", s)
		}
	})
}
