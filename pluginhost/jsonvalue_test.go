package pluginhost

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONRoundTripKeepsOrder(t *testing.T) {
	rt := goja.New()
	cases := []struct{ in, out string }{
		{`{"z":1,"a":{"y":[1,2.5,"x",null,true,false],"b":{}},"m":"é\u0001\"\\"}`, `{"z":1,"a":{"y":[1,2.5,"x",null,true,false],"b":{}},"m":"é\u0001\"\\"}`},
		{` {"2":1,"1":2,"b":3} `, `{"1":2,"2":1,"b":3}`},
		{`1e400`, `null`},
		{`-0.0`, `0`},
		{`12345678901234567890`, `12345678901234567000`},
		{`"\ud83d\ude00"`, `"😀"`},
		{`1.5e-7`, `1.5e-7`},
		{`[]`, `[]`},
		{`{"a":1,"__proto__":{"x":1},"b":2}`, `{"a":1,"__proto__":{"x":1},"b":2}`},
	}
	for _, c := range cases {
		v, err := decodeJSON(rt, []byte(c.in))
		require.NoError(t, err, c.in)
		got, err := encodeJSON(rt, nil, v)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.out, string(got), c.in)
		js, err := rt.RunString("JSON.stringify")
		require.NoError(t, err)
		fn, _ := goja.AssertFunction(js)
		want, err := fn(goja.Undefined(), v)
		require.NoError(t, err)
		assert.Equal(t, want.String(), string(got), "differs from JSON.stringify: "+c.in)
	}
}

func TestJSONDecodeErrors(t *testing.T) {
	rt := goja.New()
	for _, in := range []string{``, `{`, `{"a"}`, `[1,]`, `"abc`, `tru`, `{"a":1}x`, `{"a":01x}`, "\"\x01\""} {
		_, err := decodeJSON(rt, []byte(in))
		assert.Error(t, err, in)
	}
}

// TestJSONDecodeInternedKeys checks that decoding with a key cache gives
// what decoding without one gives, for keys seen before, keys with escapes,
// keys too long to intern and malformed keys.
func TestJSONDecodeInternedKeys(t *testing.T) {
	rt := goja.New()
	long := strings.Repeat("k", keyStringsMaxLen+10)
	inputs := []string{
		`{"a":1,"b":{"a":2,"c":[{"a":3}]}}`,
		`{"a":1,"b":{"a":2,"c":[{"a":3}]}}`,
		`{"\u0061":1,"a\"b":2,"é":3,"` + long + `":4,"":5}`,
		`{"\u0061":1,"a\"b":2,"é":3,"` + long + `":4,"":5}`,
		`{"a` + "\x01" + `":1}`,
		`{"a`,
	}
	keys := make(keyStrings)
	for _, in := range inputs {
		want, wantErr := decodeJSON(rt, []byte(in))
		got, err := decodeJSONKeys(rt, []byte(in), keys)
		if wantErr != nil {
			require.EqualError(t, err, wantErr.Error(), in)
			continue
		}
		require.NoError(t, err, in)
		wantJSON, err := encodeJSON(rt, nil, want)
		require.NoError(t, err)
		gotJSON, err := encodeJSON(rt, nil, got)
		require.NoError(t, err)
		assert.Equal(t, string(wantJSON), string(gotJSON), in)
	}
	assert.Contains(t, keys, "a")
	assert.NotContains(t, keys, long)
}
