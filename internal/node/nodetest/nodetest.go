// Package nodetest runs snippets of JavaScript against host modules and
// globals without a plugin: a goja runtime on its own loop, a stub
// node.Host, and setTimeout. Every module and global test uses it.
package nodetest

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
	"github.com/stretchr/testify/assert"

	"github.com/hogpipe/hogpipe/internal/jsloop"
	"github.com/hogpipe/hogpipe/internal/node"
)

// Env is one runtime with the modules and globals a test asked for.
type Env struct {
	t       testing.TB
	loop    *jsloop.Loop
	rt      *goja.Runtime
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	timers  map[*time.Timer]struct{}
	stopped bool

	// reported are the errors modules sent to Host.ReportError.
	reported []error
}

// Option adds modules or globals to an Env.
type Option func(*config)

type config struct {
	modules []node.Module
	globals []node.Global
}

// Modules makes modules importable with require.
func Modules(modules ...node.Module) Option {
	return func(c *config) { c.modules = append(c.modules, modules...) }
}

// Globals installs globals, in the order given, after setTimeout.
func Globals(globals ...node.Global) Option {
	return func(c *config) { c.globals = append(c.globals, globals...) }
}

// New starts an Env; the test's cleanup stops it.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	e := &Env{t: t, loop: jsloop.New(), timers: make(map[*time.Timer]struct{})}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.loop.OnPanic = func(r any, stack []byte) { t.Errorf("panic on the loop: %v\n%s", r, stack) }
	t.Cleanup(e.stop)
	err := e.Do(func(rt *goja.Runtime) error {
		registry := require.NewRegistry()
		for _, m := range cfg.modules {
			if m.Load != nil {
				registry.RegisterNativeModule(m.Name, m.Load(e))
			}
		}
		registry.Enable(rt)
		if err := e.installTimers(); err != nil {
			return err
		}
		for _, g := range cfg.globals {
			if err := g.Install(rt, e); err != nil {
				return fmt.Errorf("install %s: %w", g.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("nodetest: %v", err)
	}
	return e
}

func (e *Env) stop() {
	e.mu.Lock()
	e.stopped = true
	for tm := range e.timers {
		tm.Stop()
	}
	e.mu.Unlock()
	e.cancel()
	e.loop.Stop()
}

// Do runs fn on the loop with the runtime and waits for it.
func (e *Env) Do(fn func(rt *goja.Runtime) error) error {
	done := make(chan error, 1)
	if !e.loop.Submit(func() {
		if e.rt == nil {
			e.rt = goja.New()
			e.rt.SetFieldNameMapper(goja.UncapFieldNameMapper())
		}
		done <- fn(e.rt)
	}) {
		return fmt.Errorf("nodetest: the loop has stopped")
	}
	return <-done
}

// Callback, Context and ReportError make the Env the modules' node.Host.
func (e *Env) Callback() func(fn func()) bool { return e.loop.Submit }

func (e *Env) Context() context.Context { return e.ctx }

// Dial connects without a guard; the connection closes when the Env stops.
func (e *Env) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	context.AfterFunc(e.ctx, func() { _ = conn.Close() })
	return conn, nil
}

func (e *Env) ReportError(err error) {
	e.t.Logf("reported: %v", err)
	e.mu.Lock()
	e.reported = append(e.reported, err)
	e.mu.Unlock()
}

// Reported returns the errors reported so far.
func (e *Env) Reported() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.reported...)
}

// installTimers defines setTimeout, clearTimeout and setImmediate: a
// callback runs on the loop once its delay has passed.
func (e *Env) installTimers() error {
	rt := e.rt
	set := func(call goja.FunctionCall, delay time.Duration) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(rt.NewTypeError("callback must be a function"))
		}
		var args []goja.Value
		if len(call.Arguments) > 2 {
			args = call.Arguments[2:]
		}
		var tm *time.Timer
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.stopped {
			return goja.Undefined()
		}
		tm = time.AfterFunc(delay, func() {
			e.mu.Lock()
			_, live := e.timers[tm]
			delete(e.timers, tm)
			e.mu.Unlock()
			if !live {
				return
			}
			e.loop.Submit(func() {
				if _, err := fn(goja.Undefined(), args...); err != nil {
					e.ReportError(fmt.Errorf("timer callback: %w", err))
				}
			})
		})
		e.timers[tm] = struct{}{}
		return rt.ToValue(tm)
	}
	clear := func(call goja.FunctionCall) goja.Value {
		if tm, ok := call.Argument(0).Export().(*time.Timer); ok {
			e.mu.Lock()
			delete(e.timers, tm)
			e.mu.Unlock()
			tm.Stop()
		}
		return goja.Undefined()
	}
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{
		"setTimeout": func(call goja.FunctionCall) goja.Value {
			return set(call, time.Duration(call.Argument(1).ToFloat()*float64(time.Millisecond)))
		},
		"setImmediate": func(call goja.FunctionCall) goja.Value {
			args := append([]goja.Value{call.Argument(0), rt.ToValue(0)}, call.Arguments[min(1, len(call.Arguments)):]...)
			return set(goja.FunctionCall{This: call.This, Arguments: args}, 0)
		},
		"clearTimeout":   clear,
		"clearImmediate": clear,
	} {
		if err := rt.Set(name, fn); err != nil {
			return err
		}
	}
	return nil
}

// Eval runs src and returns its value as a string; a promise is awaited
// (callbacks queued on the loop run meanwhile). A thrown error or a
// rejection comes back as "throws: <String(error)>".
func (e *Env) Eval(src string) string {
	e.t.Helper()
	out := make(chan string, 1)
	e.loop.Submit(func() {
		res, err := e.rt.RunString(src)
		if err != nil {
			if ex, ok := err.(*goja.Exception); ok {
				out <- "throws: " + ex.Value().String()
				return
			}
			out <- "throws: " + err.Error()
			return
		}
		if obj, ok := res.(*goja.Object); ok {
			if _, ok := obj.Export().(*goja.Promise); ok {
				then, _ := goja.AssertFunction(obj.Get("then"))
				_, _ = then(obj,
					e.rt.ToValue(func(c goja.FunctionCall) goja.Value { out <- c.Argument(0).String(); return goja.Undefined() }),
					e.rt.ToValue(func(c goja.FunctionCall) goja.Value {
						out <- "throws: " + c.Argument(0).String()
						return goja.Undefined()
					}))
				return
			}
		}
		out <- res.String()
	})
	select {
	case s := <-out:
		return s
	case <-time.After(10 * time.Second):
		e.t.Fatalf("timed out evaluating %s", src)
		return ""
	}
}

// Case is a name, a snippet and the value Node 20 gives for it. It is an
// array, not a struct, so tables stay one short line per case.
type Case [3]string

// Run checks each case as a subtest of t.
func (e *Env) Run(t *testing.T, cases []Case) {
	t.Helper()
	for _, tc := range cases {
		name, src, want := tc[0], tc[1], tc[2]
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, want, e.Eval(src), "source: %s", src)
		})
	}
}
