package pluginhost

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/logonce"
	"github.com/hogpipe/hogpipe/internal/node"
)

// Timers: setTimeout, setInterval, setImmediate and their clear functions,
// with Node's semantics where plugins can observe them:
//
//   - a delay that is not a number from 1 to 2^31-1 ms becomes 1 ms;
//   - due timers run in the order of their due time, then of creation, each
//     with the microtasks it queued drained before the next one starts;
//   - setImmediate runs on the next turn of the loop, before any timer set
//     at the same time (as in Node inside an I/O callback);
//   - set* return Timeout / Immediate objects (ref, unref, hasRef, refresh,
//     close); a Timeout's numeric value (Symbol.toPrimitive) is its id, which
//     clearTimeout/clearInterval accept too.
//
// Timers belong to the VM, not to the call that set them. Each callback runs
// as a call of its own, bounded by the plugin timeout: a callback that never
// returns is interrupted and the VM discarded, as for any call. A callback's
// error is logged as a plugin error. Discarding or closing the VM cancels
// every pending timer; a pending timer only holds a time.Timer, which hands
// the work to the loop when due, so it never keeps the VM from other work.

// timerSet holds a VM's pending timers. It is used only on the VM's loop.
type timerSet struct {
	next    int64
	pending map[int64]*jsTimer
	stopped bool
}

type jsTimer struct {
	id        int64
	name      string // "setTimeout callback", … (the call's function name)
	fn        goja.Callable
	args      []goja.Value
	delay     time.Duration
	repeat    bool
	immediate bool
	when      time.Time
	timer     *time.Timer // nil for immediates
}

// timersPreludeSource wraps the Go scheduler in Node's timer API.
//
//go:embed timers.js
var timersPreludeSource string

var timersPreludeProgram = goja.MustCompile("hogpipe:timers", timersPreludeSource, true)

// timersGlobal defines setTimeout, setInterval, setImmediate and their
// clear functions on the VM's timer set.
func (v *vm) timersGlobal(rt *goja.Runtime, _ node.Host) error {
	host := rt.NewObject()
	_ = host.Set("schedule", func(call goja.FunctionCall) goja.Value {
		id := call.Argument(0).ToInteger()
		fn, ok := goja.AssertFunction(call.Argument(1))
		if !ok {
			v.throwTypeError("timer callback is not a function")
		}
		ms := call.Argument(2).ToFloat()
		return rt.ToValue(v.scheduleTimer(id, fn, v.timerArgs(call.Argument(3)), msToDuration(ms), call.Argument(4).ToBoolean()))
	})
	_ = host.Set("immediate", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			v.throwTypeError("immediate callback is not a function")
		}
		return rt.ToValue(v.scheduleImmediate(fn, v.timerArgs(call.Argument(1))))
	})
	_ = host.Set("clear", func(call goja.FunctionCall) goja.Value {
		v.clearTimer(call.Argument(0).ToInteger(), call.Argument(1).ToBoolean())
		return goja.Undefined()
	})
	prelude, err := rt.RunProgram(timersPreludeProgram)
	if err != nil {
		return fmt.Errorf("timers: %w", err)
	}
	run, _ := goja.AssertFunction(prelude)
	if _, err := run(goja.Undefined(), rt.GlobalObject(), host); err != nil {
		return fmt.Errorf("timers: %w", err)
	}
	return nil
}

func (v *vm) timerArgs(val goja.Value) []goja.Value {
	obj, ok := val.(*goja.Object)
	if !ok {
		return nil
	}
	n := obj.Get("length").ToInteger()
	args := make([]goja.Value, n)
	for i := range args {
		args[i] = obj.Get(fmt.Sprint(i))
	}
	return args
}

func msToDuration(ms float64) time.Duration {
	if math.IsNaN(ms) || ms < 1 {
		ms = 1
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// scheduleTimer arms a setTimeout/setInterval timer; id 0 creates one, an
// existing id re-arms it from now (Timeout.refresh, which also revives a
// timeout that already ran).
func (v *vm) scheduleTimer(id int64, fn goja.Callable, args []goja.Value, delay time.Duration, repeat bool) int64 {
	ts := &v.timers
	if id <= 0 {
		v.checkTimerLimit()
		ts.next++
		id = ts.next
	}
	if ts.stopped || v.dead {
		return id
	}
	if ts.pending == nil {
		ts.pending = make(map[int64]*jsTimer)
	}
	t := ts.pending[id]
	if t == nil {
		name := "setTimeout callback"
		if repeat {
			name = "setInterval callback"
		}
		t = &jsTimer{id: id, name: name, fn: fn, args: args, delay: delay, repeat: repeat}
		ts.pending[id] = t
	}
	v.armTimer(t, time.Now())
	return id
}

func (v *vm) armTimer(t *jsTimer, now time.Time) {
	t.when = now.Add(t.delay)
	if t.timer != nil {
		t.timer.Stop()
	}
	t.timer = time.AfterFunc(t.delay, func() { v.loop.Submit(v.runDueTimers) })
}

// scheduleImmediate queues fn for the next turn of the loop.
func (v *vm) scheduleImmediate(fn goja.Callable, args []goja.Value) int64 {
	v.checkTimerLimit()
	ts := &v.timers
	ts.next++
	id := ts.next
	if ts.stopped || v.dead {
		return id
	}
	if ts.pending == nil {
		ts.pending = make(map[int64]*jsTimer)
	}
	t := &jsTimer{id: id, name: "setImmediate callback", fn: fn, args: args, immediate: true}
	ts.pending[id] = t
	v.loop.Submit(func() {
		if v.dead || ts.pending[id] != t {
			return
		}
		delete(ts.pending, id)
		v.runTimer(t)
	})
	return id
}

func (v *vm) clearTimer(id int64, immediate bool) {
	t, ok := v.timers.pending[id]
	if !ok || t.immediate != immediate {
		return
	}
	if t.timer != nil {
		t.timer.Stop()
	}
	delete(v.timers.pending, id)
}

// runDueTimers runs, on the loop, every timer due by now, earliest first.
func (v *vm) runDueTimers() {
	if v.dead || v.timers.stopped {
		return
	}
	now := time.Now()
	var due []*jsTimer
	for _, t := range v.timers.pending {
		if !t.immediate && !t.when.After(now) {
			due = append(due, t)
		}
	}
	slices.SortFunc(due, func(a, b *jsTimer) int {
		if c := a.when.Compare(b.when); c != 0 {
			return c
		}
		return int(a.id - b.id)
	})
	for _, t := range due {
		// An earlier callback may have cleared, refreshed or discarded.
		if v.dead || v.timers.pending[t.id] != t || t.when.After(now) {
			continue
		}
		if t.repeat {
			v.armTimer(t, now)
		} else {
			t.timer.Stop()
			delete(v.timers.pending, t.id)
		}
		v.runTimer(t)
	}
}

// runTimer runs a timer's callback as a call of its own.
func (v *vm) runTimer(t *jsTimer) {
	scope := fmt.Sprintf("plugin %q: %s", v.plugin.manifest.Name, t.name)
	c := v.newCall(t.name, v.plugin.opts.Timeout, func(_ goja.Value, err error) {
		if err != nil {
			v.plugin.failures.Failed(logonce.Error, scope, err, "%s", err)
			return
		}
		v.plugin.failures.Recovered(scope)
	})
	v.start(c, t.fn, t.args...)
}

// stopTimers cancels every pending timer; the VM is going away.
func (v *vm) stopTimers() {
	ts := &v.timers
	ts.stopped = true
	for id, t := range ts.pending {
		if t.timer != nil {
			t.timer.Stop()
		}
		delete(ts.pending, id)
	}
}

// checkTimerLimit throws when the VM already has maxTimers pending: a timer
// holds its callback, its arguments and a Go timer until it runs or is
// cleared, and an interval never runs out.
func (v *vm) checkTimerLimit() {
	if len(v.timers.pending) < maxTimers {
		return
	}
	e, err := v.rt.New(v.rt.Get("RangeError"), v.rt.ToValue(fmt.Sprintf(
		"too many timers: a plugin VM may have %d pending setTimeout, setInterval and setImmediate callbacks", maxTimers)))
	if err != nil {
		panic(err)
	}
	panic(e)
}
