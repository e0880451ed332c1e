package pluginhost

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

// contribSource is @posthog/plugin-contrib (0.0.5): createBuffer collects
// objects with a weight ("points", 1 by default) and hands them to onFlush
// when adding one would pass limit, when one pushes the total over it, or
// timeoutSeconds after the first object of a batch. The returned object
// keeps the package's field and method names (_buffer, _timeout, _points,
// _options, add, flush) since plugins read them. The timer is the global
// setTimeout, as in the package.
//
//go:embed contrib.js
var contribSource string

var contribProgram = goja.MustCompile("hogpipe:plugin-contrib", contribSource, true)

// contribModule serves @posthog/plugin-contrib.
func contribModule() node.Module {
	return node.Module{Name: "@posthog/plugin-contrib", Load: func(node.Host) require.ModuleLoader {
		return func(rt *goja.Runtime, module *goja.Object) {
			node.RunJSModule(rt, contribProgram, module, nil)
		}
	}}
}
