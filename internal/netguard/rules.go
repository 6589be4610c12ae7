// Package netguard decides which network a request comes from and whether
// that network may reach the CRM.
//
// It has three parts:
//
//   - rules: ParseRule / ParseRules turn what an admin types ("10.0.0.0/8",
//     "2001:db8::1") into canonical netip.Prefix values, with messages the UI
//     can show as they are;
//   - client IP: Proxies.ClientIP finds the client's address, reading
//     forwarding headers only when the TCP peer is a proxy we were told to
//     trust, because anyone can send those headers;
//   - allowlist: Allowlist combines the clinic-wide rules with each
//     location's own rules (cached) and refuses requests from elsewhere,
//     failing closed when the rules cannot be read.
//
// Only the standard library is used (net/netip, net/http, log/slog).
//
// # Address families and IPv4-mapped IPv6
//
// Client addresses are always unmapped (::ffff:203.0.113.9 becomes
// 203.0.113.9) and have their zone removed, so an IPv4 client is matched
// against IPv4 rules whether it arrived over an IPv4 or a dual-stack socket.
// Rules are canonicalised the same way: an IPv4-mapped rule
// ::ffff:a.b.c.d/n with n >= 96 is stored as the IPv4 rule a.b.c.d/(n-96).
// A mapped rule shorter than /96 is refused by ParseRule, because it would
// cover plain IPv6 space as well and could never match an (unmapped) IPv4
// client, so it cannot mean what the admin intended. An IPv6 rule such as
// ::/0 therefore matches every IPv6 client and no IPv4 client; "everyone"
// is written 0.0.0.0/0 plus ::/0 (or, better, no rules at all).
package netguard

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
)

// example is the range shown in error messages so an admin sees the format
// we expect rather than a parser's jargon.
const example = "203.0.113.0/24"

// maxShownInput caps how much of a rejected value is echoed back, so a pasted
// blob does not turn an error message into a wall of text.
const maxShownInput = 64

// RuleError reports a rule that could not be parsed. Input is the offending
// text (trimmed) and Reason a sentence fit for the admin UI; they are kept
// apart so the UI can highlight the value and show the reason next to it.
type RuleError struct {
	Input  string
	Reason string
}

// Error returns `"<input>": <reason>`, or only the reason when the input was
// empty.
func (e *RuleError) Error() string {
	if e.Input == "" {
		return e.Reason
	}
	in := e.Input
	if len(in) > maxShownInput {
		in = in[:maxShownInput] + "…"
	}
	return strconv.Quote(in) + ": " + e.Reason
}

// ParseRule parses one allowlist rule: an IPv4 or IPv6 CIDR range
// ("10.0.0.0/8", "2001:db8::/32") or a single address ("203.0.113.7" is
// 203.0.113.7/32, "2001:db8::1" is 2001:db8::1/128). Surrounding space is
// ignored.
//
// The result is canonical, so equal ranges compare equal and print the same
// way: host bits are cleared ("10.0.0.1/8" becomes 10.0.0.0/8) and
// IPv4-mapped IPv6 rules become IPv4 rules (see the package documentation).
//
// Refused, with a *RuleError: empty input; anything that is not an address or
// range; IPv6 zones ("fe80::1%eth0") because a zone names an interface on one
// machine and means nothing to a server comparing addresses; prefix lengths
// outside 0–32 (IPv4) or 0–128 (IPv6), including signs and leading zeros;
// IPv4-mapped ranges shorter than /96.
func ParseRule(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Prefix{}, &RuleError{Reason: "enter an IP address or CIDR range such as " + example}
	}
	addrPart, bitsPart, hasBits := strings.Cut(s, "/")
	addr, err := netip.ParseAddr(addrPart)
	if err != nil {
		return netip.Prefix{}, &RuleError{Input: s, Reason: "not an IP address or CIDR range such as " + example}
	}
	if z := addr.Zone(); z != "" {
		return netip.Prefix{}, &RuleError{Input: s, Reason: "IPv6 zones such as %" + z + " are not allowed in rules; remove the %… part"}
	}
	maxBits := addr.BitLen()
	bits := maxBits
	if hasBits {
		bits = parseBits(bitsPart, maxBits)
		if bits < 0 {
			fam := "IPv4"
			if addr.Is6() {
				fam = "IPv6"
			}
			return netip.Prefix{}, &RuleError{Input: s, Reason: "the prefix length after \"/\" must be a whole number from 0 to " + strconv.Itoa(maxBits) + " for an " + fam + " range"}
		}
	}
	if addr.Is4In6() {
		if bits < 96 {
			return netip.Prefix{}, &RuleError{Input: s, Reason: "an IPv4-mapped range (::ffff:…) must be /96 or longer; write the IPv4 range instead, such as " + example}
		}
		addr, bits = addr.Unmap(), bits-96
	}
	return netip.PrefixFrom(addr, bits).Masked(), nil
}

// parseBits parses a prefix length in decimal, returning -1 unless it is
// plain digits without a leading zero and at most maxBits. It is stricter
// than strconv.Atoi on purpose: "+8", "08" and " 8" are typos, not ranges.
func parseBits(s string, maxBits int) int {
	if s == "" || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	if n > maxBits {
		return -1
	}
	return n
}

// ParseRules parses a list of rules separated by commas, spaces or newlines,
// as stored in settings or typed into a text area. Exact duplicates are
// dropped (after canonicalisation) and order is kept.
//
// Every bad entry is reported, joined with errors.Join, so the admin can fix
// them all at once; the rules that did parse are returned alongside. A caller
// saving settings must refuse the whole list when err != nil: silently
// dropping a mistyped rule could lock people out or let them in.
func ParseRules(list string) ([]netip.Prefix, error) {
	fields := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	rules := make([]netip.Prefix, 0, len(fields))
	seen := make(map[netip.Prefix]struct{}, len(fields))
	var errs []error
	for _, f := range fields {
		p, err := ParseRule(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := seen[p]; dup {
			continue
		}
		seen[p] = struct{}{}
		rules = append(rules, p)
	}
	return rules, errors.Join(errs...)
}

// canonPrefix brings a prefix that did not come through ParseRule (from the
// database, or built in code) into the same canonical form, so matching does
// not depend on where a rule came from. An invalid prefix is kept as is: it
// matches nothing but still counts as a rule, so a corrupt stored rule makes
// the allowlist stricter, never open.
func canonPrefix(p netip.Prefix) netip.Prefix {
	if !p.IsValid() {
		return p
	}
	a := p.Addr()
	if a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96).Masked()
	}
	return p.Masked()
}

// canonRules returns a canonical copy of rules; the copy also protects the
// allowlist from a caller that later reuses its slice.
func canonRules(rules []netip.Prefix) []netip.Prefix {
	if len(rules) == 0 {
		return nil
	}
	out := make([]netip.Prefix, len(rules))
	for i, p := range rules {
		out[i] = canonPrefix(p)
	}
	return out
}

// cleanAddr is the form every client address is compared in: unmapped and
// without a zone (see the package documentation).
func cleanAddr(a netip.Addr) netip.Addr {
	return a.WithZone("").Unmap()
}

// AllowedBy reports whether ip may pass the rule set rules: true when rules
// is empty (no allowlist configured), otherwise true only when ip is valid
// and falls in at least one rule. Both sides are canonicalised first, so
// ::ffff:10.1.2.3 matches 10.0.0.0/8 and 10.1.2.3 matches a rule built as
// ::ffff:10.0.0.0/104, whatever produced the rules.
func AllowedBy(rules []netip.Prefix, ip netip.Addr) bool {
	if len(rules) == 0 {
		return true
	}
	ip = cleanAddr(ip)
	if !ip.IsValid() {
		return false
	}
	for _, p := range rules {
		if canonPrefix(p).Contains(ip) {
			return true
		}
	}
	return false
}

// matchesAny reports whether the (already clean) ip is in any rule. An
// invalid ip matches nothing, so an unknown client is refused whenever rules
// exist.
func matchesAny(rules []netip.Prefix, ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	for _, p := range rules {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// WouldLockOut reports whether adopting rules would refuse ip: the set is
// non-empty and ip matches none of it. The admin UI calls it with the
// admin's own address (IPFrom) and the proposed effective set (the global
// rules plus the location's rules, as Allowlist.Rules returns them) to ask
// for confirmation before saving a change that would cut the admin off.
func WouldLockOut(rules []netip.Prefix, ip netip.Addr) bool {
	return !AllowedBy(rules, ip)
}
