package netguard

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies knows which peers are our own reverse proxies or load balancers,
// and so whose forwarding headers may be believed. The zero value trusts
// nobody: ClientIP is then always the TCP peer, which is the only safe
// default, because any client can send X-Forwarded-For.
//
// Loopback and private ranges are not trusted implicitly; list them if a
// local proxy (nginx, Caddy, a sidecar) sits in front of the server.
//
// A Proxies is immutable after NewProxies and safe for concurrent use.
type Proxies struct {
	trusted    []netip.Prefix
	cloudflare bool
}

// ProxyOption adjusts NewProxies.
type ProxyOption func(*Proxies)

// TrustCloudflareHeader makes ClientIP honour CF-Connecting-IP (when the
// peer is trusted) before X-Forwarded-For.
//
// It is opt-in, not the default, because the header is only as honest as the
// path it travelled: Cloudflare overwrites it, but a plain load balancer
// passes a client's forged CF-Connecting-IP straight through. Enabled for a
// deployment that is not actually behind Cloudflare (or whose origin can be
// reached without going through Cloudflare), it would let anyone pick their
// own address and walk through the allowlist. Enable it only when the origin
// accepts connections solely from Cloudflare (firewall or Authenticated
// Origin Pulls). Without it, a Cloudflare deployment still works if
// Cloudflare's published ranges are listed as trusted proxies: Cloudflare
// appends the client to X-Forwarded-For and the rightmost-untrusted walk
// finds it.
func TrustCloudflareHeader() ProxyOption {
	return func(p *Proxies) { p.cloudflare = true }
}

// NewProxies returns a Proxies trusting the given ranges (typically the
// output of ParseRules on the trusted-proxies setting). The slice is copied
// and canonicalised, so IPv4-mapped ranges match IPv4 peers.
func NewProxies(trusted []netip.Prefix, opts ...ProxyOption) Proxies {
	p := Proxies{trusted: canonRules(trusted)}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// Trusted reports whether ip is one of our proxies. Invalid addresses are
// never trusted.
func (p Proxies) Trusted(ip netip.Addr) bool {
	return len(p.trusted) > 0 && matchesAny(p.trusted, cleanAddr(ip))
}

// ClientIP returns the address of the client behind r, unmapped and without
// a zone; it is invalid (IsValid false) only when r.RemoteAddr cannot be
// parsed, and the allowlist refuses invalid addresses whenever rules exist.
//
// Headers are read only when the TCP peer (r.RemoteAddr) is a trusted proxy;
// from anyone else they are ignored entirely, since forging them is free.
// Behind a trusted peer:
//
//  1. CF-Connecting-IP, if TrustCloudflareHeader was given and the header
//     holds exactly one valid address;
//  2. otherwise X-Forwarded-For, all header lines concatenated in order and
//     walked from the right. Each proxy appends the peer it saw, so the
//     right end was written by our own proxies and everything left of the
//     first untrusted hop was written by the client, who can prepend
//     anything. The first hop that is not a trusted proxy is the client.
//     If every hop is trusted the leftmost one is returned (the request
//     started inside our proxy network). A malformed entry stops the walk
//     and the last good hop is returned: our proxies never write garbage,
//     so we do not guess past it.
//
// Entries may carry a port ("198.51.100.4:5123", "[2001:db8::1]:443"), as
// some load balancers write them. X-Real-IP and Forwarded (RFC 7239) are
// ignored: X-Real-IP is a single value with no chain to verify and is passed
// through unchanged by proxies that do not set it, and one well-defined
// source is easier to reason about than several that can disagree.
func (p Proxies) ClientIP(r *http.Request) netip.Addr {
	peer := peerAddr(r.RemoteAddr)
	if !p.Trusted(peer) {
		return peer
	}
	if p.cloudflare {
		if v := r.Header["Cf-Connecting-Ip"]; len(v) == 1 {
			if a, ok := parseHop(v[0]); ok {
				return a
			}
		}
	}
	hop := peer
	// Direct map access with the canonical key (net/http canonicalises
	// incoming header names) saves re-canonicalising on every request.
	lines := r.Header["X-Forwarded-For"]
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		if trimOWS(line) == "" {
			continue // an empty header line carries no hops
		}
		// Walk the entries of this line from the right without splitting,
		// so the common case allocates nothing.
		for {
			j := strings.LastIndexByte(line, ',')
			a, ok := parseHop(line[j+1:])
			if !ok {
				return hop
			}
			if !p.Trusted(a) {
				return a
			}
			hop = a
			if j < 0 {
				break
			}
			line = line[:j]
		}
	}
	return hop
}

// peerAddr parses r.RemoteAddr, which net/http sets to "ip:port" but which
// tests and other servers sometimes set to a bare address.
func peerAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return cleanAddr(ap.Addr())
	}
	if a, ok := parseHop(s); ok {
		return a
	}
	return netip.Addr{}
}

// parseHop parses one forwarding entry: an address, optionally bracketed
// (IPv6) or with a port, with optional surrounding space.
func parseHop(s string) (netip.Addr, bool) {
	s = trimOWS(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return cleanAddr(a), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return cleanAddr(ap.Addr()), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return cleanAddr(a), true
		}
	}
	return netip.Addr{}, false
}

// Middleware stores ClientIP(r) in the request context (see IPFrom) for the
// allowlist, rate limiting and audit. It deliberately leaves r.RemoteAddr
// alone: rewriting it (as chi's RealIP does) would hide the real peer from
// anything that checks it later.
func (p Proxies) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithIP(r.Context(), p.ClientIP(r))))
	})
}

type ipKey struct{}

// WithIP returns ctx carrying addr as the client address, canonicalised like
// ClientIP's result. Tests and non-HTTP entry points use it to supply the
// address the middleware would have found.
func WithIP(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, ipKey{}, cleanAddr(addr))
}

// IPFrom returns the client address stored by Proxies.Middleware or WithIP,
// or the invalid zero Addr when there is none.
func IPFrom(ctx context.Context) netip.Addr {
	a, _ := ipFrom(ctx)
	return a
}

// ipFrom also reports whether an address was stored, so the allowlist can
// tell "no client-IP middleware" from "client address unknown".
func ipFrom(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(ipKey{}).(netip.Addr)
	return a, ok
}

// trimOWS removes HTTP optional whitespace (spaces and tabs) around s.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
