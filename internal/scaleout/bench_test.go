package scaleout

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/require"

	_ "github.com/hogpipe/hogpipe/internal/components"
	"github.com/hogpipe/hogpipe/internal/natstest"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// benchPipeline is input → the Hello World plugin (in-process state) →
// output, with two pipeline threads, as in configs/bench.yaml.
const benchPipeline = `
pipeline:
  threads: 2
  processors:
    - posthog_plugin:
        path: ../../testdata/plugins/hello-world
        config:
          bar: baz
`

// benchRun pre-fills b.N events with fill, then times a stream of yaml from
// its start (plugin start-up included) until done reports all of them
// written by the output. The broker runs in the same process (NATS) or on
// the same machine (Redis), sharing its cores.
func benchRun(b *testing.B, yaml string, fill func(n int), done func() int) {
	b.Helper()
	// The hogpipe binary runs with GOGC=400 unless told otherwise (see
	// cmd/hogpipe/main.go).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	fill(b.N)
	builder := service.NewStreamBuilder()
	require.NoError(b, builder.SetYAML(yaml))
	builder.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	stream, err := builder.Build()
	require.NoError(b, err)
	b.ResetTimer()
	start := time.Now()
	ran := make(chan error, 1)
	go func() { ran <- stream.Run(context.Background()) }()
	for done() < b.N {
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(b, stream.Stop(ctx))
	<-ran
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
}

// BenchmarkNATSJetStreamPipeline: run with -benchtime 20000x (a count of
// events), as the README's figure is.
//
// With NATS_BENCH_URL set, it runs against that server instead of one in
// the benchmark's own process (which shares the process's CPUs with the
// pipeline), e.g. `nats-server -js -sd /tmp/js -p 4333` built with
// `go build github.com/nats-io/nats-server/v2`.
func BenchmarkNATSJetStreamPipeline(b *testing.B) {
	url := os.Getenv("NATS_BENCH_URL")
	if url == "" {
		url = natstest.Start(b).URL()
	}
	nc, err := nats.Connect(url)
	require.NoError(b, err)
	b.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(b, err)
	ctx := b.Context()
	for name, subject := range map[string]string{"EVENTS": "events.>", "PROCESSED": "processed.>"} {
		_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subject}})
		require.NoError(b, err)
	}
	processed, err := js.Stream(ctx, "PROCESSED")
	require.NoError(b, err)
	benchRun(b, fmt.Sprintf(`
input:
  nats_jetstream:
    urls: [ %s ]
    stream: EVENTS
    durable: bench
    batching: { count: 100, period: 10ms }
%s
output:
  nats_jetstream:
    urls: [ %s ]
    subject: processed.e
    max_in_flight: 8
    batching: { count: 100, period: 10ms }
`, url, benchPipeline, url),
		func(n int) {
			require.NoError(b, processed.Purge(ctx))
			publish(b, js, 0, n)
		},
		func() int {
			info, err := processed.Info(ctx)
			require.NoError(b, err)
			return int(info.State.Msgs)
		})
}

// BenchmarkRedisStreamsPipeline: run with -benchtime 20000x.
func BenchmarkRedisStreamsPipeline(b *testing.B) {
	srv := redistest.Start(b)
	opts, err := redis.ParseURL(srv.URL())
	require.NoError(b, err)
	c := redis.NewClient(opts)
	b.Cleanup(func() { _ = c.Close() })
	ctx := b.Context()
	benchRun(b, fmt.Sprintf(`
input:
  redis_streams:
    url: %s
    streams: [ events ]
    consumer_group: bench
    client_id: bench
    limit: 100
%s
output:
  redis_streams:
    url: %s
    stream: processed
    max_in_flight: 8
    batching: { count: 100, period: 10ms }
`, srv.URL(), benchPipeline, srv.URL()),
		func(n int) {
			require.NoError(b, c.Del(ctx, "processed").Err())
			for lo := 0; lo < n; lo += 1000 {
				_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
					for i := lo; i < min(lo+1000, n); i++ {
						p.XAdd(ctx, &redis.XAddArgs{Stream: "events", Values: []any{"body", event(i, 1000)}})
					}
					return nil
				})
				require.NoError(b, err)
			}
		},
		func() int { return int(c.XLen(ctx, "processed").Val()) })
}
