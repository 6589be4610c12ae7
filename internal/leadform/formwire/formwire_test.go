package formwire

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParse: whatever a site (or anyone) posts, the parser answers a
// submission or a FieldError, never a panic; a submission it accepts has
// a name and a way to reach the person, all valid text.
func FuzzParse(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", []byte("name=Ann+Lee&phone=0491+570+110&utm_source=google"))
	f.Add("application/json", []byte(`{"first_name":"Ann","email":"ann@example.com","marketing_consent":true}`))
	f.Add("application/json", []byte(`{"name":"Bot","phone":"0491570110","website":"x"}`))
	f.Add("", []byte(`{"name":"A","phone":12345678901}`))
	f.Add("text/plain", []byte("name=%ZZ"))
	f.Add("multipart/form-data; boundary=x", []byte("--x--"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		s, err := Parse(ct, body, "AU")
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FieldError", err)
			}
			return
		}
		if s.Honeypot {
			return
		}
		if s.FirstName == "" || (s.Email == "" && s.Phone == "") {
			t.Fatalf("accepted without a name or a way to reach them: %+v", s)
		}
		for _, v := range []string{s.FirstName, s.LastName, s.Email, s.Phone, s.Message} {
			if !utf8.ValidString(v) {
				t.Fatalf("invalid UTF-8 in %q", v)
			}
		}
	})
}
