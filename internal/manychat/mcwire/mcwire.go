// Package mcwire reads the subscriber ManyChat's "External Request"
// posts (and the ManyChat API's shape of one). It is pure functions of
// bytes and imports only the standard library, so its fuzz test builds in
// seconds (docs/DECISIONS.md, "Wire parsers in leaf packages");
// internal/manychat takes the requests and turns subscribers into
// contacts.
package mcwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Subscriber is the part of ManyChat's subscriber the CRM uses.
type Subscriber struct {
	ID        string
	PageID    string
	FirstName string
	LastName  string
	Phone     string
	Email     string
	// SMSConsent and EmailConsent are nil when ManyChat says nothing.
	SMSConsent, EmailConsent *bool
	// LastInteraction is ManyChat's last_interaction (the dedupe key's
	// second half: the same subscriber posted again later is a new event).
	LastInteraction string
	// CustomFields are by name, values as text.
	CustomFields map[string]string
}

type wire struct {
	ID              json.RawMessage `json:"id"`
	PageID          json.RawMessage `json:"page_id"`
	FirstName       string          `json:"first_name"`
	LastName        string          `json:"last_name"`
	Name            string          `json:"name"`
	Phone           string          `json:"phone"`
	Email           string          `json:"email"`
	LastInteraction string          `json:"last_interaction"`
	LastInputText   string          `json:"last_input_text"`
	OptinPhone      *bool           `json:"optin_phone"`
	OptinSMS        *bool           `json:"optin_sms"`
	OptinEmail      *bool           `json:"optin_email"`
	SMSConsent      *bool           `json:"sms_consent"`
	EmailConsent    *bool           `json:"email_consent"`
	CustomFields    json.RawMessage `json:"custom_fields"`
}

// Parse reads a subscriber from the body ManyChat posts. It needs an id
// and a way to reach the person (phone or email) or at least a name.
// custom_fields may be an object of name → value (External Request) or
// ManyChat API's array of {name, value}.
func Parse(body []byte) (Subscriber, error) {
	if !utf8.Valid(body) {
		return Subscriber{}, errors.New("the body is not UTF-8")
	}
	var w wire
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&w); err != nil {
		return Subscriber{}, fmt.Errorf("the body is not a ManyChat subscriber: %w", err)
	}
	s := Subscriber{
		ID: scalar(w.ID), PageID: scalar(w.PageID),
		FirstName: strings.TrimSpace(w.FirstName), LastName: strings.TrimSpace(w.LastName),
		Phone: strings.TrimSpace(w.Phone), Email: strings.TrimSpace(w.Email),
		LastInteraction: strings.TrimSpace(w.LastInteraction),
		SMSConsent:      first(w.SMSConsent, w.OptinSMS, w.OptinPhone), EmailConsent: first(w.EmailConsent, w.OptinEmail),
	}
	if s.FirstName == "" && s.LastName == "" && strings.TrimSpace(w.Name) != "" {
		s.FirstName, s.LastName, _ = strings.Cut(strings.TrimSpace(w.Name), " ")
	}
	if s.ID == "" {
		return Subscriber{}, errors.New("the subscriber has no id")
	}
	if len(s.ID) > 100 || len(s.FirstName) > 100 || len(s.LastName) > 100 || len(s.Phone) > 40 || len(s.Email) > 254 {
		return Subscriber{}, errors.New("a field of the subscriber is too long")
	}
	if s.FirstName == "" && s.Phone == "" && s.Email == "" {
		return Subscriber{}, errors.New("the subscriber has no name, phone or email")
	}
	cf, err := customFields(w.CustomFields)
	if err != nil {
		return Subscriber{}, err
	}
	s.CustomFields = cf
	return s, nil
}

// EventID is the dedupe key: the subscriber and their last interaction.
func (s Subscriber) EventID() string {
	id := s.ID
	if s.LastInteraction != "" {
		id += "@" + s.LastInteraction
	}
	if len(id) > 200 {
		id = id[:200]
	}
	return id
}

func first(bs ...*bool) *bool {
	for _, b := range bs {
		if b != nil {
			return b
		}
	}
	return nil
}

// scalar reads a JSON string or number as text.
func scalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// value reads a custom field's value as text (strings, numbers, booleans;
// null is no value).
func value(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if s := scalar(raw); s != "" {
		return s, true
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return strconv.FormatBool(b), true
	}
	return "", false
}

const maxCustomFields = 200

func customFields(raw json.RawMessage) (map[string]string, error) {
	out := map[string]string{}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return out, nil
	}
	switch raw[0] {
	case '{':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("custom_fields: %w", err)
		}
		for k, v := range m {
			if s, ok := value(v); ok {
				out[k] = s
			}
		}
	case '[':
		var a []struct {
			Name  string          `json:"name"`
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("custom_fields: %w", err)
		}
		for _, f := range a {
			if s, ok := value(f.Value); ok && f.Name != "" {
				out[f.Name] = s
			}
		}
	default:
		return nil, errors.New("custom_fields is neither an object nor a list")
	}
	if len(out) > maxCustomFields {
		return nil, errors.New("too many custom fields")
	}
	return out, nil
}
