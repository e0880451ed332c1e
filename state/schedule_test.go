package state_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/state"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// The contract of the scheduler's locks, run against the memory store (with a
// fake clock) and a real redis-server, with the job queue's (jobs_test.go).

type locksEnv struct {
	locks   state.Locks
	cache   state.Cache // the keyspace the locks live in
	advance func(d time.Duration)
}

func runLocksContract(t *testing.T, newEnv func(t *testing.T) locksEnv) {
	const short = 200 * time.Millisecond

	t.Run("claim once", func(t *testing.T) {
		env, ctx, k := newEnv(t), t.Context(), key(t, "tick")
		ok, err := env.locks.Claim(ctx, k, "a", time.Hour)
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = env.locks.Claim(ctx, k, "b", time.Hour)
		require.NoError(t, err)
		assert.False(t, ok, "held by a")
		ok, err = env.locks.Claim(ctx, k, "a", time.Hour)
		require.NoError(t, err)
		assert.False(t, ok, "a claim is not re-entrant")
		v, found, err := env.cache.Get(ctx, k)
		require.NoError(t, err)
		assert.True(t, found)
		assert.Equal(t, "a", v, "the lock holds its owner")
	})

	t.Run("claim expires", func(t *testing.T) {
		env, ctx, k := newEnv(t), t.Context(), key(t, "lease")
		ok, err := env.locks.Claim(ctx, k, "a", short)
		require.NoError(t, err)
		require.True(t, ok)
		env.advance(2 * short)
		ok, err = env.locks.Claim(ctx, k, "b", time.Hour)
		require.NoError(t, err)
		assert.True(t, ok, "the expired claim is free")
	})

	t.Run("renew by the owner only", func(t *testing.T) {
		env, ctx, k := newEnv(t), t.Context(), key(t, "lease")
		ok, err := env.locks.Claim(ctx, k, "a", short)
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = env.locks.Renew(ctx, k, "b", time.Hour)
		require.NoError(t, err)
		assert.False(t, ok)
		ok, err = env.locks.Renew(ctx, k, "a", time.Hour)
		require.NoError(t, err)
		assert.True(t, ok)
		env.advance(2 * short)
		ok, err = env.locks.Claim(ctx, k, "b", time.Hour)
		require.NoError(t, err)
		assert.False(t, ok, "the renewed lease outlived its first ttl")

		ok, err = env.locks.Renew(ctx, key(t, "missing"), "a", time.Hour)
		require.NoError(t, err)
		assert.False(t, ok)
	})

	t.Run("release by the owner only", func(t *testing.T) {
		env, ctx, k := newEnv(t), t.Context(), key(t, "lease")
		ok, err := env.locks.Claim(ctx, k, "a", time.Hour)
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = env.locks.Release(ctx, k, "b")
		require.NoError(t, err)
		assert.False(t, ok)
		ok, err = env.locks.Release(ctx, k, "a")
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = env.locks.Release(ctx, k, "a")
		require.NoError(t, err)
		assert.False(t, ok, "already released")
		ok, err = env.locks.Claim(ctx, k, "b", time.Hour)
		require.NoError(t, err)
		assert.True(t, ok)
	})

	t.Run("a non-positive ttl fails", func(t *testing.T) {
		env, ctx, k := newEnv(t), t.Context(), key(t, "k")
		_, err := env.locks.Claim(ctx, k, "a", 0)
		assert.EqualError(t, err, "ERR invalid expire time in 'set' command")
	})

	t.Run("concurrent claims: one winner", func(t *testing.T) {
		env, ctx, k := newEnv(t), t.Context(), key(t, "tick")
		var wg sync.WaitGroup
		var mu sync.Mutex
		winners := 0
		for i := range 20 {
			wg.Go(func() {
				ok, err := env.locks.Claim(ctx, k, fmt.Sprint(i), time.Hour)
				assert.NoError(t, err)
				if ok {
					mu.Lock()
					winners++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		assert.Equal(t, 1, winners)
	})
}

//------------------------------------------------------------------------------

func TestMemoryLocksAndJobsContract(t *testing.T) {
	t.Parallel()
	t.Run("locks", func(t *testing.T) {
		runLocksContract(t, func(t *testing.T) locksEnv {
			m, clock := newTestMemory(t)
			return locksEnv{locks: m.Locks(), cache: m.Cache(), advance: clock.Advance}
		})
	})
	t.Run("jobs", func(t *testing.T) {
		runJobsContract(t, func(t *testing.T) jobsEnv {
			m, _ := newTestMemory(t)
			return jobsEnv{jobs: m.Jobs()}
		})
	})
}

func TestRedisLocksAndJobsContract(t *testing.T) {
	srv := redistest.Start(t)
	r := openRedis(t, srv.URL(), nil)
	t.Run("locks", func(t *testing.T) {
		runLocksContract(t, func(*testing.T) locksEnv {
			return locksEnv{locks: r.Locks(), cache: r.Cache(), advance: time.Sleep}
		})
	})
	t.Run("jobs", func(t *testing.T) {
		runJobsContract(t, func(*testing.T) jobsEnv { return jobsEnv{jobs: r.Jobs()} })
	})
}

func TestBackendSchedulingViews(t *testing.T) {
	srv := redistest.Start(t)
	for name, opts := range map[string]state.Options{
		"memory": {},
		"bolt":   {StateDir: t.TempDir()},
		"redis":  {RedisURL: srv.URL()},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := state.Acquire(opts)
			require.NoError(t, err)
			defer func() { require.NoError(t, b.Release()) }()
			require.NotNil(t, b.Locks())
			require.NotNil(t, b.Jobs())
			assert.Equal(t, name != "memory", b.Durable())
			if name == "bolt" {
				assert.Same(t, state.BoltOf(b), b.Jobs(), "jobs persist in the state file")
			}

			ctx, q := t.Context(), key(t, "q")
			at := time.Now()
			require.NoError(t, b.Jobs().PushJob(ctx, q, at, "1", "job"))
			items, err := b.Jobs().TakeDueJobs(ctx, q, at, 1)
			require.NoError(t, err)
			assert.Equal(t, []string{"job"}, items)
			ok, err := b.Locks().Claim(ctx, key(t, "lock"), "me", time.Minute)
			require.NoError(t, err)
			assert.True(t, ok)
			v, _, err := b.Cache().Get(ctx, key(t, "lock"))
			require.NoError(t, err)
			assert.Equal(t, "me", v, "locks live in the cache's keyspace")
		})
	}
}
