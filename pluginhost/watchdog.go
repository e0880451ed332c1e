package pluginhost

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// jsWatchdog interrupts JavaScript that runs past its call's deadline without
// ever yielding (while (true) {}), which nothing on the loop could stop, and
// JavaScript that grows the heap past the VM's memory budget. It watches
// only while JavaScript runs; a call that awaits is bounded by a timer
// instead (see vm.await). One goroutine per VM beats a timer per call on the
// hot path.
type jsWatchdog struct {
	deadline atomic.Int64 // unix nanoseconds; 0 while no JavaScript runs
	timeout  atomic.Int64 // the running call's limit, for the message
	// stretch counts enter calls, so the watchdog sees when a new stretch
	// of running JavaScript begins (the memory baseline is per stretch).
	stretch atomic.Uint64
}

// enter marks JavaScript as running until deadline and returns the previous
// mark, for restore (entries nest when a settling call starts the next one).
func (w *jsWatchdog) enter(deadline time.Time, timeout time.Duration) (prevDeadline, prevTimeout int64) {
	prevDeadline, prevTimeout = w.deadline.Load(), w.timeout.Load()
	w.timeout.Store(int64(timeout))
	w.deadline.Store(deadline.UnixNano())
	w.stretch.Add(1)
	return prevDeadline, prevTimeout
}

func (w *jsWatchdog) restore(deadline, timeout int64) {
	w.timeout.Store(timeout)
	w.deadline.Store(deadline)
}

// memoryCheckPeriod is how often the heap is sampled while JavaScript runs:
// goja allocates a gigabyte in a second or two.
const memoryCheckPeriod = 20 * time.Millisecond

// watch runs until the VM's context ends, a few times per timeout (and
// every memoryCheckPeriod when the VM has a memory budget).
func (v *vm) watch(period time.Duration) {
	budget := v.plugin.opts.MaxMemory
	if budget > 0 {
		period = min(period, memoryCheckPeriod)
	}
	// The call has failed by then either way; waiting longer for its VM to
	// stop would only hold its callers.
	grace := max(250*time.Millisecond, v.plugin.opts.Timeout/4)
	ticker := time.NewTicker(period)
	defer ticker.Stop()
	var (
		answered      chan struct{} // closed when the loop takes up an interrupt; nil when none is pending
		interruptedAt time.Time
		cause         *interruption
		heap          heapGauge
	)
	for {
		select {
		case <-v.ctx.Done():
			return
		case now := <-ticker.C:
			if answered != nil {
				select {
				case <-answered:
					answered = nil
				default:
					// Native code (a deep JSON.stringify, a huge sort) does
					// not see interrupts: past the grace period the VM is
					// given up and its goroutine left to finish alone.
					if now.Sub(interruptedAt) > grace {
						v.abandon(cause, now.Sub(interruptedAt))
						return
					}
				}
				continue
			}
			deadline := v.watchdog.deadline.Load()
			if deadline == 0 {
				heap.idle()
				continue
			}
			if now.UnixNano() >= deadline {
				limit := time.Duration(v.watchdog.timeout.Load())
				v.watchdog.deadline.Store(0)
				cause = &interruption{limit: LimitTimeout, message: fmt.Sprintf("timed out after %s", limit)}
			} else if budget > 0 {
				grown, over := heap.check(v.watchdog.stretch.Load(), budget)
				if !over {
					continue
				}
				cause = &interruption{limit: LimitMemory, message: fmt.Sprintf(
					"the heap grew by %d MiB while the plugin's JavaScript ran, over its max_memory of %d MiB", grown>>20, budget>>20)}
			} else {
				continue
			}
			answered, interruptedAt = v.interrupt(cause), now
		}
	}
}

// interrupt stops the running JavaScript with cause and has the loop
// discard the VM; the channel it returns is closed once the loop got there.
func (v *vm) interrupt(cause *interruption) chan struct{} {
	v.rt.Interrupt(cause)
	answered := make(chan struct{})
	// Should the interrupted JavaScript belong to no call (a promise
	// reaction), nothing else would discard the VM.
	if !v.loop.Submit(func() {
		close(answered)
		if !v.dead {
			v.discard(&PluginError{Plugin: v.plugin.manifest.Name, Function: "plugin code", Timeout: cause.limit == LimitTimeout,
				Limit: cause.limit, Message: cause.message, interrupted: true})
		}
	}) {
		return nil // the loop has stopped: nothing left to interrupt
	}
	return answered
}

func watchdogPeriod(timeout time.Duration) time.Duration {
	return min(max(timeout/10, 5*time.Millisecond), time.Second)
}

//------------------------------------------------------------------------------

// heapGauge measures how much the heap grows while a VM's JavaScript runs.
//
// goja has no per-runtime accounting and Go none per goroutine, so the
// measure is the process's: the bytes of heap objects (live or not yet
// swept) when a stretch of running JavaScript begins, against the same a
// moment later. The sample is cheap but counts garbage, so a stretch that
// seems over budget is confirmed after a full GC, on live bytes only; a
// confirmation that clears the stretch moves the next check one budget
// further, so forced GCs come at most once per budget allocated. Growth
// caused by other goroutines while the stretch runs is counted too: a call
// running next to one that takes hundreds of MiB may be blamed with it.
type heapGauge struct {
	sample   []metrics.Sample
	stretch  uint64 // the stretch the baseline belongs to; 0 for none
	baseline uint64 // heap object bytes when it began
	next     uint64 // sample level that calls for a check
}

func (g *heapGauge) read() uint64 {
	if g.sample == nil {
		g.sample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	}
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return g.sample[0].Value.Uint64()
}

// idle forgets the baseline: no JavaScript runs.
func (g *heapGauge) idle() { g.stretch = 0 }

// check samples the heap during stretch and reports the growth since the
// stretch began, and whether it is confirmed over budget.
func (g *heapGauge) check(stretch uint64, budget int64) (grown uint64, over bool) {
	now := g.read()
	if stretch != g.stretch {
		g.stretch, g.baseline, g.next = stretch, now, now+uint64(budget)
		return 0, false
	}
	if now <= g.next {
		return 0, false
	}
	runtime.GC()
	live := g.read()
	if live > g.baseline && live-g.baseline > uint64(budget) {
		return live - g.baseline, true
	}
	g.next = live + uint64(budget)
	return 0, false
}
