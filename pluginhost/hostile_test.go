package pluginhost

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The probes in testdata/plugins/hostile each did something that hung the
// pipeline, exhausted memory or killed the process. Each must now fail the
// call with an error naming the limit, keep the event, and leave the plugin
// able to process the next one.

func startHostile(t *testing.T, name string, opts ...poolOpt) *Pool {
	t.Helper()
	pool, _ := startPoolAt(t, "../testdata/plugins/hostile/"+name, opts...)
	return pool
}

// hostileEvent is an event named name with the given properties.
func hostileEvent(t *testing.T, name string, props map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"event": name, "distinct_id": "d", "properties": props})
	require.NoError(t, err)
	return string(b)
}

// requireLimitError checks that the event failed with an error that names
// want and that the event was kept.
func requireLimitError(t *testing.T, res EventResult, want string) {
	t.Helper()
	require.Error(t, res.Err, "the probe must fail")
	assert.Contains(t, res.Err.Error(), want)
	assert.False(t, res.Dropped, "a failed event is kept")
	assert.NotEmpty(t, res.Event, "a failed event is kept")
}

// requireSurvives checks that the pool still processes a plain event.
func requireSurvives(t *testing.T, pool *Pool) {
	t.Helper()
	require.Eventually(t, func() bool {
		res, err := pool.ProcessEvents(t.Context(), [][]byte{[]byte(`{"event":"fine","properties":{}}`)})
		return err == nil && res[0].Err == nil
	}, 30*time.Second, 50*time.Millisecond, "the plugin must go on processing events")
}

func TestHostileJSONDepth(t *testing.T) {
	pool := startHostile(t, "json-depth")
	deep := strings.Repeat("[", 3_000_000)
	res := process(t, pool, hostileEvent(t, "e", map[string]any{"payload": deep}))
	requireLimitError(t, res[0], "deeper than 1000 levels")
	assert.Contains(t, res[0].Err.Error(), "RangeError")

	// JSON that is deep but within the limit still parses.
	ok := strings.Repeat("[", 900) + strings.Repeat("]", 900)
	res = process(t, pool, hostileEvent(t, "e", map[string]any{"payload": ok}))
	require.NoError(t, res[0].Err)

	// A response body goes through the same JSON.parse.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(deep))
	}))
	t.Cleanup(srv.Close)
	res = process(t, pool, hostileEvent(t, "fetch", map[string]any{"url": srv.URL}))
	requireLimitError(t, res[0], "deeper than 1000 levels")

	// An event nested too deeply is refused by the host's own decoder.
	res = process(t, pool, `{"event":"e","properties":{"p":`+deep+`}}`)
	require.ErrorIs(t, res[0].Err, ErrNotJSONObject)
	assert.Contains(t, res[0].Err.Error(), "nested too deeply")
	requireSurvives(t, pool)
}

func TestHostileRecursion(t *testing.T) {
	pool := startHostile(t, "native-recursion", func(o *Options) { o.Timeout = 3 * time.Second })
	for _, name := range []string{"native", "plain", "caught"} {
		t.Run(name, func(t *testing.T) {
			res := process(t, pool, hostileEvent(t, name, map[string]any{}))
			requireLimitError(t, res[0], "maximum call stack size exceeded")
			var pe *PluginError
			require.ErrorAs(t, res[0].Err, &pe)
			assert.Equal(t, LimitCallStack, pe.Limit)
			requireSurvives(t, pool)
		})
	}
}

// An event whose keys would run setters a plugin put on Object.prototype,
// or replace the prototype ("__proto__"), gets them as plain own keys.
func TestDecodedEventKeysAreOwnData(t *testing.T) {
	pool := startHostile(t, "json-depth")
	res := process(t, pool, `{"event":"e","properties":{"payload":"1","__proto__":{"polluted":true}}}`)
	require.NoError(t, res[0].Err)
	assert.Contains(t, string(res[0].Event), `"__proto__":{"polluted":true}`)
}

func TestHostileReturnedEvent(t *testing.T) {
	cases := []struct {
		event, want, limit string
	}{
		{"tojson", "timed out after 500ms", LimitTimeout},
		{"getter", "timed out after 500ms", LimitTimeout},
		{"proxy", "timed out after 500ms", LimitTimeout},
		{"prototype-tojson", "timed out after 500ms", LimitTimeout},
		{"thrown-tostring", "timed out after 500ms", LimitTimeout},
		{"sparse-array", "an array of length 4294967295 is longer than the 1048576 elements", LimitArrayLength},
		{"huge", "more than 16 MiB", LimitEventSize},
	}
	for _, c := range cases {
		t.Run(c.event, func(t *testing.T) {
			timeout := 500 * time.Millisecond
			if c.limit != LimitTimeout {
				timeout = 30 * time.Second // the probe must meet its limit, not the timeout
			}
			pool := startHostile(t, "returned-event", func(o *Options) { o.Timeout = timeout })
			in := hostileEvent(t, c.event, map[string]any{"kept": true})
			res := process(t, pool, in)
			requireLimitError(t, res[0], c.want)
			var pe *PluginError
			require.ErrorAs(t, res[0].Err, &pe)
			assert.Equal(t, c.limit, pe.Limit, "%#v", res[0].Err)
			assert.JSONEq(t, in, string(res[0].Event), "the event goes on as it came")
			requireSurvives(t, pool)
		})
	}
}

func TestHostileReturnedBatch(t *testing.T) {
	pool, _ := startPoolAt(t, "../testdata/plugins/hostile/returned-event")
	// processEvent wins when both exist; call the batch function directly.
	res, err := pool.ProcessEventBatch(t.Context(), [][]byte{[]byte(`not json`), []byte(`{"event":"a","properties":{}}`)})
	require.NoError(t, err)
	require.Len(t, res.Events, 2, "every input is kept")
	assert.ErrorIs(t, res.Events[0].Err, ErrNotJSONObject)
	require.Error(t, res.Events[1].Err)
	assert.Contains(t, res.Events[1].Err.Error(), "returned an array of length 4294967295")
	assert.Contains(t, string(res.Events[1].Event), `"event":"a"`)
	assert.Equal(t, 1, res.Events[1].From)
}

func TestHostileNativeCodeIsAbandoned(t *testing.T) {
	pool := startHostile(t, "native-stuck", func(o *Options) { o.Timeout = time.Second })
	res := process(t, pool, hostileEvent(t, "stuck", map[string]any{"kept": true}))
	requireLimitError(t, res[0], "timed out after 1s")
	assert.Contains(t, res[0].Err.Error(), "abandoned")
	assert.True(t, IsRetry(res[0].Err))
	requireSurvives(t, pool)

	// The abandoned goroutine finishes on its own; later tests check for
	// leaked goroutines, so wait for it.
	require.Eventually(t, func() bool {
		buf := make([]byte, 1<<20)
		return !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "regexpproto_stdReplacer")
	}, 2*time.Minute, 100*time.Millisecond)
}

func TestHostileMemory(t *testing.T) {
	pool := startHostile(t, "memory-hog", func(o *Options) {
		o.MaxMemory = 64 << 20
		o.Timeout = time.Minute // the budget, not the timeout, must stop it
	})
	res := process(t, pool, hostileEvent(t, "hog", map[string]any{"kept": true}))
	requireLimitError(t, res[0], "over its max_memory of 64 MiB")
	var pe *PluginError
	require.ErrorAs(t, res[0].Err, &pe)
	assert.Equal(t, LimitMemory, pe.Limit)
	assert.False(t, IsRetry(res[0].Err), "the same event would go over again")
	requireSurvives(t, pool)
}

func TestHostileTimers(t *testing.T) {
	pool := startHostile(t, "timer-flood")
	res := process(t, pool, hostileEvent(t, "flood", map[string]any{"kept": true}))
	requireLimitError(t, res[0], "RangeError: too many timers: a plugin VM may have 1000 pending")
	requireSurvives(t, pool)
}

func TestHostileFetchFlood(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	pool := startHostile(t, "fetch-flood")
	res := process(t, pool, hostileEvent(t, "flood", map[string]any{"url": srv.URL, "kept": true}))
	requireLimitError(t, res[0], "too many requests in flight: a plugin VM may have 100 open at once")
	requireSurvives(t, pool)
}

func TestHostileJSONStringifyDepth(t *testing.T) {
	pool := startHostile(t, "json-depth")
	res := process(t, pool, hostileEvent(t, "stringify", map[string]any{}))
	requireLimitError(t, res[0], "JSON.stringify: the value nests arrays and objects deeper than 1000 levels")
	requireSurvives(t, pool)
}
