package state_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/state"
)

// The contract of the job queue, run against the memory store, the bbolt
// file and a real redis-server (TestMemoryLocksAndJobsContract and
// TestRedisLocksAndJobsContract in schedule_test.go).

type jobsEnv struct {
	jobs state.JobStore
}

func runJobsContract(t *testing.T, newEnv func(t *testing.T) jobsEnv) {
	base := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

	t.Run("empty queue", func(t *testing.T) {
		j, ctx, q := newEnv(t).jobs, t.Context(), key(t, "q")
		items, err := j.TakeDueJobs(ctx, q, base, 10)
		require.NoError(t, err)
		assert.Empty(t, items)
		assert.NotNil(t, items)
		_, found, err := j.NextJobDue(ctx, q)
		require.NoError(t, err)
		assert.False(t, found)
	})

	t.Run("due order, only due items, each once", func(t *testing.T) {
		j, ctx, q := newEnv(t).jobs, t.Context(), key(t, "q")
		push := func(at time.Time, id, item string) {
			require.NoError(t, j.PushJob(ctx, q, at, id, item))
		}
		push(base.Add(time.Minute), "3", `{"n":3}`)
		push(base, "1", `{"n":1}`)
		push(base.Add(-time.Hour), "0", `{"n":0}`)
		push(base, "2", `{"n":1}`) // the same item, another id: kept apart
		push(base.Add(time.Hour), "4", "line\nbreak")

		due, found, err := j.NextJobDue(ctx, q)
		require.NoError(t, err)
		require.True(t, found)
		assert.True(t, due.Equal(base.Add(-time.Hour)), "due %s", due)

		items, err := j.TakeDueJobs(ctx, q, base, 2)
		require.NoError(t, err)
		assert.Equal(t, []string{`{"n":0}`, `{"n":1}`}, items, "earliest first, at most max")
		items, err = j.TakeDueJobs(ctx, q, base, 10)
		require.NoError(t, err)
		assert.Equal(t, []string{`{"n":1}`}, items, "the equal item with the other id")
		items, err = j.TakeDueJobs(ctx, q, base, 10)
		require.NoError(t, err)
		assert.Empty(t, items, "nothing else is due")

		due, found, err = j.NextJobDue(ctx, q)
		require.NoError(t, err)
		require.True(t, found)
		assert.True(t, due.Equal(base.Add(time.Minute)))
		items, err = j.TakeDueJobs(ctx, q, base.Add(24*time.Hour), 10)
		require.NoError(t, err)
		assert.Equal(t, []string{`{"n":3}`, "line\nbreak"}, items)
		_, found, err = j.NextJobDue(ctx, q)
		require.NoError(t, err)
		assert.False(t, found)
	})

	t.Run("queues are separate", func(t *testing.T) {
		j, ctx := newEnv(t).jobs, t.Context()
		require.NoError(t, j.PushJob(ctx, key(t, "a"), base, "1", "a"))
		items, err := j.TakeDueJobs(ctx, key(t, "b"), base, 10)
		require.NoError(t, err)
		assert.Empty(t, items)
		items, err = j.TakeDueJobs(ctx, key(t, "a"), base, 0)
		require.NoError(t, err)
		assert.Empty(t, items, "max 0 takes nothing")
		items, err = j.TakeDueJobs(ctx, key(t, "a"), base, 1)
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, items)
	})

	t.Run("bad ids", func(t *testing.T) {
		j, ctx := newEnv(t).jobs, t.Context()
		assert.Error(t, j.PushJob(ctx, key(t, "q"), base, "", "x"))
		assert.Error(t, j.PushJob(ctx, key(t, "q"), base, "a\nb", "x"))
		assert.Error(t, j.PushJob(ctx, key(t, "q"), base, "a\x1eb", "x"))
	})

	t.Run("a leased item stays until acked", func(t *testing.T) {
		j, ctx, q := newEnv(t).jobs, t.Context(), key(t, "q")
		require.NoError(t, j.PushJob(ctx, q, base, "1", "one\nline"))
		require.NoError(t, j.PushJob(ctx, q, base.Add(time.Second), "2", "two"))
		require.NoError(t, j.PushJob(ctx, q, base.Add(time.Hour), "3", "later"))
		until := base.Add(10 * time.Minute)

		leased, err := j.LeaseDueJobs(ctx, q, base.Add(time.Second), until, 10)
		require.NoError(t, err)
		require.Len(t, leased, 2)
		assert.Equal(t, "one\nline", leased[0].Item)
		assert.Equal(t, "two", leased[1].Item)
		assert.Equal(t, 1, leased[0].Attempt)
		assert.NotEqual(t, leased[0].Lease, leased[1].Lease)

		again, err := j.LeaseDueJobs(ctx, q, until.Add(-time.Millisecond), until.Add(time.Hour), 10)
		require.NoError(t, err)
		assert.Empty(t, again, "not leased twice while the lease lasts")
		due, found, err := j.NextJobDue(ctx, q)
		require.NoError(t, err)
		require.True(t, found)
		assert.True(t, due.Equal(until), "the leased items are due when the lease ends: %s", due)

		require.NoError(t, j.AckJob(ctx, q, leased[1].Lease))
		// The worker holding the first one died: once its lease ends, the
		// item is delivered again.
		redelivered, err := j.LeaseDueJobs(ctx, q, until, until.Add(time.Minute), 10)
		require.NoError(t, err)
		require.Len(t, redelivered, 1)
		assert.Equal(t, "one\nline", redelivered[0].Item)
		assert.Equal(t, 2, redelivered[0].Attempt)

		// The first worker's late ack does not remove the item under its new lease.
		require.NoError(t, j.AckJob(ctx, q, leased[0].Lease))
		third, err := j.LeaseDueJobs(ctx, q, until.Add(time.Minute), until.Add(2*time.Minute), 10)
		require.NoError(t, err)
		require.Len(t, third, 1)
		assert.Equal(t, 3, third[0].Attempt)

		require.NoError(t, j.AckJob(ctx, q, third[0].Lease))
		items, err := j.TakeDueJobs(ctx, q, base.Add(24*time.Hour), 10)
		require.NoError(t, err)
		assert.Equal(t, []string{"later"}, items, "acked items are gone")
	})

	t.Run("a renewed lease lasts, an ended one does not renew", func(t *testing.T) {
		j, ctx, q := newEnv(t).jobs, t.Context(), key(t, "q")
		require.NoError(t, j.PushJob(ctx, q, base, "1", "job"))
		leased, err := j.LeaseDueJobs(ctx, q, base, base.Add(time.Minute), 1)
		require.NoError(t, err)
		require.Len(t, leased, 1)
		renewed, ok, err := j.RenewJob(ctx, q, leased[0].Lease, base.Add(time.Hour))
		require.NoError(t, err)
		require.True(t, ok)
		again, err := j.LeaseDueJobs(ctx, q, base.Add(30*time.Minute), base.Add(2*time.Hour), 1)
		require.NoError(t, err)
		assert.Empty(t, again, "not due while the renewed lease lasts")
		due, found, err := j.NextJobDue(ctx, q)
		require.NoError(t, err)
		require.True(t, found)
		assert.True(t, due.Equal(base.Add(time.Hour)), "due %s", due)

		require.NoError(t, j.AckJob(ctx, q, renewed))
		_, found, err = j.NextJobDue(ctx, q)
		require.NoError(t, err)
		assert.False(t, found, "acked under its renewed name")
		_, ok, err = j.RenewJob(ctx, q, renewed, base.Add(2*time.Hour))
		require.NoError(t, err)
		assert.False(t, ok, "an acked lease does not renew")
	})

	t.Run("a released item is due at once", func(t *testing.T) {
		j, ctx, q := newEnv(t).jobs, t.Context(), key(t, "q")
		require.NoError(t, j.PushJob(ctx, q, base, "1", "job"))
		leased, err := j.LeaseDueJobs(ctx, q, base, base.Add(time.Hour), 1)
		require.NoError(t, err)
		require.Len(t, leased, 1)
		require.NoError(t, j.ReleaseJob(ctx, q, leased[0].Lease, base.Add(time.Second)))
		again, err := j.LeaseDueJobs(ctx, q, base.Add(time.Second), base.Add(time.Hour), 1)
		require.NoError(t, err)
		require.Len(t, again, 1)
		assert.Equal(t, "job", again[0].Item)
		assert.Equal(t, 2, again[0].Attempt)
		require.NoError(t, j.ReleaseJob(ctx, q, "no such lease", base))
		require.NoError(t, j.AckJob(ctx, q, "no such lease"))
	})

	t.Run("a retried item comes back with its new item, as a first delivery", func(t *testing.T) {
		j, ctx, q := newEnv(t).jobs, t.Context(), key(t, "q")
		require.NoError(t, j.PushJob(ctx, q, base, "1", `{"name":"export","failures":0}`))
		require.NoError(t, j.PushJob(ctx, q, base.Add(2*time.Minute), "2", "other"))
		leased, err := j.LeaseDueJobs(ctx, q, base, base.Add(time.Hour), 1)
		require.NoError(t, err)
		require.Len(t, leased, 1)

		ok, err := j.RetryJob(ctx, q, leased[0].Lease, base.Add(time.Minute), `{"name":"export","failures":1}`)
		require.NoError(t, err)
		require.True(t, ok)
		due, found, err := j.NextJobDue(ctx, q)
		require.NoError(t, err)
		require.True(t, found)
		assert.True(t, due.Equal(base.Add(time.Minute)), "due at the retry's time, not the lease's end: %s", due)
		again, err := j.LeaseDueJobs(ctx, q, base.Add(time.Minute-time.Millisecond), base.Add(time.Hour), 10)
		require.NoError(t, err)
		assert.Empty(t, again, "not before its due time")

		again, err = j.LeaseDueJobs(ctx, q, base.Add(time.Minute), base.Add(time.Hour), 10)
		require.NoError(t, err)
		require.Len(t, again, 1)
		assert.Equal(t, `{"name":"export","failures":1}`, again[0].Item, "the stored item carries the count")
		assert.Equal(t, 1, again[0].Attempt, "a retry is not a redelivery")

		ok, err = j.RetryJob(ctx, q, leased[0].Lease, base, "stale")
		require.NoError(t, err)
		assert.False(t, ok, "an ended lease is not retried")
		ok, err = j.RetryJob(ctx, q, again[0].Lease, base.Add(3*time.Minute), `{"name":"export","failures":2}`)
		require.NoError(t, err)
		require.True(t, ok)
		items, err := j.TakeDueJobs(ctx, q, base.Add(time.Hour), 10)
		require.NoError(t, err)
		assert.Equal(t, []string{"other", `{"name":"export","failures":2}`}, items, "one copy, in due order")
		ok, err = j.RetryJob(ctx, q, "no such lease", base, "x")
		require.NoError(t, err)
		assert.False(t, ok)
	})

	t.Run("concurrent leasers never share an item", func(t *testing.T) {
		j, ctx, q := newEnv(t).jobs, t.Context(), key(t, "q")
		const n = 100
		for i := range n {
			require.NoError(t, j.PushJob(ctx, q, base.Add(time.Duration(i)*time.Millisecond), fmt.Sprintf("%04d", i), fmt.Sprint(i)))
		}
		var mu sync.Mutex
		var taken []string
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for {
					leased, err := j.LeaseDueJobs(ctx, q, base.Add(time.Hour), base.Add(2*time.Hour), 3)
					if !assert.NoError(t, err) || len(leased) == 0 {
						return
					}
					mu.Lock()
					for _, l := range leased {
						taken = append(taken, l.Item)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		require.Len(t, taken, n)
		sort.Strings(taken)
		for i := 1; i < n; i++ {
			assert.NotEqual(t, taken[i-1], taken[i], "item leased twice")
		}
	})

	t.Run("concurrent takers never share an item", func(t *testing.T) {
		j, ctx, q := newEnv(t).jobs, t.Context(), key(t, "q")
		const n = 200
		for i := range n {
			require.NoError(t, j.PushJob(ctx, q, base.Add(time.Duration(i)*time.Millisecond), fmt.Sprintf("%04d", i), fmt.Sprint(i)))
		}
		var mu sync.Mutex
		var taken []string
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for {
					items, err := j.TakeDueJobs(ctx, q, base.Add(time.Hour), 3)
					if !assert.NoError(t, err) || len(items) == 0 {
						return
					}
					mu.Lock()
					taken = append(taken, items...)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		require.Len(t, taken, n)
		sort.Strings(taken)
		for i := 1; i < n; i++ {
			assert.NotEqual(t, taken[i-1], taken[i], "item taken twice")
		}
	})
}

//------------------------------------------------------------------------------

func TestBoltJobsContract(t *testing.T) {
	t.Parallel()
	runJobsContract(t, func(t *testing.T) jobsEnv {
		b, err := state.OpenBolt(t.TempDir())
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, b.Close()) })
		return jobsEnv{jobs: b}
	})
}

func TestBoltJobsSurviveReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, err := state.OpenBolt(dir)
	require.NoError(t, err)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, b.PushJob(t.Context(), "q", at, "1", "job"))
	require.NoError(t, b.Close())

	b, err = state.OpenBolt(dir)
	require.NoError(t, err)
	defer b.Close()
	items, err := b.TakeDueJobs(t.Context(), "q", at, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"job"}, items)
}

// A retried job's count, kept in its item, survives a restart.
func TestBoltRetriedJobSurvivesReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, err := state.OpenBolt(dir)
	require.NoError(t, err)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, b.PushJob(t.Context(), "q", at, "1", `{"failures":0}`))
	leased, err := b.LeaseDueJobs(t.Context(), "q", at, at.Add(time.Minute), 1)
	require.NoError(t, err)
	require.Len(t, leased, 1)
	ok, err := b.RetryJob(t.Context(), "q", leased[0].Lease, at.Add(time.Second), `{"failures":1}`)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, b.Close())

	b, err = state.OpenBolt(dir)
	require.NoError(t, err)
	defer b.Close()
	again, err := b.LeaseDueJobs(t.Context(), "q", at.Add(time.Second), at.Add(time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, again, 1)
	assert.Equal(t, `{"failures":1}`, again[0].Item)
	assert.Equal(t, 1, again[0].Attempt)
}
