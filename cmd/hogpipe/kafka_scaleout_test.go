package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/hogpipe/hogpipe/inputs"
	"github.com/hogpipe/hogpipe/internal/kafkamock"
	"github.com/hogpipe/hogpipe/internal/kafkamock/mockclient"
	"github.com/hogpipe/hogpipe/outputs"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// replica is a hogpipe process started by a test.
type replica struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func startReplica(t *testing.T, name, config string) *replica {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), replicaEnv+"="+config)
	cmd.Dir = "../.."
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	r := &replica{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		_ = cmd.Wait()
		_ = f.Close()
	}()
	t.Cleanup(func() {
		r.kill()
		if t.Failed() {
			data, _ := os.ReadFile(logPath)
			t.Logf("log of %s:\n%s", name, tail(string(data), 4000))
		}
	})
	return r
}

func (r *replica) kill() {
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

// waitLog waits until the replica logged a line matching re.
func (r *replica) waitLog(t *testing.T, re *regexp.Regexp, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(r.log)
		if re.Match(data) {
			return
		}
		select {
		case <-r.done:
			t.Fatalf("%s exited before logging %s:\n%s", r.name, re, tail(string(data), 4000))
		case <-time.After(100 * time.Millisecond):
		}
	}
	data, _ := os.ReadFile(r.log)
	t.Fatalf("%s did not log %s within %v:\n%s", r.name, re, within, tail(string(data), 4000))
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// outRecord is what the test reads back from the output topic.
type outRecord struct {
	partition   int32 // of the output topic, the same as the input's
	key         string
	seq         int
	n           int64 // the shared Redis counter the plugin drew
	inPartition int32
	inOffset    int64
}

// collector reads a topic from its start until stopped.
type collector struct {
	mu      sync.Mutex
	records []outRecord
	unique  map[[2]int64]bool
	err     error
	cancel  context.CancelFunc
	done    chan struct{}
}

func collect(t *testing.T, brokers []string, topic string) *collector {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, mockclient.Opts()...)...)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{unique: map[[2]int64]bool{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		defer cl.Close()
		for ctx.Err() == nil {
			fetches := cl.PollFetches(ctx)
			fetches.EachRecord(func(r *kgo.Record) {
				rec, err := parseOut(r)
				c.mu.Lock()
				defer c.mu.Unlock()
				if err != nil {
					c.err = err
					return
				}
				c.records = append(c.records, rec)
				c.unique[[2]int64{int64(rec.inPartition), rec.inOffset}] = true
			})
		}
	}()
	t.Cleanup(c.stop)
	return c
}

func (c *collector) stop() {
	c.cancel()
	<-c.done
}

func (c *collector) uniqueCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.unique)
}

func (c *collector) waitUnique(t *testing.T, n int, within time.Duration, produced []*kgo.Record) {
	t.Helper()
	deadline := time.Now().Add(within)
	for c.uniqueCount() < n {
		if time.Now().After(deadline) {
			c.mu.Lock()
			var missing []string
			for _, r := range produced {
				if !c.unique[[2]int64{int64(r.Partition), r.Offset}] && len(missing) < 30 {
					missing = append(missing, fmt.Sprintf("%d/%d", r.Partition, r.Offset))
				}
			}
			c.mu.Unlock()
			t.Fatalf("only %d of %d events reached the output within %v; missing (partition/offset): %v; read error: %v", len(c.unique), n, within, missing, c.err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func parseOut(r *kgo.Record) (outRecord, error) {
	var ev struct {
		DistinctID string `json:"distinct_id"`
		Properties struct {
			Seq int   `json:"seq"`
			N   int64 `json:"n"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(r.Value, &ev); err != nil {
		return outRecord{}, fmt.Errorf("output record %d/%d: %w", r.Partition, r.Offset, err)
	}
	rec := outRecord{partition: r.Partition, key: string(r.Key), seq: ev.Properties.Seq, n: ev.Properties.N}
	for _, h := range r.Headers {
		switch h.Key {
		case "kafka_partition":
			p, err := strconv.ParseInt(string(h.Value), 10, 32)
			if err != nil {
				return rec, err
			}
			rec.inPartition = int32(p)
		case "kafka_offset":
			o, err := strconv.ParseInt(string(h.Value), 10, 64)
			if err != nil {
				return rec, err
			}
			rec.inOffset = o
		}
	}
	if rec.key != ev.DistinctID {
		return rec, fmt.Errorf("output record %d/%d: key %q, distinct_id %q", r.Partition, r.Offset, rec.key, ev.DistinctID)
	}
	return rec, nil
}

const scaleConfig = `
http:
  enabled: false
input:
  kafka:
    seed_brokers: [ %[1]q ]
    topics: [ in ]
    consumer_group: scale
    commit_period: 200ms
    checkpoint_limit: 64
    batching:
      count: 20
      period: 20ms
pipeline:
  threads: 1
  processors:
    - posthog_plugin:
        path: ./testdata/plugins/state-counter
        redis_url: %[2]s
    - posthog_plugin:
        path: ./testdata/plugins/hello-world
        config:
          bar: scale
        redis_url: %[2]s
    # A plugin doing real work: keeps the run long enough to kill a
    # replica midway.
    - sleep:
        duration: 2ms
output:
  kafka:
    seed_brokers: [ %[1]q ]
    topic: out
    key: ${! @kafka_key }
    # Each input partition's events go to the same output partition, so
    # that the test can check per-key order there.
    partitioner: manual
    partition: ${! @kafka_partition }
    max_in_flight: 1
    metadata:
      include_patterns: [ "^kafka_(partition|offset)$" ]
logger:
  level: info
`

var assignedRe = regexp.MustCompile(`kafka: assigned map\[in:\[[0-9]`)

// Two hogpipe processes share a 6-partition topic in one consumer group, with
// plugins on shared Redis state. One is killed with SIGKILL midway and
// restarted: every event reaches the output, per-key order holds within each
// partition, and every duplicate lies past the offset the killed group had
// committed (the uncommitted window).
//
// librdkafka's mock cluster does run group rebalances, but answers a
// follower's SyncGroup only when it arrives before the leader's; the mock
// client options make the leader wait (see package mockclient).
func TestKafkaScaleOutSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hogpipe processes; not in -short")
	}
	const (
		partitions = 6
		keys       = 60
		perKey     = 100
		events     = keys * perKey
	)
	redis := redistest.Start(t)
	cluster := kafkamock.Start(t, 3)
	cluster.CreateTopic(t, "in", partitions)
	cluster.CreateTopic(t, "out", partitions)
	brokers := strings.Join(cluster.Brokers(), ",")
	config := filepath.Join(t.TempDir(), "scale.yaml")
	require.NoError(t, os.WriteFile(config, []byte(fmt.Sprintf(scaleConfig, brokers, redis.URL())), 0o644))

	out := collect(t, cluster.Brokers(), "out")

	a := startReplica(t, "replica-a", config)
	a.waitLog(t, assignedRe, 90*time.Second)
	b := startReplica(t, "replica-b", config)
	b.waitLog(t, assignedRe, 90*time.Second)

	producer, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cluster.Brokers()...), kgo.DefaultProduceTopic("in")}, mockclient.Opts()...)...)
	require.NoError(t, err)
	defer producer.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var records []*kgo.Record
	for seq := range perKey {
		for k := range keys {
			records = append(records, &kgo.Record{
				Key:   []byte("user-" + strconv.Itoa(k)),
				Value: []byte(fmt.Sprintf(`{"event":"pageview","distinct_id":"user-%d","properties":{"seq":%d}}`, k, seq)),
			})
		}
	}
	require.NoError(t, producer.ProduceSync(ctx, records...).FirstErr())

	// Midway, kill one replica as a crash would, read what its group had
	// committed, and start it again.
	out.waitUnique(t, events/3, 2*time.Minute, records)
	a.kill()
	atKill, err := mockclient.Committed(ctx, producer, "scale", "in", 0, 1, 2, 3, 4, 5)
	require.NoError(t, err)
	processedAtKill := out.uniqueCount()
	startReplica(t, "replica-a2", config)

	out.waitUnique(t, events, 60*time.Second, records)
	b.kill()
	out.stop()
	require.NoError(t, out.err)

	// Every event, exactly the ones produced.
	seen := map[string]bool{}
	for _, r := range out.records {
		seen[r.key+"/"+strconv.Itoa(r.seq)] = true
	}
	assert.Len(t, seen, events, "every event reached the output")

	// Per key, within its partition, events first appear in order: a record
	// is either a repeat (seq already seen) or the next one.
	byPartition := map[int32][]outRecord{}
	for _, r := range out.records {
		byPartition[r.partition] = append(byPartition[r.partition], r)
	}
	for p, recs := range byPartition {
		next := map[string]int{}
		for _, r := range recs {
			assert.Equal(t, p, r.inPartition, "records stay in their partition")
			if r.seq < next[r.key] {
				continue
			}
			if !assert.Equal(t, next[r.key], r.seq, "partition %d key %s out of order", p, r.key) {
				break
			}
			next[r.key]++
		}
	}

	// Duplicates: only records past the commit at the kill were read again.
	count := map[[2]int64]int{}
	for _, r := range out.records {
		count[[2]int64{int64(r.inPartition), r.inOffset}]++
	}
	duplicates := 0
	for key, n := range count {
		if n > 1 {
			duplicates += n - 1
			assert.GreaterOrEqual(t, key[1], atKill[int32(key[0])], "partition %d offset %d was repeated though committed before the kill", key[0], key[1])
		}
	}
	window := events
	for _, c := range atKill {
		window -= int(max(c, 0)) // -1: nothing committed
	}
	t.Logf("kafka scale-out: %d events, %d output records, %d duplicates; %d events seen in the output at the kill, %d past the commits then (uncommitted or not yet read); commits at the kill: %v",
		events, len(out.records), duplicates, processedAtKill, window, atKill)
	fmt.Printf("kafka scale-out: %d events, %d duplicates (%d past the commits at the SIGKILL)\n", events, duplicates, window)

	// The plugins' Redis counter was shared: every processing drew a
	// different number.
	ns := make([]int64, 0, len(out.records))
	for _, r := range out.records {
		ns = append(ns, r.n)
	}
	slices.Sort(ns)
	assert.Equal(t, len(ns), len(slices.Compact(ns)), "each run of the plugin drew its own number from the shared counter")
}

// BenchmarkKafkaPipeline measures events per second through the kafka input,
// the Hello World plugin and the kafka output, on librdkafka's mock cluster
// (3 brokers, 6 partitions), in one process:
//
//	go test -run '^$' -bench KafkaPipeline -benchtime 20000x ./cmd/hogpipe/
func BenchmarkKafkaPipeline(b *testing.B) {
	cluster := kafkamock.Start(b, 3)
	cluster.CreateTopic(b, "bench_in", 6)
	cluster.CreateTopic(b, "bench_out", 6)
	brokers := strings.Join(cluster.Brokers(), ",")

	env := service.GlobalEnvironment().Clone()
	require.NoError(b, inputs.RegisterKafkaInput(env, mockclient.Opts()...))
	require.NoError(b, outputs.RegisterKafkaOutput(env, mockclient.Opts()...))
	builder := env.NewStreamBuilder()
	require.NoError(b, builder.SetYAML(fmt.Sprintf(`
input:
  kafka:
    seed_brokers: [ %[1]q ]
    topics: [ bench_in ]
    consumer_group: bench
    batching:
      count: 500
      period: 10ms
pipeline:
  threads: 1
  processors:
    - posthog_plugin:
        path: ../../testdata/plugins/hello-world
        config:
          bar: bench
output:
  kafka:
    seed_brokers: [ %[1]q ]
    topic: bench_out
    key: ${! @kafka_key }
logger:
  level: warn
`, brokers)))
	stream, err := builder.Build()
	require.NoError(b, err)
	go func() { _ = stream.Run(context.Background()) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = stream.Stop(ctx)
	})

	producer, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cluster.Brokers()...), kgo.DefaultProduceTopic("bench_in")}, mockclient.Opts()...)...)
	require.NoError(b, err)
	defer producer.Close()
	consumer, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(cluster.Brokers()...), kgo.ConsumeTopics("bench_out"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, mockclient.Opts()...)...)
	require.NoError(b, err)
	defer consumer.Close()

	event := func(i int) *kgo.Record {
		return &kgo.Record{
			Key:   []byte("user-" + strconv.Itoa(i%1000)),
			Value: []byte(`{"event":"$pageview","distinct_id":"user-` + strconv.Itoa(i%1000) + `","properties":{"$current_url":"https://example.com/","$browser":"Firefox","plan":"free"}}`),
		}
	}
	ctx := context.Background()
	waitOut := func(n int) {
		for got := 0; got < n; {
			got += len(consumer.PollFetches(ctx).Records())
		}
	}
	// Warm up: the group is joined and the plugin loaded.
	require.NoError(b, producer.ProduceSync(ctx, event(0)).FirstErr())
	waitOut(1)

	records := make([]*kgo.Record, b.N)
	for i := range records {
		records[i] = event(i)
	}
	b.ResetTimer()
	// The events are written at once (about 70ms for 20000 on the mock), the
	// pipeline reading them as they land.
	require.NoError(b, producer.ProduceSync(ctx, records...).FirstErr())
	waitOut(b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
