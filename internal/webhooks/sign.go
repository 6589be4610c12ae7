// Package webhooks delivers the CRM's events to integrators' endpoints
// following the Standard Webhooks specification
// (https://www.standardwebhooks.com): each message carries webhook-id,
// webhook-timestamp and webhook-signature headers, the signature being
// "v1," and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" under the
// subscription's secret ("whsec_" + base64 of the key bytes).
//
// A domain event (internal/events) becomes one WebhookDelivery per
// matching subscription in the transaction that marks the event
// dispatched (Fanout, called by internal/automation), each with a River
// job that posts it, retried on the Retry schedule. A subscription that
// keeps failing is disabled and staff are told (Alerter). Outbound calls
// refuse private, loopback and link-local addresses, checked on the
// resolved address at dial time (guard.go), unless allowed by a setting.
package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// SecretPrefix starts every secret.
const SecretPrefix = "whsec_"

// NewSecret returns a fresh secret: whsec_ and base64 of 32 random bytes.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// SecretKey decodes a secret's key bytes.
func SecretKey(secret string) ([]byte, error) {
	s, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, errors.New("webhooks: a secret starts with whsec_")
	}
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(k) < 16 {
		return nil, errors.New("webhooks: the secret is not base64 of at least 16 bytes")
	}
	return k, nil
}

// Signature is the webhook-signature header for body: one "v1,<base64>"
// per secret, separated by spaces (several during a rotation's grace
// period, so receivers holding either secret accept it).
func Signature(secrets []string, id string, ts int64, body []byte) (string, error) {
	parts := make([]string, 0, len(secrets))
	for _, s := range secrets {
		k, err := SecretKey(s)
		if err != nil {
			return "", err
		}
		m := hmac.New(sha256.New, k)
		m.Write([]byte(id))
		m.Write([]byte{'.'})
		m.Write([]byte(strconv.FormatInt(ts, 10)))
		m.Write([]byte{'.'})
		m.Write(body)
		parts = append(parts, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(parts, " "), nil
}
