package pluginhost

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/hogpipe/hogpipe/internal/jsjson"
)

// Events travel between Go and JS as JSON bytes that are turned straight into
// JS values (and back) by the two walkers in this file. Going through goja's
// JSON.parse/JSON.stringify would cost a JS string round trip per event, and
// going through Go maps would lose the key order plugins rely on.

// decodeJSON parses data into a JS value of rt, keeping the order of object keys.
func decodeJSON(rt *goja.Runtime, data []byte) (goja.Value, error) {
	return decodeJSONKeys(rt, data, nil)
}

// decodeJSONKeys is decodeJSON reusing the strings in keys for object keys
// it has seen before, and adding new short ones: events of one stream share
// their keys, and a Go string per key per event is a good part of the
// garbage of decoding them. keys may be nil.
func decodeJSONKeys(rt *goja.Runtime, data []byte, keys keyStrings) (goja.Value, error) {
	return decodeWith(&jsonDecoder{rt: rt, data: data, keys: keys})
}

// decodeEvent is decodeJSONKeys for an event handed to a plugin: the event
// and its "properties" become lazyObjects (see lazyevent.go). hint is the
// number of properties expected, to size the index.
// It also returns the lazy objects it made (properties, then the event): they spare
// the encoder asking goja what each object is (see jsonEncoder.known).
func decodeEvent(rt *goja.Runtime, data []byte, keys keyStrings, protos *jsonProtos, hint int) (goja.Value, []*lazyObject, error) {
	data = append([]byte(nil), data...) // the lazy objects keep views of it
	d := &jsonDecoder{rt: rt, data: data, keys: keys, protos: protos, lazy: true, lazyHint: hint}
	d.made = d.madeBuf[:0] // an event has two
	v, err := decodeWith(d)
	return v, d.made, err
}

func decodeWith(d *jsonDecoder) (goja.Value, error) {
	d.skipSpace()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return nil, d.errorf("unexpected %q after the JSON value", d.data[d.pos])
	}
	return v, nil
}

const jsonMaxDepth = maxJSONDepth

// keyStrings interns object keys across decodes; it is bounded so that
// events with ever-new keys cannot grow it without limit.
type keyStrings map[string]string

const (
	keyStringsMax    = 4096
	keyStringsMaxLen = 64
)

type jsonDecoder struct {
	rt   *goja.Runtime
	data []byte
	pos  int
	keys keyStrings

	// lazy makes the top-level object, and its "properties", lazyObjects.
	lazy     bool
	lazyHint int
	protos   *jsonProtos
	made     []*lazyObject
	madeBuf  [2]*lazyObject
}

func (d *jsonDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (goja.Value, error) {
	if depth > jsonMaxDepth {
		return nil, d.errorf("nested too deeply")
	}
	if d.pos >= len(d.data) {
		return nil, d.errorf("unexpected end of input")
	}
	switch c := d.data[d.pos]; {
	case c == '{' && d.lazy && depth == 0:
		return d.lazyObject(0)
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, err := d.string()
		if err != nil {
			return nil, err
		}
		return d.rt.ToValue(s), nil
	case c == 't':
		return d.literal("true", d.rt.ToValue(true))
	case c == 'f':
		return d.literal("false", d.rt.ToValue(false))
	case c == 'n':
		return d.literal("null", goja.Null())
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		return nil, d.errorf("unexpected %q", c)
	}
}

func (d *jsonDecoder) literal(word string, v goja.Value) (goja.Value, error) {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return nil, d.errorf("invalid literal")
	}
	d.pos += len(word)
	return v, nil
}

func (d *jsonDecoder) object(depth int) (goja.Value, error) {
	obj := d.rt.NewObject()
	d.pos++ // {
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return obj, nil
	}
	for {
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.errorf("expected a string key")
		}
		key, err := d.key()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.errorf("expected ':' after object key")
		}
		d.pos++
		d.skipSpace()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		// Defined, not assigned: an assignment would run setters a plugin
		// put on Object.prototype, and "__proto__" would replace the
		// prototype instead of being a key (JSON.parse makes it a key).
		if err := obj.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end of input in object")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return obj, nil
		default:
			return nil, d.errorf("expected ',' or '}' in object")
		}
	}
}

func (d *jsonDecoder) array(depth int) (goja.Value, error) {
	d.pos++ // [
	var items []any
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return d.rt.NewArray(), nil
	}
	for {
		d.skipSpace()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end of input in array")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return d.rt.NewArray(items...), nil
		default:
			return nil, d.errorf("expected ',' or ']' in array")
		}
	}
}

func (d *jsonDecoder) number() (goja.Value, error) {
	text, isInt, err := d.scanNumber()
	if err != nil {
		return nil, err
	}
	if isInt && len(text) < 16 {
		n, err := strconv.ParseInt(text, 10, 64)
		if err == nil {
			return d.rt.ToValue(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, d.errorf("invalid number %q", text)
	}
	return d.rt.ToValue(f), nil
}

// scanNumber passes over the number at d.pos and returns its text (a view
// of d.data, to be parsed and not kept) and whether it has only digits.
func (d *jsonDecoder) scanNumber() (text string, isInt bool, err error) {
	start := d.pos
	isInt = true
	if d.data[d.pos] == '-' {
		d.pos++
	}
	digits := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c >= '0' && c <= '9' {
			d.pos++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
			isInt = false
			d.pos++
			continue
		}
		break
	}
	if d.pos == digits {
		return "", false, d.errorf("invalid number")
	}
	return unsafeString(d.data[start:d.pos]), isInt, nil
}

// key reads an object key, taking it from d.keys when it has no escapes.
func (d *jsonDecoder) key() (string, error) {
	if d.keys == nil {
		return d.string()
	}
	start := d.pos + 1
	end := start
	for end < len(d.data) && end-start <= keyStringsMaxLen {
		c := d.data[end]
		if c == '"' {
			if s, ok := d.keys[string(d.data[start:end])]; ok {
				d.pos = end + 1
				return s, nil
			}
			s, err := d.string()
			if err == nil && len(d.keys) < keyStringsMax {
				d.keys[s] = s
			}
			return s, err
		}
		if c == '\\' || c < 0x20 {
			break
		}
		end++
	}
	return d.string()
}

// string reads a JSON string starting at the opening quote.
func (d *jsonDecoder) string() (string, error) {
	d.pos++ // opening quote
	start := d.pos
	// Fast path: no escapes.
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			s := string(d.data[start:d.pos])
			d.pos++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", d.errorf("control character in string")
		}
		d.pos++
	}
	buf := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(buf), nil
		case c < 0x20:
			return "", d.errorf("control character in string")
		case c != '\\':
			buf = append(buf, c)
			d.pos++
			continue
		}
		d.pos++
		if d.pos >= len(d.data) {
			break
		}
		e := d.data[d.pos]
		d.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A pair becomes one rune; a lone surrogate is kept as
				// WTF-8 so that JS sees the same UTF-16 unit it would in Node.
				save := d.pos
				if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
					d.pos += 2
					if r2, ok := d.hex4(); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							buf = utf8.AppendRune(buf, dec)
							continue
						}
					}
					d.pos = save
				}
				buf = append(buf, 0xED, byte(0xA0|(r>>6)&0x1F), byte(0x80|r&0x3F))
				continue
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", d.errorf("invalid escape '\\%c'", e)
		}
	}
	return "", d.errorf("unterminated string")
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if len(d.data)-d.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}

//------------------------------------------------------------------------------

// limitError is a value too big to serialise; its message names the limit.
type limitError struct{ limit, message string }

func (e *limitError) Error() string { return e.message }

var errTooLarge = &limitError{limit: LimitEventSize, message: fmt.Sprintf(
	"the value serialises to more than %d MiB, the limit of one event", maxEventBytes>>20)}

// errNotJSONable is returned for values JSON.stringify would turn into
// undefined at the top level (functions, symbols, undefined).
var errNotJSONable = errors.New("value has no JSON form")

// encodeJSON appends the JSON.stringify form of v to buf, with JavaScript's
// key order, toJSON methods (Dates) and omission rules.
func encodeJSON(rt *goja.Runtime, buf []byte, v goja.Value) ([]byte, error) {
	e := jsonEncoder{rt: rt}
	out, ok, err := e.value(buf, v, 0)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNotJSONable
	}
	return out, nil
}

type jsonEncoder struct {
	rt    *goja.Runtime
	stack []*goja.Object

	// known are the lazy objects of the event being encoded, recognised by
	// pointer: asking goja (Export) allocates.
	known []*lazyObject

	// textCopy says whether lazy objects' untouched text may be copied out
	// (no toJSON on the prototypes); found out on the first one.
	textCopy textCopy

	// runKey and runLabel, when set, append runLabel to the array at
	// properties[runKey] of the top-level object (creating it when absent),
	// as if the plugin host had pushed it before serializing.
	runKey, runLabel string
}

// value appends v; ok is false when v has no JSON form (the caller omits it
// from an object or writes null in an array).
func (e *jsonEncoder) value(buf []byte, v goja.Value, depth int) (out []byte, ok bool, err error) {
	if v == nil || goja.IsUndefined(v) {
		return buf, false, nil
	}
	if goja.IsNull(v) {
		return append(buf, "null"...), true, nil
	}
	if obj, isObj := v.(*goja.Object); isObj {
		return e.object(buf, obj, depth)
	}
	switch v.ExportType() {
	case jsonTypeString:
		s := v.String()
		if len(buf)+len(s) > maxEventBytes {
			return nil, false, errTooLarge
		}
		return jsjson.AppendString(buf, s), true, nil
	case jsonTypeInt:
		return strconv.AppendInt(buf, v.ToInteger(), 10), true, nil
	case jsonTypeFloat:
		x := v.ToFloat()
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(buf, "null"...), true, nil
		}
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.AppendInt(buf, int64(x), 10), true, nil
		}
		return append(buf, v.String()...), true, nil
	case jsonTypeBool:
		return strconv.AppendBool(buf, v.ToBoolean()), true, nil
	case jsonTypeBigInt:
		return nil, false, errors.New("do not know how to serialize a BigInt")
	}
	if _, isSym := v.(*goja.Symbol); isSym {
		return buf, false, nil
	}
	return jsjson.AppendString(buf, v.String()), true, nil
}

var (
	jsonTypeString = reflect.TypeOf("")
	jsonTypeInt    = reflect.TypeOf(int64(0))
	jsonTypeFloat  = reflect.TypeOf(float64(0))
	jsonTypeBool   = reflect.TypeOf(false)
	jsonTypeBigInt = reflect.TypeOf((*big.Int)(nil))
)

func (e *jsonEncoder) object(buf []byte, obj *goja.Object, depth int) ([]byte, bool, error) {
	if depth > jsonMaxDepth {
		return nil, false, errors.New("value nested too deeply to serialize")
	}
	if _, isFunc := goja.AssertFunction(obj); isFunc {
		return buf, false, nil
	}
	if toJSON, isFunc := goja.AssertFunction(obj.Get("toJSON")); isFunc {
		if t, isTime := obj.Export().(time.Time); isTime && obj.ClassName() == "Date" {
			if t.IsZero() || t.Year() < -271820 {
				return append(buf, "null"...), true, nil
			}
			return jsjson.AppendString(buf, t.UTC().Format("2006-01-02T15:04:05.000Z")), true, nil
		}
		replaced, err := toJSON(obj)
		if err != nil {
			return nil, false, err
		}
		if r, isObj := replaced.(*goja.Object); !isObj || r != obj {
			return e.value(buf, replaced, depth+1)
		}
	}
	for _, seen := range e.stack {
		if seen == obj {
			return nil, false, errors.New("converting circular structure to JSON")
		}
	}
	e.stack = append(e.stack, obj)
	defer func() { e.stack = e.stack[:len(e.stack)-1] }()

	if lazy, ok := e.lazyOf(obj); ok {
		return e.lazyObject(buf, lazy, depth)
	}
	if obj.ClassName() == "Array" {
		length := obj.Get("length").ToInteger()
		if length > maxArrayLength {
			return nil, false, &limitError{limit: LimitArrayLength, message: fmt.Sprintf(
				"an array of length %d is longer than the %d elements a value may have", length, maxArrayLength)}
		}
		n := int(length)
		buf = append(buf, '[')
		for i := 0; i < n; i++ {
			if len(buf) > maxEventBytes {
				return nil, false, errTooLarge
			}
			if i > 0 {
				buf = append(buf, ',')
			}
			var ok bool
			var err error
			buf, ok, err = e.value(buf, obj.Get(strconv.Itoa(i)), depth+1)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				buf = append(buf, "null"...)
			}
		}
		return append(buf, ']'), true, nil
	}

	buf = append(buf, '{')
	first := true
	for _, key := range obj.Keys() {
		if len(buf) > maxEventBytes {
			return nil, false, errTooLarge
		}
		mark := len(buf)
		if !first {
			buf = append(buf, ',')
		}
		buf = jsjson.AppendString(buf, key)
		buf = append(buf, ':')
		var ok bool
		var err error
		val := obj.Get(key)
		if props, isObj := val.(*goja.Object); isObj && depth == 0 && key == "properties" && e.runKey != "" && props.ClassName() == "Object" {
			buf, ok, err = e.propertiesWithRun(buf, props)
		} else {
			buf, ok, err = e.value(buf, val, depth+1)
		}
		if err != nil {
			return nil, false, err
		}
		if !ok {
			buf = buf[:mark]
			continue
		}
		first = false
	}
	return append(buf, '}'), true, nil
}

// propertiesWithRun writes an event's properties followed by
// "runKey":["runLabel"]; the caller has checked that runKey is absent.
func (e *jsonEncoder) propertiesWithRun(buf []byte, props *goja.Object) ([]byte, bool, error) {
	key, label := e.runKey, e.runLabel
	e.runKey = "" // only the event's own properties
	buf, ok, err := e.object(buf, props, 1)
	if err != nil || !ok {
		return buf, ok, err
	}
	buf = buf[:len(buf)-1] // the closing brace
	if buf[len(buf)-1] != '{' {
		buf = append(buf, ',')
	}
	buf = jsjson.AppendString(buf, key)
	buf = append(buf, ':', '[')
	buf = jsjson.AppendString(buf, label)
	return append(buf, ']', '}'), true, nil
}
