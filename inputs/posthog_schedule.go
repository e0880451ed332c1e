package inputs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/hogpipe/hogpipe/internal/pluginconf"
	"github.com/hogpipe/hogpipe/pluginhost"
	"github.com/hogpipe/hogpipe/schedule"
)

const (
	psInFieldTaskTimeout = "task_timeout"
	psInFieldIntervals   = "intervals"

	psInFieldJobMaxRetries   = "job_max_retries"
	psInFieldJobRetryInitial = "job_retry_initial_interval"
	psInFieldJobRetryMax     = "job_retry_max_interval"
)

// psInMaxJobRetries bounds job_max_retries: past it a config is more likely
// a typo than a plan (with the default waits, 1,000 retries span 3 days).
const psInMaxJobRetries = 1000

// Metadata keys of the messages.
const (
	psInMetaPlugin   = "posthog_plugin"
	psInMetaConfigID = "posthog_plugin_config_id"
	psInMetaTask     = "posthog_task"
	psInMetaTick     = "posthog_tick"
	psInMetaJob      = "posthog_job"
)

// psInMaxBatch caps the messages of one batch.
const psInMaxBatch = 100

func psInputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Integration", "Utility").
		Summary("Runs a PostHog plugin instance's scheduled tasks (`runEveryMinute`, `runEveryHour`, `runEveryDay`) and its jobs (`meta.jobs`); every event they capture with `posthog.capture` becomes a message.").
		Description(`
This input is the background worker of one plugin instance (a plugin and its `+"`plugin_config_id`"+`). It starts the plugin when it connects (`+"`setupPlugin`"+` runs then, with the same retries as elsewhere), runs the tasks the plugin exports on their schedules and takes the instance's jobs from its queue. A tick or job that captures nothing emits nothing.

### Messages

Each event captured with `+"`posthog.capture`"+` is one message: the event as JSON, shaped like a `+"`PluginEvent`"+` (`+"`distinct_id`"+` defaults to the plugin's name, `+"`team_id`"+` to `+"`team_id`"+`). Metadata:

| key | value |
|---|---|
| `+"`posthog_plugin`"+` | the plugin's name |
| `+"`posthog_plugin_config_id`"+` | the plugin instance |
| `+"`posthog_task`, `posthog_tick`"+` | for a task's events: the task and its scheduled time (RFC 3339, UTC) |
| `+"`posthog_job`"+` | for a job's events: the job's name |

A batch that is nacked downstream is delivered again (after 100 ms, doubling up to 10 s), never dropped. Messages not yet delivered when the input closes are lost.

### Schedules

`+"`runEveryMinute`"+` runs at `+"`* * * * *`, `runEveryHour` at `0 * * * *` and `runEveryDay` at `0 0 * * *`"+`, in UTC, as in the original plugin server; `+"`intervals`"+` changes them. Only the tasks the plugin exports run; an instance with jobs and no tasks is fine.

A tick is identified by (plugin instance, task, scheduled time): the cron fire time, or for a duration `+"`d`"+`, the multiples of `+"`d`"+` since the Unix epoch. Every process computes the same ticks whenever it started, so:

- **Once per cluster.** With `+"`redis_url`"+`, each tick is claimed (Redis `+"`SET NX`"+` with an expiry) by exactly one of the processes running an input for the instance; without Redis, by one input per process.
- **Debounced.** While a run of a task is still going (a lease, renewed while it runs, in Redis or in the process), later ticks of that task are skipped, not queued, and counted in `+"`posthog_schedule_task_skipped`"+`.
- **No missed runs.** The last completed tick of each task is kept in the state backend (Redis, or the `+"`state_dir`"+` file). At start-up, a tick that fell due while no process ran the instance runs once: one catch-up per task, never a burst. A run interrupted by shutdown is caught up the same way. Without durable state (no `+"`redis_url`, no `state_dir`"+`) there is no catch-up: a tick that falls due while hogpipe is down is missed.

`+"`task_timeout`"+` bounds each run (and each job); a run that exceeds it is interrupted and its VM rebuilt with a fresh `+"`meta.global`"+` and a new `+"`setupPlugin`"+`. Errors of a task are logged and count as a run.

### Jobs

`+"`meta.jobs.<name>(payload).runNow()`, `.runIn(n, unit)` and `.runAt(date)`"+` (from any component of the instance: this input, a `+"`posthog_plugin`"+` processor or output) store the job in the instance's durable queue: a Redis sorted set with `+"`redis_url`"+`, else the process's state (the `+"`state_dir`"+` file, or memory, which only components of the same process share). Only `+"`posthog_schedule`"+` inputs of that `+"`plugin_config_id`"+` run jobs; each due job is leased atomically by one of them and run as the original server did: `+"`job(payload, meta)`"+` when the payload is truthy, else `+"`job(meta)`"+`. A job may enqueue further jobs. Errors, and names the plugin's `+"`jobs`"+` export lacks, are logged; by default a job that ran, even with an error, is not run again, as in the original server.

**Retries (opt-in).** With `+"`job_max_retries: N`"+`, a job whose run fails (it throws, rejects or times out) goes back in the queue with the same name and payload and runs again after `+"`job_retry_initial_interval`"+` (doubling with each failure, at most `+"`job_retry_max_interval`"+`), up to N more times; its failures are counted in the stored job, so the bound holds across restarts and across processes sharing Redis. Each failure is logged at WARN (once per cause; repeats at DEBUG with a periodic summary) with the job, its attempt and the error, and counted in `+"`posthog_schedule_job_retried`"+`; a job whose retries are used up is dropped with an ERROR saying so. Plugins see nothing new: the retry is the host's. A job that failed after doing part of its work does that part again when retried, so make such jobs idempotent, or accept duplicates.

**At-least-once.** A job leaves the queue only after it ran: while it runs, it stays stored under a 30-second lease that its worker renews every 10 seconds. When the worker stops mid-run (a crash, a kill), the lease ends within 30 seconds and another input (or this one, restarted) runs the job, logging that it is delivered again; a run interrupted by shutdown hands the job back at once. So a job may run twice, never zero times: make jobs idempotent when that matters. A job whose workers stopped mid-run 5 times is dropped with an error. Without `+"`redis_url`"+` or `+"`state_dir`"+`, the queue lives in memory and a crash of the process loses it. Jobs enqueued in another process are picked up within a second. When a component enqueues a job and no `+"`posthog_schedule`"+` input of the instance has been seen (the inputs refresh a heartbeat), hogpipe warns once.

To enqueue a job by hand (a `+"`publicJobs`"+` entry, say): `+"`hogpipe plugin job PATH NAME --payload '{...}' --redis-url URL`"+`.

### Metrics

`+"`posthog_schedule_task_runs`, `posthog_schedule_task_failed`, `posthog_schedule_task_skipped` (debounced ticks) and `posthog_schedule_task_duration_ns`"+` by plugin and task; `+"`posthog_schedule_job_runs`, `posthog_schedule_job_failed` and `posthog_schedule_job_retried`"+` by plugin and job; `+"`posthog_schedule_captured` and `posthog_schedule_redelivered`"+` by plugin.`).
		Fields(pluginconf.Fields()...).
		Fields(
			service.NewDurationField(psInFieldTaskTimeout).
				Description("Time limit of each run of a scheduled task and of each job, from its start until its promise settles. Long syncs must fit in it; a run that exceeds it is interrupted.").
				Default("15m").
				Examples("1m", "1h").
				LintRule(pluginconf.PositiveDurationLint(psInFieldTaskTimeout)),
			service.NewStringMapField(psInFieldIntervals).
				Description("When each task runs, replacing its default schedule: a duration of at least `1s` (`10s`, `5m`, `@every 1h`) or a cron expression with optional seconds (`*/30 * * * * *`, `0 */6 * * *`, `@daily`), the syntax of the `generate` input's `interval`, in UTC unless prefixed with `TZ=<location>`. The defaults are `runEveryMinute: \"* * * * *\"`, `runEveryHour: \"0 * * * *\"` and `runEveryDay: \"0 0 * * *\"`. A key for a task the plugin does not export is an error.").
				Default(map[string]any{}).
				Example(map[string]any{"runEveryMinute": "10s"}).
				Example(map[string]any{"runEveryHour": "TZ=Europe/London 0 9-17 * * MON-FRI"}),
			service.NewIntField(psInFieldJobMaxRetries).
				Description("How many times a job whose run failed (it threw, its promise rejected, or it ran past `task_timeout`) runs again before it is dropped. `0` is the original server's single attempt. A retried job goes back in the instance's durable queue with the same name and payload, its failures counted in the stored job (so the count holds across restarts and processes); each failure is logged at WARN once per cause and counted in `posthog_schedule_job_retried`, and a job whose retries are used up is dropped with an ERROR. With retries, a job that failed after part of its work (rows inserted before the error) does that part again: a job may run more than once.").
				Default(0).
				Example(10).
				LintRule(`root = if this < 0 { ["`+psInFieldJobMaxRetries+` must be 0 or more"] } else if this > `+strconv.Itoa(psInMaxJobRetries)+` { ["`+psInFieldJobMaxRetries+` must be at most `+strconv.Itoa(psInMaxJobRetries)+`"] }`),
			service.NewDurationField(psInFieldJobRetryInitial).
				Description("How long after a failed run a job runs again; each further retry of that job waits twice as long, at most `"+psInFieldJobRetryMax+"`. Only used with `"+psInFieldJobMaxRetries+"`.").
				Default("5s").
				Example("1s").
				Advanced().
				LintRule(pluginconf.PositiveDurationLint(psInFieldJobRetryInitial)),
			service.NewDurationField(psInFieldJobRetryMax).
				Description("The longest wait between two runs of a failing job. With the defaults the waits are 5 s, 10 s, 20 s, … up to 5 minutes, so `job_max_retries: 12` rides out about 35 minutes of an unreachable database.").
				Default("5m").
				Example("1h").
				Advanced().
				LintRule(pluginconf.PositiveDurationLint(psInFieldJobRetryMax)),
		).
		Example("A sync every minute, once per cluster", "Every hogpipe process runs this config; with the shared Redis each tick of `runEveryMinute` runs in one of them, and the events it captures go to PostHog.", `
input:
  posthog_schedule:
    path: ./plugins/github-star-sync
    plugin_config_id: 12
    config:
      githubToken: ${GITHUB_TOKEN}
    redis_url: redis://redis:6379/0
output:
  posthog:
    url: https://us.i.posthog.com
    api_key: ${POSTHOG_API_KEY}
`).
		Example("Jobs of a processor, in one process", "The processor's `processEvent` enqueues jobs with `meta.jobs`; the schedule input of the same instance runs them, every 10 seconds runs `runEveryMinute`, keeps its queue and last runs in `state_dir` across restarts, and runs a failed job up to 5 more times (after 5 s, 10 s, 20 s, …).", `
input:
  broker:
    inputs:
      - stdin: {}
        processors:
          - posthog_plugin:
              path: ./plugins/enrich
              state_dir: ./hogpipe-state
      - posthog_schedule:
          path: ./plugins/enrich
          state_dir: ./hogpipe-state
          intervals:
            runEveryMinute: 10s
          job_max_retries: 5
output:
  stdout:
    codec: lines
`)
}

func init() {
	service.MustRegisterBatchInput("posthog_schedule", psInputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchInput, error) {
			return newPSInputFromParsed(conf, mgr)
		})
}

//------------------------------------------------------------------------------

// psInItem is one captured event waiting to be delivered.
type psInItem struct {
	body  []byte
	task  string
	tick  time.Time
	job   string
	tries int
}

type psInput struct {
	instance  *pluginconf.Instance
	name      string
	configID  string
	tasks     map[string]schedule.Interval
	timeout   time.Duration
	jobRetry  schedule.JobRetry
	log       *service.Logger
	metrics   *psInMetrics
	connectMu sync.Mutex

	mu       sync.Mutex
	pool     *pluginhost.Pool
	sched    *schedule.Scheduler
	pending  []psInItem
	wake     chan struct{}
	closed   bool
	shutdown chan struct{} // closed by Close: ReadBatch returns
}

func newPSInputFromParsed(conf *service.ParsedConfig, mgr *service.Resources) (*psInput, error) {
	timeout, err := conf.FieldDuration(psInFieldTaskTimeout)
	if err != nil {
		return nil, err
	}
	if timeout <= 0 {
		return nil, fmt.Errorf("%s must be positive", psInFieldTaskTimeout)
	}
	jobRetry, err := psInJobRetryFromParsed(conf)
	if err != nil {
		return nil, err
	}
	overrides, err := conf.FieldStringMap(psInFieldIntervals)
	if err != nil {
		return nil, err
	}
	intervals := map[string]schedule.Interval{}
	for task, text := range schedule.DefaultIntervals {
		intervals[task] = schedule.MustParseInterval(text)
	}
	for task, text := range overrides {
		if _, ok := schedule.DefaultIntervals[task]; !ok {
			return nil, fmt.Errorf("%s: %q is not a scheduled task (%s)", psInFieldIntervals, task, strings.Join(schedule.TaskNames(), ", "))
		}
		iv, err := schedule.ParseInterval(text)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", psInFieldIntervals, task, err)
		}
		intervals[task] = iv
	}

	instance, err := pluginconf.Load(conf, mgr, false)
	if err != nil {
		return nil, err
	}
	name := instance.Plugin.Name()
	// The plugin's code runs here (not setupPlugin), to check the config
	// against what it exports before the stream starts.
	exports, err := instance.Plugin.InspectExports()
	if err != nil {
		_ = instance.Close()
		return nil, err
	}
	for task := range overrides {
		if !slices.Contains(exports.Tasks, task) {
			_ = instance.Close()
			return nil, fmt.Errorf("%s.%s: plugin %q does not export %s (its scheduled tasks: %s)",
				psInFieldIntervals, task, name, task, psInList(exports.Tasks))
		}
	}
	if len(exports.Tasks) == 0 && len(exports.Jobs) == 0 {
		_ = instance.Close()
		return nil, fmt.Errorf("plugin %q exports no scheduled task (%s) and no jobs: a posthog_schedule input has nothing to run",
			name, strings.Join(schedule.TaskNames(), ", "))
	}
	tasks := map[string]schedule.Interval{}
	for _, task := range exports.Tasks {
		tasks[task] = intervals[task]
	}

	log := mgr.Logger().With("plugin", name)
	if len(tasks) > 0 && !instance.Backend().Durable() {
		log.Debugf("no redis_url or state_dir: a tick that falls due while hogpipe is down is not caught up")
	}
	return &psInput{
		instance: instance,
		name:     name,
		configID: strconv.FormatInt(instance.Plugin.PluginConfigID(), 10),
		tasks:    tasks,
		timeout:  timeout,
		jobRetry: jobRetry,
		log:      log,
		metrics:  newPSInMetrics(mgr.Metrics(), name),
		wake:     make(chan struct{}, 1),
		shutdown: make(chan struct{}),
	}, nil
}

// psInJobRetryFromParsed reads the job retry fields.
func psInJobRetryFromParsed(conf *service.ParsedConfig) (schedule.JobRetry, error) {
	var r schedule.JobRetry
	var err error
	if r.MaxRetries, err = conf.FieldInt(psInFieldJobMaxRetries); err != nil {
		return r, err
	}
	if r.MaxRetries < 0 || r.MaxRetries > psInMaxJobRetries {
		return r, fmt.Errorf("%s must be between 0 and %d, not %d", psInFieldJobMaxRetries, psInMaxJobRetries, r.MaxRetries)
	}
	if r.Initial, err = conf.FieldDuration(psInFieldJobRetryInitial); err != nil {
		return r, err
	}
	if r.Max, err = conf.FieldDuration(psInFieldJobRetryMax); err != nil {
		return r, err
	}
	if r.Initial <= 0 || r.Max <= 0 {
		return r, fmt.Errorf("%s and %s must be positive", psInFieldJobRetryInitial, psInFieldJobRetryMax)
	}
	if r.Max < r.Initial {
		return r, fmt.Errorf("%s (%s) must not be shorter than %s (%s)", psInFieldJobRetryMax, r.Max, psInFieldJobRetryInitial, r.Initial)
	}
	return r, nil
}

//------------------------------------------------------------------------------

// Connect starts the plugin's VMs (setupPlugin, with its retries), then the
// scheduler of its tasks and jobs.
func (in *psInput) Connect(ctx context.Context) error {
	in.connectMu.Lock()
	defer in.connectMu.Unlock()
	in.mu.Lock()
	connected, closed := in.sched != nil, in.closed
	in.mu.Unlock()
	if connected {
		return nil
	}
	if closed {
		return errors.New("input is closed")
	}
	pool, err := in.instance.StartPool(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return service.NewErrBackOff(fmt.Errorf("start plugin: %w", err), max(in.instance.SetupRetry().Last(), time.Second))
	}
	backend := in.instance.Backend()
	sched, err := schedule.New(schedule.Config{
		PluginConfigID: in.instance.Plugin.PluginConfigID(),
		Tasks:          in.tasks,
		Timeout:        in.timeout,
		JobRetry:       in.jobRetry,
		Stores: schedule.Stores{
			Locks:   backend.Locks(),
			Marks:   backend.Cache(),
			Records: backend.Storage(),
			Jobs:    backend.Jobs(),
			Durable: backend.Durable(),
		},
		Runner:   pool,
		Emit:     in.emit,
		Logger:   in.log,
		Observer: in.metrics,
	})
	if err != nil {
		_ = pool.Close(ctx)
		return err
	}
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		_ = pool.Close(ctx)
		return errors.New("input is closed")
	}
	in.pool, in.sched = pool, sched
	in.mu.Unlock()
	sched.Start()
	tasks := make([]string, 0, len(in.tasks))
	for _, task := range schedule.TaskNames() {
		if iv, ok := in.tasks[task]; ok {
			tasks = append(tasks, fmt.Sprintf("%s (%s)", task, iv))
		}
	}
	in.log.Infof("plugin instance %s: running tasks %s and its jobs", in.configID, psInList(tasks))
	return nil
}

// ReadBatch returns the captured events waiting, up to 100, once there is at
// least one. A nacked batch is delivered again.
func (in *psInput) ReadBatch(ctx context.Context) (service.MessageBatch, service.AckFunc, error) {
	for {
		in.mu.Lock()
		if in.sched == nil && !in.closed {
			in.mu.Unlock()
			return nil, nil, service.ErrNotConnected
		}
		if n := min(len(in.pending), psInMaxBatch); n > 0 {
			items := slices.Clone(in.pending[:n])
			clear(in.pending[:n])
			in.pending = in.pending[n:]
			in.mu.Unlock()
			return in.messages(items), in.ackFunc(items), nil
		}
		if in.closed {
			in.mu.Unlock()
			return nil, nil, service.ErrEndOfInput
		}
		in.mu.Unlock()
		select {
		case <-in.wake:
		case <-in.shutdown:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// Close stops the scheduler (runs in progress may finish until ctx ends),
// then runs teardownPlugin and releases the state.
func (in *psInput) Close(ctx context.Context) error {
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return nil
	}
	in.closed = true
	close(in.shutdown)
	pool, sched := in.pool, in.sched
	in.mu.Unlock()

	var errs []error
	if sched != nil {
		if err := sched.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop scheduler: %w", err))
		}
	}
	if pool != nil {
		errs = append(errs, pool.Close(ctx))
	}
	errs = append(errs, in.instance.Close())
	in.mu.Lock()
	if n := len(in.pending); n > 0 {
		in.log.Warnf("%d captured events not delivered before the input closed were dropped", n)
	}
	in.pending = nil
	in.mu.Unlock()
	return errors.Join(errs...)
}

//------------------------------------------------------------------------------

// emit queues a captured event; it runs on a VM's loop, so it never blocks.
func (in *psInput) emit(ev schedule.Event) {
	in.metrics.captured.Incr(1, in.name)
	in.push(false, psInItem{body: ev.Body, task: ev.Task, tick: ev.Tick, job: ev.Job})
}

// push adds items at the back, or at the front for redeliveries.
func (in *psInput) push(front bool, items ...psInItem) {
	in.mu.Lock()
	if in.closed {
		in.mu.Unlock()
		return
	}
	if front {
		in.pending = slices.Concat(items, in.pending)
	} else {
		in.pending = append(in.pending, items...)
	}
	in.mu.Unlock()
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

func (in *psInput) messages(items []psInItem) service.MessageBatch {
	batch := make(service.MessageBatch, len(items))
	for i, item := range items {
		msg := service.NewMessage(item.body)
		msg.MetaSetMut(psInMetaPlugin, in.name)
		msg.MetaSetMut(psInMetaConfigID, in.configID)
		if item.task != "" {
			msg.MetaSetMut(psInMetaTask, item.task)
			msg.MetaSetMut(psInMetaTick, item.tick.UTC().Format(time.RFC3339))
		}
		if item.job != "" {
			msg.MetaSetMut(psInMetaJob, item.job)
		}
		batch[i] = msg
	}
	return batch
}

// ackFunc redelivers a nacked batch after a back-off: 100 ms, doubling with
// each nack of the same events, at most 10 s.
func (in *psInput) ackFunc(items []psInItem) service.AckFunc {
	return func(_ context.Context, err error) error {
		if err == nil {
			return nil
		}
		tries := 0
		for i := range items {
			items[i].tries++
			tries = max(tries, items[i].tries)
		}
		delay := min(100*time.Millisecond<<min(tries-1, 10), 10*time.Second)
		in.metrics.redelivered.Incr(int64(len(items)), in.name)
		in.log.Debugf("%d events nacked (%v); delivering them again in %s", len(items), err, delay)
		time.AfterFunc(delay, func() { in.push(true, items...) })
		return nil
	}
}

func psInList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

//------------------------------------------------------------------------------

// psInMetrics counts what the scheduler did, by plugin and task or job.
type psInMetrics struct {
	plugin      string
	taskRuns    *service.MetricCounter
	taskFailed  *service.MetricCounter
	taskSkipped *service.MetricCounter
	taskTime    *service.MetricTimer
	jobRuns     *service.MetricCounter
	jobFailed   *service.MetricCounter
	jobRetried  *service.MetricCounter
	captured    *service.MetricCounter
	redelivered *service.MetricCounter
}

func newPSInMetrics(m *service.Metrics, plugin string) *psInMetrics {
	return &psInMetrics{
		plugin:      plugin,
		taskRuns:    m.NewCounter("posthog_schedule_task_runs", "plugin", "task"),
		taskFailed:  m.NewCounter("posthog_schedule_task_failed", "plugin", "task"),
		taskSkipped: m.NewCounter("posthog_schedule_task_skipped", "plugin", "task"),
		taskTime:    m.NewTimer("posthog_schedule_task_duration_ns", "plugin", "task"),
		jobRuns:     m.NewCounter("posthog_schedule_job_runs", "plugin", "job"),
		jobFailed:   m.NewCounter("posthog_schedule_job_failed", "plugin", "job"),
		jobRetried:  m.NewCounter("posthog_schedule_job_retried", "plugin", "job"),
		captured:    m.NewCounter("posthog_schedule_captured", "plugin"),
		redelivered: m.NewCounter("posthog_schedule_redelivered", "plugin"),
	}
}

func (m *psInMetrics) TaskRan(task string, took time.Duration, err error) {
	m.taskRuns.Incr(1, m.plugin, task)
	m.taskTime.Timing(took.Nanoseconds(), m.plugin, task)
	if err != nil {
		m.taskFailed.Incr(1, m.plugin, task)
	}
}

func (m *psInMetrics) TaskSkipped(task string) { m.taskSkipped.Incr(1, m.plugin, task) }

func (m *psInMetrics) JobRan(name string, _ time.Duration, err error) {
	m.jobRuns.Incr(1, m.plugin, name)
	if err != nil {
		m.jobFailed.Incr(1, m.plugin, name)
	}
}

func (m *psInMetrics) JobRetried(name string, _ int, _ error) { m.jobRetried.Incr(1, m.plugin, name) }
