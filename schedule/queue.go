package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gofrs/uuid/v5"

	"github.com/hogpipe/hogpipe/internal/job"
)

// Logger is the part of Benthos' logger the scheduler writes to.
type Logger interface {
	Debugf(format string, args ...any)
	Infof(format string, args ...any)
	Warnf(format string, args ...any)
	Errorf(format string, args ...any)
}

// HeartbeatTTL is how long a schedule input counts as present after its last
// heartbeat; it refreshes the heartbeat three times as often.
const HeartbeatTTL = time.Minute

// defaultWarnAfter is how long after a plugin instance's first job the queue
// checks that a schedule input runs that instance: schedule inputs write
// their first heartbeat when they connect, which may come after a processor
// in the same process enqueued a job from setupPlugin.
const defaultWarnAfter = 30 * time.Second

// Queue is the job.Queue of meta.jobs: it stores each job in the
// durable queue of its plugin instance, where the schedule inputs of that
// instance (in any process sharing the state) take it.
type Queue struct {
	jobs      JobStore
	marks     Marks
	log       Logger
	warnAfter time.Duration

	mu      sync.Mutex
	checked map[int64]bool
}

var _ job.Queue = (*Queue)(nil)

// QueueOption configures NewQueue.
type QueueOption func(*Queue)

// WithWarnAfter sets how long after an instance's first job the queue checks
// for a schedule input of that instance; zero checks at once, in EnqueueJob
// (for a command that exits right after enqueueing).
func WithWarnAfter(d time.Duration) QueueOption {
	return func(q *Queue) { q.warnAfter = d }
}

// NewQueue returns a queue over jobs; marks holds the schedule inputs'
// heartbeats. marks and log may be nil (no warning).
func NewQueue(jobs JobStore, marks Marks, log Logger, opts ...QueueOption) *Queue {
	q := &Queue{jobs: jobs, marks: marks, log: log, warnAfter: defaultWarnAfter, checked: map[int64]bool{}}
	for _, o := range opts {
		o(q)
	}
	return q
}

// jobItem is a job as stored in the queue.
type jobItem struct {
	Name       string          `json:"name"`
	Payload    json.RawMessage `json:"payload"`
	EnqueuedAt time.Time       `json:"enqueued_at"`
	// Failures counts the runs of the job that failed, kept with the job
	// so that its retries are bounded across restarts and processes.
	Failures int `json:"failures,omitempty"`
}

// EnqueueJob stores job in its instance's queue, due at job.RunAt.
func (q *Queue) EnqueueJob(ctx context.Context, job job.Job) error {
	payload := job.Payload
	if len(payload) == 0 {
		payload = []byte("null")
	}
	if !json.Valid(payload) {
		return fmt.Errorf("job %q: payload is not JSON", job.Name)
	}
	item, err := json.Marshal(jobItem{Name: job.Name, Payload: payload, EnqueuedAt: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("job %q: %w", job.Name, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	queue := JobQueueName(job.PluginConfigID)
	if err := q.jobs.PushJob(ctx, queue, job.RunAt, id.String(), string(item)); err != nil {
		return fmt.Errorf("failed to enqueue job %q: %w", job.Name, err)
	}
	wakeWorkers(queue)
	q.checkWorker(ctx, job)
	return nil
}

// checkWorker warns, once per instance, when no schedule input of the
// instance has been seen: its jobs would wait in the queue forever.
func (q *Queue) checkWorker(ctx context.Context, job job.Job) {
	if q.marks == nil || q.log == nil {
		return
	}
	q.mu.Lock()
	if q.checked[job.PluginConfigID] {
		q.mu.Unlock()
		return
	}
	q.checked[job.PluginConfigID] = true
	q.mu.Unlock()

	check := func(ctx context.Context) {
		_, found, err := q.marks.Get(ctx, heartbeatKey(job.PluginConfigID))
		if err != nil || found {
			return // a closed or unreachable store says nothing either way
		}
		q.log.Warnf("job %q of plugin instance %d was enqueued, but no posthog_schedule input for plugin_config_id %d has been seen: jobs run only there. "+
			"Add an input `posthog_schedule: {path: <this plugin>, plugin_config_id: %d}` with the same plugin config and the same redis_url (or, in one process, state_dir) to a running hogpipe",
			job.Name, job.PluginConfigID, job.PluginConfigID, job.PluginConfigID)
	}
	if q.warnAfter <= 0 {
		check(ctx)
		return
	}
	time.AfterFunc(q.warnAfter, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		check(ctx)
	})
}

//------------------------------------------------------------------------------

// The workers of this process, by queue, woken when a job is enqueued here
// so that runNow does not wait for the next poll. Workers in other processes
// poll.
var workers = struct {
	mu     sync.Mutex
	byName map[string]map[chan struct{}]struct{}
}{byName: map[string]map[chan struct{}]struct{}{}}

func subscribeWorker(queue string) (wake chan struct{}, unsubscribe func()) {
	wake = make(chan struct{}, 1)
	workers.mu.Lock()
	set := workers.byName[queue]
	if set == nil {
		set = map[chan struct{}]struct{}{}
		workers.byName[queue] = set
	}
	set[wake] = struct{}{}
	workers.mu.Unlock()
	return wake, func() {
		workers.mu.Lock()
		delete(set, wake)
		if len(set) == 0 {
			delete(workers.byName, queue)
		}
		workers.mu.Unlock()
	}
}

func wakeWorkers(queue string) {
	workers.mu.Lock()
	defer workers.mu.Unlock()
	for ch := range workers.byName[queue] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// errBadJob marks a queue item that is not a job.
var errBadJob = errors.New("malformed job in the queue")

func decodeJob(item string) (jobItem, error) {
	var j jobItem
	if err := json.Unmarshal([]byte(item), &j); err != nil || j.Name == "" {
		return j, errBadJob
	}
	if len(j.Payload) == 0 {
		j.Payload = json.RawMessage("null")
	}
	return j, nil
}
