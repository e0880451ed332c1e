package pluginhost

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"
)

// ErrNotJSONObject marks a message whose bytes are not a JSON object.
var ErrNotJSONObject = errors.New("message is not a JSON object")

// errVMGone is returned when a VM was discarded before it started the work;
// the pool then retries on another VM.
var errVMGone = errors.New("plugin VM was discarded")

// PluginError is a failure of plugin code: a thrown value, a rejected
// promise, a timeout or a result of the wrong shape.
type PluginError struct {
	Plugin   string // plugin name
	Function string // exported function, e.g. "processEvent"
	Message  string // "Error: message" as JavaScript's String(error) gives
	Stack    string // JavaScript stack, when the thrown value had one
	Retry    bool   // the thrown value is a RetryError (or a subclass)
	Timeout  bool   // the call exceeded its time limit
	// Limit names the limit the call went over (LimitTimeout, LimitMemory,
	// LimitCallStack, …), when that is why it failed.
	Limit string

	// interrupted: the runtime was stopped mid-flight, so the VM that ran
	// the call must be discarded.
	interrupted bool
}

func (e *PluginError) Error() string { return errorPrefix(e.Plugin, e.Function) + e.Message }

// errorPrefix is how every error about a plugin begins:
// `plugin "name": what: `, what being a function or the step that failed.
func errorPrefix(plugin, what string) string { return fmt.Sprintf("plugin %q: %s: ", plugin, what) }

// pluginErrorf is fmt.Errorf behind errorPrefix, for host errors (not
// failures of plugin code, which are PluginErrors).
func pluginErrorf(plugin, what, format string, args ...any) error {
	return fmt.Errorf("%s"+format, append([]any{errorPrefix(plugin, what)}, args...)...)
}

// IsRetry reports whether err asks for a retry: a RetryError or a timeout.
func IsRetry(err error) bool {
	var pe *PluginError
	return errors.As(err, &pe) && (pe.Retry || pe.Timeout)
}

// pluginError turns whatever a plugin call produced (a goja exception, an
// interrupt, a rejected value) into a *PluginError.
func (v *vm) pluginError(function string, err error) *PluginError {
	pe := &PluginError{Plugin: v.plugin.manifest.Name, Function: function}
	var interrupted *goja.InterruptedError
	var exception *goja.Exception
	var overflow *goja.StackOverflowError
	switch {
	case errors.As(err, &interrupted):
		pe.setInterrupted(interrupted)
	case errors.As(err, &overflow):
		pe.Limit = LimitCallStack
		pe.Message = fmt.Sprintf("RangeError: maximum call stack size exceeded (the plugin runtime allows %d frames)", maxCallStackSize)
		pe.Stack = overflow.Error()
	case errors.As(err, &exception):
		v.describeThrown(pe, exception.Value())
		if pe.Stack == "" && !pe.interrupted {
			_ = v.catchJS(func() error { pe.Stack = exception.String(); return nil })
		}
	default:
		pe.Message = err.Error()
	}
	pe.Message = v.plugin.config.Redact(pe.Message)
	pe.Stack = v.plugin.config.Redact(pe.Stack)
	return pe
}

func (v *vm) rejectionError(function string, value goja.Value) *PluginError {
	pe := &PluginError{Plugin: v.plugin.manifest.Name, Function: function}
	v.describeThrown(pe, value)
	pe.Message = v.plugin.config.Redact(pe.Message)
	pe.Stack = v.plugin.config.Redact(pe.Stack)
	return pe
}

// setInterrupted describes a call stopped by the watchdog: the limit it
// went over, and that its VM is to be discarded.
func (pe *PluginError) setInterrupted(stop *goja.InterruptedError) {
	pe.interrupted = true
	pe.Limit, pe.Message = LimitTimeout, fmt.Sprint(stop.Value())
	if i, ok := stop.Value().(*interruption); ok {
		pe.Limit = i.limit
	}
	pe.Timeout = pe.Limit == LimitTimeout
}

// describeThrown fills pe from a thrown value. Its toString, a stack getter
// or a proxy run plugin code: what they throw gives a placeholder, and an
// interrupt (a toString that never returns) makes pe that interrupt.
func (v *vm) describeThrown(pe *PluginError, value goja.Value) {
	if value == nil {
		pe.Message = "undefined"
		return
	}
	err := v.catchJS(func() error {
		pe.Message = value.String()
		if obj, ok := value.(*goja.Object); ok {
			if stack := obj.Get("stack"); stack != nil && !goja.IsUndefined(stack) {
				pe.Stack = stack.String()
			}
			pe.Retry = v.isRetryError(obj)
		}
		return nil
	})
	var stop *goja.InterruptedError
	switch {
	case errors.As(err, &stop):
		pe.setInterrupted(stop)
	case err != nil && pe.Message == "":
		pe.Message = "[value that cannot be converted to a string]"
	}
}

func (v *vm) isRetryError(obj *goja.Object) bool {
	res, err := v.isRetryErrorFn(goja.Undefined(), obj)
	return err == nil && res.ToBoolean()
}

// safeString is String(value) that cannot fail (a throwing toString gives a
// placeholder instead of a second error). An interrupt or a stack overflow
// goes on up: the call must stop.
func safeString(value goja.Value) (s string) {
	defer func() {
		if r := recover(); r != nil {
			switch r.(type) {
			case *goja.InterruptedError, *goja.StackOverflowError:
				panic(r)
			}
			s = "[value that cannot be converted to a string]"
		}
	}()
	return value.String()
}

// firstLine shortens a stack to its message line for one-line logs.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
