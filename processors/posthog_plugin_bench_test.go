package processors

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/state/redistest"
)

// The benchmark events, shared with scripts/bench-pipeline.sh: small.json is
// a ~270-byte event with 5 properties, pageview.json a ~3.4 KB posthog-js
// $pageview with 64 properties, nested $set/$set_once, arrays, nulls,
// numbers and non-ASCII text, the size real PostHog events have.
const benchEventsDir = "../testdata/events"

func readBenchEvent(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(benchEventsDir, name))
	if err != nil {
		b.Fatal(err)
	}
	return bytes.TrimSpace(data)
}

// BenchmarkHelloWorld runs the seed's Hello World plugin through the
// processor, as pipeline threads would call it, on the small event.
func BenchmarkHelloWorld(b *testing.B) {
	event := readBenchEvent(b, "small.json")
	for _, batchSize := range []int{1, 100} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("batch=%d/threads=%d", batchSize, threads), func(b *testing.B) {
				benchProcessor(b, event, batchSize, threads, "")
			})
		}
	}
}

// BenchmarkHelloWorldPageview is BenchmarkHelloWorld on the posthog-js
// $pageview event.
func BenchmarkHelloWorldPageview(b *testing.B) {
	event := readBenchEvent(b, "pageview.json")
	for _, batchSize := range []int{1, 100} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("batch=%d/threads=%d", batchSize, threads), func(b *testing.B) {
				benchProcessor(b, event, batchSize, threads, "")
			})
		}
	}
}

// BenchmarkHelloWorldRedis is BenchmarkHelloWorld with meta.cache in a real
// redis-server on loopback.
func BenchmarkHelloWorldRedis(b *testing.B) {
	event := readBenchEvent(b, "small.json")
	srv := redistest.Start(b)
	for _, batchSize := range []int{1, 100} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("batch=%d/threads=%d", batchSize, threads), func(b *testing.B) {
				benchProcessor(b, event, batchSize, threads, "redis_url: "+srv.URL())
			})
		}
	}
}

func benchProcessor(b *testing.B, event []byte, batchSize, threads int, extra string) {
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
					batch[j] = service.NewMessage(bytes.Clone(event))
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
