package pluginhost

import (
	"context"
	"testing"
	"time"

	"github.com/dop251/goja"
	gojarequire "github.com/dop251/goja_nodejs/require"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/jsloop"
	"github.com/hogpipe/hogpipe/internal/testutil"
)

// moduleTestVM is a VM with the host modules and globals but no plugin
// code, for running snippets with moduleEval.
func moduleTestVM(t testing.TB) *vm {
	t.Helper()
	p := &Plugin{
		manifest: &Manifest{Name: "module-test"},
		modules:  hostModules,
		opts:     Options{Timeout: 10 * time.Second, Now: time.Now, VMs: 1, EventConcurrency: 1},
		log:      &testutil.Logger{T: t},
	}
	v := &vm{
		plugin:    p,
		loop:      jsloop.New(),
		inflight:  make(map[*call]struct{}),
		unhandled: make(map[*goja.Promise]goja.Value),
	}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	done := make(chan error, 1)
	v.loop.Submit(func() {
		v.rt = goja.New()
		v.rt.SetFieldNameMapper(goja.UncapFieldNameMapper())
		v.rt.SetAsyncContextTracker(v)
		v.rt.SetPromiseRejectionTracker(v.trackRejection)
		registry := gojarequire.NewRegistry()
		for name, module := range p.modules {
			if module.loader != nil {
				registry.RegisterNativeModule(name, module.loader(v))
			}
		}
		registry.Enable(v.rt)
		done <- v.installGlobals()
	})
	require.NoError(t, <-done)
	t.Cleanup(func() {
		v.loop.Submit(func() { v.dead = true })
		v.cancel()
		v.loop.Stop()
	})
	return v
}

// moduleEval runs src on v's loop and returns its value as a string; a
// promise is awaited (callbacks scheduled on the loop run meanwhile). A
// thrown error or rejection comes back as "throws: <String(error)>".
func moduleEval(t testing.TB, v *vm, src string) string {
	t.Helper()
	out := make(chan string, 1)
	v.loop.Submit(func() {
		res, err := v.rt.RunString(src)
		if err != nil {
			if ex, ok := err.(*goja.Exception); ok {
				out <- "throws: " + ex.Value().String()
				return
			}
			out <- "throws: " + err.Error()
			return
		}
		if obj, ok := res.(*goja.Object); ok {
			if p, ok := obj.Export().(*goja.Promise); ok {
				then, _ := goja.AssertFunction(obj.Get("then"))
				_, _ = then(obj,
					v.rt.ToValue(func(c goja.FunctionCall) goja.Value { out <- c.Argument(0).String(); return goja.Undefined() }),
					v.rt.ToValue(func(c goja.FunctionCall) goja.Value {
						out <- "throws: " + c.Argument(0).String()
						return goja.Undefined()
					}))
				_ = p
				return
			}
		}
		out <- res.String()
	})
	select {
	case s := <-out:
		return s
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out evaluating %s", src)
		return ""
	}
}

// moduleCase is one snippet and the value Node 20 gives for it.
type moduleCase struct {
	name string
	src  string
	want string
}

func moduleRunCases(t *testing.T, cases []moduleCase) {
	t.Helper()
	v := moduleTestVM(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, moduleEval(t, v, tc.src), "source: %s", tc.src)
		})
	}
}
