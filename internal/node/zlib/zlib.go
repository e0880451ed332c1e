// Package zlib is Node's zlib module: gzip, deflate (zlib and raw), unzip
// and brotli, sync and with callbacks (run off the loop), and the
// createGzip()-style streams of zlib.js.
package zlib

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	_ "embed"
	"errors"
	"fmt"
	"io"

	nodebuffer "github.com/hogpipe/hogpipe/internal/node/buffer"

	"github.com/andybalholm/brotli"
	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	nodeerrors "github.com/dop251/goja_nodejs/errors"
	"github.com/dop251/goja_nodejs/require"

	"github.com/hogpipe/hogpipe/internal/node"
)

// op is one whole-buffer compression or decompression.
type op func(in []byte, o options) ([]byte, error)

// options are what an op reads from the call's options object.
type options struct {
	level int
	// maxOutput bounds what a decompression may produce: Node's
	// maxOutputLength, at most MaxOutput.
	maxOutput int
}

// MaxOutput bounds every decompression, whatever maxOutputLength says: a
// few kilobytes of gzip can inflate to gigabytes, all of it held in memory.
const MaxOutput = 64 << 20

// errTooLarge is a decompression that went over its maxOutput.
type errTooLarge struct{ limit int }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("Cannot create a Buffer larger than %d bytes", e.limit)
}

// ops are the functions zlib exports, each as name, nameSync and the
// callback form.
var ops = map[string]op{
	"gzip":             gzipBytes,
	"gunzip":           gunzipBytes,
	"deflate":          deflateBytes,
	"inflate":          inflateBytes,
	"deflateRaw":       deflateRawBytes,
	"inflateRaw":       inflateRawBytes,
	"unzip":            unzipBytes,
	"brotliCompress":   brotliCompressBytes,
	"brotliDecompress": brotliDecompressBytes,
}

// constantValues is the part of zlib.constants plugins use.
var constantValues = map[string]int{
	"Z_NO_FLUSH": 0, "Z_PARTIAL_FLUSH": 1, "Z_SYNC_FLUSH": 2, "Z_FULL_FLUSH": 3, "Z_FINISH": 4, "Z_BLOCK": 5,
	"Z_OK": 0, "Z_STREAM_END": 1, "Z_NEED_DICT": 2, "Z_ERRNO": -1, "Z_STREAM_ERROR": -2, "Z_DATA_ERROR": -3,
	"Z_MEM_ERROR": -4, "Z_BUF_ERROR": -5, "Z_VERSION_ERROR": -6,
	"Z_NO_COMPRESSION": 0, "Z_BEST_SPEED": 1, "Z_BEST_COMPRESSION": 9, "Z_DEFAULT_COMPRESSION": -1,
	"Z_FILTERED": 1, "Z_HUFFMAN_ONLY": 2, "Z_RLE": 3, "Z_FIXED": 4, "Z_DEFAULT_STRATEGY": 0,
	"ZLIB_VERNUM": 4865, "DEFLATE": 1, "INFLATE": 2, "GZIP": 3, "GUNZIP": 4, "DEFLATERAW": 5, "INFLATERAW": 6,
	"UNZIP": 7, "BROTLI_DECODE": 8, "BROTLI_ENCODE": 9,
	"Z_MIN_WINDOWBITS": 8, "Z_MAX_WINDOWBITS": 15, "Z_DEFAULT_WINDOWBITS": 15, "Z_MIN_CHUNK": 64,
	"Z_DEFAULT_CHUNK": 16384, "Z_MIN_MEMLEVEL": 1, "Z_MAX_MEMLEVEL": 9, "Z_DEFAULT_MEMLEVEL": 8,
	"Z_MIN_LEVEL": -1, "Z_MAX_LEVEL": 9, "Z_DEFAULT_LEVEL": -1,
	"BROTLI_OPERATION_PROCESS": 0, "BROTLI_OPERATION_FLUSH": 1, "BROTLI_OPERATION_FINISH": 2,
	"BROTLI_OPERATION_EMIT_METADATA": 3, "BROTLI_PARAM_MODE": 0, "BROTLI_MODE_GENERIC": 0,
	"BROTLI_MODE_TEXT": 1, "BROTLI_MODE_FONT": 2, "BROTLI_DEFAULT_MODE": 0, "BROTLI_PARAM_QUALITY": 1,
	"BROTLI_MIN_QUALITY": 0, "BROTLI_MAX_QUALITY": 11, "BROTLI_DEFAULT_QUALITY": 11, "BROTLI_PARAM_LGWIN": 2,
	"BROTLI_MIN_WINDOW_BITS": 10, "BROTLI_MAX_WINDOW_BITS": 24, "BROTLI_DEFAULT_WINDOW": 22,
	"BROTLI_PARAM_SIZE_HINT": 5,
}

const brotliParamQuality = "1"

// load serves Node's zlib: gzip, deflate (zlib and raw), brotli and
// unzip, in the Sync, callback and (through util.promisify) promise forms,
// plus createGzip()-style streams that compress when they end.
func load(h node.Host) require.ModuleLoader {
	return func(rt *goja.Runtime, module *goja.Object) {
		exports := module.Get("exports").(*goja.Object)
		constants := rt.NewObject()
		for name, value := range constantValues {
			_ = constants.Set(name, value)
			_ = exports.Set(name, value)
		}
		_ = exports.Set("constants", constants)
		for name, op := range ops {
			brotliOp := name == "brotliCompress" || name == "brotliDecompress"
			_ = exports.Set(name+"Sync", func(call goja.FunctionCall) goja.Value {
				in := inputBytes(rt, call.Argument(0))
				out, err := op(in, optionsOf(call.Argument(1), brotliOp))
				if err != nil {
					panic(nodeError(rt, err))
				}
				return buffer.WrapBytes(rt, out)
			})
			_ = exports.Set(name, func(call goja.FunctionCall) goja.Value {
				optsArg, cbArg := call.Argument(1), call.Argument(2)
				if _, ok := goja.AssertFunction(optsArg); ok {
					optsArg, cbArg = goja.Undefined(), optsArg
				}
				cb, ok := goja.AssertFunction(cbArg)
				if !ok {
					panic(nodeerrors.NewTypeError(rt, nodeerrors.ErrCodeInvalidArgType,
						`The "callback" argument must be of type function.`+node.Received(cbArg)))
				}
				in := append([]byte(nil), inputBytes(rt, call.Argument(0))...)
				o := optionsOf(optsArg, brotliOp)
				later := h.Callback()
				// The work runs off the loop; the callback runs on it later,
				// as Node's does.
				go func() {
					out, err := op(in, o)
					later(func() {
						var cbErr error
						if err != nil {
							_, cbErr = cb(goja.Undefined(), nodeError(rt, err))
						} else {
							_, cbErr = cb(goja.Undefined(), goja.Null(), buffer.WrapBytes(rt, out))
						}
						if cbErr != nil {
							h.ReportError(fmt.Errorf("zlib.%s callback: %w", name, cbErr))
						}
					})
				}()
				return goja.Undefined()
			})
		}
		addStreams(rt, exports)
	}
}

// streamsSource builds createGzip() and friends on the stream module's
// Transform: input is collected and processed as a whole when it ends.
//
//go:embed zlib.js
var streamsSource string

var streamsProgram = goja.MustCompile("node:zlib", streamsSource, true)

// addStreams adds createGzip() and friends to exports.
func addStreams(rt *goja.Runtime, exports *goja.Object) {
	fnVal, err := rt.RunProgram(streamsProgram)
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnVal)
	streamMod := require.Require(rt, "stream")
	if _, err := fn(goja.Undefined(), exports, streamMod); err != nil {
		panic(err)
	}
}

func inputBytes(rt *goja.Runtime, arg goja.Value) []byte {
	if s, ok := arg.Export().(string); ok {
		return []byte(s)
	}
	if b, ok := nodebuffer.View(rt, arg); ok {
		return b
	}
	panic(nodeerrors.NewTypeError(rt, nodeerrors.ErrCodeInvalidArgType,
		`The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer.`+node.Received(arg)))
}

// optionsOf reads options.level (zlib) or options.params[BROTLI_PARAM_QUALITY],
// and options.maxOutputLength.
func optionsOf(opts goja.Value, brotliOp bool) options {
	o := options{level: flate.DefaultCompression, maxOutput: MaxOutput}
	if brotliOp {
		o.level = 11
	}
	obj, ok := opts.(*goja.Object)
	if !ok {
		return o
	}
	if brotliOp {
		if params, ok := obj.Get("params").(*goja.Object); ok {
			if q := params.Get(brotliParamQuality); q != nil && !goja.IsUndefined(q) {
				o.level = int(q.ToInteger())
			}
		}
	} else if l := obj.Get("level"); l != nil && !goja.IsUndefined(l) {
		o.level = int(l.ToInteger())
	}
	if m := obj.Get("maxOutputLength"); m != nil && !goja.IsUndefined(m) {
		if n := m.ToInteger(); n >= 1 && n < int64(o.maxOutput) {
			o.maxOutput = int(n)
		}
	}
	return o
}

// readAll reads r whole, failing once it gives more than o.maxOutput bytes.
func readAll(r io.Reader, o options) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(r, int64(o.maxOutput)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > o.maxOutput {
		return nil, errTooLarge{limit: o.maxOutput}
	}
	return out, nil
}

//------------------------------------------------------------------------------

func gzipBytes(in []byte, o options) ([]byte, error) {
	return compressWith(in, func(w io.Writer) (io.WriteCloser, error) {
		gz, err := gzip.NewWriterLevel(w, o.level)
		if err == nil {
			gz.OS = 3 // Unix, as Node writes it
		}
		return gz, err
	})
}

// compressWith runs in through the writer newWriter makes.
func compressWith(in []byte, newWriter func(io.Writer) (io.WriteCloser, error)) ([]byte, error) {
	var buf bytes.Buffer
	w, err := newWriter(&buf)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(in); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzipBytes(in []byte, o options) ([]byte, error) {
	if len(in) >= 2 && (in[0] != 0x1f || in[1] != 0x8b) {
		return nil, gzip.ErrHeader
	}
	r, err := gzip.NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	return readAll(r, o)
}

func deflateBytes(in []byte, o options) ([]byte, error) {
	return compressWith(in, func(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriterLevel(w, o.level) })
}

func inflateBytes(in []byte, o options) ([]byte, error) {
	if len(in) >= 2 && (in[0]&0x0f != 8 || (uint(in[0])<<8|uint(in[1]))%31 != 0) {
		return nil, zlib.ErrHeader
	}
	r, err := zlib.NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	return readAll(r, o)
}

func deflateRawBytes(in []byte, o options) ([]byte, error) {
	return compressWith(in, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, o.level) })
}

func inflateRawBytes(in []byte, o options) ([]byte, error) {
	return readAll(flate.NewReader(bytes.NewReader(in)), o)
}

func unzipBytes(in []byte, o options) ([]byte, error) {
	if len(in) >= 2 && in[0] == 0x1f && in[1] == 0x8b {
		return gunzipBytes(in, o)
	}
	return inflateBytes(in, o)
}

func brotliCompressBytes(in []byte, o options) ([]byte, error) {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, o.level)
	if _, err := w.Write(in); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// errBrotliFailed marks a brotli decoding failure.
var errBrotliFailed = errors.New("Decompression failed")

func brotliDecompressBytes(in []byte, o options) ([]byte, error) {
	out, err := readAll(brotli.NewReader(bytes.NewReader(in)), o)
	var tooLarge errTooLarge
	if errors.As(err, &tooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBrotliFailed, err)
	}
	return out, nil
}

// nodeError turns a Go decompression error into the Error Node's zlib
// throws, with its code and errno.
func nodeError(rt *goja.Runtime, err error) *goja.Object {
	msg, code, errno := err.Error(), "Z_DATA_ERROR", -3
	var corrupt flate.CorruptInputError
	var tooLarge errTooLarge
	if errors.As(err, &tooLarge) {
		return nodeerrors.NewRangeError(rt, "ERR_BUFFER_TOO_LARGE", "%s", tooLarge.Error())
	}
	switch {
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, zlib.ErrHeader):
		msg = "incorrect header check"
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zlib.ErrChecksum):
		msg = "incorrect data check"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		msg, code, errno = "unexpected end of file", "Z_BUF_ERROR", -5
	case errors.As(err, &corrupt):
		msg = "invalid block type"
	case errors.Is(err, errBrotliFailed):
		msg, code, errno = "Decompression failed", "ERR_BROTLI_DECOMPRESSION_FAILED", -15
	}
	obj := nodeerrors.NewError(rt, nil, code, "%s", msg)
	_ = obj.Set("errno", errno)
	return obj
}

// Module serves require("zlib").
func Module() node.Module { return node.Module{Name: "zlib", Load: load} }
