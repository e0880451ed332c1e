package pluginhost

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/node/bigquery/bqtest"
	"github.com/hogpipe/hogpipe/internal/node/googleauth/authtest"
	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// gcloudPlugin loads a one-file plugin with source as index.ts.
func gcloudPlugin(t *testing.T, source string, timeout time.Duration, config map[string]any) *Pool {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plugin.json"), []byte(`{"name":"gcloud"}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.ts"), []byte(source), 0o644))
	mem := state.NewMemory()
	t.Cleanup(func() { _ = mem.Close() })
	p, err := Load(Options{Path: dir, Logger: &testutil.Logger{T: t}, Cache: mem.Cache(), Storage: mem.Storage(),
		VMs: 1, Timeout: timeout, Config: config})
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	pool, err := p.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	return pool
}

func gcloudEvent(t *testing.T, pool *Pool) EventResult {
	t.Helper()
	event, _ := json.Marshal(map[string]any{"event": "e", "distinct_id": "d", "properties": map[string]any{}})
	results, err := pool.ProcessEvents(t.Context(), [][]byte{event})
	require.NoError(t, err)
	require.Len(t, results, 1)
	return results[0]
}

// TestGcloudModules: both Google packages load in a plugin, in the import
// styles bundled TypeScript uses, make their requests, and fail on the
// network with node-fetch's FetchError (PostHog's BigQuery export retries
// setup on instanceof FetchError).
func TestGcloudModules(t *testing.T) {
	bq := bqtest.Start(t, "analytics")
	uploaded := make(chan string, 1)
	gcs := authtest.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		uploaded <- r.URL.Query().Get("name") + "=" + string(body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"storage#object"}`))
	}))
	pool := gcloudPlugin(t, `
import bigquery from '@google-cloud/bigquery'
import { Storage } from '@google-cloud/storage'
import { FetchError } from 'node-fetch'
export async function processEvent(event, { config }) {
    const bq = new bigquery.BigQuery({ credentials: JSON.parse(config.bqKey), apiEndpoint: config.bqURL })
    const [exists] = await bq.dataset('analytics').exists()
    const down = new bigquery.BigQuery({ credentials: JSON.parse(config.bqKey), apiEndpoint: 'http://127.0.0.1:1' })
    const err = await down.dataset('analytics').table('t').insert({ a: 1 }).catch((e) => e)
    event.properties.network = [err instanceof FetchError, err.name, err.type, err.code].join()
    const storage = new Storage({ credentials: JSON.parse(config.gcsKey), apiEndpoint: config.gcsURL })
    await storage.bucket('b').file('o.txt').save('hello')
    event.properties.exists = exists
    return event
}
`, 5*time.Second, map[string]any{"bqKey": bq.Credentials(), "bqURL": bq.URL, "gcsKey": gcs.Credentials(), "gcsURL": gcs.URL})
	res := gcloudEvent(t, pool)
	require.NoError(t, res.Err)
	assert.Contains(t, string(res.Event), `"exists":true`)
	assert.Contains(t, string(res.Event), `"network":"true,FetchError,system,ECONNREFUSED"`, "network failures are node-fetch's FetchError, as gaxios lets them through")
	assert.Equal(t, "o.txt=hello", <-uploaded)
}

// TestGcloudBoundedByTheCall: an upload to a server that never answers
// ends with the calling function's timeout, on the wire too.
func TestGcloudBoundedByTheCall(t *testing.T) {
	cancelled := make(chan struct{}, 1)
	srv := authtest.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices the client going only once the body is read.
		_, _ = io.ReadAll(r.Body)
		<-r.Context().Done()
		cancelled <- struct{}{}
	}))
	pool := gcloudPlugin(t, `
import { Storage } from '@google-cloud/storage'
export async function processEvent(event, { config }) {
    await new Storage({ credentials: JSON.parse(config.key), apiEndpoint: config.url }).bucket('b').file('o').save('x')
    return event
}
`, 300*time.Millisecond, map[string]any{"key": srv.Credentials(), "url": srv.URL})
	res := gcloudEvent(t, pool)
	require.Error(t, res.Err)
	// Two clocks share the deadline: the call's own (processEvent timed
	// out) and the request's context (the upload's FetchError reaches the
	// plugin first). Either way the call is what bounded the upload.
	assert.Regexp(t, `timed out|the calling function's time ran out`, res.Err.Error())
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the upload outlived the call")
	}
}
