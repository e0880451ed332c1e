// Package path is Node's path module, POSIX flavour (path.win32 is
// refused), written in JavaScript (path.js). A plugin has no working
// directory of its own: resolve starts from "/".
package path

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

//go:embed path.js
var source string

var program = goja.MustCompile("node:path", source, true)

func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		node.RunJSModule(rt, program, module, nil)
	}
}

// Module serves require("path").
func Module() node.Module { return node.Module{Name: "path", Load: load} }
