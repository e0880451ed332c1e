package stringdecoder

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestModuleStringDecoder checks string_decoder against Node 20: the
// expected values are what Node 20 returns for the same snippets.
func TestModuleStringDecoder(t *testing.T) {
	nodetest.New(t, nodetest.Modules(Module()), nodetest.Globals(buffer.Global())).Run(t, []nodetest.Case{
		{"utf8 split", "(() => { const d = new (require('string_decoder').StringDecoder)('utf8'); const b = Buffer.from('a€😀b'); return [d.write(b.subarray(0, 2)), d.write(b.subarray(2, 4)), d.write(b.subarray(4, 6)), d.write(b.subarray(6)), d.end()].join('|') })()", "a|€||😀b|"},
		{"utf8 end incomplete", "(() => { const d = new (require('string_decoder').StringDecoder)(); return JSON.stringify([d.write(Buffer.from([0xe2, 0x82])), d.end()]) })()", "[\"\",\"�\"]"},
		{"encoding names", "['utf-8', 'UCS2', 'binary', 'hex', 'base64', undefined].map((e) => new (require('string_decoder').StringDecoder)(e).encoding).join(',')", "utf8,utf16le,latin1,hex,base64,utf8"},
		{"hex", "(() => { const d = new (require('string_decoder').StringDecoder)('hex'); return d.write(Buffer.from([1, 255])) + d.end(Buffer.from([16])) })()", "01ff10"},
		{"base64 chunks", "(() => { const d = new (require('string_decoder').StringDecoder)('base64'); return [d.write(Buffer.from('ab')), d.write(Buffer.from('cd')), d.end()].join('|') })()", "|YWJj|ZA=="},
		{"utf16le split", "(() => { const d = new (require('string_decoder').StringDecoder)('utf16le'); const b = Buffer.from('hé€', 'utf16le'); return [d.write(b.subarray(0, 3)), d.write(b.subarray(3)), d.end(Buffer.from([0x41]))].join('|') })()", "h|é€|"},
		{"unknown encoding", "(() => { try { new (require('string_decoder').StringDecoder)('nope') } catch (e) { return [e.name, e.code, e.message].join('|') } })()", "TypeError|ERR_UNKNOWN_ENCODING|Unknown encoding: nope"},
		{"string passthrough", "new (require('string_decoder').StringDecoder)().write('abc')", "abc"},
	})
}
