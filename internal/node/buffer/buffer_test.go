package buffer

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestModuleBuffer checks require('buffer') and the Buffer additions
// against Node 20.
func TestModuleBuffer(t *testing.T) {
	nodetest.New(t, nodetest.Modules(Module()), nodetest.Globals(Global())).Run(t, []nodetest.Case{
		{"require", `String(require('buffer').Buffer === Buffer)`, "true"},
		{"node prefix", `String(require('node:buffer').Buffer === Buffer)`, "true"},
		{"byteLength", `[Buffer.byteLength('hé'), Buffer.byteLength('aGk=', 'base64'), Buffer.byteLength(Buffer.from('abc'))].join()`, "3,2,3"},
		{"compare", `[Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.compare(Buffer.from('b'), Buffer.from('a')), Buffer.compare(Buffer.from('a'), Buffer.from('a'))].join()`, "-1,1,0"},
		{"isEncoding", `[Buffer.isEncoding('LATIN1'), Buffer.isEncoding('x'), Buffer.isEncoding('utf8')].join()`, "true,false,true"},
		{"isBuffer", `[Buffer.isBuffer(Buffer.from('')), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('x')].join()`, "true,false,false"},
		{"latin1", `Buffer.from('hé', 'latin1').toString('hex') + ' ' + Buffer.from([104, 233]).toString('latin1')`, "68e9 hé"},
		{"base64url", `Buffer.from('aGk-_w', 'base64url').toString('hex') + ' ' + Buffer.from([1, 2, 3]).toString('base64url')`, "68693eff AQID"},
		{"ucs2", `Buffer.from('hi', 'ucs2').toString('hex') + ' ' + Buffer.from([104, 0, 105, 0]).toString('utf16le')`, "68006900 hi"},
		{"ascii", `Buffer.from('héllo').toString('ascii')`, "hC)llo"},
		{"binary with start", `Buffer.from('hé').toString('binary', 1)`, "Ã©"},
		{"utf-8 spelling", `Buffer.from('hé', 'UTF-8').toString('hex')`, "68c3a9"},
		{"allocUnsafe", `Buffer.allocUnsafe(3).length + ''`, "3"},
	})
}

func TestModuleBufferEncodings(t *testing.T) {
	for _, tc := range []struct{ in, enc, want string }{
		{"ff00zz", "hex", "ff00"},
		{"aGk", "base64", "6869"},
		{"aGk-_w", "base64url", "68693eff"},
		{"ħ", "latin1", "27"},
		{"ab", "ucs2", "61006200"},
		{"é", "utf8", "c3a9"},
	} {
		assert.Equal(t, tc.want, fmt.Sprintf("%x", DecodeString(tc.in, tc.enc)), tc.in+" "+tc.enc)
	}
	assert.Equal(t, "hÃ©llo", EncodeString([]byte("héllo"), "latin1"))
	assert.Equal(t, "qZk-NkcGgWq6PiVxeFDCbJzQ2J0", EncodeString(decodeBase64("qZk+NkcGgWq6PiVxeFDCbJzQ2J0="), "base64url"))
}
