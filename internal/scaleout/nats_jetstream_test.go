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

// publish stores events from..to-1 (over 60 keys) in the stream EVENTS,
// awaiting the acknowledgements every 500 so as to stay within the client's
// limit of outstanding asynchronous publishes on a slow machine.
func publish(t testing.TB, js jetstream.JetStream, from, to int) {
	t.Helper()
	for lo := from; lo < to; lo += 500 {
		var futures []jetstream.PubAckFuture
		for i := lo; i < min(lo+500, to); i++ {
			f, err := js.PublishAsync("events.e", event(i, 60))
			require.NoError(t, err)
			futures = append(futures, f)
		}
		for _, f := range futures {
			select {
			case <-f.Ok():
			case err := <-f.Err():
				t.Fatalf("publishing an event: %v", err)
			case <-time.After(30 * time.Second):
				t.Fatal("an event was not acknowledged within 30s")
			}
		}
	}
}

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
		// A new cluster answers once it has elected its meta leader, which
		// a loaded machine can take longer than one API timeout to do.
		require.Eventually(t, func() bool {
			_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subject}, Replicas: 3})
			return err == nil
		}, 60*time.Second, 200*time.Millisecond, "create stream %s: %v", name, err)
	}
	processed, err := js.Stream(ctx, "PROCESSED")
	require.NoError(t, err)

	const total, keys = 6000, 60
	produce := func(from, to int) {
		t.Helper()
		publish(t, js, from, to)
	}
	got := newTally()
	var next uint64 = 1
	// collect reads the output stream in order until it holds every event.
	collect := func() {
		t.Helper()
		deadline := time.Now().Add(120 * time.Second)
		for len(got.seen) < total {
			require.True(t, time.Now().Before(deadline), "timed out: %d distinct events of %d reached the output", len(got.seen), total)
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
	// outputs is how many messages the output has written so far (-1 while
	// the cluster cannot say).
	outputs := func() int {
		info, err := processed.Info(ctx)
		if err != nil {
			return -1
		}
		return int(info.State.Msgs)
	}
	pendingAcks := func() int {
		cons, err := js.Consumer(ctx, "EVENTS", "hogpipe")
		if err != nil {
			return -1
		}
		info, err := cons.Info(ctx)
		if err != nil {
			return -1
		}
		return info.NumAckPending
	}
	waitFor := func(cond func() bool, what string) {
		t.Helper()
		require.Eventually(t, cond, 90*time.Second, 5*time.Millisecond, "timed out waiting for %s", what)
	}

	env := []string{"NATS_URLS=" + urls, "STATE_REDIS=" + state.URL()}
	a := startReplica(t, "replica a", natsReplicaConfig, append(env, "REPLICA=a")...)
	startReplica(t, "replica b", natsReplicaConfig, append(env, "REPLICA=b")...)
	// Both are pulling from the durable: two pull requests wait on it.
	waitFor(func() bool {
		cons, err := js.Consumer(ctx, "EVENTS", "hogpipe")
		if err != nil {
			return false
		}
		info, err := cons.Info(ctx)
		return err == nil && info.NumWaiting >= 2
	}, "both replicas to pull")
	produce(0, total/2)
	// Kill a replica while messages are in flight, a sixth of the way.
	waitFor(func() bool {
		n := outputs()
		return n >= total/6 && (pendingAcks() > 0 || n >= total/2)
	}, "a sixth of the events")
	a.kill()
	killWindow := pendingAcks()
	t.Logf("replica a killed after %d outputs; %d messages pending acknowledgement", outputs(), killWindow)

	produce(total/2, total)
	waitFor(func() bool {
		n := outputs()
		return n >= total/2 && (pendingAcks() > 0 || n >= total)
	}, "half of the events")
	stopWindow := pendingAcks()
	servers[1].Stop()
	t.Logf("server %s stopped after %d outputs; %d messages pending acknowledgement", servers[1].Name(), outputs(), stopWindow)

	waitFor(func() bool { return outputs() >= total*2/3 }, "two thirds of the events")
	a.start()
	collect()
	servers[1].Restart()

	assert.Empty(t, got.missing(total))
	t.Logf("outputs per replica: %v", got.replica)
	assert.Positive(t, got.replica["a"], "replica a took a share")
	assert.Positive(t, got.replica["b"], "replica b took a share")
	t.Logf("%d events, %d outputs, %d duplicates (pending acknowledgement when the replica was killed: %d, when the server stopped: %d)",
		total, got.total, got.duplicates(), killWindow, stopWindow)
	assert.LessOrEqual(t, got.duplicates(), killWindow+stopWindow)

	require.Eventually(t, func() bool { return pendingAcks() == 0 }, 30*time.Second, 50*time.Millisecond)
}
