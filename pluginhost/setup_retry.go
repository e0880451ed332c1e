package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SetupRetry is how a RetryError thrown by setupPlugin is retried: after
// Initial, then twice as long each time, at most MaxRetries times. Any other
// error from setupPlugin is not retried. The zero value never retries.
type SetupRetry struct {
	Initial    time.Duration
	MaxRetries int
}

// DefaultSetupRetry is the original server's back-off: 5 s, 10 s, 20 s, 40 s, 80 s.
var DefaultSetupRetry = SetupRetry{Initial: 5 * time.Second, MaxRetries: 5}

// Intervals lists the waits before each retry.
func (r SetupRetry) Intervals() []time.Duration {
	if r.Initial <= 0 || r.MaxRetries <= 0 {
		return nil
	}
	out := make([]time.Duration, r.MaxRetries)
	for i := range out {
		out[i] = r.Initial << i
	}
	return out
}

// Last is the longest wait (the last interval), or Initial when there is
// none; callers use it to pace attempts after the retries ran out.
func (r SetupRetry) Last() time.Duration {
	if ivs := r.Intervals(); len(ivs) > 0 {
		return ivs[len(ivs)-1]
	}
	return r.Initial
}

// IsSetupRetry reports whether err is setupPlugin asking to be retried (it
// threw a RetryError or a subclass).
func IsSetupRetry(err error) bool {
	var pe *PluginError
	return errors.As(err, &pe) && pe.Retry && pe.Function == "setupPlugin"
}

// newVMWithRetry is newVM, retrying setupPlugin's RetryErrors with the
// back-off of retry. Waits end early when ctx does; the error then names the
// last failure.
func newVMWithRetry(ctx context.Context, p *Plugin, onDiscard func(*vm), retry SetupRetry) (*vm, error) {
	intervals := retry.Intervals()
	for attempt := 0; ; attempt++ {
		v, err := newVM(ctx, p, onDiscard)
		if err == nil || !IsSetupRetry(err) || attempt >= len(intervals) {
			if err != nil && IsSetupRetry(err) && len(intervals) > 0 {
				err = fmt.Errorf("setupPlugin still asked to be retried after %d retries: %w", len(intervals), err)
			}
			return v, err
		}
		wait := intervals[attempt]
		p.log.Warnf("plugin %q: %v; retry %d of %d in %s", p.manifest.Name, err, attempt+1, len(intervals), wait)
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("plugin %q: gave up retrying setupPlugin: %w (last error: %w)", p.manifest.Name, ctx.Err(), err)
		}
	}
}
