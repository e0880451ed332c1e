package pluginhost

// The differential check: every fixture under testdata/plugins that has an
// events.jsonl is run through hogpipe, and the result must equal, line for
// line and byte for byte, its expected.jsonl, which nodeharness/harness.js
// recorded by running the same plugin in plain Node.js the way the original
// plugin server did (scripts/record-expected.sh). A second test re-runs the
// harness and fails when the recorded files are stale.
//
// Line format (see nodeharness/harness.js): the resulting event, or
// {"dropped":true}, or {"error":"<String(thrown)>","event":<last state>},
// each followed by {"captured":<event>} lines. Only the random uuid of
// captured events is normalised; "now" and defaulted timestamps come from a
// fixed clock on both sides, and hogpipe runs without $plugins_succeeded.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/jsjson"
	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

const (
	fixturesDir     = "../testdata/plugins"
	harnessDir      = "../nodeharness"
	differentialNow = "2024-01-01T00:00:00.000Z"
	// recordEnv set to 1 makes TestNodeHarnessExpectedUpToDate write the
	// harness's output to expected.jsonl instead of comparing.
	recordEnv = "HOGPIPE_RECORD_EXPECTED"
)

// fixtureSpec is a fixture's optional fixture.json.
type fixtureSpec struct {
	// Plugin is the plugin's folder relative to the fixture, when the
	// fixture only holds the inputs for a plugin kept elsewhere.
	Plugin        string            `json:"plugin"`
	Config        map[string]any    `json:"config"`
	Attachments   map[string]string `json:"attachments"`   // key → file, relative to the fixture
	GeoIPDatabase string            `json:"geoipDatabase"` // relative to the plugin folder
	// Package names a published npm package (name@version) that is the
	// plugin, fetched with npm pack; Integrity is its pinned sha512.
	Package   string `json:"package"`
	Integrity string `json:"integrity"`
}

type differentialFixture struct {
	name, dir string
	spec      fixtureSpec
}

func differentialFixtures(t *testing.T) []differentialFixture {
	t.Helper()
	var out []differentialFixture
	for _, pattern := range []string{"*/events.jsonl", "differential-existing/*/events.jsonl"} {
		matches, err := filepath.Glob(filepath.Join(fixturesDir, filepath.FromSlash(pattern)))
		require.NoError(t, err)
		for _, m := range matches {
			dir := filepath.Dir(m)
			name := filepath.ToSlash(strings.TrimPrefix(dir, fixturesDir+string(filepath.Separator)))
			out = append(out, differentialFixture{name: name, dir: dir, spec: readFixtureSpec(t, dir)})
		}
	}
	require.NotEmpty(t, out, "no fixture has an events.jsonl")
	return out
}

func readFixtureSpec(t *testing.T, dir string) fixtureSpec {
	t.Helper()
	var spec fixtureSpec
	data, err := os.ReadFile(filepath.Join(dir, "fixture.json"))
	if errors.Is(err, os.ErrNotExist) {
		return spec
	}
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &spec), "%s/fixture.json", dir)
	return spec
}

// inCI reports whether a missing tool must fail the test rather than skip it.
func inCI() bool { return os.Getenv("CI") != "" }

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// requireFixtureModules checks that a fixture with a package-lock.json has
// its node_modules installed (scripts/test.sh runs npm ci in each).
func requireFixtureModules(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
		return
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil {
		return
	}
	abs, _ := filepath.Abs(dir)
	skipOrFail(t, "%s has no node_modules; install them with: (cd %s && npm ci)", filepath.Base(dir), abs)
}

// startEchoServer answers the fetch fixtures: it echoes the request as JSON
// (only headers the plugin sets, not the HTTP client's own), and answers 404
// to ?event=missing.
func startEchoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Query().Get("event") == "missing" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "no such thing\n")
			return
		}
		var parsed any = string(body)
		if len(body) > 0 && json.Valid(body) {
			parsed = json.RawMessage(body)
		}
		echo := struct {
			Method        string `json:"method"`
			Path          string `json:"path"`
			Query         string `json:"query"`
			Authorization string `json:"authorization"`
			ContentType   string `json:"content_type"`
			Body          any    `json:"body"`
		}{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), parsed}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", "hogpipe")
		_ = json.NewEncoder(w).Encode(echo)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func substituteVars(s string, vars map[string]string) string {
	for name, value := range vars {
		s = strings.ReplaceAll(s, "${"+name+"}", value)
	}
	return s
}

func readJSONLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var lines [][]byte
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			lines = append(lines, line)
		}
	}
	return lines
}

// runHogpipeFixture runs the fixture's events through hogpipe (one VM, one
// event at a time, as the harness does) and formats the results as the
// harness does. pluginPath is what Options.Path gets: the fixture folder or
// a tarball; empty means the fixture's plugin folder.
func runHogpipeFixture(t *testing.T, f differentialFixture, pluginPath string, vars map[string]string) []string {
	t.Helper()
	if pluginPath == "" {
		pluginPath = filepath.Join(f.dir, f.spec.Plugin)
	}
	config := map[string]any{}
	for key, value := range f.spec.Config {
		if s, ok := value.(string); ok {
			value = substituteVars(s, vars)
		}
		config[key] = value
	}
	attachments := map[string]string{}
	for key, file := range f.spec.Attachments {
		attachments[key] = filepath.Join(f.dir, file)
	}
	var geoip string
	if f.spec.GeoIPDatabase != "" {
		dir, err := ResolveSource(pluginPath)
		require.NoError(t, err)
		geoip = filepath.Join(dir, f.spec.GeoIPDatabase)
	}
	now, err := time.Parse(time.RFC3339, differentialNow)
	require.NoError(t, err)

	mem := state.NewMemory()
	t.Cleanup(func() { _ = mem.Close() })
	p, err := Load(Options{
		Path: pluginPath, Config: config, Attachments: attachments, GeoIPDatabase: geoip,
		Logger: &testutil.Logger{T: t}, VMs: 1, EventConcurrency: 1,
		Cache: mem.Cache(), Storage: mem.Storage(), PluginConfigID: 1,
		Now: func() time.Time { return now },
	})
	require.NoError(t, err)
	pool, err := p.Start(t.Context())
	require.NoError(t, err)
	defer func() {
		require.NoError(t, pool.Close(context.Background()))
		require.NoError(t, p.Close())
	}()

	results, err := pool.ProcessEvents(t.Context(), readJSONLines(t, filepath.Join(f.dir, "events.jsonl")))
	require.NoError(t, err)
	var lines []string
	for _, r := range results {
		switch {
		case r.Dropped:
			lines = append(lines, `{"dropped":true}`)
		case r.Err != nil:
			msg := r.Err.Error()
			var pe *PluginError
			if errors.As(r.Err, &pe) {
				msg = pe.Message
			}
			lines = append(lines, `{"error":`+string(jsjson.AppendString(nil, msg))+`,"event":`+string(r.Event)+`}`)
		default:
			lines = append(lines, string(r.Event))
		}
		for _, c := range r.Captured {
			lines = append(lines, `{"captured":`+normaliseCapturedUUID(string(c))+`}`)
		}
	}
	return lines
}

var capturedUUID = regexp.MustCompile(`"uuid":"[0-9a-fA-F-]{36}"`)

// normaliseCapturedUUID replaces the random top-level uuid of a captured
// event (the last "uuid" member: it follows properties) by "<uuid>".
func normaliseCapturedUUID(event string) string {
	locs := capturedUUID.FindAllStringIndex(event, -1)
	if len(locs) == 0 {
		return event
	}
	last := locs[len(locs)-1]
	return event[:last[0]] + `"uuid":"<uuid>"` + event[last[1]:]
}

// assertSameLines fails with the first lines that differ, and the byte
// where they part.
func assertSameLines(t *testing.T, want [][]byte, got []string, source, gotName string) {
	t.Helper()
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g string
		if i < len(want) {
			w = string(want[i])
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			continue
		}
		at := 0
		for at < min(len(w), len(g)) && w[at] == g[at] {
			at++
		}
		t.Errorf("line %d differs from %s at byte %d\nwant (%s): %s\ngot (%s): %s", i+1, source, at, source, w, gotName, g)
	}
	if len(want) != len(got) {
		t.Errorf("%s has %d lines, %s gave %d", source, len(want), gotName, len(got))
	}
}

func TestDifferentialAgainstNode(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := startEchoServer(t)
	vars := map[string]string{"SERVER_URL": srv.URL}
	for _, f := range differentialFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			if f.spec.Package != "" {
				t.Skip("a published npm package: TestGeoIPPluginFromNPM runs it")
			}
			requireFixtureModules(t, f.dir)
			expected := filepath.Join(f.dir, "expected.jsonl")
			want := readJSONLines(t, expected)
			got := runHogpipeFixture(t, f, "", vars)
			assertSameLines(t, want, got, expected, "hogpipe")
		})
	}
}

//------------------------------------------------------------------------------
// The Node harness

var harnessInstall sync.Once

// nodeHarness returns the node binary, with the harness's pinned packages
// installed (npm ci, once) when they are missing.
func nodeHarness(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, "node is not installed: the differential check needs Node.js 20 (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(harnessDir, "node_modules", ".package-lock.json")); err != nil {
		var out []byte
		harnessInstall.Do(func() {
			cmd := exec.CommandContext(t.Context(), "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
			cmd.Dir = harnessDir
			out, err = cmd.CombinedOutput()
		})
		if err != nil {
			abs, _ := filepath.Abs(harnessDir)
			skipOrFail(t, "the Node harness's packages are missing and npm ci failed: %v\n%s\ninstall them with: (cd %s && npm ci)", err, out, abs)
		}
	}
	return node
}

// runNodeHarness runs nodeharness/harness.js on a fixture and returns its output.
func runNodeHarness(t *testing.T, node string, f differentialFixture, pluginDir string, vars map[string]string) []byte {
	t.Helper()
	args := []string{filepath.Join(harnessDir, "harness.js"), "--now", differentialNow}
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		args = append(args, "--var", name+"="+vars[name])
	}
	if pluginDir != "" {
		args = append(args, "--plugin", pluginDir)
	}
	args = append(args, f.dir)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=en_US.UTF-8")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, err, "node %s\n%s", strings.Join(args, " "), stderr.String())
	return stdout.Bytes()
}

// TestNodeHarnessExpectedUpToDate re-runs the Node harness on every fixture
// and fails when a committed expected.jsonl differs from what it prints now
// (with HOGPIPE_RECORD_EXPECTED=1 it rewrites them: scripts/record-expected.sh).
func TestNodeHarnessExpectedUpToDate(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	node := nodeHarness(t)
	srv := startEchoServer(t)
	vars := map[string]string{"SERVER_URL": srv.URL}
	record := os.Getenv(recordEnv) == "1"
	for _, f := range differentialFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			var pluginDir string
			if f.spec.Package != "" {
				dir, err := ResolveSource(npmPackFixture(t, f))
				require.NoError(t, err)
				pluginDir = dir
			}
			requireFixtureModules(t, f.dir)
			out := runNodeHarness(t, node, f, pluginDir, vars)
			expected := filepath.Join(f.dir, "expected.jsonl")
			if record {
				require.NoError(t, os.WriteFile(expected, out, 0o644))
				t.Logf("recorded %s (%d lines)", expected, bytes.Count(out, []byte("\n")))
				return
			}
			var got []string
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(nil, 16<<20)
			for sc.Scan() {
				got = append(got, sc.Text())
			}
			require.NoError(t, sc.Err())
			want := readJSONLines(t, expected)
			before := t.Failed()
			assertSameLines(t, want, got, expected, "the Node harness now")
			if !before && t.Failed() {
				t.Log("the recorded output is stale: re-record with scripts/record-expected.sh and review the diff")
			}
		})
	}
}
