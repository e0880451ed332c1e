// Package querystring is Node's querystring module (parse, stringify,
// escape, unescape), written in JavaScript (querystring.js).
package querystring

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

// source is Node's querystring: parse (a null-prototype object,
// repeated keys become arrays, "+" is a space, malformed escapes are kept),
// stringify, escape and unescape.
//
//go:embed querystring.js
var source string

var program = goja.MustCompile("node:querystring", source, true)

// load serves Node's querystring.
func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		node.RunJSModule(rt, program, module, nil)
	}
}

// Module serves require("querystring").
func Module() node.Module { return node.Module{Name: "querystring", Load: load} }
