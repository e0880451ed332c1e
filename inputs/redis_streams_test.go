package inputs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/internal/testutil/streamtest"
	"github.com/hogpipe/hogpipe/state/redistest"
)

func rsTestClient(t *testing.T, srv *redistest.Server) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(srv.URL())
	require.NoError(t, err)
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func rsTestAdd(t *testing.T, c *redis.Client, stream string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		require.NoError(t, c.XAdd(t.Context(), &redis.XAddArgs{
			Stream: stream, Values: []any{"body", fmt.Sprintf(`{"i":%d}`, i), "team", "7"},
		}).Err())
	}
}

func rsTestInput(t *testing.T, yaml string) *rsInput {
	t.Helper()
	conf, err := rsInputSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	in, err := newRSInputFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, in.Close(context.Background())) })
	return in
}

func rsTestRead(t *testing.T, in *rsInput) (service.MessageBatch, service.AckFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	batch, ack, err := in.ReadBatch(ctx)
	require.NoError(t, err)
	return batch, ack
}

func rsTestBodies(t *testing.T, batch service.MessageBatch) []string {
	t.Helper()
	var out []string
	for _, m := range batch {
		b, err := m.AsBytes()
		require.NoError(t, err)
		out = append(out, string(b))
	}
	return out
}

func rsTestPending(t *testing.T, c *redis.Client, stream, group string) int64 {
	t.Helper()
	p, err := c.XPending(t.Context(), stream, group).Result()
	require.NoError(t, err)
	return p.Count
}

func TestRSInputConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"no streams", "url: redis://x\nstreams: []\nconsumer_group: g", "streams must name at least one stream"},
		{"no group", "url: redis://x\nstreams: [s]\nconsumer_group: ''", "consumer_group must not be empty"},
		{"limit", "url: redis://x\nstreams: [s]\nconsumer_group: g\nlimit: 0", "limit must be positive"},
		{"commit_period", "url: redis://x\nstreams: [s]\nconsumer_group: g\ncommit_period: 0s", "commit_period must be positive"},
		{"claim_min_idle", "url: redis://x\nstreams: [s]\nconsumer_group: g\nclaim_min_idle: -1s", "claim_min_idle must not be negative"},
		{"body_key", "url: redis://x\nstreams: [s]\nconsumer_group: g\nbody_key: ''", "body_key must not be empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf, err := rsInputSpec().ParseYAML(tc.yaml, nil)
			require.NoError(t, err)
			_, err = newRSInputFromParsed(conf, service.MockResources())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestRSInputReadAckAndMetadata(t *testing.T) {
	srv := redistest.Start(t)
	c := rsTestClient(t, srv)
	rsTestAdd(t, c, "ev", 0, 3)
	require.NoError(t, c.XAdd(t.Context(), &redis.XAddArgs{Stream: "ev", Values: []any{"other", "x"}}).Err())

	in := rsTestInput(t, fmt.Sprintf("url: %s\nstreams: [ev]\nconsumer_group: g\nclient_id: c1\ncommit_period: 10ms", srv.URL()))
	require.NoError(t, in.Connect(t.Context()))
	batch, ack := rsTestRead(t, in)
	require.Len(t, batch, 4)
	assert.Equal(t, []string{`{"i":0}`, `{"i":1}`, `{"i":2}`, ``}, rsTestBodies(t, batch))
	team, _ := batch[0].MetaGet("team")
	assert.Equal(t, "7", team)
	stream, _ := batch[0].MetaGet("redis_stream")
	assert.Equal(t, "ev", stream)
	id, _ := batch[0].MetaGet("redis_stream_id")
	assert.Regexp(t, `^\d+-\d+$`, id)
	require.Error(t, batch[3].GetError(), "an entry without body_key is flagged, not dropped")
	assert.Contains(t, batch[3].GetError().Error(), `has no "body" field`)
	other, _ := batch[3].MetaGet("other")
	assert.Equal(t, "x", other)

	assert.Equal(t, int64(4), rsTestPending(t, c, "ev", "g"), "nothing is acked before the downstream ack")
	require.NoError(t, ack(t.Context(), nil))
	require.Eventually(t, func() bool { return rsTestPending(t, c, "ev", "g") == 0 }, 5*time.Second, 10*time.Millisecond)
}

func TestRSInputRestartRereadsOwnPendingAndNackKeepsPending(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	srv := redistest.Start(t)
	c := rsTestClient(t, srv)
	rsTestAdd(t, c, "ev", 0, 5)
	yaml := fmt.Sprintf("url: %s\nstreams: [ev]\nconsumer_group: g\nclient_id: c1\nlimit: 2\nclaim_min_idle: 0s", srv.URL())

	in := rsTestInput(t, yaml)
	require.NoError(t, in.Connect(t.Context()))
	batch, ack := rsTestRead(t, in)
	assert.Equal(t, []string{`{"i":0}`, `{"i":1}`}, rsTestBodies(t, batch))
	require.NoError(t, ack(t.Context(), nil))
	batch, ack = rsTestRead(t, in)
	assert.Equal(t, []string{`{"i":2}`, `{"i":3}`}, rsTestBodies(t, batch))
	require.NoError(t, ack(t.Context(), errors.New("rejected")))
	require.NoError(t, in.Close(t.Context()))
	assert.Equal(t, int64(2), rsTestPending(t, c, "ev", "g"), "the nacked entries stay pending")

	in2 := rsTestInput(t, yaml)
	require.NoError(t, in2.Connect(t.Context()))
	batch, ack = rsTestRead(t, in2)
	assert.Equal(t, []string{`{"i":2}`, `{"i":3}`}, rsTestBodies(t, batch), "own pending entries first")
	require.NoError(t, ack(t.Context(), nil))
	batch, ack = rsTestRead(t, in2)
	assert.Equal(t, []string{`{"i":4}`}, rsTestBodies(t, batch))
	require.NoError(t, ack(t.Context(), nil))
	require.NoError(t, in2.Close(t.Context()))
	assert.Equal(t, int64(0), rsTestPending(t, c, "ev", "g"), "Close sends the last XACKs")
}

func TestRSInputClaimsEntriesOthersLeftIdle(t *testing.T) {
	srv := redistest.Start(t)
	c := rsTestClient(t, srv)
	rsTestAdd(t, c, "ev", 0, 3)
	// A consumer that read everything and died.
	require.NoError(t, c.XGroupCreate(t.Context(), "ev", "g", "0").Err())
	require.NoError(t, c.XReadGroup(t.Context(), &redis.XReadGroupArgs{Group: "g", Consumer: "dead", Streams: []string{"ev", ">"}, Count: 10}).Err())
	rsTestAdd(t, c, "ev", 3, 4)

	in := rsTestInput(t, fmt.Sprintf("url: %s\nstreams: [ev]\nconsumer_group: g\nclient_id: alive\nclaim_min_idle: 200ms\ncommit_period: 10ms", srv.URL()))
	require.NoError(t, in.Connect(t.Context()))
	var got []string
	for len(got) < 4 {
		batch, ack := rsTestRead(t, in)
		got = append(got, rsTestBodies(t, batch)...)
		require.NoError(t, ack(t.Context(), nil))
	}
	assert.ElementsMatch(t, []string{`{"i":0}`, `{"i":1}`, `{"i":2}`, `{"i":3}`}, got)
	require.Eventually(t, func() bool { return rsTestPending(t, c, "ev", "g") == 0 }, 5*time.Second, 10*time.Millisecond)
}

func TestRSInputStreamMissingWithoutCreate(t *testing.T) {
	srv := redistest.Start(t)
	in := rsTestInput(t, fmt.Sprintf("url: %s\nstreams: [nope]\nconsumer_group: g\ncreate_streams: false", srv.URL()))
	err := in.Connect(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redis "+srv.Addr()+`: stream "nope" does not exist`)
}

func TestRSInputRedisDownAtStartup(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop()
	builder := service.NewStreamBuilder()
	logs := streamtest.CaptureLogs(builder)
	require.NoError(t, builder.AddInputYAML(fmt.Sprintf(`
redis_streams:
  url: %s
  streams: [ev]
  consumer_group: g
  commit_period: 10ms
`, srv.URL())))
	msgs := streamtest.Collect(t, builder, 100)
	stream, err := builder.Build()
	require.NoError(t, err)
	streamtest.Run(t, stream)

	require.Eventually(t, func() bool {
		return strings.Contains(logs.String(), "redis "+srv.Addr()+" unreachable")
	}, 10*time.Second, 20*time.Millisecond, logs.String())

	srv.Restart()
	c := rsTestClient(t, srv)
	require.Eventually(t, func() bool { return c.Exists(t.Context(), "ev").Val() == 1 }, 30*time.Second, 20*time.Millisecond, logs.String())
	rsTestAdd(t, c, "ev", 0, 3)
	for i := range 3 {
		select {
		case m := <-msgs:
			b, err := m.AsBytes()
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf(`{"i":%d}`, i), string(b))
		case <-time.After(30 * time.Second):
			t.Fatalf("entry %d not delivered; logs:\n%s", i, logs.String())
		}
	}
	require.Eventually(t, func() bool { return rsTestPending(t, c, "ev", "g") == 0 }, 5*time.Second, 10*time.Millisecond)
}

// TestRSInputRedisGoesAway restarts Redis (with its data) under a running
// stream: reads fail and are retried, XACKs wait, nothing is lost.
func TestRSInputRedisGoesAway(t *testing.T) {
	srv := redistest.Start(t, redistest.WithAppendOnly())
	c := rsTestClient(t, srv)
	builder := service.NewStreamBuilder()
	logs := streamtest.CaptureLogs(builder)
	require.NoError(t, builder.AddInputYAML(fmt.Sprintf(`
redis_streams:
  url: %s
  streams: [ev]
  consumer_group: g
  commit_period: 10ms
`, srv.URL())))
	msgs := streamtest.Collect(t, builder, 100)
	stream, err := builder.Build()
	require.NoError(t, err)
	streamtest.Run(t, stream)

	seen := streamtest.NewSeen(t, msgs, logs)
	require.Eventually(t, func() bool { return c.Exists(t.Context(), "ev").Val() == 1 }, 10*time.Second, 10*time.Millisecond)
	rsTestAdd(t, c, "ev", 0, 3)
	seen.Until(3)
	require.Eventually(t, func() bool { return rsTestPending(t, c, "ev", "g") == 0 }, 5*time.Second, 10*time.Millisecond)

	srv.Stop()
	require.Eventually(t, func() bool {
		return strings.Contains(logs.String(), "redis "+srv.Addr()) && strings.Contains(logs.String(), "reading streams ev")
	}, 10*time.Second, 10*time.Millisecond, logs.String())
	srv.Restart()
	rsTestAdd(t, c, "ev", 3, 6)
	seen.Until(6)
	require.Eventually(t, func() bool { return rsTestPending(t, c, "ev", "g") == 0 }, 10*time.Second, 10*time.Millisecond)
	for body, n := range seen.Counts {
		assert.Equal(t, 1, n, body)
	}
}

// TestRSInputRereadsItsBacklogAfterAReadError covers a read whose answer
// was lost: its entries are pending on this consumer, unseen, and come after
// the next failed read without waiting for a claim.
func TestRSInputRereadsItsBacklogAfterAReadError(t *testing.T) {
	srv := redistest.Start(t, redistest.WithAppendOnly())
	c := rsTestClient(t, srv)
	in := rsTestInput(t, fmt.Sprintf("url: %s\nstreams: [ev]\nconsumer_group: g\nclient_id: c1\nclaim_min_idle: 0s", srv.URL()))
	require.NoError(t, in.Connect(t.Context()))
	rsTestAdd(t, c, "ev", 0, 1)
	batch, ack := rsTestRead(t, in) // past the backlog read at start
	require.Len(t, batch, 1)
	require.NoError(t, ack(t.Context(), nil))
	rsTestAdd(t, c, "ev", 1, 3)
	// The lost read: the entries are now pending on c1.
	require.NoError(t, c.XReadGroup(t.Context(), &redis.XReadGroupArgs{Group: "g", Consumer: "c1", Streams: []string{"ev", ">"}}).Err())

	srv.Stop()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, _, err := in.ReadBatch(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redis "+srv.Addr()+": reading streams ev")
	srv.Restart()

	var got []string
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		batch, ack, err := in.ReadBatch(ctx)
		if err != nil {
			return false
		}
		got = append(got, rsTestBodies(t, batch)...)
		require.NoError(t, ack(t.Context(), nil))
		return len(got) >= 2
	}, 20*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{`{"i":1}`, `{"i":2}`}, got)
}
