package pluginhost

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

type poolOpt func(*Options)

// startPool loads a fixture plugin from testdata/plugins and starts it.
func startPool(t *testing.T, fixture string, opts ...poolOpt) (*Pool, *testutil.Logger) {
	t.Helper()
	return startPoolAt(t, "../testdata/plugins/"+fixture, opts...)
}

// startPoolAt loads the plugin in dir and starts it.
func startPoolAt(t *testing.T, dir string, opts ...poolOpt) (*Pool, *testutil.Logger) {
	t.Helper()
	mem := state.NewMemory()
	t.Cleanup(func() { _ = mem.Close() })
	log := &testutil.Logger{T: t}
	o := Options{
		Path: dir, Logger: log, VMs: 1,
		Cache: mem.Cache(), Storage: mem.Storage(), RecordPluginRuns: true,
		PluginConfigID: 7, Version: "test",
	}
	for _, opt := range opts {
		opt(&o)
	}
	p, err := Load(o)
	require.NoError(t, err)
	pool, err := p.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, pool.Close(context.Background()))
		require.NoError(t, p.Close())
	})
	return pool, log
}

func process(t *testing.T, pool *Pool, events ...string) []EventResult {
	t.Helper()
	raw := make([][]byte, len(events))
	for i, e := range events {
		raw[i] = []byte(e)
	}
	res, err := pool.ProcessEvents(t.Context(), raw)
	require.NoError(t, err)
	return res
}

func TestCodeStyles(t *testing.T) {
	cases := []struct {
		fixture string
		style   string
		opts    []poolOpt
	}{
		{"style-module-exports", "module.exports", nil},
		{"style-esm-export", "esm export", nil},
		{"style-export-default", "export default", nil},
		{"style-object-literal-ts", "typescript object literal!", []poolOpt{func(o *Options) { o.Config = map[string]any{"suffix": "!"} }}},
		{"style-dist-bundle", "dist bundle", nil},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			pool, _ := startPool(t, c.fixture, c.opts...)
			res := process(t, pool, `{"event":"e","properties":{"a":1}}`)
			require.NoError(t, res[0].Err)
			var got struct{ Properties map[string]any }
			require.NoError(t, json.Unmarshal(res[0].Event, &got))
			assert.Equal(t, c.style, got.Properties["style"])
		})
	}
	t.Run("top-level functions", func(t *testing.T) {
		pool, _ := startPool(t, "hello-world")
		res := process(t, pool, `{"event":"e","properties":{"a":1}}`, `{"event":"e","properties":{}}`)
		assert.JSONEq(t, `{"event":"e","properties":{"a":1,"hello":"world","bar":"baz","$counter":0,"$plugins_succeeded":["helloworldplugin (7)"]}}`, string(res[0].Event))
		assert.Contains(t, string(res[1].Event), `"$counter":1`)
	})
}

func TestSyntaxErrorNamesFileLineColumn(t *testing.T) {
	_, err := Load(Options{Path: "../testdata/plugins/syntax-error", Logger: &testutil.Logger{T: t},
		Cache: state.NewMemory().Cache(), Storage: state.NewMemory().Storage()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `plugin "syntax-error"`)
	assert.Contains(t, err.Error(), "index.js:3:1")
}

func TestSetupErrorStopsStart(t *testing.T) {
	mem := state.NewMemory()
	p, err := Load(Options{Path: "../testdata/plugins/setup-fails", Logger: &testutil.Logger{T: t}, Cache: mem.Cache(), Storage: mem.Storage()})
	require.NoError(t, err)
	_, err = p.Start(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid API key for us")
	assert.Contains(t, err.Error(), "setupPlugin")
}

func TestProcessEventOutcomes(t *testing.T) {
	pool, log := startPool(t, "behaviour", func(o *Options) { o.Config = map[string]any{"apiKey": "sk-secret-123"} })
	results := process(t, pool,
		`{"event":"drop-null"}`,
		`{"event":"drop-undefined"}`,
		`{"event":"throw-error","distinct_id":"d1","properties":{"x":1}}`,
		`{"event":"throw-string","properties":{}}`,
		`{"event":"reject","properties":{}}`,
		`{"event":"new-object","uuid":"u1","properties":{"old":true}}`,
		`{"event":"change-team","team_id":2,"properties":{}}`,
		`{"event":"not-an-object","properties":{}}`,
		`[1,2]`,
		`{"event":"$snapshot","properties":{"untouched":true}}`,
		`{"event":"undeclared","properties":{}}`,
		`{"event":"no-properties"}`,
	)
	assert.True(t, results[0].Dropped)
	assert.True(t, results[1].Dropped)

	assert.ErrorContains(t, results[2].Err, "Error: boom: d1")
	assert.JSONEq(t, `{"event":"throw-error","distinct_id":"d1","properties":{"x":1,"touched":true,"$plugins_failed":["behaviour (7)"]}}`, string(results[2].Event))

	assert.ErrorContains(t, results[3].Err, "a plain string")
	assert.Contains(t, string(results[3].Event), `"touched":true`)

	assert.ErrorContains(t, results[4].Err, "TypeError: rejected")

	require.NoError(t, results[5].Err)
	assert.Equal(t, `{"event":"replaced","uuid":"u1","properties":{"2":"two","10":"ten","b":2,"a":1,"$plugins_succeeded":["behaviour (7)"]}}`, string(results[5].Event))

	assert.ErrorContains(t, results[6].Err, "team_id")
	assert.Contains(t, string(results[6].Event), `"team_id":2`)
	assert.Contains(t, string(results[6].Event), `$plugins_failed`)

	assert.ErrorContains(t, results[7].Err, "instead of an event object")
	assert.ErrorIs(t, results[8].Err, ErrNotJSONObject)
	assert.Equal(t, `[1,2]`, string(results[8].Event))
	assert.Nil(t, results[9].Err)
	assert.Equal(t, `{"event":"$snapshot","properties":{"untouched":true}}`, string(results[9].Event))

	assert.ErrorContains(t, results[10].Err, "undeclaredVariable is not defined", "strict mode")
	assert.Equal(t, `{"event":"no-properties"}`, string(results[11].Event), "no field is invented")

	var pe *PluginError
	require.ErrorAs(t, results[2].Err, &pe)
	assert.Equal(t, "processEvent", pe.Function)
	assert.Contains(t, pe.Stack, "index.js")

	// Secrets are redacted from console output.
	process(t, pool, `{"event":"log-secret","properties":{}}`)
	assert.Contains(t, log.String(), "the key is ***")
	assert.NotContains(t, log.String(), "sk-secret-123")
}

func TestRetryErrorIsMarked(t *testing.T) {
	pool, _ := startPool(t, "behaviour", func(o *Options) { o.Config = map[string]any{"apiKey": "k"} })
	res := process(t, pool, `{"event":"retry","properties":{}}`)
	assert.True(t, IsRetry(res[0].Err))
	assert.ErrorContains(t, res[0].Err, "RetryError: try again later")
}

func TestKeyOrderIsPreserved(t *testing.T) {
	pool, _ := startPool(t, "style-module-exports", func(o *Options) { o.RecordPluginRuns = false })
	in := `{"uuid":"x","event":"e","properties":{"zeta":1,"alpha":{"y":1,"b":2},"$set":{"z":0,"a":0}},"timestamp":"2024-01-01T00:00:00Z"}`
	res := process(t, pool, in)
	assert.Equal(t, `{"uuid":"x","event":"e","properties":{"zeta":1,"alpha":{"y":1,"b":2},"$set":{"z":0,"a":0},"style":"module.exports"},"timestamp":"2024-01-01T00:00:00Z"}`, string(res[0].Event))
}

func TestCaptureFanOut(t *testing.T) {
	pool, log := startPool(t, "capture", func(o *Options) {
		team := int64(5)
		o.TeamID = &team
	})
	assert.Contains(t, log.String(), "posthog.capture in setupPlugin has no stream to join")
	res := process(t, pool, `{"event":"source","team_id":3,"properties":{}}`, `{"event":"drop-me","properties":{}}`)
	require.Len(t, res[0].Captured, 2)
	var first, second map[string]any
	require.NoError(t, json.Unmarshal(res[0].Captured[0], &first))
	require.NoError(t, json.Unmarshal(res[0].Captured[1], &second))
	assert.Equal(t, "derived one", first["event"])
	assert.Equal(t, "someone", first["distinct_id"])
	assert.EqualValues(t, 3, first["team_id"], "team of the source event")
	assert.Equal(t, map[string]any{"$lib": "posthog-plugin-server", "$lib_version": "test", "source": "source"}, first["properties"])
	assert.NotEmpty(t, first["uuid"])
	assert.Equal(t, "capture", second["distinct_id"], "defaults to the plugin name")
	assert.Equal(t, "2024-01-02T03:04:05.000Z", second["timestamp"])
	assert.True(t, strings.HasPrefix(string(res[0].Captured[0]), `{"event":"derived one","distinct_id":"someone","properties":{"$lib"`))

	assert.True(t, res[1].Dropped)
	require.Len(t, res[1].Captured, 2, "captures survive a dropped source")
	var third map[string]any
	require.NoError(t, json.Unmarshal(res[1].Captured[0], &third))
	assert.EqualValues(t, 5, third["team_id"], "configured team when the source has none")
}

func TestTimeoutInterruptsAndRebuildsVM(t *testing.T) {
	for _, event := range []string{"loop", "hang"} {
		t.Run(event, func(t *testing.T) {
			pool, log := startPool(t, "infinite-loop", func(o *Options) { o.Timeout = 300 * time.Millisecond })
			res := process(t, pool, `{"event":"before","properties":{}}`)
			assert.Contains(t, string(res[0].Event), `"setup_number":1`)

			res = process(t, pool, `{"event":"`+event+`","properties":{"kept":true}}`)
			require.Error(t, res[0].Err)
			assert.True(t, IsRetry(res[0].Err), "a timeout counts as a retryable failure")
			assert.ErrorContains(t, res[0].Err, "timed out after 300ms")
			assert.Contains(t, string(res[0].Event), `"kept":true`, "the event continues")

			// The discarded VM is rebuilt: setupPlugin runs again in a fresh VM.
			require.Eventually(t, func() bool {
				res = process(t, pool, `{"event":"after","properties":{}}`)
				return res[0].Err == nil
			}, 10*time.Second, 20*time.Millisecond)
			assert.Contains(t, string(res[0].Event), `"setup_number":2`)
			assert.Contains(t, log.String(), "VM discarded")
		})
	}
}

func TestPathologicalRegexDoesNotHang(t *testing.T) {
	pool, _ := startPool(t, "infinite-loop")
	res := process(t, pool, `{"event":"regex","properties":{}}`)
	require.NoError(t, res[0].Err)
}

func TestProcessEventBatch(t *testing.T) {
	pool, _ := startPool(t, "batch")
	require.True(t, pool.UsesBatch())
	batch := func(events ...string) BatchResult {
		raw := make([][]byte, len(events))
		for i, e := range events {
			raw[i] = []byte(e)
		}
		res, err := pool.ProcessEventBatch(t.Context(), raw)
		require.NoError(t, err)
		return res
	}

	res := batch(`{"event":"drop","uuid":"a","properties":{}}`, `{"event":"dup","uuid":"b","properties":{}}`, `{"event":"new","uuid":"c","properties":{}}`)
	require.Len(t, res.Events, 3)
	assert.Equal(t, 2, res.Events[0].From)
	assert.Contains(t, string(res.Events[0].Event), `"event":"new-object"`)
	assert.Equal(t, 1, res.Events[1].From)
	assert.Equal(t, 1, res.Events[2].From)
	assert.Equal(t, string(res.Events[1].Event), string(res.Events[2].Event))

	res = batch(`{"event":"keep","uuid":"a","properties":{}}`, `not json`, `{"event":"keep2","properties":{}}`)
	require.Len(t, res.Events, 3)
	assert.ErrorIs(t, res.Events[0].Err, ErrNotJSONObject)
	assert.Contains(t, string(res.Events[1].Event), `"batched":2`)

	res = batch(`{"event":"ok","properties":{}}`, `{"event":"throw","properties":{}}`, `{"event":"ok2","properties":{}}`)
	require.Len(t, res.Events, 3)
	for i, ev := range res.Events {
		assert.Equal(t, i, ev.From)
		assert.ErrorContains(t, ev.Err, "batch failed")
		assert.Contains(t, string(ev.Event), `$plugins_failed`)
	}
	assert.Contains(t, string(res.Events[0].Event), `"touched":true`)

	res = batch(`{"event":"not-array","properties":{}}`)
	assert.ErrorContains(t, res.Events[0].Err, "instead of an array")
}

func TestCacheTTLExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	mem := state.NewMemory(state.WithClock(clock))
	t.Cleanup(func() { _ = mem.Close() })
	pool, _ := startPool(t, "behaviour", func(o *Options) {
		o.Config = map[string]any{"apiKey": "k"}
		o.Cache = mem.Cache()
	})
	res := process(t, pool, `{"event":"ttl","properties":{}}`)
	assert.Contains(t, string(res[0].Event), `"cached":{"set":1}`)

	mu.Lock()
	now = now.Add(2 * time.Second)
	mu.Unlock()
	res = process(t, pool, `{"event":"ttl","properties":{}}`)
	assert.Contains(t, string(res[0].Event), `"cached":{"set":2}`, "expired, then set again")
	mu.Lock()
	now = now.Add(500 * time.Millisecond)
	mu.Unlock()
	// Still within the new TTL: the same value, not re-set.
	res = process(t, pool, `{"event":"ttl","properties":{}}`)
	assert.Contains(t, string(res[0].Event), `"cached":{"set":2}`)
}

func TestGlobalIsPerVMAndShared(t *testing.T) {
	pool, _ := startPool(t, "behaviour", func(o *Options) { o.Config = map[string]any{"apiKey": "k"} })
	res := process(t, pool, `{"event":"x","properties":{}}`, `{"event":"x","properties":{}}`)
	assert.Contains(t, string(res[0].Event), `"seen":1`)
	assert.Contains(t, string(res[1].Event), `"seen":2`)
}
