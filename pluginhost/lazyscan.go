package pluginhost

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/unistring"
)

// The scan behind lazy events (see lazyevent.go): it validates an event's
// text exactly as the eager decoder in jsonvalue.go would (same errors at
// the same bytes), records where each key's value lies, and tells which
// values are canonical: written as JSON.stringify would write them, so
// they may be copied out untouched.

// lazyObject reads the object at d.pos into a lazyObject, validating its
// text exactly as value would. At the top level, a "properties" object is
// read into a lazyObject of its own. The objects keep views of d.data,
// which decodeEvent copied from the message.
func (d *jsonDecoder) lazyObject(depth int) (goja.Value, error) {
	if depth > jsonMaxDepth {
		return nil, d.errorf("nested too deeply")
	}
	open := d.pos
	hint := d.lazyHint
	if depth == 0 {
		hint = 12 // events have about ten top-level keys
	}
	o := &lazyObject{rt: d.rt, data: d.data[open:], keys: d.keys, protos: d.protos, depth: depth, slots: make([]lazySlot, 0, hint)}
	d.pos++ // {
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		o.data = d.data[open:d.pos]
		return d.finishLazy(o), nil
	}
	for {
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.errorf("expected a string key")
		}
		keyStart := d.pos
		keyCanonical, err := d.skipString()
		if err != nil {
			return nil, err
		}
		slot := lazySlot{keyStart: int32(keyStart - open), keyEnd: int32(d.pos - open)}
		if !keyCanonical || bytes.IndexByte(d.data[keyStart+1:d.pos-1], '\\') >= 0 {
			unescape := jsonDecoder{data: d.data, pos: keyStart}
			if slot.name, err = unescape.string(); err != nil {
				return nil, err
			}
			if !utf8.ValidString(slot.name) {
				slot.name = unistring.NewFromString(slot.name).String() // as goja names the property
			}
		}
		properties := depth == 0 && o.is(&slot, "properties")
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.errorf("expected ':' after object key")
		}
		d.pos++
		d.skipSpace()
		start := d.pos
		if properties && d.pos < len(d.data) && d.data[d.pos] == '{' {
			slot.val, err = d.lazyObject(depth + 1)
			slot.state = slotBuilt
		} else {
			slot.canonical, err = d.skip(depth + 1)
		}
		if err != nil {
			return nil, err
		}
		slot.start, slot.end = int32(start-open), int32(d.pos-open)
		o.add(slot)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, d.errorf("unexpected end of input in object")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			o.data = d.data[open:d.pos]
			return d.finishLazy(o), nil
		default:
			return nil, d.errorf("expected ',' or '}' in object")
		}
	}
}

// finishLazy wraps o for JavaScript and records it in d.made.
func (d *jsonDecoder) finishLazy(o *lazyObject) *goja.Object {
	o.obj = d.rt.NewDynamicObject(o)
	d.made = append(d.made, o)
	return o.obj
}

// skip passes over the value at d.pos, failing where value would, and
// reports whether its text is canonical (see lazySlot).
func (d *jsonDecoder) skip(depth int) (canonical bool, err error) {
	if depth > jsonMaxDepth {
		return false, d.errorf("nested too deeply")
	}
	if d.pos >= len(d.data) {
		return false, d.errorf("unexpected end of input")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.skipObject(depth)
	case c == '[':
		return d.skipArray(depth)
	case c == '"':
		return d.skipString()
	case c == 't':
		_, err := d.literal("true", nil)
		return err == nil, err
	case c == 'f':
		_, err := d.literal("false", nil)
		return err == nil, err
	case c == 'n':
		_, err := d.literal("null", nil)
		return err == nil, err
	case c == '-' || (c >= '0' && c <= '9'):
		return d.skipNumber()
	default:
		return false, d.errorf("unexpected %q", c)
	}
}

// spaced is skipSpace reporting whether there was any.
func (d *jsonDecoder) spaced() bool {
	at := d.pos
	d.skipSpace()
	return d.pos != at
}

// maxTrackedKeys bounds the repeated-key check of skipObject; an object
// with more keys is simply not canonical.
const maxTrackedKeys = 32

func (d *jsonDecoder) skipObject(depth int) (bool, error) {
	d.pos++ // {
	canonical := !d.spaced()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return canonical, nil
	}
	var keys [maxTrackedKeys][2]int
	n := 0
	for {
		if d.spaced() {
			canonical = false
		}
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return false, d.errorf("expected a string key")
		}
		start := d.pos
		keyCanonical, err := d.skipString()
		if err != nil {
			return false, err
		}
		if canonical {
			canonical = keyCanonical && d.newKey(keys[:n], start, d.pos)
			if n == maxTrackedKeys {
				canonical = false
			} else {
				keys[n] = [2]int{start, d.pos}
				n++
			}
		}
		if d.spaced() {
			canonical = false
		}
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return false, d.errorf("expected ':' after object key")
		}
		d.pos++
		if d.spaced() {
			canonical = false
		}
		valueCanonical, err := d.skip(depth + 1)
		if err != nil {
			return false, err
		}
		spaced := d.spaced()
		canonical = canonical && valueCanonical && !spaced
		if d.pos >= len(d.data) {
			return false, d.errorf("unexpected end of input in object")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return canonical, nil
		default:
			return false, d.errorf("expected ',' or '}' in object")
		}
	}
}

// newKey reports whether the canonical key text at data[start:end] is
// neither an array index (which JavaScript would move first) nor one of
// keys (which JSON.parse would merge).
func (d *jsonDecoder) newKey(keys [][2]int, start, end int) bool {
	text := d.data[start:end]
	if _, ok := arrayIndex(string(text[1 : len(text)-1])); ok {
		return false
	}
	for _, k := range keys {
		if string(d.data[k[0]:k[1]]) == string(text) {
			return false
		}
	}
	return true
}

func (d *jsonDecoder) skipArray(depth int) (bool, error) {
	d.pos++ // [
	canonical := !d.spaced()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return canonical, nil
	}
	for {
		if d.spaced() {
			canonical = false
		}
		itemCanonical, err := d.skip(depth + 1)
		if err != nil {
			return false, err
		}
		spaced := d.spaced()
		canonical = canonical && itemCanonical && !spaced
		if d.pos >= len(d.data) {
			return false, d.errorf("unexpected end of input in array")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return canonical, nil
		default:
			return false, d.errorf("expected ',' or ']' in array")
		}
	}
}

// skipString passes over the string at d.pos; it is canonical when it is
// valid UTF-8 with no escapes but the short ones JSON.stringify writes.
func (d *jsonDecoder) skipString() (bool, error) {
	d.pos++ // opening quote
	canonical := true
	for d.pos < len(d.data) {
		for d.pos+8 <= len(d.data) && plainASCII8(binary.LittleEndian.Uint64(d.data[d.pos:])) {
			d.pos += 8
		}
		if d.pos >= len(d.data) {
			break
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return canonical, nil
		case c < 0x20:
			return false, d.errorf("control character in string")
		case c == '\\':
			d.pos++
			if d.pos >= len(d.data) {
				return false, d.errorf("unterminated string")
			}
			e := d.data[d.pos]
			d.pos++
			switch e {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
			case '/':
				canonical = false
			case 'u':
				if _, ok := d.hex4(); !ok {
					return false, d.errorf("invalid \\u escape")
				}
				canonical = false
			default:
				return false, d.errorf("invalid escape '\\%c'", e)
			}
		case c >= 0x80:
			r, size := decodeRune(d.data[d.pos:])
			if r < 0 {
				canonical = false
			}
			d.pos += size
		default:
			d.pos++
		}
	}
	return false, d.errorf("unterminated string")
}

// plainASCII8 reports whether the eight bytes of x are all printable
// ASCII other than '"' and '\\': nothing a string scan stops for.
func plainASCII8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below20 := (x - ones*0x20) & ^x
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	return (below20|(quote-ones)&^quote|(backslash-ones)&^backslash|x)&highs == 0
}

// decodeRune is utf8.DecodeRune reporting invalid text (surrogates
// included) as -1.
func decodeRune(b []byte) (rune, int) {
	r, size := utf8.DecodeRune(b)
	if r == utf8.RuneError && size == 1 {
		return -1, 1
	}
	return r, size
}

func (d *jsonDecoder) skipNumber() (bool, error) {
	text, isInt, err := d.scanNumber()
	if err != nil {
		return false, err
	}
	if isInt && len(text) < 16 {
		if canonicalInt(text) {
			return true, nil
		}
		if _, err := strconv.ParseInt(text, 10, 64); err == nil {
			return false, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return false, nil
		}
		return false, d.errorf("invalid number %q", text)
	}
	var formatted [40]byte
	return string(appendJSNumber(formatted[:0], f)) == text, nil
}

// canonicalInt reports whether text is an integer as JavaScript writes it.
func canonicalInt(text string) bool {
	if text[0] == '-' {
		text = text[1:]
		if len(text) == 1 && text[0] == '0' {
			return false // -0 is written 0
		}
	}
	if len(text) == 0 || (text[0] == '0' && len(text) > 1) {
		return false
	}
	for i := 0; i < len(text); i++ {
		if text[i] < '0' || text[i] > '9' {
			return false
		}
	}
	return true
}

// appendJSNumber appends x as JavaScript's Number.prototype.toString
// writes it (ECMA-262 Number::toString): the shortest digits that read
// back as x, in fixed notation for exponents from -6 to 20, else in
// exponential notation.
func appendJSNumber(buf []byte, x float64) []byte {
	if x == 0 {
		return append(buf, '0')
	}
	if x < 0 {
		buf = append(buf, '-')
		x = -x
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], x, 'e', -1, 64) // d.ddde±XX
	mark := 0
	for e[mark] != 'e' {
		mark++
	}
	var digits [20]byte
	k := 0
	for _, c := range e[:mark] {
		if c != '.' {
			digits[k] = c
			k++
		}
	}
	exp, _ := strconv.Atoi(string(e[mark+1:]))
	n := exp + 1
	switch {
	case k <= n && n <= 21:
		buf = append(buf, digits[:k]...)
		for i := k; i < n; i++ {
			buf = append(buf, '0')
		}
	case 0 < n && n <= 21:
		buf = append(buf, digits[:n]...)
		buf = append(buf, '.')
		buf = append(buf, digits[n:k]...)
	case -6 < n && n <= 0:
		buf = append(buf, '0', '.')
		for i := n; i < 0; i++ {
			buf = append(buf, '0')
		}
		buf = append(buf, digits[:k]...)
	default:
		buf = append(buf, digits[0])
		if k > 1 {
			buf = append(buf, '.')
			buf = append(buf, digits[1:k]...)
		}
		buf = append(buf, 'e')
		if n-1 >= 0 {
			buf = append(buf, '+')
		}
		buf = strconv.AppendInt(buf, int64(n-1), 10)
	}
	return buf
}
