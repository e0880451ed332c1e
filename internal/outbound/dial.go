package outbound

import (
	"context"
	"net"
	"net/url"
)

// Dial opens a TCP connection for a client that is not HTTP (a database
// driver) under the same rules as the HTTP client: addr ("host:port") must
// match fetch_allow, and with fetch_deny_private the address connected to
// must be public. The host is resolved by the dialer, after the allow check,
// so the allow-list sees the name the plugin asked for.
func (s *Client) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	guard, err := NewGuard(s.opts.Allow, s.opts.DenyPrivate)
	if err != nil {
		return nil, err
	}
	if err := guard.checkAllowed(&url.URL{Scheme: "tcp", Host: addr}); err != nil {
		return nil, err
	}
	return guard.dialContext(s.opts.Resolver, func(string) bool { return false })(ctx, network, addr)
}
