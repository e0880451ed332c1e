package pluginhost

import (
	"testing"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJSONGuardsKeepSemantics checks that the guarded JSON.parse and
// JSON.stringify give what Node gives, replacers, revivers and spacing
// included, and refuse only what nests too deeply.
func TestJSONGuardsKeepSemantics(t *testing.T) {
	rt := goja.New()
	require.NoError(t, jsonParseGuard(rt, nil))
	cases := []struct{ name, js, want string }{
		{"plain", `JSON.stringify({b: 1, a: [1, "x", null, undefined, () => 1], u: undefined})`, `{"b":1,"a":[1,"x",null,null,null]}`},
		{"space", `JSON.stringify({a: [1, {b: 2}]}, null, 2)`, "{\n  \"a\": [\n    1,\n    {\n      \"b\": 2\n    }\n  ]\n}"},
		{"function replacer", `JSON.stringify({a: 1, b: 2, c: {a: 3}}, (k, v) => k === 'a' ? v * 10 : v)`, `{"a":10,"b":2,"c":{"a":30}}`},
		{"replacer drops keys", `JSON.stringify({a: 1, b: 2}, (k, v) => k === 'b' ? undefined : v)`, `{"a":1}`},
		{"replacer this", `JSON.stringify({a: {b: 1}}, function (k, v) { return k === 'b' ? Object.keys(this).join() : v })`, `{"a":{"b":"b"}}`},
		{"allowlist", `JSON.stringify({b: 1, a: 2, c: 3}, ['c', 'b'])`, `{"c":3,"b":1}`},
		{"toJSON", `JSON.stringify({d: new Date(0), t: {toJSON() { return 'x' }}})`, `{"d":"1970-01-01T00:00:00.000Z","t":"x"}`},
		{"top-level undefined", `String(JSON.stringify(undefined))`, `undefined`},
		{"cycle", `(() => { const a = {}; a.a = a; try { JSON.stringify(a) } catch (e) { return e.name } })()`, `TypeError`},
		{"at the depth limit", `(() => { let a = 1; for (let i = 0; i < 1000; i++) a = [a]; return String(JSON.stringify(a).length) })()`, `2001`},
		{"over the depth limit", `(() => { let a = 1; for (let i = 0; i < 1001; i++) a = [a]; try { JSON.stringify(a) } catch (e) { return e.name } })()`, `RangeError`},
		{"parse reviver", `JSON.stringify(JSON.parse('{"a":1,"b":[2]}', (k, v) => typeof v === 'number' ? v + 1 : v))`, `{"a":2,"b":[3]}`},
		{"parse error", `(() => { try { JSON.parse('{') } catch (e) { return e.name } })()`, `SyntaxError`},
		{"parse at the depth limit", `String(JSON.parse('['.repeat(1000) + ']'.repeat(1000)).length)`, `1`},
		{"parse over the depth limit", `(() => { try { JSON.parse('['.repeat(1001) + ']'.repeat(1001)) } catch (e) { return e.name } })()`, `RangeError`},
		{"names", `[JSON.parse.name, JSON.parse.length, JSON.stringify.name, JSON.stringify.length, Object.keys(JSON).length].join()`, `parse,2,stringify,3,0`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := rt.RunString(c.js)
			require.NoError(t, err)
			assert.Equal(t, c.want, v.String())
		})
	}
}
