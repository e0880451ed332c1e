// Package buffer completes goja_nodejs' Buffer with Node's other string
// encodings and the static methods plugins use, and holds the byte helpers
// other modules share: Node's encodings (goja_nodejs' Buffer knows only hex,
// utf8 and base64) and the reading of Buffer, TypedArray, DataView and
// ArrayBuffer arguments.
package buffer

import (
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
	gojabuffer "github.com/dop251/goja_nodejs/buffer"
	nodeerrors "github.com/dop251/goja_nodejs/errors"

	"github.com/hogpipe/hogpipe/internal/node"
)

var (
	typeBytes       = reflect.TypeOf([]byte(nil))
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
)

// normalizeEncoding maps Node's encoding names (any case) to one
// spelling; it returns "" for an unknown encoding.
func normalizeEncoding(enc string) string {
	switch strings.ToLower(enc) {
	case "utf8", "utf-8":
		return "utf8"
	case "hex":
		return "hex"
	case "base64":
		return "base64"
	case "base64url":
		return "base64url"
	case "latin1", "binary":
		return "latin1"
	case "ascii":
		return "ascii"
	case "ucs2", "ucs-2", "utf16le", "utf-16le":
		return "utf16le"
	}
	return ""
}

// DecodeString turns s into bytes as Buffer.from(s, enc) does; an
// unknown or empty encoding means utf8.
func DecodeString(s, enc string) []byte {
	switch normalizeEncoding(enc) {
	case "hex":
		out := make([]byte, 0, len(s)/2)
		for i := 0; i+1 < len(s); i += 2 {
			b, err := hex.DecodeString(s[i : i+2])
			if err != nil {
				break
			}
			out = append(out, b[0])
		}
		return out
	case "base64", "base64url":
		return decodeBase64(s)
	case "latin1", "ascii":
		units := utf16.Encode([]rune(s))
		out := make([]byte, len(units))
		for i, u := range units {
			out[i] = byte(u)
		}
		return out
	case "utf16le":
		units := utf16.Encode([]rune(s))
		out := make([]byte, 2*len(units))
		for i, u := range units {
			out[2*i] = byte(u)
			out[2*i+1] = byte(u >> 8)
		}
		return out
	}
	return []byte(s)
}

// decodeBase64 is Node's lenient base64: both alphabets, padding
// optional, other characters skipped.
func decodeBase64(s string) []byte {
	var clean strings.Builder
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/':
			clean.WriteRune(r)
		case r == '-':
			clean.WriteByte('+')
		case r == '_':
			clean.WriteByte('/')
		case r == '=':
			goto done
		}
	}
done:
	str := clean.String()
	if len(str)%4 == 1 {
		str = str[:len(str)-1]
	}
	out, err := base64.RawStdEncoding.DecodeString(str)
	if err != nil {
		return nil
	}
	return out
}

// EncodeString turns data into a string as buf.toString(enc) does.
func EncodeString(data []byte, enc string) string {
	switch normalizeEncoding(enc) {
	case "hex":
		return hex.EncodeToString(data)
	case "base64":
		return base64.StdEncoding.EncodeToString(data)
	case "base64url":
		return base64.RawURLEncoding.EncodeToString(data)
	case "latin1":
		runes := make([]rune, len(data))
		for i, b := range data {
			runes[i] = rune(b)
		}
		return string(runes)
	case "ascii":
		runes := make([]rune, len(data))
		for i, b := range data {
			runes[i] = rune(b & 0x7f)
		}
		return string(runes)
	case "utf16le":
		units := make([]uint16, len(data)/2)
		for i := range units {
			units[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
		}
		return string(utf16.Decode(units))
	}
	if utf8.Valid(data) {
		return string(data)
	}
	return strings.ToValidUTF8(string(data), "\uFFFD")
}

// Encode returns data as a string in enc, or as a Buffer when enc is
// undefined, "buffer" or unknown (as Hash.digest does).
func Encode(rt *goja.Runtime, data []byte, enc goja.Value) goja.Value {
	if enc == nil || goja.IsUndefined(enc) || goja.IsNull(enc) {
		return gojabuffer.WrapBytes(rt, data)
	}
	name := enc.String()
	if normalizeEncoding(name) == "" {
		return gojabuffer.WrapBytes(rt, data)
	}
	return rt.ToValue(EncodeString(data, name))
}

// View returns the bytes of a Buffer, TypedArray, DataView or
// ArrayBuffer. The slice aliases the JavaScript memory: copy it before it
// leaves the loop.
func View(rt *goja.Runtime, v goja.Value) ([]byte, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	switch obj.ExportType() {
	case typeBytes:
		b, _ := obj.Export().([]byte)
		return b, true
	case typeArrayBuffer:
		ab, _ := obj.Export().(goja.ArrayBuffer)
		return ab.Bytes(), true
	}
	// Other typed arrays and DataView: their window on the ArrayBuffer.
	abVal := obj.Get("buffer")
	abObj, ok := abVal.(*goja.Object)
	if !ok || abObj.ExportType() != typeArrayBuffer {
		return nil, false
	}
	if _, ok := obj.Get("byteOffset").Export().(int64); !ok {
		return nil, false
	}
	ab, _ := abObj.Export().(goja.ArrayBuffer)
	all := ab.Bytes()
	off := obj.Get("byteOffset").ToInteger()
	n := obj.Get("byteLength").ToInteger()
	if off < 0 || n < 0 || off+n > int64(len(all)) {
		return nil, false
	}
	return all[off : off+n], true
}

// Data is a "data" argument: a string in enc or a binary view; it
// throws Node's ERR_INVALID_ARG_TYPE for anything else.
func Data(rt *goja.Runtime, v goja.Value, enc goja.Value, name string) []byte {
	if s, ok := v.Export().(string); ok {
		e := ""
		if enc != nil && !goja.IsUndefined(enc) && !goja.IsNull(enc) {
			e = enc.String()
		}
		return DecodeString(s, e)
	}
	if b, ok := View(rt, v); ok {
		return b
	}
	panic(nodeerrors.NewTypeError(rt, nodeerrors.ErrCodeInvalidArgType,
		fmt.Sprintf("The %q argument must be of type string or an instance of Buffer, TypedArray, or DataView.%s", name, node.Received(v))))
}

// extrasSource completes goja_nodejs' Buffer with what plugins use
// and it lacks: the latin1/binary, ascii, ucs2/utf16le and base64url
// encodings in Buffer.from and toString, and Buffer.isBuffer, isEncoding,
// byteLength, compare and allocUnsafe.
//
//go:embed buffer.js
var extrasSource string

var extrasProgram = goja.MustCompile("node:buffer", extrasSource, true)

// Module serves require("buffer"): goja_nodejs' own module, whose Buffer is
// the global one Global completes.
func Module() node.Module { return node.Module{Name: "buffer"} }

// Global defines the global Buffer: goja_nodejs' Buffer with extrasSource
// (shared by require("buffer"), which returns the same class).
func Global() node.Global { return node.Global{Name: "Buffer", Install: install} }

func install(rt *goja.Runtime, _ node.Host) error {
	gojabuffer.Enable(rt)
	host := rt.NewObject()
	_ = host.Set("decode", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(rt.NewArrayBuffer(DecodeString(call.Argument(0).String(), call.Argument(1).String())))
	})
	_ = host.Set("encode", func(call goja.FunctionCall) goja.Value {
		b, _ := View(rt, call.Argument(0))
		return rt.ToValue(EncodeString(b, call.Argument(1).String()))
	})
	fn, err := node.Function(rt, extrasProgram)
	if err != nil {
		return fmt.Errorf("buffer extras: %w", err)
	}
	if _, err := fn(goja.Undefined(), rt.Get("Buffer"), host); err != nil {
		return fmt.Errorf("buffer extras: %w", err)
	}
	return nil
}
