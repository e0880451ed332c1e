// Package redistest runs a real redis-server for tests: on a free loopback
// port, with its files in a test's temporary directory, stopped when the test
// ends.
//
// When redis-server is missing the test is skipped with an install hint, or
// fails when the CI environment variable is set, so that CI cannot go green
// without the Redis half of the contract tests.
package redistest

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Binary is where Debian's redis-server package installs the server; PATH is
// searched when it is not there.
const Binary = "/usr/bin/redis-server"

const installHint = "redis-server not found: install it with `apt-get install -y redis-server` (Debian/Ubuntu)"

const startTimeout = 10 * time.Second

type config struct {
	appendOnly bool
	password   string
	tls        bool
	args       []string
}

// Option configures Start.
type Option func(*config)

// WithAppendOnly turns on AOF persistence with an fsync per write, so data
// written before Stop (a kill) is there after Restart.
func WithAppendOnly() Option {
	return func(c *config) { c.appendOnly = true }
}

// WithPassword makes the server require password; URL includes it.
func WithPassword(password string) Option {
	return func(c *config) { c.password = password }
}

// WithTLS makes the server speak TLS only, with a self-signed certificate for
// 127.0.0.1; URL then starts with rediss:// (clients must skip verification,
// e.g. with go-redis' "?skip_verify=true").
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithArgs passes extra command-line configuration, such as
// "--maxmemory-policy", "allkeys-lru".
func WithArgs(args ...string) Option {
	return func(c *config) { c.args = append(c.args, args...) }
}

// Server is a redis-server process owned by a test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	conf config

	mu     sync.Mutex
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start runs redis-server and waits until it answers. The server is killed
// when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	bin, err := findBinary()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(installHint)
		}
		t.Skip(installHint)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	for _, o := range opts {
		o(&s.conf)
	}
	if s.conf.tls {
		if err := writeCert(s.dir); err != nil {
			t.Fatalf("redistest: %v", err)
		}
	}
	t.Cleanup(s.Stop)

	// Another process may take the free port before the server binds it.
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		s.port = port
		err = s.start()
		if err == nil {
			return s
		}
		if attempt == 3 || !strings.Contains(err.Error(), "in use") {
			t.Fatalf("redistest: %v", err)
		}
	}
}

// Addr is the server's host:port.
func (s *Server) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// URL is a redis:// (rediss:// WithTLS) URL for the server, with the
// password if there is one.
func (s *Server) URL() string {
	u := url.URL{Scheme: "redis", Host: s.Addr()}
	if s.conf.tls {
		u.Scheme = "rediss"
	}
	if s.conf.password != "" {
		u.User = url.UserPassword("", s.conf.password)
	}
	return u.String()
}

// Dir is the server's working directory (AOF and log files).
func (s *Server) Dir() string { return s.dir }

// Stop kills the server (SIGKILL: no shutdown save) and waits for it to exit.
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd, s.exited = nil, nil
}

// Restart stops the server if it runs and starts it again on the same port
// with the same directory, so clients can reconnect and AOF data is reloaded.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.t.Fatalf("redistest: restart: %v", err)
	}
}

//------------------------------------------------------------------------------

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	logFile := filepath.Join(s.dir, "redis.log")
	args := []string{"--bind", "127.0.0.1"}
	if s.conf.tls {
		args = append(args,
			"--port", "0",
			"--tls-port", strconv.Itoa(s.port),
			"--tls-cert-file", filepath.Join(s.dir, certFile),
			"--tls-key-file", filepath.Join(s.dir, keyFile),
			"--tls-ca-cert-file", filepath.Join(s.dir, certFile),
			"--tls-auth-clients", "no",
		)
	} else {
		args = append(args, "--port", strconv.Itoa(s.port))
	}
	args = append(args,
		"--dir", s.dir,
		"--logfile", logFile,
		"--daemonize", "no",
		"--save", "",
	)
	if s.conf.appendOnly {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	if s.conf.password != "" {
		args = append(args, "--requirepass", s.conf.password)
	}
	args = append(args, s.conf.args...)

	logStart := fileSize(logFile)
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("failed to start %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited during start-up: %s", logTail(logFile, logStart))
		default:
		}
		if ready(s.Addr(), s.conf.tls) {
			s.cmd, s.exited = cmd, exited
			return nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("redis-server did not answer on %s within %s: %s", s.Addr(), startTimeout, logTail(logFile, logStart))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ready reports whether the server at addr answers PING with anything but a
// LOADING error (a password-protected server answers -NOAUTH, which will do).
func ready(addr string, useTLS bool) bool {
	dialer := &net.Dialer{Timeout: 200 * time.Millisecond}
	var conn net.Conn
	var err error
	if useTLS {
		conn, err = tls.DialWithDialer(dialer, "tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // a test server's self-signed certificate
	} else {
		conn, err = dialer.Dial("tcp", addr)
	}
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return false
	}
	return strings.HasPrefix(line, "+") || (strings.HasPrefix(line, "-") && !strings.HasPrefix(line, "-LOADING"))
}

func findBinary() (string, error) {
	if fi, err := os.Stat(Binary); err == nil && !fi.IsDir() {
		return Binary, nil
	}
	return exec.LookPath("redis-server")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("failed to find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// logTail is what the server logged since offset, trimmed to its last lines.
func logTail(path string, offset int64) string {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "(no log)"
	}
	if err != nil {
		return err.Error()
	}
	if offset < int64(len(b)) {
		b = b[offset:]
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return strings.Join(lines, "\n")
}
