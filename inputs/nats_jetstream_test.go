package inputs

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/natstest"
	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/internal/testutil/streamtest"
)

// njTestStream creates a stream EVENTS on events.> with replicas copies.
func njTestStream(t *testing.T, url string, replicas int, opts ...nats.Option) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url, opts...)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	_, err = js.CreateStream(t.Context(), jetstream.StreamConfig{
		Name: "EVENTS", Subjects: []string{"events.>"}, Replicas: replicas,
	})
	require.NoError(t, err)
	return js
}

func njTestPublish(t *testing.T, js jetstream.JetStream, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		m := nats.NewMsg("events.e" + strconv.Itoa(i%3))
		m.Data = []byte(strconv.Itoa(i))
		m.Header.Set("X-Index", strconv.Itoa(i))
		_, err := js.PublishMsg(t.Context(), m)
		require.NoError(t, err)
	}
}

func njTestInput(t *testing.T, yaml string) *njInput {
	t.Helper()
	conf, err := njInputSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	in, err := newNJInputFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, in.Close(ctx))
	})
	return in
}

func njTestRead(t *testing.T, in *njInput) (service.MessageBatch, service.AckFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	batch, ack, err := in.ReadBatch(ctx)
	require.NoError(t, err)
	return batch, ack
}

func njTestConsumerInfo(t *testing.T, js jetstream.JetStream, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	cons, err := js.Consumer(t.Context(), "EVENTS", durable)
	require.NoError(t, err)
	info, err := cons.Info(t.Context())
	require.NoError(t, err)
	return info
}

func TestNJInputConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"no urls", "urls: []\nstream: S", "urls must name at least one server"},
		{"no stream or subject", "urls: [nats://127.0.0.1:4222]", "stream or subject is required"},
		{"ack_wait", "urls: [nats://127.0.0.1:4222]\nstream: S\nack_wait: 0s", "ack_wait must be positive"},
		{"max_ack_pending", "urls: [nats://127.0.0.1:4222]\nstream: S\nmax_ack_pending: 0", "max_ack_pending must be positive"},
		{"password without user", "urls: [nats://127.0.0.1:4222]\nstream: S\nauth: {password: x}", "auth.password is set without auth.user"},
		{"two auths", "urls: [nats://127.0.0.1:4222]\nstream: S\nauth: {user: a, token: b}", "auth takes one of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf, err := njInputSpec().ParseYAML(tc.yaml, nil)
			require.NoError(t, err)
			_, err = newNJInputFromParsed(conf, service.MockResources())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestNJInputAckNackAndMetadata(t *testing.T) {
	testutil.NoLeaks(t)
	srv := natstest.Start(t)
	js := njTestStream(t, srv.URL(), 1)
	njTestPublish(t, js, 0, 3)

	in := njTestInput(t, fmt.Sprintf("urls: [%s]\nstream: EVENTS\nsubject: events.>\ndurable: d1\nack_wait: 1m", srv.URL()))
	require.NoError(t, in.Connect(t.Context()))

	batch, ack := njTestRead(t, in)
	require.Len(t, batch, 1)
	b, err := batch[0].AsBytes()
	require.NoError(t, err)
	assert.Equal(t, "0", string(b))
	for k, want := range map[string]string{
		"nats_subject": "events.e0", "nats_stream": "EVENTS", "nats_consumer": "d1",
		"nats_sequence_stream": "1", "nats_sequence_consumer": "1", "nats_num_delivered": "1",
		"nats_num_pending": "2", "X-Index": "0",
	} {
		v, ok := batch[0].MetaGet(k)
		assert.True(t, ok, k)
		assert.Equal(t, want, v, k)
	}
	_, ok := batch[0].MetaGet("nats_timestamp_unix_nano")
	assert.True(t, ok)

	// A nack is a Nak: the message comes again at once, long before ack_wait.
	require.NoError(t, ack(t.Context(), errors.New("downstream failed")))
	seen := map[string]string{}
	for len(seen) < 3 {
		batch, ack = njTestRead(t, in)
		b, err := batch[0].AsBytes()
		require.NoError(t, err)
		n, _ := batch[0].MetaGet("nats_num_delivered")
		seen[string(b)] = n
		require.NoError(t, ack(t.Context(), nil))
	}
	assert.Equal(t, map[string]string{"0": "2", "1": "1", "2": "1"}, seen)

	require.Eventually(t, func() bool {
		info := njTestConsumerInfo(t, js, "d1")
		return info.NumAckPending == 0 && info.NumPending == 0
	}, 5*time.Second, 20*time.Millisecond)
}

func TestNJInputBatchingAndRestart(t *testing.T) {
	srv := natstest.Start(t)
	js := njTestStream(t, srv.URL(), 1)
	njTestPublish(t, js, 0, 10)
	yaml := fmt.Sprintf("urls: [%s]\nsubject: events.>\ndurable: d2\nack_wait: 1s\nbatching: {count: 4, period: 200ms}", srv.URL())

	in := njTestInput(t, yaml)
	require.NoError(t, in.Connect(t.Context()))
	batch, ack := njTestRead(t, in)
	require.Len(t, batch, 4, "count flushes")
	require.NoError(t, ack(t.Context(), nil))
	// Read and never ack the next batch: after a restart it comes again.
	batch, _ = njTestRead(t, in)
	require.Len(t, batch, 4)
	require.NoError(t, in.Close(t.Context()))

	in2 := njTestInput(t, yaml)
	require.NoError(t, in2.Connect(t.Context()))
	var got []string
	for len(got) < 6 {
		batch, ack := njTestRead(t, in2)
		for _, m := range batch {
			b, err := m.AsBytes()
			require.NoError(t, err)
			got = append(got, string(b))
		}
		require.NoError(t, ack(t.Context(), nil))
	}
	// The remaining two come as a batch flushed by the period, the unacked
	// four again after ack_wait.
	assert.ElementsMatch(t, []string{"4", "5", "6", "7", "8", "9"}, got)
}

func TestNJInputAuthFailureNamesTheServer(t *testing.T) {
	srv := natstest.Start(t, natstest.WithUser("hog", "secret"))
	for _, tc := range []struct{ name, auth, want string }{
		{"wrong password", "auth: {user: hog, password: wrong}", "credentials refused"},
		{"none", "", "credentials refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := njTestInput(t, fmt.Sprintf("urls: [%s]\nstream: EVENTS\n%s", srv.URL(), tc.auth))
			err := in.Connect(t.Context())
			require.Error(t, err)
			assert.Contains(t, err.Error(), srv.URL())
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "wrong")
		})
	}
	t.Run("right password, missing stream", func(t *testing.T) {
		in := njTestInput(t, fmt.Sprintf("urls: [%s]\nstream: NOPE\nauth: {user: hog, password: secret}", srv.URL()))
		err := in.Connect(t.Context())
		require.Error(t, err)
		assert.Contains(t, err.Error(), `stream "NOPE"`)
		assert.Contains(t, err.Error(), "stream not found")
	})
}

func TestNJInputServerDownAtStartup(t *testing.T) {
	srv := natstest.New(t) // not running yet
	builder := service.NewStreamBuilder()
	logs := streamtest.CaptureLogs(builder)
	require.NoError(t, builder.AddInputYAML(fmt.Sprintf(`
nats_jetstream:
  urls: [%s]
  stream: EVENTS
  durable: d3
`, srv.URL())))
	msgs := streamtest.Collect(t, builder, 100)
	stream, err := builder.Build()
	require.NoError(t, err)
	streamtest.Run(t, stream)

	require.Eventually(t, func() bool {
		return bytes.Contains([]byte(logs.String()), []byte("failed to connect to nats "+srv.URL()))
	}, 10*time.Second, 20*time.Millisecond, logs.String())

	srv.Restart()
	js := njTestStream(t, srv.URL(), 1)
	njTestPublish(t, js, 0, 5)
	for i := range 5 {
		select {
		case m := <-msgs:
			b, err := m.AsBytes()
			require.NoError(t, err)
			assert.Equal(t, strconv.Itoa(i), string(b))
		case <-time.After(30 * time.Second):
			t.Fatalf("message %d not delivered; logs:\n%s", i, logs.String())
		}
	}
	require.Eventually(t, func() bool {
		return njTestConsumerInfo(t, js, "d3").NumAckPending == 0
	}, 5*time.Second, 20*time.Millisecond)
}

// TestNJInputClusterLosesAServer reads through a durable consumer of a
// stream replicated on three servers while one of them is stopped and
// restarted: every message arrives, and all are acked in the end.
func TestNJInputClusterLosesAServer(t *testing.T) {
	servers := natstest.StartCluster(t, 3)
	urls := servers[0].URL() + "," + servers[1].URL() + "," + servers[2].URL()
	js := njTestStream(t, urls, 3)
	const total = 2000
	njTestPublish(t, js, 0, total/2)

	builder := service.NewStreamBuilder()
	require.NoError(t, builder.AddInputYAML(fmt.Sprintf(`
nats_jetstream:
  urls: [%q]
  stream: EVENTS
  durable: clustered
  ack_wait: 5s
  batching: {count: 50, period: 50ms}
`, urls)))
	msgs := streamtest.Collect(t, builder, total*2)
	stream, err := builder.Build()
	require.NoError(t, err)
	streamtest.Run(t, stream)

	seen := streamtest.NewSeen(t, msgs, nil)
	seen.Quiet = 60 * time.Second
	seen.Until(total / 4)
	servers[1].Stop()
	njTestPublish(t, js, total/2, total)
	seen.Until(total)
	servers[1].Restart()

	dups := 0
	for _, n := range seen.Counts {
		dups += n - 1
	}
	t.Logf("%d messages, %d delivered twice or more while a server was down", total, dups)
	require.Eventually(t, func() bool {
		info := njTestConsumerInfo(t, js, "clustered")
		return info.NumAckPending == 0 && info.NumPending == 0
	}, 30*time.Second, 50*time.Millisecond)
}

func TestNJInputRefusesAConsumerWithoutExplicitAcks(t *testing.T) {
	srv := natstest.Start(t)
	js := njTestStream(t, srv.URL(), 1)
	_, err := js.CreateConsumer(t.Context(), "EVENTS", jetstream.ConsumerConfig{Durable: "noack", AckPolicy: jetstream.AckNonePolicy})
	require.NoError(t, err)
	in := njTestInput(t, fmt.Sprintf("urls: [%s]\nstream: EVENTS\ndurable: noack", srv.URL()))
	err = in.Connect(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), `consumer "noack" of stream "EVENTS" has ack policy AckNone`)
}

func TestNJInputTLS(t *testing.T) {
	srv := natstest.Start(t, natstest.WithTLS())
	js := njTestStream(t, srv.URL(), 1, nats.Secure(&tls.Config{InsecureSkipVerify: true})) //nolint:gosec // the test server's self-signed certificate
	njTestPublish(t, js, 0, 1)

	for _, tc := range []struct{ name, tls, want string }{
		// The client upgrades to TLS when the server requires it.
		{"no tls", "", "certificate signed by unknown authority"},
		{"unverified certificate", "tls: {enabled: true}", "certificate signed by unknown authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := njTestInput(t, fmt.Sprintf("urls: [%s]\nstream: EVENTS\n%s", srv.URL(), tc.tls))
			err := in.Connect(t.Context())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "failed to connect to nats "+srv.URL())
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	in := njTestInput(t, fmt.Sprintf("urls: [%s]\nstream: EVENTS\ntls: {enabled: true, skip_cert_verify: true}", srv.URL()))
	require.NoError(t, in.Connect(t.Context()))
	batch, ack := njTestRead(t, in)
	require.Len(t, batch, 1)
	require.NoError(t, ack(t.Context(), nil))
}

// TestNJInputServerRestarts restarts the only server (with its JetStream
// files) under a running stream: the input reconnects and goes on.
func TestNJInputServerRestarts(t *testing.T) {
	srv := natstest.Start(t)
	js := njTestStream(t, srv.URL(), 1, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	builder := service.NewStreamBuilder()
	logs := streamtest.CaptureLogs(builder)
	require.NoError(t, builder.AddInputYAML(fmt.Sprintf(`
nats_jetstream:
  urls: [%s]
  stream: EVENTS
  durable: d4
  ack_wait: 2s
`, srv.URL())))
	msgs := streamtest.Collect(t, builder, 100)
	stream, err := builder.Build()
	require.NoError(t, err)
	streamtest.Run(t, stream)

	seen := streamtest.NewSeen(t, msgs, logs)
	njTestPublish(t, js, 0, 5)
	seen.Until(5)
	srv.Restart()
	require.Eventually(t, func() bool {
		return strings.Contains(logs.String(), "nats "+srv.URL()+": disconnected")
	}, 10*time.Second, 10*time.Millisecond, logs.String())
	require.Eventually(t, func() bool { return nc(js).IsConnected() }, 10*time.Second, 10*time.Millisecond)
	njTestPublish(t, js, 5, 10)
	seen.Until(10)
	require.Eventually(t, func() bool {
		info := njTestConsumerInfo(t, js, "d4")
		return info.NumAckPending == 0 && info.NumPending == 0
	}, 10*time.Second, 20*time.Millisecond)
}

func nc(js jetstream.JetStream) *nats.Conn { return js.Conn() }
