package scaleout

import (
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/state/redistest"
)

const redisReplicaConfig = `
http:
  enabled: false
input:
  redis_streams:
    url: ${STATE_REDIS}
    streams: [ events ]
    consumer_group: hogpipe
    client_id: ${REPLICA}
    limit: 50
    commit_period: 200ms
    claim_min_idle: 30s # the killed replica comes back and rereads its own entries
` + pluginChain + `
output:
  redis_streams:
    url: ${STATE_REDIS}
    stream: processed
    batching:
      count: 50
      period: 20ms
logger:
  level: info
`

// TestRedisStreamsScaleOut runs two hogpipe processes in one consumer group
// over one stream, with a plugin chain on shared Redis state, kills one with
// SIGKILL midway and restarts it: every event reaches the output, and the
// duplicates are at most the entries the killed replica held unacknowledged.
// Entries of one key may be processed by either replica, so a consumer group
// keeps no per-key order; none is checked.
func TestRedisStreamsScaleOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs hogpipe processes")
	}
	srv := redistest.Start(t)
	opts, err := redis.ParseURL(srv.URL())
	require.NoError(t, err)
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	ctx := t.Context()

	const total, keys = 6000, 60
	produce := func(from, to int) {
		t.Helper()
		for lo := from; lo < to; lo += 500 {
			_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
				for i := lo; i < min(lo+500, to); i++ {
					p.XAdd(ctx, &redis.XAddArgs{Stream: "events", Values: []any{"body", event(i, keys)}})
				}
				return nil
			})
			require.NoError(t, err)
		}
	}
	got := newTally()
	lastID := "0"
	collect := func(until func() bool, what string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for !until() {
			require.True(t, time.Now().Before(deadline), "timed out waiting for %s: %d distinct of %d", what, len(got.seen), total)
			res, err := c.XRangeN(ctx, "processed", "("+lastID, "+", 1000).Result()
			if lastID == "0" {
				res, err = c.XRangeN(ctx, "processed", "-", "+", 1000).Result()
			}
			require.NoError(t, err)
			for _, m := range res {
				got.add(t, []byte(fmt.Sprint(m.Values["body"])))
				lastID = m.ID
			}
			if len(res) == 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}
	}

	a := startReplica(t, "replica a", redisReplicaConfig, "STATE_REDIS="+srv.URL(), "REPLICA=a")
	startReplica(t, "replica b", redisReplicaConfig, "STATE_REDIS="+srv.URL(), "REPLICA=b")
	// Both have joined the group (a consumer appears with its first read).
	require.Eventually(t, func() bool {
		consumers, err := c.XInfoConsumers(ctx, "events", "hogpipe").Result()
		return err == nil && len(consumers) == 2
	}, 60*time.Second, 20*time.Millisecond)
	produce(0, total/2)
	pendingOfA := func() int {
		pending, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "events", Group: "hogpipe", Consumer: "a", Start: "-", End: "+", Count: total}).Result()
		require.NoError(t, err)
		return len(pending)
	}
	// Kill a while it holds entries, once a sixth of the events are out.
	collect(func() bool { return len(got.seen) >= total/6 && pendingOfA() > 0 }, "a sixth of the events, with entries in replica a")
	a.kill()
	window := pendingOfA()
	t.Logf("replica a killed after %d events reached the output, holding %d entries unacknowledged", len(got.seen), window)

	produce(total/2, total)
	collect(func() bool { return len(got.seen) >= total*2/3 }, "two thirds of the events")
	a.start() // with its client_id: it first reads its own pending entries again
	collect(func() bool { return len(got.seen) == total }, "every event")

	assert.Empty(t, got.missing(total))
	t.Logf("outputs per replica: %v", got.replica)
	assert.Positive(t, got.replica["a"], "replica a took a share")
	assert.Positive(t, got.replica["b"], "replica b took a share")
	t.Logf("%d events, %d outputs, %d duplicates (uncommitted window of the killed replica: %d)", total, got.total, got.duplicates(), window)
	assert.LessOrEqual(t, got.duplicates(), window, "duplicates come only from the killed replica's unacknowledged entries")

	// Everything ends acknowledged.
	require.Eventually(t, func() bool {
		p, err := c.XPending(ctx, "events", "hogpipe").Result()
		return err == nil && p.Count == 0
	}, 30*time.Second, 50*time.Millisecond)
}
