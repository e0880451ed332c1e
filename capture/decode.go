// Package capture speaks PostHog's capture API without Benthos: it decodes
// what the SDKs send (JSON, data= forms, base64, gzip, lz-string), turns each
// event into the PluginEvent shape plugins expect, and encodes events the way
// an SDK sends them to a PostHog host.
//
// Events are handled as raw JSON throughout: properties are never decoded into
// a Go map, so their key order (which plugins can observe) is kept.
package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Errors wrapped by DecodeRequest and ParsePayload; each maps to one HTTP
// status.
var (
	// ErrMalformed marks a body that cannot be decoded (400).
	ErrMalformed = errors.New("malformed request")
	// ErrUnsupportedCompression marks an unknown compression or content
	// encoding (415).
	ErrUnsupportedCompression = errors.New("unsupported compression")
	// ErrTooLarge marks a payload over the size limit once decompressed (413).
	ErrTooLarge = errors.New("payload too large")
)

// Compression names, as reported in Decoded.Compression.
const (
	CompressionNone   = "none"
	CompressionGzip   = "gzip"
	CompressionLZ64   = "lz64"
	CompressionBase64 = "base64"
)

// Request is what DecodeRequest needs from an HTTP request.
type Request struct {
	Method          string
	ContentType     string
	ContentEncoding string
	// Query holds the URL's query parameters (compression, data, ...).
	Query url.Values
	// Body is the request body as received (already size-limited).
	Body []byte
	// MaxBytes bounds the decoded payload; 0 means no bound.
	MaxBytes int
}

// Decoded is the JSON payload of a capture request.
type Decoded struct {
	JSON []byte
	// Compression is the outermost encoding that was undone: "gzip",
	// "lz64", "base64" or "none".
	Compression string
	// Form is true when the payload came in a data= field.
	Form bool
}

// DecodeRequest undoes every encoding the PostHog SDKs use and returns the
// JSON payload. It accepts:
//   - a JSON body;
//   - a form body (application/x-www-form-urlencoded, or any body with a
//     data= field) whose data field holds JSON, base64 JSON or lz-string;
//   - GET (or an empty POST) with the same data in the query string;
//   - gzip, announced by Content-Encoding, by ?compression=gzip or gzip-js,
//     or only by its magic bytes (posthog-js sends gzip-js bodies without
//     saying so);
//   - ?compression=lz64 (lz-string compressToBase64) and ?compression=base64.
//
// The JSON itself is not validated here; invalid UTF-8 is replaced by U+FFFD.
func DecodeRequest(r Request) (*Decoded, error) {
	compression, err := normaliseCompression(r.Query.Get("compression"))
	if err != nil {
		return nil, err
	}
	d := &Decoded{Compression: CompressionNone}
	body := r.Body

	if strings.EqualFold(r.Method, "GET") || (len(bytes.TrimSpace(body)) == 0 && r.Query.Has("data")) {
		data := r.Query.Get("data")
		if data == "" {
			return nil, fmt.Errorf("%w: no data parameter", ErrMalformed)
		}
		d.Form = true
		return finish(d, data, compression, r.MaxBytes)
	}

	switch enc := strings.ToLower(strings.TrimSpace(r.ContentEncoding)); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		if body, err = gunzip(body, r.MaxBytes); err != nil {
			return nil, err
		}
		d.Compression = CompressionGzip
	default:
		return nil, fmt.Errorf("%w: content encoding %q", ErrUnsupportedCompression, enc)
	}
	if isGzip(body) {
		if body, err = gunzip(body, r.MaxBytes); err != nil {
			return nil, err
		}
		d.Compression = CompressionGzip
	}

	if isFormBody(r.ContentType, body) {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("%w: invalid form body: %v", ErrMalformed, err)
		}
		data := vals.Get("data")
		if data == "" {
			return nil, fmt.Errorf("%w: form body without a data field", ErrMalformed)
		}
		if compression == "" {
			if compression, err = normaliseCompression(vals.Get("compression")); err != nil {
				return nil, err
			}
		}
		d.Form = true
		return finish(d, data, compression, r.MaxBytes)
	}

	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrMalformed)
	}
	if compression == CompressionLZ64 || compression == CompressionBase64 || !looksLikeJSON(body) {
		return finish(d, string(body), compression, r.MaxBytes)
	}
	return checkSize(d, body, r.MaxBytes)
}

// finish decodes the text of a data field (or a body that is not JSON):
// lz-string when asked for, else JSON as it is, else base64 (possibly of
// gzip).
func finish(d *Decoded, data, compression string, maxBytes int) (*Decoded, error) {
	if compression == CompressionLZ64 {
		out, err := DecompressLZ64(strings.TrimSpace(data), maxBytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		d.Compression = CompressionLZ64
		return checkSize(d, out, maxBytes)
	}
	if compression != CompressionBase64 && looksLikeJSON([]byte(data)) {
		return checkSize(d, []byte(data), maxBytes)
	}
	out, err := decodeBase64(data)
	if err != nil {
		return nil, fmt.Errorf("%w: data is neither JSON nor base64: %v", ErrMalformed, err)
	}
	if d.Compression == CompressionNone {
		d.Compression = CompressionBase64
	}
	if isGzip(out) {
		if out, err = gunzip(out, maxBytes); err != nil {
			return nil, err
		}
	}
	return checkSize(d, out, maxBytes)
}

func checkSize(d *Decoded, out []byte, maxBytes int) (*Decoded, error) {
	if maxBytes > 0 && len(out) > maxBytes {
		return nil, fmt.Errorf("%w: decoded payload is over %d bytes", ErrTooLarge, maxBytes)
	}
	out = bytes.TrimPrefix(out, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	d.JSON = out
	return d, nil
}

// normaliseCompression maps the compression parameter to one of "",
// "gzip", "lz64" or "base64".
func normaliseCompression(c string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(c)) {
	case "", "none", "identity":
		return "", nil
	case "gzip", "gzip-js":
		return CompressionGzip, nil
	case "lz64", "lz-string":
		return CompressionLZ64, nil
	case "base64":
		return CompressionBase64, nil
	}
	return "", fmt.Errorf("%w: compression %q", ErrUnsupportedCompression, c)
}

func isFormBody(contentType string, body []byte) bool {
	if looksLikeJSON(body) {
		return false
	}
	if trimmed := bytes.TrimSpace(body); bytes.HasPrefix(trimmed, []byte("data=")) || bytes.Contains(trimmed, []byte("&data=")) {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/x-www-form-urlencoded"
}

func looksLikeJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n\xef\xbb\xbf")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

func isGzip(b []byte) bool {
	return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

// gunzip decompresses b, refusing output over maxBytes (0: no bound).
func gunzip(b []byte, maxBytes int) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: invalid gzip data: %v", ErrMalformed, err)
	}
	defer zr.Close()
	var src io.Reader = zr
	if maxBytes > 0 {
		src = io.LimitReader(zr, int64(maxBytes)+1)
	}
	out, err := io.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid gzip data: %v", ErrMalformed, err)
	}
	if maxBytes > 0 && len(out) > maxBytes {
		return nil, fmt.Errorf("%w: decompressed payload is over %d bytes", ErrTooLarge, maxBytes)
	}
	return out, nil
}

// decodeBase64 accepts standard and URL-safe base64, with or without padding,
// with line breaks, and with '+' turned into ' ' by careless form encoding.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\r', '\n', '\t':
			return -1
		case ' ':
			return '+'
		case '-':
			return '+'
		case '_':
			return '/'
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, errors.New("empty")
	}
	return base64.RawStdEncoding.DecodeString(s)
}
