package querystring

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestModuleQuerystring checks querystring against Node 20.
// The expected values are what Node 20 returns for the same snippets.
func TestModuleQuerystring(t *testing.T) {
	newEnv(t).Run(t, []nodetest.Case{
		{"stringify", `require('querystring').stringify({a:[1,2], b:null, c:undefined, d:{}, e:true, f:NaN, g:"x y/ü~*", h:[], i:5n, j:Infinity})`, "a=1&a=2&b=&c=&d=&e=true&f=&g=x%20y%2F%C3%BC~*&i=5&j="},
		{"stringify sep eq", `require('querystring').stringify({a:1, b:'x'}, ';', ':')`, "a:1;b:x"},
		{"stringify empty sep", `require('querystring').stringify({a:'1'}, '', '')`, "a=1"},
		{"stringify custom encode", `require('querystring').stringify({'a b':'c d'}, null, null, {encodeURIComponent: (s) => s})`, "a b=c d"},
		{"stringify non-object", `JSON.stringify(require('querystring').stringify('x'))`, "\"\""},
		{"parse", `JSON.stringify(require('querystring').parse('a=1&a=2&&b&=x&c=%zz&d=%E2%82%AC+x&e=a=b&f=%F0%9F'))`, "{\"a\":[\"1\",\"2\"],\"b\":\"\",\"\":\"x\",\"c\":\"%zz\",\"d\":\"€ x\",\"e\":\"a=b\",\"f\":\"�\"}"},
		{"parse null prototype", `String(Object.getPrototypeOf(require('querystring').parse('a=1')) === null)`, "true"},
		{"parse sep eq", `JSON.stringify(require('querystring').parse('a:1;b:2', ';', ':'))`, "{\"a\":\"1\",\"b\":\"2\"}"},
		{"parse maxKeys", `JSON.stringify(require('querystring').parse('a=1&b=2&c=3', null, null, {maxKeys: 2}))`, "{\"a\":\"1\",\"b\":\"2\"}"},
		{"parse custom decode", `JSON.stringify(require('querystring').parse('a=%41', null, null, {decodeURIComponent: (s) => s.toLowerCase()}))`, "{\"a\":\"%41\"}"},
		{"parse empties", `JSON.stringify([require('querystring').parse(null), require('querystring').parse(''), require('querystring').parse('=&='), require('querystring').parse('a[]=1&a[]=2')])`, "[{},{},{\"\":[\"\",\"\"]},{\"a[]\":[\"1\",\"2\"]}]"},
		{"escape", `require('querystring').escape('a b&üé/?')`, "a%20b%26%C3%BC%C3%A9%2F%3F"},
		{"escape non-string", `require('querystring').escape(5) + ' ' + require('querystring').escape({toString() { return 'x y' }})`, "5 x%20y"},
		{"escape lone surrogate", `(() => { try { require('querystring').escape('\ud800') } catch (e) { return [e.name, e.code, e.message].join('|') } })()`, "URIError|ERR_INVALID_URI|URI malformed"},
		{"unescape", `require('querystring').unescape('%zz%41+b%C3%A9')`, "%zzA+bé"},
		{"unescapeBuffer", `require('querystring').unescapeBuffer('a%20b+c', true).toString('hex')`, "6120622063"},
		{"encode decode aliases", `String(require('querystring').encode === require('querystring').stringify && require('querystring').decode === require('querystring').parse)`, "true"},
	})
}

func newEnv(t *testing.T) *nodetest.Env {
	return nodetest.New(t, nodetest.Modules(Module()), nodetest.Globals(buffer.Global()))
}
