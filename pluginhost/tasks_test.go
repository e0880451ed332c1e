package pluginhost

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// recordingQueue is a JobQueue that keeps what it is given.
type recordingQueue struct {
	mu   sync.Mutex
	jobs []Job
}

func (q *recordingQueue) EnqueueJob(_ context.Context, job Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, job)
	return nil
}

func (q *recordingQueue) list() []Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]Job(nil), q.jobs...)
}

// runCaptures runs fn and returns the events it captured.
func runCaptures(t *testing.T, fn func(captures func([]byte)) error) ([]map[string]any, error) {
	t.Helper()
	var mu sync.Mutex
	var raw [][]byte
	err := fn(func(e []byte) {
		mu.Lock()
		raw = append(raw, e)
		mu.Unlock()
	})
	mu.Lock()
	defer mu.Unlock()
	out := make([]map[string]any, len(raw))
	for i, e := range raw {
		require.NoError(t, json.Unmarshal(e, &out[i]), string(e))
	}
	return out, err
}

func TestInspectExportsDoesNotRunSetup(t *testing.T) {
	t.Parallel()
	mem := state.NewMemory()
	t.Cleanup(func() { _ = mem.Close() })
	for fixture, want := range map[string]Exports{
		"schedule-tasks": {Tasks: []string{"runEveryMinute", "runEveryHour"}, Jobs: []string{"chain", "fail", "greet", "later", "noPayload"}},
		"schedule-jobs":  {Jobs: []string{"echo"}},
		"hello-world":    {},
	} {
		p, err := Load(Options{Path: "../testdata/plugins/" + fixture, Logger: &testutil.Logger{T: t},
			Cache: mem.Cache(), Storage: mem.Storage()})
		require.NoError(t, err)
		ex, err := p.InspectExports()
		require.NoError(t, err)
		assert.Equal(t, want, ex, fixture)
	}

	// setupPlugin would throw here: inspecting must not call it.
	p, err := Load(Options{Path: "../testdata/plugins/setup-fails", Logger: &testutil.Logger{T: t},
		Cache: mem.Cache(), Storage: mem.Storage()})
	require.NoError(t, err)
	_, err = p.InspectExports()
	assert.NoError(t, err)
}

func TestInspectExportsIsBounded(t *testing.T) {
	t.Parallel()
	mem := state.NewMemory()
	t.Cleanup(func() { _ = mem.Close() })
	p, err := Load(Options{Path: "../testdata/plugins/schedule-load-loop", Logger: &testutil.Logger{T: t},
		Cache: mem.Cache(), Storage: mem.Storage(), Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	_, err = p.InspectExports()
	var pe *PluginError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Timeout, "the endless load was interrupted at the plugin's timeout: %v", err)
	assert.Contains(t, err.Error(), "timed out")
}

func TestPoolTasksAndJobs(t *testing.T) {
	t.Parallel()
	pool, _ := startPool(t, "schedule-tasks")
	assert.Equal(t, []string{"runEveryMinute", "runEveryHour"}, pool.Tasks())
	assert.Equal(t, []string{"chain", "fail", "greet", "later", "noPayload"}, pool.Jobs())

	pool, _ = startPool(t, "hello-world")
	assert.Empty(t, pool.Tasks())
	assert.Empty(t, pool.Jobs())
}

func TestRunTaskCaptures(t *testing.T) {
	t.Parallel()
	team := int64(3)
	pool, _ := startPool(t, "schedule-tasks", func(o *Options) { o.TeamID = &team })
	for want := 1; want <= 2; want++ {
		events, err := runCaptures(t, func(c func([]byte)) error {
			return pool.RunTask(t.Context(), "runEveryMinute", time.Minute, c)
		})
		require.NoError(t, err)
		require.Len(t, events, 1)
		assert.Equal(t, "minute tick", events[0]["event"])
		assert.Equal(t, "schedule-tasks", events[0]["distinct_id"])
		assert.InDelta(t, 3, events[0]["team_id"], 0, "the configured team")
		props := events[0]["properties"].(map[string]any)
		assert.InDelta(t, want, props["n"], 0, "meta.utils.cursor persists between runs")
		assert.Equal(t, "posthog-plugin-server", props["$lib"])
	}

	err := pool.RunTask(t.Context(), "runEveryDay", time.Minute, nil)
	assert.ErrorContains(t, err, `exports no scheduled task "runEveryDay"`)
	err = pool.RunTask(t.Context(), "processEvent", time.Minute, nil)
	assert.ErrorContains(t, err, `exports no scheduled task "processEvent"`, "only tasks can be run as tasks")
}

func TestRunJobArguments(t *testing.T) {
	t.Parallel()
	pool, _ := startPool(t, "schedule-tasks")
	events, err := runCaptures(t, func(c func([]byte)) error {
		return pool.RunJob(t.Context(), "greet", []byte(`{"name":"Ada"}`), time.Minute, c)
	})
	require.NoError(t, err)
	require.Len(t, events, 1)
	props := events[0]["properties"].(map[string]any)
	assert.Equal(t, "Ada", props["name"])
	assert.Equal(t, true, props["meta_is_last"], "job(payload, meta)")

	for _, falsy := range []string{"null", "0", `""`, "false"} {
		events, err = runCaptures(t, func(c func([]byte)) error {
			return pool.RunJob(t.Context(), "noPayload", []byte(falsy), time.Minute, c)
		})
		require.NoError(t, err, falsy)
		require.Len(t, events, 1)
		props = events[0]["properties"].(map[string]any)
		assert.InDelta(t, 1, props["args"], 0, "job(meta) for the falsy payload %s", falsy)
		assert.Equal(t, true, props["meta_first"])
	}
}

func TestRunJobErrors(t *testing.T) {
	t.Parallel()
	pool, _ := startPool(t, "schedule-tasks")
	err := pool.RunJob(t.Context(), "nope", []byte("null"), time.Minute, nil)
	require.ErrorIs(t, err, ErrUnknownJob)
	assert.EqualError(t, err, `plugin "schedule-tasks": job "nope": the plugin exports no such job (its jobs: chain, fail, greet, later, noPayload)`)
	err = pool.RunJob(t.Context(), "toString", []byte("null"), time.Minute, nil)
	assert.ErrorIs(t, err, ErrUnknownJob, "inherited properties are not jobs")

	err = pool.RunJob(t.Context(), "fail", []byte("null"), time.Minute, nil)
	var pe *PluginError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "jobs.fail", pe.Function)
	assert.Equal(t, "Error: job failed on purpose", pe.Message)

	err = pool.RunJob(t.Context(), "greet", []byte("{"), time.Minute, nil)
	assert.ErrorContains(t, err, "payload is not JSON")
}

func TestJobsEnqueueJobs(t *testing.T) {
	t.Parallel()
	queue := &recordingQueue{}
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	pool, _ := startPool(t, "schedule-tasks", func(o *Options) {
		o.Jobs = queue
		o.Now = func() time.Time { return now }
	})
	require.NoError(t, pool.RunJob(t.Context(), "chain", []byte(`{"next":"Grace"}`), time.Minute, nil))
	require.NoError(t, pool.RunJob(t.Context(), "later", []byte(`{"seconds":90}`), time.Minute, nil))
	jobs := queue.list()
	require.Len(t, jobs, 2)
	assert.Equal(t, Job{PluginConfigID: 7, Name: "greet", Payload: []byte(`{"name":"Grace"}`), RunAt: now}, jobs[0])
	assert.Equal(t, Job{PluginConfigID: 7, Name: "greet", Payload: []byte(`{"name":"later"}`), RunAt: now.Add(90 * time.Second)}, jobs[1])
}

func TestRunTaskTimeoutRebuildsTheVM(t *testing.T) {
	t.Parallel()
	pool, log := startPool(t, "schedule-timeout")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // a hang guard
	defer cancel()
	err := pool.RunTask(ctx, "runEveryMinute", 200*time.Millisecond, nil)
	var pe *PluginError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Timeout, "the endless loop was interrupted at the task's timeout")
	assert.Equal(t, "runEveryMinute", pe.Function)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "not at the caller's deadline")

	events, err := runCaptures(t, func(c func([]byte)) error {
		return pool.RunTask(t.Context(), "runEveryMinute", time.Minute, c)
	})
	require.NoError(t, err, "a fresh VM runs the next tick")
	require.Len(t, events, 1)
	assert.Equal(t, "recovered", events[0]["event"])
	assert.Contains(t, log.String(), "VM discarded and being rebuilt")
}

func TestRunTaskHonoursTheCallersContext(t *testing.T) {
	t.Parallel()
	pool, _ := startPool(t, "schedule-tasks", func(o *Options) { o.Config = map[string]any{"sleepMs": "300"} })
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := pool.RunTask(ctx, "runEveryMinute", time.Minute, nil)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}
