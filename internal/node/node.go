// Package node is the contract between the Node modules and web globals a
// plugin runtime serves (the packages under internal/node and internal/web)
// and the host that runs them (pluginhost): the Host interface, the shapes
// of a module and of a global, and the loader for modules written in
// JavaScript. It knows nothing of PostHog plugins.
package node

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
)

// Host is what a module needs from the runtime it runs in. Every method is
// called on the runtime's loop, from JavaScript calling into Go.
type Host interface {
	// Callback reserves a later turn of the loop for the call running now:
	// the function it returns queues fn to run on the loop as part of that
	// call. It may be used from any goroutine, and reports false when the
	// runtime has gone (fn then never runs). Async work (a callback, a
	// promise settled from Go) resolves through it.
	Callback() func(fn func()) bool
	// Context bounds Go work started by the call running now (its I/O): it
	// ends at the call's deadline or when the runtime goes.
	Context() context.Context
	// ReportError logs an error no caller can receive, such as a callback
	// that threw on a later turn of the loop.
	ReportError(err error)
}

// Dialer is a Host that opens network connections for modules speaking a
// protocol of their own (a database driver): through the runtime's outbound
// guard, and closed when the runtime goes even if the module forgets them.
type Dialer interface {
	Dial(ctx context.Context, network, addr string) (net.Conn, error)
}

// Module is a module plugins import by Name. Load builds its loader for one
// runtime; a nil Load means goja_nodejs serves it as a core module.
type Module struct {
	Name string
	Load func(h Host) require.ModuleLoader
}

// Global installs a family of globals (URL and URLSearchParams, Intl, …)
// into a runtime before any plugin code runs.
type Global struct {
	Name    string
	Install func(rt *goja.Runtime, h Host) error
}

// Function runs program, which must evaluate to a function, and returns it;
// a JavaScript module's source is such a function expression, so it can be
// checked and edited as a file of its own.
func Function(rt *goja.Runtime, program *goja.Program) (goja.Callable, error) {
	val, err := rt.RunProgram(program)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(val)
	if !ok {
		return nil, errors.New("host program does not evaluate to a function")
	}
	return fn, nil
}

// RunJSModule fills module.exports by running a module written in
// JavaScript: program evaluates to function (module, exports, require,
// host), and host carries the module's Go helpers (nil for none). A failure
// panics, which require turns into an exception for the importer.
func RunJSModule(rt *goja.Runtime, program *goja.Program, module *goja.Object, host *goja.Object) {
	fn, err := Function(rt, program)
	if err != nil {
		panic(err)
	}
	var hostVal goja.Value = goja.Undefined()
	if host != nil {
		hostVal = host
	}
	if _, err := fn(goja.Undefined(), module, module.Get("exports"), rt.Get("require"), hostVal); err != nil {
		panic(err)
	}
}

// Received describes a wrong argument the way Node's messages end.
func Received(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return " Received undefined"
	case goja.IsNull(v):
		return " Received null"
	}
	switch x := v.Export().(type) {
	case int64, float64:
		return fmt.Sprintf(" Received type number (%s)", v.String())
	case bool:
		return fmt.Sprintf(" Received type boolean (%v)", x)
	case string:
		if len(x) > 25 {
			x = x[:25] + "..."
		}
		return fmt.Sprintf(" Received type string ('%s')", x)
	}
	if _, ok := v.(*goja.Object); ok {
		return " Received an instance of " + ctorName(v.(*goja.Object))
	}
	return " Received " + v.String()
}

func ctorName(obj *goja.Object) string {
	if ctor, ok := obj.Get("constructor").(*goja.Object); ok {
		if n := ctor.Get("name"); n != nil && n.String() != "" {
			return n.String()
		}
	}
	return "Object"
}

type callerKey struct{}

// WithCaller names in ctx the call that work is done for, so a module can
// say which one in a message ("reason: processEvent timed out").
func WithCaller(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, callerKey{}, name)
}

// Caller is the name WithCaller put in ctx, or "".
func Caller(ctx context.Context) string {
	name, _ := ctx.Value(callerKey{}).(string)
	return name
}

// BodyBytes copies the bytes of a request body a plugin gave: a string (as
// UTF-8), a Buffer, a typed array or an ArrayBuffer. ok is false for any
// other value.
func BodyBytes(rt *goja.Runtime, v goja.Value) (body []byte, ok bool) {
	switch x := v.Export().(type) {
	case string:
		return []byte(x), true
	case []byte:
		return append([]byte(nil), x...), true
	case goja.ArrayBuffer:
		return append([]byte(nil), x.Bytes()...), true
	}
	var raw []byte
	if err := rt.ExportTo(v, &raw); err != nil {
		return nil, false
	}
	return append([]byte(nil), raw...), true
}
