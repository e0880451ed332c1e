package capture

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
)

const testEvent = `{"event":"e","distinct_id":"d","api_key":"k","properties":{"b":1,"a":2}}`

func TestDecodeRequest(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(testEvent))
	lz := lzVectors[4]
	tests := []struct {
		name        string
		req         Request
		want        string
		compression string
		form        bool
	}{
		{
			name:        "json body",
			req:         Request{Method: "POST", ContentType: "application/json", Body: []byte(testEvent)},
			want:        testEvent,
			compression: CompressionNone,
		},
		{
			name:        "json body with BOM and no content type",
			req:         Request{Method: "POST", Body: []byte("\xef\xbb\xbf  " + testEvent)},
			want:        "  " + testEvent,
			compression: CompressionNone,
		},
		{
			name:        "form with base64",
			req:         Request{Method: "POST", ContentType: "application/x-www-form-urlencoded", Body: []byte("data=" + url.QueryEscape(b64))},
			want:        testEvent,
			compression: CompressionBase64,
			form:        true,
		},
		{
			name:        "form with base64, plus signs unescaped",
			req:         Request{Method: "POST", ContentType: "application/x-www-form-urlencoded", Body: []byte("data=" + base64.StdEncoding.EncodeToString([]byte(`{"event":"e>>>?","distinct_id":"d"}`)))},
			want:        `{"event":"e>>>?","distinct_id":"d"}`,
			compression: CompressionBase64,
			form:        true,
		},
		{
			name:        "form with url-encoded json, no content type",
			req:         Request{Method: "POST", Body: []byte("data=" + url.QueryEscape(testEvent))},
			want:        testEvent,
			compression: CompressionNone,
			form:        true,
		},
		{
			name:        "form with url-safe base64 without padding",
			req:         Request{Method: "POST", ContentType: "application/x-www-form-urlencoded", Body: []byte("data=" + base64.RawURLEncoding.EncodeToString([]byte(testEvent)))},
			want:        testEvent,
			compression: CompressionBase64,
			form:        true,
		},
		{
			name:        "get with data",
			req:         Request{Method: "GET", Query: url.Values{"data": {b64}}},
			want:        testEvent,
			compression: CompressionBase64,
			form:        true,
		},
		{
			name:        "empty post with data in the query",
			req:         Request{Method: "POST", Query: url.Values{"data": {testEvent}}},
			want:        testEvent,
			compression: CompressionNone,
			form:        true,
		},
		{
			name:        "gzip by header",
			req:         Request{Method: "POST", ContentType: "application/json", ContentEncoding: "gzip", Body: testutil.Gzip(t, testEvent)},
			want:        testEvent,
			compression: CompressionGzip,
		},
		{
			name:        "gzip-js by parameter",
			req:         Request{Method: "POST", ContentType: "text/plain", Query: url.Values{"compression": {"gzip-js"}}, Body: testutil.Gzip(t, testEvent)},
			want:        testEvent,
			compression: CompressionGzip,
		},
		{
			name:        "gzip by magic bytes only",
			req:         Request{Method: "POST", ContentType: "text/plain", Body: testutil.Gzip(t, testEvent)},
			want:        testEvent,
			compression: CompressionGzip,
		},
		{
			name:        "lz64 form",
			req:         Request{Method: "POST", ContentType: "application/x-www-form-urlencoded", Query: url.Values{"compression": {"lz64"}}, Body: []byte("data=" + url.QueryEscape(lz.compressed))},
			want:        lz.plain,
			compression: CompressionLZ64,
			form:        true,
		},
		{
			name:        "lz64 named in the form",
			req:         Request{Method: "POST", Body: []byte("compression=lz64&data=" + url.QueryEscape(lz.compressed))},
			want:        lz.plain,
			compression: CompressionLZ64,
			form:        true,
		},
		{
			name:        "lz64 raw body",
			req:         Request{Method: "POST", ContentType: "text/plain", Query: url.Values{"compression": {"lz64"}}, Body: []byte(lz.compressed)},
			want:        lz.plain,
			compression: CompressionLZ64,
		},
		{
			name:        "base64 raw body",
			req:         Request{Method: "POST", ContentType: "text/plain", Body: []byte(b64)},
			want:        testEvent,
			compression: CompressionBase64,
		},
		{
			name:        "base64 of gzip in a form",
			req:         Request{Method: "POST", Body: []byte("data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(testutil.Gzip(t, testEvent))))},
			want:        testEvent,
			compression: CompressionBase64,
			form:        true,
		},
		{
			name:        "invalid utf-8 replaced",
			req:         Request{Method: "POST", Body: []byte("{\"event\":\"a\xffb\"}")},
			want:        "{\"event\":\"a\uFFFDb\"}",
			compression: CompressionNone,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := DecodeRequest(tc.req)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(d.JSON))
			assert.Equal(t, tc.compression, d.Compression)
			assert.Equal(t, tc.form, d.Form)
		})
	}
}

func TestDecodeRequestErrors(t *testing.T) {
	big := `{"event":"` + strings.Repeat("x", 2000) + `"}`
	tests := []struct {
		name string
		req  Request
		want error
		msg  string
	}{
		{"empty body", Request{Method: "POST"}, ErrMalformed, "empty body"},
		{"get without data", Request{Method: "GET"}, ErrMalformed, "no data"},
		{"unknown compression", Request{Method: "POST", Query: url.Values{"compression": {"brotli"}}, Body: []byte(testEvent)}, ErrUnsupportedCompression, `"brotli"`},
		{"unknown content encoding", Request{Method: "POST", ContentEncoding: "br", Body: []byte(testEvent)}, ErrUnsupportedCompression, `"br"`},
		{"unknown compression in form", Request{Method: "POST", Body: []byte("compression=zstd&data=x")}, ErrUnsupportedCompression, `"zstd"`},
		{"broken gzip", Request{Method: "POST", ContentEncoding: "gzip", Body: []byte("not gzip")}, ErrMalformed, "gzip"},
		{"truncated gzip", Request{Method: "POST", Body: testutil.Gzip(t, testEvent)[:20]}, ErrMalformed, "gzip"},
		{"form without data", Request{Method: "POST", ContentType: "application/x-www-form-urlencoded", Body: []byte("foo=bar")}, ErrMalformed, "data field"},
		{"bad form", Request{Method: "POST", ContentType: "application/x-www-form-urlencoded", Body: []byte("data=%zz")}, ErrMalformed, "form"},
		{"not base64", Request{Method: "POST", Body: []byte("data=!!!not*base64")}, ErrMalformed, "neither JSON nor base64"},
		{"bad lz64", Request{Method: "POST", Query: url.Values{"compression": {"lz64"}}, Body: []byte("data=*")}, ErrMalformed, "lz-string"},
		{"gzip bomb", Request{Method: "POST", Body: testutil.Gzip(t, big), MaxBytes: 1000}, ErrTooLarge, "over 1000"},
		{"big lz64", Request{Method: "POST", Query: url.Values{"compression": {"lz64"}}, Body: []byte(lzVectors[2].compressed), MaxBytes: 10}, ErrMalformed, "larger than 10"},
		{"big body", Request{Method: "POST", Body: []byte(big), MaxBytes: 1000}, ErrTooLarge, "over 1000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeRequest(tc.req)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}
