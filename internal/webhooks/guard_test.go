package webhooks

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestRefusesPrivateAddresses: without the setting, the delivery client
// refuses loopback at dial time, also when a name resolves to it, and
// CheckURL refuses private literals when a subscription is saved.
func TestRefusesPrivateAddresses(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	for _, u := range []string{srv.URL, "http://localhost:" + port} {
		_, err := NewHTTPClient(false, 5*time.Second).Get(u)
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("%s: %v, want the address refused", u, err)
		}
	}
	if hit {
		t.Error("the private server was reached")
	}
	if _, err := NewHTTPClient(true, 5*time.Second).Get(srv.URL); err != nil || !hit {
		t.Errorf("allowed: %v (reached %v)", err, hit)
	}
	for _, u := range []string{"http://127.0.0.1/x", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://[fd00::1]/", "http://localhost/", "http://100.64.0.1/", "http://0.0.0.0/", "http://[::ffff:192.168.1.1]/"} {
		if _, err := CheckURL(u, false); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for _, u := range []string{"https://hooks.example.com/x", "http://93.184.216.34/"} {
		if _, err := CheckURL(u, false); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	if _, err := CheckURL("ftp://example.com/", true); err == nil {
		t.Error("ftp accepted")
	}
	for _, a := range []string{"8.8.8.8", "2606:4700::1111"} {
		if !Public(netip.MustParseAddr(a)) {
			t.Errorf("%s is public", a)
		}
	}
}
