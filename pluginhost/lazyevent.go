package pluginhost

import (
	"hash/maphash"
	"reflect"
	"slices"
	"unsafe"

	"github.com/dop251/goja"

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
	obj         *goja.Object     // the DynamicObject plugins see
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
func (e *jsonEncoder) lazyOf(obj *goja.Object) (*lazyObject, bool) {
	for _, l := range e.known {
		if l.obj == obj {
			return l, true
		}
	}
	return lazyOf(obj)
}

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
