package capture

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hogpipe/hogpipe/internal/testutil"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/; f.Add adds a few more.
// Run one target with e.g. go test ./capture -run '^$' -fuzz '^FuzzDecodeRequest$' -fuzztime 10s.

// fuzzMaxBytes is small so that inputs that inflate past it (the gzip-ratio
// seeds) stay cheap to run many times.
const fuzzMaxBytes = 64 << 10

func FuzzDecodeRequest(f *testing.F) {
	f.Add("POST", "application/json", "", "", []byte(testEvent))
	f.Add("POST", "text/plain", "", "compression=gzip-js", testutil.Gzip(f, `{"api_key":"k","batch":[`+testEvent+`]}`))
	f.Add("POST", "application/x-www-form-urlencoded", "", "compression=lz64", []byte("data="+url.QueryEscape(lzVectors[0].compressed)))
	f.Add("GET", "", "", "data="+url.QueryEscape(lzVectors[4].plain)+"&_=1715000000000", []byte(nil))
	// Gzip ratio: a few KB that inflate past the limit, and millions of tiny events.
	f.Add("POST", "application/json", "gzip", "", testutil.Gzip(f, strings.Repeat(" ", 2*fuzzMaxBytes)))
	f.Add("POST", "text/plain", "", "compression=gzip-js", testutil.Gzip(f, "["+strings.Repeat("{},", fuzzMaxBytes/3-1)+"{}]"))
	f.Add("POST", "application/x-www-form-urlencoded", "", "", []byte("data="+url.QueryEscape(base64.StdEncoding.EncodeToString(testutil.Gzip(f, strings.Repeat("[", 2*fuzzMaxBytes))))))
	// JSON depth: just under encoding/json's limit, and far over it.
	f.Add("POST", "application/json", "", "", []byte(`{"event":"e","distinct_id":"d","api_key":"k","properties":{"p":`+deepJSON(9990)+`}}`))
	f.Add("POST", "application/json", "", "", []byte(strings.Repeat("[", 30_000)))
	f.Fuzz(func(t *testing.T, method, contentType, contentEncoding, rawQuery string, body []byte) {
		query, _ := url.ParseQuery(rawQuery)
		d, err := DecodeRequest(Request{
			Method: method, ContentType: contentType, ContentEncoding: contentEncoding,
			Query: query, Body: body, MaxBytes: fuzzMaxBytes,
		})
		if err != nil {
			return
		}
		if len(d.JSON) > fuzzMaxBytes {
			t.Fatalf("decoded %d bytes, over the limit", len(d.JSON))
		}
		if !utf8.Valid(d.JSON) {
			t.Fatalf("decoded payload is not valid UTF-8")
		}
		checkEvents(t, d.JSON)
	})
}

func FuzzDecodeLZ64(f *testing.F) {
	for _, v := range lzVectors {
		f.Add(v.compressed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := DecompressLZ64(in, 4096)
		if err != nil {
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("output is not valid UTF-8")
		}
		// 4096 UTF-16 units make at most 3 bytes each in UTF-8.
		if len(out) > 3*4096 {
			t.Fatalf("output of %d bytes is over the bound", len(out))
		}
	})
}

func FuzzDecodeEvents(f *testing.F) {
	f.Add([]byte(testEvent))
	f.Add([]byte(`{"api_key":"k","sent_at":"2024-01-01T00:00:00Z","batch":[{"event":"a","properties":{"distinct_id":1,"b":{"c":[1,2]}}},{"event":"b"}]}`))
	f.Add([]byte(`[{"$distinct_id":"d","$token":"t","$set":{"x":1}},{"event":"e","distinct_id":"d","token":"t","uuid":"0190f0b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b"}]`))
	f.Add([]byte(`{"event":"e","distinct_id":"d","token":"t","properties":{"deep":` + deepJSON(maxDepth-3) + `}}`))
	f.Add([]byte(`{"event":"e","distinct_id":"d","token":"t","properties":{"deep":` + deepJSON(maxDepth+1) + `}}`))
	f.Add([]byte(strings.Repeat(`{"a":`, 12_000)))
	f.Add([]byte(`[{"event":"e","distinct_id":"d","token":"t","properties":{"p":` + strings.Repeat("[", 1_000_000) + `}}]`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkEvents(t, payload)
	})
}

func FuzzDecodePluginEvent(f *testing.F) {
	f.Add([]byte(`{"event":"e","distinct_id":"d","ip":"1.2.3.4","properties":{"b":1,"a":2},"now":"2024-05-06T07:08:09.123Z","offset":5}`))
	f.Add([]byte(`{"event":"e","distinct_id":5,"properties":{"$ip":"x"},"timestamp":"t","api_key":"k","$set":{}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, _, err := ToCaptureEvent(raw)
		if err != nil {
			return
		}
		if !json.Valid(ev) {
			t.Fatalf("capture event is not valid JSON: %s", ev)
		}
	})
}

// checkEvents parses and normalises a payload; every event that passes must
// be a valid JSON object that the output side can send on.
func checkEvents(t *testing.T, payload []byte) {
	p, err := ParsePayload(payload)
	if err != nil {
		return
	}
	meta := testMeta()
	meta.APIKey = p.APIKey
	meta.SentAt = p.SentAt
	for _, raw := range p.Events {
		ev, err := Normalise(raw, meta)
		if err != nil {
			continue
		}
		if !json.Valid(ev.JSON) {
			t.Fatalf("normalised event is not valid JSON: %s", ev.JSON)
		}
		if _, _, err := ToCaptureEvent(ev.JSON); err != nil {
			t.Fatalf("normalised event cannot be sent on: %v: %s", err, ev.JSON)
		}
	}
}

// FuzzDecodeJSON checks the raw JSON scanner against encoding/json: it must
// accept exactly the valid documents, and split objects and arrays into the
// same members and elements.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, ` {"a" : 1 , "b":[1,{"c":null}], "a":"x"} `, `[1, "two", {"3":true}, [false]]`,
		`{"a":1,}`, `[1,]`, `{"a" 1}`, `"str"`, `-0.5e+10`, `{"\u00e9\n":"\ud83d\ude00"}`, `{"a":01}`, `nul`,
		deepJSON(maxDepth), deepJSON(maxDepth + 1),
		// Nesting deep enough to overflow a recursive decoder's stack.
		strings.Repeat("[", 3_000_000), `{"a":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		valid := json.Valid(doc)
		k := kind(doc)

		ms, err := objectMembers(doc)
		switch {
		case !valid && err == nil:
			t.Fatalf("objectMembers accepted invalid JSON %q", doc)
		case valid && k == '{' && err != nil:
			t.Fatalf("objectMembers rejected valid JSON %q: %v", doc, err)
		case valid && k != '{' && !errors.Is(err, errNotObject):
			t.Fatalf("objectMembers on non-object %q: %v", doc, err)
		}
		if err == nil {
			var want map[string]json.RawMessage
			if err := json.Unmarshal(doc, &want); err != nil {
				t.Fatalf("encoding/json cannot decode %q: %v", doc, err)
			}
			for _, m := range ms {
				if !utf8.ValidString(m.key) {
					continue
				}
				last := lookup(ms, m.key)
				if got, exp := compact(nil, last), compactStd(t, want[m.key]); !bytes.Equal(got, exp) {
					t.Fatalf("member %q: got %s, want %s", m.key, got, exp)
				}
			}
		}

		els, err := arrayElements(doc)
		switch {
		case !valid && err == nil:
			t.Fatalf("arrayElements accepted invalid JSON %q", doc)
		case valid && k == '[' && err != nil:
			t.Fatalf("arrayElements rejected valid JSON %q: %v", doc, err)
		}
		if err == nil {
			var want []json.RawMessage
			if err := json.Unmarshal(doc, &want); err != nil {
				t.Fatalf("encoding/json cannot decode %q: %v", doc, err)
			}
			if len(want) != len(els) {
				t.Fatalf("got %d elements, want %d", len(els), len(want))
			}
			for i := range els {
				if got, exp := compact(nil, els[i]), compactStd(t, want[i]); !bytes.Equal(got, exp) {
					t.Fatalf("element %d: got %s, want %s", i, got, exp)
				}
			}
		}
	})
}

// deepJSON is an array nested depth levels deep.
func deepJSON(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

func compactStd(t *testing.T, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatalf("json.Compact(%q): %v", raw, err)
	}
	return buf.Bytes()
}
