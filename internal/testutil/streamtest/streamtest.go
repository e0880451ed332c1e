// Package streamtest runs Benthos streams in tests. Only tests import it.
package streamtest

import (
	"context"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Collect makes the builder's output a consumer that hands each message to
// the returned channel, which buffers size of them.
func Collect(t testing.TB, builder *service.StreamBuilder, size int) <-chan *service.Message {
	t.Helper()
	msgs := make(chan *service.Message, size)
	require.NoError(t, builder.AddBatchConsumerFunc(func(ctx context.Context, batch service.MessageBatch) error {
		for _, m := range batch {
			select {
			case msgs <- m:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}))
	return msgs
}

// Run runs the stream until the test ends, then stops it, failing the test
// when it does not stop cleanly within 10s.
func Run(t testing.TB, stream *service.Stream) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = stream.Run(context.Background())
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, stream.Stop(ctx))
		select {
		case <-done:
		case <-ctx.Done():
			t.Error("stream did not stop")
		}
	})
}
