package pluginhost

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// FuzzDecodeJSON runs the host's event decoder and the plugins' JSON.parse
// on any text: neither may crash the process (goja's own JSON.parse
// overflowed the Go stack on a few megabytes of "["), valid JSON within the
// depth limit decodes, and what the decoder accepts encodes back to JSON.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"event":"e","properties":{"a":[1,2,{"b":null}],"__proto__":{"x":1}}}`, `[]`, `"\ud800"`, `1e400`,
		strings.Repeat("[", 3_000_000), strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
		strings.Repeat(`{"a":`, maxJSONDepth+1) + "1" + strings.Repeat("}", maxJSONDepth+1),
	} {
		f.Add(s)
	}
	rt := goja.New()
	if err := jsonParseGuard(rt, nil); err != nil {
		f.Fatal(err)
	}
	parse, _ := goja.AssertFunction(rt.Get("JSON").(*goja.Object).Get("parse"))
	f.Fuzz(func(t *testing.T, s string) {
		val, err := decodeJSON(rt, []byte(s))
		valid := json.Valid([]byte(s))
		tooDeep := strings.Count(s, "[")+strings.Count(s, "{") > maxJSONDepth // a bound, not the depth
		if valid && !tooDeep && err != nil {
			t.Fatalf("decodeJSON refused valid JSON %.80q: %v", s, err)
		}
		if err == nil {
			if out, err := encodeJSON(rt, nil, val); err == nil && !json.Valid(out) {
				t.Fatalf("decoded %.80q and encoded it to invalid JSON %.80q", s, out)
			}
		}
		// goja's JSON.parse differs from Node's on some valid text (1e400
		// is a SyntaxError); what matters here is that it returns.
		_, _ = parse(goja.Undefined(), rt.ToValue(s))
	})
}
