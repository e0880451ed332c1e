package pluginhost

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// exportTestPlugin loads the plugin in dir with an in-memory state.
func exportTestPlugin(t *testing.T, dir string, config map[string]any, opts ...func(*Options)) (*Plugin, *state.Memory, *testutil.Logger) {
	t.Helper()
	mem := state.NewMemory()
	t.Cleanup(func() { _ = mem.Close() })
	log := &testutil.Logger{T: t}
	o := Options{Path: dir, Config: config, Logger: log, Cache: mem.Cache(), Storage: mem.Storage(), VMs: 1}
	for _, f := range opts {
		f(&o)
	}
	p, err := Load(o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	return p, mem, log
}

func exportTestPool(t *testing.T, p *Plugin) *Pool {
	t.Helper()
	pool, err := p.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close(context.Background())) })
	return pool
}

// exportTestDir writes files into a fresh plugin folder.
func exportTestDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

func exportTestList(t *testing.T, p *Plugin, mem *state.Memory, key string) []string {
	t.Helper()
	list, err := mem.Cache().LRange(t.Context(), p.cacheNS+key, 0, -1)
	require.NoError(t, err)
	// lpush prepends: reverse into call order.
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

func exportTestEvents(bodies ...string) []OutputEvent {
	out := make([]OutputEvent, len(bodies))
	for i, b := range bodies {
		out[i] = OutputEvent{Data: []byte(b), UUID: "generated-" + string(rune('a'+i)), Received: time.Date(2024, 5, 6, 7, 8, 9, 10e6, time.UTC)}
	}
	return out
}

//------------------------------------------------------------------------------

func TestExportInspect(t *testing.T) {
	testutil.NoLeaks(t)
	for _, tc := range []struct {
		dir  string
		want ExportInfo
	}{
		{"export-batches", ExportInfo{OnEvent: true, ExportEvents: true}},
		{"export-onevent", ExportInfo{OnEvent: true}},
		{"export-webhook", ExportInfo{ComposeWebhook: true}},
		{"export-large-batches", ExportInfo{ExportEvents: true, HandlesLargeBatches: true}},
		{"hello-world", ExportInfo{}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			config := map[string]any{}
			if tc.dir == "export-webhook" {
				config["url"] = "http://localhost"
			}
			p, _, _ := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", tc.dir), config)
			info, err := p.Inspect(t.Context())
			require.NoError(t, err)
			assert.Equal(t, tc.want, info)
		})
	}
}

func TestExportBufferConfig(t *testing.T) {
	dir := exportTestDir(t, map[string]string{
		"plugin.json": `{"name": "buffer"}`,
		"index.js":    `export async function exportEvents() {}`,
	})
	for _, tc := range []struct {
		bytes, seconds any
		wantBytes      int
		wantPeriod     time.Duration
	}{
		{nil, nil, 1 << 20, 10 * time.Second},
		{"2048", "30", 2048, 30 * time.Second},
		{4096, 5, 4096, 5 * time.Second},
		{"0", "0", 1 << 20, 10 * time.Second},
		{"-5", "-5", 1, time.Second},
		{"999999999999", "100000", 100 << 20, 600 * time.Second},
		{"lots", "12abc", 1 << 20, 12 * time.Second},
	} {
		config := map[string]any{}
		if tc.bytes != nil {
			config["exportEventsBufferBytes"] = tc.bytes
			config["exportEventsBufferSeconds"] = tc.seconds
		}
		p, _, _ := exportTestPlugin(t, dir, config)
		bytes, period := p.ExportBuffer()
		assert.Equal(t, tc.wantBytes, bytes, "%v", tc.bytes)
		assert.Equal(t, tc.wantPeriod, period, "%v", tc.seconds)
	}
	p, _, _ := exportTestPlugin(t, dir, map[string]any{"exportEventsToIgnore": " $pageview, ,$feature_flag_called ,x"})
	assert.Equal(t, map[string]bool{"$pageview": true, "$feature_flag_called": true, "x": true}, p.ExportIgnore())
}

func TestExportEventsCall(t *testing.T) {
	testutil.NoLeaks(t)
	p, mem, log := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-batches"),
		map[string]any{"failTimes": "1", "exportEventsToIgnore": "ignored"})
	pool := exportTestPool(t, p)
	events := exportTestEvents(
		`{"event":"a","uuid":"1","properties":{}}`,
		`{"event":"ignored","uuid":"2"}`,
		`{"event":"$snapshot","uuid":"3"}`,
		`[1,2]`,
		`{"event":"capture me","uuid":"5"}`,
	)

	res, err := pool.ExportEvents(t.Context(), events)
	require.NoError(t, err)
	require.Len(t, res.Events, 5)
	assert.True(t, IsRetry(res.Events[0].Err), "the first attempt asks for a retry: %v", res.Events[0].Err)
	assert.True(t, res.Events[0].Called)
	assert.Equal(t, res.Events[0].Err, res.Events[4].Err, "a batch fails as a whole")
	assert.Equal(t, EventOutcome{}, res.Events[1], "ignored: not given, not failed")
	assert.Equal(t, EventOutcome{}, res.Events[2], "$snapshot: not given")
	assert.ErrorIs(t, res.Events[3].Err, ErrNotJSONObject)
	assert.False(t, res.Events[3].Called)

	res, err = pool.ExportEvents(t.Context(), events)
	require.NoError(t, err)
	for _, ev := range res.Events {
		if ev.Called {
			assert.NoError(t, ev.Err)
		}
	}
	batches := exportTestList(t, p, mem, "batches")
	require.Len(t, batches, 1)
	assert.Contains(t, batches[0], `"uuid":"1"`)
	assert.Contains(t, batches[0], `"uuid":"5"`)
	assert.NotContains(t, batches[0], `"uuid":"2"`)

	// onEvent gets ignored events; posthog.capture is counted, warned about once.
	res, err = pool.OnEvents(t.Context(), events)
	require.NoError(t, err)
	assert.True(t, res.Events[1].Called)
	assert.False(t, res.Events[2].Called, "$snapshot skips onEvent")
	assert.Equal(t, int64(1), res.Captured)
	_, err = pool.OnEvents(t.Context(), events[4:])
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "ignored", "capture me", "capture me"}, exportTestList(t, p, mem, "onevent"))
	var captureWarnings int
	for _, w := range log.Messages("WARN") {
		if strings.Contains(w, "posthog.capture in onEvent has no stream to join") {
			captureWarnings++
			assert.Contains(t, w, "posthog_schedule")
		}
	}
	assert.Equal(t, 1, captureWarnings)
}

func TestOnEventOutcomes(t *testing.T) {
	testutil.NoLeaks(t)
	p, mem, _ := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-onevent"), nil,
		func(o *Options) { o.Timeout = 300 * time.Millisecond })
	pool := exportTestPool(t, p)
	events := exportTestEvents(
		`{"event":"ok","uuid":"1"}`,
		`{"event":"boom","uuid":"2"}`,
		`{"event":"flaky","uuid":"3"}`,
		`{"event":"always-retry","uuid":"4"}`,
		`"just a string"`,
	)
	res, err := pool.OnEvents(t.Context(), events)
	require.NoError(t, err)
	assert.NoError(t, res.Events[0].Err)
	assert.Error(t, res.Events[1].Err)
	assert.False(t, IsRetry(res.Events[1].Err))
	assert.Contains(t, res.Events[1].Err.Error(), `plugin "export-onevent": onEvent: Error: boom`)
	assert.True(t, IsRetry(res.Events[2].Err), "a subclass of the scaffold's RetryError")
	assert.True(t, IsRetry(res.Events[3].Err))
	assert.ErrorIs(t, res.Events[4].Err, ErrNotJSONObject)

	res, err = pool.OnEvents(t.Context(), events[2:3])
	require.NoError(t, err)
	assert.NoError(t, res.Events[0].Err, "flaky succeeds the second time")

	// A call that never returns times out, which counts as a retry; the VM is rebuilt.
	res, err = pool.OnEvents(t.Context(), exportTestEvents(`{"event":"hang"}`))
	require.NoError(t, err)
	assert.True(t, IsRetry(res.Events[0].Err), "%v", res.Events[0].Err)
	require.Eventually(t, func() bool {
		res, err := pool.OnEvents(t.Context(), exportTestEvents(`{"event":"after"}`))
		return err == nil && res.Events[0].Err == nil
	}, 10*time.Second, 50*time.Millisecond)
	assert.Len(t, exportTestList(t, p, mem, "seen"), 3)
}

func TestWebhookCompose(t *testing.T) {
	testutil.NoLeaks(t)
	p, _, _ := exportTestPlugin(t, filepath.Join("..", "testdata", "plugins", "export-webhook"), map[string]any{"url": "https://hooks.example.com"})
	pool := exportTestPool(t, p)
	res, err := pool.ComposeWebhooks(t.Context(), exportTestEvents(
		`{"event":"signed up","uuid":"1","distinct_id":"d","timestamp":"2024-01-02T03:04:05Z","properties":{"plan":"pro"},"$set":{"email":"a@b"}}`,
		`{"event":"skip"}`,
		`{"event":"wrong"}`,
		`{"event":"put","uuid":"4"}`,
	))
	require.NoError(t, err)
	require.NoError(t, res.Events[0].Err)
	hook := res.Events[0].Webhook
	require.NotNil(t, hook)
	assert.Equal(t, "https://hooks.example.com/hook/signed%20up", hook.URL)
	assert.Equal(t, "POST", hook.Method)
	assert.Equal(t, [][2]string{{"Content-Type", "application/json"}, {"X-Event", "signed up"}}, hook.Headers)
	assert.Equal(t, `{"uuid":"1","event":"signed up","distinct_id":"d","properties":{"plan":"pro","$set":{"email":"a@b"}},"timestamp":"2024-01-02T03:04:05.000Z","groups":{},"isDate":true}`, string(hook.Body))

	assert.True(t, res.Events[1].Called)
	assert.NoError(t, res.Events[1].Err)
	assert.Nil(t, res.Events[1].Webhook, "null skips the event")
	assert.ErrorContains(t, res.Events[2].Err, "cannot compose")
	assert.Equal(t, "PUT", res.Events[3].Webhook.Method)
}

func TestWebhookResultShapes(t *testing.T) {
	dir := exportTestDir(t, map[string]string{
		"plugin.json": `{"name": "shapes"}`,
		"index.js": `export function composeWebhook(event) {
  switch (event.event) {
    case 'minimal': return { url: 'http://x/' }
    case 'object-body': return { url: 'http://x/', body: { a: 1 }, method: 'patch', headers: {} }
    case 'no-url': return { body: 'x' }
    case 'string': return 'http://x/'
    default: return undefined
  }
}`,
	})
	p, _, _ := exportTestPlugin(t, dir, nil)
	pool := exportTestPool(t, p)
	res, err := pool.ComposeWebhooks(t.Context(), exportTestEvents(
		`{"event":"minimal"}`, `{"event":"object-body"}`, `{"event":"no-url"}`, `{"event":"string"}`, `{"event":"other"}`))
	require.NoError(t, err)
	assert.Equal(t, &Webhook{URL: "http://x/", Method: "POST", Headers: [][2]string{{"Content-Type", "application/json"}}}, res.Events[0].Webhook)
	assert.Equal(t, &Webhook{URL: "http://x/", Method: "PATCH", Body: []byte(`{"a":1}`)}, res.Events[1].Webhook)
	assert.ErrorContains(t, res.Events[2].Err, "without a url")
	assert.ErrorContains(t, res.Events[3].Err, "instead of a webhook object")
	assert.NoError(t, res.Events[4].Err)
	assert.Nil(t, res.Events[4].Webhook)
}

func TestWebhookSend(t *testing.T) {
	testutil.NoLeaks(t)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusTeapot)
		_, _ = fmt.Fprintf(w, "%s %s %s %s", r.Method, r.URL.Path, r.Header.Get("X-Test"), body)
	}))
	defer server.Close()
	dir := exportTestDir(t, map[string]string{"plugin.json": `{"name": "sender"}`, "index.js": `export function composeWebhook() { return null }`})

	p, _, _ := exportTestPlugin(t, dir, nil)
	answer, err := p.SendWebhook(t.Context(), &Webhook{URL: server.URL + "/x", Method: "PUT", Headers: [][2]string{{"X-Test", "yes"}}, Body: []byte("hi")})
	require.NoError(t, err)
	assert.Equal(t, http.StatusTeapot, answer.StatusCode)
	assert.Equal(t, "PUT /x yes hi", string(answer.Body))

	_, err = p.SendWebhook(t.Context(), &Webhook{URL: "ftp://example.com/", Method: "POST"})
	assert.ErrorIs(t, err, ErrWebhookRefused)
	_, err = p.SendWebhook(t.Context(), &Webhook{URL: server.URL, Method: "BAD METHOD"})
	assert.ErrorIs(t, err, ErrWebhookRefused)

	// fetch_allow and fetch_deny_private apply to webhooks too.
	guarded, _, _ := exportTestPlugin(t, dir, nil, func(o *Options) { o.FetchDenyPrivate = true })
	_, err = guarded.SendWebhook(t.Context(), &Webhook{URL: server.URL, Method: "POST"})
	assert.ErrorIs(t, err, ErrWebhookRefused)
	allowed, _, _ := exportTestPlugin(t, dir, nil, func(o *Options) { o.FetchAllow = []string{"hooks.example.com"} })
	_, err = allowed.SendWebhook(t.Context(), &Webhook{URL: server.URL, Method: "POST"})
	assert.ErrorIs(t, err, ErrWebhookRefused)

	// A network error is not a refusal: it may be retried.
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	_, err = p.SendWebhook(t.Context(), &Webhook{URL: down.URL, Method: "POST"})
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrWebhookRefused)
}
