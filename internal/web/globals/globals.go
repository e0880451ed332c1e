// Package globals defines the small web globals: TextEncoder and
// TextDecoder (UTF-8 only), and DOMException, queueMicrotask and
// structuredClone with Node's errors.
package globals

import (
	_ "embed"
	"unicode/utf8"

	"github.com/dop251/goja"
	gojabuffer "github.com/dop251/goja_nodejs/buffer"

	"github.com/hogpipe/hogpipe/internal/node"
)

// coreSource defines structuredClone, queueMicrotask and (when no
// one else has) DOMException, with Node's errors.
//
//go:embed core.js
var coreSource string

var coreProgram = goja.MustCompile("web:core", coreSource, true)

// Core defines DOMException (unless the runtime has one), queueMicrotask
// and structuredClone.
func Core() node.Global {
	return node.Global{Name: "structuredClone", Install: func(rt *goja.Runtime, _ node.Host) error {
		fn, err := node.Function(rt, coreProgram)
		if err != nil {
			return err
		}
		_, err = fn(goja.Undefined(), rt.GlobalObject())
		return err
	}}
}

// textSource defines TextEncoder and TextDecoder on host's UTF-8 helpers.
//
//go:embed text.js
var textSource string

var textProgram = goja.MustCompile("web:text", textSource, true)

// Text defines TextEncoder and TextDecoder, for UTF-8 (the one encoding
// plugins use); TextDecoder replaces invalid bytes as Node does.
func Text() node.Global {
	return node.Global{Name: "TextEncoder", Install: func(rt *goja.Runtime, _ node.Host) error {
		host := rt.NewObject()
		_ = host.Set("utf8Encode", func(call goja.FunctionCall) goja.Value {
			return rt.ToValue(rt.NewArrayBuffer([]byte(call.Argument(0).String())))
		})
		_ = host.Set("utf8Decode", func(call goja.FunctionCall) goja.Value {
			b := gojabuffer.Bytes(rt, call.Argument(0))
			if !utf8.Valid(b) {
				b = []byte(string([]rune(string(b))))
			}
			return rt.ToValue(string(b))
		})
		fn, err := node.Function(rt, textProgram)
		if err != nil {
			return err
		}
		_, err = fn(goja.Undefined(), rt.GlobalObject(), host)
		return err
	}}
}
