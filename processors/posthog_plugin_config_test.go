package processors

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil/streamtest"
)

// TestStoredConfigLoads runs a config as PostHog stored it: keys the schema
// does not declare (an older version's, ones the code reads anyway) and a
// plugin.json with {"markdown": ""}. It loads, the plugin sees every key, and
// one warning names the undeclared keys with the closest declared one.
func TestStoredConfigLoads(t *testing.T) {
	var logs streamtest.Logs
	builder := service.NewStreamBuilder()
	builder.SetLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	require.NoError(t, builder.SetYAML(`
input:
  generate:
    count: 2
    interval: ""
    mapping: 'root = {"event": "e", "distinct_id": "d"}'
pipeline:
  processors:
    - posthog_plugin:
        path: ../testdata/plugins/stored-config
        vms: 1
        config:
          apiKey: k-123
          mode: b
          enable: true
          excludeEvents: "a,b"
          mdoe: a
output:
  drop: {}
`))
	var mu sync.Mutex
	var got []string
	require.NoError(t, builder.AddConsumerFunc(func(_ context.Context, m *service.Message) error {
		b, err := m.AsBytes()
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		return err
	}))
	stream, err := builder.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, stream.Run(ctx), logs.String())

	require.Len(t, got, 2)
	assert.Contains(t, got[0], `"config":{"mode":"b","enable":"true","excludeEvents":"a,b","mdoe":"a"}`)
	assert.Contains(t, got[0], `"config_keys":["apiKey","mode","enable","excludeEvents","mdoe"]`)

	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, "not declared in plugin.json"), out)
	assert.Contains(t, out, `config keys \"enable\", \"excludeEvents\", \"mdoe\" (did you mean \"mode\"?) not declared in plugin.json`)
	assert.NotContains(t, out, "k-123")
}
