package netguard_test

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/netguard"
)

// BenchmarkClientIPAndAllowlist measures the per-request cost of the two
// middlewares' work: finding the client behind two trusted hops (with a
// client-prepended spoof) and checking it against a warm location cache
// whose rules admit it only at the location level (so the global rules are
// scanned, then the cached location rules).
func BenchmarkClientIPAndAllowlist(b *testing.B) {
	proxies := netguard.NewProxies(prefixes("10.0.0.0/8", "172.16.0.0/12", "2001:db8:ffff::/48"))
	global := prefixes("203.0.113.0/24", "192.0.2.0/24", "2001:db8:abcd::/48", "100.64.0.0/10")
	loc := prefixes("198.51.100.0/28", "198.51.100.16/28", "198.51.100.32/28", "2001:db8:5ed::/48",
		"198.18.0.0/15", "198.51.100.128/25", "169.254.0.0/16", "100.100.0.0/16")
	allow := netguard.NewAllowlist(global, func(context.Context, string) ([]netip.Prefix, error) {
		return loc, nil
	}, time.Minute)

	r := httptest.NewRequest("GET", "/ui/contacts", nil)
	r.RemoteAddr = "10.0.0.2:41234"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.200, 10.1.2.3")
	ctx := context.Background()
	want := netip.MustParseAddr("198.51.100.200")

	if ok, err := allow.Allowed(ctx, "loc_sydney", proxies.ClientIP(r)); !ok || err != nil {
		b.Fatalf("warm-up: %v %v", ok, err) // also warms the cache
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ip := proxies.ClientIP(r)
			ok, err := allow.Allowed(ctx, "loc_sydney", ip)
			if !ok || err != nil || ip != want {
				b.Fatal("refused")
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				ok, err := allow.Allowed(ctx, "loc_sydney", proxies.ClientIP(r))
				if !ok || err != nil {
					b.Fatal("refused")
				}
			}
		})
	})
}
