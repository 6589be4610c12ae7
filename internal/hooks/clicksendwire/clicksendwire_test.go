package clicksendwire_test

import (
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/hooks/clicksendwire"
)

func TestParseInbound_Errors(t *testing.T) {
	for name, f := range map[string]map[string]string{
		"NoSender": {"body": "Y", "message_id": "1"},
		"NoBody":   {"from": "+61491570156", "message_id": "1"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := clicksendwire.ParseInbound(f); err == nil {
				t.Error("no error")
			}
		})
	}
	t.Run("LegacyNamesAndNoID", func(t *testing.T) {
		in, err := clicksendwire.ParseInbound(map[string]string{"sms": "+61491570156", "message": "STOP", "timestamp": "1"})
		if err != nil || in.From != "+61491570156" || in.Body != "STOP" || !strings.HasPrefix(in.MessageID, "sha256:") {
			t.Errorf("%+v %v", in, err)
		}
		again, _ := clicksendwire.ParseInbound(map[string]string{"sms": "+61491570156", "message": "STOP", "timestamp": "1"})
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
			r, err := clicksendwire.ParseReceipt(c.f)
			if err != nil {
				t.Fatal(err)
			}
			if r.Delivered != c.delivered || r.Failed != c.failed || r.Permanent != c.permanent {
				t.Errorf("%+v", r)
			}
		})
	}
	if _, err := clicksendwire.ParseReceipt(map[string]string{"status": "Delivered"}); err == nil {
		t.Error("a receipt naming no message was accepted")
	}
}

// FuzzInbound feeds any body, in any of the three variants (a POST body
// of the content type, form or JSON, and a GET query string), through the
// parsers: they answer fields or an error, never panic, and whatever they
// accept has a sender, a text and an id.
func FuzzInbound(f *testing.F) {
	f.Add("from=%2B61491570156&body=Y&message_id=ABC", "application/x-www-form-urlencoded")
	f.Add(`{"from":"+61491570156","body":"Y","message_id":123}`, "application/json")
	f.Add(`{"from":null,"body":["x"]}`, "application/json")
	f.Add("sms=%2B61&message=%FF%FE", "")
	f.Add("body=%zz", "application/x-www-form-urlencoded")
	f.Fuzz(func(t *testing.T, body, ct string) {
		inbound := func(fields map[string]string, err error) {
			if err != nil {
				return
			}
			in, err := clicksendwire.ParseInbound(fields)
			if err != nil {
				return
			}
			if in.From == "" || in.Body == "" || in.MessageID == "" {
				t.Errorf("accepted an inbound without sender, text or id: %+v", in)
			}
		}
		inbound(clicksendwire.Body(ct, []byte(body)))
		inbound(clicksendwire.Query(body))
	})
}

// FuzzReceipt: the receipt parser never panics, never calls a report both
// delivered and failed, and a permanent failure is a failure.
func FuzzReceipt(f *testing.F) {
	f.Add("message_id=A&status=Delivered&status_code=201")
	f.Add("custom_string=msg_1&status=Failed&status_code=301&error_code=301&error_text=Invalid")
	f.Add("message_id=A&status=Expired&status_code=999999999999999999999")
	f.Fuzz(func(t *testing.T, body string) {
		fields, err := clicksendwire.ParseForm([]byte(body))
		if err != nil {
			return
		}
		r, err := clicksendwire.ParseReceipt(fields)
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
