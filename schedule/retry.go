package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hogpipe/hogpipe/internal/job"
	"github.com/hogpipe/hogpipe/internal/logonce"
	"github.com/hogpipe/hogpipe/state"
)

// JobRetry is how a job whose run failed runs again. The original server
// gave each job one attempt (its zero value here); a plugin whose job fails
// before its own retry logic (an exporter's database down) loses the job's
// work unless the host retries it.
type JobRetry struct {
	// MaxRetries is how many times a failed job runs again; 0 means one
	// attempt.
	MaxRetries int
	// Initial is the wait before the first retry; each further retry waits
	// twice as long, at most Max.
	Initial time.Duration
	Max     time.Duration
}

// Defaults of JobRetry's waits.
const (
	DefaultJobRetryInitial = 5 * time.Second
	DefaultJobRetryMax     = 5 * time.Minute
)

// withDefaults fills in the waits left zero; a Max below Initial is
// raised to it.
func (r JobRetry) withDefaults() JobRetry {
	if r.Initial <= 0 {
		r.Initial = DefaultJobRetryInitial
	}
	if r.Max <= 0 {
		r.Max = max(DefaultJobRetryMax, r.Initial)
	}
	r.Max = max(r.Max, r.Initial)
	return r
}

// Delay is the wait before retry n (1 for the first): Initial doubling
// with each retry, at most Max.
func (r JobRetry) Delay(n int) time.Duration {
	d := r.Initial
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	return min(d, r.Max)
}

// Next decides what follows a failed run, given how many runs of the job
// failed before it: retry after delay, or, with its retries used up, not.
func (r JobRetry) Next(failedBefore int) (delay time.Duration, retry bool) {
	if failedBefore >= r.MaxRetries {
		return 0, false
	}
	return r.Delay(failedBefore + 1), true
}

// jobScope is the logonce scope of a job's failures.
func jobScope(name string) string { return fmt.Sprintf("job %q", name) }

// jobFailed handles a run of item that failed with err: the job goes back in
// the queue, with its failure counted in the stored item, while retries
// remain; else it is dropped with an error. Names the plugin does not export
// never run, so they are not retried.
func (s *Scheduler) jobFailed(queue string, leased state.LeasedJob, item jobItem, err error) {
	policy := s.conf.JobRetry
	attempt := item.Failures + 1
	delay, retry := policy.Next(item.Failures)
	if errors.Is(err, job.ErrUnknown) || !retry {
		switch {
		case policy.MaxRetries == 0:
			s.log.Errorf("job %q: %v", item.Name, err)
		case errors.Is(err, job.ErrUnknown):
			s.log.Errorf("job %q dropped, not retried: %v", item.Name, err)
		default:
			s.log.Errorf("job %q dropped: it failed %s, so its %d retries are used up; last error: %v", item.Name, runs(attempt), policy.MaxRetries, err)
		}
		s.ackJob(queue, leased, item.Name)
		return
	}

	next := item
	next.Failures++
	body, mErr := json.Marshal(next)
	if mErr != nil { // a decoded item always encodes; kept for safety
		s.log.Errorf("job %q dropped: cannot store its retry: %v (its error: %v)", item.Name, mErr, err)
		s.ackJob(queue, leased, item.Name)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	ok, rErr := s.conf.Stores.Jobs.RetryJob(ctx, queue, leased.Lease, s.clock.Now().Add(delay), string(body))
	switch {
	case rErr != nil:
		// The lease stays: the job is due again when it ends.
		s.log.Warnf("job %q failed (attempt %d): %v; it cannot be put back in the queue (%v), so it runs again when its lease ends, within %s",
			item.Name, attempt, err, rErr, LeaseTTL)
	case !ok:
		s.log.Warnf("job %q failed (attempt %d): %v; its lease had ended, so another worker may already run it again", item.Name, attempt, err)
	default:
		// The job loop, waiting for the next poll, learns of the new due time.
		wakeWorkers(queue)
		s.failures.Failed(logonce.Warn, jobScope(item.Name), err, "job %q failed (attempt %d of %d), running it again in %s: %v",
			item.Name, attempt, policy.MaxRetries+1, delay, err)
		s.conf.Observer.JobRetried(item.Name, attempt, err)
	}
}

func runs(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
