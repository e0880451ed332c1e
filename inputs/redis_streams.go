package inputs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/state"
)

const (
	rsInFieldURL             = "url"
	rsInFieldStreams         = "streams"
	rsInFieldConsumerGroup   = "consumer_group"
	rsInFieldClientID        = "client_id"
	rsInFieldCreateStreams   = "create_streams"
	rsInFieldStartFromOldest = "start_from_oldest"
	rsInFieldBodyKey         = "body_key"
	rsInFieldLimit           = "limit"
	rsInFieldCommitPeriod    = "commit_period"
	rsInFieldClaimMinIdle    = "claim_min_idle"
)

// rsInBlock is the longest an XREADGROUP waits for new entries. It is short
// because the call holds one of the shared client's few connections, and
// the claim of idle entries waits for it.
const rsInBlock = time.Second

// Metadata keys of the messages.
const (
	rsInMetaStream = "redis_stream"
	rsInMetaID     = "redis_stream_id"
)

func rsInputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Services").
		Summary("Reads entries from Redis streams as a member of a consumer group, acknowledging each (`XACK`) once it has been delivered downstream.").
		Description(`
Each entry becomes a message: its `+"`body_key`"+` field is the body, its other fields are metadata. An entry without that field becomes an empty message flagged with an error (so `+"`catch`"+`, `+"`fallback`"+` or `+"`reject_errored`"+` can route it), never dropped.

### Consumer groups and scaling out

Every replica with the same `+"`consumer_group`"+` shares the streams' entries: Redis hands each new entry to one consumer of the group. Each replica needs its own `+"`client_id`"+` (the default, the host name, is one per container); a replica restarted with its `+"`client_id`"+` first reads again the entries it had been given and not acknowledged, then new ones. Entries that another consumer left unacknowledged for `+"`claim_min_idle`"+` (a replica that crashed and does not come back, or was renamed) are taken over with `+"`XAUTOCLAIM`"+` and processed here, so no entry is stranded.

The group is created when it is missing (with `+"`create_streams`"+`, the stream too), reading from the first entry (`+"`start_from_oldest`"+`) or from new entries only.

### Acknowledgements

Entries are acknowledged with `+"`XACK`"+` after the downstream ack, collected and sent every `+"`commit_period`"+` (and at shutdown). A batch rejected downstream is delivered again by this input, never acknowledged. Delivery is at least once: after a crash, the entries read and not yet acknowledged (those in flight, and those acked downstream within the last `+"`commit_period`"+`) are processed again.

The connection is the one the `+"`posthog_plugin`"+` components use for the same `+"`redis_url`"+` (one client per URL per process). A Redis that cannot be reached at start-up fails the connection with an error naming it; Benthos logs it and retries with back-off. A read that fails later is logged and retried, starting again with the entries this consumer holds unacknowledged (the answer of the failed read may have assigned it some).

### Metadata

- `+"`redis_stream`"+`: the stream's key
- `+"`redis_stream_id`"+`: the entry's id
- every field of the entry but `+"`body_key`"+`
`).
		Fields(
			service.NewStringField(rsInFieldURL).
				Description("The Redis server: `redis://[user:password@]host:port/db`, or `rediss://` for TLS; go-redis options may follow in the query string.").
				Examples("redis://localhost:6379/0", "rediss://:password@redis.example.com:6380/0"),
			service.NewStringListField(rsInFieldStreams).
				Description("The keys of the streams to read.").
				Example([]any{"events"}),
			service.NewStringField(rsInFieldConsumerGroup).
				Description("The consumer group; replicas naming the same group share the entries.").
				Example("hogpipe"),
			service.NewStringField(rsInFieldClientID).
				Description("This consumer's name in the group, unique per replica and kept across its restarts. When empty, the host name.").
				Default("").
				Example("hogpipe-1"),
			service.NewBoolField(rsInFieldCreateStreams).
				Description("Create a stream that does not exist yet, with the group. When false, a missing stream fails the connection.").
				Default(true).
				Advanced(),
			service.NewBoolField(rsInFieldStartFromOldest).
				Description("Where a group created by this input starts: at the first entry of the stream, or (false) with entries added after its creation.").
				Default(true),
			service.NewStringField(rsInFieldBodyKey).
				Description("The field of an entry that holds the message body.").
				Default("body").
				Advanced(),
			service.NewIntField(rsInFieldLimit).
				Description("The most entries read per stream in one call; the entries of one call are one batch.").
				Default(10).
				Example(100),
			service.NewDurationField(rsInFieldCommitPeriod).
				Description("How often acknowledged entries are sent to Redis with `XACK`. After a crash, entries acknowledged downstream within the last period are processed again.").
				Default("1s").
				Advanced(),
			service.NewDurationField(rsInFieldClaimMinIdle).
				Description("How long another consumer's entry must have been left unacknowledged before this one takes it over (`XAUTOCLAIM`). Set it above the time a batch takes through the pipeline; `0s` turns claiming off.").
				Default("1m").
				Example("5m"),
			service.NewAutoRetryNacksToggleField(),
		).
		Example("Split a stream across replicas",
			"Every replica running this config reads a share of `events`; each names itself with the HOSTNAME variable.",
			`
input:
  redis_streams:
    url: redis://redis:6379/0
    streams: [ events ]
    consumer_group: hogpipe
    client_id: ${HOSTNAME}
    limit: 100
`)
}

func init() {
	service.MustRegisterBatchInput("redis_streams", rsInputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchInput, error) {
			in, err := newRSInputFromParsed(conf, mgr)
			if err != nil {
				return nil, err
			}
			return service.AutoRetryNacksBatchedToggled(conf, in)
		})
}

//------------------------------------------------------------------------------

// rsInEntry names an entry of one of the streams.
type rsInEntry struct{ stream, id string }

type rsInput struct {
	log *service.Logger

	url          string
	streams      []string
	group        string
	consumer     string
	create       bool
	startID      string
	bodyKey      string
	limit        int64
	commitPeriod time.Duration
	claimMinIdle time.Duration

	// Read state, used by ReadBatch only (Benthos calls it from one
	// goroutine).
	backlog     map[string]string // stream → cursor in this consumer's own pending entries
	claimCursor map[string]string // stream → XAUTOCLAIM cursor
	nextClaim   time.Time

	mu       sync.Mutex
	client   *redis.Client
	addr     string // host:port, for messages (the URL may hold a password)
	release  func() error
	inflight map[rsInEntry]struct{} // read and not yet XACKed or nacked
	acks     map[string][]string    // stream → ids acked downstream, not yet XACKed
	stop     chan struct{}          // closed to stop the committer
	stopped  chan struct{}          // closed when the committer has stopped
}

func newRSInputFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (*rsInput, error) {
	in := &rsInput{log: mgr.Logger()}
	var err error
	if in.url, err = conf.FieldString(rsInFieldURL); err != nil {
		return nil, err
	}
	if in.streams, err = conf.FieldStringList(rsInFieldStreams); err != nil {
		return nil, err
	}
	if len(in.streams) == 0 {
		return nil, fmt.Errorf("%s must name at least one stream", rsInFieldStreams)
	}
	if in.group, err = conf.FieldString(rsInFieldConsumerGroup); err != nil {
		return nil, err
	}
	if in.group == "" {
		return nil, fmt.Errorf("%s must not be empty", rsInFieldConsumerGroup)
	}
	if in.consumer, err = conf.FieldString(rsInFieldClientID); err != nil {
		return nil, err
	}
	if in.consumer == "" {
		if in.consumer, err = os.Hostname(); err != nil || in.consumer == "" {
			return nil, fmt.Errorf("%s is empty and the host name is unknown: %w", rsInFieldClientID, err)
		}
	}
	if in.create, err = conf.FieldBool(rsInFieldCreateStreams); err != nil {
		return nil, err
	}
	oldest, err := conf.FieldBool(rsInFieldStartFromOldest)
	if err != nil {
		return nil, err
	}
	in.startID = "$"
	if oldest {
		in.startID = "0"
	}
	if in.bodyKey, err = conf.FieldString(rsInFieldBodyKey); err != nil {
		return nil, err
	}
	if in.bodyKey == "" {
		return nil, fmt.Errorf("%s must not be empty", rsInFieldBodyKey)
	}
	limit, err := conf.FieldInt(rsInFieldLimit)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, fmt.Errorf("%s must be positive", rsInFieldLimit)
	}
	in.limit = int64(limit)
	if in.commitPeriod, err = conf.FieldDuration(rsInFieldCommitPeriod); err != nil {
		return nil, err
	}
	if in.commitPeriod <= 0 {
		return nil, fmt.Errorf("%s must be positive", rsInFieldCommitPeriod)
	}
	if in.claimMinIdle, err = conf.FieldDuration(rsInFieldClaimMinIdle); err != nil {
		return nil, err
	}
	if in.claimMinIdle < 0 {
		return nil, fmt.Errorf("%s must not be negative", rsInFieldClaimMinIdle)
	}
	return in, nil
}

func (in *rsInput) Connect(ctx context.Context) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.client != nil {
		return nil
	}
	r, release, err := state.AcquireRedis(in.url, in.log)
	if err != nil {
		return err
	}
	client := r.Client()
	for _, s := range in.streams {
		if err := in.createGroup(ctx, client, s); err != nil {
			_ = release()
			return fmt.Errorf("redis %s: %w", r.Addr(), err)
		}
	}
	in.client, in.addr, in.release = client, r.Addr(), release
	// A (re)connected consumer first reads again what it was given and did
	// not acknowledge, skipping what is still in flight here.
	in.backlog = map[string]string{}
	for _, s := range in.streams {
		in.backlog[s] = "0"
	}
	in.claimCursor = map[string]string{}
	in.nextClaim = time.Time{}
	if in.inflight == nil {
		in.inflight = map[rsInEntry]struct{}{}
		in.acks = map[string][]string{}
	}
	if in.stop == nil {
		in.stop, in.stopped = make(chan struct{}), make(chan struct{})
		go in.commitLoop(in.stop, in.stopped)
	}
	return nil
}

func (in *rsInput) createGroup(ctx context.Context, client *redis.Client, stream string) error {
	var err error
	if in.create {
		err = client.XGroupCreateMkStream(ctx, stream, in.group, in.startID).Err()
	} else {
		err = client.XGroupCreate(ctx, stream, in.group, in.startID).Err()
	}
	switch {
	case err == nil, strings.HasPrefix(err.Error(), "BUSYGROUP"):
		return nil
	case !in.create && strings.Contains(err.Error(), "requires the key to exist"):
		return fmt.Errorf("stream %q does not exist (and %s is false)", stream, rsInFieldCreateStreams)
	}
	return fmt.Errorf("cannot create consumer group %q of stream %q: %w", in.group, stream, err)
}

func (in *rsInput) ReadBatch(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	in.mu.Lock()
	client := in.client
	in.mu.Unlock()
	if client == nil {
		return nil, nil, service.ErrNotConnected
	}
	for {
		var streams []redis.XStream
		var err error
		switch {
		case len(in.backlog) > 0:
			streams, err = in.readBacklog(ctx, client)
		case in.claimMinIdle > 0 && !time.Now().Before(in.nextClaim):
			streams, err = in.claim(ctx, client)
		default:
			streams, err = in.readNew(ctx, client)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if strings.HasPrefix(err.Error(), "NOGROUP") { // the group or stream was deleted
				in.log.Errorf("redis %s: %v; creating the group again", in.addr, err)
				in.disconnect()
				return nil, nil, service.ErrNotConnected
			}
			// A read whose answer was lost left its entries pending here
			// unseen: read this consumer's backlog again before new entries.
			for _, s := range in.streams {
				in.backlog[s] = "0"
			}
			return nil, nil, fmt.Errorf("redis %s: reading streams %s: %w", in.addr, strings.Join(in.streams, ","), err)
		}
		batch, entries := in.toBatch(streams)
		if len(batch) > 0 {
			return batch, in.ackFunc(entries), nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
	}
}

// readBacklog reads the next entries this consumer was given before and has
// not acknowledged; a stream whose backlog is exhausted leaves it.
func (in *rsInput) readBacklog(ctx context.Context, client *redis.Client) ([]redis.XStream, error) {
	args := &redis.XReadGroupArgs{Group: in.group, Consumer: in.consumer, Count: in.limit, Block: -1}
	for s, cursor := range in.backlog {
		args.Streams = []string{s, cursor}
		res, err := client.XReadGroup(ctx, args).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
		if len(res) == 0 || len(res[0].Messages) == 0 {
			delete(in.backlog, s)
			continue
		}
		in.backlog[s] = res[0].Messages[len(res[0].Messages)-1].ID
		return res, nil
	}
	return nil, nil
}

// claim takes over entries other consumers left pending for claimMinIdle,
// one XAUTOCLAIM page per stream and call, until every stream's scan has
// come round; then it rests for a while.
func (in *rsInput) claim(ctx context.Context, client *redis.Client) ([]redis.XStream, error) {
	var out []redis.XStream
	done := 0
	for _, s := range in.streams {
		cursor, ok := in.claimCursor[s]
		if !ok {
			cursor = "0-0"
		} else if cursor == "0-0" {
			done++
			continue
		}
		msgs, next, err := client.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: s, Group: in.group, Consumer: in.consumer,
			MinIdle: in.claimMinIdle, Start: cursor, Count: in.limit,
		}).Result()
		if err != nil {
			return nil, err
		}
		in.claimCursor[s] = next
		if len(msgs) > 0 {
			in.log.Infof("redis stream %s: took over %d entries left pending by other consumers of %s for %s", s, len(msgs), in.group, in.claimMinIdle)
			out = append(out, redis.XStream{Stream: s, Messages: msgs})
		}
	}
	if done == len(in.streams) {
		in.claimCursor = map[string]string{}
		in.nextClaim = time.Now().Add(max(in.claimMinIdle/4, time.Second))
	}
	return out, nil
}

func (in *rsInput) readNew(ctx context.Context, client *redis.Client) ([]redis.XStream, error) {
	block := rsInBlock
	if in.claimMinIdle > 0 {
		block = max(time.Millisecond, min(block, time.Until(in.nextClaim)))
	}
	args := &redis.XReadGroupArgs{Group: in.group, Consumer: in.consumer, Count: in.limit, Block: block}
	for _, s := range in.streams {
		args.Streams = append(args.Streams, s)
	}
	for range in.streams {
		args.Streams = append(args.Streams, ">")
	}
	res, err := client.XReadGroup(ctx, args).Result()
	if errors.Is(err, redis.Nil) { // nothing new within block
		return nil, nil
	}
	return res, err
}

// toBatch turns entries into messages, leaving out those still in flight
// here (a reconnect rereads them from the backlog, a claim may take them
// back) and acknowledging entries deleted from the stream before they were
// processed, which cannot be delivered.
func (in *rsInput) toBatch(streams []redis.XStream) (service.MessageBatch, []rsInEntry) {
	var batch service.MessageBatch
	var entries []rsInEntry
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, s := range streams {
		for _, m := range s.Messages {
			e := rsInEntry{s.Stream, m.ID}
			if _, busy := in.inflight[e]; busy {
				continue
			}
			if m.Values == nil {
				in.log.Warnf("redis stream %s: entry %s was deleted (trimmed) before it was processed; acknowledging it", s.Stream, m.ID)
				in.acks[s.Stream] = append(in.acks[s.Stream], m.ID)
				continue
			}
			in.inflight[e] = struct{}{}
			entries = append(entries, e)
			batch = append(batch, in.message(s.Stream, m))
		}
	}
	return batch, entries
}

func (in *rsInput) message(stream string, m redis.XMessage) *service.Message {
	msg := service.NewMessage(nil)
	body, ok := m.Values[in.bodyKey]
	if ok {
		msg.SetBytes([]byte(fmt.Sprint(body)))
	} else {
		msg.SetError(fmt.Errorf("redis stream %s entry %s has no %q field", stream, m.ID, in.bodyKey))
	}
	for k, v := range m.Values {
		if k != in.bodyKey {
			msg.MetaSetMut(k, fmt.Sprint(v))
		}
	}
	msg.MetaSetMut(rsInMetaStream, stream)
	msg.MetaSetMut(rsInMetaID, m.ID)
	return msg
}

// ackFunc queues the entries for XACK after a delivery; after a rejection
// they stay pending in Redis (to be read again or claimed) and leave the
// in-flight set.
func (in *rsInput) ackFunc(entries []rsInEntry) service.AckFunc {
	return func(_ context.Context, res error) error {
		in.mu.Lock()
		defer in.mu.Unlock()
		for _, e := range entries {
			if res != nil {
				delete(in.inflight, e)
				continue
			}
			in.acks[e.stream] = append(in.acks[e.stream], e.id)
		}
		return nil
	}
}

func (in *rsInput) commitLoop(stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	tick := time.NewTicker(in.commitPeriod)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			in.commit(context.Background())
		case <-stop:
			return
		}
	}
}

// commit sends the queued XACKs, keeping those that fail for the next try.
func (in *rsInput) commit(ctx context.Context) {
	in.mu.Lock()
	client, acks := in.client, in.acks
	if client == nil || len(acks) == 0 {
		in.mu.Unlock()
		return
	}
	in.acks = map[string][]string{}
	in.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmds := map[string]*redis.IntCmd{}
	_, _ = client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for s, ids := range acks {
			cmds[s] = p.XAck(ctx, s, in.group, ids...)
		}
		return nil
	})
	in.mu.Lock()
	defer in.mu.Unlock()
	for s, ids := range acks {
		if err := cmds[s].Err(); err != nil {
			in.log.Warnf("redis stream %s: XACK of %d entries failed, retrying: %v", s, len(ids), err)
			in.acks[s] = append(in.acks[s], ids...)
			continue
		}
		for _, id := range ids {
			delete(in.inflight, rsInEntry{s, id})
		}
	}
}

// disconnect gives the client back; queued acks wait for the next Connect.
func (in *rsInput) disconnect() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.release != nil {
		_ = in.release()
	}
	in.client, in.release = nil, nil
}

func (in *rsInput) Close(ctx context.Context) error {
	in.mu.Lock()
	stop, stopped := in.stop, in.stopped
	in.stop = nil
	in.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	in.commit(ctx)
	in.mu.Lock()
	left := 0
	for _, ids := range in.acks {
		left += len(ids)
	}
	in.mu.Unlock()
	if left > 0 {
		in.log.Warnf("redis %s: %d delivered entries could not be acknowledged and will be processed again", in.addr, left)
	}
	in.disconnect()
	return nil
}
