package scaleout

import (
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/natstest"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// The example configs run as documented: one event in, processed by both
// plugins, out.

func TestExampleConfigRedisStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs hogpipe")
	}
	srv := redistest.Start(t)
	opts, err := redis.ParseURL(srv.URL())
	require.NoError(t, err)
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })

	config, err := os.ReadFile("../../configs/redis-streams.yaml")
	require.NoError(t, err)
	startReplica(t, "redis-streams.yaml", string(config), "REDIS_URL="+srv.URL(), "HOSTNAME=example")
	require.NoError(t, c.XAdd(t.Context(), &redis.XAddArgs{Stream: "events", Values: []any{"body", event(1, 1)}}).Err())

	require.Eventually(t, func() bool { return c.XLen(t.Context(), "events-processed").Val() == 1 }, 60*time.Second, 20*time.Millisecond)
	out, err := c.XRange(t.Context(), "events-processed", "-", "+").Result()
	require.NoError(t, err)
	body, _ := out[0].Values["body"].(string)
	require.Contains(t, body, `"hello":"world"`)
	require.Contains(t, body, `"n":1`)
}

func TestExampleConfigNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs hogpipe")
	}
	srv := natstest.Start(t)
	state := redistest.Start(t)
	nc, err := nats.Connect(srv.URL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	ctx := t.Context()
	for name, subject := range map[string]string{"EVENTS": "events.>", "PROCESSED": "processed.>"} {
		_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subject}})
		require.NoError(t, err)
	}

	config, err := os.ReadFile("../../configs/nats.yaml")
	require.NoError(t, err)
	startReplica(t, "nats.yaml", string(config), "NATS_URL="+srv.URL(), "REDIS_URL="+state.URL())
	_, err = js.Publish(ctx, "events.web", event(1, 1))
	require.NoError(t, err)

	processed, err := js.Stream(ctx, "PROCESSED")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		info, err := processed.Info(ctx)
		return err == nil && info.State.Msgs == 1
	}, 60*time.Second, 20*time.Millisecond)
	m, err := processed.GetMsg(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, "processed.1", m.Subject, "subject from the event's team_id")
	require.Equal(t, "00000000-0000-4000-8000-000000000001", m.Header.Get("Nats-Msg-Id"))
	require.Contains(t, string(m.Data), `"hello":"world"`)
}
