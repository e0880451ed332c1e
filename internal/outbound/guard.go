// Package outbound guards a plugin's outgoing HTTP: the host rules
// (fetch_allow, fetch_deny_private) enforced where a plugin cannot get
// around them, and Client, the guarded HTTP client a plugin's VMs share,
// which waits for its requests when closed. fetch uses it; so can any host
// package that makes requests on a plugin's behalf.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The outbound guard enforces fetch_allow and fetch_deny_private where a
// plugin cannot get around them:
//
//   - fetch_allow (host patterns) is checked on every request the transport
//     sends, so on each redirect hop too;
//   - fetch_deny_private is checked on the address actually being connected
//     to (net.Dialer's Control hook), after name resolution, so a name that
//     resolves to a private address, an IPv4-mapped IPv6 literal and numeric
//     host forms (2130706433, 0x7f000001, 0177.1, which are first rewritten
//     to the dotted address as Node's resolver reads them) are all caught,
//     on every hop. Through a proxy (HTTP_PROXY, …) the proxy connects, so
//     the target is checked before the request is handed to it: literal and
//     numeric addresses and localhost names as they are, any other name by
//     resolving it here and refusing it if any of its addresses is not
//     public, or if it does not resolve (a name only the proxy can resolve
//     cannot be checked, so it is refused). The proxy resolves the name
//     again; an operator who needs protection from DNS rebinding behind a
//     proxy makes the proxy refuse private targets too. The configured
//     proxy itself is trusted.

// Guard holds a plugin's outbound rules.
type Guard struct {
	allow       []hostPattern // empty: every host
	denyPrivate bool
}

// hostPattern is one fetch_allow entry: an exact host, or "*.domain" for any
// name under domain (not domain itself); optionally with a port.
type hostPattern struct {
	host   string // exact host, normalised
	suffix string // ".domain" for a wildcard
	port   string // "" for any port
}

// RefusedError is a request the guard refused.
type RefusedError struct {
	Target string // host:port as requested
	Reason string
	Rule   string // "fetch_allow" or "fetch_deny_private"
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("fetch to %s refused: %s (%s)", e.Target, e.Reason, e.Rule)
}

// ValidateAllow checks fetch_allow patterns, so a typo stops the
// pipeline at start-up rather than failing every fetch.
func ValidateAllow(patterns []string) error {
	_, err := parseHostPatterns(patterns)
	return err
}

func NewGuard(allow []string, denyPrivate bool) (*Guard, error) {
	patterns, err := parseHostPatterns(allow)
	if err != nil {
		return nil, err
	}
	return &Guard{allow: patterns, denyPrivate: denyPrivate}, nil
}

func parseHostPatterns(patterns []string) ([]hostPattern, error) {
	out := make([]hostPattern, 0, len(patterns))
	for _, raw := range patterns {
		p := strings.ToLower(strings.TrimSpace(raw))
		if p == "" {
			return nil, errors.New("fetch_allow: empty host pattern")
		}
		if strings.Contains(p, "://") || strings.ContainsAny(p, "/?#@ ") {
			return nil, fmt.Errorf("fetch_allow: %q: give a host name (api.example.com) or *.domain, not a URL", raw)
		}
		host, port := p, ""
		if h, pt, err := net.SplitHostPort(p); err == nil {
			n, err := strconv.Atoi(pt)
			if err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("fetch_allow: %q: invalid port", raw)
			}
			host, port = h, strconv.Itoa(n)
		}
		var hp hostPattern
		hp.port = port
		switch {
		case strings.HasPrefix(host, "*."):
			rest := normalizeHost(host[2:])
			if rest == "" || strings.Contains(rest, "*") {
				return nil, fmt.Errorf("fetch_allow: %q: a wildcard is written *.domain", raw)
			}
			hp.suffix = "." + rest
		case strings.Contains(host, "*"):
			return nil, fmt.Errorf("fetch_allow: %q: only a leading *. wildcard is supported", raw)
		default:
			hp.host = normalizeHost(host)
			if hp.host == "" {
				return nil, fmt.Errorf("fetch_allow: %q: empty host", raw)
			}
		}
		out = append(out, hp)
	}
	return out, nil
}

// normalizeHost lower-cases a URL host name, drops brackets and a trailing
// dot, and writes IP addresses (numeric IPv4 forms included) canonically.
func normalizeHost(host string) string {
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	host = strings.TrimSuffix(host, ".")
	if ip, ok := parseNumericIPv4(host); ok {
		return ip.String()
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.String()
	}
	return host
}

// parseNumericIPv4 reads host as inet_aton does (and so Node's resolver and
// WHATWG URLs): one to four parts, each decimal, 0x-hex or 0-octal, the last
// filling the remaining bytes. 2130706433, 0x7f000001, 0177.0.0.1 and 127.1
// are all 127.0.0.1.
func parseNumericIPv4(host string) (netip.Addr, bool) {
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return netip.Addr{}, false
	}
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, part := range parts {
		n, ok := parseIPv4Part(part)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

func parseIPv4Part(s string) (uint64, bool) {
	base := 10
	switch {
	case s == "":
		return 0, false
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
	case s == "0x" || s == "0X":
		return 0, true
	case len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	}
	n, err := strconv.ParseUint(s, base, 32)
	return n, err == nil
}

// hostPort is u's host and port, the port defaulting from the scheme.
func hostPort(u *url.URL) (string, string) {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return normalizeHost(u.Hostname()), port
}

// checkAllowed applies fetch_allow to a request URL.
func (g *Guard) checkAllowed(u *url.URL) error {
	if len(g.allow) == 0 {
		return nil
	}
	host, port := hostPort(u)
	for _, p := range g.allow {
		if p.port != "" && p.port != port {
			continue
		}
		if p.suffix != "" {
			if len(host) > len(p.suffix) && strings.HasSuffix(host, p.suffix) {
				return nil
			}
			continue
		}
		if host == p.host {
			return nil
		}
	}
	return &RefusedError{Target: net.JoinHostPort(host, port), Reason: "host not in the allow-list", Rule: "fetch_allow"}
}

// checkLiteral applies fetch_deny_private to a URL without resolving it: an
// IP literal (or numeric form) or a localhost name. It guards requests sent
// through a proxy, which resolves names itself.
func (g *Guard) checkLiteral(u *url.URL) error {
	if !g.denyPrivate {
		return nil
	}
	host, port := hostPort(u)
	target := net.JoinHostPort(host, port)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return &RefusedError{Target: target, Reason: host + " is a loopback name", Rule: "fetch_deny_private"}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if kind := classifyAddr(ip); kind != "" {
			return &RefusedError{Target: target, Reason: fmt.Sprintf("%s is a %s address", ip, kind), Rule: "fetch_deny_private"}
		}
	}
	return nil
}

// checkProxied applies fetch_deny_private to a request about to be sent
// through a proxy: checkLiteral, then the addresses a name resolves to.
func (g *Guard) checkProxied(ctx context.Context, resolver *net.Resolver, u *url.URL) error {
	if !g.denyPrivate {
		return nil
	}
	if err := g.checkLiteral(u); err != nil {
		return err
	}
	host, port := hostPort(u)
	if _, err := netip.ParseAddr(host); err == nil {
		return nil // a public literal, checked above
	}
	target := net.JoinHostPort(host, port)
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		reason := "its name does not resolve here, so the address the proxy would reach cannot be checked"
		if err != nil {
			reason += ": " + err.Error()
		}
		return &RefusedError{Target: target, Reason: reason, Rule: "fetch_deny_private"}
	}
	for _, ip := range addrs {
		if kind := classifyAddr(ip); kind != "" {
			return &RefusedError{Target: target, Reason: fmt.Sprintf("%s resolves to %s, a %s address", host, ip.WithZone("").Unmap(), kind), Rule: "fetch_deny_private"}
		}
	}
	return nil
}

// control is net.Dialer's Control hook: it sees the address of each socket
// about to connect, after resolution.
func (g *Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Target: address, Reason: "unrecognised address", Rule: "fetch_deny_private"}
	}
	if kind := classifyAddr(ap.Addr()); kind != "" {
		return &RefusedError{Target: address, Reason: fmt.Sprintf("%s is a %s address", ap.Addr().WithZone(""), kind), Rule: "fetch_deny_private"}
	}
	return nil
}

// dialContext is the transport's dialer: numeric IPv4 host forms are read
// as Node reads them, and unless addr is a configured proxy, every connect
// is checked by control when fetch_deny_private is on.
func (g *Guard) dialContext(resolver *net.Resolver, isProxy func(addr string) bool) func(ctx context.Context, network, addr string) (net.Conn, error) {
	plain := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: resolver}
	checked := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: resolver}
	if g.denyPrivate {
		checked.Control = g.control
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if isProxy(addr) {
			return plain.DialContext(ctx, network, addr)
		}
		target := addr
		if host, port, err := net.SplitHostPort(addr); err == nil {
			if ip, ok := parseNumericIPv4(host); ok {
				addr = net.JoinHostPort(ip.String(), port)
			}
		}
		conn, err := checked.DialContext(ctx, network, addr)
		var refused *RefusedError
		if errors.As(err, &refused) {
			refused.Target = target
		}
		return conn, err
	}
}
