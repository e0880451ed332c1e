package outputs

import (
	"context"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/state"
)

const (
	rsOutFieldURL       = "url"
	rsOutFieldStream    = "stream"
	rsOutFieldBodyKey   = "body_key"
	rsOutFieldMaxLength = "max_length"
	rsOutFieldBatching  = "batching"
)

func rsOutputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Services").
		Summary("Appends messages to Redis streams with `XADD`.").
		Description(`
Each message becomes an entry of `+"`stream`"+` (interpolated per message) with one field, `+"`body_key`"+`, holding the message. The entries of a batch (see `+"`batching`"+`) are added in one pipeline; a message is acknowledged upstream once Redis has answered its `+"`XADD`"+`, and a failed one is retried by Benthos (after a lost answer, an entry may be added twice).

With `+"`max_length`"+`, each `+"`XADD`"+` trims the stream to about that many entries (`+"`MAXLEN ~`"+`, which trims whole nodes and is cheap); entries that a consumer group has not read yet are trimmed all the same, so leave room for the slowest consumer.

The connection is the one the `+"`posthog_plugin`"+` components use for the same `+"`redis_url`"+` (one client per URL per process). A Redis that cannot be reached at start-up fails the connection with an error naming it; Benthos logs it and retries with back-off.`).
		Fields(
			service.NewStringField(rsOutFieldURL).
				Description("The Redis server: `redis://[user:password@]host:port/db`, or `rediss://` for TLS; go-redis options may follow in the query string.").
				Examples("redis://localhost:6379/0"),
			service.NewInterpolatedStringField(rsOutFieldStream).
				Description("The key of the stream to append to.").
				Examples("events-processed", `events-${! json("team_id") }`),
			service.NewStringField(rsOutFieldBodyKey).
				Description("The field of the entry that holds the message.").
				Default("body"),
			service.NewIntField(rsOutFieldMaxLength).
				Description("Trim the stream to about this many entries on each append; 0 never trims.").
				Default(0).
				Example(1000000),
			service.NewOutputMaxInFlightField().Default(64),
			service.NewBatchPolicyField(rsOutFieldBatching),
		).
		Example("Append processed events",
			"Append to one stream, kept to about a million entries, in pipelines of up to 100.",
			`
output:
  redis_streams:
    url: redis://redis:6379/0
    stream: events-processed
    max_length: 1000000
    batching:
      count: 100
      period: 50ms
`)
}

func init() {
	service.MustRegisterBatchOutput("redis_streams", rsOutputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			return newRSOutputFromParsed(conf, mgr)
		})
}

//------------------------------------------------------------------------------

type rsOutput struct {
	log *service.Logger

	url       string
	stream    *service.InterpolatedString
	bodyKey   string
	maxLength int64

	mu      sync.RWMutex
	client  *redis.Client
	addr    string
	release func() error
}

func newRSOutputFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (
	o *rsOutput, policy service.BatchPolicy, maxInFlight int, err error,
) {
	o = &rsOutput{log: mgr.Logger()}
	if o.url, err = conf.FieldString(rsOutFieldURL); err != nil {
		return
	}
	if o.stream, err = conf.FieldInterpolatedString(rsOutFieldStream); err != nil {
		return
	}
	if o.bodyKey, err = conf.FieldString(rsOutFieldBodyKey); err != nil {
		return
	}
	if o.bodyKey == "" {
		err = fmt.Errorf("%s must not be empty", rsOutFieldBodyKey)
		return
	}
	var maxLength int
	if maxLength, err = conf.FieldInt(rsOutFieldMaxLength); err != nil {
		return
	}
	if maxLength < 0 {
		err = fmt.Errorf("%s must not be negative", rsOutFieldMaxLength)
		return
	}
	o.maxLength = int64(maxLength)
	if maxInFlight, err = conf.FieldMaxInFlight(); err != nil {
		return
	}
	if policy, err = conf.FieldBatchPolicy(rsOutFieldBatching); err != nil {
		return
	}
	return o, policy, maxInFlight, nil
}

func (o *rsOutput) Connect(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.client != nil {
		return nil
	}
	r, release, err := state.AcquireRedis(o.url, o.log)
	if err != nil {
		return err
	}
	o.client, o.addr, o.release = r.Client(), r.Addr(), release
	return nil
}

func (o *rsOutput) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	o.mu.RLock()
	client, addr := o.client, o.addr
	o.mu.RUnlock()
	if client == nil {
		return service.ErrNotConnected
	}

	var batchErr *service.BatchError
	fail := func(i int, err error) {
		if batchErr == nil {
			batchErr = service.NewBatchError(batch, err)
		}
		batchErr.Failed(i, err)
	}
	cmds := make([]*redis.StringCmd, len(batch))
	streams := make([]string, len(batch))
	_, _ = client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, msg := range batch {
			stream, err := batch.TryInterpolatedString(i, o.stream)
			if err != nil {
				fail(i, fmt.Errorf("%s interpolation: %w", rsOutFieldStream, err))
				continue
			}
			if stream == "" {
				fail(i, fmt.Errorf("%s is empty", rsOutFieldStream))
				continue
			}
			body, err := msg.AsBytes()
			if err != nil {
				fail(i, err)
				continue
			}
			streams[i] = stream
			cmds[i] = p.XAdd(ctx, &redis.XAddArgs{
				Stream: stream,
				MaxLen: o.maxLength,
				Approx: o.maxLength > 0,
				Values: []any{o.bodyKey, body},
			})
		}
		return nil
	})
	for i, cmd := range cmds {
		if cmd != nil && cmd.Err() != nil {
			fail(i, fmt.Errorf("redis %s: XADD to %s: %w", addr, streams[i], cmd.Err()))
		}
	}
	if batchErr != nil {
		return batchErr
	}
	return nil
}

func (o *rsOutput) Close(context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var err error
	if o.release != nil {
		err = o.release()
	}
	o.client, o.release = nil, nil
	return err
}
