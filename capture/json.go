package capture

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// errNotObject is returned by objectMembers when the value is valid JSON but
// not an object.
var errNotObject = errors.New("not a JSON object")

// maxDepth bounds the nesting of JSON values, as encoding/json does.
const maxDepth = 10000

// member is one key and its raw value in a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage // a sub-slice of the scanned input
}

// objectMembers splits a JSON object into its members without decoding the
// values, so that the order of keys (and the bytes of every value) survive.
// The whole input is validated as strictly as encoding/json does.
func objectMembers(raw []byte) ([]member, error) {
	s := scanner{data: raw}
	s.skipSpace()
	if s.pos >= len(raw) {
		return nil, s.errorf("unexpected end of JSON input")
	}
	if raw[s.pos] != '{' {
		if err := s.value(0); err != nil {
			return nil, err
		}
		if err := s.end(); err != nil {
			return nil, err
		}
		return nil, errNotObject
	}
	s.pos++
	ms := make([]member, 0, 8)
	s.skipSpace()
	if s.peek() == '}' {
		s.pos++
		return ms, s.end()
	}
	for {
		s.skipSpace()
		if s.peek() != '"' {
			return nil, s.errorf("expected an object key")
		}
		start := s.pos
		escaped, err := s.str()
		if err != nil {
			return nil, err
		}
		key, err := unquote(raw[start:s.pos], escaped)
		if err != nil {
			return nil, err
		}
		s.skipSpace()
		if s.peek() != ':' {
			return nil, s.errorf("expected ':' after an object key")
		}
		s.pos++
		s.skipSpace()
		vstart := s.pos
		if err := s.value(1); err != nil {
			return nil, err
		}
		ms = append(ms, member{key: key, value: raw[vstart:s.pos:s.pos]})
		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return ms, s.end()
		default:
			return nil, s.errorf("expected ',' or '}' in an object")
		}
	}
}

// arrayElements splits a JSON array into its raw elements, validating it.
func arrayElements(raw []byte) ([]json.RawMessage, error) {
	return arrayElementsMax(raw, 0)
}

// errTooManyElements stops arrayElementsMax at its limit.
var errTooManyElements = errors.New("too many elements")

// arrayElementsMax is arrayElements stopping with errTooManyElements at the
// (max+1)th element when max > 0, before the rest is scanned or kept.
func arrayElementsMax(raw []byte, max int) ([]json.RawMessage, error) {
	s := scanner{data: raw}
	s.skipSpace()
	if s.peek() != '[' {
		return nil, s.errorf("expected an array")
	}
	s.pos++
	var out []json.RawMessage
	s.skipSpace()
	if s.peek() == ']' {
		s.pos++
		return out, s.end()
	}
	for {
		s.skipSpace()
		start := s.pos
		if err := s.value(1); err != nil {
			return nil, err
		}
		if max > 0 && len(out) == max {
			return nil, errTooManyElements
		}
		out = append(out, raw[start:s.pos:s.pos])
		s.skipSpace()
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return out, s.end()
		default:
			return nil, s.errorf("expected ',' or ']' in an array")
		}
	}
}

// scanner walks JSON text; it checks the grammar without building values.
type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) errorf(msg string) error {
	return fmt.Errorf("%s at offset %d", msg, s.pos)
}

func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// end checks that only whitespace follows.
func (s *scanner) end() error {
	s.skipSpace()
	if s.pos != len(s.data) {
		return s.errorf("unexpected data after the JSON value")
	}
	return nil
}

// value skips one JSON value starting at pos, inside depth containers. As in
// encoding/json, a container that would be the (maxDepth+1)th level is refused
// before anything inside it is read.
func (s *scanner) value(depth int) error {
	if c := s.peek(); (c == '{' || c == '[') && depth >= maxDepth {
		return s.errorf("JSON nested too deeply")
	}
	switch c := s.peek(); {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{':
		s.pos++
		s.skipSpace()
		if s.peek() == '}' {
			s.pos++
			return nil
		}
		for {
			s.skipSpace()
			if s.peek() != '"' {
				return s.errorf("expected an object key")
			}
			if _, err := s.str(); err != nil {
				return err
			}
			s.skipSpace()
			if s.peek() != ':' {
				return s.errorf("expected ':' after an object key")
			}
			s.pos++
			s.skipSpace()
			if err := s.value(depth + 1); err != nil {
				return err
			}
			s.skipSpace()
			switch s.peek() {
			case ',':
				s.pos++
			case '}':
				s.pos++
				return nil
			default:
				return s.errorf("expected ',' or '}' in an object")
			}
		}
	case c == '[':
		s.pos++
		s.skipSpace()
		if s.peek() == ']' {
			s.pos++
			return nil
		}
		for {
			s.skipSpace()
			if err := s.value(depth + 1); err != nil {
				return err
			}
			s.skipSpace()
			switch s.peek() {
			case ',':
				s.pos++
			case ']':
				s.pos++
				return nil
			default:
				return s.errorf("expected ',' or ']' in an array")
			}
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case s.pos >= len(s.data):
		return s.errorf("unexpected end of JSON input")
	}
	return s.errorf("invalid character " + strconv.QuoteRune(rune(s.data[s.pos])))
}

func (s *scanner) literal(lit string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		return s.errorf("invalid literal")
	}
	s.pos += len(lit)
	return nil
}

func (s *scanner) digits() int {
	n := 0
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
		n++
	}
	return n
}

func (s *scanner) number() error {
	if s.peek() == '-' {
		s.pos++
	}
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		return s.errorf("invalid number")
	}
	if s.peek() == '.' {
		s.pos++
		if s.digits() == 0 {
			return s.errorf("invalid number")
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		if s.digits() == 0 {
			return s.errorf("invalid number")
		}
	}
	return nil
}

// str skips a string starting at its opening quote; escaped reports whether
// it holds backslash escapes.
func (s *scanner) str() (escaped bool, err error) {
	s.pos++ // opening quote
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return escaped, nil
		case c == '\\':
			escaped = true
			s.pos++
			switch s.peek() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				s.pos++
				for i := 0; i < 4; i++ {
					if !isHex(s.peek()) {
						return false, s.errorf("invalid unicode escape")
					}
					s.pos++
				}
			default:
				return false, s.errorf("invalid escape in string")
			}
		case c < 0x20:
			return false, s.errorf("control character in string")
		default:
			s.pos++
		}
	}
	return false, s.errorf("unexpected end of JSON input in string")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unquote returns the Go string of a validated JSON string.
func unquote(raw []byte, escaped bool) (string, error) {
	if !escaped {
		return string(raw[1 : len(raw)-1]), nil
	}
	var v string
	err := json.Unmarshal(raw, &v)
	return v, err
}

// lookup returns the value of the last member named key (the one
// JavaScript's JSON.parse keeps), or nil when there is none.
func lookup(ms []member, key string) json.RawMessage {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].key == key {
			return ms[i].value
		}
	}
	return nil
}

// kind is the first byte of a raw JSON value, which tells its type.
func kind(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isObject(raw json.RawMessage) bool { return kind(raw) == '{' }

func isNull(raw json.RawMessage) bool { return raw == nil || kind(raw) == 'n' }

// stringValue returns the Go string of a raw JSON string.
func stringValue(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 && bytes.IndexByte(raw[1:len(raw)-1], '"') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false
	}
	return v, true
}

// idValue turns a JSON string or number into an identifier string, as
// PostHog does for distinct ids: numbers keep their literal text.
func idValue(raw json.RawMessage) (string, bool) {
	switch k := kind(raw); {
	case k == '"':
		s, ok := stringValue(raw)
		return s, ok && s != ""
	case k == '-' || (k >= '0' && k <= '9'):
		return string(bytes.TrimSpace(raw)), true
	}
	return "", false
}

// compact appends a value that objectMembers or arrayElements validated,
// without insignificant whitespace; key order and the bytes of every string
// are left as they are.
func compact(dst []byte, raw json.RawMessage) []byte {
	inString := false
	start := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ' ', '\t', '\n', '\r':
			dst = append(dst, raw[start:i]...)
			start = i + 1
		}
	}
	return append(dst, raw[start:]...)
}

// objWriter writes a JSON object member by member, in the order of the calls.
type objWriter struct {
	buf []byte
	n   int
}

func newObjWriter(capacity int) *objWriter {
	w := &objWriter{buf: make([]byte, 0, capacity)}
	w.buf = append(w.buf, '{')
	return w
}

func (w *objWriter) key(k string) {
	if w.n > 0 {
		w.buf = append(w.buf, ',')
	}
	w.n++
	w.buf = appendString(w.buf, k)
	w.buf = append(w.buf, ':')
}

// raw writes a member whose value is validated JSON; it is compacted.
func (w *objWriter) raw(k string, v json.RawMessage) {
	w.key(k)
	w.buf = compact(w.buf, v)
}

func (w *objWriter) str(k, v string) {
	w.key(k)
	w.buf = appendString(w.buf, v)
}

func (w *objWriter) int(k string, v int64) {
	w.key(k)
	w.buf = strconv.AppendInt(w.buf, v, 10)
}

func (w *objWriter) null(k string) {
	w.key(k)
	w.buf = append(w.buf, "null"...)
}

func (w *objWriter) bytes() []byte {
	return append(w.buf, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Unlike encoding/json it leaves <,
// > and & alone; invalid UTF-8 becomes U+FFFD, and U+2028/U+2029 are escaped
// so the result is also a valid JavaScript literal.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
