package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/state"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// jobBackends are the job stores a worker may use: the process's memory, a
// state_dir's bbolt file and a real redis-server.
var jobBackends = map[string]func(t *testing.T, clock *FakeClock) Stores{
	"memory": func(t *testing.T, clock *FakeClock) Stores { return memStores(newMemory(t, clock)) },
	"bbolt": func(t *testing.T, clock *FakeClock) Stores {
		b, err := state.OpenBolt(t.TempDir())
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		stores := memStores(newMemory(t, clock))
		stores.Jobs = b
		return stores
	},
	"redis": func(t *testing.T, _ *FakeClock) Stores {
		srv := redistest.Start(t)
		r, err := state.OpenRedis(t.Context(), srv.URL(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = r.Close() })
		return Stores{Locks: r.Locks(), Marks: r.Cache(), Records: r.Storage(), Jobs: r.Jobs(), Durable: true}
	},
}

// stored tells whether instance 7's queue holds a job, leased or not.
func stored(t *testing.T, jobs JobStore) bool {
	_, found, err := jobs.NextJobDue(t.Context(), JobQueueName(7))
	require.NoError(t, err)
	return found
}

// A job stays in the queue while it runs and leaves it once it ran.
func TestJobLeavesTheQueueOnlyAfterItRan(t *testing.T) {
	for name, stores := range jobBackends {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			st := stores(t, h.clock)
			q := NewQueue(st.Jobs, st.Marks, h.log)
			release := make(chan struct{})
			running := make(chan struct{}, 1)
			runner := &fakeRunner{job: func(ctx context.Context, name string, _ []byte, captures func([]byte)) error {
				running <- struct{}{}
				<-release
				captures([]byte(`{"event":"done"}`))
				return nil
			}}
			h.start(Config{Stores: st, Runner: runner})
			enqueue(t, q, "slow", `null`, h.clock.Now())
			<-running
			assert.True(t, stored(t, st.Jobs), "still stored while it runs")
			close(release)
			require.Eventually(t, func() bool { return h.stats.jobs.Load() == 1 }, 5*time.Second, time.Millisecond)
			require.Eventually(t, func() bool { return !stored(t, st.Jobs) }, 5*time.Second, time.Millisecond)
		})
	}
}

// A worker that died holding a job (its process crashed) loses nothing: once
// the lease ends, another worker runs the job.
func TestJobOfADeadWorkerIsRedelivered(t *testing.T) {
	for name, stores := range jobBackends {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			st := stores(t, h.clock)
			q := NewQueue(st.Jobs, st.Marks, h.log)
			enqueue(t, q, "sync", `{"page":2}`, h.clock.Now())
			// The dead worker's lease: what LeaseDueJobs gave it before it crashed.
			leased, err := st.Jobs.LeaseDueJobs(t.Context(), JobQueueName(7), h.clock.Now(), h.clock.Now().Add(time.Minute+JobLeaseMargin), 10)
			require.NoError(t, err)
			require.Len(t, leased, 1)

			h.start(Config{Stores: st, Timeout: time.Minute})
			h.step(time.Minute, 2)
			time.Sleep(20 * time.Millisecond)
			assert.Zero(t, h.stats.jobs.Load(), "not while the dead worker's lease lasts")
			h.step(JobLeaseMargin, 2)
			require.Eventually(t, func() bool { return h.stats.jobs.Load() == 1 }, 5*time.Second, time.Millisecond)
			ev := h.events.list()
			require.Len(t, ev, 1)
			assert.JSONEq(t, `{"event":"sync","payload":{"page":2}}`, string(ev[0].Body))
			assert.Equal(t, 1, h.log.Count(`job "sync" is delivered again (attempt 2)`))
			require.Eventually(t, func() bool { return !stored(t, st.Jobs) }, 5*time.Second, time.Millisecond)
		})
	}
}

// Shutdown in the middle of a job hands it back: the next worker runs it.
func TestJobInterruptedByShutdownRunsAgain(t *testing.T) {
	h := newHarness(t)
	srv := redistest.Start(t)
	r, err := state.OpenRedis(t.Context(), srv.URL(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	stores := Stores{Locks: r.Locks(), Marks: r.Cache(), Records: r.Storage(), Jobs: r.Jobs(), Durable: true}
	q := NewQueue(r.Jobs(), r.Cache(), h.log)

	running := make(chan struct{}, 1)
	hang := &fakeRunner{job: func(ctx context.Context, _ string, _ []byte, _ func([]byte)) error {
		running <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}}
	s := h.start(Config{Stores: stores, Runner: hang})
	enqueue(t, q, "export", `{"n":1}`, h.clock.Now())
	<-running
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s.Stop(ctx), context.DeadlineExceeded)
	assert.Equal(t, 1, h.log.Count(`job "export" was interrupted by shutdown; it is back in the queue`))
	assert.Zero(t, h.stats.jobs.Load())

	h.start(Config{Stores: stores})
	wakeWorkers(JobQueueName(7))
	require.Eventually(t, func() bool { return h.stats.jobs.Load() == 1 }, 5*time.Second, time.Millisecond)
	ev := h.events.list()
	require.Len(t, ev, 1)
	assert.JSONEq(t, `{"event":"export","payload":{"n":1}}`, string(ev[0].Body))
}

// A job that kills every worker taking it is dropped, with an error, after
// MaxJobAttempts.
func TestJobTakenTooOftenIsDroppedWithAnError(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	q := NewQueue(m.Jobs(), m.Cache(), h.log)
	enqueue(t, q, "poison", `null`, h.clock.Now())
	for range MaxJobAttempts {
		leased, err := m.Jobs().LeaseDueJobs(t.Context(), JobQueueName(7), h.clock.Now(), h.clock.Now(), 1)
		require.NoError(t, err)
		require.Len(t, leased, 1)
	}
	h.start(Config{Stores: memStores(m)})
	wakeWorkers(JobQueueName(7))
	require.Eventually(t, func() bool {
		return h.log.Count(`dropped job "poison": taken 5 times, and each time its worker stopped before the run ended`) == 1
	}, 5*time.Second, time.Millisecond)
	assert.Zero(t, h.stats.jobs.Load())
	require.Eventually(t, func() bool { return !stored(t, m.Jobs()) }, 5*time.Second, time.Millisecond)
}
