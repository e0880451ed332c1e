package scaleout

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/natstest"
	"github.com/hogpipe/hogpipe/state/redistest"
)

const natsReplicaConfig = `
http:
  enabled: false
input:
  nats_jetstream:
    urls: [ "${NATS_URLS}" ]
    stream: EVENTS
    durable: hogpipe
    ack_wait: 10s
    max_ack_pending: 400
    batching:
      count: 50
      period: 20ms
` + pluginChain + `
output:
  nats_jetstream:
    urls: [ "${NATS_URLS}" ]
    subject: processed.${! json("distinct_id") }
logger:
  level: info
`

// TestNATSJetStreamScaleOut runs two hogpipe processes sharing one durable
// consumer of a stream replicated on a 3-node JetStream cluster, with a
// plugin chain on shared Redis state. Midway one replica is killed with
// SIGKILL (and later restarted), and one server of the cluster is stopped
// (and later restarted): every event reaches the output, and the duplicates
// are at most the messages pending acknowledgement at those two moments.
// The replicas share the consumer, so messages of one key may be processed
// by either: a shared durable keeps no per-key order, and none is checked.
func TestNATSJetStreamScaleOut(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs hogpipe processes")
	}
	servers := natstest.StartCluster(t, 3)
	var urlList []string
	for _, s := range servers {
		urlList = append(urlList, s.URL())
	}
	urls := strings.Join(urlList, ",")
	state := redistest.Start(t)

	nc, err := nats.Connect(urls, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx := t.Context()
	for name, subject := range map[string]string{"EVENTS": "events.>", "PROCESSED": "processed.>"} {
		_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subject}, Replicas: 3})
		require.NoError(t, err)
	}
	processed, err := js.Stream(ctx, "PROCESSED")
	require.NoError(t, err)

	const total, keys = 6000, 60
	produce := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			_, err := js.PublishAsync("events.e", event(i, keys))
			require.NoError(t, err)
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(30 * time.Second):
			t.Fatal("publishing the events took over 30s")
		}
	}
	got := newTally()
	var next uint64 = 1
	collect := func(until func() bool, what string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for !until() {
			require.True(t, time.Now().Before(deadline), "timed out waiting for %s: %d distinct of %d", what, len(got.seen), total)
			gctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			m, err := processed.GetMsg(gctx, next)
			cancel()
			if err != nil { // not stored yet, or the cluster is electing a leader
				time.Sleep(20 * time.Millisecond)
				continue
			}
			got.add(t, m.Data)
			next++
		}
	}
	pendingAcks := func() int {
		t.Helper()
		cons, err := js.Consumer(ctx, "EVENTS", "hogpipe")
		require.NoError(t, err)
		info, err := cons.Info(ctx)
		require.NoError(t, err)
		return info.NumAckPending
	}

	env := []string{"NATS_URLS=" + urls, "STATE_REDIS=" + state.URL()}
	a := startReplica(t, "replica a", natsReplicaConfig, env...)
	startReplica(t, "replica b", natsReplicaConfig, env...)
	// Both are pulling from the durable: two pull requests wait on it.
	require.Eventually(t, func() bool {
		cons, err := js.Consumer(ctx, "EVENTS", "hogpipe")
		if err != nil {
			return false
		}
		info, err := cons.Info(ctx)
		return err == nil && info.NumWaiting >= 2
	}, 60*time.Second, 20*time.Millisecond)
	produce(0, total/2)
	collect(func() bool { return len(got.seen) >= total/6 }, "a sixth of the events")

	a.kill()
	killWindow := pendingAcks()
	t.Logf("replica a killed after %d events reached the output; %d messages pending acknowledgement", len(got.seen), killWindow)

	produce(total/2, total)
	collect(func() bool { return len(got.seen) >= total/2 }, "half of the events")
	stopWindow := pendingAcks()
	servers[1].Stop()
	t.Logf("server %s stopped after %d events reached the output; %d messages pending acknowledgement", servers[1].Name(), len(got.seen), stopWindow)

	collect(func() bool { return len(got.seen) >= total*2/3 }, "two thirds of the events")
	a.start()
	collect(func() bool { return len(got.seen) == total }, "every event")
	servers[1].Restart()

	assert.Empty(t, got.missing(total))
	t.Logf("%d events, %d outputs, %d duplicates (pending acknowledgement when the replica was killed: %d, when the server stopped: %d)",
		total, got.total, got.duplicates(), killWindow, stopWindow)
	assert.LessOrEqual(t, got.duplicates(), killWindow+stopWindow)

	require.Eventually(t, func() bool { return pendingAcks() == 0 }, 30*time.Second, 50*time.Millisecond)
}
