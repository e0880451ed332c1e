package schedule

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gofrs/uuid/v5"

	"github.com/hogpipe/hogpipe/internal/logonce"
	"github.com/hogpipe/hogpipe/state"
)

// Runner runs a plugin instance's functions (pluginhost.Pool satisfies it).
// captures receives the events the call emits with posthog.capture; it must
// not block.
type Runner interface {
	RunTask(ctx context.Context, task string, timeout time.Duration, captures func([]byte)) error
	RunJob(ctx context.Context, name string, payload []byte, timeout time.Duration, captures func([]byte)) error
}

// Event is one event a task or a job captured.
type Event struct {
	Body []byte    // the captured event as JSON
	Task string    // the task that captured it, or ""
	Tick time.Time // the task's tick
	Job  string    // the job that captured it, or ""
}

// Observer is told what the scheduler did, for metrics. Its methods must not
// block.
type Observer interface {
	// TaskRan: a tick ran to its end (err is the plugin's failure, if any).
	TaskRan(task string, took time.Duration, err error)
	// TaskSkipped: a tick fell due while the task was still running.
	TaskSkipped(task string)
	// JobRan: a job ran to its end.
	JobRan(name string, took time.Duration, err error)
	// JobRetried: a job's attempt failed and the job is back in the queue.
	JobRetried(name string, attempt int, err error)
}

// Config configures a Scheduler.
type Config struct {
	// PluginConfigID is the plugin instance: ticks, leases, last runs and
	// the job queue are per instance.
	PluginConfigID int64
	// Tasks maps the tasks to run to their intervals; it may be empty (an
	// instance with jobs only).
	Tasks map[string]Interval
	// Timeout bounds each task run and each job.
	Timeout time.Duration
	// JobConcurrency is how many jobs run at once; default 4.
	JobConcurrency int
	// JobPollInterval is how often the job queue is checked for jobs
	// enqueued by other processes; default 1s. Jobs enqueued in this process
	// wake the scheduler at once.
	JobPollInterval time.Duration
	// JobRetry is how failed jobs run again; zero gives each job one
	// attempt, as the original server did.
	JobRetry JobRetry

	Stores Stores
	Runner Runner
	// Emit receives every captured event; it must not block.
	Emit func(Event)

	Clock    Clock    // default RealClock
	Logger   Logger   // required
	Observer Observer // optional
}

// LeaseTTL is how long a task's lease outlives the process that holds it;
// a running task renews it every third of that.
const LeaseTTL = 30 * time.Second

// storeTimeout bounds each call to the stores.
const storeTimeout = 10 * time.Second

// Scheduler runs the ticks of a plugin instance's tasks and its jobs.
type Scheduler struct {
	conf  Config
	clock Clock
	log   Logger
	owner string
	// failures logs the failed attempts of retried jobs once per cause.
	failures *logonce.Log

	ctx       context.Context // ends with Stop: no new ticks or jobs
	cancel    context.CancelFunc
	runCtx    context.Context // ends when Stop gives up waiting for runs
	runCancel context.CancelFunc
	loops     sync.WaitGroup
	runs      sync.WaitGroup

	mu      sync.Mutex
	running map[string]bool // tasks with a run in progress here
	started bool
	stopped bool
}

// New checks conf and returns a scheduler; Start starts it.
func New(conf Config) (*Scheduler, error) {
	switch {
	case conf.Runner == nil:
		return nil, errors.New("schedule: a runner is required")
	case conf.Logger == nil:
		return nil, errors.New("schedule: a logger is required")
	case conf.Stores.Locks == nil || conf.Stores.Marks == nil || conf.Stores.Records == nil || conf.Stores.Jobs == nil:
		return nil, errors.New("schedule: every store is required")
	case conf.Timeout <= 0:
		return nil, errors.New("schedule: the timeout must be positive")
	case conf.JobRetry.MaxRetries < 0:
		return nil, errors.New("schedule: the job retries must be 0 or more")
	}
	conf.JobRetry = conf.JobRetry.withDefaults()
	for task, iv := range conf.Tasks {
		if iv.IsZero() {
			return nil, fmt.Errorf("schedule: task %s has no interval", task)
		}
	}
	if conf.Clock == nil {
		conf.Clock = RealClock{}
	}
	if conf.JobConcurrency <= 0 {
		conf.JobConcurrency = 4
	}
	if conf.JobPollInterval <= 0 {
		conf.JobPollInterval = time.Second
	}
	if conf.Emit == nil {
		conf.Emit = func(Event) {}
	}
	if conf.Observer == nil {
		conf.Observer = nopObserver{}
	}
	owner, err := uuid.NewV4()
	if err != nil {
		return nil, err
	}
	s := &Scheduler{conf: conf, clock: conf.Clock, log: conf.Logger, owner: owner.String(), running: map[string]bool{},
		failures: logonce.New(conf.Logger, logonce.Options{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.runCtx, s.runCancel = context.WithCancel(context.Background())
	return s, nil
}

// Start writes the instance's heartbeat and starts the tick loops (each
// first catching up a tick missed while no process ran) and the job loop.
// It returns at once; Stop stops them.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return
	}
	s.started = true
	s.beat()
	s.loops.Add(2 + len(s.conf.Tasks))
	go s.heartbeatLoop()
	go s.jobLoop()
	tasks := make([]string, 0, len(s.conf.Tasks))
	for task := range s.conf.Tasks {
		tasks = append(tasks, task)
	}
	sort.Strings(tasks)
	for _, task := range tasks {
		go s.taskLoop(task, s.conf.Tasks[task])
	}
}

// Stop stops taking ticks and jobs, then waits for the runs in progress
// until ctx ends, when they are interrupted. An interrupted task's tick is
// left to the catch-up of the next start; an interrupted job goes back to
// the queue. Stop is idempotent.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.cancel()
	s.loops.Wait()

	done := make(chan struct{})
	go func() {
		s.runs.Wait()
		close(done)
	}()
	defer s.failures.Flush()
	select {
	case <-done:
		s.runCancel()
		return nil
	case <-ctx.Done():
		s.runCancel()
		<-done
		return ctx.Err()
	}
}

//------------------------------------------------------------------------------

// taskLoop fires the ticks of one task until Stop.
func (s *Scheduler) taskLoop(task string, iv Interval) {
	defer s.loops.Done()
	s.catchUp(task, iv)
	next := iv.Next(s.clock.Now())
	for !next.IsZero() {
		if !s.sleepUntil(next) {
			return
		}
		s.fire(task, iv, next, false)
		// After a stall (a slow store, a suspended host) only the latest
		// tick that fell due meanwhile runs: missed ticks never come in a
		// burst.
		fired := next
		next = iv.Next(fired)
		if latest := iv.Prev(s.clock.Now()); latest.After(next) {
			next = latest
		}
	}
	s.log.Warnf("%s: its interval %q never fires again", task, iv)
}

// catchUp runs, once, the latest tick that fell due after the task's last
// recorded tick: a tick missed while no process ran the instance. The first
// start records the latest tick as a baseline instead (nothing is owed from
// before the instance ever ran). It needs durable records.
func (s *Scheduler) catchUp(task string, iv Interval) {
	if !s.conf.Stores.Durable {
		return
	}
	due := iv.Prev(s.clock.Now())
	if due.IsZero() {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, storeTimeout)
	defer cancel()
	key := lastRunKey(s.conf.PluginConfigID, task)
	val, found, err := s.conf.Stores.Records.Get(ctx, key)
	if err != nil {
		s.log.Warnf("%s: cannot read its last run, so a tick missed while hogpipe was down is not caught up: %v", task, err)
		return
	}
	last, parsed := parseMillis(val)
	if !found || !parsed {
		var err error
		if found {
			err = s.conf.Stores.Records.Set(ctx, key, formatMillis(due))
		} else {
			_, err = s.conf.Stores.Records.SetNX(ctx, key, formatMillis(due))
		}
		if err != nil {
			s.log.Warnf("%s: cannot record its last run: %v", task, err)
		}
		return
	}
	if !due.After(last) {
		return
	}
	s.log.Infof("%s: catching up the tick of %s, which fell due while no process ran it (last run: the tick of %s)",
		task, due.Format(time.RFC3339), last.Format(time.RFC3339))
	s.fire(task, iv, due, true)
}

// fire runs a tick unless another process claimed it, or skips it while the
// task still runs (here or elsewhere).
func (s *Scheduler) fire(task string, iv Interval, tick time.Time, catchUp bool) {
	ctx, cancel := context.WithTimeout(s.ctx, storeTimeout)
	defer cancel()
	locks := s.conf.Stores.Locks
	claim := tickKey(s.conf.PluginConfigID, task, tick)
	// The claim outlives the run and the tick's period, so no process,
	// starting late or catching up, can take the tick again.
	ttl := max(2*iv.Period(tick), s.conf.Timeout+LeaseTTL+time.Minute)
	ok, err := locks.Claim(ctx, claim, s.owner, ttl)
	if err != nil {
		if s.ctx.Err() == nil {
			s.log.Warnf("%s: tick of %s not run: cannot claim it: %v", task, tick.Format(time.RFC3339), err)
		}
		return
	}
	if !ok {
		s.log.Debugf("%s: tick of %s claimed by another process", task, tick.Format(time.RFC3339))
		return
	}

	s.mu.Lock()
	if s.running[task] {
		s.mu.Unlock()
		s.skip(task, tick)
		return
	}
	s.running[task] = true
	s.mu.Unlock()

	lease := leaseKey(s.conf.PluginConfigID, task)
	ok, err = locks.Claim(ctx, lease, s.owner, LeaseTTL)
	if err != nil || !ok {
		s.mu.Lock()
		delete(s.running, task)
		s.mu.Unlock()
		if err != nil {
			if s.ctx.Err() == nil {
				s.log.Warnf("%s: tick of %s not run: cannot take the task's lease: %v", task, tick.Format(time.RFC3339), err)
			}
			return
		}
		s.skip(task, tick)
		return
	}
	if !catchUp {
		s.log.Debugf("%s: running the tick of %s", task, tick.Format(time.RFC3339))
	}
	s.runs.Add(1)
	go s.runTask(task, tick, claim, lease)
}

func (s *Scheduler) skip(task string, tick time.Time) {
	s.log.Debugf("%s: tick of %s skipped: the previous run is still going", task, tick.Format(time.RFC3339))
	s.conf.Observer.TaskSkipped(task)
}

func (s *Scheduler) runTask(task string, tick time.Time, claim, lease string) {
	defer s.runs.Done()
	renewDone, renewStopped := make(chan struct{}), make(chan struct{})
	go s.renewLease(lease, renewDone, renewStopped)

	start := time.Now()
	err := s.conf.Runner.RunTask(s.runCtx, task, s.conf.Timeout, func(event []byte) {
		s.conf.Emit(Event{Body: event, Task: task, Tick: tick})
	})
	took := time.Since(start)
	close(renewDone)
	<-renewStopped

	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	locks := s.conf.Stores.Locks
	interrupted := s.runCtx.Err() != nil && errors.Is(err, context.Canceled)
	if interrupted {
		// Interrupted by shutdown: give the tick back, so that the next start
		// catches it up.
		s.log.Warnf("%s: the run of the tick of %s was interrupted by shutdown", task, tick.Format(time.RFC3339))
		_, _ = locks.Release(ctx, claim, s.owner)
	} else {
		if err != nil {
			s.log.Errorf("%s: %v", task, err)
		}
		s.recordLastRun(ctx, task, tick)
	}
	if _, err := locks.Release(ctx, lease, s.owner); err != nil {
		s.log.Warnf("%s: cannot release the task's lease (it expires within %s): %v", task, LeaseTTL, err)
	}
	s.mu.Lock()
	delete(s.running, task)
	s.mu.Unlock()
	if !interrupted {
		s.conf.Observer.TaskRan(task, took, err)
	}
}

// renewLease keeps the task's lease while it runs.
func (s *Scheduler) renewLease(lease string, done <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	for {
		select {
		case <-done:
			return
		case <-s.clock.After(LeaseTTL / 3):
		}
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		ok, err := s.conf.Stores.Locks.Renew(ctx, lease, s.owner, LeaseTTL)
		cancel()
		switch {
		case err != nil:
			s.log.Warnf("cannot renew the lease %s: %v", lease, err)
		case !ok:
			s.log.Warnf("lost the lease %s: another process may start the same task before this run ends", lease)
		}
	}
}

// recordLastRun keeps the latest tick that ran to its end.
func (s *Scheduler) recordLastRun(ctx context.Context, task string, tick time.Time) {
	records := s.conf.Stores.Records
	key := lastRunKey(s.conf.PluginConfigID, task)
	if val, found, err := records.Get(ctx, key); err == nil && found {
		if last, ok := parseMillis(val); ok && !tick.After(last) {
			return
		}
	}
	if err := records.Set(ctx, key, formatMillis(tick)); err != nil {
		s.log.Warnf("%s: cannot record its last run: %v", task, err)
	}
}

//------------------------------------------------------------------------------

// jobLoop takes due jobs from the instance's queue and runs them, up to
// JobConcurrency at once.
func (s *Scheduler) jobLoop() {
	defer s.loops.Done()
	queue := JobQueueName(s.conf.PluginConfigID)
	wake, unsubscribe := subscribeWorker(queue)
	defer unsubscribe()
	n := s.conf.JobConcurrency
	slots := make(chan struct{}, n)
	failing := false
	for {
		select {
		case slots <- struct{}{}:
		case <-s.ctx.Done():
			return
		}
		free := 1
	more:
		for free < n {
			select {
			case slots <- struct{}{}:
				free++
			default:
				break more
			}
		}
		ctx, cancel := context.WithTimeout(s.ctx, storeTimeout)
		now := s.clock.Now()
		items, err := s.conf.Stores.Jobs.LeaseDueJobs(ctx, queue, now, now.Add(LeaseTTL), free)
		for range free - len(items) {
			<-slots
		}
		if err != nil {
			cancel()
			if s.ctx.Err() != nil {
				return
			}
			if !failing {
				s.log.Warnf("cannot take jobs from the queue (retrying every %s): %v", s.conf.JobPollInterval, err)
			}
			failing = true
			if !s.wait(s.conf.JobPollInterval, wake) {
				return
			}
			continue
		}
		failing = false
		for _, item := range items {
			s.runs.Add(1)
			go s.runJob(queue, item, slots)
		}
		if len(items) == free {
			cancel()
			continue
		}
		wait := s.conf.JobPollInterval
		if due, found, err := s.conf.Stores.Jobs.NextJobDue(ctx, queue); err == nil && found {
			wait = min(wait, due.Sub(s.clock.Now()))
		}
		cancel()
		if !s.wait(wait, wake) {
			return
		}
	}
}

// wait waits d (of the scheduler's clock) or for a wake-up; it reports false
// when the scheduler stops.
func (s *Scheduler) wait(d time.Duration, wake <-chan struct{}) bool {
	if d <= 0 {
		return s.ctx.Err() == nil
	}
	select {
	case <-s.clock.After(d):
	case <-wake:
	case <-s.ctx.Done():
		return false
	}
	return true
}

// MaxJobAttempts bounds the leases of one job: a job taken this often without
// its run ending (each worker stopped mid-run, e.g. killed by the job) is
// dropped with an error rather than taken forever.
const MaxJobAttempts = 5

// runJob runs a leased job, renewing its lease meanwhile, then acks it: the
// job leaves the queue only after it ran, or failed with no retry left
// (JobRetry; by default none, as in the original server). A worker that dies stops renewing, so
// the job is due again within LeaseTTL. A run interrupted by shutdown hands
// the job back for the next worker.
func (s *Scheduler) runJob(queue string, leased state.LeasedJob, slots <-chan struct{}) {
	defer s.runs.Done()
	defer func() { <-slots }()
	job, err := decodeJob(leased.Item)
	if err != nil {
		s.log.Errorf("dropped a job: %v: %.200q", err, leased.Item)
		s.ackJob(queue, leased, "malformed job")
		return
	}
	if leased.Attempt > MaxJobAttempts {
		s.log.Errorf("dropped job %q: taken %d times, and each time its worker stopped before the run ended", job.Name, leased.Attempt-1)
		s.ackJob(queue, leased, job.Name)
		return
	}
	if leased.Attempt > 1 {
		s.log.Warnf("job %q is delivered again (attempt %d): the worker that took it before stopped before the run ended", job.Name, leased.Attempt)
	}
	start := time.Now()
	renewDone, renewStopped := make(chan struct{}), make(chan struct{})
	go s.renewJobLease(queue, job.Name, &leased, renewDone, renewStopped)
	err = s.conf.Runner.RunJob(s.runCtx, job.Name, job.Payload, s.conf.Timeout, func(event []byte) {
		s.conf.Emit(Event{Body: event, Job: job.Name})
	})
	close(renewDone)
	<-renewStopped
	if s.runCtx.Err() != nil && errors.Is(err, context.Canceled) {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		if relErr := s.conf.Stores.Jobs.ReleaseJob(ctx, queue, leased.Lease, s.clock.Now()); relErr != nil {
			s.log.Warnf("job %q was interrupted by shutdown; it runs again when its lease ends (%v)", job.Name, relErr)
			return
		}
		s.log.Warnf("job %q was interrupted by shutdown; it is back in the queue", job.Name)
		return
	}
	took := time.Since(start)
	if err != nil {
		s.jobFailed(queue, leased, job, err)
	} else {
		s.failures.Recovered(jobScope(job.Name))
		s.ackJob(queue, leased, job.Name)
	}
	s.conf.Observer.JobRan(job.Name, took, err)
}

// renewJobLease keeps a running job's lease, updating leased as the lease's
// name changes; leased is the caller's again once stopped is closed.
func (s *Scheduler) renewJobLease(queue, name string, leased *state.LeasedJob, done <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	for {
		select {
		case <-done:
			return
		case <-s.clock.After(LeaseTTL / 3):
		}
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		renewed, ok, err := s.conf.Stores.Jobs.RenewJob(ctx, queue, leased.Lease, s.clock.Now().Add(LeaseTTL))
		cancel()
		switch {
		case err != nil:
			s.log.Warnf("job %q: cannot renew its lease: %v", name, err)
		case !ok:
			s.log.Warnf("job %q: lost its lease: another worker may run it again", name)
		default:
			leased.Lease = renewed
		}
	}
}

// ackJob removes a job that ran from the queue.
func (s *Scheduler) ackJob(queue string, leased state.LeasedJob, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := s.conf.Stores.Jobs.AckJob(ctx, queue, leased.Lease); err != nil {
		s.log.Warnf("job %q ran, but could not be removed from the queue, so it may run again: %v", name, err)
	}
}

//------------------------------------------------------------------------------

// heartbeatLoop tells job producers that a schedule input serves the
// instance.
func (s *Scheduler) heartbeatLoop() {
	defer s.loops.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.clock.After(HeartbeatTTL / 3):
			s.beat()
		}
	}
}

func (s *Scheduler) beat() {
	ctx, cancel := context.WithTimeout(s.ctx, storeTimeout)
	defer cancel()
	if err := s.conf.Stores.Marks.Set(ctx, heartbeatKey(s.conf.PluginConfigID), s.owner, HeartbeatTTL); err != nil && s.ctx.Err() == nil {
		s.log.Debugf("cannot write the heartbeat: %v", err)
	}
}

// sleepUntil waits until the clock reads t; it reports false when the
// scheduler stops first.
func (s *Scheduler) sleepUntil(t time.Time) bool {
	for {
		d := t.Sub(s.clock.Now())
		if d <= 0 {
			return true
		}
		select {
		case <-s.clock.After(d):
		case <-s.ctx.Done():
			return false
		}
	}
}

func formatMillis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func parseMillis(s string) (time.Time, bool) {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

type nopObserver struct{}

func (nopObserver) TaskRan(string, time.Duration, error) {}
func (nopObserver) TaskSkipped(string)                   {}
func (nopObserver) JobRan(string, time.Duration, error)  {}
func (nopObserver) JobRetried(string, int, error)        {}
