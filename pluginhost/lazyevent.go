package pluginhost

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/dop251/goja/unistring"

	"github.com/hogpipe/hogpipe/internal/jsjson"
)

// An event is handed to processEvent as a lazy object: the message's bytes
// are indexed once (each key and where its value lies, for the event and
// for its properties), a value becomes a JS value only when the plugin
// reads it, and on the way out every value it never touched is written
// back as its original bytes. Real events carry dozens of properties and
// plugins read a few: building and re-serialising all of them was most of
// the cost of an event.
//
// The objects are goja DynamicObjects, so they behave as plain objects for
// every use plugins make of events (the event-usage differential fixture
// goes through them), with the limits of dynamic objects: they cannot be
// frozen, sealed or given accessors, read-only or non-enumerable
// properties, or Symbol keys. A plugin whose own code does any of that
// gets plain objects (see ownCodeScan in compile.go).

// lazyObject is the DynamicObject behind an event or its properties. Only
// the VM's loop touches it.
type lazyObject struct {
	rt *goja.Runtime
	// data holds the object's JSON text, copied from the message so that
	// an object a plugin keeps depends on nothing it does not own.
	data   []byte
	keys   keyStrings
	protos *jsonProtos
	slots  []lazySlot
	// hasIndexKey is set once any key is an array index: JavaScript lists
	// those first, in numeric order.
	hasIndexKey bool
	depth       int              // 0 for the event, 1 for its properties
	index       map[string]int32 // key → live slot, for objects of lazyIndexAt keys or more
	deleted     int              // slots marked deleted
	// seen is a filter of every key the object ever had (a bit per hash):
	// a key whose bit is clear is not there, without a scan. Plugins mostly
	// add keys, and each addition asks first whether the key exists.
	seen [16]uint64
	last int // the slot of the last lookup, as lookups come in pairs (Has then Set)
}

// lazySlot is one key of a lazyObject, in insertion order. A deleted key
// keeps its slot (marked) and comes back, if set again, as a new slot at
// the end, where JavaScript puts it.
type lazySlot struct {
	// name is the key, or "" when it is keyStart:keyEnd in data (quotes
	// included) with no escapes and valid UTF-8.
	name             string
	val              goja.Value
	keyStart, keyEnd int32
	start, end       int32 // the value's JSON text in data
	state            slotState
	// canonical is set when data[start:end] is exactly what encoding its
	// value gives (no spaces, escapes or number forms JSON.stringify would
	// write otherwise), so it can be copied out as it is.
	canonical bool
}

type slotState uint8

const (
	slotRaw     slotState = iota // only the text exists
	slotBuilt                    // val was built from the text
	slotSet                      // val was assigned by the plugin
	slotDeleted                  // gone
)

// key is the slot's key as a string, taken from keys when it is there.
func (o *lazyObject) key(s *lazySlot) string {
	if s.name != "" || s.keyEnd == 0 {
		return s.name
	}
	raw := o.data[s.keyStart+1 : s.keyEnd-1]
	if k, ok := o.keys[string(raw)]; ok {
		return k
	}
	k := string(raw)
	if o.keys != nil && len(o.keys) < keyStringsMax && len(k) <= keyStringsMaxLen {
		o.keys[k] = k
	}
	return k
}

// is reports whether slot s has key.
func (o *lazyObject) is(s *lazySlot, key string) bool {
	if s.name != "" || s.keyEnd == 0 {
		return s.name == key
	}
	return string(o.data[s.keyStart+1:s.keyEnd-1]) == key
}

var lazyObjectType = reflect.TypeOf((*lazyObject)(nil))

// lazyOf returns the lazyObject behind obj, if there is one.
func lazyOf(obj *goja.Object) (*lazyObject, bool) {
	if obj.ExportType() != lazyObjectType {
		return nil, false
	}
	o, ok := obj.Export().(*lazyObject)
	return o, ok
}

func (o *lazyObject) find(key string) int {
	if o.index == nil && len(o.slots) >= lazyIndexAt {
		o.buildIndex()
	}
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return int(i)
		}
		return -1
	}
	if o.last < len(o.slots) && o.slots[o.last].state != slotDeleted && o.is(&o.slots[o.last], key) {
		return o.last
	}
	if !o.mayHave(key) {
		return -1
	}
	for i := range o.slots {
		if o.slots[i].state != slotDeleted && o.is(&o.slots[i], key) {
			o.last = i
			return i
		}
	}
	return -1
}

func (o *lazyObject) mayHave(key string) bool {
	h := keyHash(key)
	return o.seen[h>>6]&(1<<(h&63)) != 0
}

func (o *lazyObject) remember(key string) {
	h := keyHash(key)
	o.seen[h>>6] |= 1 << (h & 63)
}

func keyHash(key string) uint64 { return maphash.String(lazyKeySeed, key) & 1023 }

// lazyIndexAt is the number of keys from which lookups go through a map:
// a scan of the slots is faster for events of the usual size, but a plugin
// that adds thousands of keys must not pay a scan for each.
const lazyIndexAt = 128

func (o *lazyObject) buildIndex() {
	o.index = make(map[string]int32, len(o.slots))
	for i := range o.slots {
		if o.slots[i].state != slotDeleted {
			o.index[o.key(&o.slots[i])] = int32(i)
		}
	}
}

// compact drops deleted slots once they are most of them, so a plugin
// deleting and re-adding keys in a loop does not grow the object.
func (o *lazyObject) compact() {
	if o.deleted <= 32 || o.deleted*2 <= len(o.slots) {
		return
	}
	live := o.slots[:0]
	for _, s := range o.slots {
		if s.state != slotDeleted {
			live = append(live, s)
		}
	}
	clear(o.slots[len(live):])
	o.slots, o.deleted, o.index, o.last = live, 0, nil, 0
}

// value returns slot i's value, building it from its text on first use.
func (o *lazyObject) value(i int) goja.Value {
	s := &o.slots[i]
	if s.state == slotRaw {
		d := jsonDecoder{rt: o.rt, data: o.data, pos: int(s.start), keys: o.keys}
		v, err := d.value(o.depth + 1)
		if err != nil { // the text was validated when the event was read
			panic(o.rt.NewGoError(err))
		}
		s.val, s.state = v, slotBuilt
	}
	return s.val
}

// Get, Set, Has, Delete and Keys make lazyObject a goja.DynamicObject.

func (o *lazyObject) Get(key string) goja.Value {
	i := o.find(key)
	if i < 0 {
		return nil
	}
	return o.value(i)
}

func (o *lazyObject) Set(key string, val goja.Value) bool {
	if i := o.find(key); i >= 0 {
		o.slots[i].val, o.slots[i].state = val, slotSet
		return true
	}
	o.slots = append(o.slots, lazySlot{name: key, val: val, state: slotSet})
	o.remember(key)
	if o.index != nil {
		o.index[key] = int32(len(o.slots) - 1)
	}
	if isArrayIndex(key) {
		o.hasIndexKey = true
	}
	return true
}

func (o *lazyObject) Has(key string) bool { return o.find(key) >= 0 }

func (o *lazyObject) Delete(key string) bool {
	if i := o.find(key); i >= 0 {
		o.slots[i].val, o.slots[i].state = nil, slotDeleted
		if o.index != nil {
			delete(o.index, key)
		}
		o.deleted++
		o.compact()
	}
	return true
}

func (o *lazyObject) Keys() []string {
	order := o.order()
	keys := make([]string, 0, len(order))
	for _, i := range order {
		keys = append(keys, o.key(&o.slots[i]))
	}
	return keys
}

// order lists the live slots in JavaScript's key order: array indices
// ascending, then the other keys as they were added.
func (o *lazyObject) order() []int {
	order := make([]int, 0, len(o.slots))
	for i := range o.slots {
		if o.slots[i].state != slotDeleted {
			order = append(order, i)
		}
	}
	if o.hasIndexKey {
		slices.SortStableFunc(order, func(a, b int) int {
			ia, aIsIndex := arrayIndex(o.key(&o.slots[a]))
			ib, bIsIndex := arrayIndex(o.key(&o.slots[b]))
			switch {
			case aIsIndex && bIsIndex:
				return compareUint32(ia, ib)
			case aIsIndex:
				return -1
			case bIsIndex:
				return 1
			}
			return 0
		})
	}
	return order
}

func compareUint32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// add records a key read from the text: name is its unescaped form, or ""
// when that is the text between the quotes. A repeated key keeps its first
// place and takes the later value, as JSON.parse does; seen is a filter of
// the keys so far that spares most of the search for one.
func (o *lazyObject) add(slot lazySlot) {
	key := slot.name
	if key == "" {
		key = unsafeString(o.data[slot.keyStart+1 : slot.keyEnd-1])
	}
	if isArrayIndex(key) {
		o.hasIndexKey = true
	}
	if o.index == nil && len(o.slots) >= lazyIndexAt {
		o.buildIndex()
	}
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			o.replace(i, slot)
			return
		}
		o.remember(key)
		o.slots = append(o.slots, slot)
		o.index[o.key(&o.slots[len(o.slots)-1])] = int32(len(o.slots) - 1)
		return
	}
	if o.mayHave(key) {
		for i := range o.slots {
			if o.is(&o.slots[i], key) {
				o.replace(int32(i), slot)
				return
			}
		}
	}
	o.remember(key)
	o.slots = append(o.slots, slot)
}

// replace gives slot i the value of a repeated key.
func (o *lazyObject) replace(i int32, slot lazySlot) {
	s := &o.slots[i]
	s.start, s.end, s.canonical, s.val, s.state = slot.start, slot.end, slot.canonical, slot.val, slot.state
}

// lazyKeySeed seeds the repeated-key filter; it is set once, before use.
var lazyKeySeed = maphash.MakeSeed()

// unsafeString views b as a string for a lookup that does not keep it.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// arrayIndex reports whether key is an array index (a canonical decimal
// below 2³²−1), which JavaScript orders before other keys.
func arrayIndex(key string) (uint32, bool) {
	if key == "" || len(key) > 10 || (key[0] == '0' && len(key) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n >= 1<<32-1 {
		return 0, false
	}
	return uint32(n), true
}

func isArrayIndex(key string) bool {
	_, ok := arrayIndex(key)
	return ok
}

//------------------------------------------------------------------------------

// jsonProtos are the runtime's own Object.prototype and Array.prototype:
// a plugin that gives either a toJSON changes how JSON.stringify writes
// every object or array, so untouched text may not be copied out then.
type jsonProtos struct {
	object, array *goja.Object
}

func newJSONProtos(rt *goja.Runtime) *jsonProtos {
	return &jsonProtos{object: rt.NewObject().Prototype(), array: rt.NewArray().Prototype()}
}

func (p *jsonProtos) toJSONHooked() bool {
	if p == nil {
		return true
	}
	return hasValue(p.object.Get("toJSON")) || hasValue(p.array.Get("toJSON"))
}

// textCopy records whether a jsonEncoder may copy untouched text.
type textCopy uint8

const (
	textCopyUnknown textCopy = iota
	textCopyYes
	textCopyNo
)

func hasValue(v goja.Value) bool { return v != nil && !goja.IsUndefined(v) }

// lazyObject appends o as JSON.stringify would write it.
func (e *jsonEncoder) lazyObject(buf []byte, o *lazyObject, depth int) ([]byte, bool, error) {
	// Asked once per encoding: an event has two lazy objects.
	if e.textCopy == textCopyUnknown {
		e.textCopy = textCopyNo
		if !o.protos.toJSONHooked() {
			e.textCopy = textCopyYes
		}
	}
	copyText := e.textCopy == textCopyYes
	buf = append(buf, '{')
	first := true
	write := func(i int) error {
		if len(buf) > maxEventBytes {
			return errTooLarge
		}
		s := &o.slots[i]
		if s.state == slotDeleted {
			return nil
		}
		mark := len(buf)
		if !first {
			buf = append(buf, ',')
		}
		if s.name == "" && s.keyEnd != 0 {
			buf = append(buf, o.data[s.keyStart:s.keyEnd]...)
		} else {
			buf = jsjson.AppendString(buf, s.name)
		}
		buf = append(buf, ':')
		if copyText && s.canonical && (s.state == slotRaw || (s.state == slotBuilt && !isObject(s.val))) {
			buf = append(buf, o.data[s.start:s.end]...)
			first = false
			return nil
		}
		val := o.value(i)
		var out []byte
		var ok bool
		var err error
		if props, isObj := val.(*goja.Object); isObj && depth == 0 && e.runKey != "" && props.ClassName() == "Object" && o.is(s, "properties") {
			out, ok, err = e.propertiesWithRun(buf, props)
		} else {
			out, ok, err = e.value(buf, val, depth+1)
		}
		if err != nil {
			return err
		}
		if !ok {
			buf = buf[:mark]
			return nil
		}
		buf, first = out, false
		return nil
	}
	if o.hasIndexKey {
		for _, i := range o.order() {
			if err := write(i); err != nil {
				return nil, false, err
			}
		}
	} else {
		for i := range o.slots {
			if err := write(i); err != nil {
				return nil, false, err
			}
		}
	}
	return append(buf, '}'), true, nil
}

func isObject(v goja.Value) bool {
	_, ok := v.(*goja.Object)
	return ok
}

//------------------------------------------------------------------------------

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
		return d.rt.NewDynamicObject(o), nil
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
			return d.rt.NewDynamicObject(o), nil
		default:
			return nil, d.errorf("expected ',' or '}' in object")
		}
	}
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
