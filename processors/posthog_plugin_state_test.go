package processors

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/state/redistest"
)

type counterResult struct {
	N          int64
	Remembered any
	Cursor     int64
	Err        error
}

func runCounter(t *testing.T, proc *pluginProcessor, events ...string) []counterResult {
	t.Helper()
	batch := make(service.MessageBatch, len(events))
	for i, e := range events {
		batch[i] = service.NewMessage([]byte(e))
	}
	out, err := proc.ProcessBatch(t.Context(), batch)
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.Len(t, out[0], len(events), "no event is dropped")
	res := make([]counterResult, len(events))
	for i, msg := range out[0] {
		body, _ := msg.AsBytes()
		var ev struct {
			Properties struct {
				N          int64
				Remembered any
				Cursor     int64
			}
		}
		require.NoError(t, json.Unmarshal(body, &ev))
		res[i] = counterResult{ev.Properties.N, ev.Properties.Remembered, ev.Properties.Cursor, msg.GetError()}
	}
	return res
}

func counterProcessor(t *testing.T, extra string) *pluginProcessor {
	t.Helper()
	return newTestProcessor(t, "path: ../testdata/plugins/state-counter\nvms: 1\ntimeout: 5s\n"+extra)
}

// TestTwoPipelinesShareRedisState runs two processors (as two hogpipe
// processes would) against one real Redis: one counter, one cursor.
func TestTwoPipelinesShareRedisState(t *testing.T) {
	srv := redistest.Start(t)
	a := counterProcessor(t, "redis_url: "+srv.URL())
	b := counterProcessor(t, "redis_url: "+srv.URL())

	var mu sync.Mutex
	var ns, cursors []int64
	var wg sync.WaitGroup
	for _, proc := range []*pluginProcessor{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				for _, r := range runCounter(t, proc, `{"event":"e","properties":{}}`, `{"event":"e","properties":{}}`) {
					assert.NoError(t, r.Err)
					mu.Lock()
					ns = append(ns, r.N)
					cursors = append(cursors, r.Cursor)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	sort.Slice(ns, func(i, j int) bool { return ns[i] < ns[j] })
	sort.Slice(cursors, func(i, j int) bool { return cursors[i] < cursors[j] })
	for i := range ns {
		assert.Equal(t, int64(i+1), ns[i], "each increment seen once across both pipelines")
		assert.Equal(t, int64(101+i), cursors[i])
	}
}

func TestStorageSurvivesRestart(t *testing.T) {
	srv := redistest.Start(t, redistest.WithAppendOnly())
	backends := map[string]string{
		"state_dir": "state_dir: " + t.TempDir(),
		"redis":     "redis_url: " + srv.URL(),
	}
	for name, extra := range backends {
		t.Run(name, func(t *testing.T) {
			first := counterProcessor(t, extra)
			res := runCounter(t, first, `{"event":"remember","properties":{"value":{"kept":"`+name+`"}}}`)
			require.NoError(t, res[0].Err)
			require.NoError(t, first.Close(context.Background()))

			if name == "redis" {
				srv.Restart()
			}
			second := counterProcessor(t, extra)
			res = runCounter(t, second, `{"event":"e","properties":{}}`)
			require.NoError(t, res[0].Err)
			assert.Equal(t, map[string]any{"kept": name}, res[0].Remembered)
			assert.Equal(t, int64(102), res[0].Cursor, "the cursor persisted too")
		})
	}
}

// TestRedisOutage kills redis-server mid-stream: events during the outage
// carry the error flag and are not dropped; after a restart (append-only
// persistence) events succeed again with no hogpipe restart, and storage
// written before the outage is still there.
func TestRedisOutage(t *testing.T) {
	srv := redistest.Start(t, redistest.WithAppendOnly())
	proc := counterProcessor(t, "redis_url: "+srv.URL())

	res := runCounter(t, proc, `{"event":"remember","properties":{"value":"before"}}`)
	require.NoError(t, res[0].Err)

	srv.Stop()
	res = runCounter(t, proc, `{"event":"e","properties":{}}`, `{"event":"e","properties":{}}`)
	for _, r := range res {
		require.Error(t, r.Err)
		assert.Contains(t, r.Err.Error(), "unreachable")
	}

	srv.Restart()
	require.Eventually(t, func() bool {
		res = runCounter(t, proc, `{"event":"e","properties":{}}`)
		return res[0].Err == nil
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, "before", res[0].Remembered)
}

// TestUnawaitedWritesKeepTheirOrder: Hello World does not await its
// cache.set; with Redis the next event's get must still see it, as on the
// original server's single connection.
func TestUnawaitedWritesKeepTheirOrder(t *testing.T) {
	srv := redistest.Start(t)
	proc := newTestProcessor(t, "path: ../testdata/plugins/hello-world\nvms: 1\nredis_url: "+srv.URL())
	for want := 0; want < 5; want++ {
		out, err := proc.ProcessBatch(t.Context(), service.MessageBatch{service.NewMessage([]byte(`{"event":"e","properties":{}}`))})
		require.NoError(t, err)
		require.NoError(t, out[0][0].GetError())
		body, _ := out[0][0].AsBytes()
		assert.Contains(t, string(body), fmt.Sprintf(`"$counter":%d`, want))
	}
}
