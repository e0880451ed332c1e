package pluginhost

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil/dnstest"
)

func TestGuardDenyPrivateLoopback(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", denyPrivate, nil)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	cases := map[string]string{
		srv.URL:                                "127.0.0.1:" + port,
		"http://localhost:" + port:             "localhost:" + port,
		"http://2130706433:" + port:            "2130706433:" + port,
		"http://0x7f000001:" + port:            "0x7f000001:" + port,
		"http://0177.0.0.1:" + port:            "0177.0.0.1:" + port,
		"http://127.1:" + port:                 "127.1:" + port,
		"http://[::ffff:127.0.0.1]:" + port:    "[::ffff:7f00:1]:" + port,
		"http://[::1]:" + port:                 "[::1]:" + port,
		"http://0.0.0.0:" + port:               "0.0.0.0:" + port,
		"http://169.254.169.254:" + port:       "169.254.169.254:" + port,
		"http://127.0.0.1.nip.io.localhost:80": "",
	}
	for target, dialled := range cases {
		res := fp.mustRun(t, "guarded", map[string]any{"url": target})
		assert.Equal(t, "FetchError", res["name"], target)
		assert.Equal(t, "system", res["type"], target)
		msg, _ := res["message"].(string)
		if dialled == "" {
			// A name that resolves nowhere: refused or not found, never sent.
			assert.Contains(t, msg, "request to ", target)
			continue
		}
		assert.Equal(t, "ERR_FETCH_REFUSED", res["code"], target)
		assert.Contains(t, msg, "fetch to ", target)
		assert.Contains(t, msg, "(fetch_deny_private)", target)
	}
	assert.Zero(t, srv.hits.Load(), "no refused request reached the server")

	res := fp.mustRun(t, "guarded", map[string]any{"url": srv.URL})
	assert.Equal(t, "request to "+srv.URL+"/echo failed, reason: fetch to 127.0.0.1:"+port+" refused: 127.0.0.1 is a loopback address (fetch_deny_private)", res["message"])
	res = fp.mustRun(t, "guarded", map[string]any{"url": "http://localhost:" + port})
	assert.Equal(t, "request to http://localhost:"+port+"/echo failed, reason: fetch to localhost:"+port+" refused: 127.0.0.1 is a loopback address (fetch_deny_private)", res["message"])
}

// Numeric host forms are read as Node reads them: with the guard off they
// reach the loopback server.
func TestGuardNumericHostsReachServerWhenAllowed(t *testing.T) {
	srv := ftNewServer(t)
	fp := ftStart(t, "esm", nil, nil)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	for _, host := range []string{"2130706433", "0x7f000001", "0177.0.0.1", "127.1"} {
		res := fp.mustRun(t, "guarded", map[string]any{"url": "http://" + host + ":" + port})
		assert.Equal(t, true, res["resolved"], host)
		assert.Equal(t, 200.0, res["status"], host)
	}
}

// A redirect from an allowed host to a private address is refused when the
// private address is dialled. The first hop goes through a proxy (the only
// way to reach a "public" host in a loopback-only test); the proxy itself is
// trusted.
func TestGuardRedirectToPrivate(t *testing.T) {
	secret := ftNewServer(t)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != "public.test" {
			http.Error(w, "unexpected proxy request "+r.URL.String(), http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, secret.URL+"/echo", http.StatusFound)
	}))
	t.Cleanup(proxy.Close)
	proxyURL, err := url.Parse(proxy.URL)
	require.NoError(t, err)
	resolver := dnstest.Resolver(t, map[string][]netip.Addr{"public.test": {netip.MustParseAddr("93.184.216.34")}})
	viaProxy := func(p *Plugin) {
		ftFetchResolving(p, func(req *http.Request) (*url.URL, error) {
			if req.URL.Hostname() == "public.test" {
				return proxyURL, nil
			}
			return nil, nil
		}, resolver)
	}

	fp := ftStart(t, "esm", denyPrivate, viaProxy)
	res := fp.mustRun(t, "guarded", map[string]any{"url": "http://public.test", "path": "/start"})
	port := secret.URL[strings.LastIndex(secret.URL, ":")+1:]
	assert.Equal(t, "ERR_FETCH_REFUSED", res["code"])
	assert.Equal(t, "request to "+secret.URL+"/echo failed, reason: fetch to 127.0.0.1:"+port+" refused: 127.0.0.1 is a loopback address (fetch_deny_private)", res["message"])
	assert.Zero(t, secret.hits.Load())

	// Without the guard the same redirect is followed.
	open := ftStart(t, "esm", nil, viaProxy)
	res = open.mustRun(t, "guarded", map[string]any{"url": "http://public.test", "path": "/start"})
	assert.Equal(t, true, res["resolved"])
	assert.EqualValues(t, 1, secret.hits.Load())
}

// Through a proxy, private targets are refused before the proxy sees them:
// literal addresses, and names resolving to private addresses.
func TestGuardProxiedTargets(t *testing.T) {
	var hits atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("proxied"))
	}))
	t.Cleanup(proxy.Close)
	proxyURL, err := url.Parse(proxy.URL)
	require.NoError(t, err)
	resolver := dnstest.Resolver(t, map[string][]netip.Addr{
		"public.test":              {netip.MustParseAddr("93.184.216.34")},
		"metadata.google.internal": {netip.MustParseAddr("169.254.169.254")},
	})
	fp := ftStart(t, "esm", denyPrivate, func(p *Plugin) {
		ftFetchResolving(p, func(*http.Request) (*url.URL, error) { return proxyURL, nil }, resolver)
	})
	for _, target := range []string{"http://10.0.0.1", "http://2130706433", "http://localhost:8080", "http://[fd00::1]",
		"http://metadata.google.internal", "http://198.18.0.1", "http://[2001::1]", "http://unresolvable.test"} {
		res := fp.mustRun(t, "guarded", map[string]any{"url": target})
		assert.Equal(t, "ERR_FETCH_REFUSED", res["code"], target)
		assert.Contains(t, res["message"], "(fetch_deny_private)", target)
	}
	assert.Zero(t, hits.Load(), "a refused request reached the proxy")
	res := fp.mustRun(t, "guarded", map[string]any{"url": "http://metadata.google.internal"})
	assert.Contains(t, res["message"], "metadata.google.internal resolves to 169.254.169.254, a link-local address")
	res = fp.mustRun(t, "guarded", map[string]any{"url": "http://public.test"})
	assert.Equal(t, true, res["resolved"], "a public name goes through the (trusted, loopback) proxy")
}

func TestGuardAllowList(t *testing.T) {
	srv := ftNewServer(t)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]

	miss := ftStart(t, "esm", func(o *Options) { o.FetchAllow = []string{"api.example.com", "*.example.com"} }, nil)
	res := miss.mustRun(t, "guarded", map[string]any{"url": srv.URL})
	assert.Equal(t, "ERR_FETCH_REFUSED", res["code"])
	assert.Equal(t, "request to "+srv.URL+"/echo failed, reason: fetch to 127.0.0.1:"+port+" refused: host not in the allow-list (fetch_allow)", res["message"])
	assert.Zero(t, srv.hits.Load())

	hit := ftStart(t, "esm", func(o *Options) { o.FetchAllow = []string{"127.0.0.1"} }, nil)
	res = hit.mustRun(t, "guarded", map[string]any{"url": srv.URL})
	assert.Equal(t, true, res["resolved"])

	// Each redirect hop is checked: 127.0.0.1 is allowed, localhost is not.
	target := url.QueryEscape("http://localhost:" + port + "/echo")
	res = hit.mustRun(t, "guarded", map[string]any{"url": srv.URL, "path": "/redirect-to?url=" + target})
	assert.Equal(t, "ERR_FETCH_REFUSED", res["code"])
	assert.Equal(t, "request to http://localhost:"+port+"/echo failed, reason: fetch to localhost:"+port+" refused: host not in the allow-list (fetch_allow)", res["message"])
}

func TestGuardInvalidAllowListFailsFetch(t *testing.T) {
	fp := ftStart(t, "esm", func(o *Options) { o.FetchAllow = []string{"https://api.example.com"} }, nil)
	res := fp.mustRun(t, "guarded", map[string]any{"url": "http://public.test"})
	assert.Contains(t, res["message"], "fetch_allow")
}

func denyPrivate(o *Options) { o.FetchDenyPrivate = true }
