package pluginhost

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/node"
	nodebuffer "github.com/hogpipe/hogpipe/internal/node/buffer"
	webglobals "github.com/hogpipe/hogpipe/internal/web/globals"
	webintl "github.com/hogpipe/hogpipe/internal/web/intl"
	weburl "github.com/hogpipe/hogpipe/internal/web/url"
)

// preludeSource defines the globals that are simplest in JavaScript. It runs
// once per VM and returns the helpers the host needs.
const preludeSource = `(function (global) {
  "use strict";
  class RetryError extends Error {
    constructor(message) { super(message); this.name = "RetryError"; }
  }
  for (const [name, value] of Object.entries({ RetryError })) {
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
	if err := weburl.Global().Install(rt, v); err != nil {
		return err
	}
	if err := rt.Set("console", v.consoleObject()); err != nil {
		return err
	}
	if err := rt.Set("posthog", v.posthogObject()); err != nil {
		return err
	}

	for _, g := range []node.Global{webglobals.Text(), webglobals.Core()} {
		if err := g.Install(rt, v); err != nil {
			return fmt.Errorf("install %s: %w", g.Name, err)
		}
	}
	preludeFn, err := rt.RunProgram(preludeProgram)
	if err != nil {
		return fmt.Errorf("prelude: %w", err)
	}
	run, _ := goja.AssertFunction(preludeFn)
	helpers, err := run(goja.Undefined(), rt.GlobalObject())
	if err != nil {
		return fmt.Errorf("prelude: %w", err)
	}
	isRetry, ok := goja.AssertFunction(helpers.ToObject(rt).Get("isRetryError"))
	if !ok {
		return fmt.Errorf("prelude: isRetryError missing")
	}
	v.isRetryErrorFn = isRetry
	if err := webintl.Global().Install(rt, v); err != nil {
		return err
	}
	return v.installAsyncGlobals()
}

// installAsyncGlobals defines the timer globals, fetch with its classes
// and posthog.api.
func (v *vm) installAsyncGlobals() error {
	if err := v.installTimers(); err != nil {
		return err
	}
	if err := v.plugin.fetch.Enable(v.rt, v); err != nil {
		return err
	}
	return v.installPostHogAPI()
}
