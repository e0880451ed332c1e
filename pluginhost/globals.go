package pluginhost

import (
	"fmt"
	"unicode/utf8"

	"github.com/dop251/goja"
	gojabuffer "github.com/dop251/goja_nodejs/buffer"

	nodebuffer "github.com/hogpipe/hogpipe/internal/node/buffer"
)

// preludeSource defines the globals that are simplest in JavaScript. It runs
// once per VM and returns the helpers the host needs.
const preludeSource = `(function (global, host) {
  "use strict";
  class RetryError extends Error {
    constructor(message) { super(message); this.name = "RetryError"; }
  }
  class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") { return new Uint8Array(host.utf8Encode(String(input))); }
  }
  class TextDecoder {
    constructor(label = "utf-8") {
      const l = String(label).toLowerCase();
      if (l !== "utf-8" && l !== "utf8") throw new RangeError("TextDecoder: only utf-8 is supported, not " + label);
    }
    get encoding() { return "utf-8"; }
    decode(input) { return input === undefined ? "" : host.utf8Decode(input); }
  }
  for (const [name, value] of Object.entries({ RetryError, TextEncoder, TextDecoder })) {
    Object.defineProperty(global, name, { value, writable: true, configurable: true });
  }
  return { isRetryError: (e) => e instanceof RetryError };
})`

var preludeProgram = goja.MustCompile("hogpipe:prelude", preludeSource, true)

// installGlobals sets up the globals plugins expect: console, posthog,
// RetryError, Buffer, URL, URLSearchParams, TextEncoder and TextDecoder.
func (v *vm) installGlobals() error {
	rt := v.rt
	if err := nodebuffer.Global().Install(rt, v); err != nil {
		return err
	}
	if err := v.installURL(); err != nil {
		return err
	}
	if err := rt.Set("console", v.consoleObject()); err != nil {
		return err
	}
	if err := rt.Set("posthog", v.posthogObject()); err != nil {
		return err
	}

	host := rt.NewObject()
	_ = host.Set("utf8Encode", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(rt.NewArrayBuffer([]byte(call.Argument(0).String())))
	})
	_ = host.Set("utf8Decode", func(call goja.FunctionCall) goja.Value {
		b := gojabuffer.Bytes(rt, call.Argument(0))
		if !utf8.Valid(b) {
			b = []byte(string([]rune(string(b))))
		}
		return rt.ToValue(string(b))
	})
	preludeFn, err := rt.RunProgram(preludeProgram)
	if err != nil {
		return fmt.Errorf("prelude: %w", err)
	}
	run, _ := goja.AssertFunction(preludeFn)
	helpers, err := run(goja.Undefined(), rt.GlobalObject(), host)
	if err != nil {
		return fmt.Errorf("prelude: %w", err)
	}
	isRetry, ok := goja.AssertFunction(helpers.ToObject(rt).Get("isRetryError"))
	if !ok {
		return fmt.Errorf("prelude: isRetryError missing")
	}
	v.isRetryErrorFn = isRetry
	if err := v.installExtraGlobals(); err != nil {
		return err
	}
	return v.installAsyncGlobals()
}
