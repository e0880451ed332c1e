package zlib

import (
	"strconv"
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/events"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
	"github.com/hogpipe/hogpipe/internal/node/stream"
	"github.com/hogpipe/hogpipe/internal/node/util"
)

// TestModuleZlib checks zlib: data compressed by Node decompresses, output round-trips, errors match.
// The expected values are what Node 20 returns for the same snippets.
func TestModuleZlib(t *testing.T) {
	newEnv(t).Run(t, []nodetest.Case{
		{"gunzip node gzip", `require('zlib').gunzipSync(Buffer.from('H4sIAAAAAAAAA8tIzcnJV8hAkACAiPnlEQAAAA==', 'base64')).toString()`, "hello hello hello"},
		{"inflate node deflate", `require('zlib').inflateSync(Buffer.from('eJzLSM3JyVfIQJAAOi4GfQ==', 'base64')).toString()`, "hello hello hello"},
		{"inflateRaw node deflateRaw", `require('zlib').inflateRawSync(Buffer.from('y0jNyclXyECQAA==', 'base64')).toString()`, "hello hello hello"},
		{"brotli node", `require('zlib').brotliDecompressSync(Buffer.from('GxAA+I2Ubt5EVYaWbCBvAU8cYBw=', 'base64')).toString()`, "hello hello hello"},
		{"unzip gzip", `require('zlib').unzipSync(Buffer.from('H4sIAAAAAAAAA8tIzcnJV8hAkACAiPnlEQAAAA==', 'base64')).toString()`, "hello hello hello"},
		{"unzip deflate", `require('zlib').unzipSync(Buffer.from('eJzLSM3JyVfIQJAAOi4GfQ==', 'base64')).toString()`, "hello hello hello"},
		{"gzip header", `require('zlib').gzipSync('hello').subarray(0, 10).toString('hex')`, "1f8b0800000000000003"},
		{"gzip level 9 header", `require('zlib').gzipSync('hello', { level: 9 }).subarray(0, 10).toString('hex')`, "1f8b0800000000000203"},
		{"deflate header", `require('zlib').deflateSync('hello').subarray(0, 2).toString('hex')`, "789c"},
		{"round trips", `(() => { const z = require('zlib'); const s = 'ü'.repeat(1000) + 'x'; return [z.gunzipSync(z.gzipSync(s)), z.inflateSync(z.deflateSync(s)), z.inflateRawSync(z.deflateRawSync(s)), z.brotliDecompressSync(z.brotliCompressSync(s)), z.unzipSync(z.gzipSync(Buffer.from(s)))].every((b) => b.toString() === s) + '' })()`, "true"},
		{"brotli quality", `(() => { const z = require('zlib'); const c = z.brotliCompressSync('abcabcabc', { params: { [z.constants.BROTLI_PARAM_QUALITY]: 4 } }); return z.brotliDecompressSync(c).toString() })()`, "abcabcabc"},
		{"uint8array input", `require('zlib').gunzipSync(require('zlib').gzipSync(new Uint8Array([104, 105]))).toString()`, "hi"},
		{"bad header", `(() => { try { require('zlib').gunzipSync(Buffer.from('nope')) } catch (e) { return [e.name, e.code, e.errno, e.message].join('|') } })()`, "Error|Z_DATA_ERROR|-3|incorrect header check"},
		{"bad zlib header", `(() => { try { require('zlib').inflateSync(Buffer.from('nope')) } catch (e) { return [e.name, e.code, e.errno, e.message].join('|') } })()`, "Error|Z_DATA_ERROR|-3|incorrect header check"},
		{"truncated", `(() => { try { require('zlib').gunzipSync(Buffer.from('H4sIAAAAAAAAA8tIzcnJV8hAkACAiPnlEQAAAA==', 'base64').subarray(0, 10)) } catch (e) { return [e.name, e.code, e.errno, e.message].join('|') } })()`, "Error|Z_BUF_ERROR|-5|unexpected end of file"},
		{"number input", `(() => { try { require('zlib').gzipSync(5) } catch (e) { return [e.name, e.code, e.message].join('|') } })()`, "TypeError|ERR_INVALID_ARG_TYPE|The \"buffer\" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received type number (5)"},
		{"callback is async", `new Promise((resolve) => { let sync = true; require('zlib').gzip('abc', (err, b) => resolve([err, sync, require('zlib').gunzipSync(b).toString()].join())); sync = false; })`, ",false,abc"},
		{"callback error", `new Promise((resolve) => require('zlib').gunzip(Buffer.from('nope'), (err, b) => resolve([err.message, err.code, b].join())))`, "incorrect header check,Z_DATA_ERROR,"},
		{"callback with options", `new Promise((resolve) => require('zlib').deflate('abc', { level: 1 }, (err, b) => resolve(require('zlib').inflateSync(b).toString())))`, "abc"},
		{"promisify", `(async () => { const { promisify } = require('util'); const z = require('zlib'); const b = await promisify(z.gzip)('hi there'); return (await promisify(z.gunzip)(b)).toString() })()`, "hi there"},
		{"promisify brotli", `(async () => { const { promisify } = require('util'); const z = require('zlib'); return (await promisify(z.brotliDecompress)(await promisify(z.brotliCompress)('xyz'))).toString() })()`, "xyz"},
		{"constants", `(() => { const c = require('zlib').constants; return [c.Z_BEST_COMPRESSION, c.Z_DEFAULT_COMPRESSION, c.BROTLI_PARAM_QUALITY, c.Z_SYNC_FLUSH, require('zlib').Z_BEST_SPEED].join() })()`, "9,-1,1,2,1"},
		{"createGzip stream", `new Promise((resolve) => { const z = require('zlib'); const g = z.createGzip(); const chunks = []; g.on('data', (c) => chunks.push(c)); g.on('end', () => resolve(z.gunzipSync(Buffer.concat(chunks)).toString())); g.write('hello '); g.end('world'); })`, "hello world"},
		{"pipe into createGunzip", `new Promise((resolve) => { const z = require('zlib'); const { PassThrough } = require('stream'); const src = new PassThrough(); const out = []; src.pipe(z.createGunzip()).on('data', (c) => out.push(c)).on('end', () => resolve(Buffer.concat(out).toString())); src.end(z.gzipSync('piped')); })`, "piped"},
		{"maxOutputLength", `(() => { const z = require('zlib'); try { z.gunzipSync(z.gzipSync('x'.repeat(2000)), { maxOutputLength: 1024 }) } catch (e) { return [e.name, e.code, e.message].join('|') } })()`, "RangeError|ERR_BUFFER_TOO_LARGE|Cannot create a Buffer larger than 1024 bytes"},
		{"maxOutputLength fits", `require('zlib').inflateSync(require('zlib').deflateSync('x'.repeat(1024)), { maxOutputLength: 1024 }).length`, "1024"},
	})
}

// TestDecompressionIsCapped checks that no decompression, sync, callback or
// stream, produces more than MaxOutput bytes, whatever maxOutputLength says:
// a small input must not inflate to gigabytes in memory.
func TestDecompressionIsCapped(t *testing.T) {
	over := `Buffer.alloc(` + strconv.Itoa(MaxOutput+1) + `)`
	newEnv(t).Run(t, []nodetest.Case{
		{"gunzipSync", `(() => { const z = require('zlib'); try { z.gunzipSync(z.gzipSync(` + over + `)) } catch (e) { return e.code + '|' + e.message } })()`,
			"ERR_BUFFER_TOO_LARGE|Cannot create a Buffer larger than 67108864 bytes"},
		{"brotli with a larger maxOutputLength", `(() => { const z = require('zlib'); const c = z.brotliCompressSync(` + over + `, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 1 } }); try { z.brotliDecompressSync(c, { maxOutputLength: 2 ** 32 }) } catch (e) { return e.code } })()`,
			"ERR_BUFFER_TOO_LARGE"},
		{"callback", `new Promise((resolve) => { const z = require('zlib'); z.inflateRaw(z.deflateRawSync(` + over + `), (err) => resolve(err.code)) })`,
			"ERR_BUFFER_TOO_LARGE"},
		{"stream", `new Promise((resolve) => { const z = require('zlib'); const g = z.createGunzip(); g.on('error', (e) => resolve(e.code)); g.end(z.gzipSync(` + over + `)) })`,
			"ERR_BUFFER_TOO_LARGE"},
	})
}

func newEnv(t *testing.T) *nodetest.Env {
	return nodetest.New(t, nodetest.Modules(Module(), stream.Module(), events.Module(), util.Module(), buffer.Module()),
		nodetest.Globals(buffer.Global()))
}
