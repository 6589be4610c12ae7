package netguard_test

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/netguard"
)

func FuzzParseRule(f *testing.F) {
	for _, s := range []string{
		"", " ", "10.0.0.0/8", "10.0.0.1/8", "203.0.113.7", " 203.0.113.7\n",
		"2001:db8::/32", "2001:db8::1", "::", "::/0", "0.0.0.0/0",
		"::ffff:203.0.113.7", "::ffff:10.0.0.0/104", "::ffff:0:0/96", "::ffff:1.2.3.4/95",
		"::1.2.3.4", "fe80::1%eth0", "fe80::1%eth0/64", "10.0.0.0/33", "2001:db8::/129",
		"10.0.0.0/08", "10.0.0.0/+8", "10.0.0.0/", "/8", "1.2.3.4:80", "[::1]", "1.2.3.4/32/1",
		"::ffff:1.2.3.4%x/100", "\x00", "1.2.3.4/\u0661",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := netguard.ParseRule(s)
		if err != nil {
			var re *netguard.RuleError
			if !errors.As(err, &re) || err.Error() == "" {
				t.Fatalf("ParseRule(%q) error %v is not a usable *RuleError", s, err)
			}
			if p.IsValid() {
				t.Fatalf("ParseRule(%q) returned %v with an error", s, p)
			}
		} else {
			if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() || p.Addr().Zone() != "" {
				t.Fatalf("ParseRule(%q) = %v is not valid and canonical", s, p)
			}
			back, err := netguard.ParseRule(p.String())
			if err != nil || back != p {
				t.Fatalf("ParseRule(%q) = %v, but reparsing %q gives %v, %v", s, p, p.String(), back, err)
			}
		}
		// Differential check against net/netip: whatever it accepts as an
		// ordinary (unmapped, zone-free) prefix or address, we accept with
		// the same meaning.
		trimmed := strings.TrimSpace(s)
		if np, nerr := netip.ParsePrefix(trimmed); nerr == nil && !np.Addr().Is4In6() {
			if err != nil || p != np.Masked() {
				t.Fatalf("ParseRule(%q) = %v, %v; netip says %v", s, p, err, np.Masked())
			}
		}
		if na, nerr := netip.ParseAddr(trimmed); nerr == nil && na.Zone() == "" {
			want := netip.PrefixFrom(na.Unmap(), na.Unmap().BitLen())
			if err != nil || p != want {
				t.Fatalf("ParseRule(%q) = %v, %v; want %v", s, p, err, want)
			}
		}
	})
}

// candidates parses every address-looking token of a header value the way
// a reader of the headers would, independently of the implementation's walk.
func candidates(set map[netip.Addr]bool, s string) {
	for _, tok := range strings.Split(s, ",") {
		addOne(set, tok)
	}
}

// addOne adds s to set if it reads as an address, alone, bracketed or with
// a port.
func addOne(set map[netip.Addr]bool, s string) {
	s = strings.Trim(s, " \t")
	var a netip.Addr
	if x, err := netip.ParseAddr(s); err == nil {
		a = x
	} else if x, err := netip.ParseAddrPort(s); err == nil {
		a = x.Addr()
	} else if x, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		a = x
	} else {
		return
	}
	set[a.WithZone("").Unmap()] = true
}

func FuzzClientIP(f *testing.F) {
	type seed struct{ remote, xff1, xff2, cf string }
	for _, s := range []seed{
		{"198.51.100.7:5555", "", "", ""},
		{"198.51.100.7:5555", "203.0.113.9", "", "203.0.113.50"},
		{"10.0.0.2:80", "1.1.1.1, 203.0.113.9", "10.0.0.5", ""},
		{"10.0.0.2:80", "203.0.113.9, garbage, 10.0.0.5", "", ""},
		{"10.0.0.2:80", "", "", "203.0.113.50"},
		{"10.0.0.2:80", "10.0.0.5, 10.0.0.6", "", "garbage"},
		{"[2001:db8:ffff::1]:443", "2001:db8:1::9, 2001:db8:ffff::2", "", ""},
		{"[::ffff:10.0.0.2]:80", "::ffff:203.0.113.9", "", ""},
		{"[fe80::1%eth0]:80", "fe80::9%eth1", "", ""},
		{"10.0.0.2:80", "203.0.113.9:4711, [2001:db8::9]:443", "[2001:db8::8]", ""},
		{"10.0.0.2:80", ",,,", " ", "\x00"},
		{"@", "203.0.113.9", "", ""},
		{"", "", "", ""},
		{"10.0.0.2", "203.0.113.9", "", ""},
	} {
		f.Add(s.remote, s.xff1, s.xff2, s.cf)
	}
	trusted := netguard.NewProxies([]netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("2001:db8:ffff::/48"),
		netip.MustParsePrefix("fe80::/10"),
	}, netguard.TrustCloudflareHeader())
	none := netguard.Proxies{}

	f.Fuzz(func(t *testing.T, remote, xff1, xff2, cf string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{
			"X-Forwarded-For":  {xff1, xff2},
			"Cf-Connecting-Ip": {cf},
		}}
		bare := &http.Request{RemoteAddr: remote, Header: http.Header{}}
		peer := none.ClientIP(bare)

		// With no trusted proxies the headers never matter.
		if got := none.ClientIP(r); got != peer {
			t.Fatalf("untrusting ClientIP = %v, want peer %v", got, peer)
		}
		// The peer is read from RemoteAddr and nothing else.
		peerSet := map[netip.Addr]bool{}
		addOne(peerSet, remote) // whole: a zone may contain a comma
		if peer.IsValid() && !peerSet[peer] {
			t.Fatalf("peer %v does not come from RemoteAddr %q", peer, remote)
		}

		got := trusted.ClientIP(r)
		if !got.IsValid() {
			if peer.IsValid() {
				t.Fatalf("ClientIP invalid although the peer %v is valid", peer)
			}
			return
		}
		if got.Is4In6() || got.Zone() != "" {
			t.Fatalf("ClientIP = %v is not canonical", got)
		}
		if got == peer {
			return
		}
		// Anything other than the peer needs a trusted peer and must be an
		// address written in the headers.
		if !trusted.Trusted(peer) {
			t.Fatalf("ClientIP = %v from headers although peer %v is untrusted", got, peer)
		}
		inHeaders := map[netip.Addr]bool{}
		candidates(inHeaders, xff1)
		candidates(inHeaders, xff2)
		candidates(inHeaders, cf)
		if !inHeaders[got] {
			t.Fatalf("ClientIP = %v appears neither as peer %v nor in headers %q %q %q", got, peer, xff1, xff2, cf)
		}
	})
}
