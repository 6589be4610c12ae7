package netguard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/netguard"
)

// Our proxies: a private load-balancer network, an IPv6 proxy range, and a
// mapped spelling of a single proxy (to check trust is canonicalised).
var trustedProxies = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("2001:db8:ffff::/48"),
	netip.MustParsePrefix("::ffff:192.0.2.10/128"),
}

func newReq(remote string, hdr map[string][]string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/ui/contacts", nil)
	r.RemoteAddr = remote
	for k, vs := range hdr {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	return r
}

func xff(v ...string) map[string][]string { return map[string][]string{"X-Forwarded-For": v} }

func TestClientIP(t *testing.T) {
	plain := netguard.NewProxies(trustedProxies)
	cf := netguard.NewProxies(trustedProxies, netguard.TrustCloudflareHeader())
	tests := []struct {
		name    string
		proxies netguard.Proxies
		remote  string
		hdr     map[string][]string
		want    string // "" = invalid
	}{
		// Direct connections.
		{"direct v4 peer", plain, "198.51.100.7:5555", nil, "198.51.100.7"},
		{"direct v6 peer", plain, "[2001:db8:1::9]:443", nil, "2001:db8:1::9"},
		{"bare address", plain, "198.51.100.7", nil, "198.51.100.7"},
		{"mapped peer unmapped", plain, "[::ffff:198.51.100.7]:5555", nil, "198.51.100.7"},
		{"zone stripped", plain, "[fe80::1%eth0]:80", nil, "fe80::1"},
		{"unparseable peer", plain, "@", nil, ""},
		{"empty peer", plain, "", xff("203.0.113.9"), ""},

		// Forged headers from an untrusted peer are ignored.
		{"forged xff ignored", plain, "198.51.100.7:5555", xff("203.0.113.9"), "198.51.100.7"},
		{"forged trusted-looking xff ignored", plain, "198.51.100.7:5555", xff("10.0.0.5"), "198.51.100.7"},
		{"forged cf ignored", cf, "198.51.100.7:5555", map[string][]string{"Cf-Connecting-Ip": {"203.0.113.9"}}, "198.51.100.7"},
		{"no trusted proxies ignores headers", netguard.Proxies{}, "10.0.0.2:80", xff("203.0.113.9"), "10.0.0.2"},

		// Through trusted proxies.
		{"trusted peer, no xff", plain, "10.0.0.2:80", nil, "10.0.0.2"},
		{"trusted peer, empty xff", plain, "10.0.0.2:80", xff("  "), "10.0.0.2"},
		{"one hop", plain, "10.0.0.2:80", xff("203.0.113.9"), "203.0.113.9"},
		{"client-prepended junk ignored", plain, "10.0.0.2:80", xff("1.1.1.1, 203.0.113.9"), "203.0.113.9"},
		{"client-prepended trusted address ignored", plain, "10.0.0.2:80", xff("10.9.9.9, 203.0.113.9, 10.0.0.5"), "203.0.113.9"},
		{"multiple trusted hops", plain, "10.0.0.7:80", xff("203.0.113.9, 10.0.0.5, 10.0.0.6"), "203.0.113.9"},
		{"all hops trusted", plain, "10.0.0.7:80", xff("10.0.0.5, 10.0.0.6"), "10.0.0.5"},
		{"multiple xff headers concatenated", plain, "10.0.0.7:80", xff("1.1.1.1, 203.0.113.9", "10.0.0.5"), "203.0.113.9"},
		{"last xff header is rightmost", plain, "10.0.0.7:80", xff("203.0.113.9", "198.51.100.1"), "198.51.100.1"},
		{"empty middle header line skipped", plain, "10.0.0.7:80", xff("203.0.113.9", "", "10.0.0.5"), "203.0.113.9"},
		{"no spaces", plain, "10.0.0.7:80", xff("1.1.1.1,203.0.113.9,10.0.0.5"), "203.0.113.9"},
		{"tabs", plain, "10.0.0.7:80", xff("1.1.1.1,\t203.0.113.9\t"), "203.0.113.9"},
		{"mapped trusted peer", plain, "[::ffff:10.0.0.2]:80", xff("203.0.113.9"), "203.0.113.9"},
		{"peer trusted via mapped rule", plain, "192.0.2.10:80", xff("203.0.113.9"), "203.0.113.9"},
		{"mapped xff entry", plain, "10.0.0.2:80", xff("::ffff:203.0.113.9"), "203.0.113.9"},
		{"entry with port", plain, "10.0.0.2:80", xff("203.0.113.9:4711"), "203.0.113.9"},
		{"v6 entry with port", plain, "10.0.0.2:80", xff("[2001:db8:1::9]:443"), "2001:db8:1::9"},
		{"bracketed v6 entry", plain, "10.0.0.2:80", xff("[2001:db8:1::9]"), "2001:db8:1::9"},

		// IPv6 proxies and clients.
		{"v6 proxy, v6 client", plain, "[2001:db8:ffff::1]:443", xff("2001:db8:1::9"), "2001:db8:1::9"},
		{"v6 proxy, v4 client", plain, "[2001:db8:ffff::1]:443", xff("203.0.113.9"), "203.0.113.9"},
		{"v6 hops", plain, "[2001:db8:ffff::1]:443", xff("2001:db8:bad::1, 2001:db8:1::9, 2001:db8:ffff::2"), "2001:db8:1::9"},
		{"zoned v6 entry", plain, "10.0.0.2:80", xff("fe80::9%eth0"), "fe80::9"},

		// Garbage stops the walk at the last good hop.
		{"garbage only", plain, "10.0.0.2:80", xff("garbage"), "10.0.0.2"},
		{"unknown keyword", plain, "10.0.0.2:80", xff("unknown"), "10.0.0.2"},
		{"garbage after trusted hop", plain, "10.0.0.2:80", xff("203.0.113.9, garbage, 10.0.0.5"), "10.0.0.5"},
		{"empty entry", plain, "10.0.0.2:80", xff("203.0.113.9,,10.0.0.5"), "10.0.0.5"},
		{"trailing comma", plain, "10.0.0.2:80", xff("203.0.113.9,"), "10.0.0.2"},
		{"garbage left of client irrelevant", plain, "10.0.0.2:80", xff("garbage, 203.0.113.9"), "203.0.113.9"},
		{"cidr is not an address", plain, "10.0.0.2:80", xff("203.0.113.0/24"), "10.0.0.2"},
		{"garbage in later header line", plain, "10.0.0.2:80", xff("203.0.113.9", "%%%"), "10.0.0.2"},

		// CF-Connecting-IP.
		{"cf via trusted proxy", cf, "10.0.0.2:80", map[string][]string{"Cf-Connecting-Ip": {"203.0.113.50"}, "X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.50"},
		{"cf v6", cf, "10.0.0.2:80", map[string][]string{"Cf-Connecting-Ip": {" 2001:db8:1::50 "}}, "2001:db8:1::50"},
		{"cf not enabled", plain, "10.0.0.2:80", map[string][]string{"Cf-Connecting-Ip": {"203.0.113.50"}, "X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},
		{"cf invalid falls back to xff", cf, "10.0.0.2:80", map[string][]string{"Cf-Connecting-Ip": {"garbage"}, "X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},
		{"cf repeated is ambiguous", cf, "10.0.0.2:80", map[string][]string{"Cf-Connecting-Ip": {"203.0.113.50", "203.0.113.51"}, "X-Forwarded-For": {"203.0.113.9"}}, "203.0.113.9"},
		{"cf list is not an address", cf, "10.0.0.2:80", map[string][]string{"Cf-Connecting-Ip": {"203.0.113.50, 203.0.113.51"}}, "10.0.0.2"},

		// X-Real-IP is never read.
		{"x-real-ip ignored", plain, "10.0.0.2:80", map[string][]string{"X-Real-Ip": {"203.0.113.77"}}, "10.0.0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.proxies.ClientIP(newReq(tt.remote, tt.hdr))
			var want netip.Addr
			if tt.want != "" {
				want = netip.MustParseAddr(tt.want)
			}
			// == on netip.Addr also distinguishes 1.2.3.4 from ::ffff:1.2.3.4
			// and from a zoned address, so this checks canonical form too.
			if got != want {
				t.Fatalf("ClientIP = %v, want %v", got, want)
			}
		})
	}
}

func TestProxiesTrusted(t *testing.T) {
	p := netguard.NewProxies(trustedProxies)
	for ip, want := range map[string]bool{
		"10.1.2.3":         true,
		"::ffff:10.1.2.3":  true,
		"192.0.2.10":       true,
		"192.0.2.11":       false,
		"2001:db8:ffff::1": true,
		"2001:db8:fffe::1": false,
		"fe80::1%eth0":     false,
		"203.0.113.9":      false,
	} {
		if got := p.Trusted(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Trusted(%s) = %v, want %v", ip, got, want)
		}
	}
	if p.Trusted(netip.Addr{}) {
		t.Error("invalid address trusted")
	}
	if (netguard.Proxies{}).Trusted(netip.MustParseAddr("10.0.0.1")) {
		t.Error("zero Proxies trusts someone")
	}
}

func TestNewProxiesCopiesInput(t *testing.T) {
	in := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	p := netguard.NewProxies(in)
	in[0] = netip.MustParsePrefix("198.51.100.0/24")
	if got := p.ClientIP(newReq("198.51.100.7:1", xff("203.0.113.9"))); got != netip.MustParseAddr("198.51.100.7") {
		t.Fatalf("mutating the input slice changed trust: got %v", got)
	}
}

func TestProxiesMiddleware(t *testing.T) {
	var got netip.Addr
	var remote string
	h := netguard.NewProxies(trustedProxies).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = netguard.IPFrom(r.Context())
		remote = r.RemoteAddr
	}))
	h.ServeHTTP(httptest.NewRecorder(), newReq("10.0.0.2:80", xff("203.0.113.9")))
	if got != netip.MustParseAddr("203.0.113.9") {
		t.Fatalf("IPFrom = %v, want 203.0.113.9", got)
	}
	if remote != "10.0.0.2:80" {
		t.Fatalf("RemoteAddr rewritten to %q", remote)
	}
}

func TestIPFromAndWithIP(t *testing.T) {
	if a := netguard.IPFrom(context.Background()); a.IsValid() {
		t.Fatalf("IPFrom(empty) = %v, want invalid", a)
	}
	ctx := netguard.WithIP(context.Background(), netip.MustParseAddr("::ffff:203.0.113.9"))
	if a := netguard.IPFrom(ctx); a != netip.MustParseAddr("203.0.113.9") {
		t.Fatalf("IPFrom = %v, want unmapped 203.0.113.9", a)
	}
}
