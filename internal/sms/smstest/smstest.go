// Package smstest sends ClickSend webhooks to a running server in tests
// (the inbox's browser test, end-to-end tests): an inbound SMS as
// ClickSend's inbound rule posts it (form, the default webhook type).
package smstest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Inbound posts an SMS from phone (E.164) with text body to baseURL's
// inbound webhook with the location's token (the last path segment of
// smsSettings.inboundURL); messageID is ClickSend's id (the same id again
// is a duplicate). It fails the test unless the server answers 200. The
// message is processed by a job afterwards: poll for its effect.
func Inbound(tb testing.TB, baseURL, token, phone, body, messageID string) {
	tb.Helper()
	f := url.Values{
		"timestamp": {strconv.FormatInt(time.Now().Unix(), 10)},
		"from":      {phone}, "to": {"+61480000000"}, "body": {body},
		"message_id": {messageID}, "original_body": {""}, "original_message_id": {""},
		"custom_string": {""}, "user_id": {"12345"}, "subaccount_id": {"67890"},
	}
	res, err := http.Post(strings.TrimRight(baseURL, "/")+"/hooks/clicksend/inbound/"+token,
		"application/x-www-form-urlencoded", strings.NewReader(f.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("inbound webhook: status %d", res.StatusCode)
	}
}

// Token is the token of an inbound or receipt URL from smsSettings.
func Token(webhookURL string) string {
	return webhookURL[strings.LastIndex(webhookURL, "/")+1:]
}
