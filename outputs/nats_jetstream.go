package outputs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/internal/natsconf"
)

const (
	njOutFieldSubject  = "subject"
	njOutFieldHeaders  = "headers"
	njOutFieldTimeout  = "timeout"
	njOutFieldBatching = "batching"
)

func njOutputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Services").
		Summary("Publishes messages to NATS JetStream, each acknowledged by the stream before it counts as delivered.").
		Description(`
Each message is published to `+"`subject`"+` (interpolated per message), which a JetStream stream must hold. The publish of a message succeeds once the stream has stored it and answered with its acknowledgement (`+"`PubAck`"+`); only then is the message acknowledged upstream, so the input it came from can commit it. A publish without a stream for its subject fails with an error saying so, and a failed publish is retried by Benthos (so a message may be stored twice after a timeout; JetStream's duplicate window drops a copy that carries the same `+"`Nats-Msg-Id`"+` header, which `+"`headers`"+` can set).

The messages of a batch (see `+"`batching`"+`) are published together and awaited together; up to `+"`max_in_flight`"+` batches are in flight at once.

A server that cannot be reached at start-up, or refuses the credentials, fails the connection with an error naming the servers; Benthos logs it and retries with back-off. Once connected, the client reconnects by itself for as long as it takes; a publish not acknowledged within `+"`timeout`"+` (during an outage, say) fails and is retried.`).
		Fields(natsconf.Fields()...).
		Fields(
			service.NewInterpolatedStringField(njOutFieldSubject).
				Description("The subject to publish to.").
				Examples("events.processed", `events.${! json("team_id") }`),
			service.NewInterpolatedStringMapField(njOutFieldHeaders).
				Description("Headers to set on each message.").
				Default(map[string]any{}).
				Example(map[string]any{"Nats-Msg-Id": `${! json("uuid") }`, "Content-Type": "application/json"}),
			service.NewDurationField(njOutFieldTimeout).
				Description("How long a batch waits for the stream's acknowledgements; the publishes not acknowledged by then fail (and are retried). A server lost mid-publish never answers, so this is what ends the wait.").
				Default("10s").
				Advanced(),
			service.NewOutputMaxInFlightField().Default(64),
			service.NewBatchPolicyField(njOutFieldBatching),
		).
		Example("Publish processed events",
			"Publish each event to a subject per team, with its uuid as the message id so JetStream drops a republished copy.",
			`
output:
  nats_jetstream:
    urls: [ nats://nats:4222 ]
    subject: events.processed.${! json("team_id") }
    headers:
      Nats-Msg-Id: ${! json("uuid") }
    batching:
      count: 100
      period: 100ms
`)
}

func init() {
	service.MustRegisterBatchOutput("nats_jetstream", njOutputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			return newNJOutputFromParsed(conf, mgr)
		})
}

//------------------------------------------------------------------------------

type njOutput struct {
	log *service.Logger

	conn    natsconf.Config
	subject *service.InterpolatedString
	headers map[string]*service.InterpolatedString
	timeout time.Duration

	mu sync.RWMutex
	nc *nats.Conn
	js jetstream.JetStream
}

func newNJOutputFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (
	o *njOutput, policy service.BatchPolicy, maxInFlight int, err error,
) {
	o = &njOutput{log: mgr.Logger()}
	if o.conn, err = natsconf.FromParsed(conf); err != nil {
		return
	}
	if o.subject, err = conf.FieldInterpolatedString(njOutFieldSubject); err != nil {
		return
	}
	if o.headers, err = conf.FieldInterpolatedStringMap(njOutFieldHeaders); err != nil {
		return
	}
	if o.timeout, err = conf.FieldDuration(njOutFieldTimeout); err != nil {
		return
	}
	if o.timeout <= 0 {
		err = fmt.Errorf("%s must be positive", njOutFieldTimeout)
		return
	}
	if maxInFlight, err = conf.FieldMaxInFlight(); err != nil {
		return
	}
	if policy, err = conf.FieldBatchPolicy(njOutFieldBatching); err != nil {
		return
	}
	return o, policy, maxInFlight, nil
}

func (o *njOutput) Connect(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.nc != nil {
		return nil
	}
	nc, err := o.conn.Connect(ctx, "hogpipe nats_jetstream output", o.log)
	if err != nil {
		return err
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(o.timeout))
	if err != nil {
		nc.Close()
		return fmt.Errorf("nats %s: %w", o.conn.Servers(), err)
	}
	o.nc, o.js = nc, js
	return nil
}

func (o *njOutput) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	o.mu.RLock()
	js := o.js
	o.mu.RUnlock()
	if js == nil {
		return service.ErrNotConnected
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	futures := make([]jetstream.PubAckFuture, len(batch))
	var batchErr *service.BatchError
	fail := func(i int, err error) {
		if batchErr == nil {
			batchErr = service.NewBatchError(batch, err)
		}
		batchErr.Failed(i, err)
	}
	for i := range batch {
		m, err := o.natsMsg(batch, i)
		if err != nil {
			fail(i, err)
			continue
		}
		if futures[i], err = js.PublishMsgAsync(m); err != nil {
			fail(i, fmt.Errorf("nats %s: publish to %s: %w", o.conn.Servers(), m.Subject, err))
		}
	}
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case <-f.Ok():
		case err := <-f.Err():
			if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) {
				err = fmt.Errorf("no stream holds the subject: %w", err)
			}
			fail(i, fmt.Errorf("nats %s: publish to %s: %w", o.conn.Servers(), f.Msg().Subject, err))
		case <-ctx.Done():
			fail(i, fmt.Errorf("nats %s: publish to %s: no acknowledgement within %s: %w", o.conn.Servers(), f.Msg().Subject, o.timeout, ctx.Err()))
		}
	}
	if batchErr != nil {
		return batchErr
	}
	return nil
}

func (o *njOutput) natsMsg(batch service.MessageBatch, i int) (*nats.Msg, error) {
	subject, err := batch.TryInterpolatedString(i, o.subject)
	if err != nil {
		return nil, fmt.Errorf("%s interpolation: %w", njOutFieldSubject, err)
	}
	if subject == "" {
		return nil, fmt.Errorf("%s is empty", njOutFieldSubject)
	}
	data, err := batch[i].AsBytes()
	if err != nil {
		return nil, err
	}
	m := nats.NewMsg(subject)
	m.Data = data
	for k, v := range o.headers {
		value, err := batch.TryInterpolatedString(i, v)
		if err != nil {
			return nil, fmt.Errorf("%s.%s interpolation: %w", njOutFieldHeaders, k, err)
		}
		m.Header.Set(k, value)
	}
	return m, nil
}

func (o *njOutput) Close(ctx context.Context) error {
	o.mu.Lock()
	nc := o.nc
	o.nc, o.js = nil, nil
	o.mu.Unlock()
	if nc != nil {
		nc.Close()
	}
	return nil
}
