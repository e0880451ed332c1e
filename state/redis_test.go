package state_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
	"github.com/hogpipe/hogpipe/state/redistest"
)

func openRedis(t testing.TB, url string, log state.Logger) *state.Redis {
	t.Helper()
	r, err := state.OpenRedis(t.Context(), url, log)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, r.Close()) })
	return r
}

// rawClient is a plain go-redis client, to look at what the backend wrote.
func rawClient(t testing.TB, opts *redis.Options) *redis.Client {
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestRedisContract(t *testing.T) {
	srv := redistest.Start(t)
	r := openRedis(t, srv.URL(), nil)
	t.Run("cache", func(t *testing.T) {
		runCacheContract(t, func(*testing.T) cacheEnv {
			return cacheEnv{cache: r.Cache(), advance: time.Sleep}
		})
	})
	t.Run("storage", func(t *testing.T) {
		runStorageContract(t, func(*testing.T) state.Storage { return r.Storage() })
	})
}

func TestRedisStoresPlainValues(t *testing.T) {
	srv := redistest.Start(t)
	r := openRedis(t, srv.URL(), nil)
	raw := rawClient(t, &redis.Options{Addr: srv.Addr()})
	ctx := t.Context()

	require.NoError(t, r.Cache().Set(ctx, "@plugin/1/2/json", `{"a":1}`, time.Minute))
	assert.Equal(t, `{"a":1}`, raw.Get(ctx, "@plugin/1/2/json").Val(), "stored under the key as given")
	ttl := raw.PTTL(ctx, "@plugin/1/2/json").Val()
	assert.True(t, ttl > 59*time.Second && ttl <= time.Minute, "ttl %s", ttl)

	_, err := r.Cache().LPush(ctx, "list", "a", "b")
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a"}, raw.LRange(ctx, "list", 0, -1).Val())

	require.NoError(t, r.Storage().Set(ctx, "stored", "v"))
	_, err = r.Storage().IncrBy(ctx, "cursor", 5)
	require.NoError(t, err)
	assert.Equal(t, "5", raw.Get(ctx, "cursor").Val())
	for _, k := range []string{"stored", "cursor"} {
		assert.Equal(t, time.Duration(-1), raw.TTL(ctx, k).Val(), "storage keys never expire")
	}
}

func TestRedisURLWithPasswordAndDB(t *testing.T) {
	srv := redistest.Start(t, redistest.WithPassword("s3cret"))
	r := openRedis(t, "redis://:s3cret@"+srv.Addr()+"/3", nil)
	ctx := t.Context()
	require.NoError(t, r.Storage().Set(ctx, "k", "in db 3"))

	db3 := rawClient(t, &redis.Options{Addr: srv.Addr(), Password: "s3cret", DB: 3})
	assert.Equal(t, "in db 3", db3.Get(ctx, "k").Val())
	db0 := rawClient(t, &redis.Options{Addr: srv.Addr(), Password: "s3cret"})
	assert.Equal(t, int64(0), db0.Exists(ctx, "k").Val())

	_, err := state.OpenRedis(ctx, "redis://:badpass@"+srv.Addr(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), srv.Addr())
	assert.NotContains(t, err.Error(), "badpass")
}

func TestRedisBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://localhost:6379", "redis://:s3cret%zz@localhost:6379", "redis://localhost:6379/x", "unix:///tmp/redis.sock"} {
		_, err := state.OpenRedis(t.Context(), u, nil)
		require.Error(t, err, u)
		assert.True(t, strings.HasPrefix(err.Error(), "invalid redis_url"), err.Error())
		assert.NotContains(t, err.Error(), "s3cret")
	}
}

func TestRedisConfigWarnings(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []redistest.Option
		want []string
	}{
		{"aof off", nil, []string{"appendonly no"}},
		{"eviction", []redistest.Option{redistest.WithAppendOnly(), redistest.WithArgs("--maxmemory-policy", "allkeys-lru")}, []string{`maxmemory-policy "allkeys-lru"`}},
		{"durable", []redistest.Option{redistest.WithAppendOnly()}, nil},
		{"config forbidden", []redistest.Option{redistest.WithArgs("--rename-command", "CONFIG", "")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := redistest.Start(t, tc.opts...)
			log := &testutil.Logger{}
			openRedis(t, srv.URL(), log)
			warns := log.Messages("WARN")
			require.Len(t, warns, len(tc.want), "%q", warns)
			for i, w := range tc.want {
				assert.Contains(t, warns[i], w)
				assert.Contains(t, warns[i], "appendonly yes and maxmemory-policy noeviction")
			}
			assert.Empty(t, log.Messages("INFO"))
		})
	}
}

func TestRedisOutage(t *testing.T) {
	srv := redistest.Start(t, redistest.WithAppendOnly())
	ignore := goleak.IgnoreCurrent()
	log := &testutil.Logger{}
	b, err := state.Acquire(state.Options{RedisURL: srv.URL(), Logger: log})
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, b.Storage().Set(ctx, "before", "kept"))

	srv.Stop()
	want := "redis " + srv.Addr() + " unreachable: "
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 5 {
				ctx, cancel := context.WithTimeout(ctx, 5*time.Second) // a hang guard
				_, _, err := b.Cache().Get(ctx, "k")
				cancel()
				if assert.ErrorIs(t, err, state.ErrUnavailable) {
					assert.True(t, strings.HasPrefix(err.Error(), want), err.Error())
				}
				assert.NotErrorIs(t, err, context.DeadlineExceeded, "fails fast: by itself, not at the caller's deadline")
			}
		})
	}
	wg.Wait()
	_, err = b.Storage().IncrBy(ctx, "n", 1)
	require.ErrorIs(t, err, state.ErrUnavailable)
	warns := log.Messages("WARN")
	require.Len(t, warns, 1, "one warning per outage, not one per call: %q", warns)
	assert.True(t, strings.HasPrefix(warns[0], want), warns[0])
	assert.Empty(t, log.Messages("INFO"))

	srv.Restart()
	require.Eventually(t, func() bool {
		return b.Cache().Set(ctx, "after", "v", 0) == nil
	}, 10*time.Second, 20*time.Millisecond, "the same client recovers by itself")
	v, found, err := b.Storage().Get(ctx, "before")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "kept", v, "AOF kept the storage through the restart")
	assert.Len(t, log.Messages("WARN"), 1)
	infos := log.Messages("INFO")
	require.Len(t, infos, 1)
	assert.Contains(t, infos[0], "redis "+srv.Addr()+" reachable again")

	require.NoError(t, b.Release())
	verifyNoLeaks(t, ignore)
}

func TestRedisCallsHonourContext(t *testing.T) {
	srv := redistest.Start(t)
	r := openRedis(t, srv.URL(), nil)
	raw := rawClient(t, &redis.Options{Addr: srv.Addr()})
	ctx := t.Context()
	_, err := r.Cache().Incr(ctx, "k") // a connection is ready
	require.NoError(t, err)

	// Stall the server's writes for an hour: the dispatcher's round trip
	// hangs until the pause ends, which is only once every call gave up.
	require.NoError(t, raw.Do(ctx, "client", "pause", time.Hour.Milliseconds(), "write").Err())
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			_, err := r.Cache().Incr(short, "k")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NotErrorIs(t, err, state.ErrUnavailable, "the caller's deadline, not the backend's I/O timeout")
		})
	}
	wg.Wait()
	require.NoError(t, raw.Do(ctx, "client", "unpause").Err())

	n, err := r.Cache().Incr(ctx, "k")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, int64(2))
	assert.LessOrEqual(t, n, int64(5), "calls that gave up may or may not have run, never twice")
}

func TestRedisAutoPipelineCoalesces(t *testing.T) {
	srv := redistest.Start(t)
	r := openRedis(t, srv.URL(), nil)
	ctx := t.Context()
	const workers, each = 100, 20
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				_, err := r.Cache().Incr(ctx, "n")
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	v, _, err := r.Cache().Get(ctx, "n")
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprint(workers*each), v)
	pipelines, commands := state.PipelineStats(r)
	assert.Equal(t, int64(workers*each+1), commands)
	assert.Less(t, pipelines, commands/2, "concurrent calls share round trips")
	t.Logf("%d commands in %d pipelines", commands, pipelines)
}

func TestRedisClose(t *testing.T) {
	srv := redistest.Start(t)
	ignore := goleak.IgnoreCurrent()
	r, err := state.OpenRedis(t.Context(), srv.URL(), nil)
	require.NoError(t, err)
	require.NoError(t, r.Storage().Set(t.Context(), "k", "v"))
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "Close is idempotent")
	_, _, err = r.Cache().Get(t.Context(), "k")
	assert.ErrorIs(t, err, state.ErrClosed)
	verifyNoLeaks(t, ignore)
}

func TestRedisStorageSurvivesRestart(t *testing.T) {
	srv := redistest.Start(t, redistest.WithAppendOnly())
	b, err := state.Acquire(state.Options{RedisURL: srv.URL()})
	require.NoError(t, err)
	require.NoError(t, b.Storage().Set(t.Context(), "k", "durable"))
	_, err = b.Storage().IncrBy(t.Context(), "cursor", 7)
	require.NoError(t, err)
	require.NoError(t, b.Release())

	srv.Restart()
	b, err = state.Acquire(state.Options{RedisURL: srv.URL()})
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Release()) }()
	v, _, err := b.Storage().Get(t.Context(), "k")
	require.NoError(t, err)
	assert.Equal(t, "durable", v)
	n, err := b.Storage().IncrBy(t.Context(), "cursor", 1)
	require.NoError(t, err)
	assert.Equal(t, int64(8), n)
}

func TestRedisUnreachableAtOpen(t *testing.T) {
	t.Parallel()
	addr := testutil.FreeAddr(t) // nothing listens there
	_, err := state.Acquire(state.Options{RedisURL: "redis://" + addr})
	require.ErrorIs(t, err, state.ErrUnavailable)
	assert.True(t, strings.HasPrefix(err.Error(), "redis "+addr+" unreachable: "), err.Error())
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "fails at the refused connection…")
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "…not at the connect timeout")
}

// BenchmarkRedisAutoPipeline compares the backend (calls coalesced into
// pipelines by one dispatcher) with direct go-redis calls (one round trip per
// call, up to PoolSize connections), with many goroutines and with one.
func BenchmarkRedisAutoPipeline(b *testing.B) {
	srv := redistest.Start(b)
	r := openRedis(b, srv.URL(), nil)
	raw := rawClient(b, &redis.Options{Addr: srv.Addr()})
	ctx := b.Context()
	auto := func(ctx context.Context) error { _, err := r.Cache().Incr(ctx, "bench"); return err }
	direct := func(ctx context.Context) error { return raw.Incr(ctx, "bench").Err() }
	for _, impl := range []struct {
		name string
		call func(context.Context) error
	}{{"auto", auto}, {"direct", direct}} {
		b.Run(impl.name+"/parallel", func(b *testing.B) {
			b.SetParallelism(32) // 32 goroutines per CPU
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := impl.call(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		b.Run(impl.name+"/serial", func(b *testing.B) {
			for b.Loop() {
				if err := impl.call(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestRedisTLS(t *testing.T) {
	srv := redistest.Start(t, redistest.WithTLS(), redistest.WithPassword("s3cret"))
	require.True(t, strings.HasPrefix(srv.URL(), "rediss://"), srv.URL())
	r := openRedis(t, srv.URL()+"/2?skip_verify=true", nil)
	require.NoError(t, r.Storage().Set(t.Context(), "k", "over tls"))
	v, _, err := r.Storage().Get(t.Context(), "k")
	require.NoError(t, err)
	assert.Equal(t, "over tls", v)

	_, err = state.OpenRedis(t.Context(), srv.URL(), nil)
	require.Error(t, err, "the self-signed certificate is not trusted")
	assert.Contains(t, err.Error(), "certificate")
	_, err = state.OpenRedis(t.Context(), strings.Replace(srv.URL(), "rediss://", "redis://", 1), nil)
	require.Error(t, err, "plain text to a TLS port")
}
