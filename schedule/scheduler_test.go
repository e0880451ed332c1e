package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/job"
	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/pluginhost"
	"github.com/hogpipe/hogpipe/state"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// fakeRunner runs tasks and jobs as Go functions; by default each capture
// one event naming what ran.
type fakeRunner struct {
	task func(ctx context.Context, task string, captures func([]byte)) error
	job  func(ctx context.Context, name string, payload []byte, captures func([]byte)) error
}

func (r *fakeRunner) RunTask(ctx context.Context, task string, _ time.Duration, captures func([]byte)) error {
	if r.task != nil {
		return r.task(ctx, task, captures)
	}
	captures([]byte(`{"event":"` + task + `"}`))
	return nil
}

func (r *fakeRunner) RunJob(ctx context.Context, name string, payload []byte, _ time.Duration, captures func([]byte)) error {
	if r.job != nil {
		return r.job(ctx, name, payload, captures)
	}
	captures([]byte(`{"event":"` + name + `","payload":` + string(payload) + `}`))
	return nil
}

// events collects what schedulers emit.
type events struct {
	mu  sync.Mutex
	all []Event
}

func (e *events) emit(ev Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
}

func (e *events) list() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Event(nil), e.all...)
}

func (e *events) ticks(task string) []time.Time {
	var out []time.Time
	for _, ev := range e.list() {
		if ev.Task == task {
			out = append(out, ev.Tick)
		}
	}
	return out
}

// counter is an Observer counting runs and skips.
type counter struct {
	ran, skipped, jobs, retried atomic.Int64
}

func (c *counter) TaskRan(string, time.Duration, error) { c.ran.Add(1) }
func (c *counter) TaskSkipped(string)                   { c.skipped.Add(1) }
func (c *counter) JobRan(string, time.Duration, error)  { c.jobs.Add(1) }
func (c *counter) JobRetried(string, int, error)        { c.retried.Add(1) }

var start = utc("2024-03-01T12:00:00.5Z")

func memStores(m *state.Memory) Stores {
	return Stores{Locks: m.Locks(), Marks: m.Cache(), Records: m.Storage(), Jobs: m.Jobs()}
}

func newMemory(t *testing.T, clock *FakeClock) *state.Memory {
	m := state.NewMemory(state.WithClock(clock.Now), state.WithSweepInterval(0))
	t.Cleanup(func() { _ = m.Close() })
	return m
}

type harness struct {
	t      *testing.T
	clock  *FakeClock
	log    *testutil.Logger
	events *events
	stats  *counter
}

func newHarness(t *testing.T) *harness {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	return &harness{t: t, clock: NewFakeClock(start), log: &testutil.Logger{T: t}, events: &events{}, stats: &counter{}}
}

// start starts a scheduler of instance 7 with conf's gaps filled in; it is
// stopped when the test ends.
func (h *harness) start(conf Config) *Scheduler {
	h.t.Helper()
	conf.PluginConfigID = 7
	if conf.Timeout == 0 {
		conf.Timeout = time.Minute
	}
	if conf.Runner == nil {
		conf.Runner = &fakeRunner{}
	}
	conf.Clock = h.clock
	conf.Logger = h.log
	conf.Emit = h.events.emit
	conf.Observer = h.stats
	s, err := New(conf)
	require.NoError(h.t, err)
	s.Start()
	h.t.Cleanup(func() { require.NoError(h.t, s.Stop(context.Background())) })
	return s
}

// step advances the clock by d once the scheduler's loops wait on it.
func (h *harness) step(d time.Duration, waiters int) {
	h.t.Helper()
	require.True(h.t, h.clock.WaitForWaiters(waiters, 5*time.Second), "the loops wait on the clock")
	h.clock.Advance(d)
}

func tasks(pairs ...string) map[string]Interval {
	out := map[string]Interval{}
	for i := 0; i < len(pairs); i += 2 {
		out[pairs[i]] = MustParseInterval(pairs[i+1])
	}
	return out
}

//------------------------------------------------------------------------------

func TestSchedulerRunsEachTickWithItsIdentity(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	h.start(Config{Tasks: tasks(TaskEveryMinute, "10s", TaskEveryHour, "0 * * * *"), Stores: memStores(m)})

	for i := range 6 {
		h.step(10*time.Second, 4) // 2 task loops, the job loop, the heartbeat
		require.Eventually(t, func() bool { return h.stats.ran.Load() == int64(i+1) }, 5*time.Second, time.Millisecond)
	}
	want := []time.Time{}
	for i := 1; i <= 6; i++ {
		want = append(want, utc("2024-03-01T12:00:00Z").Add(time.Duration(i)*10*time.Second))
	}
	assert.Equal(t, want, h.events.ticks(TaskEveryMinute), "ticks are the multiples of 10s")
	assert.Empty(t, h.events.ticks(TaskEveryHour), "the hour has not come")
	assert.Equal(t, int64(6), h.stats.ran.Load())

	v, found, err := m.Storage().Get(t.Context(), lastRunKey(7, TaskEveryMinute))
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, formatMillis(want[5]), v, "the last completed tick is recorded")
}

func TestSchedulerDebouncesASlowTask(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	release := make(chan struct{})
	var runs atomic.Int64
	runner := &fakeRunner{task: func(ctx context.Context, task string, captures func([]byte)) error {
		if runs.Add(1) == 1 {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		captures([]byte(`{}`))
		return nil
	}}
	h.start(Config{Tasks: tasks(TaskEveryMinute, "10s"), Stores: memStores(m), Runner: runner})

	h.step(10*time.Second, 3)
	require.Eventually(t, func() bool { return runs.Load() == 1 }, 5*time.Second, time.Millisecond)
	for i := range 3 {
		h.step(10*time.Second, 4) // + the lease renewal
		require.Eventually(t, func() bool { return h.stats.skipped.Load() == int64(i+1) }, 5*time.Second, time.Millisecond)
	}
	assert.Equal(t, int64(1), runs.Load(), "later ticks are skipped, not queued")
	assert.Empty(t, h.events.list())

	close(release)
	require.Eventually(t, func() bool { return h.stats.ran.Load() == 1 }, 5*time.Second, time.Millisecond)
	h.step(10*time.Second, 3)
	require.Eventually(t, func() bool { return runs.Load() == 2 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return h.stats.ran.Load() == 2 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, int64(3), h.stats.skipped.Load(), "nothing was queued while it ran")
	ticks := h.events.ticks(TaskEveryMinute)
	assert.Equal(t, []time.Time{utc("2024-03-01T12:00:10Z"), utc("2024-03-01T12:00:50Z")}, ticks)
}

func TestSchedulerLeaseIsRenewedWhileTheTaskRuns(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	release := make(chan struct{})
	runner := &fakeRunner{task: func(ctx context.Context, _ string, _ func([]byte)) error {
		<-release
		return nil
	}}
	h.start(Config{Tasks: tasks(TaskEveryDay, "1h"), Stores: memStores(m), Runner: runner})
	h.step(time.Hour, 3)
	lease := leaseKey(7, TaskEveryDay)
	require.Eventually(t, func() bool {
		_, found, _ := m.Cache().Get(t.Context(), lease)
		return found
	}, 5*time.Second, time.Millisecond)
	for range 6 { // 2 minutes: four times the lease's ttl
		h.step(LeaseTTL/3, 4)
	}
	_, found, err := m.Cache().Get(t.Context(), lease)
	require.NoError(t, err)
	assert.True(t, found, "renewed")
	close(release)
	require.Eventually(t, func() bool {
		_, found, _ := m.Cache().Get(t.Context(), lease)
		return !found
	}, 5*time.Second, time.Millisecond, "released when the run ends")
}

func TestSchedulersSharingAStoreRunEachTickOnce(t *testing.T) {
	h := newHarness(t)
	srv := redistest.Start(t)
	r, err := state.OpenRedis(t.Context(), srv.URL(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	stores := Stores{Locks: r.Locks(), Marks: r.Cache(), Records: r.Storage(), Jobs: r.Jobs(), Durable: true}

	const n = 3
	for range n {
		h.start(Config{Tasks: tasks(TaskEveryMinute, "1s"), Stores: stores})
	}
	const ticks = 20
	for i := range ticks {
		h.step(time.Second, 3*n)
		require.Eventually(t, func() bool { return h.stats.ran.Load() == int64(i+1) }, 5*time.Second, time.Millisecond,
			"tick %d runs once", i+1)
	}
	got := h.events.ticks(TaskEveryMinute)
	require.Len(t, got, ticks, "one event per tick in total")
	seen := map[time.Time]bool{}
	for _, tick := range got {
		assert.False(t, seen[tick], "tick %s ran twice", tick)
		seen[tick] = true
	}
	assert.Zero(t, h.stats.skipped.Load())
}

func TestSchedulersInOneProcessShareTheMemoryStore(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	h.start(Config{Tasks: tasks(TaskEveryMinute, "5s"), Stores: memStores(m)})
	h.start(Config{Tasks: tasks(TaskEveryMinute, "5s"), Stores: memStores(m)})
	for i := range 5 {
		h.step(5*time.Second, 6)
		require.Eventually(t, func() bool { return h.stats.ran.Load() == int64(i+1) }, 5*time.Second, time.Millisecond)
	}
	assert.Len(t, h.events.list(), 5)
}

func TestSchedulerCatchesUpOnceAfterARestart(t *testing.T) {
	h := newHarness(t)
	mem := newMemory(t, h.clock)
	bolt, err := state.OpenBolt(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = bolt.Close() })
	stores := Stores{Locks: mem.Locks(), Marks: mem.Cache(), Records: bolt, Jobs: bolt, Durable: true}
	conf := Config{Tasks: tasks(TaskEveryMinute, "* * * * *", TaskEveryHour, "0 * * * *"), Stores: stores}

	// The first start owes nothing: it records a baseline, runs no catch-up.
	first := h.start(conf)
	h.step(time.Minute, 4)
	require.Eventually(t, func() bool { return h.stats.ran.Load() == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, []time.Time{utc("2024-03-01T12:01:00Z")}, h.events.ticks(TaskEveryMinute))
	require.NoError(t, first.Stop(t.Context()))

	// Down for over an hour: 75 minute ticks and an hour tick fell due.
	h.clock.Advance(75 * time.Minute)
	h.start(conf)
	require.Eventually(t, func() bool { return h.stats.ran.Load() == 3 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, []time.Time{utc("2024-03-01T12:01:00Z"), utc("2024-03-01T13:16:00Z")}, h.events.ticks(TaskEveryMinute),
		"one catch-up, of the latest tick missed")
	assert.Equal(t, []time.Time{utc("2024-03-01T13:00:00Z")}, h.events.ticks(TaskEveryHour))
	assert.Equal(t, 2, h.log.Count("catching up"))

	// A restart within the same tick owes nothing.
	h.clock.Advance(10 * time.Second)
	h.start(conf)
	h.step(time.Minute, 7)
	require.Eventually(t, func() bool { return h.stats.ran.Load() == 4 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, 2, h.log.Count("catching up"))
}

func TestSchedulerWithoutDurableStateDoesNotCatchUp(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	conf := Config{Tasks: tasks(TaskEveryMinute, "* * * * *"), Stores: memStores(m)}
	s := h.start(conf)
	h.step(time.Minute, 3)
	require.Eventually(t, func() bool { return h.stats.ran.Load() == 1 }, 5*time.Second, time.Millisecond)
	require.NoError(t, s.Stop(t.Context()))
	h.clock.Advance(5 * time.Minute)
	h.start(conf)
	h.step(30*time.Second, 3)
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, int64(1), h.stats.ran.Load())
	assert.Zero(t, h.log.Count("catching up"))
}

func TestSchedulerShutdownGivesAnInterruptedTickBack(t *testing.T) {
	h := newHarness(t)
	mem := newMemory(t, h.clock)
	stores := memStores(mem)
	stores.Durable = true
	running := make(chan struct{}, 1)
	hang := &fakeRunner{task: func(ctx context.Context, _ string, _ func([]byte)) error {
		running <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}}
	s := h.start(Config{Tasks: tasks(TaskEveryMinute, "* * * * *"), Stores: stores, Runner: hang})
	h.step(time.Minute, 3)
	<-running
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s.Stop(ctx), context.DeadlineExceeded)
	assert.Equal(t, 1, h.log.Count("interrupted by shutdown"))
	assert.Zero(t, h.stats.ran.Load())

	h.clock.Advance(10 * time.Second)
	h.start(Config{Tasks: tasks(TaskEveryMinute, "* * * * *"), Stores: stores})
	require.Eventually(t, func() bool { return h.stats.ran.Load() == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, []time.Time{utc("2024-03-01T12:01:00Z")}, h.events.ticks(TaskEveryMinute), "the interrupted tick ran again")
}

func TestSchedulerTaskErrorsAreLoggedAndCountAsRuns(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	runner := &fakeRunner{task: func(context.Context, string, func([]byte)) error { return errors.New("boom") }}
	h.start(Config{Tasks: tasks(TaskEveryMinute, "1m"), Stores: memStores(m), Runner: runner})
	h.step(time.Minute, 3)
	require.Eventually(t, func() bool { return h.stats.ran.Load() == 1 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return h.log.Count("ERROR runEveryMinute: boom") == 1 }, 5*time.Second, time.Millisecond)
}

//------------------------------------------------------------------------------

func enqueue(t *testing.T, q *Queue, name, payload string, at time.Time) {
	t.Helper()
	require.NoError(t, q.EnqueueJob(t.Context(), job.Job{PluginConfigID: 7, Name: name, Payload: []byte(payload), RunAt: at}))
}

func TestJobsRunNowAndRunIn(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	q := NewQueue(m.Jobs(), m.Cache(), h.log)
	h.start(Config{Stores: memStores(m)})

	enqueue(t, q, "now", `{"a":1}`, h.clock.Now())
	require.Eventually(t, func() bool { return h.stats.jobs.Load() == 1 }, 5*time.Second, time.Millisecond,
		"an in-process enqueue wakes the worker: no clock step needed")
	ev := h.events.list()
	require.Len(t, ev, 1)
	assert.Equal(t, "now", ev[0].Job)
	assert.Empty(t, ev[0].Task)
	assert.JSONEq(t, `{"event":"now","payload":{"a":1}}`, string(ev[0].Body))

	enqueue(t, q, "later", `null`, h.clock.Now().Add(5*time.Minute))
	for range 4 {
		h.step(time.Minute, 2)
	}
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, int64(1), h.stats.jobs.Load(), "not due yet")
	h.step(time.Minute, 2)
	require.Eventually(t, func() bool { return h.stats.jobs.Load() == 2 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, "later", h.events.list()[1].Job)
}

func TestJobsAreTakenOnceByCompetingWorkers(t *testing.T) {
	h := newHarness(t)
	srv := redistest.Start(t)
	r, err := state.OpenRedis(t.Context(), srv.URL(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	stores := Stores{Locks: r.Locks(), Marks: r.Cache(), Records: r.Storage(), Jobs: r.Jobs(), Durable: true}
	q := NewQueue(r.Jobs(), r.Cache(), h.log)
	for range 3 {
		h.start(Config{Stores: stores, JobConcurrency: 2})
	}
	const n = 50
	for i := range n {
		enqueue(t, q, "job", fmt.Sprint(i), h.clock.Now())
	}
	require.Eventually(t, func() bool { return h.stats.jobs.Load() == n }, 10*time.Second, time.Millisecond)
	seen := map[string]bool{}
	for _, ev := range h.events.list() {
		assert.False(t, seen[string(ev.Body)], "ran twice: %s", ev.Body)
		seen[string(ev.Body)] = true
	}
	assert.Len(t, seen, n)
}

func TestAJobMayEnqueueAnotherJob(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	q := NewQueue(m.Jobs(), m.Cache(), h.log)
	runner := &fakeRunner{}
	runner.job = func(ctx context.Context, name string, payload []byte, captures func([]byte)) error {
		captures([]byte(`{"event":"` + name + `"}`))
		if name == "first" {
			return q.EnqueueJob(ctx, job.Job{PluginConfigID: 7, Name: "second", Payload: payload, RunAt: h.clock.Now().Add(time.Second)})
		}
		return nil
	}
	h.start(Config{Stores: memStores(m), Runner: runner})
	enqueue(t, q, "first", `{"retry":1}`, h.clock.Now())
	require.Eventually(t, func() bool { return h.stats.jobs.Load() == 1 }, 5*time.Second, time.Millisecond)
	h.step(time.Second, 2)
	require.Eventually(t, func() bool { return h.stats.jobs.Load() == 2 }, 5*time.Second, time.Millisecond)
	ev := h.events.list()
	require.Len(t, ev, 2)
	assert.Equal(t, []string{"first", "second"}, []string{ev[0].Job, ev[1].Job})
}

func TestJobErrorsAreLogged(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	q := NewQueue(m.Jobs(), m.Cache(), h.log)
	runner := &fakeRunner{job: func(_ context.Context, name string, _ []byte, _ func([]byte)) error {
		return fmt.Errorf("job %q: %w", name, job.ErrUnknown)
	}}
	h.start(Config{Stores: memStores(m), Runner: runner})
	enqueue(t, q, "nope", `null`, h.clock.Now())
	require.Eventually(t, func() bool { return h.log.Count(`ERROR job "nope"`) == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, 1, h.log.Count("the plugin exports no such job"))

	require.NoError(t, m.Jobs().PushJob(t.Context(), JobQueueName(7), h.clock.Now(), "x", "not json"))
	wakeWorkers(JobQueueName(7))
	require.Eventually(t, func() bool { return h.log.Count("dropped a job") == 1 }, 5*time.Second, time.Millisecond)
}

func TestQueueWarnsWhenNoScheduleInputRunsTheInstance(t *testing.T) {
	t.Parallel()
	clock := NewFakeClock(start)
	m := newMemory(t, clock)
	log := &testutil.Logger{T: t}
	q := NewQueue(m.Jobs(), m.Cache(), log, WithWarnAfter(0))
	enqueue(t, q, "a", `null`, start)
	enqueue(t, q, "b", `null`, start)
	assert.Equal(t, 1, log.Count("no posthog_schedule input for plugin_config_id 7 has been seen"), "once")

	log2 := &testutil.Logger{T: t}
	require.NoError(t, m.Cache().Set(t.Context(), heartbeatKey(7), "someone", HeartbeatTTL))
	q2 := NewQueue(m.Jobs(), m.Cache(), log2, WithWarnAfter(0))
	enqueue(t, q2, "a", `null`, start)
	assert.Zero(t, log2.Count("WARN"), "a schedule input's heartbeat was seen")

	err := q2.EnqueueJob(t.Context(), job.Job{PluginConfigID: 7, Name: "x", Payload: []byte("{"), RunAt: start})
	assert.ErrorContains(t, err, "payload is not JSON")
}

func TestSchedulerWritesItsHeartbeat(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	h.start(Config{Stores: memStores(m)})
	_, found, err := m.Cache().Get(t.Context(), heartbeatKey(7))
	require.NoError(t, err)
	assert.True(t, found, "written at start")
	for range 6 {
		h.step(HeartbeatTTL/3, 2)
	}
	_, found, err = m.Cache().Get(t.Context(), heartbeatKey(7))
	require.NoError(t, err)
	assert.True(t, found, "refreshed")
}

func TestNewChecksTheConfig(t *testing.T) {
	t.Parallel()
	clock := NewFakeClock(start)
	m := newMemory(t, clock)
	log := &testutil.Logger{T: t}
	for msg, conf := range map[string]Config{
		"a runner is required": {Logger: log, Stores: memStores(m), Timeout: time.Second},
		"a logger is required": {Runner: &fakeRunner{}, Stores: memStores(m), Timeout: time.Second},
		"every store":          {Runner: &fakeRunner{}, Logger: log, Timeout: time.Second},
		"timeout must be":      {Runner: &fakeRunner{}, Logger: log, Stores: memStores(m)},
		"has no interval":      {Runner: &fakeRunner{}, Logger: log, Stores: memStores(m), Timeout: time.Second, Tasks: map[string]Interval{"x": {}}},
	} {
		_, err := New(conf)
		assert.ErrorContains(t, err, msg)
	}
}

// A real plugin on virtual time: jobs.later calls
// meta.jobs.greet(...).runIn(90, 'seconds'), read from the same clock.
func TestPluginRunInOnVirtualTime(t *testing.T) {
	h := newHarness(t)
	m := newMemory(t, h.clock)
	q := NewQueue(m.Jobs(), m.Cache(), h.log)
	p, err := pluginhost.Load(pluginhost.Options{
		Path: "../testdata/plugins/schedule-tasks", VMs: 1, PluginConfigID: 7,
		Cache: m.Cache(), Storage: m.Storage(), Jobs: q, Logger: h.log, Now: h.clock.Now,
	})
	require.NoError(t, err)
	pool, err := p.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, pool.Close(context.Background()))
		require.NoError(t, p.Close())
	})
	h.start(Config{Tasks: tasks(TaskEveryMinute, "1m"), Stores: memStores(m), Runner: pool})

	enqueue(t, q, "later", `{"seconds":90}`, h.clock.Now())
	require.Eventually(t, func() bool { return h.stats.jobs.Load() == 1 }, 30*time.Second, time.Millisecond)
	h.step(time.Minute, 3)
	require.Eventually(t, func() bool { return h.stats.ran.Load() == 1 }, 30*time.Second, time.Millisecond)
	assert.Equal(t, int64(1), h.stats.jobs.Load(), "greet is due 90s after later ran")
	h.step(30*time.Second, 3)
	require.Eventually(t, func() bool { return h.stats.jobs.Load() == 2 }, 30*time.Second, time.Millisecond)

	var greeted []Event
	for _, ev := range h.events.list() {
		if ev.Job == "greet" {
			greeted = append(greeted, ev)
		}
	}
	require.Len(t, greeted, 1)
	assert.Contains(t, string(greeted[0].Body), `"name":"later"`)
	assert.Contains(t, string(greeted[0].Body), `"timestamp":"2024-03-01T12:01:30.500Z"`, "captured at virtual time")
}
