package pluginhost

import (
	"errors"
	"fmt"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/jsjson"
	"github.com/hogpipe/hogpipe/internal/node"
)

// What one VM may take. goja bounds none of this by itself: a plugin could
// recurse until the Go stack overflows (which kills the process, no recover),
// hold a timer or a socket for every event, or hand back an event that takes
// more memory to serialise than the host has. Each limit fails the call (or
// throws in the plugin) with an error that names it; the process goes on.
const (
	// maxCallStackSize bounds JavaScript call depth, native calls included.
	// It is lower than Node's (~10,800 frames) because goja unwinds a stack
	// overflow through native frames (function f() { [0].forEach(f) }) in
	// time quadratic in the depth: 2,500 frames unwind in well under a second.
	maxCallStackSize = 2500
	// maxJSONDepth bounds the nesting of JSON the host decodes (events) and
	// of text given to JSON.parse, whose goja implementation recurses once
	// per level with no limit (a 3 MB "[[[[…" overflows the Go stack).
	maxJSONDepth = 1000
	// maxTimers bounds the pending setTimeout/setInterval/setImmediate
	// callbacks of one VM.
	maxTimers = 1000
	// maxFetchInFlight bounds the requests one VM has open at once.
	maxFetchInFlight = 100
	// maxEventBytes bounds the JSON of one event a plugin returns (and of a
	// webhook body), and maxArrayLength the length of any array in it: a
	// sparse array of length 2^32-1 costs nothing to make and 4 G "null"s
	// to serialise.
	maxEventBytes  = 16 << 20
	maxArrayLength = 1 << 20
	// DefaultMaxMemory is the default memory budget of one VM (see
	// Options.MaxMemory).
	DefaultMaxMemory = 512 << 20
)

// The limits a PluginError can name.
const (
	LimitTimeout   = "timeout"
	LimitMemory    = "max_memory"
	LimitCallStack = "call stack size"
	// LimitEventSize and LimitArrayLength bound what a value serialises to.
	LimitEventSize   = "event size"
	LimitArrayLength = "array length"
)

// interruption is the value a VM is interrupted with (goja.Runtime.Interrupt)
// when a call goes over a limit: its String is the error message.
type interruption struct {
	limit   string
	message string
}

func (i *interruption) String() string { return i.message }

// jsonParseGuard makes JSON.parse refuse text nested deeper than maxJSONDepth
// before goja's recursive decoder sees it (everything else is goja's own),
// and bounds JSON.stringify likewise.
func jsonParseGuard(rt *goja.Runtime, _ node.Host) error {
	jsonObj, ok := rt.Get("JSON").(*goja.Object)
	if !ok {
		return fmt.Errorf("no JSON object")
	}
	parse, ok := goja.AssertFunction(jsonObj.Get("parse"))
	if !ok {
		return fmt.Errorf("JSON.parse is not a function")
	}
	rangeError := rt.Get("RangeError")
	guarded := rt.ToValue(func(call goja.FunctionCall) goja.Value {
		// Convert once here, so a toString() with side effects runs once
		// and the text checked is the text parsed.
		text := call.Argument(0).ToString()
		if jsjson.DepthExceeds(text.String(), maxJSONDepth) {
			e, err := rt.New(rangeError, rt.ToValue(fmt.Sprintf(
				"JSON.parse: the text nests arrays and objects deeper than %d levels, the limit of the plugin runtime", maxJSONDepth)))
			if err != nil {
				panic(err)
			}
			panic(e)
		}
		res, err := parse(call.This, text, call.Argument(1))
		if err != nil {
			panic(err)
		}
		return res
	}).(*goja.Object)
	if err := defineLikeBuiltin(rt, jsonObj, "parse", 2, guarded); err != nil {
		return err
	}
	return jsonStringifyGuard(rt, jsonObj)
}

// jsonStringifyGuard makes JSON.stringify refuse values nested deeper than
// maxJSONDepth. goja's stringify recurses in Go once per level, checking for
// cycles in time linear in the depth: a million nested arrays, cheap to
// build, take hours to serialise and then overflow the Go stack. The guard
// is a replacer (wrapping the plugin's own, if any) that knows each value's
// depth from its holder's; the output is goja's. An allowlist replacer (an
// array) leaves the call unguarded: a function cannot give its key order.
func jsonStringifyGuard(rt *goja.Runtime, jsonObj *goja.Object) error {
	stringify, ok := goja.AssertFunction(jsonObj.Get("stringify"))
	if !ok {
		return fmt.Errorf("JSON.stringify is not a function")
	}
	rangeError := rt.Get("RangeError")
	guarded := rt.ToValue(func(call goja.FunctionCall) goja.Value {
		value, replacer, space := call.Argument(0), call.Argument(1), call.Argument(2)
		own, isFunc := goja.AssertFunction(replacer)
		if !isFunc && !goja.IsUndefined(replacer) && !goja.IsNull(replacer) {
			if obj, isObj := replacer.(*goja.Object); isObj && obj.ClassName() == "Array" {
				res, err := stringify(call.This, value, replacer, space)
				if err != nil {
					panic(err)
				}
				return res
			}
		}
		depths := make(map[*goja.Object]int)
		guard := rt.ToValue(func(fc goja.FunctionCall) goja.Value {
			depth := 0
			if holder, ok := fc.This.(*goja.Object); ok {
				depth = depths[holder] // the root's holder is not in the map: 0
			}
			v := fc.Argument(1)
			if isFunc {
				var err error
				if v, err = own(fc.This, fc.Argument(0), v); err != nil {
					panic(err)
				}
			}
			if obj, ok := v.(*goja.Object); ok {
				if depth >= maxJSONDepth {
					e, err := rt.New(rangeError, rt.ToValue(fmt.Sprintf(
						"JSON.stringify: the value nests arrays and objects deeper than %d levels, the limit of the plugin runtime", maxJSONDepth)))
					if err != nil {
						panic(err)
					}
					panic(e)
				}
				depths[obj] = depth + 1
			}
			return v
		})
		res, err := stringify(call.This, value, guard, space)
		if err != nil {
			panic(err)
		}
		return res
	}).(*goja.Object)
	return defineLikeBuiltin(rt, jsonObj, "stringify", 3, guarded)
}

// defineLikeBuiltin puts fn on obj as name, with the name, length and
// attributes of a built-in method.
func defineLikeBuiltin(rt *goja.Runtime, obj *goja.Object, name string, length int, fn *goja.Object) error {
	_ = fn.DefineDataProperty("name", rt.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = fn.DefineDataProperty("length", rt.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return obj.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// guard runs host code that reads values a plugin made after the plugin's
// function returned: encoding a returned event, reading a webhook. goja's Go
// API runs plugin code there too (toJSON, getters, proxy traps, toString),
// so guard runs it under c's deadline, as the call itself ran, and turns
// what that code throws, or an interrupt, into an error naming what failed.
// An interrupt discards the VM; on a discarded VM no plugin code runs.
func (v *vm) guard(c *call, what string, fn func() error) error {
	if v.dead {
		return &PluginError{Plugin: v.plugin.manifest.Name, Function: what, Timeout: true, interrupted: true,
			Message: "VM discarded before the host could read the result"}
	}
	prevDeadline, prevTimeout := v.watchdog.enter(c.deadline, c.timeout)
	err := v.catchJS(fn)
	v.watchdog.restore(prevDeadline, prevTimeout)
	if err == nil {
		return nil
	}
	var limit *limitError
	var pe *PluginError
	switch {
	case errors.As(err, &limit):
		return &PluginError{Plugin: v.plugin.manifest.Name, Function: what, Limit: limit.limit, Message: limit.message}
	case errors.As(err, &pe):
		return err
	}
	pe = v.pluginError(what, err)
	if pe.interrupted {
		if pe.Timeout {
			pe.Message = fmt.Sprintf("%s timed out after %s", c.function, c.timeout)
		}
		v.discard(pe)
	}
	return pe
}

// catchJS runs fn, which uses goja's Go API from outside any JavaScript
// call, and returns as an error what plugin code reached from there threw:
// those calls panic with it. The runtime's state is restored (Runtime.Try)
// before an interrupt or a stack overflow, which Try passes on, is caught.
func (v *vm) catchJS(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch x := r.(type) {
			case *goja.InterruptedError:
				err = x
			case *goja.StackOverflowError:
				err = x
			default:
				panic(r)
			}
		}
	}()
	if ex := v.rt.Try(func() { err = fn() }); ex != nil {
		return ex
	}
	return err
}

// interrupted reports whether err is a call's failure that stopped the
// runtime: its VM is being discarded and its values must not be read.
func interrupted(err error) bool {
	if err == nil {
		return false
	}
	var pe *PluginError
	return errors.As(err, &pe) && pe.interrupted
}
