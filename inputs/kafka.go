package inputs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/hogpipe/hogpipe/internal/kafkaconf"
)

const (
	kiFieldTopics          = "topics"
	kiFieldRegexpTopics    = "regexp_topics"
	kiFieldConsumerGroup   = "consumer_group"
	kiFieldRackID          = "rack_id"
	kiFieldStartFromOldest = "start_from_oldest"
	kiFieldCheckpointLimit = "checkpoint_limit"
	kiFieldCommitPeriod    = "commit_period"
	kiFieldBatching        = "batching"
)

func kafkaInputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Services").
		Summary("Consumes records from Kafka (or Redpanda) topics, in a consumer group that shares the partitions between replicas.").
		Description(`
Each record becomes a message holding the record's value. Built on franz-go; no cgo.

### Consumer groups and offsets

Every replica naming the same `+"`consumer_group`"+` gets a share of the topics' partitions, and the shares move when a replica joins, leaves or dies. The offset of a record is committed only once the message has been acknowledged downstream (written by the output, or dropped on purpose by a processor), and per partition in order: a record that is not yet acknowledged, or that was rejected (nacked, then retried), holds the commit of its partition, while other partitions move on. Commits are made every `+"`commit_period`"+`, when a partition is taken away in a rebalance, and on shutdown. After a crash or a rebalance, everything past the last commit is read again: delivery is at least once, and a crash can repeat up to `+"`commit_period`"+` worth of records plus those in flight (at most `+"`checkpoint_limit`"+` per partition).

Without a `+"`consumer_group`"+` every partition is read, from the oldest or newest offset at each start, and nothing is committed.

### Order

Records of one partition reach the pipeline in offset order. With `+"`pipeline.threads`"+` above 1 or an output with `+"`max_in_flight`"+` above 1, messages can overtake each other after the input; the commit stays in order regardless.

### Batching

By default each poll of the brokers becomes one batch. With `+"`batching`"+`, batches follow that policy (count, byte size, period), so a plugin's `+"`processEventBatch`"+` gets batches of a known size.

### Metadata

- `+"`kafka_key`"+`: the record key
- `+"`kafka_topic`"+`, `+"`kafka_partition`"+`, `+"`kafka_offset`"+`
- `+"`kafka_timestamp_unix`"+` (seconds) and `+"`kafka_timestamp_ms`"+`
- every record header, by its name

A broker that cannot be reached at start is logged and retried with back-off; so are brokers that go away later (franz-go reconnects by itself).`).
		Fields(kafkaconf.SeedBrokersField()).
		Fields(
			service.NewStringListField(kiFieldTopics).
				Description("The topics to consume.").
				Example([]string{"events_plugin_ingestion"}),
			service.NewBoolField(kiFieldRegexpTopics).
				Description("Treat each entry of `topics` as a regular expression matched against the cluster's topics (new matching topics are picked up).").
				Default(false).
				Advanced(),
			service.NewStringField(kiFieldConsumerGroup).
				Description("The consumer group. Replicas with the same group share the partitions. When empty, every partition is consumed and no offset is committed.").
				Default("").
				Example("hogpipe"),
			service.NewStringField(kiFieldRackID).
				Description("The rack of this replica, to fetch from a replica in the same rack where the cluster allows it.").
				Default("").
				Advanced(),
			service.NewBoolField(kiFieldStartFromOldest).
				Description("Where a partition without a committed offset starts: the oldest record (true) or only new records (false).").
				Default(true),
			service.NewIntField(kiFieldCheckpointLimit).
				Description("How many records of one partition may be in flight (read but not acknowledged) before fetching that partition pauses. Bounds memory and what a crash repeats.").
				Default(1024).
				LintRule(`root = if this < 1 { ["checkpoint_limit must be at least 1"] }`),
			service.NewDurationField(kiFieldCommitPeriod).
				Description("How often acknowledged offsets are committed.").
				Default("5s").
				Advanced(),
			service.NewBatchPolicyField(kiFieldBatching),
		).
		Fields(kafkaconf.ConnectionFields()...).
		Example("Plugins on a topic", "Run a plugin on each record of a topic, two replicas splitting the partitions.", `
input:
  kafka:
    seed_brokers: [ localhost:9092 ]
    topics: [ events_plugin_ingestion ]
    consumer_group: hogpipe
pipeline:
  processors:
    - posthog_plugin:
        path: ./testdata/plugins/hello-world
output:
  kafka:
    seed_brokers: [ localhost:9092 ]
    topic: events_enriched
    key: ${! @kafka_key }
`).
		Example("Batches for processEventBatch", "Hand a plugin batches of up to 500 events, or what arrived within one second.", `
input:
  kafka:
    seed_brokers: [ localhost:9092 ]
    topics: [ events_plugin_ingestion ]
    consumer_group: hogpipe
    batching:
      count: 500
      period: 1s
pipeline:
  processors:
    - posthog_plugin:
        path: ./testdata/plugins/hello-world
output:
  stdout: {}
`)
}

func init() {
	if err := RegisterKafkaInput(service.GlobalEnvironment()); err != nil {
		panic(err)
	}
}

// RegisterKafkaInput registers the kafka input in env, with extra franz-go
// options appended to those of each configuration; tests use them to cap
// the protocol versions for librdkafka's mock cluster.
func RegisterKafkaInput(env *service.Environment, extra ...kgo.Opt) error {
	return env.RegisterBatchInput("kafka", kafkaInputSpec(), KafkaInputConstructor(extra...))
}

// KafkaInputConstructor builds kafka inputs with extra franz-go options.
func KafkaInputConstructor(extra ...kgo.Opt) service.BatchInputConstructor {
	return func(conf *service.ParsedConfig, res *service.Resources) (service.BatchInput, error) {
		r, err := newKafkaReader(conf, res, extra)
		if err != nil {
			return nil, err
		}
		// A nacked batch is retried by this wrapper, never acknowledged to
		// us, so it holds its partitions' commits until it gets through.
		return service.AutoRetryNacksBatched(r), nil
	}
}

// topicPartition names a partition.
type topicPartition struct {
	topic     string
	partition int32
}

// kafkaReader reads records and tracks, per partition, which of them were
// acknowledged, to commit in order.
type kafkaReader struct {
	conn         kafkaconf.Client
	extra        []kgo.Opt
	topics       []string
	regexp       bool
	group        string
	rack         string
	oldest       bool
	limit        int
	commitPeriod time.Duration
	policy       service.BatchPolicy
	res          *service.Resources
	log          *service.Logger

	// ReadBatch's own state: records polled and not yet batched, records
	// of the batch being formed.
	batcher *service.Batcher
	pending []polledRecord
	forming []polledRecord

	mu         sync.Mutex
	client     *kgo.Client
	running    context.Context // Connect's context: Benthos ends it when the input is to stop
	partitions map[topicPartition]*partitionTracker
	stopCommit chan struct{}
	commitDone chan struct{}

	commitMu sync.Mutex // one commit at a time
}

func newKafkaReader(conf *service.ParsedConfig, res *service.Resources, extra []kgo.Opt) (*kafkaReader, error) {
	conn, err := kafkaconf.Parse(conf)
	if err != nil {
		return nil, err
	}
	r := &kafkaReader{
		conn:       conn,
		extra:      extra,
		res:        res,
		log:        res.Logger(),
		partitions: map[topicPartition]*partitionTracker{},
	}
	if r.topics, err = conf.FieldStringList(kiFieldTopics); err != nil {
		return nil, err
	}
	if len(r.topics) == 0 {
		return nil, errors.New("topics: at least one topic is needed")
	}
	if r.regexp, err = conf.FieldBool(kiFieldRegexpTopics); err != nil {
		return nil, err
	}
	if r.group, err = conf.FieldString(kiFieldConsumerGroup); err != nil {
		return nil, err
	}
	if r.rack, err = conf.FieldString(kiFieldRackID); err != nil {
		return nil, err
	}
	if r.oldest, err = conf.FieldBool(kiFieldStartFromOldest); err != nil {
		return nil, err
	}
	if r.limit, err = conf.FieldInt(kiFieldCheckpointLimit); err != nil {
		return nil, err
	}
	if r.limit < 1 {
		return nil, fmt.Errorf("checkpoint_limit: %d is below 1", r.limit)
	}
	if r.commitPeriod, err = conf.FieldDuration(kiFieldCommitPeriod); err != nil {
		return nil, err
	}
	if r.commitPeriod <= 0 {
		return nil, fmt.Errorf("commit_period: %v is not positive", r.commitPeriod)
	}
	if r.policy, err = conf.FieldBatchPolicy(kiFieldBatching); err != nil {
		return nil, err
	}
	if !r.policy.IsNoop() {
		if r.batcher, err = r.policy.NewBatcher(res); err != nil {
			return nil, fmt.Errorf("batching: %w", err)
		}
	}
	return r, nil
}

// Connect makes the client. Benthos (v4.60) passes every Connect the
// context it ends when the input is told to stop consuming, and ReadBatch
// keeps it: AutoRetryNacksBatched reads with a context of its own, ended
// only by Close, and its wait for a retry can miss the stop when that comes
// during a retry's back-off. A poll left blocked then would keep Benthos
// from ever closing the input, and the client would stay in its group
// holding its partitions. Ending the poll at the stop wakes the wrapper, so
// Benthos goes on to Close.
func (r *kafkaReader) Connect(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running = ctx
	if r.client != nil {
		return nil
	}
	opts := slices.Clone(r.conn.Opts)
	opts = append(opts,
		kafkaconf.Logger(r.log),
		kgo.ConsumeTopics(r.topics...),
		kgo.ConsumeResetOffset(r.resetOffset()),
	)
	if r.regexp {
		opts = append(opts, kgo.ConsumeRegex())
	}
	if r.rack != "" {
		opts = append(opts, kgo.Rack(r.rack))
	}
	if r.group != "" {
		opts = append(opts,
			kgo.ConsumerGroup(r.group),
			kgo.DisableAutoCommit(),
			kgo.OnPartitionsAssigned(r.onAssigned),
			kgo.OnPartitionsRevoked(r.onRevoked),
			kgo.OnPartitionsLost(r.onLost),
		)
	}
	opts = append(opts, r.extra...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	if err := kafkaconf.Ping(ctx, cl, r.conn.SeedBrokers); err != nil {
		cl.Close()
		return err
	}
	r.client = cl
	if r.group != "" {
		r.stopCommit = make(chan struct{})
		r.commitDone = make(chan struct{})
		go r.commitLoop(cl, r.stopCommit, r.commitDone)
	}
	return nil
}

func (r *kafkaReader) resetOffset() kgo.Offset {
	if r.oldest {
		return kgo.NewOffset().AtStart()
	}
	return kgo.NewOffset().AtEnd()
}

func (r *kafkaReader) ReadBatch(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	r.mu.Lock()
	cl, running := r.client, r.running
	r.mu.Unlock()
	if cl == nil {
		return nil, nil, service.ErrNotConnected
	}
	if running != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(running, cancel)()
	}
	stopped := func() bool { return running != nil && running.Err() != nil }
	for {
		for len(r.pending) > 0 {
			rec := r.pending[0]
			r.pending = r.pending[1:]
			r.forming = append(r.forming, rec)
			if r.batcher != nil && r.batcher.Add(rec.msg) {
				return r.flush(ctx)
			}
		}
		if r.batcher == nil && len(r.forming) > 0 {
			return r.flush(ctx)
		}

		// With a batch period, the poll waits no longer than the period
		// of the batch being formed.
		pollCtx, cancel := ctx, context.CancelFunc(func() {})
		timed := false
		if r.batcher != nil && len(r.forming) > 0 {
			if wait, ok := r.batcher.UntilNext(); ok {
				pollCtx, cancel = context.WithTimeout(ctx, wait)
				timed = true
			}
		}
		fetches := cl.PollRecords(pollCtx, r.limit)
		periodDue := timed && pollCtx.Err() != nil && ctx.Err() == nil
		cancel()
		if stopped() {
			// The records polled are not handed on, so never committed:
			// the group reads them again.
			return nil, nil, service.ErrNotConnected
		}
		if err := r.fetchErrors(fetches); err != nil {
			return nil, nil, err
		}
		r.pending = r.track(cl, fetches)
		if periodDue {
			return r.flush(ctx)
		}
		if err := ctx.Err(); err != nil && len(r.pending) == 0 {
			return nil, nil, err
		}
	}
}

// fetchErrors logs what franz-go could not fetch (it retries by itself) and
// reports a closed client as a lost connection.
func (r *kafkaReader) fetchErrors(fetches kgo.Fetches) error {
	for _, fe := range fetches.Errors() {
		switch {
		case errors.Is(fe.Err, kgo.ErrClientClosed):
			return service.ErrNotConnected
		case errors.Is(fe.Err, context.Canceled), errors.Is(fe.Err, context.DeadlineExceeded):
		default:
			r.log.Warnf("kafka: fetching topic %q partition %d: %v", fe.Topic, fe.Partition, fe.Err)
		}
	}
	return nil
}

// flush hands the forming batch downstream with an ack that marks its
// records done.
func (r *kafkaReader) flush(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	records := r.forming
	r.forming = nil
	var batch service.MessageBatch
	if r.batcher != nil {
		var err error
		if batch, err = r.batcher.Flush(ctx); err != nil {
			return nil, nil, fmt.Errorf("batching: %w", err)
		}
	} else {
		batch = make(service.MessageBatch, len(records))
		for i, rec := range records {
			batch[i] = rec.msg
		}
	}
	ack := func(_ context.Context, err error) error {
		if err != nil {
			// Only reached when the retrying wrapper gives up (shutdown):
			// leaving the records undone keeps them uncommitted.
			return nil
		}
		for _, rec := range records {
			rec.tracker.done(rec.entry, r.limit)
		}
		return nil
	}
	if len(batch) == 0 {
		// The batch policy's processors dropped everything: that is an
		// acknowledgement.
		_ = ack(ctx, nil)
		return r.ReadBatch(ctx)
	}
	return batch, ack, nil
}

// polledRecord is a record turned into a message, with its place in its
// partition's tracker.
type polledRecord struct {
	msg     *service.Message
	tracker *partitionTracker
	entry   *inflight
}

// track registers polled records with their partitions' trackers, pausing
// partitions at the checkpoint limit. In a group, records of partitions that
// were revoked since the poll are left out: their new owner reads them.
func (r *kafkaReader) track(cl *kgo.Client, fetches kgo.Fetches) []polledRecord {
	var out []polledRecord
	r.mu.Lock()
	defer r.mu.Unlock()
	fetches.EachPartition(func(p kgo.FetchTopicPartition) {
		if len(p.Records) == 0 {
			return
		}
		tp := topicPartition{p.Topic, p.Partition}
		t := r.partitions[tp]
		if t == nil {
			if r.group != "" {
				return
			}
			t = newPartitionTracker(cl, tp)
			r.partitions[tp] = t
		}
		for _, rec := range p.Records {
			out = append(out, polledRecord{msg: recordMessage(rec), tracker: t, entry: t.add(rec)})
		}
		t.pauseAtLimit(r.limit)
	})
	return out
}

func recordMessage(rec *kgo.Record) *service.Message {
	msg := service.NewMessage(rec.Value)
	for _, h := range rec.Headers {
		msg.MetaSetMut(h.Key, string(h.Value))
	}
	msg.MetaSetMut("kafka_key", string(rec.Key))
	msg.MetaSetMut("kafka_topic", rec.Topic)
	msg.MetaSetMut("kafka_partition", int64(rec.Partition))
	msg.MetaSetMut("kafka_offset", rec.Offset)
	msg.MetaSetMut("kafka_timestamp_unix", rec.Timestamp.Unix())
	msg.MetaSetMut("kafka_timestamp_ms", rec.Timestamp.UnixMilli())
	return msg
}

func (r *kafkaReader) onAssigned(_ context.Context, cl *kgo.Client, assigned map[string][]int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for topic, parts := range assigned {
		for _, p := range parts {
			tp := topicPartition{topic, p}
			if old := r.partitions[tp]; old != nil {
				old.retire()
			}
			r.partitions[tp] = newPartitionTracker(cl, tp)
		}
	}
	r.log.Infof("kafka: assigned %v", assigned)
}

// onRevoked commits what is done before the partitions go to another
// member; records of theirs still in flight will be read again there.
func (r *kafkaReader) onRevoked(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
	r.commit(ctx, cl)
	r.drop(revoked)
	r.log.Infof("kafka: revoked %v", revoked)
}

// onLost drops partitions that were taken away without a chance to commit
// (a session timeout): committing now would be refused.
func (r *kafkaReader) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	r.drop(lost)
	r.log.Warnf("kafka: lost %v without committing; their uncommitted records will be read again", lost)
}

func (r *kafkaReader) drop(parts map[string][]int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for topic, ps := range parts {
		for _, p := range ps {
			tp := topicPartition{topic, p}
			if t := r.partitions[tp]; t != nil {
				t.retire()
				delete(r.partitions, tp)
			}
		}
	}
}

func (r *kafkaReader) commitLoop(cl *kgo.Client, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ticker := time.NewTicker(r.commitPeriod)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			ctx, cancel := context.WithTimeout(context.Background(), r.commitPeriod+10*time.Second)
			r.commit(ctx, cl)
			cancel()
		}
	}
}

// commit commits, for every partition, the offset after its acknowledged
// prefix, when it moved.
func (r *kafkaReader) commit(ctx context.Context, cl *kgo.Client) {
	r.commitMu.Lock()
	defer r.commitMu.Unlock()

	r.mu.Lock()
	offsets := map[string]map[int32]kgo.EpochOffset{}
	trackers := map[topicPartition]*partitionTracker{}
	for tp, t := range r.partitions {
		if eo, ok := t.committable(); ok {
			if offsets[tp.topic] == nil {
				offsets[tp.topic] = map[int32]kgo.EpochOffset{}
			}
			offsets[tp.topic][tp.partition] = eo
			trackers[tp] = t
		}
	}
	r.mu.Unlock()
	if len(offsets) == 0 {
		return
	}

	cl.CommitOffsetsSync(ctx, offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			r.log.Warnf("kafka: committing offsets of group %s: %v", r.group, err)
			return
		}
		for _, topic := range resp.Topics {
			for _, p := range topic.Partitions {
				tp := topicPartition{topic.Topic, p.Partition}
				if perr := kerr.ErrorForCode(p.ErrorCode); perr != nil {
					r.log.Warnf("kafka: committing topic %q partition %d of group %s: %v", tp.topic, tp.partition, r.group, perr)
					continue
				}
				if t := trackers[tp]; t != nil {
					t.markCommitted(offsets[tp.topic][tp.partition].Offset)
				}
			}
		}
	})
}

func (r *kafkaReader) Close(ctx context.Context) error {
	r.mu.Lock()
	cl := r.client
	r.client = nil
	stop, done := r.stopCommit, r.commitDone
	r.stopCommit, r.commitDone = nil, nil
	r.mu.Unlock()
	if cl == nil {
		return nil
	}
	if stop != nil {
		close(stop)
		select {
		case <-done:
		case <-ctx.Done():
		}
		r.commit(ctx, cl)
	}
	// Leaving the group hands the partitions over at once, instead of
	// after the session times out.
	cl.Close()
	return nil
}

// inflight is a record read and not yet acknowledged.
type inflight struct {
	offset int64
	epoch  int32
	done   bool
}

// partitionTracker follows one partition's records from poll to ack, for
// one assignment of the partition: a new assignment gets a new tracker, so
// late acks of an earlier one commit nothing.
type partitionTracker struct {
	cl *kgo.Client
	tp topicPartition

	mu        sync.Mutex
	queue     []*inflight // in offset order
	next      kgo.EpochOffset
	hasNext   bool
	committed int64
	paused    bool
	retired   bool
}

func newPartitionTracker(cl *kgo.Client, tp topicPartition) *partitionTracker {
	return &partitionTracker{cl: cl, tp: tp, committed: -1}
}

func (t *partitionTracker) add(rec *kgo.Record) *inflight {
	e := &inflight{offset: rec.Offset, epoch: rec.LeaderEpoch}
	t.mu.Lock()
	t.queue = append(t.queue, e)
	t.mu.Unlock()
	return e
}

// done marks a record acknowledged and moves the committable offset past
// the acknowledged prefix.
func (t *partitionTracker) done(e *inflight, limit int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e.done = true
	n := 0
	for n < len(t.queue) && t.queue[n].done {
		n++
	}
	if n > 0 {
		last := t.queue[n-1]
		t.next = kgo.EpochOffset{Epoch: last.epoch, Offset: last.offset + 1}
		t.hasNext = true
		t.queue = slices.Delete(t.queue, 0, n)
	}
	if t.paused && !t.retired && len(t.queue) < limit {
		t.paused = false
		t.cl.ResumeFetchPartitions(map[string][]int32{t.tp.topic: {t.tp.partition}})
	}
}

func (t *partitionTracker) pauseAtLimit(limit int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.paused && len(t.queue) >= limit {
		t.paused = true
		t.cl.PauseFetchPartitions(map[string][]int32{t.tp.topic: {t.tp.partition}})
	}
}

func (t *partitionTracker) committable() (kgo.EpochOffset, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.retired || !t.hasNext || t.next.Offset <= t.committed {
		return kgo.EpochOffset{}, false
	}
	return t.next, true
}

func (t *partitionTracker) markCommitted(offset int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.committed = max(t.committed, offset)
}

// retire ends the tracker's assignment; a pause must not outlive it, as
// franz-go keeps paused partitions paused across assignments.
func (t *partitionTracker) retire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.retired = true
	if t.paused {
		t.paused = false
		t.cl.ResumeFetchPartitions(map[string][]int32{t.tp.topic: {t.tp.partition}})
	}
}
