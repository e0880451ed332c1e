package outputs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/hogpipe/hogpipe/internal/kafkamock"
	"github.com/hogpipe/hogpipe/internal/kafkamock/mockclient"
	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/internal/testutil/streamtest"
)

func kafkaOutputEnv(t *testing.T) *service.Environment {
	t.Helper()
	env := service.GlobalEnvironment().Clone()
	require.NoError(t, RegisterKafkaOutput(env, mockclient.Opts()...))
	return env
}

// writeToKafka runs a stream that writes lines (one message each, with
// metadata meta) through a kafka output configured with fields, until every
// message is acknowledged.
func writeToKafka(t *testing.T, c *kafkamock.Cluster, lines []string, fields string) {
	t.Helper()
	builder := kafkaOutputEnv(t).NewStreamBuilder()
	produce, err := builder.AddBatchProducerFunc()
	require.NoError(t, err)
	require.NoError(t, builder.AddOutputYAML(fmt.Sprintf(`
kafka:
  seed_brokers: [ %q ]
%s`, strings.Join(c.Brokers(), ","), fields)))
	stream, err := builder.Build()
	require.NoError(t, err)
	streamtest.Run(t, stream)
	batch := service.MessageBatch{}
	for _, line := range lines {
		m := service.NewMessage([]byte(line))
		m.MetaSetMut("posthog_team", "7")
		m.MetaSetMut("kafka_offset", int64(12))
		batch = append(batch, m)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, produce(ctx, batch))
}

func TestKafkaOutputKeysHeadersAndTopics(t *testing.T) {
	c := kafkamock.Start(t, 3)
	c.CreateTopic(t, "events_a", 3)
	c.CreateTopic(t, "events_b", 3)
	writeToKafka(t, c, []string{
		`{"topic":"events_a","distinct_id":"u1"}`,
		`{"topic":"events_b","distinct_id":"u2"}`,
		`{"topic":"events_a","distinct_id":""}`,
	}, `
  topic: ${! json("topic") }
  key: ${! json("distinct_id") }
  metadata:
    include_prefixes: [ "posthog_" ]
`)
	a := mockclient.ReadFromStart(t, c.Brokers(), "events_a", 2)
	b := mockclient.ReadFromStart(t, c.Brokers(), "events_b", 1)
	byKey := map[string]*kgo.Record{}
	for _, r := range append(a, b...) {
		byKey[string(r.Key)] = r
		assert.Equal(t, []kgo.RecordHeader{{Key: "posthog_team", Value: []byte("7")}}, r.Headers, "only included metadata becomes headers")
	}
	assert.Equal(t, "events_a", byKey["u1"].Topic)
	assert.Equal(t, "events_b", byKey["u2"].Topic)
	assert.Nil(t, byKey[""].Key, "an empty key writes a record without a key")
	assert.JSONEq(t, `{"topic":"events_a","distinct_id":"u1"}`, string(byKey["u1"].Value))
}

// Keys land on the partition the Java client picks: murmur2 of the key,
// sign bit cleared, modulo the partition count. The hashes are the Java
// client's, as listed in librdkafka's murmur2 unit test.
func TestKafkaOutputMurmur2MatchesJavaClient(t *testing.T) {
	javaMurmur2 := map[string]uint32{
		"kafka":                                  0xd067cf64,
		"giberish123456789":                      0x8f552b0c,
		"1234":                                   0x9fc97b14,
		"234":                                    0xe7c009ca,
		"34":                                     0x873930da,
		"4":                                      0x5a4b5ca1,
		"PreAmbleWillBeRemoved,ThePrePartThatIs": 0x78424f1c,
		"reAmbleWillBeRemoved,ThePrePartThatIs":  0x4a62b377,
	}
	const partitions = 6
	c := kafkamock.Start(t, 3)
	c.CreateTopic(t, "keyed", partitions)
	var lines []string
	for key := range javaMurmur2 {
		lines = append(lines, key)
	}
	writeToKafka(t, c, lines, `
  topic: keyed
  key: ${! content() }
`)
	for _, r := range mockclient.ReadFromStart(t, c.Brokers(), "keyed", len(lines)) {
		want := int32((javaMurmur2[string(r.Key)] & 0x7fffffff) % partitions)
		assert.Equal(t, want, r.Partition, "key %q", r.Key)
	}
}

func TestKafkaOutputManualPartition(t *testing.T) {
	c := kafkamock.Start(t, 1)
	c.CreateTopic(t, "manual", 4)
	writeToKafka(t, c, []string{"0", "3", "2", "3"}, `
  topic: manual
  partitioner: manual
  partition: ${! content() }
  compression: zstd
  idempotent_write: false
`)
	for _, r := range mockclient.ReadFromStart(t, c.Brokers(), "manual", 4) {
		assert.Equal(t, string(r.Value), fmt.Sprint(r.Partition))
	}
}

func TestKafkaOutputRoundRobinSpreads(t *testing.T) {
	c := kafkamock.Start(t, 1)
	c.CreateTopic(t, "spread", 3)
	lines := make([]string, 9)
	for i := range lines {
		lines[i] = fmt.Sprint(i)
	}
	writeToKafka(t, c, lines, `
  topic: spread
  partitioner: round_robin
  compression: gzip
`)
	perPartition := map[int32]int{}
	for _, r := range mockclient.ReadFromStart(t, c.Brokers(), "spread", 9) {
		perPartition[r.Partition]++
	}
	assert.Len(t, perPartition, 3)
}

func TestKafkaOutputUnreachableBroker(t *testing.T) {
	addr := testutil.FreeAddr(t)
	conf, err := kafkaOutputSpec().ParseYAML(fmt.Sprintf("seed_brokers: [ %q ]\ntopic: t\n", addr), nil)
	require.NoError(t, err)
	w, err := newKafkaWriter(conf, service.MockResources(), mockclient.Opts())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	err = w.Connect(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), addr)
	assert.ErrorIs(t, w.WriteBatch(ctx, service.MessageBatch{service.NewMessage([]byte("x"))}), service.ErrNotConnected)
	require.NoError(t, w.Close(ctx))
}

func TestKafkaOutputConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"manual without partition", "seed_brokers: [ b:9092 ]\ntopic: t\npartitioner: manual", "partition"},
		{"bad partitioner", "seed_brokers: [ b:9092 ]\ntopic: t\npartitioner: random", "partitioner"},
		{"bad timeout", "seed_brokers: [ b:9092 ]\ntopic: t\ntimeout: 0s", "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf, err := kafkaOutputSpec().ParseYAML(tc.yaml, nil)
			if err == nil {
				_, err = newKafkaWriter(conf, service.MockResources(), nil)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// A message whose partition does not interpolate to a number is rejected
// with the reason, not written somewhere else.
func TestKafkaOutputBadPartitionIsRejected(t *testing.T) {
	c := kafkamock.Start(t, 1)
	c.CreateTopic(t, "p", 2)
	conf, err := kafkaOutputSpec().ParseYAML(fmt.Sprintf(`
seed_brokers: [ %q ]
topic: p
partitioner: manual
partition: ${! content() }
`, strings.Join(c.Brokers(), ",")), nil)
	require.NoError(t, err)
	w, err := newKafkaWriter(conf, service.MockResources(), mockclient.Opts())
	require.NoError(t, err)
	require.NoError(t, w.Connect(t.Context()))
	defer func() { require.NoError(t, w.Close(t.Context())) }()
	err = w.WriteBatch(t.Context(), service.MessageBatch{service.NewMessage([]byte("1")), service.NewMessage([]byte("two"))})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `message 1: partition: "two" is not a partition number`)
}
