package outbound

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil/dnstest"
)

// TestClientProxiedTargetsAreChecked: behind a proxy, fetch_deny_private
// resolves the target itself and refuses it before the proxy sees the
// request (a proxied metadata.google.internal used to go through).
func TestClientProxiedTargetsAreChecked(t *testing.T) {
	var hits atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, "proxied "+r.URL.Host)
	}))
	t.Cleanup(proxy.Close)
	proxyURL, err := url.Parse(proxy.URL)
	require.NoError(t, err)
	resolver := dnstest.Resolver(t, map[string][]netip.Addr{
		"metadata.google.internal": {netip.MustParseAddr("169.254.169.254")},
		"public.test":              {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("2606:2800:220:1::1")},
		"rebind.test":              {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.0.0.1")},
		"ula.test":                 {netip.MustParseAddr("fd00::1")},
		"bench.test":               {netip.MustParseAddr("198.18.0.5")},
		"nat64.test":               {netip.MustParseAddr("64:ff9b::a9fe:a9fe")},
	})
	newClient := func(deny bool) *http.Client {
		c := New(Options{DenyPrivate: deny, Resolver: resolver, Proxy: func(*http.Request) (*url.URL, error) { return proxyURL, nil }})
		t.Cleanup(c.Close)
		hc, err := c.HTTP()
		require.NoError(t, err)
		return hc
	}
	guarded := newClient(true)

	refused := map[string]string{
		"http://metadata.google.internal/computeMetadata/v1/": "metadata.google.internal resolves to 169.254.169.254, a link-local address",
		"http://METADATA.google.internal./":                   "metadata.google.internal resolves to 169.254.169.254, a link-local address",
		"https://rebind.test/":                                "rebind.test resolves to 10.0.0.1, a private address",
		"http://ula.test/":                                    "ula.test resolves to fd00::1, a unique-local address",
		"http://bench.test/":                                  "bench.test resolves to 198.18.0.5, a benchmarking address",
		"http://nat64.test/":                                  "nat64.test resolves to 64:ff9b::a9fe:a9fe, a link-local address",
		"http://unknown.test/":                                "its name does not resolve here",
		"http://198.51.100.1/":                                "198.51.100.1 is a documentation (TEST-NET-2) address",
		"http://[2002:a00:1::1]/":                             "2002:a00:1::1 is a 6to4 address",
	}
	for target, reason := range refused {
		_, err := guarded.Get(target)
		var re *RefusedError
		if assert.True(t, errors.As(err, &re), "%s: %v", target, err) {
			assert.Equal(t, "fetch_deny_private", re.Rule, target)
			assert.Contains(t, re.Reason, reason, target)
		}
	}
	assert.Zero(t, hits.Load(), "the proxy saw a refused request")

	res, err := guarded.Get("http://public.test/x")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	assert.Equal(t, "proxied public.test", string(body))

	// With the guard off the proxy gets the request.
	res, err = newClient(false).Get("http://metadata.google.internal/")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.EqualValues(t, 2, hits.Load())
}
