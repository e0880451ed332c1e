// Package stringdecoder is Node's string_decoder module, written in
// JavaScript (stringdecoder.js): StringDecoder keeps the bytes of a
// character split across writes until the rest arrives.
package stringdecoder

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

//go:embed stringdecoder.js
var source string

var program = goja.MustCompile("node:string_decoder", source, true)

func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		node.RunJSModule(rt, program, module, nil)
	}
}

// Module serves require("string_decoder").
func Module() node.Module { return node.Module{Name: "string_decoder", Load: load} }
