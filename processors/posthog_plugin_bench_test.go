package processors

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/state/redistest"
)

// benchEvent is a typical ~250-byte event.
const benchEvent = `{"uuid":"0190a6f2-7c1e-7b3a-9f00-3c5d2e1a4b6c","event":"$pageview","distinct_id":"user-1234","team_id":1,"timestamp":"2024-06-01T12:00:00.000Z","properties":{"$current_url":"https://example.com/pricing","$browser":"Chrome","$os":"Mac OS X","plan":"free","$lib":"web"}}`

// BenchmarkHelloWorld runs the seed's Hello World plugin through the
// processor, as pipeline threads would call it.
func BenchmarkHelloWorld(b *testing.B) {
	for _, batchSize := range []int{1, 100} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("batch=%d/threads=%d", batchSize, threads), func(b *testing.B) {
				benchProcessor(b, batchSize, threads, "")
			})
		}
	}
}

// BenchmarkHelloWorldRedis is BenchmarkHelloWorld with meta.cache in a real
// redis-server on loopback.
func BenchmarkHelloWorldRedis(b *testing.B) {
	srv := redistest.Start(b)
	for _, batchSize := range []int{1, 100} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("batch=%d/threads=%d", batchSize, threads), func(b *testing.B) {
				benchProcessor(b, batchSize, threads, "redis_url: "+srv.URL())
			})
		}
	}
}

func benchProcessor(b *testing.B, batchSize, threads int, extra string) {
	// The hogpipe binary runs with GOGC=400 unless told otherwise (see
	// cmd/hogpipe/main.go); measure what it does.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	conf, err := pluginProcessorSpec().ParseYAML(`
path: ../testdata/plugins/hello-world
config: {bar: baz}
`+extra, nil)
	if err != nil {
		b.Fatal(err)
	}
	proc, err := newPluginProcessorFromParsed(conf, service.MockResources())
	if err != nil {
		b.Fatal(err)
	}
	defer proc.Close(context.Background())

	batches := max(b.N/batchSize, 1)
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := t; i < batches; i += threads {
				batch := make(service.MessageBatch, batchSize)
				for j := range batch {
					batch[j] = service.NewMessage([]byte(benchEvent))
				}
				out, err := proc.ProcessBatch(context.Background(), batch)
				if err != nil || len(out) != 1 || len(out[0]) != batchSize {
					b.Errorf("unexpected result: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(batches*batchSize)/b.Elapsed().Seconds(), "events/s")
}
