package outputs

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/natstest"
	"github.com/hogpipe/hogpipe/internal/testutil"
)

func njOutTest(t *testing.T, yaml string) *njOutput {
	t.Helper()
	conf, err := njOutputSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	o, _, _, err := newNJOutputFromParsed(conf, service.MockResources())
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, o.Close(context.Background())) })
	return o
}

func TestNJOutputPublishesAckedBatches(t *testing.T) {
	testutil.NoLeaks(t)
	srv := natstest.Start(t)
	nc, err := nats.Connect(srv.URL())
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	stream, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "OUT", Subjects: []string{"out.>"}})
	require.NoError(t, err)

	o := njOutTest(t, fmt.Sprintf(`
urls: [%s]
subject: ${! json("prefix").or("out") }.${! json("team") }
headers:
  Nats-Msg-Id: ${! json("id") }
`, srv.URL()))
	require.NoError(t, o.Connect(t.Context()))

	batch := service.MessageBatch{
		service.NewMessage([]byte(`{"id":"a","team":1}`)),
		service.NewMessage([]byte(`{"id":"b","team":2}`)),
	}
	require.NoError(t, o.WriteBatch(t.Context(), batch))
	// The same ids again: JetStream's duplicate window drops them.
	require.NoError(t, o.WriteBatch(t.Context(), batch))

	info, err := stream.Info(t.Context())
	require.NoError(t, err)
	assert.Equal(t, uint64(2), info.State.Msgs)
	m, err := stream.GetMsg(t.Context(), 2)
	require.NoError(t, err)
	assert.Equal(t, "out.2", m.Subject)
	assert.Equal(t, `{"id":"b","team":2}`, string(m.Data))
	assert.Equal(t, "b", m.Header.Get("Nats-Msg-Id"))

	// A subject no stream holds fails that message only, saying why.
	err = o.WriteBatch(t.Context(), service.MessageBatch{
		service.NewMessage([]byte(`{"id":"c","team":3}`)),
		service.NewMessage([]byte(`{"id":"d","team":3,"prefix":"elsewhere"}`)),
		service.NewMessage([]byte(`{"id":"e","team":"x y"}`)),
	})
	require.Error(t, err)
	var be *service.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 2, be.IndexedErrors())
	msgs := map[int]string{}
	be.WalkMessages(func(i int, _ *service.Message, err error) bool {
		if err != nil {
			msgs[i] = err.Error()
		}
		return true
	})
	assert.Contains(t, msgs[1], "nats "+srv.URL()+": publish to elsewhere.3: no stream holds the subject")
	assert.Contains(t, msgs[2], "invalid subject")
}

func TestNJOutputConnectErrors(t *testing.T) {
	srv := natstest.Start(t, natstest.WithToken("s3cret"))
	o := njOutTest(t, fmt.Sprintf("urls: [%s]\nsubject: out\nauth: {token: wrong}", srv.URL()))
	err := o.Connect(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "failed to connect to nats "+srv.URL())
	assert.Contains(t, err.Error(), "credentials refused")

	srv.Stop()
	o = njOutTest(t, fmt.Sprintf("urls: [%s]\nsubject: out\nauth: {token: s3cret}", srv.URL()))
	err = o.Connect(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "failed to connect to nats "+srv.URL())
	assert.Contains(t, err.Error(), "no server reachable")
	assert.ErrorIs(t, o.WriteBatch(t.Context(), service.MessageBatch{service.NewMessage(nil)}), service.ErrNotConnected)

	srv.Restart()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, o.Connect(ctx))
}

func TestNJOutputServerLostMidRun(t *testing.T) {
	srv := natstest.Start(t)
	nc, err := nats.Connect(srv.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	stream, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "OUT", Subjects: []string{"out"}})
	require.NoError(t, err)

	o := njOutTest(t, fmt.Sprintf("urls: [%s]\nsubject: out\ntimeout: 300ms", srv.URL()))
	require.NoError(t, o.Connect(t.Context()))
	require.NoError(t, o.WriteBatch(t.Context(), service.MessageBatch{service.NewMessage([]byte("1"))}))

	srv.Stop()
	err = o.WriteBatch(t.Context(), service.MessageBatch{service.NewMessage([]byte("2"))})
	require.Error(t, err, "no acknowledgement: the write fails, to be retried")
	assert.Contains(t, err.Error(), "nats "+srv.URL()+": publish to out")

	srv.Restart()
	require.Eventually(t, func() bool {
		return o.WriteBatch(t.Context(), service.MessageBatch{service.NewMessage([]byte("3"))}) == nil
	}, 10*time.Second, 50*time.Millisecond)
	info, err := stream.Info(t.Context())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, info.State.Msgs, uint64(2))
}
