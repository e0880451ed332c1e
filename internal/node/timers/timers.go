// Package timers is Node's timers module and timers/promises, written in
// JavaScript (timers.js) over the runtime's global timer functions, so a
// timer made through the module belongs to the runtime like any other.
package timers

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

//go:embed timers.js
var source string

var program = goja.MustCompile("node:timers", source, true)

func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		node.RunJSModule(rt, program, module, nil)
	}
}

// Module serves require("timers").
func Module() node.Module { return node.Module{Name: "timers", Load: load} }

// PromisesModule serves require("timers/promises"); it needs Module too.
func PromisesModule() node.Module {
	return node.Module{Name: "timers/promises", Load: func(_ node.Host) require.ModuleLoader {
		return func(rt *goja.Runtime, module *goja.Object) {
			timers := require.Require(rt, "timers").ToObject(rt)
			_ = module.Set("exports", timers.Get("promises"))
		}
	}}
}
