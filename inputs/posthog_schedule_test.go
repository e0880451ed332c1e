package inputs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	_ "github.com/hogpipe/hogpipe/outputs"
	"github.com/hogpipe/hogpipe/pluginhost"
	_ "github.com/hogpipe/hogpipe/processors"
	"github.com/hogpipe/hogpipe/schedule"
	"github.com/hogpipe/hogpipe/state"
	"github.com/hogpipe/hogpipe/state/redistest"
)

// The state registry and the job wake-ups are process-wide, so these tests
// do not run in parallel.

func psInNew(t *testing.T, yaml string) (*psInput, error) {
	t.Helper()
	conf, err := psInputSpec().ParseYAML(yaml, nil)
	require.NoError(t, err)
	return newPSInputFromParsed(conf, service.MockResources())
}

// psInStart builds and connects an input, closed when the test ends.
func psInStart(t *testing.T, yaml string) *psInput {
	t.Helper()
	in, err := psInNew(t, yaml)
	require.NoError(t, err)
	require.NoError(t, in.Connect(t.Context()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, in.Close(ctx))
	})
	return in
}

// psInMsg is a delivered message, decoded.
type psInMsg struct {
	event map[string]any
	meta  map[string]string
}

func (m psInMsg) props() map[string]any {
	p, _ := m.event["properties"].(map[string]any)
	return p
}

// psInCollect reads (and acks) messages from the inputs for d.
func psInCollect(t *testing.T, d time.Duration, inputs ...*psInput) []psInMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	var mu sync.Mutex
	var out []psInMsg
	var wg sync.WaitGroup
	for _, in := range inputs {
		wg.Go(func() {
			for {
				batch, ack, err := in.ReadBatch(ctx)
				if err != nil {
					return
				}
				for _, msg := range batch {
					m := psInDecode(t, msg)
					mu.Lock()
					out = append(out, m)
					mu.Unlock()
				}
				assert.NoError(t, ack(ctx, nil))
			}
		})
	}
	wg.Wait()
	return out
}

// psInWait reads (and acks) messages until there are n, failing after 15s.
func psInWait(t *testing.T, in *psInput, n int) []psInMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	var out []psInMsg
	for len(out) < n {
		batch, ack, err := in.ReadBatch(ctx)
		require.NoError(t, err, "waiting for message %d of %d", len(out)+1, n)
		for _, msg := range batch {
			out = append(out, psInDecode(t, msg))
		}
		require.NoError(t, ack(ctx, nil))
	}
	return out
}

func psInDecode(t *testing.T, msg *service.Message) psInMsg {
	t.Helper()
	b, err := msg.AsBytes()
	require.NoError(t, err)
	m := psInMsg{meta: map[string]string{}}
	require.NoError(t, json.Unmarshal(b, &m.event), string(b))
	_ = msg.MetaWalkMut(func(k string, v any) error {
		m.meta[k] = fmt.Sprint(v)
		return nil
	})
	return m
}

// psInEnqueue stores a job as meta.jobs or `hogpipe plugin job` would.
func psInEnqueue(t *testing.T, opts state.Options, configID int64, name, payload string) {
	t.Helper()
	b, err := state.Acquire(opts)
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Release()) }()
	q := schedule.NewQueue(b.Jobs(), b.Cache(), nil)
	require.NoError(t, q.EnqueueJob(t.Context(), pluginhost.Job{PluginConfigID: configID, Name: name, Payload: []byte(payload), RunAt: time.Now()}))
}

//------------------------------------------------------------------------------

func TestPSInputConfigErrors(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	for yaml, msg := range map[string]string{
		"path: ../testdata/plugins/schedule-tasks\nintervals: {runEverySecond: 1s}":                            `intervals: "runEverySecond" is not a scheduled task (runEveryMinute, runEveryHour, runEveryDay)`,
		"path: ../testdata/plugins/schedule-tasks\nintervals: {runEveryDay: 1h}":                               `intervals.runEveryDay: plugin "schedule-tasks" does not export runEveryDay (its scheduled tasks: runEveryMinute, runEveryHour)`,
		"path: ../testdata/plugins/schedule-tasks\nintervals: {runEveryMinute: 1x}":                            `intervals.runEveryMinute: interval "1x" is neither a duration`,
		"path: ../testdata/plugins/schedule-tasks\nintervals: {runEveryMinute: 10ms}":                          `at least 1s`,
		"path: ../testdata/plugins/schedule-tasks\ntask_timeout: 0s":                                           "task_timeout must be positive",
		"path: ../testdata/plugins/hello-world":                                                                `plugin "helloworldplugin" exports no scheduled task (runEveryMinute, runEveryHour, runEveryDay) and no jobs`,
		"path: ../testdata/plugins/schedule-tasks\njob_max_retries: -1":                                        "job_max_retries must be between 0 and 1000, not -1",
		"path: ../testdata/plugins/schedule-tasks\njob_max_retries: 1001":                                      "job_max_retries must be between 0 and 1000, not 1001",
		"path: ../testdata/plugins/schedule-tasks\njob_retry_initial_interval: 0s":                             "job_retry_initial_interval and job_retry_max_interval must be positive",
		"path: ../testdata/plugins/schedule-tasks\njob_retry_initial_interval: 1m\njob_retry_max_interval: 1s": "job_retry_max_interval (1s) must not be shorter than job_retry_initial_interval (1m0s)",
	} {
		_, err := psInNew(t, yaml)
		require.Error(t, err, yaml)
		assert.Contains(t, err.Error(), msg, yaml)
	}
}

func TestPSInputSetupRunsInConnect(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	in, err := psInNew(t, "path: ../testdata/plugins/schedule-tasks\nplugin_id: 501\nvms: 1")
	require.NoError(t, err)
	b, err := state.Acquire(state.Options{})
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Release()) }()
	setups := func() string {
		v, _, err := b.Cache().Get(t.Context(), "@plugin/501/@all/setups")
		require.NoError(t, err)
		return v
	}
	assert.Empty(t, setups(), "the constructor does not run setupPlugin")
	require.NoError(t, in.Connect(t.Context()))
	assert.Equal(t, "1", setups())
	require.NoError(t, in.Connect(t.Context()), "Connect again is a no-op")
	assert.Equal(t, "1", setups())
	require.NoError(t, in.Close(t.Context()))
	require.NoError(t, in.Close(t.Context()), "Close is idempotent")
	_, _, err = in.ReadBatch(t.Context())
	assert.ErrorIs(t, err, service.ErrEndOfInput)
}

func TestPSInputRunsTasksEverySecond(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	in := psInStart(t, `
path: ../testdata/plugins/schedule-tasks
plugin_config_id: 31
team_id: 2
vms: 1
intervals:
  runEveryMinute: 1s
  runEveryHour: "* * * * * *"
`)
	msgs := psInWait(t, in, 6)
	byTask := map[string][]psInMsg{}
	for _, m := range msgs {
		assert.Equal(t, "schedule-tasks", m.meta["posthog_plugin"])
		assert.Equal(t, "31", m.meta["posthog_plugin_config_id"])
		assert.NotContains(t, m.meta, "posthog_job")
		assert.InDelta(t, 2, m.event["team_id"], 0)
		byTask[m.meta["posthog_task"]] = append(byTask[m.meta["posthog_task"]], m)
	}
	require.NotEmpty(t, byTask["runEveryMinute"])
	require.NotEmpty(t, byTask["runEveryHour"])
	for task, list := range byTask {
		seen := map[string]bool{}
		for _, m := range list {
			tick, err := time.Parse(time.RFC3339, m.meta["posthog_tick"])
			require.NoError(t, err)
			assert.Zero(t, tick.Nanosecond(), "ticks fall on whole seconds")
			assert.False(t, seen[m.meta["posthog_tick"]], "%s ran tick %s twice", task, tick)
			seen[m.meta["posthog_tick"]] = true
		}
	}
	assert.Equal(t, "minute tick", byTask["runEveryMinute"][0].event["event"])
	assert.Equal(t, "hour tick", byTask["runEveryHour"][0].event["event"])
}

func TestPSInputRedeliversNackedBatches(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	in := psInStart(t, "path: ../testdata/plugins/schedule-tasks\nvms: 1\nintervals: {runEveryMinute: 1s}")
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	batch, ack, err := in.ReadBatch(ctx)
	require.NoError(t, err)
	first := psInDecode(t, batch[0])
	require.NoError(t, ack(ctx, errors.New("downstream failed")))

	var again psInMsg
	for again.event == nil {
		batch, ack, err = in.ReadBatch(ctx)
		require.NoError(t, err)
		for _, msg := range batch {
			m := psInDecode(t, msg)
			if m.event["uuid"] == first.event["uuid"] {
				again = m
			}
		}
		require.NoError(t, ack(ctx, nil))
	}
	assert.Equal(t, first, again, "the same event with the same metadata")
}

func TestPSInputTaskTimeout(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	in := psInStart(t, `
path: ../testdata/plugins/schedule-timeout
vms: 1
task_timeout: 300ms
intervals:
  runEveryMinute: 1s
`)
	msgs := psInWait(t, in, 1)
	assert.Equal(t, "recovered", msgs[0].event["event"], "the endless first run was interrupted; a rebuilt VM ran the next tick")
	assert.InDelta(t, 2, msgs[0].props()["runs"], 0)
}

func TestPSInputDebouncesASlowTask(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	in := psInStart(t, `
path: ../testdata/plugins/schedule-tasks
vms: 1
config:
  sleepMs: "2500"
intervals:
  runEveryMinute: 1s
`)
	msgs := psInCollect(t, 5500*time.Millisecond, in)
	require.NotEmpty(t, msgs)
	var ticks []time.Time
	for _, m := range msgs {
		tick, err := time.Parse(time.RFC3339, m.meta["posthog_tick"])
		require.NoError(t, err)
		ticks = append(ticks, tick)
	}
	sort.Slice(ticks, func(i, j int) bool { return ticks[i].Before(ticks[j]) })
	for i := 1; i < len(ticks); i++ {
		assert.GreaterOrEqual(t, ticks[i].Sub(ticks[i-1]), 3*time.Second,
			"the ticks that fell due during a 2.5s run were skipped, not queued")
	}
	assert.LessOrEqual(t, len(ticks), 2)
}

func TestPSInputJobs(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	in := psInStart(t, "path: ../testdata/plugins/schedule-tasks\nplugin_config_id: 41\nvms: 1\nintervals: {runEveryMinute: '@daily', runEveryHour: '@daily'}")
	psInEnqueue(t, state.Options{}, 41, "chain", `{"next":"Grace"}`)
	psInEnqueue(t, state.Options{}, 41, "noPayload", `null`)
	psInEnqueue(t, state.Options{}, 41, "unknown", `null`)
	psInEnqueue(t, state.Options{}, 42, "greet", `{"name":"another instance"}`)
	msgs := psInWait(t, in, 2)
	names := map[string]psInMsg{}
	for _, m := range msgs {
		assert.NotContains(t, m.meta, "posthog_task")
		names[m.meta["posthog_job"]] = m
	}
	require.Contains(t, names, "greet", "chain enqueued greet, which captured")
	assert.Equal(t, "Grace", names["greet"].props()["name"])
	require.Contains(t, names, "noPayload")
	assert.InDelta(t, 1, names["noPayload"].props()["args"], 0, "job(meta)")
	assert.Empty(t, psInCollect(t, 300*time.Millisecond, in), "instance 42's job is not this input's")
}

func TestPSInputRunsJobsOfAProcessorInTheSameProcess(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	in := psInStart(t, "path: ../testdata/plugins/schedule-jobs\nvms: 1")

	builder := service.NewStreamBuilder()
	require.NoError(t, builder.SetYAML(`
input:
  generate:
    count: 3
    interval: ""
    mapping: 'root = {"event": "e" + counter().string(), "distinct_id": "d", "properties": {}}'
pipeline:
  processors:
    - posthog_plugin:
        path: ../testdata/plugins/schedule-jobs
        vms: 1
output:
  drop: {}
logger:
  level: none
`))
	stream, err := builder.Build()
	require.NoError(t, err)
	require.NoError(t, stream.Run(t.Context()))

	msgs := psInWait(t, in, 3)
	var originals []string
	for _, m := range msgs {
		assert.Equal(t, "echo", m.meta["posthog_job"])
		assert.Equal(t, "echoed", m.event["event"])
		originals = append(originals, fmt.Sprint(m.props()["original"]))
	}
	sort.Strings(originals)
	assert.Equal(t, []string{"e1", "e2", "e3"}, originals)
}

func TestPSInputCatchesUpAfterARestartWithStateDir(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	dir := t.TempDir()
	conf := "path: ../testdata/plugins/schedule-tasks\nvms: 1\nstate_dir: " + dir + "\nintervals: {runEveryMinute: '* * * * * *', runEveryHour: '@daily'}"
	in, err := psInNew(t, conf)
	require.NoError(t, err)
	require.NoError(t, in.Connect(t.Context()))
	psInWait(t, in, 1)
	require.NoError(t, in.Close(t.Context()))

	time.Sleep(2100 * time.Millisecond) // ticks fall due while nothing runs
	restarted := time.Now()
	in = psInStart(t, conf)
	msgs := psInWait(t, in, 1)
	tick, err := time.Parse(time.RFC3339, msgs[0].meta["posthog_tick"])
	require.NoError(t, err)
	assert.True(t, tick.Before(restarted), "the first run is the catch-up of a tick missed while down (tick %s, restart %s)", tick, restarted)
}

// Done means: a runEveryMinute plugin with a 1-second interval in two
// schedulers sharing Redis emits one event per second in total, and its jobs
// run once each.
func TestPSInputTwoSchedulersSharingRedis(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	srv := redistest.Start(t)
	conf := "path: ../testdata/plugins/schedule-tasks\nplugin_config_id: 51\nvms: 1\nredis_url: " + srv.URL() +
		"\nintervals: {runEveryMinute: 1s, runEveryHour: '@daily'}"
	a, b := psInStart(t, conf), psInStart(t, conf)

	const jobs = 20
	for i := range jobs {
		psInEnqueue(t, state.Options{RedisURL: srv.URL()}, 51, "greet", fmt.Sprintf(`{"name":"job %d"}`, i))
	}
	msgs := psInCollect(t, 4500*time.Millisecond, a, b)

	ticks := map[string]int{}
	greeted := map[string]int{}
	for _, m := range msgs {
		switch {
		case m.meta["posthog_task"] == "runEveryMinute":
			ticks[m.meta["posthog_tick"]]++
		case m.meta["posthog_job"] == "greet":
			greeted[fmt.Sprint(m.props()["name"])]++
		default:
			t.Errorf("unexpected message %v", m)
		}
	}
	var ran []string
	for tick, n := range ticks {
		assert.Equal(t, 1, n, "tick %s ran %d times", tick, n)
		ran = append(ran, tick)
	}
	// One event per second in total: every second from the first tick to the
	// last ran, once (one may be lost to a stall, as the scheduler skips
	// ticks missed meanwhile).
	require.GreaterOrEqual(t, len(ran), 2, "the task ran on several ticks")
	sort.Strings(ran) // RFC 3339 in one zone sorts by time
	first, err := time.Parse(time.RFC3339, ran[0])
	require.NoError(t, err)
	last, err := time.Parse(time.RFC3339, ran[len(ran)-1])
	require.NoError(t, err)
	due := int(last.Sub(first)/time.Second) + 1
	assert.GreaterOrEqual(t, len(ticks), due-1, "one event per second in total: %d ticks from %s to %s", len(ticks), first, last)
	assert.Len(t, greeted, jobs)
	for name, n := range greeted {
		assert.Equal(t, 1, n, "%s ran %d times", name, n)
	}
	t.Logf("%d ticks from %s to %s, %d jobs", len(ticks), first.Format(time.TimeOnly), last.Format(time.TimeOnly), len(greeted))
}

// psInLog keeps the lines an input logs.
type psInLog struct {
	mu   sync.Mutex
	text []byte
}

func (l *psInLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.text = append(l.text, p...)
	return len(p), nil
}

func (l *psInLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.text)
}

// A job whose JavaScript throws runs 1 + job_max_retries times, each
// failure logged with its attempt, then is dropped with an error.
func TestPSInputRetriesAFailingJob(t *testing.T) {
	testutil.NoLeaks(t, testutil.IgnoreRedisWaiter)
	logs := &psInLog{}
	logger := service.NewLoggerFromSlog(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	conf, err := psInputSpec().ParseYAML("path: ../testdata/plugins/schedule-tasks\nplugin_config_id: 44\nvms: 1\n"+
		"intervals: {runEveryMinute: '@daily', runEveryHour: '@daily'}\n"+
		"job_max_retries: 2\njob_retry_initial_interval: 10ms\njob_retry_max_interval: 20ms", nil)
	require.NoError(t, err)
	in, err := newPSInputFromParsed(conf, service.MockResources(service.MockResourcesOptUseLogger(logger)))
	require.NoError(t, err)
	require.NoError(t, in.Connect(t.Context()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, in.Close(ctx))
	})
	psInEnqueue(t, state.Options{}, 44, "fail", `{"n":1}`)
	require.Eventually(t, func() bool {
		return strings.Contains(logs.String(), `job \"fail\" dropped: it failed 3 times, so its 2 retries are used up; last error: `)
	}, 20*time.Second, 10*time.Millisecond, "%s", logs)
	text := logs.String()
	assert.Contains(t, text, `level=WARN msg="job \"fail\" failed (attempt 1 of 3), running it again in 10ms: `)
	assert.Contains(t, text, "job failed on purpose")
	assert.Contains(t, text, `job \"fail\" failed (attempt 2 of 3), running it again in 20ms`)
	assert.Contains(t, text, "plugin=schedule-tasks", "the plugin is named")
	assert.Equal(t, 1, strings.Count(text, "dropped"))
}
