package state_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/hogpipe/hogpipe/state"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTestMemory(t *testing.T, opts ...state.MemoryOption) (*state.Memory, *fakeClock) {
	clock := newFakeClock()
	m := state.NewMemory(append([]state.MemoryOption{state.WithClock(clock.Now), state.WithSweepInterval(0)}, opts...)...)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	return m, clock
}

func TestMemoryContract(t *testing.T) {
	t.Parallel()
	t.Run("cache", func(t *testing.T) {
		runCacheContract(t, func(t *testing.T) cacheEnv {
			m, clock := newTestMemory(t)
			return cacheEnv{cache: m.Cache(), advance: clock.Advance}
		})
	})
	t.Run("storage", func(t *testing.T) {
		runStorageContract(t, func(t *testing.T) state.Storage {
			m, _ := newTestMemory(t)
			return m.Storage()
		})
	})
}

func TestMemoryCacheAndStorageShareKeys(t *testing.T) {
	t.Parallel()
	m, _ := newTestMemory(t)
	ctx := t.Context()
	require.NoError(t, m.Storage().Set(ctx, "k", "41"))
	n, err := m.Cache().Incr(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, int64(42), n)
	_, err = m.Cache().LPush(ctx, "l", "a")
	require.NoError(t, err)
	_, _, err = m.Storage().Get(ctx, "l")
	assert.ErrorIs(t, err, state.ErrWrongType, "one keyspace, as in one Redis database")
}

func TestMemoryExpiryIsExact(t *testing.T) {
	t.Parallel()
	m, clock := newTestMemory(t)
	c, ctx := m.Cache(), t.Context()
	require.NoError(t, c.Set(ctx, "k", "v", time.Second))
	clock.Advance(time.Second)
	_, found, err := c.Get(ctx, "k")
	require.NoError(t, err)
	assert.True(t, found, "like Redis, a key lives through its last instant")
	clock.Advance(time.Nanosecond)
	_, found, err = c.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, found)
}

func TestMemorySweeperDropsUntouchedKeys(t *testing.T) {
	clock := newFakeClock()
	m := state.NewMemory(state.WithClock(clock.Now), state.WithSweepInterval(time.Millisecond))
	ctx := t.Context()
	require.NoError(t, m.Cache().Set(ctx, "gone", "v", time.Second))
	require.NoError(t, m.Cache().Set(ctx, "kept", "v", time.Hour))
	require.NoError(t, m.Storage().Set(ctx, "durable", "v"))
	clock.Advance(time.Minute)
	assert.Eventually(t, func() bool { return state.MemoryLen(m) == 2 }, 5*time.Second, time.Millisecond)

	require.NoError(t, m.Close())
	require.NoError(t, m.Close(), "Close is idempotent")
	goleak.VerifyNone(t)
	_, _, err := m.Cache().Get(ctx, "kept")
	assert.ErrorIs(t, err, state.ErrClosed)
	assert.ErrorIs(t, m.Storage().Set(ctx, "k", "v"), state.ErrClosed)
}
