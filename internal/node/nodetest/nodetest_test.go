package nodetest

import (
	"testing"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

func TestEnv(t *testing.T) {
	answer := node.Module{Name: "answer", Load: func(h node.Host) require.ModuleLoader {
		return func(rt *goja.Runtime, module *goja.Object) {
			_ = module.Get("exports").(*goja.Object).Set("later", func(call goja.FunctionCall) goja.Value {
				cb, _ := goja.AssertFunction(call.Argument(0))
				queue := h.Callback()
				go queue(func() { _, _ = cb(goja.Undefined(), rt.ToValue(42)) })
				return goja.Undefined()
			})
		}
	}}
	greeting := node.Global{Name: "greeting", Install: func(rt *goja.Runtime, _ node.Host) error {
		return rt.Set("greeting", "hi")
	}}
	e := New(t, Modules(answer), Globals(greeting))
	e.Run(t, []Case{
		{"global", `greeting`, "hi"},
		{"callback", `new Promise((r) => require('answer').later(r))`, "42"},
		{"timer", `new Promise((r) => setTimeout(r, 1, 'done'))`, "done"},
		{"cleared timer", `new Promise((r) => { clearTimeout(setTimeout(() => r('late'), 1)); setTimeout(() => r('cleared'), 5) })`, "cleared"},
		{"immediate", `new Promise((r) => setImmediate(r, 'now'))`, "now"},
		{"throws", `(() => { throw new TypeError('no') })()`, "throws: TypeError: no"},
		{"rejects", `Promise.reject(new Error('no'))`, "throws: Error: no"},
	})
}
