package pluginhost

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	nodeerrors "github.com/dop251/goja_nodejs/errors"

	"github.com/hogpipe/hogpipe/internal/node"
)

// The "buffer" module itself is goja_nodejs' (a nil loader in hostModules).
// This file holds the byte helpers the other host modules share: Node's
// string encodings (goja_nodejs' Buffer knows only hex, utf8 and base64) and
// the conversion of Buffer, TypedArray, DataView and ArrayBuffer arguments.

var (
	bufferTypeBytes       = reflect.TypeOf([]byte(nil))
	bufferTypeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
)

// bufferNormalizeEncoding maps Node's encoding names (any case) to one
// spelling; it returns "" for an unknown encoding.
func bufferNormalizeEncoding(enc string) string {
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

// bufferDecodeString turns s into bytes as Buffer.from(s, enc) does; an
// unknown or empty encoding means utf8.
func bufferDecodeString(s, enc string) []byte {
	switch bufferNormalizeEncoding(enc) {
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
		return bufferDecodeBase64(s)
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

// bufferDecodeBase64 is Node's lenient base64: both alphabets, padding
// optional, other characters skipped.
func bufferDecodeBase64(s string) []byte {
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

// bufferEncodeString turns data into a string as buf.toString(enc) does.
func bufferEncodeString(data []byte, enc string) string {
	switch bufferNormalizeEncoding(enc) {
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

// bufferEncode returns data as a string in enc, or as a Buffer when enc is
// undefined, "buffer" or unknown (as Hash.digest does).
func bufferEncode(rt *goja.Runtime, data []byte, enc goja.Value) goja.Value {
	if enc == nil || goja.IsUndefined(enc) || goja.IsNull(enc) {
		return buffer.WrapBytes(rt, data)
	}
	name := enc.String()
	if bufferNormalizeEncoding(name) == "" {
		return buffer.WrapBytes(rt, data)
	}
	return rt.ToValue(bufferEncodeString(data, name))
}

// bufferView returns the bytes of a Buffer, TypedArray, DataView or
// ArrayBuffer. The slice aliases the JavaScript memory: copy it before it
// leaves the loop.
func bufferView(rt *goja.Runtime, v goja.Value) ([]byte, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	switch obj.ExportType() {
	case bufferTypeBytes:
		b, _ := obj.Export().([]byte)
		return b, true
	case bufferTypeArrayBuffer:
		ab, _ := obj.Export().(goja.ArrayBuffer)
		return ab.Bytes(), true
	}
	// Other typed arrays and DataView: their window on the ArrayBuffer.
	abVal := obj.Get("buffer")
	abObj, ok := abVal.(*goja.Object)
	if !ok || abObj.ExportType() != bufferTypeArrayBuffer {
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

// bufferData is a "data" argument: a string in enc or a binary view; it
// throws Node's ERR_INVALID_ARG_TYPE for anything else.
func bufferData(rt *goja.Runtime, v goja.Value, enc goja.Value, name string) []byte {
	if s, ok := v.Export().(string); ok {
		e := ""
		if enc != nil && !goja.IsUndefined(enc) && !goja.IsNull(enc) {
			e = enc.String()
		}
		return bufferDecodeString(s, e)
	}
	if b, ok := bufferView(rt, v); ok {
		return b
	}
	panic(nodeerrors.NewTypeError(rt, nodeerrors.ErrCodeInvalidArgType,
		fmt.Sprintf("The %q argument must be of type string or an instance of Buffer, TypedArray, or DataView.%s", name, node.Received(v))))
}

// bufferExtrasSource completes goja_nodejs' Buffer with what plugins use
// and it lacks: the latin1/binary, ascii, ucs2/utf16le and base64url
// encodings in Buffer.from and toString, and Buffer.isBuffer, isEncoding,
// byteLength, compare and allocUnsafe.
const bufferExtrasSource = `(function (Buffer, host) {
  "use strict";
  if (typeof Buffer !== "function" || Buffer.isBuffer) return;
  const define = (obj, name, value) => Object.defineProperty(obj, name, { value, writable: true, configurable: true });
  const extra = new Set(["latin1", "binary", "ascii", "ucs2", "ucs-2", "utf16le", "utf-16le", "base64url"]);
  const known = new Set(["utf8", "utf-8", "hex", "base64"].concat([...extra]));
  const lower = (e) => (typeof e === "string" ? e.toLowerCase() : e);
  const from = Buffer.from;
  define(Buffer, "from", function from_(value, encodingOrOffset, length) {
    if (typeof value === "string" && typeof encodingOrOffset === "string") {
      const enc = lower(encodingOrOffset);
      if (extra.has(enc)) return from.call(this, host.decode(value, enc));
      if (known.has(enc)) return from.call(this, value, enc === "utf-8" ? "utf8" : enc);
    }
    return from.apply(this, arguments);
  });
  const toString = Buffer.prototype.toString;
  define(Buffer.prototype, "toString", function toString_(encoding, start, end) {
    const enc = lower(encoding);
    if (extra.has(enc)) {
      const s = start === undefined ? 0 : Math.max(0, Math.trunc(start) || 0);
      const e = end === undefined ? this.length : Math.min(this.length, Math.trunc(end) || 0);
      return host.encode(new Uint8Array(this.buffer, this.byteOffset + s, Math.max(0, e - s)), enc);
    }
    if (known.has(enc) && enc !== encoding) return toString.call(this, enc === "utf-8" ? "utf8" : enc, start, end);
    return toString.apply(this, arguments);
  });
  define(Buffer, "isBuffer", function isBuffer(obj) { return obj instanceof Buffer; });
  define(Buffer, "isEncoding", function isEncoding(enc) { return typeof enc === "string" && known.has(enc.toLowerCase()); });
  define(Buffer, "byteLength", function byteLength(value, encoding) {
    if (typeof value === "string") return host.decode(value, lower(encoding) || "utf8").byteLength;
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value.byteLength;
    const e = new TypeError('The "string" argument must be of type string or an instance of Buffer or ArrayBuffer.');
    e.code = "ERR_INVALID_ARG_TYPE";
    throw e;
  });
  const compare = (a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  };
  define(Buffer, "compare", compare);
  if (!Buffer.prototype.compare) define(Buffer.prototype, "compare", function (other) { return compare(this, other); });
  define(Buffer, "allocUnsafe", (n) => Buffer.alloc(n));
  define(Buffer, "allocUnsafeSlow", (n) => Buffer.alloc(n));
})`

var bufferExtrasProgram = goja.MustCompile("hogpipe:buffer-extras", bufferExtrasSource, true)

// bufferExtend adds bufferExtrasSource to the runtime's Buffer (shared by
// the global and require('buffer')).
func (v *vm) bufferExtend() error {
	rt := v.rt
	host := rt.NewObject()
	_ = host.Set("decode", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(rt.NewArrayBuffer(bufferDecodeString(call.Argument(0).String(), call.Argument(1).String())))
	})
	_ = host.Set("encode", func(call goja.FunctionCall) goja.Value {
		b, _ := bufferView(rt, call.Argument(0))
		return rt.ToValue(bufferEncodeString(b, call.Argument(1).String()))
	})
	fnVal, err := rt.RunProgram(bufferExtrasProgram)
	if err != nil {
		return fmt.Errorf("buffer extras: %w", err)
	}
	fn, _ := goja.AssertFunction(fnVal)
	if _, err := fn(goja.Undefined(), rt.Get("Buffer"), host); err != nil {
		return fmt.Errorf("buffer extras: %w", err)
	}
	return nil
}
