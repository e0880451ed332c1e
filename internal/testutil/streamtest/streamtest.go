// Package streamtest runs Benthos streams in tests. Only tests import it.
package streamtest

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
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

// Logs keeps what a stream logs, written from its goroutines, for
// assertions and for the message of a failing test.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// CaptureLogs makes builder log, as text lines, to the returned Logs.
func CaptureLogs(builder *service.StreamBuilder) *Logs {
	logs := &Logs{}
	builder.SetLogger(slog.New(slog.NewTextHandler(logs, nil)))
	return logs
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// DefaultQuiet is how long Seen.Until waits for a message before failing.
const DefaultQuiet = 30 * time.Second

// Seen counts the messages of a stream by body, as Collect hands them over.
type Seen struct {
	t    testing.TB
	msgs <-chan *service.Message
	logs *Logs

	// Counts is how many times each body arrived.
	Counts map[string]int
	// Quiet is how long Until waits for the next message (DefaultQuiet):
	// a hang guard, not a measurement.
	Quiet time.Duration
}

// NewSeen counts the messages of msgs; logs (nil for none) are shown when
// Until fails.
func NewSeen(t testing.TB, msgs <-chan *service.Message, logs *Logs) *Seen {
	return &Seen{t: t, msgs: msgs, logs: logs, Counts: map[string]int{}, Quiet: DefaultQuiet}
}

// Until reads messages until n different bodies have arrived, failing the
// test, with the logs, when none comes for Quiet.
func (s *Seen) Until(n int) {
	s.t.Helper()
	for len(s.Counts) < n {
		select {
		case m := <-s.msgs:
			b, err := m.AsBytes()
			require.NoError(s.t, err)
			s.Counts[string(b)]++
		case <-time.After(s.Quiet):
			logs := ""
			if s.logs != nil {
				logs = "; logs:\n" + s.logs.String()
			}
			s.t.Fatalf("%d of %d messages delivered%s", len(s.Counts), n, logs)
		}
	}
}
