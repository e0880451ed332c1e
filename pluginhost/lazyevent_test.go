package pluginhost

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/require"
)

// The lazy properties must be indistinguishable from the plain objects the
// eager decoder builds: same errors, same JSON out, same view from
// JavaScript. The fuzz target compares the two on any text; the tables pin
// the rules the copy-out relies on.

// lazyAndPlain decodes text both ways in one runtime.
func lazyAndPlain(t testing.TB, rt *goja.Runtime, text string) (lazy, plain goja.Value, lazyErr, plainErr error) {
	t.Helper()
	lazy, _, lazyErr = decodeEvent(rt, []byte(text), make(keyStrings), newJSONProtos(rt), 0)
	plain, plainErr = decodeJSONKeys(rt, []byte(text), make(keyStrings))
	return
}

// viewScript reads an event every way a plugin can and returns what it saw.
const viewScript = `(function (event) {
	const p = event.properties
	if (p === null || typeof p !== 'object') return JSON.stringify(event)
	const seen = []
	for (const k in p) seen.push(k)
	return JSON.stringify([seen, Object.keys(p), Object.entries(p), JSON.stringify(p), {...p}, Object.assign({}, p), 'x' in p, event])
})`

func checkLazyMatchesPlain(t *testing.T, rt *goja.Runtime, view goja.Callable, text string) {
	t.Helper()
	lazy, plain, lazyErr, plainErr := lazyAndPlain(t, rt, text)
	if (lazyErr == nil) != (plainErr == nil) || (lazyErr != nil && lazyErr.Error() != plainErr.Error()) {
		t.Fatalf("%.100q: lazy error %v, plain error %v", text, lazyErr, plainErr)
	}
	if lazyErr != nil {
		return
	}
	lazyOut, lazyEncErr := encodeJSON(rt, nil, lazy)
	plainOut, plainEncErr := encodeJSON(rt, nil, plain)
	require.Equal(t, plainEncErr, lazyEncErr, "%.100q", text)
	require.Equal(t, string(plainOut), string(lazyOut), "%.100q encodes differently", text)

	if obj, ok := lazy.(*goja.Object); !ok || obj.ClassName() != "Object" {
		return
	}
	seenLazy, err := view(goja.Undefined(), lazy)
	require.NoError(t, err)
	seenPlain, err := view(goja.Undefined(), plain)
	require.NoError(t, err)
	require.Equal(t, seenPlain.String(), seenLazy.String(), "%.100q reads differently", text)

	// Read everything: the copy-out of built values must still match.
	lazyOut, _ = encodeJSON(rt, nil, lazy)
	require.Equal(t, string(plainOut), string(lazyOut), "%.100q encodes differently once read", text)
}

func newViewRuntime(t testing.TB) (*goja.Runtime, goja.Callable) {
	rt := goja.New()
	fn, err := rt.RunString(viewScript)
	require.NoError(t, err)
	view, _ := goja.AssertFunction(fn)
	return rt, view
}

// FuzzLazyEvent leaves the 3 KB pageview to TestLazyPageview: minimising
// inputs that large stalls the fuzzer for minutes.
func FuzzLazyEvent(f *testing.F) {
	for _, s := range []string{
		`{"event":"e","properties":{"a":1,"b":"x"}}`,
		`{"properties":{"b":1,"2":2,"a":3,"1":4,"4294967295":5,"01":6}}`,
		`{"properties":{"a":1,"a":2,"b":{"c":1,"c":2}}}`,
		`{"properties":{ "a" : [ 1 , 2 ] , "b":{"x": 1}}}`,
		`{"properties":{"s":"\u00e9\/\ud800\"\n","t":"é","n":[-0,0.1,1e21,1E3,1.50,12345678901234567890,1e-7,0.000001,5e-324,1e400]}}`,
		`{"properties":{"__proto__":{"x":1},"toString":1}}`,
		`{"properties":{"a":"\xff"}}`,
		`{"properties":{"a":1,}}`, `{"properties":{"a":tru}}`, `{"properties":{"a":"\q"}}`, `{"properties":{"a":01}}`,
		`{"properties":{"a":-.5,"b":1.e3}}`, `{"properties":[1]}`, `{"properties":{}}`, `{"properties":{"a":{}}}`,
	} {
		f.Add(s)
	}
	rt, view := newViewRuntime(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkLazyMatchesPlain(t, rt, view, s)
	})
}

func TestLazyPageview(t *testing.T) {
	pageview, err := os.ReadFile("../testdata/events/pageview.json")
	require.NoError(t, err)
	rt, view := newViewRuntime(t)
	checkLazyMatchesPlain(t, rt, view, string(pageview))
}

func TestLazyEventEdits(t *testing.T) {
	pageview, err := os.ReadFile("../testdata/events/pageview.json")
	require.NoError(t, err)
	edits := map[string]string{
		"set new and existing":   `p.hello = 'world'; p.$os = 'Plan 9'; p['7'] = 1`,
		"delete and re-add":      `const b = p.$browser; delete p.$browser; delete p.nope; p.$browser = b`,
		"nested in place":        `p.$set.email = 'x'; p.$active_feature_flags.push('y')`,
		"replace properties":     `event.properties = {...p, extra: true}`,
		"self reference refused": `p.again = p.$set`,
		"undefined and function": `p.$os = undefined; p.$browser = () => 1`,
		"toJSON on a property":   `p.$set.toJSON = () => 'replaced'`,
		"prototype toJSON":       `Object.prototype.toJSON = function () { return Array.isArray(this) ? 'arr' : this }`,
		"array prototype toJSON": `Array.prototype.toJSON = function () { return 'arr' }`,
		"structuredClone":        `event.properties = structuredClone(p)`,
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			plain, _ := editEvent(t, pageview, edit, false)
			lazy, _ := editEvent(t, pageview, edit, true)
			require.Equal(t, plain, lazy)
		})
	}
}

// editEvent decodes text as a lazy or a plain event, runs edit on it (with
// p for its properties) and returns the encoded result and the event.
func editEvent(t *testing.T, text []byte, edit string, lazy bool) (string, *goja.Object) {
	t.Helper()
	rt := goja.New()
	require.NoError(t, rt.Set("structuredClone", func(v goja.Value) goja.Value {
		out, err := encodeJSON(rt, nil, v)
		require.NoError(t, err)
		val, err := decodeJSON(rt, out)
		require.NoError(t, err)
		return val
	}))
	var event goja.Value
	var err error
	if lazy {
		event, _, err = decodeEvent(rt, text, make(keyStrings), newJSONProtos(rt), 0)
	} else {
		event, err = decodeJSON(rt, text)
	}
	require.NoError(t, err)
	fn, err := rt.RunString(`(function (event) { const p = event.properties; ` + edit + ` })`)
	require.NoError(t, err)
	call, _ := goja.AssertFunction(fn)
	_, err = call(goja.Undefined(), event)
	require.NoError(t, err)
	out, err := encodeJSON(rt, nil, event)
	require.NoError(t, err)
	return string(out), event.(*goja.Object)
}

func TestLazyEventRefusals(t *testing.T) {
	// What a dynamic object cannot take: plugins whose own code uses these
	// get plain events (TestOwnCodeScan); anything else gets this TypeError.
	rt := goja.New()
	event, _, err := decodeEvent(rt, []byte(`{"properties":{"a":1}}`), nil, newJSONProtos(rt), 0)
	require.NoError(t, err)
	require.NoError(t, rt.Set("event", event))
	for _, code := range []string{
		`Object.freeze(event.properties)`,
		`Object.defineProperty(event.properties, 'g', {get() { return 1 }})`,
		`event.properties[Symbol.iterator] = 1`,
	} {
		_, err := rt.RunString(`"use strict";` + code)
		require.ErrorContains(t, err, "TypeError", code)
	}
}

func TestCanonicalText(t *testing.T) {
	for text, canonical := range map[string]bool{
		`1`: true, `-1`: true, `0`: true, `-0`: false, `01`: false, `123456789012345`: true,
		`1234567890123456`: true, `12345678901234567890`: false, `1.5`: true, `1.50`: false, `1e3`: false,
		`1e21`: false, `1e+21`: true, `1e-7`: true, `0.000001`: true, `1E3`: false, `-1.5e-10`: true,
		`5e-324`: true, `1.7976931348623157e+308`: true, `0.1`: true, `1e400`: false,
		`"abc"`: true, `"é✓"`: true, `"a\"b\\c\n"`: true, `"\/"`: false, `"\u0041"`: false, `"\ud800"`: false,
		"\"\xff\"": false, "\"\xed\xa0\x80\"": false,
		`true`: true, `null`: true, `[]`: true, `{}`: true, `[1,"a",null]`: true, `[1, 2]`: false, `[ ]`: false,
		`{"a":1,"b":[2]}`: true, `{"a":1,"a":2}`: false, `{"1":1}`: false, `{"01":1}`: true, `{ "a":1}`: false,
		`{"__proto__":1}`: true,
	} {
		d := jsonDecoder{data: []byte(text)}
		got, err := d.skip(0)
		require.NoError(t, err, text)
		require.Equal(t, len(text), d.pos, text)
		require.Equal(t, canonical, got, text)
	}
}

func TestAppendJSNumber(t *testing.T) {
	rt := goja.New()
	for _, x := range []float64{
		0, 1, -1, 0.1, 1.5, 1e21, 1e20, 123e18, 1e-6, 1e-7, 1.2345e-7, 5e-324, math.MaxFloat64, -1e-7,
		100, 1e15, 1234567890123456789, 0.30000000000000004, 1 / 3.0, 2.5e-5, 4.35, 1e300,
	} {
		require.Equal(t, rt.ToValue(x).String(), string(appendJSNumber(nil, x)), strconv.FormatFloat(x, 'g', -1, 64))
	}
}

func TestLazyKeyOrder(t *testing.T) {
	rt, view := newViewRuntime(t)
	for _, text := range []string{
		`{"properties":{"b":1,"10":2,"a":3,"2":4,"4294967294":5,"4294967295":6}}`,
		`{"properties":{"a":1,"b":2,"a":3}}`,
	} {
		checkLazyMatchesPlain(t, rt, view, text)
	}
	rt = goja.New()
	event, _, err := decodeEvent(rt, []byte(`{"properties":{"b":1,"a":2}}`), nil, newJSONProtos(rt), 0)
	require.NoError(t, err)
	require.NoError(t, rt.Set("event", event))
	keys, err := rt.RunString(`const p = event.properties; delete p.b; p.c = 1; p.b = 2; p[3] = 0; Object.keys(p).join()`)
	require.NoError(t, err)
	require.Equal(t, "3,a,c,b", keys.String())
}

// TestOwnCodeScan: a plugin whose own code freezes, seals or defines
// properties gets plain events; the same calls inside its packages do not
// count.
func TestOwnCodeScan(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		plain bool
	}{
		{"plain plugin", map[string]string{"index.js": `export function processEvent(e) { e.properties.a = 1; return e }`}, false},
		{"freezes", map[string]string{"index.js": `export function processEvent(e) { return Object.freeze(e) }`}, true},
		{"getter in a local file", map[string]string{
			"index.ts": `import { tag } from './lib'; export function processEvent(e) { return tag(e) }`,
			"lib.ts":   `export function tag(e) { Object.defineProperty(e.properties, 'x', { get: () => 1, enumerable: true }); return e }`,
		}, true},
		{"bundler helpers", map[string]string{"index.js": `var __defProp = Object.defineProperty;
Object.defineProperty(exports, "__esModule", { value: true });
Object.defineProperty(module.exports, "x", { value: 1 });
var __createBinding = function (o, m, k, k2) { Object.defineProperty(o, k2, desc); };
var __setModuleDefault = function (o, v) { Object.defineProperty(o, "default", { enumerable: true, value: v }); };
export function processEvent(e) { return e }`}, false},
		{"a helper and a real call", map[string]string{"index.js": `var __defProp = Object.defineProperty;
export function processEvent(e) { Object.defineProperty(e, 'x', { get() { return 1 } }); return e }`}, true},
		{"only a package", map[string]string{
			"index.js":                      `import pkg from 'pkg'; export function processEvent(e) { return pkg(e) }`,
			"node_modules/pkg/package.json": `{"name":"pkg","main":"index.js"}`,
			"node_modules/pkg/index.js":     `module.exports = (e) => (Object.defineProperty({}, 'x', { value: 1 }), e)`,
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "plugin.json"), []byte(`{"name":"scan"}`), 0o644))
			for name, text := range c.files {
				require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
			}
			m, err := LoadManifest(dir)
			require.NoError(t, err)
			compiled, err := compileBundle(m, hostModuleNames())
			require.NoError(t, err)
			require.Equal(t, c.plain, compiled.plainEvents)
		})
	}
}

func TestPlainASCII8(t *testing.T) {
	naive := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				return false
			}
		}
		return true
	}
	r := rand.New(rand.NewPCG(1, 2))
	interesting := []byte{0, 0x1f, 0x20, '"', '\\', '!', '#', '[', ']', 0x7f, 0x80, 0xff, 'a'}
	for range 200_000 {
		var b [8]byte
		for i := range b {
			b[i] = interesting[r.IntN(len(interesting))]
		}
		require.Equal(t, naive(b[:]), plainASCII8(binary.LittleEndian.Uint64(b[:])), "%q", b)
	}
}

// TestEventUsageFixtureIsLazy: the differential fixture that goes through
// every use of an event must run on lazy events, or it proves nothing.
func TestEventUsageFixtureIsLazy(t *testing.T) {
	m, err := LoadManifest(filepath.Join(fixturesDir, "event-usage"))
	require.NoError(t, err)
	compiled, err := compileBundle(m, hostModuleNames())
	require.NoError(t, err)
	require.False(t, compiled.plainEvents)
}

// TestLazyManyKeys: objects past lazyIndexAt keys (looked up by map) and
// plugins that delete and re-add keys in a loop (compaction) behave as
// plain objects.
func TestLazyManyKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"event":"big","properties":{`)
	for i := range 400 {
		fmt.Fprintf(&b, `"k%d":%d,`, i%300, i) // 100 repeated keys
	}
	b.WriteString(`"7":"index","last":true}}`)
	text := b.String()
	rt, view := newViewRuntime(t)
	checkLazyMatchesPlain(t, rt, view, text)

	edit := `for (let round = 0; round < 50; round++) {
		for (let i = 0; i < 300; i += 7) { delete p['k' + i]; p['k' + i] = round }
	}
	for (let i = 0; i < 1000; i++) p['added' + i] = i
	delete p.k1; p.k1 = 'again'
	p.count = Object.keys(p).length`
	plain, _ := editEvent(t, []byte(text), edit, false)
	lazy, event := editEvent(t, []byte(text), edit, true)
	require.Equal(t, plain, lazy)
	props, _ := lazyOf(event.Get("properties").(*goja.Object))
	require.Less(t, len(props.slots), 2*1400, "deleted slots are compacted")
}

// FuzzLazyEventEdits runs a sequence of edits, read from the fuzzer's
// bytes, on a lazy and on a plain event: sets, deletes, reads, key listings
// and nested edits must leave both alike.
func FuzzLazyEventEdits(f *testing.F) {
	f.Add(`{"event":"e","properties":{"a":1,"b":{"c":[1,2]},"2":"two"}}`, []byte{0, 1, 1, 2, 3, 0, 4, 5, 2, 7})
	f.Add(`{"properties":{"x":"\u00e9","x":2}}`, []byte{1, 0, 0, 0, 2, 3})
	keys := []string{"a", "b", "x", "2", "10", "__proto__", "toString", "", "new", "k9", "$set", "é"}
	f.Fuzz(func(t *testing.T, text string, ops []byte) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		rt := goja.New()
		if val, err := decodeJSON(rt, []byte(text)); err != nil || !isObject(val) || val.(*goja.Object).ClassName() != "Object" {
			return // events are objects
		}
		var edit strings.Builder
		edit.WriteString("const seen = []; if (p === null || typeof p !== 'object') return;\n")
		for i := 0; i+1 < len(ops); i += 2 {
			key := strconv.Quote(keys[int(ops[i+1])%len(keys)])
			switch ops[i] % 7 {
			case 0:
				fmt.Fprintf(&edit, "p[%s] = %d;\n", key, i)
			case 1:
				fmt.Fprintf(&edit, "delete p[%s];\n", key)
			case 2:
				fmt.Fprintf(&edit, "seen.push(JSON.stringify(p[%s]) ?? 'undefined', %s in p);\n", key, key)
			case 3:
				edit.WriteString("seen.push(Object.keys(p).join('|'));\n")
			case 4:
				fmt.Fprintf(&edit, "if (p[%s] && typeof p[%s] === 'object') p[%s].edited = true;\n", key, key, key)
			case 5:
				fmt.Fprintf(&edit, "event[%s] = p[%s];\n", key, key)
			case 6:
				edit.WriteString("seen.push(JSON.stringify(event));\n")
			}
		}
		edit.WriteString("event.seen = seen;\n")
		plain, _ := editEvent(t, []byte(text), edit.String(), false)
		lazy, _ := editEvent(t, []byte(text), edit.String(), true)
		if plain != lazy {
			t.Fatalf("%q after\n%s\nplain: %s\nlazy:  %s", text, edit.String(), plain, lazy)
		}
	})
}
