package pluginhost

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// TestAWSSDKBoundedByTheCall: an S3 request to a server that never answers
// ends with the calling function's timeout, on the wire too.
func TestAWSSDKBoundedByTheCall(t *testing.T) {
	cancelled := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		cancelled <- struct{}{}
	}))
	defer srv.Close()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plugin.json"), []byte(`{"name":"s3-hang"}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.ts"), []byte(`
import { S3 } from 'aws-sdk'
export async function processEvent(event, { config }) {
    const s3 = new S3({ accessKeyId: 'a', secretAccessKey: 'b', endpoint: config.endpoint, s3ForcePathStyle: true })
    await s3.headBucket({ Bucket: 'b' }).promise()
    return event
}
`), 0o644))
	mem := state.NewMemory()
	defer mem.Close()
	p, err := Load(Options{Path: dir, Logger: &testutil.Logger{T: t}, Cache: mem.Cache(), Storage: mem.Storage(),
		VMs: 1, Timeout: 300 * time.Millisecond, Config: map[string]any{"endpoint": srv.URL}})
	require.NoError(t, err)
	defer p.Close()
	pool, err := p.Start(t.Context())
	require.NoError(t, err)
	defer pool.Close(context.Background())
	event, _ := json.Marshal(map[string]any{"event": "e", "distinct_id": "d", "properties": map[string]any{}})
	results, err := pool.ProcessEvents(t.Context(), [][]byte{event})
	require.NoError(t, err)
	require.Len(t, results, 1)
	require.Error(t, results[0].Err)
	assert.Contains(t, results[0].Err.Error(), "timed out")
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the S3 request outlived the call")
	}
}
