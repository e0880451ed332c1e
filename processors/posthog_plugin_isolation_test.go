package processors

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type twinResult struct {
	Twin, Owner string
	CacheOwner  *string
	Cache       int
	Storage     int
}

func runTwin(t *testing.T, proc *pluginProcessor) twinResult {
	t.Helper()
	out, err := proc.ProcessBatch(t.Context(), service.MessageBatch{service.NewMessage([]byte(`{"event":"e","distinct_id":"d","properties":{}}`))})
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.Len(t, out[0], 1)
	require.NoError(t, out[0][0].GetError())
	body, err := out[0][0].AsBytes()
	require.NoError(t, err)
	var ev struct{ Properties twinResult }
	require.NoError(t, json.Unmarshal(body, &ev))
	return ev.Properties
}

// TestSameNameDifferentPluginsRefused: two different plugins whose
// plugin.json names are equal get the same derived plugin_config_id; in
// one process that is an error naming both folders and the fix, not two
// plugins silently sharing cache, storage and jobs.
func TestSameNameDifferentPluginsRefused(t *testing.T) {
	newTestProcessor(t, "path: ../testdata/plugins/hostile/twin-a\nvms: 1")
	conf, err := pluginProcessorSpec().ParseYAML("path: ../testdata/plugins/hostile/twin-b\nvms: 1", nil)
	require.NoError(t, err)
	proc, err := newPluginProcessorFromParsed(conf, service.MockResources())
	if proc != nil {
		_ = proc.Close(context.Background())
	}
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, `plugin "twin" in `)
	assert.Contains(t, msg, "twin-a")
	assert.Contains(t, msg, "twin-b")
	assert.Contains(t, msg, "(derived from the name, as no plugin_config_id is set)")
	assert.Contains(t, msg, "set a different plugin_config_id on each")

	// The same plugin in two components is one instance, as before.
	newTestProcessor(t, "path: ../testdata/plugins/hostile/twin-a\nvms: 1")
}

// TestSameNameDifferentIDsIsolated: with their own plugin_config_ids the
// twins run side by side and share neither storage nor cache.
func TestSameNameDifferentIDsIsolated(t *testing.T) {
	a := newTestProcessor(t, "path: ../testdata/plugins/hostile/twin-a\nplugin_config_id: 8101\nvms: 1")
	b := newTestProcessor(t, "path: ../testdata/plugins/hostile/twin-b\nplugin_config_id: 8102\nvms: 1")
	for i := 1; i <= 2; i++ {
		ra, rb := runTwin(t, a), runTwin(t, b)
		assert.Equal(t, twinResult{Twin: "a", Owner: "a", Cache: i, Storage: i, CacheOwner: ownerAfter(i, "a")}, ra)
		assert.Equal(t, twinResult{Twin: "b", Owner: "b", Cache: i, Storage: i, CacheOwner: ownerAfter(i, "b")}, rb)
	}
}

// ownerAfter is what cache.get('owner') shows on the i-th event of a twin
// that has the cache to itself.
func ownerAfter(i int, twin string) *string {
	if i == 1 {
		return nil
	}
	return &twin
}
