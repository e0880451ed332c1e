package outputs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	"github.com/hogpipe/hogpipe/internal/testutil"
	_ "github.com/hogpipe/hogpipe/processors"
	"github.com/hogpipe/hogpipe/state"
)

// pluginOutTestSink is a test-only output standing in for a dead-letter
// destination: it keeps every message written to it.
type pluginOutTestSink struct {
	mu   sync.Mutex
	msgs []pluginOutTestSunk
}

type pluginOutTestSunk struct {
	body, fallbackErr string
}

func (s *pluginOutTestSink) Connect(context.Context) error { return nil }
func (s *pluginOutTestSink) Close(context.Context) error   { return nil }
func (s *pluginOutTestSink) WriteBatch(_ context.Context, batch service.MessageBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, msg := range batch {
		body, _ := msg.AsBytes()
		fe, _ := msg.MetaGet("fallback_error")
		s.msgs = append(s.msgs, pluginOutTestSunk{string(body), fe})
	}
	return nil
}

func (s *pluginOutTestSink) bodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.msgs {
		out = append(out, m.body)
	}
	sort.Strings(out)
	return out
}

// pluginOutTestEnv is the global environment plus the test_sink output.
func pluginOutTestEnv(t *testing.T) (*service.Environment, *pluginOutTestSink) {
	t.Helper()
	env := service.NewEnvironment()
	sink := &pluginOutTestSink{}
	require.NoError(t, env.RegisterBatchOutput("test_sink", service.NewConfigSpec(),
		func(*service.ParsedConfig, *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			return sink, service.BatchPolicy{}, 1, nil
		}))
	return env, sink
}

// pluginOutTestLogWatch is a log destination that signals hit once a line
// contains want.
type pluginOutTestLogWatch struct {
	want string
	once sync.Once
	hit  chan struct{}
}

func pluginOutTestWatch(want string) *pluginOutTestLogWatch {
	return &pluginOutTestLogWatch{want: want, hit: make(chan struct{})}
}

func (w *pluginOutTestLogWatch) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.want) {
		w.once.Do(func() { close(w.hit) })
	}
	return len(p), nil
}

// wait fails the test, with msg, when no line held want (the 20s are a hang
// guard, not a measurement).
func (w *pluginOutTestLogWatch) wait(t *testing.T, msg string) {
	t.Helper()
	select {
	case <-w.hit:
	case <-time.After(20 * time.Second):
		t.Fatal(msg)
	}
}

// pluginOutTestState holds the process-wide in-memory state the plugins use,
// so that it outlives the stream and the test can read what they stored.
func pluginOutTestState(t *testing.T) state.Cache {
	t.Helper()
	backend, err := state.Acquire(state.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = backend.Release() })
	return backend.Cache()
}

// pluginOutTestList reads a meta.cache list of plugin pluginID, oldest first.
func pluginOutTestList(t *testing.T, cache state.Cache, pluginID int, key string) []string {
	t.Helper()
	list, err := cache.LRange(context.Background(), fmt.Sprintf("@plugin/%d/@all/%s", pluginID, key), 0, -1)
	require.NoError(t, err)
	slices.Reverse(list)
	return list
}

func pluginOutTestGet(t *testing.T, cache state.Cache, pluginID int, key string) string {
	t.Helper()
	v, _, err := cache.Get(context.Background(), fmt.Sprintf("@plugin/%d/@all/%s", pluginID, key))
	require.NoError(t, err)
	return v
}

// pluginOutTestRun runs a stream until its input ends.
func pluginOutTestRun(t *testing.T, env *service.Environment, yaml string) {
	t.Helper()
	builder := env.NewStreamBuilder()
	require.NoError(t, builder.SetYAML(yaml))
	stream, err := builder.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	require.NoError(t, stream.Run(ctx))
}

// pluginOutTestBatches decodes the batches an export-batches plugin stored
// into the uuids of their events.
func pluginOutTestBatches(t *testing.T, cache state.Cache, pluginID int) [][]string {
	t.Helper()
	var out [][]string
	for _, raw := range pluginOutTestList(t, cache, pluginID, "batches") {
		var events []struct{ UUID string }
		require.NoError(t, json.Unmarshal([]byte(raw), &events))
		var ids []string
		for _, e := range events {
			ids = append(ids, e.UUID)
		}
		out = append(out, ids)
	}
	return out
}

func newPluginOutTest(t *testing.T, yaml string) (*pluginOutput, service.BatchPolicy, error) {
	t.Helper()
	conf, err := pluginOutputSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	out, policy, _, err := newPluginOutputFromParsed(conf, service.MockResources())
	if err == nil {
		t.Cleanup(func() { require.NoError(t, out.Close(context.Background())) })
	}
	return out, policy, err
}

//------------------------------------------------------------------------------

func TestPluginOutputBatchPolicy(t *testing.T) {
	testutil.NoLeaks(t)
	_, policy, err := newPluginOutTest(t, `path: ../testdata/plugins/export-batches`)
	require.NoError(t, err)
	assert.Equal(t, service.BatchPolicy{ByteSize: 1 << 20, Period: "10s"}, policy, "the original's defaults")

	_, policy, err = newPluginOutTest(t, `
path: ../testdata/plugins/export-batches
config: {exportEventsBufferBytes: "1000", exportEventsBufferSeconds: "2000"}
`)
	require.NoError(t, err)
	assert.Equal(t, service.BatchPolicy{ByteSize: 1000, Period: "10m0s"}, policy, "seconds clamped to 600")

	_, policy, err = newPluginOutTest(t, `path: ../testdata/plugins/export-large-batches`)
	require.NoError(t, err)
	assert.Equal(t, service.BatchPolicy{ByteSize: 10 << 20, Period: "10s"}, policy, "handlesLargeBatches")

	_, policy, err = newPluginOutTest(t, `
path: ../testdata/plugins/export-batches
batching: {count: 7}
`)
	require.NoError(t, err)
	assert.Equal(t, 7, policy.Count)
	assert.Zero(t, policy.ByteSize, "batching replaces the plugin's buffer")

	_, policy, err = newPluginOutTest(t, `path: ../testdata/plugins/export-onevent`)
	require.NoError(t, err)
	assert.True(t, policy.IsNoop(), "no exportEvents, no batching")

	_, _, err = newPluginOutTest(t, `path: ../testdata/plugins/hello-world`)
	assert.ErrorContains(t, err, "exports none of onEvent, exportEvents and composeWebhook")

	_, _, err = newPluginOutTest(t, `
path: ../testdata/plugins/export-batches
config: {failWith: sometimes}
`)
	assert.ErrorContains(t, err, "failWith", "config errors stop start-up")
}

func TestPluginOutputBatchesByCountAndFlushOnShutdown(t *testing.T) {
	testutil.NoLeaks(t)
	cache := pluginOutTestState(t)
	env, _ := pluginOutTestEnv(t)
	pluginOutTestRun(t, env, `
input:
  generate:
    count: 7
    interval: ""
    mapping: 'root = {"event": "e", "uuid": "u" + counter().string(), "properties": {}}'
output:
  posthog_plugin:
    path: ../testdata/plugins/export-batches
    plugin_id: 9101
    vms: 1
    batching: {count: 3, period: 300ms}
    max_in_flight: 1
logger: {level: warn}
`)
	assert.Equal(t, [][]string{{"u1", "u2", "u3"}, {"u4", "u5", "u6"}, {"u7"}}, pluginOutTestBatches(t, cache, 9101))
	assert.Len(t, pluginOutTestList(t, cache, 9101, "onevent"), 7, "onEvent runs for every message")
	assert.Equal(t, "3", pluginOutTestGet(t, cache, 9101, "teardown"), "the last batch was exported before teardownPlugin")
}

func TestPluginOutputBatchesByPeriod(t *testing.T) {
	testutil.NoLeaks(t)
	cache := pluginOutTestState(t)
	env, _ := pluginOutTestEnv(t)
	_, policy, err := newPluginOutTest(t, `
path: ../testdata/plugins/export-batches
config: {exportEventsBufferSeconds: "1"}
`)
	require.NoError(t, err)
	assert.Equal(t, service.BatchPolicy{ByteSize: 1 << 20, Period: "1s"}, policy, "a batch waits for exportEventsBufferSeconds")
	pluginOutTestRun(t, env, `
input:
  generate:
    count: 3
    interval: ""
    mapping: 'root = {"event": "e", "uuid": "u" + counter().string(), "properties": {}}'
output:
  posthog_plugin:
    path: ../testdata/plugins/export-batches
    plugin_id: 9102
    vms: 1
    config:
      exportEventsBufferSeconds: "1"
logger: {level: warn}
`)
	assert.Equal(t, [][]string{{"u1", "u2", "u3"}}, pluginOutTestBatches(t, cache, 9102), "the messages waited for the period, as one batch")
	assert.Equal(t, "1", pluginOutTestGet(t, cache, 9102, "teardown"))
}

func TestPluginOutputBatchesByBytes(t *testing.T) {
	testutil.NoLeaks(t)
	cache := pluginOutTestState(t)
	env, _ := pluginOutTestEnv(t)
	// Each message is 39 bytes: a batch closes at its second message (78 >= 60).
	pluginOutTestRun(t, env, `
input:
  generate:
    count: 5
    interval: ""
    mapping: 'root = "{\"event\":\"e\",\"uuid\":\"u%d\",\"properties\":{}}".format(counter())'
output:
  posthog_plugin:
    path: ../testdata/plugins/export-batches
    plugin_id: 9103
    vms: 1
    max_in_flight: 1
    config:
      exportEventsBufferBytes: "60"
      exportEventsBufferSeconds: "1"
logger: {level: warn}
`)
	assert.Equal(t, [][]string{{"u1", "u2"}, {"u3", "u4"}, {"u5"}}, pluginOutTestBatches(t, cache, 9103))
}

func TestPluginOutputIgnoreList(t *testing.T) {
	testutil.NoLeaks(t)
	cache := pluginOutTestState(t)
	env, _ := pluginOutTestEnv(t)
	pluginOutTestRun(t, env, `
input:
  generate:
    count: 6
    interval: ""
    mapping: |
      let n = counter()
      root = {"event": if $n % 2 == 0 { "$pageview" } else { "signed up" }, "uuid": "u" + $n.string(), "properties": {}}
output:
  posthog_plugin:
    path: ../testdata/plugins/export-batches
    plugin_id: 9104
    vms: 1
    batching: {count: 6}
    config:
      exportEventsToIgnore: "$pageview, $autocapture"
logger: {level: warn}
`)
	assert.Equal(t, [][]string{{"u1", "u3", "u5"}}, pluginOutTestBatches(t, cache, 9104))
	onEvent := pluginOutTestList(t, cache, 9104, "onevent")
	assert.Equal(t, []string{"signed up", "$pageview", "signed up", "$pageview", "signed up", "$pageview"}, onEvent, "ignored events still reach onEvent")
}

func TestPluginOutputRetryErrorThenSuccess(t *testing.T) {
	testutil.NoLeaks(t)
	cache := pluginOutTestState(t)
	env, sink := pluginOutTestEnv(t)
	pluginOutTestRun(t, env, `
input:
  generate:
    count: 4
    interval: ""
    mapping: 'root = {"event": "e", "uuid": "u" + counter().string(), "properties": {}}'
output:
  fallback:
    - posthog_plugin:
        path: ../testdata/plugins/export-batches
        plugin_id: 9105
        vms: 1
        batching: {count: 2}
        max_in_flight: 1
        retry_initial_interval: 10ms
        max_retries: 3
        config: {failTimes: "2"}
    - test_sink: {}
logger: {level: warn}
`)
	assert.Equal(t, [][]string{{"u1", "u2"}, {"u3", "u4"}}, pluginOutTestBatches(t, cache, 9105), "each batch exported once")
	assert.Equal(t, "4", pluginOutTestGet(t, cache, 9105, "export-attempts"), "two failed attempts, then two batches")
	assert.Empty(t, sink.bodies(), "nothing failed")
}

// TestPluginOutputFetchExporter runs an exporter that POSTs batches with
// fetch to a local destination: two 503s are retried and each batch arrives
// once; a batch the destination refuses with a 400 goes to the dead letter.
func TestPluginOutputFetchExporter(t *testing.T) {
	testutil.NoLeaks(t)
	var mu sync.Mutex
	var requests int
	var delivered [][]string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Batch []struct{ UUID, Event string }
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		requests++
		if requests <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var ids []string
		for _, e := range body.Batch {
			if e.Event == "bad" {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte("invalid event"))
				return
			}
			ids = append(ids, e.UUID)
		}
		delivered = append(delivered, ids)
	}))
	defer server.Close()
	env, sink := pluginOutTestEnv(t)
	pluginOutTestRun(t, env, fmt.Sprintf(`
input:
  generate:
    count: 6
    interval: ""
    mapping: |
      let n = counter()
      root = {"event": if $n == 5 { "bad" } else { "e" }, "uuid": "u" + $n.string(), "properties": {}}
output:
  fallback:
    - posthog_plugin:
        path: ../testdata/plugins/export-fetch
        config: {url: %q}
        plugin_id: 9112
        vms: 1
        batching: {count: 3}
        max_in_flight: 1
        retry_initial_interval: 10ms
        max_retries: 3
    - test_sink: {}
logger: {level: none}
`, server.URL))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, [][]string{{"u1", "u2", "u3"}}, delivered, "the retried batch arrived once")
	assert.Equal(t, 4, requests, "503, 503, 200, then the refused batch once")
	assert.Equal(t, []string{
		`{"event":"bad","properties":{},"uuid":"u5"}`,
		`{"event":"e","properties":{},"uuid":"u4"}`,
		`{"event":"e","properties":{},"uuid":"u6"}`,
	}, sink.bodies())
	for _, m := range sink.msgs {
		assert.Contains(t, m.fallbackErr, "destination answered 400: invalid event")
	}
}

func TestPluginOutputFailuresGoToDeadLetter(t *testing.T) {
	testutil.NoLeaks(t)
	cache := pluginOutTestState(t)
	env, sink := pluginOutTestEnv(t)
	// Batches of two: [u1, poison] is refused until the retries run out;
	// [u3, u4] is exported; in [not json, u6] only the first fails. u7 asks
	// onEvent for retries forever but was exported, so it is not failed; u8
	// does the same but is on the ignore-list, so it fails.
	pluginOutTestRun(t, env, `
input:
  generate:
    count: 8
    interval: ""
    mapping: |
      let n = counter()
      root = match $n {
        2 => {"event": "e", "uuid": "poison", "properties": {"poison": true}},
        5 => "not json",
        7 => {"event": "e", "uuid": "u7", "properties": {"onEventRetry": true}},
        8 => {"event": "ignored", "uuid": "u8", "properties": {"onEventRetry": true}},
        _ => {"event": "e", "uuid": "u" + $n.string(), "properties": {}},
      }
output:
  fallback:
    - posthog_plugin:
        path: ../testdata/plugins/export-batches
        plugin_id: 9106
        vms: 1
        batching: {count: 2}
        max_in_flight: 1
        retry_initial_interval: 5ms
        max_retries: 2
        config:
          exportEventsToIgnore: ignored
    - test_sink: {}
logger: {level: none}
`)
	assert.Equal(t, [][]string{{"u3", "u4"}, {"u6"}, {"u7"}}, pluginOutTestBatches(t, cache, 9106))
	assert.Equal(t, []string{
		`not json`,
		`{"event":"e","properties":{"poison":true},"uuid":"poison"}`,
		`{"event":"e","properties":{},"uuid":"u1"}`,
		`{"event":"ignored","properties":{"onEventRetry":true},"uuid":"u8"}`,
	}, sink.bodies(), "exactly the failed messages reach the dead-letter output")
	for _, m := range sink.msgs {
		switch {
		case strings.Contains(m.body, "poison"):
			assert.Contains(t, m.fallbackErr, "gave up after 2 retries")
			assert.Contains(t, m.fallbackErr, "destination rejected a poisoned batch")
		case m.body == "not json":
			assert.Contains(t, m.fallbackErr, "not a JSON object")
		case strings.Contains(m.body, "u8"):
			assert.Contains(t, m.fallbackErr, "onEvent is never ready")
		}
	}
}

func TestPluginOutputOnEventPerEvent(t *testing.T) {
	testutil.NoLeaks(t)
	cache := pluginOutTestState(t)
	env, sink := pluginOutTestEnv(t)
	pluginOutTestRun(t, env, `
input:
  generate:
    count: 5
    interval: ""
    mapping: |
      let names = ["ok", "boom", "flaky", "always-retry", "ok"]
      let n = counter()
      root = {"event": $names.index($n - 1), "uuid": "u" + $n.string()}
output:
  fallback:
    - posthog_plugin:
        path: ../testdata/plugins/export-onevent
        plugin_id: 9107
        vms: 1
        batching: {count: 5}
        retry_initial_interval: 5ms
        max_retries: 2
    - test_sink: {}
logger: {level: none}
`)
	var seen []string
	for _, raw := range pluginOutTestList(t, cache, 9107, "seen") {
		var ev struct{ UUID string }
		require.NoError(t, json.Unmarshal([]byte(raw), &ev))
		seen = append(seen, ev.UUID)
	}
	sort.Strings(seen)
	assert.Equal(t, []string{"u1", "u3", "u5"}, seen, "flaky succeeded on its retry")
	assert.Equal(t, []string{`{"event":"always-retry","uuid":"u4"}`}, sink.bodies(),
		"only the event whose retries ran out fails; boom was logged and acked")
}

func TestPluginOutputWebhook(t *testing.T) {
	testutil.NoLeaks(t)
	var mu sync.Mutex
	received := map[string][]string{}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		name := strings.TrimPrefix(r.URL.Path, "/hook/")
		mu.Lock()
		received[name] = append(received[name], r.Method+" "+r.Header.Get("X-Event")+" "+string(body))
		n := len(received[name])
		mu.Unlock()
		switch {
		case name == "flaky" && n == 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case name == "throttled" && n <= 2:
			w.WriteHeader(http.StatusTooManyRequests)
		case name == "bad":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"no such user"}`))
		default:
			_, _ = w.Write([]byte(`ok`))
		}
	}))
	defer server.Close()
	env, sink := pluginOutTestEnv(t)
	pluginOutTestRun(t, env, fmt.Sprintf(`
input:
  generate:
    count: 6
    interval: ""
    mapping: |
      let names = ["signed up", "skip", "flaky", "bad", "wrong", "throttled"]
      let n = counter()
      root = {"event": $names.index($n - 1), "uuid": "u" + $n.string(), "distinct_id": "d", "timestamp": "2024-01-02T03:04:05Z", "ip": "1.2.3.4", "$set": {"plan": "pro"}, "properties": {"a": 1}}
output:
  fallback:
    - posthog_plugin:
        path: ../testdata/plugins/export-webhook
        config: {url: %q}
        plugin_id: 9108
        vms: 1
        batching: {count: 6}
        retry_initial_interval: 5ms
        max_retries: 3
    - test_sink: {}
logger: {level: none}
`, server.URL))

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{`POST signed up {"uuid":"u1","event":"signed up","distinct_id":"d","properties":{"a":1,"$set":{"plan":"pro"},"$ip":"1.2.3.4"},"timestamp":"2024-01-02T03:04:05.000Z","groups":{},"isDate":true}`},
		received["signed up"])
	assert.NotContains(t, received, "skip", "null sends nothing")
	assert.Len(t, received["flaky"], 2, "a 503 is retried")
	assert.Len(t, received["throttled"], 3, "a 429 is retried")
	assert.Len(t, received["bad"], 1, "a 400 is not retried")
	bodies := sink.bodies()
	require.Len(t, bodies, 2)
	assert.Contains(t, bodies[0], `"event":"bad"`)
	assert.Contains(t, bodies[1], `"event":"wrong"`)
	for _, m := range sink.msgs {
		if strings.Contains(m.body, `"bad"`) {
			assert.Contains(t, m.fallbackErr, `400 Bad Request: {"error":"no such user"}`)
		}
	}
}

func TestPluginOutputSetupRetryInConnect(t *testing.T) {
	testutil.NoLeaks(t)
	cache := pluginOutTestState(t)
	env, _ := pluginOutTestEnv(t)
	pluginOutTestRun(t, env, `
input:
  generate:
    count: 3
    interval: ""
    mapping: 'root = {"event": "e", "uuid": "u" + counter().string()}'
output:
  posthog_plugin:
    path: ../testdata/plugins/export-setup-retry
    plugin_id: 9109
    vms: 1
    setup_retry_initial_interval: 20ms
    config: {failTimes: "2"}
logger: {level: warn}
`)
	assert.Equal(t, "3", pluginOutTestGet(t, cache, 9109, "setup-attempts"))
	assert.ElementsMatch(t, []string{"u1", "u2", "u3"}, pluginOutTestList(t, cache, 9109, "seen"))
}

func TestPluginOutputSetupFailureAndBoundedShutdown(t *testing.T) {
	testutil.NoLeaks(t)
	cache := pluginOutTestState(t)
	env, _ := pluginOutTestEnv(t)
	builder := env.NewStreamBuilder()
	require.NoError(t, builder.SetYAML(`
input:
  generate:
    count: 1
    interval: ""
    mapping: 'root = {"event": "e"}'
output:
  posthog_plugin:
    path: ../testdata/plugins/export-setup-retry
    plugin_id: 9110
    vms: 1
    setup_retry_initial_interval: 1h
    config: {fatal: "yes"}
logger: {level: none}
`))
	stream, err := builder.Build()
	require.NoError(t, err)
	go func() { _ = stream.Run(t.Context()) }()
	require.Eventually(t, func() bool {
		return pluginOutTestGet(t, cache, 9110, "setup-attempts") != ""
	}, 10*time.Second, 10*time.Millisecond)

	// Graceful shutdown gives up after three quarters of the deadline (the
	// message waits for a connection); the forced one must then succeed.
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Second)
	defer cancel()
	require.NoError(t, stream.Stop(ctx), "shutdown is bounded")
	assert.Equal(t, "1", pluginOutTestGet(t, cache, 9110, "setup-attempts"),
		"a plain error is not retried, and the next connect waits for the setup interval")
	assert.Empty(t, pluginOutTestList(t, cache, 9110, "seen"))
}

func TestPluginOutputShutdownInterruptsRetries(t *testing.T) {
	testutil.NoLeaks(t)
	env, _ := pluginOutTestEnv(t)
	builder := env.NewStreamBuilder()
	require.NoError(t, builder.SetYAML(`
input:
  generate:
    count: 1
    interval: ""
    mapping: 'root = {"event": "always-retry"}'
output:
  posthog_plugin:
    path: ../testdata/plugins/export-onevent
    plugin_id: 9111
    vms: 1
    retry_initial_interval: 1h
logger: {level: none}
`))
	retrying := pluginOutTestWatch("retrying 1 event(s) in 1h0m0s")
	nacked := pluginOutTestWatch("failed to export some messages: retry interrupted")
	builder.SetLogger(slog.New(slog.NewTextHandler(io.MultiWriter(retrying, nacked), nil)))
	stream, err := builder.Build()
	require.NoError(t, err)
	go func() { _ = stream.Run(t.Context()) }()
	retrying.wait(t, "onEvent was never retried")

	// Graceful shutdown waits for the retry until three quarters of the
	// deadline; the forced one ends the 1h back-off and must then succeed.
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Second)
	defer cancel()
	require.NoError(t, stream.Stop(ctx), "the 1h back-off ended with the stream")
	nacked.wait(t, "the interrupted event was not failed (nacked)")
}

// TestPluginOutputFirstExample: the description sends readers to the first
// example for dead letters. (cmd/hogpipe-docs lints every example.)
func TestPluginOutputFirstExample(t *testing.T) {
	var title string
	service.GlobalEnvironment().WalkOutputs(func(name string, view *service.ConfigView) {
		if name != "posthog_plugin" {
			return
		}
		data, err := view.TemplateData()
		require.NoError(t, err)
		require.NotEmpty(t, data.Examples)
		title = data.Examples[0].Title
	})
	assert.Equal(t, "Dead-letter output for failed events", title)
}
