// Package pgtest runs a real PostgreSQL server for tests: Debian's
// postgresql binaries, a cluster made by initdb in a temporary directory,
// listening on a free loopback port with TLS on (a self-signed
// certificate) and a password, stopped when the test ends. PostgreSQL will
// not run as root, so under root the server runs as the postgres user (or
// nobody) with its directory handed over to that user.
//
// When the binaries are missing the test is skipped with an install hint,
// or fails when the CI environment variable is set.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

const installHint = "PostgreSQL not found: install it with `apt-get install -y postgresql` (Debian/Ubuntu)"

const startTimeout = 30 * time.Second

// Password is the password of the postgres user.
const Password = "hogpipe-test"

// Server is a postgres process owned by a test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	cred *syscall.Credential

	mu     sync.Mutex
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start makes a cluster and runs postgres until it accepts connections.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := findBinaries()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(installHint)
		}
		t.Skip(installHint)
	}
	s := &Server{t: t, bin: bin}
	if os.Geteuid() == 0 {
		s.cred, err = serverUser()
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	// Not t.TempDir: its parent is private to root, and the server user
	// must reach the cluster's directory.
	s.dir, err = os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(s.dir) })
	if err := s.initCluster(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	s.port, err = freePort()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(s.Stop)
	s.start()
	return s
}

// URL is a connection string for the postgres user and database, with
// sslmode=require and no verification of the self-signed certificate.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=require", Password, s.Port())
}

// Port is the port the server listens on (the same across Restart).
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// Exec runs sql on a fresh connection and returns the text rows of its
// last statement, failing the test on an error.
func (s *Server) Exec(sql string) [][]string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, s.URL())
	if err != nil {
		s.t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(context.Background())
	results, err := conn.Exec(ctx, sql).ReadAll()
	if err != nil {
		s.t.Fatalf("pgtest: %s: %v", sql, err)
	}
	var rows [][]string
	if len(results) > 0 {
		for _, r := range results[len(results)-1].Rows {
			row := make([]string, len(r))
			for i, c := range r {
				row[i] = string(c)
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// Stop shuts the server down (a fast shutdown) and waits for it to exit.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(startTimeout):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// Restart starts a stopped server again on the same port.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start()
}

func (s *Server) start() {
	s.t.Helper()
	data := filepath.Join(s.dir, "data")
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(s.port), "-k", s.dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "ssl=on", "-c", "ssl_cert_file="+filepath.Join(s.dir, certFile), "-c", "ssl_key_file="+filepath.Join(s.dir, keyFile),
		"-c", "fsync=off", "-c", "full_page_writes=off")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	logFile, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatalf("pgtest: %v", err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		s.t.Fatalf("pgtest: start postgres: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgconn.Connect(ctx, s.URL())
		cancel()
		if err == nil {
			_ = conn.Close(context.Background())
			return
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			s.t.Fatalf("pgtest: postgres exited: %v\n%s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			s.t.Fatalf("pgtest: postgres did not accept connections within %v: %v\n%s", startTimeout, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// initCluster runs initdb with a password for TCP clients and writes the
// certificate, all owned by the server's user.
func (s *Server) initCluster() error {
	pwFile := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pwFile, []byte(Password+"\n"), 0o600); err != nil {
		return err
	}
	if err := writeCert(s.dir); err != nil {
		return err
	}
	if s.cred != nil {
		err := filepath.Walk(s.dir, func(path string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(path, int(s.cred.Uid), int(s.cred.Gid))
		})
		if err != nil {
			return fmt.Errorf("hand the cluster directory to the server user: %w", err)
		}
	}
	cmd := exec.Command(filepath.Join(s.bin, "initdb"), "-D", filepath.Join(s.dir, "data"), "-U", "postgres",
		"--pwfile", pwFile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	cmd.Dir = s.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

// findBinaries is the bin directory of the newest PostgreSQL Debian
// installed, or the one holding initdb on PATH.
func findBinaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New(installHint)
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// serverUser is the user a root test runs postgres as.
func serverUser() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root and no postgres or nobody user to run the server as")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
