package scaleout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// hogpipeBinary builds cmd/hogpipe once per test process.
func hogpipeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hogpipe-scaleout-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "hogpipe")
		cmd := exec.Command("go", "build", "-o", binPath, "../../cmd/hogpipe")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	require.NoError(t, buildErr, "go build ./cmd/hogpipe: %s", buildOut)
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// replica is one hogpipe process running a config, with its output in a
// file that is logged when the test fails.
type replica struct {
	t    *testing.T
	name string
	conf string
	env  []string
	log  string
	runs int

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
}

func startReplica(t *testing.T, name, config string, env ...string) *replica {
	t.Helper()
	dir := t.TempDir()
	r := &replica{t: t, name: name, conf: filepath.Join(dir, "config.yaml"), env: env, log: filepath.Join(dir, "log")}
	require.NoError(t, os.WriteFile(r.conf, []byte(config), 0o644))
	t.Cleanup(func() {
		r.stop(syscall.SIGTERM)
		if t.Failed() {
			out, _ := os.ReadFile(r.log)
			t.Logf("%s log:\n%s", r.name, tail(out, 40))
		}
	})
	r.start()
	return r
}

func (r *replica) start() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	logFile, err := os.OpenFile(r.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(r.t, err)
	r.runs++
	fmt.Fprintf(logFile, "--- run %d\n", r.runs)
	cmd := exec.Command(hogpipeBinary(r.t), "-c", r.conf)
	cmd.Dir = "../.." // plugin paths are relative to the repository root
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(r.t, cmd.Start())
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(exited)
	}()
	r.cmd, r.exited = cmd, exited
}

// kill ends the process with SIGKILL: no shutdown, no last acks.
func (r *replica) kill() { r.stop(syscall.SIGKILL) }

func (r *replica) stop(sig syscall.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(sig)
	select {
	case <-r.exited:
	case <-time.After(15 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
	r.cmd, r.exited = nil, nil
}

func tail(b []byte, lines int) []byte {
	parts := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return bytes.Join(parts, []byte("\n"))
}

//------------------------------------------------------------------------------

// event is the test's input event; seq orders the events of one key.
func event(i, keys int) []byte {
	b, _ := json.Marshal(map[string]any{
		"uuid":        fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
		"event":       "scaleout",
		"distinct_id": fmt.Sprintf("user-%d", i%keys),
		"team_id":     1,
		"properties":  map[string]any{"seq": i},
	})
	return b
}

// outEvent is what the plugin chain made of an event.
type outEvent struct {
	UUID       string `json:"uuid"`
	Properties struct {
		Seq     int    `json:"seq"`
		N       int64  `json:"n"`
		Hello   string `json:"hello"`
		Bar     string `json:"bar"`
		Replica string `json:"replica"`
	} `json:"properties"`
}

// tally counts what reached the output.
type tally struct {
	seen    map[string]int
	ns      map[int64]string
	replica map[string]int // outputs per replica
	total   int
}

func newTally() *tally {
	return &tally{seen: map[string]int{}, ns: map[int64]string{}, replica: map[string]int{}}
}

// add records one output message; it fails the test when the plugin chain
// did not run on it or when two outputs share a shared-counter value (the
// replicas did not share state).
func (c *tally) add(t *testing.T, body []byte) {
	t.Helper()
	var ev outEvent
	require.NoError(t, json.Unmarshal(body, &ev), "%s", body)
	require.Equal(t, "world", ev.Properties.Hello, "hello-world ran: %s", body)
	require.Equal(t, "shared", ev.Properties.Bar, "%s", body)
	require.NotZero(t, ev.Properties.N, "state-counter ran: %s", body)
	if other, dup := c.ns[ev.Properties.N]; dup {
		t.Fatalf("the shared counter gave %d to %s and %s: the replicas do not share state", ev.Properties.N, other, ev.UUID)
	}
	c.ns[ev.Properties.N] = ev.UUID
	c.seen[ev.UUID]++
	c.replica[ev.Properties.Replica]++
	c.total++
}

func (c *tally) duplicates() int { return c.total - len(c.seen) }

// missing lists the events of 0..n-1 that never reached the output.
func (c *tally) missing(n int) []int {
	var out []int
	for i := range n {
		if c.seen[fmt.Sprintf("00000000-0000-4000-8000-%012d", i)] == 0 {
			out = append(out, i)
		}
	}
	return out
}

const pluginChain = `
pipeline:
  processors:
    - posthog_plugin:
        path: ./testdata/plugins/state-counter
        redis_url: ${STATE_REDIS}
    - posthog_plugin:
        path: ./testdata/plugins/hello-world
        config:
          bar: shared
        redis_url: ${STATE_REDIS}
    - mapping: |
        root = this
        root.properties.replica = env("REPLICA")
`
