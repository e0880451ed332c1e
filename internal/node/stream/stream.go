// Package stream is Node's stream module: Readable, Writable, Duplex,
// Transform, PassThrough, pipeline, finished and promises, written in
// JavaScript (stream.js) on the events module.
package stream

import (
	_ "embed"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

// source is a compact Node stream: Readable, Writable, Duplex,
// Transform and PassThrough with the events, flow control and piping that
// plugins rely on (a PassThrough piped into an upload body, gzip streams,
// for await over a Readable), plus pipeline, finished and promises.
// Events that Node emits on a later tick are deferred to a microtask here.
//
//go:embed stream.js
var source string

var program = goja.MustCompile("node:stream", source, true)

// load serves Node's stream; module.exports is the legacy Stream
// class carrying Readable, Writable, Duplex, Transform, PassThrough,
// pipeline, finished and promises, as in Node.
func load(_ node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		node.RunJSModule(rt, program, module, nil)
	}
}

// Module serves require("stream").
func Module() node.Module { return node.Module{Name: "stream", Load: load} }
