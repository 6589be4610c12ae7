// Package clicksendwire reads ClickSend's webhook requests: the fields of
// an inbound SMS or a delivery receipt, whichever variant the rule uses
// (a form POST, a GET query string, a JSON object), and the payload a
// ClickSend event is stored with. It is pure functions of bytes and
// imports only the standard library, so its fuzz tests build in seconds
// (docs/DECISIONS.md, "Wire parsers in leaf packages"); internal/hooks
// takes the requests and stores the events, internal/sms processes them.
package clicksendwire

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxBody bounds a webhook request body (an inbound SMS is at most a few
// kilobytes).
const MaxBody = 64 << 10

// Query reads the fields of a GET request's query string (the first value
// of each; pairs that do not parse are left out).
func Query(rawQuery string) (map[string]string, error) {
	vs, _ := url.ParseQuery(rawQuery)
	out := map[string]string{}
	for k, v := range vs {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out, check(out)
}

// Body reads the fields of a POST body of contentType: a JSON object
// (application/json, or no type and a body starting with "{"), else a
// form. Values that are not strings in JSON (numbers, booleans) are
// written as JSON writes them. Errors say what was wrong, for a 400.
func Body(contentType string, body []byte) (map[string]string, error) {
	if len(body) > MaxBody {
		return nil, fmt.Errorf("the body is larger than %d bytes", MaxBody)
	}
	ct, _, _ := mime.ParseMediaType(contentType)
	if ct == "application/json" || ct == "" && len(body) > 0 && body[0] == '{' {
		return ParseJSON(body)
	}
	return ParseForm(body)
}

// ParseForm reads an application/x-www-form-urlencoded body.
func ParseForm(body []byte) (map[string]string, error) {
	vs, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("the form does not parse: %w", err)
	}
	out := map[string]string{}
	for k, v := range vs {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out, check(out)
}

// ParseJSON reads a JSON object of fields.
func ParseJSON(body []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("the JSON body is not an object of fields: %w", err)
	}
	out := map[string]string{}
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = s
			continue
		}
		t := strings.TrimSpace(string(v))
		if t == "null" {
			continue
		}
		out[k] = t
	}
	return out, check(out)
}

func check(f map[string]string) error {
	for k, v := range f {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return errors.New("a field is not valid UTF-8")
		}
	}
	return nil
}

// Inbound is an SMS a patient sent to the clinic's number.
type Inbound struct {
	// MessageID is ClickSend's id of the inbound message (the dedupe key).
	MessageID string
	From, To  string
	Body      string
	// At is when ClickSend received it (zero when not given).
	At time.Time
	// OriginalMessageID and OriginalBody are the outbound message it
	// replies to, when ClickSend matched one; CustomString is that
	// message's custom_string (our message ID).
	OriginalMessageID, OriginalBody, CustomString string
}

// first is the first non-empty field of names (current names first, the
// older accounts' after).
func first(f map[string]string, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(f[n]); v != "" {
			return v
		}
	}
	return ""
}

func unix(s string) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// ParseInbound reads an inbound SMS from its fields. It needs a sender
// and a body; an inbound without a message_id gets a stable one from its
// content, so a repeat is still recognised.
func ParseInbound(f map[string]string) (Inbound, error) {
	in := Inbound{
		MessageID:         first(f, "message_id", "messageid"),
		From:              first(f, "from", "sms"),
		To:                first(f, "to"),
		Body:              first(f, "body", "message"),
		At:                unix(first(f, "timestamp")),
		OriginalMessageID: first(f, "original_message_id", "originalmessageid"),
		OriginalBody:      first(f, "original_body", "originalmessage"),
		CustomString:      first(f, "custom_string", "customstring"),
	}
	switch {
	case in.From == "":
		return Inbound{}, errors.New("the inbound SMS has no sender (from)")
	case in.Body == "":
		return Inbound{}, errors.New("the inbound SMS has no text (body)")
	case len(in.Body) > 10_000:
		return Inbound{}, errors.New("the inbound SMS text is longer than 10,000 bytes")
	}
	if in.MessageID == "" {
		h := sha256.Sum256([]byte(in.From + "\x00" + in.To + "\x00" + f["timestamp"] + "\x00" + in.Body))
		in.MessageID = "sha256:" + hex.EncodeToString(h[:16])
	}
	return in, nil
}

// Receipt is a delivery report for a message the clinic sent.
type Receipt struct {
	// MessageID is ClickSend's id of our message; CustomString is our
	// Message's ID (sent as custom_string).
	MessageID, CustomString string
	// Delivered or Failed (neither: an intermediate report).
	Delivered, Failed bool
	// Permanent marks a failure a retry cannot fix (a bad number).
	Permanent bool
	// Status, Code and Reason are the provider's words.
	Status, Code, Reason string
	At                   time.Time
}

// EventID is the dedupe key of a receipt: one per message and status.
func (r Receipt) EventID() string {
	id := r.MessageID
	if id == "" {
		id = "custom:" + r.CustomString
	}
	return id + ":" + strings.ToLower(r.Status) + ":" + r.Code
}

// ParseReceipt reads a delivery report. ClickSend's status is "Delivered"
// with status_code 201 on the handset, or a failure ("Failed",
// "Undelivered", "Rejected", "Expired", status codes 300 and up) with an
// error_code and error_text.
func ParseReceipt(f map[string]string) (Receipt, error) {
	r := Receipt{
		MessageID:    first(f, "message_id", "messageid"),
		CustomString: first(f, "custom_string", "customstring"),
		Status:       first(f, "status"),
		Code:         first(f, "status_code", "error_code"),
		At:           unix(first(f, "timestamp", "timestamp_send")),
	}
	if r.MessageID == "" && r.CustomString == "" {
		return Receipt{}, errors.New("the receipt names no message (message_id or custom_string)")
	}
	reason := first(f, "error_text", "status_text")
	if ec := first(f, "error_code"); ec != "" && ec != "0" && !strings.Contains(reason, ec) {
		reason = strings.TrimSpace(reason + " (" + ec + ")")
	}
	if len(reason) > 200 {
		reason = reason[:200]
	}
	r.Reason = reason
	st := strings.ToLower(r.Status)
	code, _ := strconv.Atoi(first(f, "status_code"))
	switch {
	case st == "delivered" || code == 201:
		r.Delivered = true
	case st == "failed" || st == "undelivered" || st == "rejected" || st == "expired" || code >= 300:
		r.Failed = true
		// Expired means the handset was off for the validity period: the
		// number itself may be fine. Anything else about the number is
		// permanent.
		r.Permanent = st != "expired" && !strings.Contains(strings.ToLower(reason), "expired") &&
			!strings.Contains(strings.ToLower(reason), "temporar")
	}
	return r, nil
}

// Payload is what is stored for a ClickSend event: the variant it came by
// and its fields.
type Payload struct {
	Variant string            `json:"variant"`
	Fields  map[string]string `json:"fields"`
}

// ReadPayload reads a stored ClickSend event's payload.
func ReadPayload(s string) (Payload, error) {
	var p Payload
	err := json.Unmarshal([]byte(s), &p)
	return p, err
}
