package processors

import (
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProcessorHostilePlugin runs a probe that allocates without end through
// the processor: max_memory stops it, the message is flagged and passed on
// as it came, and the next batch is processed.
func TestProcessorHostilePlugin(t *testing.T) {
	proc := newTestProcessor(t, `
path: ../testdata/plugins/hostile/memory-hog
max_memory: 64MiB
timeout: 1m
vms: 1
`)
	in := `{"event":"hog","distinct_id":"d","properties":{"kept":true}}`
	out, err := proc.ProcessBatch(t.Context(), service.MessageBatch{service.NewMessage([]byte(in))})
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.Len(t, out[0], 1, "the message is kept")
	require.Error(t, out[0][0].GetError())
	assert.Contains(t, out[0][0].GetError().Error(), "over its max_memory of 64 MiB")
	body, _ := out[0][0].AsBytes()
	assert.JSONEq(t, in, string(body))

	require.Eventually(t, func() bool {
		out, err := proc.ProcessBatch(t.Context(), service.MessageBatch{service.NewMessage([]byte(`{"event":"fine","properties":{}}`))})
		return err == nil && len(out) == 1 && out[0][0].GetError() == nil
	}, 30*time.Second, 50*time.Millisecond, "the processor goes on")
}

func TestMaxMemoryLint(t *testing.T) {
	for value, ok := range map[string]bool{
		"512MiB": true, "1GB": true, "0": true, "1.5 GiB": true, "1048576": true, "64kib": true,
		"lots": false, "-1MiB": false, "12 parsecs": false,
	} {
		t.Run(value, func(t *testing.T) {
			err := service.NewStreamBuilder().AddProcessorYAML(`
posthog_plugin:
  path: ../testdata/plugins/hello-world
  max_memory: "` + value + `"
`)
			if ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "max_memory must be a size")
		})
	}
}
