package processors

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	"github.com/hogpipe/hogpipe/internal/testutil"
)

func newTestProcessor(t *testing.T, yaml string) *pluginProcessor {
	t.Helper()
	conf, err := pluginProcessorSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	proc, err := newPluginProcessorFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, proc.Close(context.Background())) })
	return proc
}

func message(body string, meta map[string]string) *service.Message {
	msg := service.NewMessage([]byte(body))
	for k, v := range meta {
		msg.MetaSetMut(k, v)
	}
	return msg
}

func TestProcessorResults(t *testing.T) {
	testutil.NoLeaks(t) // checks after the processor's Close
	proc := newTestProcessor(t, `
path: ../testdata/plugins/behaviour
config: {apiKey: secret-value}
plugin_config_id: 3
vms: 1
`)
	batch := service.MessageBatch{
		message(`{"event":"drop-null"}`, map[string]string{"id": "1"}),
		message(`{"event":"throw-error","distinct_id":"d","properties":{}}`, map[string]string{"id": "2"}),
		message(`{"event":"ok","properties":{"z":1,"a":2}}`, map[string]string{"id": "3"}),
		message(`not json`, map[string]string{"id": "4"}),
	}
	out, err := proc.ProcessBatch(t.Context(), batch)
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.Len(t, out[0], 3, "the dropped message is gone")

	ids := []string{}
	for _, msg := range out[0] {
		id, _ := msg.MetaGet("id")
		ids = append(ids, id)
	}
	assert.Equal(t, []string{"2", "3", "4"}, ids, "metadata is preserved")

	assert.ErrorContains(t, out[0][0].GetError(), "boom: d")
	body, _ := out[0][0].AsBytes()
	assert.JSONEq(t, `{"event":"throw-error","distinct_id":"d","properties":{"touched":true,"$plugins_failed":["behaviour (3)"]}}`, string(body))

	require.NoError(t, out[0][1].GetError())
	body, _ = out[0][1].AsBytes()
	assert.Equal(t, `{"event":"ok","properties":{"z":1,"a":2,"seen":1,"$plugins_succeeded":["behaviour (3)"]}}`, string(body))

	assert.ErrorContains(t, out[0][3-1].GetError(), "not a JSON object")
	body, _ = out[0][2].AsBytes()
	assert.Equal(t, "not json", string(body))
}

func TestProcessorCapturesAndBatches(t *testing.T) {
	proc := newTestProcessor(t, `
path: ../testdata/plugins/capture
vms: 1
`)
	out, err := proc.ProcessBatch(t.Context(), service.MessageBatch{
		message(`{"event":"drop-me","properties":{}}`, map[string]string{"source": "a"}),
		message(`{"event":"keep","properties":{}}`, map[string]string{"source": "b"}),
	})
	require.NoError(t, err)
	require.Len(t, out, 1)
	var names, sources []string
	for _, msg := range out[0] {
		var ev struct{ Event string }
		body, _ := msg.AsBytes()
		require.NoError(t, json.Unmarshal(body, &ev))
		names = append(names, ev.Event)
		src, _ := msg.MetaGet("source")
		sources = append(sources, src)
	}
	assert.Equal(t, []string{"derived one", "derived two", "keep", "derived one", "derived two"}, names)
	assert.Equal(t, []string{"a", "a", "b", "b", "b"}, sources)

	batchProc := newTestProcessor(t, `
path: ../testdata/plugins/batch
vms: 1
`)
	out, err = batchProc.ProcessBatch(t.Context(), service.MessageBatch{
		message(`{"event":"keep","uuid":"1","properties":{}}`, map[string]string{"n": "1"}),
		message(`{"event":"dup","uuid":"2","properties":{}}`, map[string]string{"n": "2"}),
		message(`{"event":"drop","uuid":"3","properties":{}}`, map[string]string{"n": "3"}),
	})
	require.NoError(t, err)
	require.Len(t, out[0], 3)
	var ns []string
	for _, msg := range out[0] {
		n, _ := msg.MetaGet("n")
		ns = append(ns, n)
	}
	assert.Equal(t, []string{"2", "2", "1"}, ns)
}

// TestStreamRoutesFailuresToDeadLetter runs a whole pipeline: two plugins
// chained, failures routed by errored().
func TestStreamRoutesFailuresToDeadLetter(t *testing.T) {
	builder := service.NewStreamBuilder()
	require.NoError(t, builder.SetYAML(`
input:
  generate:
    count: 4
    interval: ""
    mapping: |
      root = if counter() % 2 == 0 { {"event": "throw-error", "distinct_id": "x", "properties": {}} } else { {"event": "ok", "properties": {"n": counter()}} }
pipeline:
  processors:
    - posthog_plugin:
        path: ../testdata/plugins/behaviour
        config: {apiKey: k}
    - posthog_plugin:
        path: ../testdata/plugins/style-module-exports
output:
  switch:
    cases:
      - check: errored()
        output:
          drop: {}
          processors:
            - mapping: 'root = content().string() + " FAILED"'
            - mapping: 'meta route = "dead"'
            - sync_response: {}
      - output:
          drop: {}
          processors:
            - sync_response: {}
logger:
  level: none
`))
	var mu sync.Mutex
	var failed, passed int
	require.NoError(t, builder.AddConsumerFunc(func(_ context.Context, msg *service.Message) error {
		mu.Lock()
		defer mu.Unlock()
		if msg.GetError() != nil {
			failed++
		} else {
			passed++
		}
		return nil
	}))
	// AddConsumerFunc replaces the output above; errors still ride on the
	// messages, which is what a switch on errored() reads.
	stream, err := builder.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, stream.Run(ctx))
	assert.Equal(t, 2, failed)
	assert.Equal(t, 2, passed)
}

func TestLintRejectsBadFields(t *testing.T) {
	env := service.NewEnvironment()
	_, err := pluginProcessorSpec().ParseYAML(`path: ../testdata/plugins/hello-world
timeout: -1s`, env)
	require.NoError(t, err, "parse succeeds; lint rules are applied by the linter")

	builder := service.NewStreamBuilder()
	err = builder.AddProcessorYAML(`
posthog_plugin:
  path: ../testdata/plugins/hello-world
  not_a_field: 1
`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not_a_field")
}

func TestConfigErrorsStopStartup(t *testing.T) {
	conf, err := pluginProcessorSpec().ParseYAML(`
path: ../testdata/plugins/meta-apis
config: {mode: slow, unknown_key: 1}
`, nil)
	require.NoError(t, err)
	_, err = newPluginProcessorFromParsed(conf, service.MockResources())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `config key "mode"`)
	assert.Contains(t, err.Error(), "Meta APIs")
	assert.NotContains(t, err.Error(), "unknown_key", "undeclared keys only warn")
}
