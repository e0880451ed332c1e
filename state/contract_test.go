package state_test

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/state"
)

// The contract every backend meets, written against Redis' behaviour: the
// same tests run against the memory store, the bolt file (storage) and a real
// redis-server (see memory_test.go, bolt_test.go, redis_test.go).

// cacheEnv is a Cache under test and a way to let time pass for its ttls.
type cacheEnv struct {
	cache   state.Cache
	advance func(d time.Duration)
}

// key returns a key unique to the running test, so backends shared between
// subtests (one redis-server) need no flushing.
func key(t *testing.T, name string) string {
	return "hogpipe-test/" + t.Name() + "/" + name
}

// notIntegers are values INCR rejects: Redis accepts only canonical base-10
// int64s.
var notIntegers = []string{"abc", "", "1.5", " 1", "1 ", "+1", "007", "-0", "0x10", "1e3", "-", "99999999999999999999", "9223372036854775808"}

func runCacheContract(t *testing.T, newEnv func(t *testing.T) cacheEnv) {
	t.Run("get missing", func(t *testing.T) {
		c := newEnv(t).cache
		v, found, err := c.Get(t.Context(), key(t, "k"))
		require.NoError(t, err)
		assert.False(t, found)
		assert.Empty(t, v)
	})

	t.Run("set and get values as given", func(t *testing.T) {
		c, ctx, k := newEnv(t).cache, t.Context(), key(t, "k")
		for _, v := range []string{"v", `{"json":[1,2]}`, "", "ünïcödé ✓", "bin\x00\xff\r\n", strings.Repeat("x", 1<<20)} {
			require.NoError(t, c.Set(ctx, k, v, 0))
			got, found, err := c.Get(ctx, k)
			require.NoError(t, err)
			assert.True(t, found)
			assert.Equal(t, v, got)
		}
	})

	t.Run("incr", func(t *testing.T) {
		c, ctx, k := newEnv(t).cache, t.Context(), key(t, "k")
		for want := int64(1); want <= 3; want++ {
			n, err := c.Incr(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, want, n)
		}
		v, _, err := c.Get(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, "3", v, "a counter reads back as its decimal string")

		require.NoError(t, c.Set(ctx, k, "-1", 0))
		n, err := c.Incr(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, int64(0), n)

		require.NoError(t, c.Set(ctx, k, strconv.FormatInt(math.MaxInt64-1, 10), 0))
		n, err = c.Incr(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, int64(math.MaxInt64), n)
		_, err = c.Incr(ctx, k)
		require.ErrorIs(t, err, state.ErrOverflow)
		assert.EqualError(t, err, "ERR increment or decrement would overflow")
		v, _, err = c.Get(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, strconv.FormatInt(math.MaxInt64, 10), v)
	})

	t.Run("incr rejects non-integers", func(t *testing.T) {
		c, ctx, k := newEnv(t).cache, t.Context(), key(t, "k")
		for _, v := range notIntegers {
			require.NoError(t, c.Set(ctx, k, v, 0))
			_, err := c.Incr(ctx, k)
			require.ErrorIs(t, err, state.ErrNotInteger, "value %q", v)
			assert.EqualError(t, err, "ERR value is not an integer or out of range")
			got, _, err := c.Get(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, v, got, "the value is left alone")
		}
	})

	t.Run("wrong type", func(t *testing.T) {
		c, ctx := newEnv(t).cache, t.Context()
		list, str := key(t, "list"), key(t, "str")
		_, err := c.LPush(ctx, list, "a")
		require.NoError(t, err)
		require.NoError(t, c.Set(ctx, str, "1", 0))

		_, _, err = c.Get(ctx, list)
		assert.ErrorIs(t, err, state.ErrWrongType)
		_, err = c.Incr(ctx, list)
		assert.ErrorIs(t, err, state.ErrWrongType)
		_, err = c.LPush(ctx, str, "a")
		assert.ErrorIs(t, err, state.ErrWrongType)
		_, err = c.LRange(ctx, str, 0, -1)
		assert.ErrorIs(t, err, state.ErrWrongType)
		_, err = c.LLen(ctx, str)
		assert.ErrorIs(t, err, state.ErrWrongType)
		_, err = c.LPop(ctx, str, 1)
		assert.ErrorIs(t, err, state.ErrWrongType)
		_, err = c.LPop(ctx, str, 0)
		assert.ErrorIs(t, err, state.ErrWrongType)
		_, err = c.LRem(ctx, str, 0, "a")
		assert.ErrorIs(t, err, state.ErrWrongType)
		assert.EqualError(t, err, "WRONGTYPE Operation against a key holding the wrong kind of value")

		require.NoError(t, c.Set(ctx, list, "now a string", 0), "SET replaces any type")
		v, _, err := c.Get(ctx, list)
		require.NoError(t, err)
		assert.Equal(t, "now a string", v)
	})

	t.Run("expire", func(t *testing.T) {
		c, ctx, k := newEnv(t).cache, t.Context(), key(t, "k")
		ok, err := c.Expire(ctx, k, time.Hour)
		require.NoError(t, err)
		assert.False(t, ok, "a missing key")

		require.NoError(t, c.Set(ctx, k, "v", 0))
		ok, err = c.Expire(ctx, k, time.Hour)
		require.NoError(t, err)
		assert.True(t, ok)
		_, found, err := c.Get(ctx, k)
		require.NoError(t, err)
		assert.True(t, found)

		for _, ttl := range []time.Duration{0, -time.Second} {
			require.NoError(t, c.Set(ctx, k, "v", 0))
			ok, err = c.Expire(ctx, k, ttl)
			require.NoError(t, err)
			assert.True(t, ok)
			_, found, err = c.Get(ctx, k)
			require.NoError(t, err)
			assert.False(t, found, "a ttl of %s deletes the key", ttl)
		}
	})

	t.Run("set with a negative ttl fails", func(t *testing.T) {
		c, ctx, k := newEnv(t).cache, t.Context(), key(t, "k")
		err := c.Set(ctx, k, "v", -time.Second)
		assert.EqualError(t, err, "ERR invalid expire time in 'set' command")
		_, found, err := c.Get(ctx, k)
		require.NoError(t, err)
		assert.False(t, found)
	})

	t.Run("ttl", func(t *testing.T) {
		env := newEnv(t)
		c, ctx := env.cache, t.Context()
		const short, long = 200 * time.Millisecond, time.Hour
		k := func(name string) string { return key(t, name) }

		require.NoError(t, c.Set(ctx, k("short"), "v", short))
		require.NoError(t, c.Set(ctx, k("long"), "v", long))
		require.NoError(t, c.Set(ctx, k("reset"), "v", short))
		require.NoError(t, c.Set(ctx, k("reset"), "v", 0)) // SET drops the ttl
		require.NoError(t, c.Set(ctx, k("expire"), "v", 0))
		ok, err := c.Expire(ctx, k("expire"), short)
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, c.Set(ctx, k("extend"), "v", short))
		ok, err = c.Expire(ctx, k("extend"), long)
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, c.Set(ctx, k("counter"), "1", short))
		n, err := c.Incr(ctx, k("counter")) // INCR keeps the ttl
		require.NoError(t, err)
		require.Equal(t, int64(2), n)
		_, err = c.LPush(ctx, k("list"), "a")
		require.NoError(t, err)
		ok, err = c.Expire(ctx, k("list"), short)
		require.NoError(t, err)
		require.True(t, ok)
		_, err = c.LPush(ctx, k("list"), "b") // LPUSH keeps the ttl
		require.NoError(t, err)

		env.advance(2 * short)

		for name, want := range map[string]bool{"short": false, "long": true, "reset": true, "expire": false, "extend": true, "counter": false} {
			_, found, err := c.Get(ctx, k(name))
			require.NoError(t, err)
			assert.Equal(t, want, found, name)
		}
		n, err = c.LLen(ctx, k("list"))
		require.NoError(t, err)
		assert.Zero(t, n)
		ok, err = c.Expire(ctx, k("short"), long)
		require.NoError(t, err)
		assert.False(t, ok, "an expired key is a missing key")
		n, err = c.Incr(ctx, k("counter"))
		require.NoError(t, err)
		assert.Equal(t, int64(1), n, "a counter starts over after expiry")
	})

	t.Run("lpush and lrange", func(t *testing.T) {
		c, ctx, k := newEnv(t).cache, t.Context(), key(t, "list")
		got, err := c.LRange(ctx, k, 0, -1)
		require.NoError(t, err)
		assert.Equal(t, []string{}, got, "a missing list is empty, not nil")

		n, err := c.LPush(ctx, k, "a")
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		n, err = c.LPush(ctx, k, "b", "c")
		require.NoError(t, err)
		assert.Equal(t, int64(3), n)
		got, err = c.LRange(ctx, k, 0, -1)
		require.NoError(t, err)
		assert.Equal(t, []string{"c", "b", "a"}, got, "values are pushed one by one to the head")
		n, err = c.LPush(ctx, k, "d", "e")
		require.NoError(t, err)
		assert.Equal(t, int64(5), n)

		all := []string{"e", "d", "c", "b", "a"}
		for _, tc := range []struct {
			start, stop int64
			want        []string
		}{
			{0, -1, all},
			{0, 0, []string{"e"}},
			{-1, -1, []string{"a"}},
			{-2, -1, []string{"b", "a"}},
			{1, 2, []string{"d", "c"}},
			{4, 4, []string{"a"}},
			{3, -1, []string{"b", "a"}},
			{-3, 2, []string{"c"}},
			{-100, 100, all},
			{math.MinInt64, math.MaxInt64, all},
			{-6, 0, []string{"e"}},
			{2, 1, []string{}},
			{5, 10, []string{}},
			{0, -6, []string{}},
			{-1, -2, []string{}},
		} {
			got, err := c.LRange(ctx, k, tc.start, tc.stop)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got, "LRANGE %d %d", tc.start, tc.stop)
		}

		n, err = c.LLen(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, int64(5), n)
		n, err = c.LLen(ctx, key(t, "missing"))
		require.NoError(t, err)
		assert.Zero(t, n)

		_, err = c.LPush(ctx, k)
		assert.EqualError(t, err, "ERR wrong number of arguments for 'lpush' command")
	})

	t.Run("lpop", func(t *testing.T) {
		c, ctx, k := newEnv(t).cache, t.Context(), key(t, "list")
		_, err := c.LPush(ctx, k, "a", "b", "c", "d", "e")
		require.NoError(t, err)

		got, err := c.LPop(ctx, k, 2)
		require.NoError(t, err)
		assert.Equal(t, []string{"e", "d"}, got)
		got, err = c.LPop(ctx, k, 0)
		require.NoError(t, err)
		assert.Equal(t, []string{}, got)
		_, err = c.LPop(ctx, k, -1)
		assert.EqualError(t, err, "ERR value is out of range, must be positive")
		got, err = c.LPop(ctx, k, 10)
		require.NoError(t, err)
		assert.Equal(t, []string{"c", "b", "a"}, got)

		// The emptied list is gone: Get finds nothing (rather than a list).
		_, found, err := c.Get(ctx, k)
		require.NoError(t, err)
		assert.False(t, found)
		got, err = c.LPop(ctx, k, 1)
		require.NoError(t, err)
		assert.Equal(t, []string{}, got, "a missing list pops nothing, not nil")
	})

	t.Run("lrem", func(t *testing.T) {
		c, ctx, k := newEnv(t).cache, t.Context(), key(t, "list")
		lrange := func() []string {
			got, err := c.LRange(ctx, k, 0, -1)
			require.NoError(t, err)
			return got
		}
		n, err := c.LRem(ctx, k, 0, "a")
		require.NoError(t, err)
		assert.Zero(t, n, "a missing list")

		_, err = c.LPush(ctx, k, "b", "a", "c", "a", "b", "a")
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b", "a", "c", "a", "b"}, lrange())

		n, err = c.LRem(ctx, k, 2, "a") // the first two from the head
		require.NoError(t, err)
		assert.Equal(t, int64(2), n)
		assert.Equal(t, []string{"b", "c", "a", "b"}, lrange())

		n, err = c.LRem(ctx, k, -1, "b") // the last one, from the tail
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		assert.Equal(t, []string{"b", "c", "a"}, lrange())

		n, err = c.LRem(ctx, k, 0, "x")
		require.NoError(t, err)
		assert.Zero(t, n)

		_, err = c.LPush(ctx, k, "a", "a")
		require.NoError(t, err)
		n, err = c.LRem(ctx, k, 0, "a") // all of them
		require.NoError(t, err)
		assert.Equal(t, int64(3), n)
		assert.Equal(t, []string{"b", "c"}, lrange())

		n, err = c.LRem(ctx, k, -10, "b") // more than there are
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		n, err = c.LRem(ctx, k, 1, "c")
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		_, found, err := c.Get(ctx, k)
		require.NoError(t, err)
		assert.False(t, found, "an emptied list is deleted")
	})

	t.Run("concurrent incr and lpush", func(t *testing.T) {
		c, ctx := newEnv(t).cache, t.Context()
		counter, list := key(t, "counter"), key(t, "list")
		const workers, each = 8, 50
		seen := make(chan int64, workers*each)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					n, err := c.Incr(ctx, counter)
					if !assert.NoError(t, err) {
						return
					}
					seen <- n
					_, err = c.LPush(ctx, list, fmt.Sprintf("%d-%d", w, i))
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		close(seen)
		unique := map[int64]bool{}
		for n := range seen {
			unique[n] = true
		}
		assert.Len(t, unique, workers*each, "every Incr returned its own value")
		n, err := c.LLen(ctx, list)
		require.NoError(t, err)
		assert.Equal(t, int64(workers*each), n)
	})

	t.Run("cancelled context", func(t *testing.T) {
		c, k := newEnv(t).cache, key(t, "k")
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, _, err := c.Get(ctx, k)
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, c.Set(ctx, k, "v", 0), context.Canceled)
		_, err = c.LPush(ctx, k, "v")
		assert.ErrorIs(t, err, context.Canceled)
		_, found, err := c.Get(t.Context(), k)
		require.NoError(t, err)
		assert.False(t, found, "nothing was written")
	})
}

func runStorageContract(t *testing.T, newStorage func(t *testing.T) state.Storage) {
	t.Run("get missing", func(t *testing.T) {
		s := newStorage(t)
		v, found, err := s.Get(t.Context(), key(t, "k"))
		require.NoError(t, err)
		assert.False(t, found)
		assert.Empty(t, v)
	})

	t.Run("set get del", func(t *testing.T) {
		s, ctx, k := newStorage(t), t.Context(), key(t, "k")
		for _, v := range []string{"v", `{"cursor":"abc"}`, "", "ünïcödé ✓", "bin\x00\xff\r\n", strings.Repeat("x", 1<<20)} {
			require.NoError(t, s.Set(ctx, k, v))
			got, found, err := s.Get(ctx, k)
			require.NoError(t, err)
			assert.True(t, found)
			assert.Equal(t, v, got)
		}
		require.NoError(t, s.Del(ctx, k))
		_, found, err := s.Get(ctx, k)
		require.NoError(t, err)
		assert.False(t, found)
		require.NoError(t, s.Del(ctx, k), "deleting a missing key is fine")
	})

	t.Run("setnx", func(t *testing.T) {
		s, ctx, k := newStorage(t), t.Context(), key(t, "k")
		ok, err := s.SetNX(ctx, k, "first")
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = s.SetNX(ctx, k, "second")
		require.NoError(t, err)
		assert.False(t, ok)
		v, _, err := s.Get(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, "first", v)
		require.NoError(t, s.Del(ctx, k))
		ok, err = s.SetNX(ctx, k, "third")
		require.NoError(t, err)
		assert.True(t, ok)
	})

	t.Run("incrby", func(t *testing.T) {
		s, ctx, k := newStorage(t), t.Context(), key(t, "k")
		for _, step := range []struct{ by, want int64 }{{5, 5}, {-7, -2}, {0, -2}, {1, -1}} {
			n, err := s.IncrBy(ctx, k, step.by)
			require.NoError(t, err)
			assert.Equal(t, step.want, n)
		}
		v, _, err := s.Get(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, "-1", v, "a cursor reads back as its decimal string")

		require.NoError(t, s.Set(ctx, k, "100"))
		n, err := s.IncrBy(ctx, k, 1)
		require.NoError(t, err)
		assert.Equal(t, int64(101), n)

		for _, tc := range []struct {
			start string
			by    int64
		}{
			{strconv.FormatInt(math.MaxInt64, 10), 1},
			{"1", math.MaxInt64},
			{strconv.FormatInt(math.MinInt64, 10), -1},
			{"-2", math.MinInt64},
		} {
			require.NoError(t, s.Set(ctx, k, tc.start))
			_, err := s.IncrBy(ctx, k, tc.by)
			require.ErrorIs(t, err, state.ErrOverflow, "%s + %d", tc.start, tc.by)
			assert.EqualError(t, err, "ERR increment or decrement would overflow")
			v, _, err := s.Get(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, tc.start, v)
		}
		require.NoError(t, s.Set(ctx, k, strconv.FormatInt(math.MinInt64, 10)))
		n, err = s.IncrBy(ctx, k, math.MaxInt64)
		require.NoError(t, err)
		assert.Equal(t, int64(-1), n)
	})

	t.Run("incrby rejects non-integers", func(t *testing.T) {
		s, ctx, k := newStorage(t), t.Context(), key(t, "k")
		for _, v := range notIntegers {
			require.NoError(t, s.Set(ctx, k, v))
			_, err := s.IncrBy(ctx, k, 1)
			require.ErrorIs(t, err, state.ErrNotInteger, "value %q", v)
			assert.EqualError(t, err, "ERR value is not an integer or out of range")
			got, _, err := s.Get(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, v, got)
		}
	})

	t.Run("concurrent incrby and setnx", func(t *testing.T) {
		s, ctx := newStorage(t), t.Context()
		cursor, lock := key(t, "cursor"), key(t, "lock")
		const workers, each = 8, 25
		seen := make(chan int64, workers*each)
		won := make(chan int, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				ok, err := s.SetNX(ctx, lock, strconv.Itoa(w))
				assert.NoError(t, err)
				if ok {
					won <- w
				}
				for range each {
					n, err := s.IncrBy(ctx, cursor, 2)
					if !assert.NoError(t, err) {
						return
					}
					seen <- n
				}
			})
		}
		wg.Wait()
		close(seen)
		close(won)
		unique := map[int64]bool{}
		for n := range seen {
			unique[n] = true
		}
		assert.Len(t, unique, workers*each, "every IncrBy returned its own value")
		v, _, err := s.Get(ctx, cursor)
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(2*workers*each), v)
		assert.Len(t, won, 1, "exactly one SetNX wins")
	})

	t.Run("cancelled context", func(t *testing.T) {
		s, k := newStorage(t), key(t, "k")
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, _, err := s.Get(ctx, k)
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, s.Set(ctx, k, "v"), context.Canceled)
		_, err = s.IncrBy(ctx, k, 1)
		assert.ErrorIs(t, err, context.Canceled)
		_, found, err := s.Get(t.Context(), k)
		require.NoError(t, err)
		assert.False(t, found, "nothing was written")
	})
}
