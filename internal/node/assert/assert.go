// Package assert is Node's assert module (the common checks and
// AssertionError), written in JavaScript (assert.js). Default messages
// quote the values; Node's source excerpts and diffs are not reproduced.
package assert

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

//go:embed assert.js
var source string

var program = goja.MustCompile("node:assert", source, true)

func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		node.RunJSModule(rt, program, module, nil)
	}
}

// Module serves require("assert").
func Module() node.Module { return node.Module{Name: "assert", Load: load} }
