// Package formwire reads what the clinic website's lead form posts (a
// urlencoded form or a JSON body) into a checked Submission: a name, a
// phone or email normalised, consents, UTM fields, the honeypot. It is
// pure functions of bytes and imports only the standard library and the
// leaf helpers internal/normalize and internal/textcheck/textrule, so its
// fuzz test builds in seconds (docs/DECISIONS.md, "Wire parsers in leaf
// packages"); internal/leadform takes the requests and stores the
// submissions.
package formwire

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/textcheck/textrule"
)

// Field names the form uses (and the JSON keys).
const (
	FieldFirstName   = "first_name"
	FieldLastName    = "last_name"
	FieldName        = "name"
	FieldEmail       = "email"
	FieldPhone       = "phone"
	FieldMessage     = "message"
	FieldMarketing   = "marketing_consent"
	FieldSMSConsent  = "sms_consent"
	FieldRedirect    = "redirect"
	FieldSubmission  = "submission_id"
	HoneypotField    = "website"
	MaxBody          = 16 << 10
	maxField         = 200
	maxMessage       = 4000
	maxFieldsPerBody = 40
)

// UTMFields are the campaign fields kept on the contact.
var UTMFields = []string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"}

// Submission is one form post, read and checked.
type Submission struct {
	FirstName string            `json:"first_name"`
	LastName  string            `json:"last_name,omitempty"`
	Email     string            `json:"email,omitempty"`
	Phone     string            `json:"phone,omitempty"`
	Message   string            `json:"message,omitempty"`
	Marketing bool              `json:"marketing_consent,omitempty"`
	SMS       bool              `json:"sms_consent,omitempty"`
	UTM       map[string]string `json:"utm,omitempty"`
	// Redirect is where a browser's form post goes back to (only to an
	// allowed origin); not stored.
	Redirect string `json:"-"`
	// SubmissionID, when the page sends one, deduplicates resubmissions.
	SubmissionID string `json:"submission_id,omitempty"`
	// Honeypot is true when the hidden field was filled: a bot.
	Honeypot bool `json:"-"`
}

// FieldError is bad input, naming the field.
type FieldError struct {
	Field, Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func bad(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// JSONType reports whether a Content-Type is JSON.
func JSONType(contentType string) bool {
	ct, _, _ := mime.ParseMediaType(contentType)
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

// Parse reads a body of contentType (a urlencoded form, multipart is not
// accepted, or JSON) into fields; region reads local phone numbers.
func Parse(contentType string, body []byte, region string) (Submission, error) {
	if len(body) > MaxBody {
		return Submission{}, bad("body", "the form is larger than %d bytes", MaxBody)
	}
	ct, _, err := mime.ParseMediaType(contentType)
	if err != nil && contentType != "" {
		return Submission{}, bad("content_type", "unreadable Content-Type")
	}
	var f map[string]string
	looksJSON := strings.HasPrefix(strings.TrimSpace(string(body)), "{")
	switch {
	case JSONType(ct), (ct == "" || ct == "text/plain") && looksJSON:
		f, err = jsonFields(body)
	case ct == "application/x-www-form-urlencoded", ct == "":
		f, err = formFields(body)
	default:
		return Submission{}, bad("content_type", "send application/x-www-form-urlencoded or application/json, not %s", ct)
	}
	if err != nil {
		return Submission{}, err
	}
	return read(f, region)
}

func formFields(body []byte) (map[string]string, error) {
	vs, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, bad("body", "the form does not parse")
	}
	if len(vs) > maxFieldsPerBody {
		return nil, bad("body", "too many fields")
	}
	f := map[string]string{}
	for k, v := range vs {
		if len(v) > 0 {
			f[k] = v[len(v)-1] // a checkbox after its hidden default wins
		}
	}
	return f, nil
}

func jsonFields(body []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, bad("body", "the JSON body is not an object of fields")
	}
	if len(raw) > maxFieldsPerBody {
		return nil, bad("body", "too many fields")
	}
	f := map[string]string{}
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			f[k] = s
			continue
		}
		var b bool
		if err := json.Unmarshal(v, &b); err == nil {
			if b {
				f[k] = "true"
			}
			continue
		}
		var n json.Number
		if err := json.Unmarshal(v, &n); err == nil {
			f[k] = n.String()
			continue
		}
		if strings.TrimSpace(string(v)) == "null" {
			continue
		}
		return nil, bad(k, "must be a string")
	}
	return f, nil
}

// truthy reads a checkbox: on, true, yes, 1.
func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "yes", "1", "y":
		return true
	}
	return false
}

func read(f map[string]string, region string) (Submission, error) {
	// Kept on an error too: a browser is sent back to the form with it.
	redirect := ""
	if r := strings.TrimSpace(f[FieldRedirect]); len(r) <= 2000 && textrule.Problem(r, false) == "" {
		redirect = r
	}
	for k, v := range f {
		if p := textrule.Problem(k, false); p != "" {
			return Submission{Redirect: redirect}, bad("body", "a field name %s", p)
		}
		limit := maxField
		if k == FieldMessage {
			limit = maxMessage
		} else if k == FieldRedirect {
			limit = 2000
		}
		if len(v) > limit {
			return Submission{Redirect: redirect}, bad(k, "is longer than %d characters", limit)
		}
		if p := textrule.Problem(v, k == FieldMessage); p != "" {
			return Submission{Redirect: redirect}, bad(k, "%s", p)
		}
	}
	s := Submission{
		FirstName: normalize.Name(f[FieldFirstName]), LastName: normalize.Name(f[FieldLastName]),
		Message: strings.TrimSpace(f[FieldMessage]), Marketing: truthy(f[FieldMarketing]), SMS: truthy(f[FieldSMSConsent]),
		Redirect: strings.TrimSpace(f[FieldRedirect]), SubmissionID: strings.TrimSpace(f[FieldSubmission]),
		Honeypot: strings.TrimSpace(f[HoneypotField]) != "",
	}
	if s.FirstName == "" {
		// One "name" field: the first word is the first name.
		if first, last, _ := strings.Cut(normalize.Name(f[FieldName]), " "); first != "" {
			s.FirstName, s.LastName = first, last
		}
	}
	if s.Honeypot {
		return s, nil // not checked further: nothing is stored
	}
	if s.FirstName == "" {
		return Submission{Redirect: redirect}, bad(FieldFirstName, "your name is required")
	}
	if len(s.FirstName) > 100 || len(s.LastName) > 100 {
		return Submission{Redirect: redirect}, bad(FieldFirstName, "the name is longer than 100 characters")
	}
	if e := strings.TrimSpace(f[FieldEmail]); e != "" {
		v, err := normalize.Email(e)
		if err != nil {
			return Submission{Redirect: redirect}, bad(FieldEmail, "%s", err.Error())
		}
		s.Email = v
	}
	if p := strings.TrimSpace(f[FieldPhone]); p != "" {
		v, err := normalize.Phone(p, region)
		if err != nil {
			return Submission{Redirect: redirect}, bad(FieldPhone, "%s", err.Error())
		}
		s.Phone = v
	}
	if s.Email == "" && s.Phone == "" {
		return Submission{Redirect: redirect}, bad(FieldPhone, "a phone number or an email address is required")
	}
	for _, k := range UTMFields {
		if v := strings.TrimSpace(f[k]); v != "" {
			if s.UTM == nil {
				s.UTM = map[string]string{}
			}
			s.UTM[k] = v
		}
	}
	if len(s.SubmissionID) > 100 {
		return Submission{Redirect: redirect}, bad(FieldSubmission, "is longer than 100 characters")
	}
	return s, nil
}
