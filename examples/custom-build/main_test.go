package main

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCustomBuild runs a pipeline that needs both halves of the binary:
// hogpipe's posthog_plugin processor (running the Hello World plugin) and
// this binary's own stamp processor.
func TestCustomBuild(t *testing.T) {
	b := service.NewStreamBuilder()
	require.NoError(t, b.SetLoggerYAML("level: none"))
	require.NoError(t, b.AddInputYAML(`
generate:
  count: 2
  interval: ""
  mapping: 'root = {"event": "signed up", "distinct_id": "user-" + counter().string(), "properties": {}}'
`))
	require.NoError(t, b.AddProcessorYAML(`
posthog_plugin:
  path: ../../testdata/plugins/hello-world
  vms: 1
  config:
    bar: baz
`))
	require.NoError(t, b.AddProcessorYAML(`stamp: {value: mine}`))

	var mu sync.Mutex
	var got []map[string]any
	var stamps []string
	require.NoError(t, b.AddConsumerFunc(func(_ context.Context, msg *service.Message) error {
		raw, err := msg.AsBytes()
		if err != nil {
			return err
		}
		var event map[string]any
		if err := json.Unmarshal(raw, &event); err != nil {
			return err
		}
		s, _ := msg.MetaGet("stamp")
		mu.Lock()
		defer mu.Unlock()
		got = append(got, event)
		stamps = append(stamps, s)
		return nil
	}))
	stream, err := b.Build()
	require.NoError(t, err)
	require.NoError(t, stream.Run(t.Context()))

	require.Len(t, got, 2)
	for i, event := range got {
		props, _ := event["properties"].(map[string]any)
		assert.Equal(t, "world", props["hello"], "the plugin ran on event %d", i)
		assert.Equal(t, "baz", props["bar"])
		assert.Equal(t, "mine", stamps[i], "stamp ran on event %d", i)
	}
}
