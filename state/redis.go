package state

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Defaults applied to a redis_url that does not set them in its query string
// (go-redis accepts dial_timeout, read_timeout, pool_size, … there).
const (
	redisDialTimeout = time.Second     // an unreachable server fails calls fast
	redisIOTimeout   = 3 * time.Second // a stalled server fails calls too
	redisPoolSize    = 4               // the dispatcher needs one connection at a time
)

// Redis is the shared backend: Cache and Storage over one go-redis client.
// Values are plain Redis strings and lists under the keys given, so a plugin's
// data looks exactly as the original plugin server left it.
//
// Commands from concurrent callers are coalesced into pipelines by a single
// dispatcher goroutine (see redis_pipeline.go), which Close stops.
type Redis struct {
	client *redis.Client
	addr   string
	log    Logger
	pipe   *autoPipeline

	closeOnce sync.Once
	closeErr  error
}

// OpenRedis connects to rawURL (redis:// or rediss://, with optional user,
// password and database number: redis://user:pass@host:6379/2) and checks
// that it answers. It warns through log when the server's configuration can
// lose meta.storage data (no AOF, or an eviction policy). log may be nil.
func OpenRedis(ctx context.Context, rawURL string, log Logger) (*Redis, error) {
	if log == nil {
		log = nopLogger{}
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Error repeats the URL, password included: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid redis_url: %w", err)
	}
	if opts.Network != "tcp" {
		return nil, errors.New("invalid redis_url: the scheme must be redis:// or rediss://")
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = redisDialTimeout
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = redisIOTimeout
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = redisIOTimeout
	}
	if opts.PoolSize == 0 {
		opts.PoolSize = redisPoolSize
	}
	if opts.PipelinePoolSize == 0 {
		opts.PipelinePoolSize = -1 // pipelines are all there is: one pool
	}
	if opts.MaxRetries == 0 {
		// A retried pipeline could apply an INCR twice; a failed call is
		// reported instead and the caller decides.
		opts.MaxRetries = -1
	}
	opts.DialerRetries = 1
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}

	r := &Redis{
		client: redis.NewClient(opts),
		addr:   opts.Addr,
		log:    log,
	}
	if err := r.client.Ping(ctx).Err(); err != nil {
		_ = r.client.Close()
		return nil, r.connError(err)
	}
	r.checkConfig(ctx)
	r.pipe = newAutoPipeline(r.client, r.addr, log)
	return r, nil
}

// Addr is the server's host:port.
func (r *Redis) Addr() string { return r.addr }

// Client is the go-redis client, for commands the backend does not wrap
// (streams). It is closed with the backend. Its pool is small (see
// redisPoolSize; pool_size in the URL changes it), so a blocking command
// should block briefly.
func (r *Redis) Client() *redis.Client { return r.client }

// Cache returns the backend as a Cache.
func (r *Redis) Cache() Cache { return redisCache{r.pipe} }

// Storage returns the backend as a Storage.
func (r *Redis) Storage() Storage { return redisStorage{r.pipe} }

// Close stops the dispatcher (calls still queued fail with ErrClosed) and
// closes the client. It is idempotent.
func (r *Redis) Close() error {
	r.closeOnce.Do(func() {
		r.pipe.close()
		if err := r.client.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
			r.closeErr = fmt.Errorf("failed to close redis client for %s: %w", r.addr, err)
		}
	})
	return r.closeErr
}

// checkConfig warns about settings under which Redis may drop storage data.
// Servers that forbid CONFIG (managed offerings often do) are not checked.
func (r *Redis) checkConfig(ctx context.Context) {
	const need = "meta.storage and meta.utils.cursor need durable keys: set appendonly yes and maxmemory-policy noeviction"
	if conf, err := r.client.ConfigGet(ctx, "maxmemory-policy").Result(); err == nil {
		if policy, ok := conf["maxmemory-policy"]; ok && policy != "noeviction" {
			r.log.Warnf("redis %s has maxmemory-policy %q, so it may evict keys when memory is full; %s", r.addr, policy, need)
		}
	}
	if conf, err := r.client.ConfigGet(ctx, "appendonly").Result(); err == nil {
		if aof, ok := conf["appendonly"]; ok && aof != "yes" {
			r.log.Warnf("redis %s has appendonly %s, so a restart loses what was written since the last snapshot; %s", r.addr, aof, need)
		}
	}
}

func (r *Redis) connError(err error) error {
	if isReplyError(err) {
		return fmt.Errorf("failed to connect to redis %s: %w", r.addr, err)
	}
	return &unreachableError{addr: r.addr, err: err}
}

//------------------------------------------------------------------------------

type redisCache struct{ p *autoPipeline }

func (c redisCache) Get(ctx context.Context, key string) (string, bool, error) {
	return getString(ctx, c.p, key)
}

func (c redisCache) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	var cmd *redis.StatusCmd
	if ttl == 0 {
		cmd = redis.NewStatusCmd(ctx, "set", key, value)
	} else {
		cmd = redis.NewStatusCmd(ctx, "set", key, value, "px", millis(ttl))
	}
	return c.p.do(ctx, cmd)
}

func (c redisCache) Incr(ctx context.Context, key string) (int64, error) {
	cmd := redis.NewIntCmd(ctx, "incr", key)
	if err := c.p.do(ctx, cmd); err != nil {
		return 0, err
	}
	return cmd.Val(), nil
}

func (c redisCache) Expire(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	cmd := redis.NewBoolCmd(ctx, "pexpire", key, millis(ttl))
	if err := c.p.do(ctx, cmd); err != nil {
		return false, err
	}
	return cmd.Val(), nil
}

func (c redisCache) LPush(ctx context.Context, key string, values ...string) (int64, error) {
	args := make([]any, 0, 2+len(values))
	args = append(args, "lpush", key)
	for _, v := range values {
		args = append(args, v)
	}
	cmd := redis.NewIntCmd(ctx, args...)
	if err := c.p.do(ctx, cmd); err != nil {
		return 0, err
	}
	return cmd.Val(), nil
}

func (c redisCache) LRange(ctx context.Context, key string, start, stop int64) ([]string, error) {
	cmd := redis.NewStringSliceCmd(ctx, "lrange", key, start, stop)
	if err := c.p.do(ctx, cmd); err != nil {
		return nil, err
	}
	return nonNil(cmd.Val()), nil
}

func (c redisCache) LLen(ctx context.Context, key string) (int64, error) {
	cmd := redis.NewIntCmd(ctx, "llen", key)
	if err := c.p.do(ctx, cmd); err != nil {
		return 0, err
	}
	return cmd.Val(), nil
}

func (c redisCache) LPop(ctx context.Context, key string, count int64) ([]string, error) {
	cmd := redis.NewStringSliceCmd(ctx, "lpop", key, count)
	if err := c.p.do(ctx, cmd); err != nil {
		if errors.Is(err, redis.Nil) { // a missing key
			return []string{}, nil
		}
		return nil, err
	}
	return nonNil(cmd.Val()), nil
}

func (c redisCache) LRem(ctx context.Context, key string, count int64, value string) (int64, error) {
	cmd := redis.NewIntCmd(ctx, "lrem", key, count, value)
	if err := c.p.do(ctx, cmd); err != nil {
		return 0, err
	}
	return cmd.Val(), nil
}

//------------------------------------------------------------------------------

type redisStorage struct{ p *autoPipeline }

func (s redisStorage) Get(ctx context.Context, key string) (string, bool, error) {
	return getString(ctx, s.p, key)
}

func (s redisStorage) Set(ctx context.Context, key, value string) error {
	return s.p.do(ctx, redis.NewStatusCmd(ctx, "set", key, value))
}

func (s redisStorage) Del(ctx context.Context, key string) error {
	return s.p.do(ctx, redis.NewIntCmd(ctx, "del", key))
}

func (s redisStorage) SetNX(ctx context.Context, key, value string) (bool, error) {
	cmd := redis.NewBoolCmd(ctx, "set", key, value, "nx")
	if err := s.p.do(ctx, cmd); err != nil {
		return false, err
	}
	return cmd.Val(), nil
}

func (s redisStorage) IncrBy(ctx context.Context, key string, by int64) (int64, error) {
	cmd := redis.NewIntCmd(ctx, "incrby", key, by)
	if err := s.p.do(ctx, cmd); err != nil {
		return 0, err
	}
	return cmd.Val(), nil
}

//------------------------------------------------------------------------------

func getString(ctx context.Context, p *autoPipeline, key string) (string, bool, error) {
	cmd := redis.NewStringCmd(ctx, "get", key)
	if err := p.do(ctx, cmd); err != nil {
		if errors.Is(err, redis.Nil) {
			return "", false, nil
		}
		return "", false, err
	}
	return cmd.Val(), true, nil
}

// millis is d in whole milliseconds for PX/PEXPIRE, rounding a positive
// remainder up so that a short ttl never becomes 0 (an error for SET PX).
func millis(d time.Duration) string {
	ms := d.Milliseconds()
	if d > 0 && d%time.Millisecond != 0 {
		ms++
	}
	return strconv.FormatInt(ms, 10)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// isReplyError reports whether err is a reply from the server (including a
// nil reply) rather than a failure to talk to it.
func isReplyError(err error) bool {
	if errors.Is(err, redis.Nil) {
		return true
	}
	var re redis.Error
	return errors.As(err, &re)
}

// unreachableError is a failed round trip to Redis. errors.Is matches both
// ErrUnavailable and the network cause.
type unreachableError struct {
	addr string
	err  error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("redis %s unreachable: %v", e.addr, e.err)
}

func (e *unreachableError) Unwrap() []error { return []error{ErrUnavailable, e.err} }

type nopLogger struct{}

func (nopLogger) Infof(string, ...any) {}
func (nopLogger) Warnf(string, ...any) {}
