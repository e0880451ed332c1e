// Package genericpool serves the generic-pool package (v3 API) to plugins:
// createPool(factory, options) with acquire, release, destroy, use, drain
// and clear, written in JavaScript (genericpool.js). The original plugin
// server provided it to every plugin; exporters pool their clients with it.
package genericpool

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

//go:embed genericpool.js
var source string

var program = goja.MustCompile("generic-pool", source, true)

func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		node.RunJSModule(rt, program, module, nil)
	}
}

// Module serves require("generic-pool").
func Module() node.Module { return node.Module{Name: "generic-pool", Load: load} }
