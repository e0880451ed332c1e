package capture

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lzVectors were produced by the reference lz-string 1.5.0
// (LZString.compressToBase64) under Node.js.
var lzVectors = []struct{ plain, compressed string }{
	{
		`{"event":"$pageview","properties":{"distinct_id":"user-1","token":"phc_test"}}`,
		"N4IgpgbmB2AuIC4QBIAOBDA5pAlmA7iADQioBOA9qmGbHgM6KgAmO9d0AxrAPo7OIQAV3o0AtAEZiIWBQDWMQagAWnHrDDsQAX21A===",
	},
	{"a", "IZA="},
	{strings.Repeat("a", 74), "IY18ZXTtUA=="},
	{
		"{\"event\":\"café ☕ 日本語 😀\",\"properties\":{\"emoji\":\"🎉🎉🎉\",\"x\":\"\u2028\"}}",
		"N4IgpgbmB2AuIC4QGMCGAzAlwAkKhk3BT00BpzQPKjtBeDcAA9kAGhAAcAnAe3rEdgEswBnRUMAFtmAK06IQgHg3AkfsyZtEAA8JgCgIQAX3VA==",
	},
	{
		`[{"event":"e1","distinct_id":"d","api_key":"k","properties":{"b":1,"a":2,"10":3}},{"event":"e2","distinct_id":"d","api_key":"k"}]`,
		"NobwRApgbhB2AuYBckCMYA0YAmBLAzvLrAMbwD6u2yOmYAhgA67kDWEAnja3YwE4B7RhD5EI+ZOABGyVFnrIATFlQAGZAGYAvlozhocRCgiK6eQsTKVqKavOZtO3MFoC6QA=",
	},
}

func TestDecompressLZ64Vectors(t *testing.T) {
	for _, v := range lzVectors {
		out, err := DecompressLZ64(v.compressed, 0)
		require.NoError(t, err, v.plain)
		assert.Equal(t, v.plain, string(out))

		// Without padding, and with '+' turned into ' ' by form decoding.
		mangled := strings.ReplaceAll(strings.TrimRight(v.compressed, "="), "+", " ")
		out, err = DecompressLZ64(mangled, 0)
		require.NoError(t, err, v.plain)
		assert.Equal(t, v.plain, string(out))
	}
}

func TestDecompressLZ64Errors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"bad character":  "N4Igpg*mB2AuIC4Q",
		"truncated":      lzVectors[0].compressed[:20],
		"bad reference":  "D///",
		"end marker":     "A",
		"only padding":   "====",
		"non-ascii byte": "N4Ig\xffpg",
	} {
		t.Run(name, func(t *testing.T) {
			out, err := DecompressLZ64(in, 0)
			if err == nil {
				// A stream that ends at once decodes to nothing, which the
				// caller rejects as an empty payload.
				assert.Empty(t, out)
				return
			}
			assert.ErrorIs(t, err, ErrLZString)
		})
	}
}

func TestDecompressLZ64Limit(t *testing.T) {
	_, err := DecompressLZ64(lzVectors[2].compressed, 10)
	require.ErrorIs(t, err, ErrLZString)
	assert.Contains(t, err.Error(), "larger than 10")

	out, err := DecompressLZ64(lzVectors[2].compressed, 74)
	require.NoError(t, err)
	assert.Len(t, out, 74)
}
