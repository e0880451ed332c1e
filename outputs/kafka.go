package outputs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/hogpipe/hogpipe/internal/kafkaconf"
)

const (
	koFieldTopic           = "topic"
	koFieldKey             = "key"
	koFieldPartitioner     = "partitioner"
	koFieldPartition       = "partition"
	koFieldCompression     = "compression"
	koFieldIdempotentWrite = "idempotent_write"
	koFieldMetadata        = "metadata"
	koFieldBatching        = "batching"
	koFieldTimeout         = "timeout"
)

// Partitioners.
const (
	koPartitionerMurmur2     = "murmur2_hash"
	koPartitionerRoundRobin  = "round_robin"
	koPartitionerLeastBackup = "least_backup"
	koPartitionerManual      = "manual"
)

func kafkaOutputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Services").
		Summary("Writes messages to a Kafka (or Redpanda) topic.").
		Description(`
Each message becomes a record whose value is the message. A batch is acknowledged once the brokers have acknowledged every record of it (with `+"`acks=all`"+`); when one fails, the batch is rejected and retried. With `+"`idempotent_write`"+` (the default) the brokers drop duplicates of a retried produce request, so a retry inside one run does not write a record twice. Built on franz-go; no cgo.

### Partitions

- `+"`murmur2_hash`"+` (default): records with a key go to partition `+"`murmur2(key) % partitions`"+`, as the Java client and librdkafka's `+"`murmur2_random`"+` put them, so a key lands where other producers put it and per-key order holds; records without a key are spread in sticky batches.
- `+"`round_robin`"+`: one partition after the other, keys ignored.
- `+"`least_backup`"+`: the partition with the fewest records waiting to be sent.
- `+"`manual`"+`: the partition given by `+"`partition`"+`.

### Headers

Metadata whose key matches `+"`metadata`"+` becomes record headers. Messages read by the `+"`kafka`"+` input carry `+"`kafka_*`"+` metadata, which is usually not wanted as headers: include only what you need.`).
		Fields(kafkaconf.SeedBrokersField()).
		Fields(
			service.NewInterpolatedStringField(koFieldTopic).
				Description("The topic of each record.").
				Example("events_plugin_ingestion").
				Example(`${! @kafka_topic }_enriched`),
			service.NewInterpolatedStringField(koFieldKey).
				Description("The key of each record. Empty means no key.").
				Default("").
				Example(`${! @kafka_key }`).
				Example(`${! json("distinct_id") }`),
			service.NewStringEnumField(koFieldPartitioner, koPartitionerMurmur2, koPartitionerRoundRobin, koPartitionerLeastBackup, koPartitionerManual).
				Description("How a record's partition is chosen (see above).").
				Default(koPartitionerMurmur2),
			service.NewInterpolatedStringField(koFieldPartition).
				Description("The partition of each record, with `partitioner: manual`.").
				Default("").
				Example(`${! @kafka_partition }`).
				Advanced(),
			service.NewStringEnumField(koFieldCompression, "none", "gzip", "snappy", "lz4", "zstd").
				Description("How record batches are compressed.").
				Default("none"),
			service.NewBoolField(koFieldIdempotentWrite).
				Description("Have the brokers drop duplicates of retried produce requests. Needs the `IDEMPOTENT_WRITE` permission on the cluster.").
				Default(true).
				Advanced(),
			service.NewMetadataFilterField(koFieldMetadata).
				Description("Which metadata becomes record headers.").
				Optional(),
			service.NewOutputMaxInFlightField(),
			service.NewBatchPolicyField(koFieldBatching),
			service.NewDurationField(koFieldTimeout).
				Description("How long a batch may take to be acknowledged by the brokers before it is rejected and retried.").
				Default("10s").
				Advanced(),
		).
		Fields(kafkaconf.ConnectionFields()...).
		LintRule(`root = if this.partitioner == "manual" && this.partition.or("") == "" { ["partition is needed with partitioner: manual"] }`).
		Example("Keep keys and partitions", "Write events to a topic keyed by distinct id, so that each person's events keep their order.", `
input:
  generate:
    count: 3
    interval: ""
    mapping: |
      root = {"event": "signed up", "distinct_id": uuid_v4(), "properties": {}}
output:
  kafka:
    seed_brokers: [ localhost:9092 ]
    topic: events_plugin_ingestion
    key: ${! json("distinct_id") }
    compression: zstd
    metadata:
      include_prefixes: [ "posthog_" ]
`)
}

func init() {
	if err := RegisterKafkaOutput(service.GlobalEnvironment()); err != nil {
		panic(err)
	}
}

// RegisterKafkaOutput registers the kafka output in env, with extra franz-go
// options appended to those of each configuration; tests use them to cap
// the protocol versions for librdkafka's mock cluster.
func RegisterKafkaOutput(env *service.Environment, extra ...kgo.Opt) error {
	return env.RegisterBatchOutput("kafka", kafkaOutputSpec(), KafkaOutputConstructor(extra...))
}

// KafkaOutputConstructor builds kafka outputs with extra franz-go options.
func KafkaOutputConstructor(extra ...kgo.Opt) service.BatchOutputConstructor {
	return func(conf *service.ParsedConfig, res *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
		var policy service.BatchPolicy
		w, err := newKafkaWriter(conf, res, extra)
		if err != nil {
			return nil, policy, 0, err
		}
		if policy, err = conf.FieldBatchPolicy(koFieldBatching); err != nil {
			return nil, policy, 0, err
		}
		maxInFlight, err := conf.FieldMaxInFlight()
		if err != nil {
			return nil, policy, 0, err
		}
		return w, policy, maxInFlight, nil
	}
}

type kafkaWriter struct {
	conn      kafkaconf.Client
	opts      []kgo.Opt
	topic     *service.InterpolatedString
	key       *service.InterpolatedString
	partition *service.InterpolatedString
	manual    bool
	metadata  *service.MetadataFilter
	timeout   time.Duration
	log       *service.Logger

	mu     sync.Mutex
	client *kgo.Client
}

func newKafkaWriter(conf *service.ParsedConfig, res *service.Resources, extra []kgo.Opt) (*kafkaWriter, error) {
	conn, err := kafkaconf.Parse(conf)
	if err != nil {
		return nil, err
	}
	w := &kafkaWriter{conn: conn, log: res.Logger()}
	if w.topic, err = conf.FieldInterpolatedString(koFieldTopic); err != nil {
		return nil, err
	}
	if w.key, err = conf.FieldInterpolatedString(koFieldKey); err != nil {
		return nil, err
	}
	if w.partition, err = conf.FieldInterpolatedString(koFieldPartition); err != nil {
		return nil, err
	}
	if conf.Contains(koFieldMetadata) {
		if w.metadata, err = conf.FieldMetadataFilter(koFieldMetadata); err != nil {
			return nil, err
		}
	}
	if w.timeout, err = conf.FieldDuration(koFieldTimeout); err != nil {
		return nil, err
	}
	if w.timeout <= 0 {
		return nil, fmt.Errorf("timeout: %v is not positive", w.timeout)
	}

	partitioner, err := conf.FieldString(koFieldPartitioner)
	if err != nil {
		return nil, err
	}
	var p kgo.Partitioner
	switch partitioner {
	case koPartitionerMurmur2:
		// franz-go's default hasher is Kafka's murmur2, as the Java client.
		p = kgo.StickyKeyPartitioner(nil)
	case koPartitionerRoundRobin:
		p = kgo.RoundRobinPartitioner()
	case koPartitionerLeastBackup:
		p = kgo.LeastBackupPartitioner()
	case koPartitionerManual:
		if static, ok := w.partition.Static(); ok && static == "" {
			return nil, errors.New("partition: needed with partitioner manual")
		}
		w.manual = true
		p = kgo.ManualPartitioner()
	default:
		return nil, fmt.Errorf("partitioner: unknown %q", partitioner)
	}

	compression, err := conf.FieldString(koFieldCompression)
	if err != nil {
		return nil, err
	}
	codec, err := compressionCodec(compression)
	if err != nil {
		return nil, err
	}
	idempotent, err := conf.FieldBool(koFieldIdempotentWrite)
	if err != nil {
		return nil, err
	}

	w.opts = slices.Clone(conn.Opts)
	w.opts = append(w.opts,
		kafkaconf.Logger(w.log),
		kgo.RecordPartitioner(p),
		kgo.ProducerBatchCompression(codec),
		kgo.RecordDeliveryTimeout(w.timeout),
		// Writes are acknowledged one batch at a time: lingering would only
		// delay them.
		kgo.ProducerLinger(0),
	)
	if !idempotent {
		w.opts = append(w.opts, kgo.DisableIdempotentWrite())
	}
	w.opts = append(w.opts, extra...)
	return w, nil
}

func compressionCodec(name string) (kgo.CompressionCodec, error) {
	switch name {
	case "none":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.CompressionCodec{}, fmt.Errorf("compression: unknown %q", name)
}

func (w *kafkaWriter) Connect(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.client != nil {
		return nil
	}
	cl, err := kgo.NewClient(w.opts...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	if err := kafkaconf.Ping(ctx, cl, w.conn.SeedBrokers); err != nil {
		cl.Close()
		return err
	}
	w.client = cl
	return nil
}

func (w *kafkaWriter) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	w.mu.Lock()
	cl := w.client
	w.mu.Unlock()
	if cl == nil {
		return service.ErrNotConnected
	}
	records := make([]*kgo.Record, 0, len(batch))
	for i, msg := range batch {
		rec, err := w.record(batch, i, msg)
		if err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		records = append(records, rec)
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	if err := cl.ProduceSync(ctx, records...).FirstErr(); err != nil {
		return fmt.Errorf("producing to kafka: %w", err)
	}
	return nil
}

func (w *kafkaWriter) record(batch service.MessageBatch, i int, msg *service.Message) (*kgo.Record, error) {
	value, err := msg.AsBytes()
	if err != nil {
		return nil, err
	}
	topic, err := batch.TryInterpolatedString(i, w.topic)
	if err != nil {
		return nil, fmt.Errorf("topic: %w", err)
	}
	if topic == "" {
		return nil, errors.New("topic: interpolated to an empty string")
	}
	rec := &kgo.Record{Topic: topic, Value: value}
	key, err := batch.TryInterpolatedBytes(i, w.key)
	if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	if len(key) > 0 {
		rec.Key = key
	}
	if w.manual {
		s, err := batch.TryInterpolatedString(i, w.partition)
		if err != nil {
			return nil, fmt.Errorf("partition: %w", err)
		}
		p, err := strconv.ParseInt(s, 10, 32)
		if err != nil || p < 0 {
			return nil, fmt.Errorf("partition: %q is not a partition number", s)
		}
		rec.Partition = int32(p)
	}
	if w.metadata != nil {
		_ = w.metadata.Walk(msg, func(k, v string) error {
			rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
			return nil
		})
	}
	return rec, nil
}

func (w *kafkaWriter) Close(context.Context) error {
	w.mu.Lock()
	cl := w.client
	w.client = nil
	w.mu.Unlock()
	if cl != nil {
		cl.Close()
	}
	return nil
}
