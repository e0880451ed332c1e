package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/job"
)

func TestJobRetryRules(t *testing.T) {
	t.Parallel()
	type want struct {
		delay time.Duration
		retry bool
	}
	policy := JobRetry{MaxRetries: 5, Initial: time.Second, Max: 5 * time.Second}
	cases := []struct {
		name         string
		policy       JobRetry
		failedBefore int
		want         want
	}{
		{"one attempt by default: the first failure drops", JobRetry{}, 0, want{0, false}},
		{"first failure waits the initial interval", policy, 0, want{time.Second, true}},
		{"second failure waits twice as long", policy, 1, want{2 * time.Second, true}},
		{"third doubles again", policy, 2, want{4 * time.Second, true}},
		{"fourth is capped at the max", policy, 3, want{5 * time.Second, true}},
		{"the last retry is still capped", policy, 4, want{5 * time.Second, true}},
		{"retries used up", policy, 5, want{0, false}},
		{"past the bound (max lowered since)", policy, 9, want{0, false}},
		{"a single retry", JobRetry{MaxRetries: 1, Initial: time.Minute, Max: time.Hour}, 0, want{time.Minute, true}},
		{"max equal to initial: a constant wait", JobRetry{MaxRetries: 100, Initial: time.Second, Max: time.Second}, 50, want{time.Second, true}},
		{"many doublings do not overflow", JobRetry{MaxRetries: 1000, Initial: time.Second, Max: time.Hour}, 999, want{time.Hour, true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			delay, retry := c.policy.withDefaults().Next(c.failedBefore)
			assert.Equal(t, c.want, want{delay, retry})
		})
	}
}

func TestJobRetryDefaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		in, want JobRetry
	}{
		{"zero waits take the defaults", JobRetry{MaxRetries: 3}, JobRetry{MaxRetries: 3, Initial: DefaultJobRetryInitial, Max: DefaultJobRetryMax}},
		{"a max below the initial is raised to it", JobRetry{Initial: time.Minute, Max: time.Second}, JobRetry{Initial: time.Minute, Max: time.Minute}},
		{"an initial above the default max raises the default max", JobRetry{Initial: time.Hour}, JobRetry{Initial: time.Hour, Max: time.Hour}},
		{"set waits are kept", JobRetry{Initial: time.Second, Max: time.Minute}, JobRetry{Initial: time.Second, Max: time.Minute}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.in.withDefaults())
		})
	}
}

func TestNewRefusesNegativeJobRetries(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	_, err := New(Config{Stores: memStores(m), Runner: &fakeRunner{}, Logger: h.log, Timeout: time.Second, JobRetry: JobRetry{MaxRetries: -1}})
	assert.ErrorContains(t, err, "job retries must be 0 or more")
}

// nextDue is when instance 7's earliest job is due.
func nextDue(t *testing.T, jobs JobStore) time.Time {
	t.Helper()
	due, found, err := jobs.NextJobDue(t.Context(), JobQueueName(7))
	require.NoError(t, err)
	require.True(t, found, "a job is stored")
	return due
}

// A job that fails while its database is down goes back in the queue with
// the same payload, waits doubling up to the max, and once it succeeds
// leaves the queue; each backend keeps the count.
func TestFailedJobIsRetriedWithBackoff(t *testing.T) {
	for name, stores := range jobBackends {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			st := stores(t, h.clock)
			q := NewQueue(st.Jobs, st.Marks, h.log)
			var runs atomic.Int64
			runner := &fakeRunner{job: func(_ context.Context, name string, payload []byte, captures func([]byte)) error {
				n := runs.Add(1)
				assert.JSONEq(t, `{"batch":1}`, string(payload), "the same payload every attempt")
				if n <= 2 {
					return fmt.Errorf("connect ECONNREFUSED 127.0.0.1:%d", 5432+n)
				}
				captures([]byte(`{"event":"exported"}`))
				return nil
			}}
			h.start(Config{Stores: st, Runner: runner, JobRetry: JobRetry{MaxRetries: 3, Initial: time.Second, Max: 1500 * time.Millisecond}})
			t0 := h.clock.Now()
			enqueue(t, q, "exportEvents", `{"batch":1}`, t0)

			require.Eventually(t, func() bool { return h.stats.retried.Load() == 1 }, 5*time.Second, time.Millisecond)
			assert.Equal(t, t0.Add(time.Second), nextDue(t, st.Jobs), "the first retry waits the initial interval")
			assert.Equal(t, 1, h.log.Count(`WARN job "exportEvents" failed (attempt 1 of 4), running it again in 1s: connect ECONNREFUSED 127.0.0.1:5433`))

			h.step(time.Second, 2)
			require.Eventually(t, func() bool { return h.stats.retried.Load() == 2 }, 5*time.Second, time.Millisecond)
			assert.Equal(t, t0.Add(2500*time.Millisecond), nextDue(t, st.Jobs), "the second waits twice as long, capped at the max")
			assert.Equal(t, 1, h.log.Count(`WARN job "exportEvents" failed`), "one WARN per cause")
			assert.Equal(t, 1, h.log.Count(`DEBUG job "exportEvents" failed (attempt 2 of 4), running it again in 1.5s`))

			h.step(1500*time.Millisecond, 2)
			require.Eventually(t, func() bool { return h.stats.jobs.Load() == 3 }, 5*time.Second, time.Millisecond)
			require.Eventually(t, func() bool { return !stored(t, st.Jobs) }, 5*time.Second, time.Millisecond)
			assert.Equal(t, int64(3), runs.Load())
			assert.Len(t, h.events.list(), 1)
			assert.Equal(t, 1, h.log.Count(`INFO job "exportEvents" recovered after 2 failures`))
			assert.Zero(t, h.log.Count("ERROR"))
			assert.Zero(t, h.log.Count("delivered again"), "a retry is not a redelivery")
		})
	}
}

// A job that keeps failing runs 1 + job_max_retries times, then is dropped
// with an error; its count is in the stored job, so a worker of another
// process (here: started after the first stopped) continues it.
func TestJobRetriesAreBoundedAcrossWorkers(t *testing.T) {
	for name, stores := range jobBackends {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			st := stores(t, h.clock)
			q := NewQueue(st.Jobs, st.Marks, h.log)
			var runs atomic.Int64
			runner := &fakeRunner{job: func(context.Context, string, []byte, func([]byte)) error {
				runs.Add(1)
				return errors.New("relation \"events\" does not exist")
			}}
			retry := JobRetry{MaxRetries: 2, Initial: time.Second, Max: time.Second}
			first := h.start(Config{Stores: st, Runner: runner, JobRetry: retry})
			enqueue(t, q, "upload", `null`, h.clock.Now())
			require.Eventually(t, func() bool { return h.stats.retried.Load() == 1 }, 5*time.Second, time.Millisecond)
			require.NoError(t, first.Stop(t.Context()))

			h.start(Config{Stores: st, Runner: runner, JobRetry: retry})
			h.step(time.Second, 2)
			require.Eventually(t, func() bool { return h.stats.retried.Load() == 2 }, 5*time.Second, time.Millisecond)
			h.step(time.Second, 2)
			require.Eventually(t, func() bool {
				return h.log.Count(`ERROR job "upload" dropped: it failed 3 times, so its 2 retries are used up; last error: relation "events" does not exist`) == 1
			}, 5*time.Second, time.Millisecond)
			require.Eventually(t, func() bool { return !stored(t, st.Jobs) }, 5*time.Second, time.Millisecond)
			assert.Equal(t, int64(3), runs.Load(), "1 attempt and 2 retries, whichever worker ran them")
			assert.Equal(t, int64(2), h.stats.retried.Load())
		})
	}
}

// Without retries a failed job is logged and gone, as in the original; a
// name the plugin does not export is never retried.
func TestJobsWithoutRetriesOrUnknownAreNotRetried(t *testing.T) {
	for _, c := range []struct {
		name    string
		retry   JobRetry
		err     error
		wantLog string
	}{
		{"no retries", JobRetry{}, errors.New("boom"), `ERROR job "j": boom`},
		{"unknown job", JobRetry{MaxRetries: 5}, fmt.Errorf("job %q: %w", "j", job.ErrUnknown), `ERROR job "j" dropped, not retried: job "j": the plugin exports no such job`},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			m := newMemory(t, h.clock)
			q := NewQueue(m.Jobs(), m.Cache(), h.log)
			runner := &fakeRunner{job: func(context.Context, string, []byte, func([]byte)) error { return c.err }}
			h.start(Config{Stores: memStores(m), Runner: runner, JobRetry: c.retry})
			enqueue(t, q, "j", `null`, h.clock.Now())
			require.Eventually(t, func() bool { return h.log.Count(c.wantLog) == 1 }, 5*time.Second, time.Millisecond)
			require.Eventually(t, func() bool { return !stored(t, m.Jobs()) }, 5*time.Second, time.Millisecond)
			assert.Zero(t, h.stats.retried.Load())
		})
	}
}
