package capture

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
)

func TestParsePayloadMax(t *testing.T) {
	ev := `{"event":"e","distinct_id":"d"}`
	for _, tc := range []struct {
		name, body string
		max        int
		events     int
		tooMany    bool
	}{
		{"array under", "[" + ev + "," + ev + "]", 3, 2, false},
		{"array at", "[" + ev + "," + ev + "," + ev + "]", 3, 3, false},
		{"array over", "[" + ev + "," + ev + "," + ev + "," + ev + "]", 3, 0, true},
		{"batch over", `{"batch":[` + ev + "," + ev + "]}", 1, 0, true},
		{"single event under any limit", ev, 1, 1, false},
		{"no limit", "[" + strings.Repeat(ev+",", 99) + ev + "]", 0, 100, false},
		{"millions of tiny events stop at the limit", "[" + strings.Repeat("{},", 1_000_000) + "{}]", 10, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePayloadMax([]byte(tc.body), tc.max)
			if tc.tooMany {
				require.ErrorIs(t, err, ErrTooManyEvents)
				assert.False(t, errors.Is(err, ErrMalformed))
				return
			}
			require.NoError(t, err)
			assert.Len(t, p.Events, tc.events)
		})
	}
}

// Nesting past encoding/json's depth is refused as malformed, without
// recursing further; a deep but allowed event passes.
func TestJSONDepth(t *testing.T) {
	ok := `{"event":"e","distinct_id":"d","properties":{"p":` + deepJSON(maxDepth-3) + `}}`
	p, err := ParsePayload([]byte(ok))
	require.NoError(t, err)
	require.Len(t, p.Events, 1)

	for _, body := range []string{
		`{"event":"e","properties":{"p":` + deepJSON(maxDepth) + `}}`,
		"[" + deepJSON(maxDepth) + "]",
		strings.Repeat("[", 3<<20),
		strings.Repeat(`{"a":`, 1<<20),
	} {
		_, err := ParsePayload([]byte(body))
		require.ErrorIs(t, err, ErrMalformed)
		assert.Less(t, len(err.Error()), 200, "the error does not quote the payload")
	}
}

// A small gzip body that inflates past the limit fails as too large, and
// decompression stops at the limit.
func TestGzipRatio(t *testing.T) {
	const limit = 1 << 20
	bomb := testutil.Gzip(t, strings.Repeat("[", 50*limit))
	require.Less(t, len(bomb), 200_000)
	for _, req := range []Request{
		{Method: "POST", ContentEncoding: "gzip", Body: bomb, MaxBytes: limit},
		{Method: "POST", Body: bomb, MaxBytes: limit},
		{Method: "POST", Query: map[string][]string{"compression": {"gzip-js"}}, Body: bomb, MaxBytes: limit},
	} {
		_, err := DecodeRequest(req)
		require.ErrorIs(t, err, ErrTooLarge)
	}
}
