package pluginhost

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// TestProcessGlobal: a plugin sees the process global. Under Node 20
// without NODE_ENV set the fixture gives the same except that NODE_ENV is
// undefined, env holds the host's environment and stdout is an object:
// here NODE_ENV is "production" by both roads (esbuild's define and the
// env object), nothing of the host's environment shows, and there is no
// stdout. The warning goes to the plugin's log.
func TestProcessGlobal(t *testing.T) {
	mem := state.NewMemory()
	defer mem.Close()
	logger := &testutil.Logger{T: t}
	p, err := Load(Options{Path: "testdata/process", Logger: logger, Cache: mem.Cache(), Storage: mem.Storage(), VMs: 1, Timeout: 10 * time.Second})
	require.NoError(t, err)
	defer p.Close()
	pool, err := p.Start(t.Context())
	require.NoError(t, err)
	defer pool.Close(context.Background())

	res, err := pool.ProcessEvents(t.Context(), [][]byte{[]byte(`{"event":"e","distinct_id":"user-1","properties":{}}`)})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.NoError(t, res[0].Err)
	var event struct {
		Properties struct {
			Process json.RawMessage `json:"process"`
		} `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(res[0].Event, &event))
	assert.JSONEq(t, `{"isNode":true,"nodeEnvLiteral":"production","nodeEnvDynamic":"production","hostEnv":1,"order":"sync tick promise","hrtime":2,"bigint":"bigint","stdout":"undefined"}`, string(event.Properties.Process))
	assert.Equal(t, 1, logger.Count("[DEP_X] DeprecationWarning: old api"), logger.String())
}
