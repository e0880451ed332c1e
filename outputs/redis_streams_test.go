package outputs

import (
	"context"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state/redistest"
)

func rsOutTest(t *testing.T, yaml string) *rsOutput {
	t.Helper()
	conf, err := rsOutputSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	o, _, _, err := newRSOutputFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, o.Close(context.Background())) })
	return o
}

func TestRSOutputAppendsAndTrims(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	srv := redistest.Start(t)
	opts, err := redis.ParseURL(srv.URL())
	require.NoError(t, err)
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })

	o := rsOutTest(t, fmt.Sprintf("url: %s\nstream: out-${! json(\"team\") }\nbody_key: data\nmax_length: 100", srv.URL()))
	require.NoError(t, o.Connect(t.Context()))
	var batch service.MessageBatch
	for i := range 1000 {
		batch = append(batch, service.NewMessage(fmt.Appendf(nil, `{"i":%d,"team":1}`, i)))
	}
	batch = append(batch, service.NewMessage([]byte(`{"team":2}`)))
	require.NoError(t, o.WriteBatch(t.Context(), batch))

	n, err := c.XLen(t.Context(), "out-1").Result()
	require.NoError(t, err)
	assert.Less(t, n, int64(1000), "trimmed")
	assert.GreaterOrEqual(t, n, int64(100), "approximately: never below max_length")
	last, err := c.XRevRangeN(t.Context(), "out-1", "+", "-", 1).Result()
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"data": `{"i":999,"team":1}`}, last[0].Values)
	assert.Equal(t, int64(1), c.XLen(t.Context(), "out-2").Val())

	// A key of the wrong type fails its message only, naming the server.
	require.NoError(t, c.Set(t.Context(), "out-3", "a string", 0).Err())
	err = o.WriteBatch(t.Context(), service.MessageBatch{
		service.NewMessage([]byte(`{"team":1}`)),
		service.NewMessage([]byte(`{"team":3}`)),
	})
	var be *service.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 1, be.IndexedErrors())
	assert.Contains(t, err.Error(), "redis "+srv.Addr()+": XADD to out-3: WRONGTYPE")
}

func TestRSOutputRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	o := rsOutTest(t, fmt.Sprintf("url: %s\nstream: out", srv.URL()))
	err := o.Connect(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redis "+srv.Addr()+" unreachable")
	assert.ErrorIs(t, o.WriteBatch(t.Context(), service.MessageBatch{service.NewMessage(nil)}), service.ErrNotConnected)

	srv.Restart()
	require.NoError(t, o.Connect(t.Context()))
	require.NoError(t, o.WriteBatch(t.Context(), service.MessageBatch{service.NewMessage([]byte("x"))}))
}

func TestRSOutputWrongPasswordNamesTheServer(t *testing.T) {
	srv := redistest.Start(t, redistest.WithPassword("right"))
	o := rsOutTest(t, fmt.Sprintf("url: redis://:wrong@%s/0\nstream: out", srv.Addr()))
	err := o.Connect(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "failed to connect to redis "+srv.Addr())
	assert.Contains(t, err.Error(), "WRONGPASS")
	assert.NotContains(t, err.Error(), "wrong@")
}
