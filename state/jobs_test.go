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
