package pluginhost

import (
	"fmt"
	"sync/atomic"
	"time"
)

// jsWatchdog interrupts JavaScript that runs past its call's deadline without
// ever yielding (while (true) {}), which nothing on the loop could stop. It
// watches only while JavaScript runs; a call that awaits is bounded by a
// timer instead (see vm.await). One goroutine per VM beats a timer per call
// on the hot path.
type jsWatchdog struct {
	deadline atomic.Int64 // unix nanoseconds; 0 while no JavaScript runs
	timeout  atomic.Int64 // the running call's limit, for the message
}

// enter marks JavaScript as running until deadline and returns the previous
// mark, for restore (entries nest when a settling call starts the next one).
func (w *jsWatchdog) enter(deadline time.Time, timeout time.Duration) (prevDeadline, prevTimeout int64) {
	prevDeadline, prevTimeout = w.deadline.Load(), w.timeout.Load()
	w.timeout.Store(int64(timeout))
	w.deadline.Store(deadline.UnixNano())
	return prevDeadline, prevTimeout
}

func (w *jsWatchdog) restore(deadline, timeout int64) {
	w.timeout.Store(timeout)
	w.deadline.Store(deadline)
}

// watch runs until the VM's context ends, checking a few times per timeout.
func (v *vm) watch(period time.Duration) {
	ticker := time.NewTicker(period)
	defer ticker.Stop()
	for {
		select {
		case <-v.ctx.Done():
			return
		case now := <-ticker.C:
			deadline := v.watchdog.deadline.Load()
			if deadline == 0 || now.UnixNano() < deadline {
				continue
			}
			limit := time.Duration(v.watchdog.timeout.Load())
			v.watchdog.deadline.Store(0)
			v.rt.Interrupt(&interruption{limit: LimitTimeout, message: fmt.Sprintf("timed out after %s", limit)})
			// Should the interrupted JavaScript belong to no call (a promise
			// reaction), nothing else would discard the VM.
			v.loop.Submit(func() {
				if !v.dead {
					v.discard(&PluginError{Plugin: v.plugin.manifest.Name, Function: "plugin code", Timeout: true,
						Message: fmt.Sprintf("timed out after %s", limit)})
				}
			})
		}
	}
}

func watchdogPeriod(timeout time.Duration) time.Duration {
	return min(max(timeout/10, 5*time.Millisecond), time.Second)
}
