// Package process is Node's process global reduced to what bundled code
// and SDKs read: nextTick, hrtime, uptime, version and versions, platform
// and arch, an env of NODE_ENV alone, emitWarning and the listener methods.
// Nothing of the host's process shows through (its environment, pid, argv,
// working directory), and what would act on it (exit, kill, chdir) throws.
//
// # Order of process.nextTick
//
// Node runs every queued tick before any promise job. goja has one job
// queue, drained when JavaScript hands control back to Go, and no hook in
// front of it, so a tick here waits in a Go-side FIFO for a promise job
// that nextTick queues:
//   - ticks run after the code that queued them, before any timer, I/O
//     callback or other turn of the loop, in the order they were queued;
//   - a tick queued by a tick, or by anything running while ticks drain,
//     runs in the same drain, before any promise job queued meanwhile;
//   - a promise job queued before the first tick of a synchronous run
//     comes first, where Node would run the ticks first: Node gives
//     "t1 t2 p1" for Promise.resolve().then(p1); nextTick(t1); nextTick(t2),
//     hogpipe gives "p1 t1 t2".
//
// A tick that throws is reported through the host (Node would end the
// process) and the ticks after it still run.
package process

import (
	_ "embed"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/dop251/goja"
	nodeerrors "github.com/dop251/goja_nodejs/errors"

	"github.com/hogpipe/hogpipe/internal/node"
	nodeos "github.com/hogpipe/hogpipe/internal/node/os"
)

// NodeVersion is the Node release whose behaviour the host modules are
// checked against; process.version reports it.
const NodeVersion = "20.20.2"

//go:embed process.js
var source string

var program = goja.MustCompile("node:process", source, true)

// Global defines process.
func Global() node.Global { return node.Global{Name: "process", Install: install} }

type tick struct {
	seq  uint64
	fn   goja.Callable
	args []goja.Value
}

// ticks is one runtime's nextTick queue.
type ticks struct {
	rt      *goja.Runtime
	h       node.Host
	queue   []tick
	seq     uint64 // of the last tick queued
	limit   uint64 // the last tick the running drain runs; 0 when none runs
	then    goja.Callable
	settled goja.Value // a resolved promise the drain jobs hang on
}

func install(rt *goja.Runtime, h node.Host) error {
	t := &ticks{rt: rt, h: h}
	promise, resolve, _ := rt.NewPromise()
	if err := resolve(goja.Undefined()); err != nil {
		return fmt.Errorf("process: %w", err)
	}
	t.settled = rt.ToValue(promise)
	then, ok := goja.AssertFunction(t.settled.ToObject(rt).Get("then"))
	if !ok {
		return errors.New("process: Promise.prototype.then is not a function")
	}
	t.then = then

	origin := time.Now()
	host := rt.NewObject()
	for name, v := range map[string]any{
		"version":  NodeVersion,
		"arch":     nodeos.Arch(),
		"nextTick": t.nextTick,
		"received": func(call goja.FunctionCall) goja.Value {
			return rt.ToValue(node.Received(call.Argument(0)))
		},
		"hrtime": func(call goja.FunctionCall) goja.Value {
			return hrtime(rt, time.Since(origin), call.Argument(0))
		},
		"uptime": func(goja.FunctionCall) goja.Value { return rt.ToValue(time.Since(origin).Seconds()) },
		"warn":   func(msg string) { warn(rt, msg) },
	} {
		if err := host.Set(name, v); err != nil {
			return fmt.Errorf("process: %w", err)
		}
	}
	fn, err := node.Function(rt, program)
	if err != nil {
		return fmt.Errorf("process: %w", err)
	}
	process, err := fn(goja.Undefined(), host)
	if err != nil {
		return fmt.Errorf("process: %w", err)
	}
	hr := process.ToObject(rt).Get("hrtime").ToObject(rt)
	if err := hr.Set("bigint", func(goja.FunctionCall) goja.Value {
		return rt.ToValue(big.NewInt(int64(time.Since(origin))))
	}); err != nil {
		return fmt.Errorf("process: %w", err)
	}
	return rt.Set("process", process)
}

func (t *ticks) nextTick(call goja.FunctionCall) goja.Value {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		panic(nodeerrors.NewTypeError(t.rt, nodeerrors.ErrCodeInvalidArgType,
			`The "callback" argument must be of type function.`+node.Received(call.Argument(0))))
	}
	var args []goja.Value
	if len(call.Arguments) > 1 {
		args = append(args, call.Arguments[1:]...)
	}
	t.seq++
	t.queue = append(t.queue, tick{seq: t.seq, fn: fn, args: args})
	if t.limit != 0 { // queued while ticks drain: runs in this drain
		t.limit = t.seq
		return goja.Undefined()
	}
	// Each tick queued from outside a drain gets a drain job of its own,
	// which runs the ticks queued up to it: a tick queued later, by a
	// promise job, waits for its own job, behind the promise jobs queued
	// before it, as in Node. A job goja dropped (an interrupted call
	// empties its queue) strands no tick once another is queued.
	seq := t.seq
	drain := func(goja.FunctionCall) goja.Value {
		t.run(seq)
		return goja.Undefined()
	}
	if _, err := t.then(t.settled, t.rt.ToValue(drain)); err != nil {
		panic(err)
	}
	return goja.Undefined()
}

// run drains the ticks queued up to seq, and those they queue.
func (t *ticks) run(seq uint64) {
	t.limit = seq
	defer func() { t.limit = 0 }()
	for len(t.queue) > 0 && t.queue[0].seq <= t.limit {
		next := t.queue[0]
		t.queue[0] = tick{}
		t.queue = t.queue[1:]
		if _, err := next.fn(goja.Undefined(), next.args...); err != nil {
			var interrupted *goja.InterruptedError
			if errors.As(err, &interrupted) {
				t.queue = nil
				panic(err)
			}
			t.h.ReportError(fmt.Errorf("process.nextTick callback: %w", err))
		}
	}
}

// hrtime is process.hrtime: [seconds, nanoseconds] since an arbitrary
// origin, or since prev when given.
func hrtime(rt *goja.Runtime, now time.Duration, prev goja.Value) goja.Value {
	sec, nsec := int64(now/time.Second), int64(now%time.Second)
	if prev != nil && !goja.IsUndefined(prev) {
		obj, ok := prev.(*goja.Object)
		if !ok || obj.ClassName() != "Array" {
			panic(nodeerrors.NewTypeError(rt, nodeerrors.ErrCodeInvalidArgType,
				`The "time" argument must be an instance of Array.`+node.Received(prev)))
		}
		if n := obj.Get("length").ToInteger(); n != 2 {
			panic(nodeerrors.NewRangeError(rt, nodeerrors.ErrCodeOutOfRange,
				fmt.Sprintf(`The value of "time" is out of range. It must be 2. Received %d`, n)))
		}
		sec -= obj.Get("0").ToInteger()
		nsec -= obj.Get("1").ToInteger()
		if nsec < 0 {
			sec--
			nsec += int64(time.Second)
		}
	}
	return rt.NewArray(sec, nsec)
}

// warn writes a warning the way the runtime logs (its console), as Node
// writes it to stderr.
func warn(rt *goja.Runtime, msg string) {
	console, ok := rt.Get("console").(*goja.Object)
	if !ok {
		return
	}
	if fn, ok := goja.AssertFunction(console.Get("warn")); ok {
		_, _ = fn(console, rt.ToValue(msg))
	}
}
