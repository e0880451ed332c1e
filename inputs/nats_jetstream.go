package inputs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/internal/natsconf"
)

const (
	njInFieldStream        = "stream"
	njInFieldSubject       = "subject"
	njInFieldDurable       = "durable"
	njInFieldDeliver       = "deliver"
	njInFieldAckWait       = "ack_wait"
	njInFieldMaxAckPending = "max_ack_pending"
	njInFieldBatching      = "batching"
	njInDeliverAll         = "all"
	njInDeliverNew         = "new"
)

// njInInactiveThreshold is how long the server keeps an ephemeral consumer
// (no durable) after its reader went away.
const njInInactiveThreshold = time.Minute

// njInFlushTimeout bounds the wait for the last acks at Close.
const njInFlushTimeout = 5 * time.Second

func njInputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Services").
		Summary("Reads messages from a NATS JetStream stream with a pull consumer, acknowledging each once it has been delivered downstream.").
		Description(`
### Consumers and scaling out

With `+"`durable`"+`, the input reads through the durable pull consumer of that name on `+"`stream`"+`, creating it when it is missing (with `+"`subject`"+` as its filter, `+"`deliver`, `ack_wait` and `max_ack_pending`"+`). Every replica naming the same durable shares it: JetStream hands each message to one of them, which is how replicas split the work. An existing consumer is used as it is; its settings are not changed. Without `+"`durable`"+`, each input creates its own ephemeral consumer, which the server deletes a minute after the input goes away.

### Acknowledgements

A message is acknowledged (`+"`Ack`"+`) only after it has been delivered downstream (written by the output); a message rejected downstream is `+"`Nak`"+`ed, and JetStream delivers it again. A message neither acked nor nacked within `+"`ack_wait`"+` (a crash, say) is redelivered too, to this replica or another, so delivery is at least once: after a crash, the messages that were in flight (at most `+"`max_ack_pending`"+` per consumer) come again.

### Outages

A server that cannot be reached at start-up, or refuses the credentials, fails the connection with an error naming the servers; Benthos logs it and retries with back-off. Once connected, the client reconnects by itself for as long as it takes, logging each outage, and messages not acked meanwhile are redelivered.

### Metadata

- `+"`nats_subject`"+`: the message's subject
- `+"`nats_stream`, `nats_consumer`"+`: the stream and consumer
- `+"`nats_sequence_stream`, `nats_sequence_consumer`"+`: its sequence numbers
- `+"`nats_num_delivered`"+`: how many times it has been delivered (1 the first time)
- `+"`nats_num_pending`"+`: messages left for the consumer
- `+"`nats_timestamp_unix_nano`"+`: when the stream stored it
- each header of the message, under its name (the first value of a repeated header)
`).
		Fields(natsconf.Fields()...).
		Fields(
			service.NewStringField(njInFieldStream).
				Description("The stream to read. When empty, the stream that holds `subject` is looked up.").
				Default("").
				Example("EVENTS"),
			service.NewStringField(njInFieldSubject).
				Description("The subject (wildcards allowed) the consumer is filtered on; when empty, every subject of the stream.").
				Default("").
				Examples("events.>", "events.ingest"),
			service.NewStringField(njInFieldDurable).
				Description("The name of the durable pull consumer, shared by every replica that names it. When empty, an ephemeral consumer per input.").
				Default("").
				Example("hogpipe"),
			service.NewStringEnumField(njInFieldDeliver, njInDeliverAll, njInDeliverNew).
				Description("Where a consumer created by this input starts: `all` from the first message the stream holds, `new` with messages stored after its creation.").
				Default(njInDeliverAll),
			service.NewDurationField(njInFieldAckWait).
				Description("How long the server waits for a message's acknowledgement before delivering it again. Set it above the time a batch takes through the pipeline. Applies when the input creates the consumer.").
				Default("30s").
				Example("1m"),
			service.NewIntField(njInFieldMaxAckPending).
				Description("The most messages the consumer has delivered and not had acknowledged, across all replicas; delivery pauses at this limit, so it bounds throughput to about this many messages per pipeline round trip. Raise it with the number of replicas. Applies when the input creates the consumer.").
				Default(1024).
				Example(10000),
			service.NewBatchPolicyField(njInFieldBatching),
		).
		Example("Split a stream across replicas",
			"Every replica running this config shares the durable consumer `hogpipe`: each message goes to one of them.",
			`
input:
  nats_jetstream:
    urls: [ nats://nats:4222 ]
    stream: EVENTS
    subject: events.>
    durable: hogpipe
    batching:
      count: 100
      period: 100ms
`).
		Example("With a token over TLS",
			"Read new messages only, from a server that requires TLS and a token.",
			`
input:
  nats_jetstream:
    urls: [ tls://nats.example.com:4222 ]
    stream: EVENTS
    durable: hogpipe
    deliver: new
    tls:
      enabled: true
    auth:
      token: ${NATS_TOKEN}
`)
}

func init() {
	service.MustRegisterBatchInput("nats_jetstream", njInputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchInput, error) {
			return newNJInputFromParsed(conf, mgr)
		})
}

//------------------------------------------------------------------------------

type njInput struct {
	log *service.Logger
	res *service.Resources

	conn          natsconf.Config
	stream        string
	subject       string
	durable       string
	deliver       jetstream.DeliverPolicy
	ackWait       time.Duration
	maxAckPending int
	policy        service.BatchPolicy
	period        time.Duration

	mu      sync.Mutex
	nc      *nats.Conn
	iter    jetstream.MessagesContext
	batcher *service.Batcher
	pending []jetstream.Msg // read into the batcher, not yet flushed
	started time.Time       // when the first pending message was read
}

func newNJInputFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (*njInput, error) {
	in := &njInput{log: mgr.Logger(), res: mgr}
	var err error
	if in.conn, err = natsconf.FromParsed(conf); err != nil {
		return nil, err
	}
	if in.stream, err = conf.FieldString(njInFieldStream); err != nil {
		return nil, err
	}
	if in.subject, err = conf.FieldString(njInFieldSubject); err != nil {
		return nil, err
	}
	if in.stream == "" && in.subject == "" {
		return nil, fmt.Errorf("%s or %s is required", njInFieldStream, njInFieldSubject)
	}
	if in.durable, err = conf.FieldString(njInFieldDurable); err != nil {
		return nil, err
	}
	deliver, err := conf.FieldString(njInFieldDeliver)
	if err != nil {
		return nil, err
	}
	in.deliver = jetstream.DeliverAllPolicy
	if deliver == njInDeliverNew {
		in.deliver = jetstream.DeliverNewPolicy
	}
	if in.ackWait, err = conf.FieldDuration(njInFieldAckWait); err != nil {
		return nil, err
	}
	if in.ackWait <= 0 {
		return nil, fmt.Errorf("%s must be positive", njInFieldAckWait)
	}
	if in.maxAckPending, err = conf.FieldInt(njInFieldMaxAckPending); err != nil {
		return nil, err
	}
	if in.maxAckPending <= 0 {
		return nil, fmt.Errorf("%s must be positive", njInFieldMaxAckPending)
	}
	if in.policy, err = conf.FieldBatchPolicy(njInFieldBatching); err != nil {
		return nil, err
	}
	if in.policy.Period != "" {
		if in.period, err = time.ParseDuration(in.policy.Period); err != nil {
			return nil, fmt.Errorf("invalid %s.period: %w", njInFieldBatching, err)
		}
	}
	return in, nil
}

func (in *njInput) Connect(ctx context.Context) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.iter != nil {
		return nil
	}
	nc, err := in.conn.Connect(ctx, "hogpipe nats_jetstream input", in.log)
	if err != nil {
		return err
	}
	iter, err := in.consume(ctx, nc)
	if err != nil {
		nc.Close()
		return err
	}
	if !in.policy.IsNoop() && in.batcher == nil {
		if in.batcher, err = in.policy.NewBatcher(in.res); err != nil {
			iter.Stop()
			nc.Close()
			return fmt.Errorf("invalid %s: %w", njInFieldBatching, err)
		}
	}
	in.nc, in.iter = nc, iter
	return nil
}

// consume finds the stream and the consumer, creating the consumer when it is
// missing, and starts pulling from it.
func (in *njInput) consume(ctx context.Context, nc *nats.Conn) (jetstream.MessagesContext, error) {
	servers := in.conn.Servers()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("nats %s: %w", servers, err)
	}
	name := in.stream
	if name == "" {
		if name, err = js.StreamNameBySubject(ctx, in.subject); err != nil {
			return nil, fmt.Errorf("nats %s: no stream holds subject %q: %w", servers, in.subject, err)
		}
	}
	stream, err := js.Stream(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("nats %s: stream %q: %w", servers, name, err)
	}
	cfg := jetstream.ConsumerConfig{
		Durable:       in.durable,
		DeliverPolicy: in.deliver,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       in.ackWait,
		MaxAckPending: in.maxAckPending,
		FilterSubject: in.subject,
	}
	var cons jetstream.Consumer
	if in.durable == "" {
		cfg.InactiveThreshold = njInInactiveThreshold
		cons, err = stream.CreateConsumer(ctx, cfg)
	} else {
		cons, err = stream.Consumer(ctx, in.durable)
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			cons, err = stream.CreateConsumer(ctx, cfg)
			if errors.Is(err, jetstream.ErrConsumerExists) { // another replica was first
				cons, err = stream.Consumer(ctx, in.durable)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("nats %s: consumer %q of stream %q: %w", servers, in.durable, name, err)
	}
	if got := cons.CachedInfo().Config; in.durable != "" {
		if got.AckPolicy != jetstream.AckExplicitPolicy {
			return nil, fmt.Errorf("nats %s: consumer %q of stream %q has ack policy %s; this input acks each message and needs %s",
				servers, in.durable, name, got.AckPolicy, jetstream.AckExplicitPolicy)
		}
		if got.FilterSubject != in.subject {
			in.log.Warnf("nats %s: consumer %q of stream %q exists with filter subject %q, not %q: using it as it is",
				servers, in.durable, name, got.FilterSubject, in.subject)
		}
	}
	// Prefetch no more than the consumer lets be pending, so that one
	// replica does not take all of it while another idles.
	prefetch := min(in.maxAckPending, 500)
	if in.policy.Count > 0 {
		prefetch = min(in.maxAckPending, max(prefetch, 2*in.policy.Count))
	}
	// A missed heartbeat (a server stopped, say) is handled inside the
	// iterator, which pulls again; it is not a reason to stop reading.
	iter, err := cons.Messages(jetstream.PullMaxMessages(prefetch), jetstream.WithMessagesErrOnMissingHeartbeat(false))
	if err != nil {
		return nil, fmt.Errorf("nats %s: consumer %q of stream %q: %w", servers, in.durable, name, err)
	}
	return iter, nil
}

func (in *njInput) ReadBatch(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	in.mu.Lock()
	iter, batcher := in.iter, in.batcher
	in.mu.Unlock()
	if iter == nil {
		return nil, nil, service.ErrNotConnected
	}
	if batcher == nil {
		m, err := iter.Next(jetstream.NextContext(ctx))
		if err != nil {
			return nil, nil, in.readError(ctx, err)
		}
		return service.MessageBatch{njInMessage(m)}, njInAck([]jetstream.Msg{m}), nil
	}
	for {
		nctx, cancel := ctx, context.CancelFunc(func() {})
		if len(in.pending) > 0 && in.period > 0 {
			nctx, cancel = context.WithDeadline(ctx, in.started.Add(in.period))
		}
		m, err := iter.Next(jetstream.NextContext(nctx))
		cancel()
		if err != nil {
			if len(in.pending) > 0 && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
				return in.flush(ctx, batcher)
			}
			return nil, nil, in.readError(ctx, err)
		}
		if len(in.pending) == 0 {
			in.started = time.Now()
		}
		in.pending = append(in.pending, m)
		if batcher.Add(njInMessage(m)) {
			return in.flush(ctx, batcher)
		}
	}
}

func (in *njInput) flush(ctx context.Context, batcher *service.Batcher) (service.MessageBatch, service.AckFunc, error) {
	msgs := in.pending
	in.pending = nil
	batch, err := batcher.Flush(ctx)
	if err != nil {
		// The messages stay unacked: JetStream delivers them again.
		njInAck(msgs)(ctx, err) //nolint:errcheck // best effort: ack_wait redelivers anyway
		return nil, nil, fmt.Errorf("batching processors failed: %w", err)
	}
	return batch, njInAck(msgs), nil
}

// readError turns an iterator's error into what Benthos expects: the
// context's error when reading was cancelled, else "not connected", so that
// Connect runs again (a deleted consumer is recreated there).
func (in *njInput) readError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	in.log.Errorf("nats %s: reading stopped: %v", in.conn.Servers(), err)
	if len(in.pending) > 0 && in.batcher != nil {
		// Not delivered and never acked: JetStream sends them again after
		// ack_wait, so the half-made batch is dropped rather than sent
		// without its acks.
		_, _ = in.batcher.Flush(context.Background())
	}
	in.disconnect()
	return service.ErrNotConnected
}

func (in *njInput) disconnect() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.iter != nil {
		in.iter.Stop()
		in.iter = nil
	}
	if in.nc != nil {
		in.nc.Close()
		in.nc = nil
	}
	// Batched messages not yet delivered are redelivered after ack_wait.
	in.pending = nil
}

func (in *njInput) Close(ctx context.Context) error {
	in.mu.Lock()
	iter, nc, batcher := in.iter, in.nc, in.batcher
	in.iter, in.nc, in.batcher = nil, nil, nil
	in.mu.Unlock()
	if iter != nil {
		iter.Stop()
	}
	var err error
	if batcher != nil {
		err = batcher.Close(ctx)
	}
	if nc != nil {
		// Acks are sent asynchronously: flush them before closing.
		fctx, cancel := context.WithTimeout(ctx, njInFlushTimeout)
		defer cancel()
		if ferr := nc.FlushWithContext(fctx); ferr != nil && !errors.Is(ferr, nats.ErrConnectionClosed) {
			in.log.Warnf("nats %s: acks may not have reached the server: %v", in.conn.Servers(), ferr)
		}
		nc.Close()
	}
	return err
}

//------------------------------------------------------------------------------

func njInMessage(m jetstream.Msg) *service.Message {
	msg := service.NewMessage(m.Data())
	for k, v := range m.Headers() {
		if len(v) > 0 {
			msg.MetaSetMut(k, v[0])
		}
	}
	msg.MetaSetMut("nats_subject", m.Subject())
	if md, err := m.Metadata(); err == nil {
		msg.MetaSetMut("nats_stream", md.Stream)
		msg.MetaSetMut("nats_consumer", md.Consumer)
		msg.MetaSetMut("nats_sequence_stream", strconv.FormatUint(md.Sequence.Stream, 10))
		msg.MetaSetMut("nats_sequence_consumer", strconv.FormatUint(md.Sequence.Consumer, 10))
		msg.MetaSetMut("nats_num_delivered", strconv.FormatUint(md.NumDelivered, 10))
		msg.MetaSetMut("nats_num_pending", strconv.FormatUint(md.NumPending, 10))
		msg.MetaSetMut("nats_timestamp_unix_nano", strconv.FormatInt(md.Timestamp.UnixNano(), 10))
	}
	return msg
}

// njInAck acks the messages after a delivery and naks them after a
// rejection, so JetStream redelivers them at once.
func njInAck(msgs []jetstream.Msg) service.AckFunc {
	return func(_ context.Context, res error) error {
		var errs []error
		for _, m := range msgs {
			var err error
			if res == nil {
				err = m.Ack()
			} else {
				err = m.Nak()
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			// Unacknowledged messages come again after ack_wait.
			return fmt.Errorf("nats: %d of %d acknowledgements not sent: %w", len(errs), len(msgs), errs[0])
		}
		return nil
	}
}
