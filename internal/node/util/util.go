// Package util is Node's util module: goja_nodejs' format completed in
// JavaScript (util.js) with inspect, promisify, callbackify, inherits,
// deprecate, types and isDeepStrictEqual.
package util

import (
	_ "embed"

	"github.com/dop251/goja"
	gojautil "github.com/dop251/goja_nodejs/util"

	"github.com/hogpipe/hogpipe/internal/node"

	"github.com/dop251/goja_nodejs/require"
)

// source is Node's util beyond goja_nodejs' format: inspect (Node's
// layout rules: depth 2, breakLength 80, compact 3, grouped long arrays,
// circular references), format with every placeholder, promisify (with
// util.promisify.custom), callbackify, inherits, deprecate, types,
// isDeepStrictEqual and the legacy is* predicates.
//
//go:embed util.js
var source string

var program = goja.MustCompile("node:util", source, true)

// load serves Node's util: goja_nodejs' module is loaded first, then
// the JavaScript above adds (and, for format, replaces) the rest.
func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		gojautil.Require(rt, module)
		host := rt.NewObject()
		_ = host.Set("promiseState", func(call goja.FunctionCall) goja.Value {
			obj, ok := call.Argument(0).(*goja.Object)
			if !ok {
				return rt.ToValue([]any{"pending"})
			}
			p, ok := obj.Export().(*goja.Promise)
			if !ok {
				return rt.ToValue([]any{"pending"})
			}
			switch p.State() {
			case goja.PromiseStateFulfilled:
				return rt.ToValue([]any{"fulfilled", p.Result()})
			case goja.PromiseStateRejected:
				return rt.ToValue([]any{"rejected", p.Result()})
			}
			return rt.ToValue([]any{"pending"})
		})
		node.RunJSModule(rt, program, module, host)
	}
}

// Module serves require("util").
func Module() node.Module { return node.Module{Name: "util", Load: load} }
