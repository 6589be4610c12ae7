package manychat_test

import (
	"os"
	"strings"
)

// subscriberJSON is a subscriber as ManyChat's External Request sends it
// (VENDORS.md): mcwire's test example, posted whole by the tests here.
var subscriberJSON = readSubscriber()

func readSubscriber() string {
	b, err := os.ReadFile("mcwire/testdata/subscriber.json")
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(b))
}
