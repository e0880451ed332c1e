// Package events is Node's events module: EventEmitter, once, listenerCount
// and errorMonitor, written in JavaScript (events.js).
package events

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

// source is Node's EventEmitter. It is a plain constructor function,
// not a class, so the pre-ES2015 pattern EventEmitter.call(this) with
// util.inherits keeps working; module.exports is the constructor, as in Node.
//
//go:embed events.js
var source string

var program = goja.MustCompile("node:events", source, true)

// load serves Node's events: module.exports is EventEmitter itself,
// with EventEmitter.EventEmitter, once, listenerCount and errorMonitor.
func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		node.RunJSModule(rt, program, module, nil)
	}
}

// Module serves require("events").
func Module() node.Module { return node.Module{Name: "events", Load: load} }
