package mockclient

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// New is a client of the mock at brokers with Opts and then opts, closed
// when the test ends.
func New(t testing.TB, brokers []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, Opts()...), opts...)...)
	if err != nil {
		t.Fatalf("kafka client of the mock: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// Produce writes records and waits for the mock to take them.
func Produce(t testing.TB, cl *kgo.Client, records ...*kgo.Record) {
	t.Helper()
	if err := cl.ProduceSync(t.Context(), records...).FirstErr(); err != nil {
		t.Fatalf("produce to the mock: %v", err)
	}
}

// ReadFromStart reads n records of topic from its start, with a client of
// its own (outside any group), failing the test when they have not all
// come within 30s (a hang guard).
func ReadFromStart(t testing.TB, brokers []string, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, Opts()...)...)
	if err != nil {
		t.Fatalf("kafka client of the mock: %v", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records of %s", len(out), n, topic)
		}
		out = append(out, fetches.Records()...)
	}
	return out
}
