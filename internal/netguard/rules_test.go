package netguard_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/internal/netguard"
)

func TestParseRuleValid(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"10.0.0.1/8", "10.0.0.0/8"}, // host bits cleared
		{"  192.168.1.77/24 \n", "192.168.1.0/24"},
		{"203.0.113.7", "203.0.113.7/32"},
		{"203.0.113.7/32", "203.0.113.7/32"},
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"2001:db8::/32", "2001:db8::/32"},
		{"2001:DB8:0:0::1", "2001:db8::1/128"},
		{"2001:db8:1234:5678::1/48", "2001:db8:1234::/48"},
		{"::1", "::1/128"},
		{"::/0", "::/0"},
		// IPv4-mapped addresses and ranges become IPv4.
		{"::ffff:203.0.113.7", "203.0.113.7/32"},
		{"::FFFF:cb00:7107", "203.0.113.7/32"},
		{"::ffff:203.0.113.7/128", "203.0.113.7/32"},
		{"::ffff:10.1.2.3/104", "10.0.0.0/8"},
		{"::ffff:0:0/96", "0.0.0.0/0"},
		// IPv4-compatible (deprecated) is ordinary IPv6, not IPv4.
		{"::1.2.3.4", "::102:304/128"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := netguard.ParseRule(tt.in)
			if err != nil {
				t.Fatalf("ParseRule(%q) error: %v", tt.in, err)
			}
			if want := netip.MustParsePrefix(tt.want); got != want {
				t.Fatalf("ParseRule(%q) = %v, want %v", tt.in, got, want)
			}
			if got != got.Masked() || got.Addr().Is4In6() || got.Addr().Zone() != "" {
				t.Fatalf("ParseRule(%q) = %v is not canonical", tt.in, got)
			}
		})
	}
}

func TestParseRuleInvalid(t *testing.T) {
	tests := []struct {
		in     string
		reason string // substring the UI message must contain
	}{
		{"", "enter an IP address or CIDR range such as 203.0.113.0/24"},
		{" \t\n", "enter an IP address"},
		{"abc", "not an IP address or CIDR range such as 203.0.113.0/24"},
		{"10.0.0", "not an IP address"},
		{"256.0.0.1", "not an IP address"},
		{"010.0.0.1", "not an IP address"},
		{"10.0.0.0-10.0.0.255", "not an IP address"},
		{"1.2.3.4:80", "not an IP address"},
		{"[::1]", "not an IP address"},
		{"http://1.2.3.4/", "not an IP address"},
		{"/8", "not an IP address"},
		{"2001:db8:::1", "not an IP address"},
		{"fe80::1%eth0", "zone"},
		{"fe80::1%eth0/64", "zone"},
		{"10.0.0.0/33", "0 to 32 for an IPv4 range"},
		{"10.0.0.0/-1", "0 to 32"},
		{"10.0.0.0/+8", "0 to 32"},
		{"10.0.0.0/08", "0 to 32"},
		{"10.0.0.0/", "0 to 32"},
		{"10.0.0.0/ 8", "0 to 32"},
		{"10.0.0.0/8/8", "0 to 32"},
		{"10.0.0.0/1000", "0 to 32"},
		{"2001:db8::/129", "0 to 128 for an IPv6 range"},
		{"::ffff:10.0.0.0/80", "IPv4-mapped"},
		{"::ffff:10.0.0.0/95", "IPv4-mapped"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := netguard.ParseRule(tt.in)
			if err == nil {
				t.Fatalf("ParseRule(%q) = %v, want error", tt.in, p)
			}
			var re *netguard.RuleError
			if !errors.As(err, &re) {
				t.Fatalf("ParseRule(%q) error %T is not *RuleError", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("ParseRule(%q) error %q does not contain %q", tt.in, err, tt.reason)
			}
			if in := strings.TrimSpace(tt.in); in != "" && (re.Input != in || !strings.Contains(err.Error(), in)) {
				t.Fatalf("ParseRule(%q) error %q does not name the input", tt.in, err)
			}
			if p.IsValid() {
				t.Fatalf("ParseRule(%q) returned a valid prefix with an error", tt.in)
			}
		})
	}
}

func TestRuleErrorTruncatesLongInput(t *testing.T) {
	_, err := netguard.ParseRule(strings.Repeat("x", 500))
	if err == nil || len(err.Error()) > 200 {
		t.Fatalf("error for long junk = %q, want a short message", err)
	}
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr []string // substrings; nil means no error
	}{
		{"empty", "", nil, nil},
		{"blank", " ,\n, ", nil, nil},
		{
			"mixed separators and dedupe",
			"10.0.0.0/8, 192.168.1.1\n2001:db8::/32  10.0.0.1/8,\r\n::ffff:192.168.1.1",
			[]string{"10.0.0.0/8", "192.168.1.1/32", "2001:db8::/32"},
			nil,
		},
		{
			"all errors reported",
			"10.0.0.0/8, bogus, 1.2.3.4/40\nfe80::1%eth0",
			[]string{"10.0.0.0/8"},
			[]string{`"bogus"`, `"1.2.3.4/40"`, `"fe80::1%eth0"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := netguard.ParseRules(tt.in)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("ParseRules error: %v", err)
			}
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("ParseRules(%q) succeeded, want error", tt.in)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %s", err, s)
					}
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ParseRules(%q) = %v, want %v", tt.in, got, tt.want)
			}
			for i, w := range tt.want {
				if got[i] != netip.MustParsePrefix(w) {
					t.Fatalf("ParseRules(%q)[%d] = %v, want %v", tt.in, i, got[i], w)
				}
			}
		})
	}
}

func TestAllowedByAndWouldLockOut(t *testing.T) {
	rules := []netip.Prefix{
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("2001:db8:abcd::/48"),
	}
	mappedRule := []netip.Prefix{netip.MustParsePrefix("::ffff:10.0.0.0/104")}
	tests := []struct {
		name  string
		rules []netip.Prefix
		ip    string // "" = invalid address
		want  bool
	}{
		{"no rules, anyone", nil, "198.51.100.1", true},
		{"no rules, even unknown", nil, "", true},
		{"inside v4", rules, "203.0.113.200", true},
		{"outside v4", rules, "203.0.114.1", false},
		{"mapped client", rules, "::ffff:203.0.113.5", true},
		{"inside v6", rules, "2001:db8:abcd:12::1", true},
		{"zoned v6 client", rules, "2001:db8:abcd::1%eth0", true},
		{"outside v6", rules, "2001:db8:abce::1", false},
		{"unknown client refused", rules, "", false},
		{"mapped rule matches v4 client", mappedRule, "10.9.8.7", true},
		{"v6 any does not admit v4", []netip.Prefix{netip.MustParsePrefix("::/0")}, "203.0.113.5", false},
		{"invalid rule matches nothing", []netip.Prefix{{}}, "203.0.113.5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ip netip.Addr
			if tt.ip != "" {
				ip = netip.MustParseAddr(tt.ip)
			}
			if got := netguard.AllowedBy(tt.rules, ip); got != tt.want {
				t.Errorf("AllowedBy = %v, want %v", got, tt.want)
			}
			if got := netguard.WouldLockOut(tt.rules, ip); got != !tt.want {
				t.Errorf("WouldLockOut = %v, want %v", got, !tt.want)
			}
		})
	}
}
