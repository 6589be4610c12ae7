package wix_test

import (
	"encoding/json"
	"os"
	"testing"
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

// fixture reads a Wix booking event from wixwire's test data (the wire
// format's examples live with its parser).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("wixwire/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
