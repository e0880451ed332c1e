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

// moduleE2EWant is what the fixture's processEvent computes under Node 20
// (the CommonJS fixture run with node, with "use strict" as the bundle has).
const moduleE2EWant = `{
 "md5": "d6d7705392bc7af633328bea8c4c6904",
 "sha256": "LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=",
 "hmac": "772b71c8a2997e768be01d9711e4a4f34a24ef33",
 "sameHash": true,
 "host": "example.com:8080",
 "formatted": "https://a.com/x?a=1",
 "resolved": "http://a/d",
 "urlGlobal": true,
 "gz": "zip",
 "gzAsync": "async",
 "inspect": "{ a: [ 1, 2 ], b: { c: 'd' } }",
 "format": "n=5",
 "utilDefault": true,
 "stream": "streamed",
 "streamNS": "function",
 "once": 42,
 "qs": "a=1&a=2&b=x%20y",
 "contrib": "2,1",
 "buffer": true,
 "retry": "function",
 "intl": "12/31/1969, 7:00:00 PM",
 "dtf": "Jan 1, 1970",
 "clone": 0,
 "microtask": "ok",
 "lookbehind": "10",
 "strict": "ReferenceError"
}`

// TestModuleE2E loads fixture plugins that import every host module (ESM
// in TypeScript, and CommonJS) through Load, Start and ProcessEvents.
func TestModuleE2E(t *testing.T) {
	for _, dir := range []string{"testdata/modules/esm", "testdata/modules/cjs"} {
		t.Run(dir, func(t *testing.T) {
			mem := state.NewMemory()
			defer mem.Close()
			p, err := Load(Options{Path: dir, Logger: &testutil.Logger{T: t}, Cache: mem.Cache(), Storage: mem.Storage(), VMs: 1, Timeout: 10 * time.Second})
			require.NoError(t, err)
			defer p.Close()
			ctx := t.Context()
			pool, err := p.Start(ctx)
			require.NoError(t, err)
			defer pool.Close(context.Background())
			res, err := pool.ProcessEvents(ctx, [][]byte{[]byte(`{"event":"e","distinct_id":"user-1","properties":{}}`)})
			require.NoError(t, err)
			require.Len(t, res, 1)
			require.NoError(t, res[0].Err)
			var event struct {
				Properties json.RawMessage `json:"properties"`
			}
			require.NoError(t, json.Unmarshal(res[0].Event, &event))
			assert.JSONEq(t, moduleE2EWant, string(event.Properties))
		})
	}
}
