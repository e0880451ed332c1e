package pluginhost

import (
	"context"
	"fmt"
	"net"
	"reflect"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/jsloop"
	"github.com/hogpipe/hogpipe/internal/logonce"
	"github.com/hogpipe/hogpipe/internal/node"
)

// vm is one goja runtime running one instance of the plugin's code, with its
// own meta.global. It is driven only through its event loop.
type vm struct {
	plugin *Plugin
	loop   *jsloop.Loop
	rt     *goja.Runtime

	// ctx bounds the Go side of async host calls made by this VM; it ends
	// when the VM is discarded or closed.
	ctx    context.Context
	cancel context.CancelFunc

	exports        map[string]goja.Value
	meta           *goja.Object
	isRetryErrorFn goja.Callable

	// current is the call whose JavaScript is running, tracked across awaits
	// by goja's async context tracker; host functions attribute their work
	// (captures, log lines, deadlines) to it.
	current  *call
	inflight map[*call]struct{}
	dead     bool

	// lastQueued is closed once the latest async state call is queued at
	// its backend; the next call waits for it (see asyncResult).
	lastQueued chan struct{}

	unhandled   map[*goja.Promise]goja.Value
	pending     []*call // calls awaiting their promise (see settlePending)
	settledVoid goja.Value
	onDiscard   func(*vm)

	watchdog jsWatchdog

	// gone is closed when the watchdog gives the VM up because its loop
	// did not take up an interrupt (native code running past its limit):
	// callers stop waiting for it, with goneErr.
	gone     chan struct{}
	goneErr  *PluginError
	goneOnce sync.Once

	// keys interns the object keys of decoded events; only the loop uses it.
	keys keyStrings
	// protos and propertiesHint serve the lazy event properties (see
	// lazyevent.go): the runtime's own prototypes, and how many properties
	// the last event had.
	protos         *jsonProtos
	propertiesHint int

	// timers are the pending setTimeout/setInterval/setImmediate callbacks
	// (timers.go); used on the loop only, cancelled when the VM goes.
	timers timerSet
}

// call is one invocation of a plugin function, from its start to the moment
// it returns or its promise settles.
type call struct {
	function string
	timeout  time.Duration
	deadline time.Time
	ctx      context.Context    // made on first use (fetch): most calls never need one
	cancel   context.CancelFunc // kept, never called: ctx's own timer ends it at the deadline
	timer    *time.Timer        // armed only while the call awaits a promise
	promise  *goja.Promise      // the promise awaited, while in vm.pending
	over     atomic.Bool        // set once settled; read by the timer goroutine
	settled  bool
	finish   func(result goja.Value, err error)

	// captures receives the events posthog.capture emits during the call;
	// nil where captures have nowhere to go.
	captures func(event []byte)
	// teamID is the team of the event being processed, for posthog.capture.
	teamID goja.Value
}

// newVM creates a runtime, runs the bundle and setupPlugin. It returns once
// setupPlugin has settled.
func newVM(ctx context.Context, p *Plugin, onDiscard func(*vm)) (*vm, error) {
	v, err := newBareVM(p, onDiscard)
	if err != nil {
		return nil, err
	}
	if fn, ok := v.function("setupPlugin"); ok {
		if err := v.invoke(ctx, "setupPlugin", p.opts.Timeout, fn, nil, v.meta); err != nil {
			v.shutdown()
			return nil, err
		}
	}
	return v, nil
}

// newBareVM creates a runtime and runs the bundle's top-level code (bounded
// by the watchdog), without setupPlugin: enough to see what a plugin exports.
// The caller stops it with shutdown or close.
func newBareVM(p *Plugin, onDiscard func(*vm)) (*vm, error) {
	v := &vm{
		plugin:    p,
		loop:      jsloop.New(),
		inflight:  make(map[*call]struct{}),
		unhandled: make(map[*goja.Promise]goja.Value),
		onDiscard: onDiscard,
		gone:      make(chan struct{}),
		keys:      make(keyStrings),
	}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	v.loop.OnPanic = v.recoverPanic
	go v.watch(watchdogPeriod(p.opts.Timeout))

	initErr := make(chan error, 1)
	if !v.loop.Submit(func() { initErr <- v.init() }) {
		return nil, errVMGone
	}
	var err error
	select {
	case err = <-initErr:
	case <-v.gone:
		err = v.goneErr
	}
	if err != nil {
		v.shutdown()
		return nil, err
	}
	return v, nil
}

func (v *vm) init() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = pluginErrorf(v.plugin.manifest.Name, "start VM", "%v\n%s", r, debug.Stack())
			v.rt = nil
		}
	}()
	v.rt = goja.New()
	v.rt.SetMaxCallStackSize(maxCallStackSize)
	v.rt.SetFieldNameMapper(goja.UncapFieldNameMapper())
	v.rt.SetAsyncContextTracker(v)
	v.rt.SetPromiseRejectionTracker(v.trackRejection)
	v.protos = newJSONProtos(v.rt)

	if err := v.installHost(); err != nil {
		return pluginErrorf(v.plugin.manifest.Name, "install globals", "%w", err)
	}

	module := v.rt.NewObject()
	exports := v.rt.NewObject()
	_ = module.Set("exports", exports)
	_ = v.rt.Set("module", module)
	_ = v.rt.Set("exports", exports)
	v.watchdog.enter(time.Now().Add(v.plugin.opts.Timeout), v.plugin.opts.Timeout)
	_, err = v.rt.RunProgram(v.plugin.program)
	v.watchdog.restore(0, 0)
	if err != nil {
		return pluginErrorf(v.plugin.manifest.Name, "run "+v.plugin.entryName, "%w", v.pluginError("load", err))
	}
	v.exports = v.findExports(exports, module)
	meta, err := v.buildMeta()
	if err != nil {
		return pluginErrorf(v.plugin.manifest.Name, "build meta", "%w", err)
	}
	v.meta = meta
	return nil
}

// exportNames are the names a plugin may export.
var exportNames = []string{
	"setupPlugin", "teardownPlugin", "processEvent", "processEventBatch", "onEvent",
	"exportEvents", "runEveryMinute", "runEveryHour", "runEveryDay", "jobs", "metrics",
	"getSettings", "composeWebhook",
}

// findExports looks each name up as the original did: in exports,
// exports.default, module.exports (and its default), the first that has it;
// and when nothing at all is exported, in the script's global scope.
func (v *vm) findExports(exports, module *goja.Object) map[string]goja.Value {
	var sources []*goja.Object
	addSource := func(val goja.Value) {
		if obj, ok := val.(*goja.Object); ok {
			sources = append(sources, obj)
			if def, ok := obj.Get("default").(*goja.Object); ok {
				sources = append(sources, def)
			}
		}
	}
	addSource(v.rt.Get("exports"))
	addSource(exports)
	addSource(module.Get("exports"))

	exported := false
	for _, src := range sources {
		if len(src.Keys()) > 0 {
			exported = true
			break
		}
	}
	if !exported {
		sources = []*goja.Object{v.rt.GlobalObject()}
	}
	found := make(map[string]goja.Value)
	for _, name := range exportNames {
		for _, src := range sources {
			if val := src.Get(name); val != nil && !goja.IsUndefined(val) && !goja.IsNull(val) {
				found[name] = val
				break
			}
		}
	}
	return found
}

func (v *vm) function(name string) (goja.Callable, bool) {
	val, ok := v.exports[name]
	if !ok {
		return nil, false
	}
	return goja.AssertFunction(val)
}

//------------------------------------------------------------------------------

// invoke runs fn on the loop and waits for it to settle. It is for calls
// whose result is not needed (setupPlugin, teardownPlugin, tasks, jobs).
func (v *vm) invoke(ctx context.Context, name string, timeout time.Duration, fn goja.Callable, captures func([]byte), args ...goja.Value) error {
	return v.invokeWith(ctx, name, timeout, captures, func() (goja.Callable, []goja.Value, error) { return fn, args, nil })
}

// invokeWith is invoke for functions and arguments that must be resolved on
// the loop (a job's handler and its decoded payload).
func (v *vm) invokeWith(ctx context.Context, name string, timeout time.Duration, captures func([]byte),
	resolve func() (goja.Callable, []goja.Value, error),
) error {
	done := make(chan error, 1)
	ok := v.loop.Submit(func() {
		if v.dead {
			done <- errVMGone
			return
		}
		fn, args, err := resolve()
		if err != nil {
			done <- err
			return
		}
		c := v.newCall(name, timeout, func(_ goja.Value, err error) { done <- err })
		c.captures = captures
		v.start(c, fn, args...)
	})
	if !ok {
		return errVMGone
	}
	select {
	case err := <-done:
		return err
	case <-v.gone:
		return v.goneErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (v *vm) newCall(function string, timeout time.Duration, finish func(goja.Value, error)) *call {
	return &call{function: function, timeout: timeout, deadline: time.Now().Add(timeout), finish: finish}
}

// context bounds the Go side of I/O started by the call (fetch) by the
// call's deadline. It does not end when the call settles: as in Node, a
// request the plugin did not await goes on after the function returns.
func (c *call) context(v *vm) context.Context {
	if c.ctx == nil {
		// The context's timer releases it at the deadline.
		c.ctx, c.cancel = context.WithDeadline(node.WithCaller(v.ctx, c.function), c.deadline)
	}
	return c.ctx
}

// start calls fn with args on the loop; c.finish runs (on the loop) when the
// result is known: at once for a plain value, when settled for a promise.
func (v *vm) start(c *call, fn goja.Callable, args ...goja.Value) {
	v.inflight[c] = struct{}{}
	if v.dead {
		v.settle(c, nil, &PluginError{Plugin: v.plugin.manifest.Name, Function: c.function, Timeout: true,
			Message: "VM discarded before the call started"})
		return
	}
	prev := v.current
	v.current = c
	prevDeadline, prevTimeout := v.watchdog.enter(c.deadline, c.timeout)
	res, err := fn(goja.Undefined(), args...)
	// Reading the result runs plugin code too (a thrown object's toString,
	// a thenable's then, the finish of a call that settled at once), so the
	// deadline holds until that is done.
	if err != nil {
		v.fail(c, err)
	} else {
		v.await(c, res)
	}
	v.settlePending() // what this call's JavaScript settled for others
	v.reportUnhandled()
	v.watchdog.restore(prevDeadline, prevTimeout)
	v.current = prev
}

var promiseType = reflect.TypeOf((*goja.Promise)(nil))

func (v *vm) await(c *call, res goja.Value) {
	obj, ok := res.(*goja.Object)
	if !ok || obj.ExportType() != promiseType {
		v.settle(c, res, nil)
		return
	}
	promise, ok := obj.Export().(*goja.Promise)
	if !ok {
		v.settle(c, res, nil)
		return
	}
	switch promise.State() {
	case goja.PromiseStateFulfilled:
		v.settle(c, promise.Result(), nil)
	case goja.PromiseStateRejected:
		delete(v.unhandled, promise)
		v.settle(c, nil, v.rejectionError(c.function, promise.Result()))
	default:
		// Pending: nothing runs while it waits, so a timer (not the
		// watchdog, which watches running JavaScript) enforces the deadline.
		c.timer = time.AfterFunc(time.Until(c.deadline), func() { v.expire(c, c.timeout) })
		c.promise = promise
		v.pending = append(v.pending, c)
	}
}

// settlePending settles the calls whose promises have settled. It runs
// after every piece of JavaScript the loop runs (a call's start, an async
// host result), once its promise jobs are done: only JavaScript settles a
// promise, so none is missed, and a call settles as it does when its
// promise is already settled on return, after the jobs of that turn. This
// spares a then (a derived promise, two functions, a job) per awaited call.
func (v *vm) settlePending() {
	for len(v.pending) > 0 {
		i := slices.IndexFunc(v.pending, func(c *call) bool { return c.promise.State() != goja.PromiseStatePending })
		if i < 0 {
			return
		}
		c := v.pending[i]
		v.pending = slices.Delete(v.pending, i, i+1)
		switch c.promise.State() {
		case goja.PromiseStateFulfilled:
			v.settle(c, c.promise.Result(), nil)
		case goja.PromiseStateRejected:
			delete(v.unhandled, c.promise)
			v.settle(c, nil, v.rejectionError(c.function, c.promise.Result()))
		}
	}
}

// fail settles c with an error from calling into JS. An interrupt means the
// runtime was stopped mid-flight: the VM is discarded.
func (v *vm) fail(c *call, err error) {
	pe := v.pluginError(c.function, err)
	if pe.interrupted {
		if pe.Timeout {
			pe.Message = fmt.Sprintf("%s timed out after %s", c.function, c.timeout)
		}
		v.settle(c, nil, pe)
		v.discard(pe)
		return
	}
	v.settle(c, nil, pe)
}

func (v *vm) settle(c *call, result goja.Value, err error) {
	if c.settled {
		return
	}
	c.settled = true
	c.over.Store(true)
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.promise != nil {
		v.pending = slices.DeleteFunc(v.pending, func(p *call) bool { return p == c })
		c.promise = nil
	}
	delete(v.inflight, c)
	c.finish(result, err)
}

// expire runs on the timer's goroutine when c exceeds its time limit. The
// interrupt stops JavaScript that never yields (while (true) {}); the VM
// is then discarded, since its state can no longer be trusted.
func (v *vm) expire(c *call, timeout time.Duration) {
	if c.over.Load() {
		return
	}
	reason := fmt.Sprintf("%s timed out after %s", c.function, timeout)
	v.rt.Interrupt(&interruption{limit: LimitTimeout, message: reason})
	v.loop.Submit(func() {
		if c.settled || v.dead {
			v.rt.ClearInterrupt()
			return
		}
		pe := &PluginError{Plugin: v.plugin.manifest.Name, Function: c.function, Message: reason,
			Limit: LimitTimeout, Timeout: true, interrupted: true}
		v.settle(c, nil, pe)
		v.discard(pe)
	})
}

// discard fails every call still in flight with cause, stops the loop and
// tells the owner, which builds a fresh VM.
func (v *vm) discard(cause *PluginError) {
	if v.dead {
		return
	}
	v.dead = true
	v.stopTimers()
	v.rt.ClearInterrupt()
	for c := range v.inflight {
		v.settle(c, nil, &PluginError{
			Plugin: cause.Plugin, Function: c.function, Timeout: true, Limit: cause.Limit, interrupted: true,
			Message: fmt.Sprintf("VM discarded: %s", cause.Message),
		})
	}
	v.cancel()
	v.loop.StopNoWait()
	if v.onDiscard != nil {
		go v.onDiscard(v)
	}
}

// recoverPanic handles a Go panic on the loop: the VM's state is unknown, so
// it is discarded like after a timeout.
func (v *vm) recoverPanic(recovered any, stack []byte) {
	v.plugin.log.Errorf("plugin %q: internal error (please report it): %v\n%s", v.plugin.manifest.Name, recovered, stack)
	if v.rt == nil {
		return
	}
	v.discard(&PluginError{Plugin: v.plugin.manifest.Name, Function: "host", Message: fmt.Sprintf("internal error: %v", recovered)})
}

// shutdown stops the VM without teardown (used when it never started).
func (v *vm) shutdown() {
	v.loop.Submit(func() { v.dead = true; v.stopTimers() })
	v.cancel()
	v.stopLoop()
}

// stopLoop stops the loop and waits for it, unless the VM was given up: its
// goroutine is then stuck in native code and ends when that returns.
func (v *vm) stopLoop() {
	select {
	case <-v.gone:
		v.loop.StopNoWait()
	default:
		v.loop.Stop()
	}
}

// abandon gives up a VM whose loop has not taken up an interrupt for the
// time waited: callers waiting on it get an error naming cause, the owner
// builds a new VM, and the stuck goroutine finishes on its own (then finds
// the loop stopped). Safe from any goroutine; only the first call counts.
func (v *vm) abandon(cause *interruption, waited time.Duration) {
	v.goneOnce.Do(func() {
		v.goneErr = &PluginError{Plugin: v.plugin.manifest.Name, Function: "plugin code", Limit: cause.limit,
			Timeout: cause.limit == LimitTimeout, interrupted: true,
			Message: fmt.Sprintf("%s; the VM did not stop within %s (native code ignores interrupts) and was abandoned",
				cause.message, waited.Round(time.Millisecond))}
		v.plugin.log.Errorf("%v", v.goneErr)
		close(v.gone)
		v.cancel()
		v.loop.StopNoWait()
		if v.onDiscard != nil {
			go v.onDiscard(v)
		}
	})
}

// close runs teardownPlugin (bounded by timeout) and stops the loop.
func (v *vm) close(ctx context.Context) error {
	var err error
	if fn, ok := v.function("teardownPlugin"); ok {
		err = v.invoke(ctx, "teardownPlugin", v.plugin.opts.Timeout, fn, nil, v.meta)
		if err == errVMGone {
			err = nil
		}
	}
	v.loop.Submit(func() { v.dead = true; v.stopTimers() })
	v.cancel()
	v.stopLoop()
	return err
}

//------------------------------------------------------------------------------

// Grab, Resumed and Exited implement goja.AsyncContextTracker: the call that
// scheduled a promise reaction is current again when the reaction runs.
func (v *vm) Grab() any { return v.current }

func (v *vm) Resumed(obj any) {
	c, _ := obj.(*call)
	v.current = c
}

func (v *vm) Exited() { v.current = nil }

func (v *vm) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		v.unhandled[p] = p.Result()
	case goja.PromiseRejectionHandle:
		delete(v.unhandled, p)
	}
}

// reportUnhandled logs rejections nobody handled, as Node would warn.
func (v *vm) reportUnhandled() {
	for p, reason := range v.unhandled {
		delete(v.unhandled, p)
		pe := v.rejectionError("unhandled promise rejection", reason)
		v.plugin.failures.Failed(logonce.Error, fmt.Sprintf("plugin %q", v.plugin.manifest.Name), pe, "%s", firstLine(pe.Error()))
	}
}

// runOnLoop runs fn on the loop with the current call set to c, for
// resolving promises of async host functions; it reports false when the VM
// has gone.
func (v *vm) runOnLoop(c *call, fn func()) bool {
	return v.loop.Submit(func() {
		if v.dead {
			return
		}
		prev := v.current
		v.current = c
		// Continuations of a call that has already settled (work it did not
		// await) get a fresh limit: its own deadline may have passed.
		deadline, timeout := time.Now().Add(v.plugin.opts.Timeout), v.plugin.opts.Timeout
		if c != nil && !c.settled {
			deadline, timeout = c.deadline, c.timeout
		}
		prevDeadline, prevTimeout := v.watchdog.enter(deadline, timeout)
		fn()
		v.watchdog.restore(prevDeadline, prevTimeout)
		v.current = prev
		v.settlePending()
		v.reportUnhandled()
	})
}

// Callback, Context and ReportError make the VM the node.Host of the
// modules and globals it serves.
func (v *vm) Callback() func(fn func()) bool {
	owner := v.current
	return func(fn func()) bool { return v.runOnLoop(owner, fn) }
}

func (v *vm) Context() context.Context {
	if v.current == nil {
		return v.ctx
	}
	return v.current.context(v)
}

// Dial makes the VM a node.Dialer: connections go through the plugin's
// outbound guard (fetch_allow, fetch_deny_private) and are closed when the
// VM goes, so a plugin that never ends its database client leaks nothing.
func (v *vm) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := v.plugin.fetch.Client().Dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	context.AfterFunc(v.ctx, func() { _ = conn.Close() })
	return conn, nil
}

func (v *vm) ReportError(err error) {
	v.plugin.failures.Failed(logonce.Error, fmt.Sprintf("plugin %q", v.plugin.manifest.Name), err, "plugin %q: %v", v.plugin.manifest.Name, err)
}
