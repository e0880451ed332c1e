package globals

import (
	"testing"

	"github.com/hogpipe/hogpipe/internal/node/buffer"
	"github.com/hogpipe/hogpipe/internal/node/nodetest"
)

// TestStructuredCloneMicrotaskStrict checks structuredClone, queueMicrotask, DOMException, strict mode and RegExp features against Node 20.
// The expected values are what Node 20 returns for the same snippets.
func TestStructuredCloneMicrotaskStrict(t *testing.T) {
	nodetest.New(t, nodetest.Globals(buffer.Global(), Core())).Run(t, []nodetest.Case{
		{"structuredClone function", `(() => { try { structuredClone(()=>1); return 'ok' } catch (err) { return [err.name, err.message, err.code, err instanceof DOMException, err instanceof Error].join('|') } })()`, "DataCloneError|()=>1 could not be cloned.|25|true|true"},
		{"structuredClone method", `(() => { try { structuredClone({a(){} }); return 'ok' } catch (err) { return [err.name, err.message, err.code, err instanceof DOMException, err instanceof Error].join('|') } })()`, "DataCloneError|a(){} could not be cloned.|25|true|true"},
		{"structuredClone symbol", `(() => { try { structuredClone(Symbol("x")); return 'ok' } catch (err) { return [err.name, err.message, err.code, err instanceof DOMException, err instanceof Error].join('|') } })()`, "DataCloneError|Symbol(x) could not be cloned.|25|true|true"},
		{"structuredClone promise", `(() => { try { structuredClone({p: Promise.resolve()}); return 'ok' } catch (err) { return [err.name, err.message, err.code, err instanceof DOMException, err instanceof Error].join('|') } })()`, "DataCloneError|#<Promise> could not be cloned.|25|true|true"},
		{"structuredClone weakmap", `(() => { try { structuredClone(new WeakMap()); return 'ok' } catch (err) { return [err.name, err.message, err.code, err instanceof DOMException, err instanceof Error].join('|') } })()`, "DataCloneError|#<WeakMap> could not be cloned.|25|true|true"},
		{"structuredClone no args", `(() => { try { structuredClone(); return 'ok' } catch (err) { return [err.name, err.message, err.code, err instanceof DOMException, err instanceof Error].join('|') } })()`, "TypeError|The value argument must be specified|ERR_MISSING_ARGS|false|true"},
		{"structuredClone class instance", `(() => { class Foo { constructor() { this.x = 1 } get y() { return 2 } } const c = structuredClone(new Foo()); return JSON.stringify(c) + ' ' + c.constructor.name })()`, "{\"x\":1} Object"},
		{"structuredClone error", `(() => { const e = structuredClone(Object.assign(new TypeError('m'), {extra: 1, cause: 'c'})); return [e instanceof TypeError, e.name, e.message, e.extra, e.cause, typeof e.stack].join() })()`, "true,TypeError,m,,c,string"},
		{"structuredClone regexp", `(() => { const r = /a/g; r.lastIndex = 3; const c = structuredClone(r); return [c.lastIndex, c.flags, c.source, c !== r].join() })()`, "0,g,a,true"},
		{"structuredClone typed", `(() => { const b = structuredClone(Buffer.from('hi')); const u = structuredClone(new Uint16Array([1, 2])); return [Object.prototype.toString.call(b), b.length, b[0], Object.prototype.toString.call(u), u[1]].join() })()`, "[object Uint8Array],2,104,[object Uint16Array],2"},
		{"structuredClone holes", `(() => { const a = structuredClone([1,,3]); return [a.length, 1 in a, a[2]].join() })()`, "3,false,3"},
		{"structuredClone cycle", `(() => { const o = {}; o.self = o; o.list = [o]; const c = structuredClone(o); return [c.self === c, c !== o, c.list[0] === c].join() })()`, "true,true,true"},
		{"structuredClone primitives", `[structuredClone(undefined), structuredClone(null), Object.is(structuredClone(-0), -0), structuredClone(10n), structuredClone('s')].join()`, ",,true,10,s"},
		{"structuredClone date map set", `(() => { const m = new Map([[{k: 1}, new Set([1, new Date(0)])]]); const c = structuredClone(m); const [k, v] = [...c][0]; return [c instanceof Map, k.k, v instanceof Set, [...v][1] instanceof Date, [...v][1].getTime(), [...v][1] !== [...m.values()][0]].join() })()`, "true,1,true,true,0,true"},
		{"structuredClone array props", `(() => { const a = [1, 2]; a.prop = 'x'; const c = structuredClone(a); return [c.length, c.prop].join() })()`, "2,x"},
		{"structuredClone non-enumerable", `JSON.stringify(structuredClone(Object.create(null, {a: {value: 1, enumerable: true}, b: {value: 2, enumerable: false}})))`, "{\"a\":1}"},
		{"structuredClone getter", `JSON.stringify(structuredClone({get g() { return 5 }}))`, "{\"g\":5}"},
		{"structuredClone boxed", `(() => { const n = structuredClone(new Number(3)); return [typeof n, n.valueOf()].join() })()`, "object,3"},
		{"structuredClone deep event", `(() => { const ev = {event: 'e', properties: {a: [1, {b: new Date(5)}], s: new Set(['x'])}}; const c = structuredClone(ev); c.properties.a[1].b.setTime(6); return [ev.properties.a[1].b.getTime(), c.properties.a[1].b.getTime(), c.properties.s.has('x')].join() })()`, "5,6,true"},
		{"queueMicrotask order", `new Promise((resolve) => { const log = []; setTimeout(() => { log.push('timeout'); resolve(log.join(' ')) }, 0); Promise.resolve().then(() => log.push('promise')); queueMicrotask(() => log.push('microtask')); log.push('sync'); })`, "sync promise microtask timeout"},
		{"queueMicrotask bad", `(() => { try { queueMicrotask(5); return 'ok' } catch (err) { return [err.name, err.message, err.code, err instanceof DOMException, err instanceof Error].join('|') } })()`, "TypeError|The \"callback\" argument must be of type function. Received type number (5)|ERR_INVALID_ARG_TYPE|false|true"},
		{"DOMException", `(() => { const e = new DOMException('m', 'AbortError'); return [e.name, e.message, e.code, e instanceof Error, Object.prototype.toString.call(e)].join() })()`, "AbortError,m,20,true,[object DOMException]"},
		{"strict mode undeclared assignment", `(() => { 'use strict'; try { undeclaredVariable = 1; return 'no error' } catch (e) { return e.name + ': ' + e.message.replace(/^undeclaredVariable is not defined$/, 'undeclaredVariable is not defined') } })()`, "ReferenceError: undeclaredVariable is not defined"},
		{"regexp lookahead", `'price: 100USD 200EUR'.match(/\d+(?=USD)/)[0]`, "100"},
		{"regexp negative lookahead", `'foobar foobaz'.replace(/foo(?!bar)/g, 'X')`, "foobar Xbaz"},
		{"regexp lookbehind", `'$10 and €20'.match(/(?<=\$)\d+/)[0]`, "10"},
		{"regexp negative lookbehind", `'a1 b2 c3'.replace(/(?<!b)\d/g, '#')`, "a# b2 c#"},
		{"regexp named groups", `(() => { const m = /(?<year>\d{4})-(?<month>\d{2})/.exec('on 2021-03-14'); return [m.groups.year, m.groups.month, '2021-03'.replace(/(?<y>\d+)-(?<m>\d+)/, '$<m>/$<y>')].join() })()`, "2021,03,03/2021"},
		{"regexp named backreference", `String(/(?<q>['"]).*\k<q>/.test('"quoted"'))`, "true"},
		{"regexp sticky dotall", `[/a.b/s.test('a\nb'), (() => { const r = /b/y; r.lastIndex = 1; return r.test('ab') })()].join()`, "true,true"},
	})
}

func TestText(t *testing.T) {
	nodetest.New(t, nodetest.Globals(Text())).Run(t, []nodetest.Case{
		{"round trip", `new TextDecoder().decode(new TextEncoder().encode('hé€'))`, "hé€"},
		{"encode", `Array.from(new TextEncoder().encode('é')).join()`, "195,169"},
		{"invalid bytes", `new TextDecoder().decode(new Uint8Array([104, 255, 105]))`, "h\uFFFDi"},
		{"encoding", `new TextEncoder().encoding + ' ' + new TextDecoder('UTF8').encoding`, "utf-8 utf-8"},
		{"other label", `(() => { try { new TextDecoder('latin1') } catch (e) { return e.name } })()`, "RangeError"},
	})
}
