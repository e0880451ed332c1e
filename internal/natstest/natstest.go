// Package natstest runs real nats-server instances for tests, in-process (the
// nats-server module is the server itself): JetStream on, files in the test's
// temporary directory, loopback ports, stopped when the test ends. Only tests
// import it.
package natstest

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startTimeout is generous: servers start slowly on a busy machine under -race.
const startTimeout = 60 * time.Second

// Option configures Start and StartCluster.
type Option func(*server.Options)

// WithUser makes the server require user and password.
func WithUser(user, password string) Option {
	return func(o *server.Options) { o.Username, o.Password = user, password }
}

// WithToken makes the server require token.
func WithToken(token string) Option {
	return func(o *server.Options) { o.Authorization = token }
}

// Server is one nats-server owned by a test.
type Server struct {
	t    testing.TB
	opts server.Options

	mu  sync.Mutex
	srv *server.Server
}

// Start runs a single JetStream server and waits until it takes clients.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := New(t, opts...)
	s.Restart()
	return s
}

// New prepares a single JetStream server with its port and directory but
// does not start it (Restart does), for tests of clients that come up first.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return newServer(t, "n0", opts)
}

// StartCluster runs n JetStream servers routed to each other on loopback and
// waits until they have elected a meta leader, so streams with n replicas
// can be created.
func StartCluster(t testing.TB, n int, opts ...Option) []*Server {
	t.Helper()
	routePorts := make([]int, n)
	for i := range routePorts {
		routePorts[i] = freePort(t)
	}
	routes := make([]*url.URL, n)
	for i, p := range routePorts {
		routes[i] = &url.URL{Scheme: "nats-route", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(p))}
	}
	servers := make([]*Server, n)
	for i := range servers {
		s := newServer(t, "n"+strconv.Itoa(i), opts)
		s.opts.Cluster = server.ClusterOpts{Name: "hogpipe-test", Host: "127.0.0.1", Port: routePorts[i]}
		s.opts.Routes = routes
		servers[i] = s
	}
	// The servers wait for each other's routes, so they start together.
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.start()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("natstest: %v", err)
		}
	}
	deadline := time.Now().Add(startTimeout)
	for !clusterReady(servers) {
		if time.Now().After(deadline) {
			t.Fatalf("natstest: the JetStream cluster elected no meta leader within %s", startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return servers
}

func newServer(t testing.TB, name string, opts []Option) *Server {
	s := &Server{t: t, opts: server.Options{
		ServerName: name,
		Host:       "127.0.0.1",
		Port:       freePort(t),
		JetStream:  true,
		StoreDir:   filepath.Join(t.TempDir(), "jetstream"),
		NoLog:      true,
		NoSigs:     true,
	}}
	for _, o := range opts {
		o(&s.opts)
	}
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's client URL (without credentials).
func (s *Server) URL() string {
	return "nats://" + net.JoinHostPort(s.opts.Host, strconv.Itoa(s.opts.Port))
}

// Name is the server's name in its cluster.
func (s *Server) Name() string { return s.opts.ServerName }

// Stop shuts the server down and waits for it; stopping a stopped server
// does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return
	}
	s.srv.Shutdown()
	s.srv.WaitForShutdown()
	s.srv = nil
}

// Restart stops the server if it runs and starts it again on the same ports
// with the same JetStream directory, so its streams and consumers are kept.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.t.Fatalf("natstest: %v", err)
	}
}

// JetStreamReady reports whether the server's JetStream is up and, in a
// cluster, caught up with the meta leader.
func (s *Server) JetStreamReady() bool {
	srv := s.current()
	return srv != nil && srv.JetStreamEnabled() && srv.JetStreamIsCurrent()
}

func (s *Server) current() *server.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	opts := s.opts // the server keeps and changes its options
	srv, err := server.NewServer(&opts)
	if err != nil {
		return fmt.Errorf("failed to configure nats-server %s: %w", s.opts.ServerName, err)
	}
	srv.Start()
	if !srv.ReadyForConnections(startTimeout) {
		srv.Shutdown()
		return fmt.Errorf("nats-server %s did not take clients on %s within %s", s.opts.ServerName, s.URL(), startTimeout)
	}
	s.srv = srv
	return nil
}

func clusterReady(servers []*Server) bool {
	leader := false
	for _, s := range servers {
		srv := s.current()
		if srv == nil || !srv.JetStreamEnabled() || !srv.JetStreamIsCurrent() {
			return false
		}
		leader = leader || srv.JetStreamIsLeader()
	}
	return leader
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("natstest: failed to find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
