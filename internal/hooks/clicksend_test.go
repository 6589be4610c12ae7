package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/hooks"
)

// The three variants ClickSend's inbound rule can use give the same fields.
func TestFields_Variants(t *testing.T) {
	const q = "from=%2B61491570156&body=Y&message_id=ABC&timestamp=1773180000"
	cases := []struct {
		name string
		req  *http.Request
	}{
		{"post", withCT(httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(q)), "application/x-www-form-urlencoded")},
		{"get", httptest.NewRequest(http.MethodGet, "/x?"+q, nil)},
		{"json", withCT(httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(`{"from":"+61491570156","body":"Y","message_id":"ABC","timestamp":1773180000}`)), "application/json")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := hooks.Fields(c.req)
			if err != nil {
				t.Fatal(err)
			}
			in, err := hooks.ParseInbound(f)
			if err != nil {
				t.Fatal(err)
			}
			if in.From != "+61491570156" || in.Body != "Y" || in.MessageID != "ABC" || in.At.Unix() != 1773180000 {
				t.Errorf("%+v", in)
			}
		})
	}
}

func withCT(r *http.Request, ct string) *http.Request {
	r.Header.Set("Content-Type", ct)
	return r
}

func TestParseInbound_Errors(t *testing.T) {
	for name, f := range map[string]map[string]string{
		"NoSender": {"body": "Y", "message_id": "1"},
		"NoBody":   {"from": "+61491570156", "message_id": "1"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := hooks.ParseInbound(f); err == nil {
				t.Error("no error")
			}
		})
	}
	t.Run("LegacyNamesAndNoID", func(t *testing.T) {
		in, err := hooks.ParseInbound(map[string]string{"sms": "+61491570156", "message": "STOP", "timestamp": "1"})
		if err != nil || in.From != "+61491570156" || in.Body != "STOP" || !strings.HasPrefix(in.MessageID, "sha256:") {
			t.Errorf("%+v %v", in, err)
		}
		again, _ := hooks.ParseInbound(map[string]string{"sms": "+61491570156", "message": "STOP", "timestamp": "1"})
		if again.MessageID != in.MessageID {
			t.Error("the same message got two ids")
		}
	})
}

func TestParseReceipt(t *testing.T) {
	cases := []struct {
		name                         string
		f                            map[string]string
		delivered, failed, permanent bool
	}{
		{"Delivered", map[string]string{"message_id": "A", "status": "Delivered", "status_code": "201"}, true, false, false},
		{"FailedBadNumber", map[string]string{"message_id": "A", "status": "Failed", "status_code": "301", "error_text": "Invalid destination number"}, false, true, true},
		{"Expired", map[string]string{"message_id": "A", "status": "Expired", "status_code": "302"}, false, true, false},
		{"Sent", map[string]string{"custom_string": "msg_1", "status": "Sent", "status_code": "200"}, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := hooks.ParseReceipt(c.f)
			if err != nil {
				t.Fatal(err)
			}
			if r.Delivered != c.delivered || r.Failed != c.failed || r.Permanent != c.permanent {
				t.Errorf("%+v", r)
			}
		})
	}
	if _, err := hooks.ParseReceipt(map[string]string{"status": "Delivered"}); err == nil {
		t.Error("a receipt naming no message was accepted")
	}
}

// FuzzInbound feeds any body, in any of the three variants, through the
// parsers: they answer fields or an error, never panic, and whatever they
// accept has a sender, a text and an id.
func FuzzInbound(f *testing.F) {
	f.Add("from=%2B61491570156&body=Y&message_id=ABC", "application/x-www-form-urlencoded")
	f.Add(`{"from":"+61491570156","body":"Y","message_id":123}`, "application/json")
	f.Add(`{"from":null,"body":["x"]}`, "application/json")
	f.Add("sms=%2B61&message=%FF%FE", "")
	f.Add("body=%zz", "application/x-www-form-urlencoded")
	f.Fuzz(func(t *testing.T, body, ct string) {
		for _, m := range []string{http.MethodPost, http.MethodGet} {
			var r *http.Request
			if m == http.MethodGet {
				r = httptest.NewRequest(m, "/x", nil)
				r.URL.RawQuery = body
			} else {
				r = httptest.NewRequest(m, "/x", strings.NewReader(body))
				r.Header.Set("Content-Type", ct)
			}
			fields, err := hooks.Fields(r)
			if err != nil {
				continue
			}
			in, err := hooks.ParseInbound(fields)
			if err != nil {
				continue
			}
			if in.From == "" || in.Body == "" || in.MessageID == "" {
				t.Errorf("accepted an inbound without sender, text or id: %+v", in)
			}
		}
	})
}

// FuzzReceipt: the receipt parser never panics, never calls a report both
// delivered and failed, and a permanent failure is a failure.
func FuzzReceipt(f *testing.F) {
	f.Add("message_id=A&status=Delivered&status_code=201")
	f.Add("custom_string=msg_1&status=Failed&status_code=301&error_code=301&error_text=Invalid")
	f.Add("message_id=A&status=Expired&status_code=999999999999999999999")
	f.Fuzz(func(t *testing.T, body string) {
		fields, err := hooks.ParseForm([]byte(body))
		if err != nil {
			return
		}
		r, err := hooks.ParseReceipt(fields)
		if err != nil {
			return
		}
		if r.Delivered && r.Failed || r.Permanent && !r.Failed || len(r.Reason) > 200 {
			t.Errorf("inconsistent receipt %+v", r)
		}
		if r.EventID() == "" {
			t.Error("no event id")
		}
	})
}
