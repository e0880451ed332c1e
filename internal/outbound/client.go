package outbound

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Options configure a Client.
type Options struct {
	// Allow limits requests to these host patterns ("api.example.com",
	// "*.example.com", optionally with a port); empty allows every host.
	Allow []string
	// DenyPrivate refuses the addresses of the IANA special-purpose
	// registries that are not globally reachable (loopback, private,
	// link-local, CGNAT, documentation, benchmarking, 6to4, Teredo, …) and
	// multicast, checked on the address connected to, or before a request
	// goes to a proxy.
	DenyPrivate bool
	// CheckRedirect is the http.Client's redirect policy.
	CheckRedirect func(req *http.Request, via []*http.Request) error

	// Proxy and Resolver replace http.ProxyFromEnvironment and the default
	// resolver (tests).
	Proxy    func(*http.Request) (*url.URL, error)
	Resolver *net.Resolver
}

// Client is a plugin instance's guarded HTTP client, shared by its VMs and
// built on first use. Close waits for the requests still running (all
// cancelled once the VMs have gone) and closes idle connections, so no
// goroutine outlives the plugin.
type Client struct {
	once      sync.Once
	client    *http.Client
	transport *http.Transport
	err       error

	opts Options

	proxyAddrs sync.Map // host:port of proxies requests went through

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
}

// New returns a Client for opts; nothing is built before the first use.
func New(opts Options) *Client { return &Client{opts: opts} }

// HTTP returns the guarded http.Client, building it on first use; an
// invalid Allow list fails here.
func (s *Client) HTTP() (*http.Client, error) {
	s.once.Do(func() {
		guard, err := NewGuard(s.opts.Allow, s.opts.DenyPrivate)
		if err != nil {
			s.err = err
			return
		}
		proxy := s.opts.Proxy
		if proxy == nil {
			proxy = http.ProxyFromEnvironment
		}
		isProxy := func(addr string) bool {
			_, ok := s.proxyAddrs.Load(addr)
			return ok
		}
		s.transport = &http.Transport{
			Proxy: func(req *http.Request) (*url.URL, error) {
				u, err := proxy(req)
				if err != nil || u == nil {
					return u, err
				}
				host, port := hostPort(u)
				s.proxyAddrs.Store(net.JoinHostPort(u.Hostname(), port), true)
				s.proxyAddrs.Store(net.JoinHostPort(host, port), true)
				if err := guard.checkProxied(req.Context(), s.opts.Resolver, req.URL); err != nil {
					return nil, err
				}
				return u, nil
			},
			DialContext:           guard.dialContext(s.opts.Resolver, isProxy),
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
			DisableCompression:    true,
		}
		s.client = &http.Client{
			Transport:     &guardedTransport{base: s.transport, guard: guard},
			CheckRedirect: s.opts.CheckRedirect,
		}
	})
	if s.client == nil && s.err == nil {
		return nil, errors.New("fetch is unavailable: the plugin is closed")
	}
	return s.client, s.err
}

// Begin counts a request in; it reports false once the client is closed.
func (s *Client) Begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

// End counts a request out.
func (s *Client) End() { s.inflight.Done() }

// Close refuses new requests, waits (boundedly) for running ones and closes
// idle connections.
func (s *Client) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	// Wait for a first fetch building the client, or keep one from being
	// built: either way s.transport is then safe to read.
	s.once.Do(func() {})
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	if s.transport != nil {
		s.transport.CloseIdleConnections()
	}
}

// guardedTransport applies the Allow list to every request sent, redirects
// included.
type guardedTransport struct {
	base  *http.Transport
	guard *Guard
}

func (t *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.guard.checkAllowed(req.URL); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(req)
}
