package webhooks

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenAddress is a dial refused because the address is private,
// loopback, link-local or otherwise not on the public internet.
var ErrForbiddenAddress = errors.New("webhooks: the address is not public (private, loopback or link-local)")

// cgnat is the carrier-grade NAT range (RFC 6598), private in practice.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Public reports whether ip is an address outbound webhooks may reach:
// not loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with
// the cloud metadata services, fe80::/10), unspecified, multicast or
// carrier-grade NAT. IPv4-mapped IPv6 addresses are judged as IPv4.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsLoopback(), ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast(), ip.IsMulticast(), ip.IsUnspecified(), cgnat.Contains(ip):
		return false
	case ip.Is4() && ip.As4()[0] == 0: // 0.0.0.0/8
		return false
	}
	return true
}

// control refuses, at dial time, connections to addresses that are not
// public: it sees the address DNS resolved to, so a public name pointing
// at 127.0.0.1 (or rebinding to it after a check) is refused too.
func control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !Public(ip) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, host)
	}
	return nil
}

// NewHTTPClient is the client deliveries are posted with: a timeout per
// attempt, no proxy (a proxy would dial for us, past the check), no
// redirects (a 3xx is a failed attempt), and unless allowPrivate the
// dial-time address check.
func NewHTTPClient(allowPrivate bool, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = control
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// CheckURL reads an endpoint URL: http or https with a host, no user
// information; unless allowPrivate, a literal IP address must be public
// (names are checked when dialled).
func CheckURL(raw string, allowPrivate bool) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	switch {
	case err != nil || raw == "":
		return nil, errors.New("not a URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("the URL must start with https:// (or http://)")
	case u.Host == "" || u.Hostname() == "":
		return nil, errors.New("the URL has no host")
	case u.User != nil:
		return nil, errors.New("put credentials in your endpoint's check of the signature, not in the URL")
	case len(raw) > 2000:
		return nil, errors.New("the URL is longer than 2,000 characters")
	}
	if !allowPrivate {
		h := u.Hostname()
		if ip, err := netip.ParseAddr(h); err == nil && !Public(ip) {
			return nil, errors.New("the address is private, loopback or link-local: outbound webhooks go to public addresses only")
		}
		if strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
			return nil, errors.New("localhost is not a public address")
		}
	}
	return u, nil
}
