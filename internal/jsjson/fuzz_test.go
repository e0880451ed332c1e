package jsjson

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzDepthExceeds checks DepthExceeds against the nesting encoding/json
// sees in valid documents, and that it answers (without recursing) for any
// text, however deep.
func FuzzDepthExceeds(f *testing.F) {
	for _, s := range []string{
		`{}`, `[[1],[2,[3]]]`, `{"a":{"b":{"c":[]}}}`, `["[[[", "\\"", {"]]":1}]`,
		strings.Repeat("[", 3_000_000), strings.Repeat(`{"a":`, 2000) + "1" + strings.Repeat("}", 2000),
	} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 0 || limit > 10_000 {
			return
		}
		got := DepthExceeds(s, limit)
		if !json.Valid([]byte(s)) {
			return
		}
		if want := nesting(t, s) > limit; got != want {
			t.Fatalf("DepthExceeds(%.60q, %d) = %v, encoding/json nests %d", s, limit, got, nesting(t, s))
		}
	})
}

// nesting is the deepest nesting of a valid document, from encoding/json's
// tokens.
func nesting(t *testing.T, s string) int {
	dec := json.NewDecoder(strings.NewReader(s))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
			deepest = max(deepest, depth)
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
}
