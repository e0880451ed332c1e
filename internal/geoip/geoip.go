// Package geoip reads MaxMind City databases and renders a record as the
// City model @maxmind/geoip2-node 3.x gave PostHog plugins, byte for byte.
package geoip

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"net"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/oschwald/maxminddb-golang"

	"github.com/hogpipe/hogpipe/internal/jsjson"
)

// Reader answers meta.geoip.locate from a MaxMind City (or GeoLite2-City) database.
//
// Locate reproduces byte for byte what the original plugin server gave plugins:
// JSON.stringify(reader.city(ip)) with the npm package @maxmind/geoip2-node 3.x
// (the plugin server depended on ^3.x, which resolves to 3.5.0), with any exception
// of that call turned into null (the server wrapped it in try/catch). That means:
//
//   - the record is decoded in the order its maps are stored in the database (the
//     node "maxmind" reader builds plain objects in that order) and every key at
//     every depth goes through camelcase-keys 7 (camelcase 6, keys containing "-"
//     such as "pt-BR" or "zh-CN" left alone);
//   - the City model then picks, in this order, continent, country, maxmind,
//     registeredCountry, representedCountry, traits, city, location, postal and
//     subdivisions; a key is absent when the record lacks it (or holds a falsy
//     value), an empty map is kept as {};
//   - registeredCountry, when present, always gets isInEuropeanUnion (false when
//     missing); traits always exists and gets the nine boolean flags of the 3.x model
//     (isAnonymous … isTorExitNode, false when missing, in that order after the
//     record's own traits) followed by ipAddress (the string given, unchanged) and
//     network (the record's network in the form the ip6addr package prints);
//   - JSON follows JSON.stringify: integer-like keys first, numbers as JavaScript
//     prints them, 64/128-bit integers of more than 6 bytes as decimal strings (as
//     the node reader returns them), byte arrays as {"0":…,"1":…} objects.
//
// Known limits: an IPv4-mapped IPv6 string (::ffff:a.b.c.d) is answered from the IPv4
// record, as MaxMind databases alias ::ffff:0:0/96 to the IPv4 tree (node walks that
// alias; a database built without it would differ); map keys needing Unicode full
// case mapping (İ, ß, final Σ) camelcase slightly differently (MaxMind keys are ASCII).
// geoip2-node 4+ would add traits.isAnycast, which 3.x did not have.
//
// A Reader is safe for concurrent use. Close waits for running lookups. The file is
// memory-mapped: replace a database by renaming a new file over it, not in place.
type Reader struct {
	mu     sync.RWMutex
	reader *maxminddb.Reader
	path   string
	ipv4DB bool // the database holds an IPv4-only search tree
	cache  geoipCache
}

// geoipCacheMax bounds the per-database cache of compiled records (the node reader
// caches 10000 decoded records too). A City record compiles to about 2 KiB.
const geoipCacheMax = 10000

// geoipCache maps a record's data-section offset to its compiled model. Networks
// share records (every IP of a network, and often many networks), so most lookups
// only walk the search tree and splice ipAddress and network into cached JSON.
type geoipCache struct {
	mu sync.RWMutex
	m  map[uintptr]*geoipRecord
}

func (c *geoipCache) get(off uintptr) *geoipRecord {
	c.mu.RLock()
	r := c.m[off]
	c.mu.RUnlock()
	return r
}

func (c *geoipCache) put(off uintptr, r *geoipRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[uintptr]*geoipRecord)
	}
	if len(c.m) >= geoipCacheMax {
		for k := range c.m { // evict an arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[off] = r
}

// ErrClosed is returned by Locate after Close.
var ErrClosed = errors.New("geoip: database is closed")

// Open opens a MaxMind DB file holding City records (GeoIP2-City, GeoLite2-City
// or any database whose type contains "City", as @maxmind/geoip2-node accepts).
// The file is memory-mapped where the platform allows it.
func Open(path string) (*Reader, error) {
	st, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("geoip: database file %s does not exist: %w", path, err)
		}
		return nil, fmt.Errorf("geoip: cannot open database file %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("geoip: database path %s is a directory, not a MaxMind DB (.mmdb) file", path)
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("geoip: database file %s is empty, not a MaxMind DB (.mmdb) file", path)
	}
	reader, err := maxminddb.Open(path)
	if err != nil {
		var ide maxminddb.InvalidDatabaseError
		if errors.As(err, &ide) {
			return nil, fmt.Errorf("geoip: %s is not a valid MaxMind DB (.mmdb) file: %w", path, err)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("geoip: cannot open database file %s: %w", path, err)
	}
	dbType := reader.Metadata.DatabaseType
	// @maxmind/geoip2-node's city() accepts any database type containing "City".
	if !strings.Contains(dbType, "City") {
		_ = reader.Close()
		return nil, fmt.Errorf("geoip: %s is a %q database, not a City database (GeoIP2-City or GeoLite2-City)", path, dbType)
	}
	return &Reader{reader: reader, path: path, ipv4DB: reader.Metadata.IPVersion == 4}, nil
}

// Close releases the database. Locate returns an error afterwards.
func (g *Reader) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.reader == nil {
		return nil
	}
	err := g.reader.Close()
	g.reader = nil
	g.cache.mu.Lock()
	g.cache.m = nil
	g.cache.mu.Unlock()
	if err != nil {
		return fmt.Errorf("geoip: closing %s: %w", g.path, err)
	}
	return nil
}

// Locate returns the JSON of the City model for ip, or nil (and no error) when ip is
// not a valid IP address, is not in the database, or when @maxmind/geoip2-node would
// have thrown for it. An error is returned only for a closed or corrupt database.
func (g *Reader) Locate(ip string) ([]byte, error) {
	addr, dotted, ok := geoipParseIP(ip)
	if !ok {
		return nil, nil
	}

	// The node reader walks 4 bytes for an IPv4 string and 16 bytes for any IPv6
	// string. maxminddb-golang turns an IPv4-mapped address into its IPv4 form, so
	// those are looked up as IPv4 and the 96 bits of the ::ffff:0:0/96 alias that
	// MaxMind databases carry are added back to the prefix length.
	var lookup net.IP
	prefixBase := 0
	switch {
	case addr.Is4():
		a := addr.As4()
		lookup = net.IP(a[:])
	case g.ipv4DB:
		// An IPv4 tree is at most 32 levels deep: the node reader ends up walking
		// the first 32 bits of the IPv6 address.
		a := addr.As16()
		lookup = net.IP(a[:4])
	case addr.Is4In6():
		a := addr.As4()
		lookup = net.IP(a[:])
		prefixBase = 96
	default:
		a := addr.As16()
		lookup = net.IP(a[:])
	}

	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.reader == nil {
		return nil, ErrClosed
	}
	b := geoipBuilder{cache: &g.cache}
	network, found, err := g.reader.LookupNetwork(lookup, &b)
	if err != nil {
		return nil, fmt.Errorf("geoip: looking up %s in %s: %w", ip, g.path, err)
	}
	if !found {
		return nil, nil
	}
	rec := b.hit
	if rec == nil {
		if !b.done {
			return nil, nil
		}
		rec = geoipCompileCity(b.root)
		g.cache.put(b.offset, rec)
	}
	if rec.null {
		return nil, nil
	}

	prefix, bits := network.Mask.Size()
	if len(lookup) == net.IPv4len && bits != 32 {
		// The IPv4 subtree start is itself a record: the node reader did not walk.
		prefix = 0
	}
	netStr, ok := geoipFormatNetwork(addr, dotted, prefixBase+prefix)
	if !ok {
		return nil, nil
	}
	return rec.render(ip, netStr), nil
}

// geoipParseIP accepts what both Node's net.isIP and the ip6addr package (which
// formats the network) accept: dotted-quad IPv4 without leading zeros, IPv6 without
// a zone, with an embedded dotted quad only in the IPv4-mapped form ::ffff:a.b.c.d.
func geoipParseIP(s string) (addr netip.Addr, dotted bool, ok bool) {
	addr, err := netip.ParseAddr(s)
	if err != nil || addr.Zone() != "" {
		return netip.Addr{}, false, false
	}
	if addr.Is4() {
		return addr, false, true
	}
	if strings.IndexByte(s, '.') >= 0 {
		if !addr.Is4In6() {
			return netip.Addr{}, false, false
		}
		dotted = true
	}
	return addr, dotted, true
}

// geoipFormatNetwork prints ip masked to prefix the way
// ip6addr.createCIDR(ip, prefix).toString() does.
func geoipFormatNetwork(addr netip.Addr, dotted bool, prefix int) (string, bool) {
	if addr.Is4() {
		if prefix > 32 {
			prefix = 32
		}
		p, err := addr.Prefix(prefix)
		if err != nil {
			return "", false
		}
		return p.String(), true
	}
	if prefix > 128 {
		prefix = 128
	}
	p, err := addr.Prefix(prefix)
	if err != nil {
		return "", false
	}
	b := p.Addr().As16()
	if dotted {
		// ip6addr keeps the "v4-mapped" formatting of its input and throws when the
		// masked address left ::ffff:0:0/96.
		for i := 0; i < 10; i++ {
			if b[i] != 0 {
				return "", false
			}
		}
		if b[10] != 0xff || b[11] != 0xff {
			return "", false
		}
		v4 := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		return "::ffff:" + v4.String() + "/" + strconv.Itoa(prefix), true
	}
	var fields [8]uint16
	for i := range fields {
		fields[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	// ip6addr elides the first longest run of zero fields, even a single one.
	elStart, elLen := -1, 0
	for i := 0; i < 8; {
		if fields[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && fields[j] == 0 {
			j++
		}
		if j-i > elLen {
			elStart, elLen = i, j-i
		}
		i = j
	}
	var sb strings.Builder
	if elLen == 8 {
		sb.WriteString("::")
	} else {
		for i := 0; i < 8; i++ {
			if i == elStart {
				sb.WriteString("::")
				i += elLen - 1
				continue
			}
			if i > 0 && i != elStart+elLen {
				sb.WriteByte(':')
			}
			sb.WriteString(strconv.FormatUint(uint64(fields[i]), 16))
		}
	}
	sb.WriteByte('/')
	sb.WriteString(strconv.Itoa(prefix))
	return sb.String(), true
}

// ---------------------------------------------------------------------------
// JavaScript-like values.

type geoipKind uint8

const (
	geoipString geoipKind = iota
	geoipNumber
	geoipBool
	geoipObject
	geoipArray
)

// geoipValue is a decoded value as the node reader would hold it.
type geoipValue struct {
	kind geoipKind
	b    bool
	num  float64
	str  string
	obj  *geoipObj
	arr  []geoipValue
}

// geoipObj is a plain JavaScript object: keys keep their first insertion position,
// a later assignment replaces the value in place.
type geoipObj struct {
	keys     []string
	vals     []geoipValue
	index    map[string]int // built once the object grows large
	hasIndex bool           // some key is an array index ("0", "12", …)
}

func (o *geoipObj) find(k string) int {
	if o.index != nil {
		if i, ok := o.index[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range o.keys {
		if key == k {
			return i
		}
	}
	return -1
}

func (o *geoipObj) get(k string) (geoipValue, bool) {
	if i := o.find(k); i >= 0 {
		return o.vals[i], true
	}
	return geoipValue{}, false
}

func (o *geoipObj) set(k string, v geoipValue) {
	if k == "__proto__" {
		// Assigning __proto__ changes the prototype: it never is an own property.
		return
	}
	if i := o.find(k); i >= 0 {
		o.vals[i] = v
		return
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	if o.index != nil {
		o.index[k] = len(o.keys) - 1
	} else if len(o.keys) > 16 {
		o.index = make(map[string]int, 2*len(o.keys))
		for i, key := range o.keys {
			o.index[key] = i
		}
	}
	if !o.hasIndex && geoipIsArrayIndex(k) {
		o.hasIndex = true
	}
}

// clone copies the object one level deep.
func (o *geoipObj) clone() *geoipObj {
	c := &geoipObj{
		keys:     append([]string(nil), o.keys...),
		vals:     append([]geoipValue(nil), o.vals...),
		hasIndex: o.hasIndex,
	}
	if o.index != nil {
		c.index = make(map[string]int, len(o.index))
		for k, v := range o.index {
			c.index[k] = v
		}
	}
	return c
}

// order returns the positions of the keys in JavaScript property order: array
// indices ascending, then the other keys in insertion order.
func (o *geoipObj) order() []int {
	idx := make([]int, len(o.keys))
	for i := range idx {
		idx[i] = i
	}
	if !o.hasIndex {
		return idx
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := o.keys[idx[a]], o.keys[idx[b]]
		ia, ib := geoipIsArrayIndex(ka), geoipIsArrayIndex(kb)
		if ia != ib {
			return ia
		}
		if ia {
			na, _ := strconv.ParseUint(ka, 10, 64)
			nb, _ := strconv.ParseUint(kb, 10, 64)
			return na < nb
		}
		return false
	})
	return idx
}

// geoipIsArrayIndex reports whether k is a canonical array index (0 … 2^32-2).
func geoipIsArrayIndex(k string) bool {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < math.MaxUint32
}

// geoipTruthy is JavaScript's Boolean(v).
func geoipTruthy(v geoipValue) bool {
	switch v.kind {
	case geoipString:
		return v.str != ""
	case geoipNumber:
		return v.num != 0 && !math.IsNaN(v.num)
	case geoipBool:
		return v.b
	default:
		return true
	}
}

// geoipJSString is JavaScript's String(v) for the scalars a map key can be.
func geoipJSString(v geoipValue) (string, bool) {
	switch v.kind {
	case geoipString:
		return v.str, true
	case geoipNumber:
		return string(geoipAppendNumber(nil, v.num, false)), true
	case geoipBool:
		return strconv.FormatBool(v.b), true
	default:
		return "", false
	}
}

// ---------------------------------------------------------------------------
// Decoding: maxminddb-golang streams the record into a geoipBuilder (the v1
// reader's deserializer interface, used when the result implements it — marked
// experimental upstream, hence the pinned v1.13.1), which keeps map order and
// applies camelcase-keys, without reflection.

type geoipFrame struct {
	isMap   bool
	obj     *geoipObj
	arr     []geoipValue
	haveKey bool
	key     string
}

type geoipBuilder struct {
	stack []geoipFrame
	root  geoipValue
	done  bool

	cache   *geoipCache
	started bool
	offset  uintptr      // data-section offset of the record
	hit     *geoipRecord // the compiled record, found in the cache
}

// ShouldSkip is first called with the offset of the record itself: a cached record
// is not decoded again.
func (b *geoipBuilder) ShouldSkip(off uintptr) (bool, error) {
	if b.started {
		return false, nil
	}
	b.started, b.offset = true, off
	if b.cache != nil {
		if r := b.cache.get(off); r != nil {
			b.hit = r
			return true, nil
		}
	}
	return false, nil
}

func (b *geoipBuilder) StartSlice(size uint) error {
	if err := b.checkKeyContainer(); err != nil {
		return err
	}
	b.stack = append(b.stack, geoipFrame{arr: make([]geoipValue, 0, min(size, 64))})
	return nil
}

func (b *geoipBuilder) StartMap(size uint) error {
	if err := b.checkKeyContainer(); err != nil {
		return err
	}
	n := min(size, 64)
	b.stack = append(b.stack, geoipFrame{isMap: true, obj: &geoipObj{
		keys: make([]string, 0, n),
		vals: make([]geoipValue, 0, n),
	}})
	return nil
}

func (b *geoipBuilder) checkKeyContainer() error {
	if n := len(b.stack); n > 0 && b.stack[n-1].isMap && !b.stack[n-1].haveKey {
		return errors.New("geoip: map key is a map or an array")
	}
	return nil
}

func (b *geoipBuilder) End() error {
	n := len(b.stack)
	if n == 0 {
		return errors.New("geoip: unbalanced record")
	}
	f := b.stack[n-1]
	b.stack = b.stack[:n-1]
	if f.isMap {
		return b.value(geoipValue{kind: geoipObject, obj: geoipCamelizeObject(f.obj)})
	}
	return b.value(geoipValue{kind: geoipArray, arr: f.arr})
}

func (b *geoipBuilder) value(v geoipValue) error {
	n := len(b.stack)
	if n == 0 {
		b.root, b.done = v, true
		return nil
	}
	f := &b.stack[n-1]
	switch {
	case !f.isMap:
		f.arr = append(f.arr, v)
	case !f.haveKey:
		k, ok := geoipJSString(v)
		if !ok {
			return errors.New("geoip: invalid map key")
		}
		f.key, f.haveKey = k, true
	default:
		f.obj.set(f.key, v)
		f.haveKey = false
	}
	return nil
}

func (b *geoipBuilder) String(s string) error {
	return b.value(geoipValue{kind: geoipString, str: geoipFixUTF8(s)})
}

func (b *geoipBuilder) Float64(f float64) error {
	return b.value(geoipValue{kind: geoipNumber, num: f})
}

func (b *geoipBuilder) Float32(f float32) error {
	return b.value(geoipValue{kind: geoipNumber, num: float64(f)})
}

// Bytes: the node reader returns a Buffer, which camelcase-keys turns into a plain
// object with one key per byte.
func (b *geoipBuilder) Bytes(p []byte) error {
	o := &geoipObj{keys: make([]string, len(p)), vals: make([]geoipValue, len(p)), hasIndex: len(p) > 0}
	for i, c := range p {
		o.keys[i] = strconv.Itoa(i)
		o.vals[i] = geoipValue{kind: geoipNumber, num: float64(c)}
	}
	if len(p) > 16 {
		o.index = make(map[string]int, len(p))
		for i, k := range o.keys {
			o.index[k] = i
		}
	}
	return b.value(geoipValue{kind: geoipObject, obj: o})
}

func (b *geoipBuilder) Uint16(v uint16) error {
	return b.value(geoipValue{kind: geoipNumber, num: float64(v)})
}

func (b *geoipBuilder) Uint32(v uint32) error {
	return b.value(geoipValue{kind: geoipNumber, num: float64(v)})
}

func (b *geoipBuilder) Int32(v int32) error {
	return b.value(geoipValue{kind: geoipNumber, num: float64(v)})
}

// Uint64 and Uint128: the node reader gives a number for up to 6 bytes and a
// decimal string for more (writers use the fewest bytes: 6 bytes hold < 2^48).
func (b *geoipBuilder) Uint64(v uint64) error {
	if v < 1<<48 {
		return b.value(geoipValue{kind: geoipNumber, num: float64(v)})
	}
	return b.value(geoipValue{kind: geoipString, str: strconv.FormatUint(v, 10)})
}

func (b *geoipBuilder) Uint128(v *big.Int) error {
	if v.BitLen() <= 48 {
		return b.value(geoipValue{kind: geoipNumber, num: float64(v.Uint64())})
	}
	return b.value(geoipValue{kind: geoipString, str: v.String()})
}

func (b *geoipBuilder) Bool(v bool) error {
	return b.value(geoipValue{kind: geoipBool, b: v})
}

// geoipFixUTF8 decodes s like Node's Buffer.toString("utf8") (WHATWG): each
// maximal invalid subsequence becomes one U+FFFD.
func geoipFixUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			sb.WriteByte(c)
			i++
			continue
		}
		need := 0
		lo, hi := byte(0x80), byte(0xBF)
		switch {
		case c >= 0xC2 && c <= 0xDF:
			need = 1
		case c == 0xE0:
			need, lo = 2, 0xA0
		case c == 0xED:
			need, hi = 2, 0x9F
		case c >= 0xE1 && c <= 0xEF:
			need = 2
		case c == 0xF0:
			need, lo = 3, 0x90
		case c == 0xF4:
			need, hi = 3, 0x8F
		case c >= 0xF1 && c <= 0xF3:
			need = 3
		default:
			sb.WriteRune(utf8.RuneError)
			i++
			continue
		}
		j := i + 1
		valid := true
		for k := 0; k < need; k++ {
			if j >= len(s) || s[j] < lo || s[j] > hi {
				valid = false
				break
			}
			lo, hi = 0x80, 0xBF
			j++
		}
		if valid {
			sb.WriteString(s[i:j])
		} else {
			sb.WriteRune(utf8.RuneError)
		}
		i = j
	}
	return sb.String()
}

// ---------------------------------------------------------------------------
// camelcase-keys 7.0.2 ({deep: true, exclude: [/-/]}) over camelcase 6.3.0.
//
// Keys go through Object.entries order (array indices first). Unicode full case
// mappings (e.g. "ß" → "SS", final sigma) are approximated by Go's simple case
// mapping; MaxMind databases only use ASCII snake_case keys and language codes.

// geoipCamelizeObject returns o with every key camelcased (o itself when no key
// changes). Nested values were camelized when they were decoded.
func geoipCamelizeObject(o *geoipObj) *geoipObj {
	same := true
	for _, k := range o.keys {
		if geoipCamelKey(k) != k {
			same = false
			break
		}
	}
	if same {
		return o
	}
	out := &geoipObj{keys: make([]string, 0, len(o.keys)), vals: make([]geoipValue, 0, len(o.keys))}
	for _, i := range o.order() {
		out.set(geoipCamelKey(o.keys[i]), o.vals[i])
	}
	return out
}

// geoipCamelCache memoises geoipCamelKey: databases use a few dozen distinct keys.
var geoipCamelCache sync.Map // string → string

const geoipCamelCacheMax = 4096

var geoipCamelCacheLen struct {
	sync.Mutex
	n int
}

func geoipCamelKey(k string) string {
	if geoipSimpleKey(k) {
		return k
	}
	if v, ok := geoipCamelCache.Load(k); ok {
		return v.(string)
	}
	var out string
	if strings.IndexByte(k, '-') >= 0 {
		out = k // exclude: [/-/]
	} else {
		out = geoipCamelCase(k)
	}
	if len(k) < 100 {
		geoipCamelCacheLen.Lock()
		if geoipCamelCacheLen.n < geoipCamelCacheMax {
			if _, loaded := geoipCamelCache.LoadOrStore(k, out); !loaded {
				geoipCamelCacheLen.n++
			}
		}
		geoipCamelCacheLen.Unlock()
	}
	return out
}

// geoipSimpleKey: keys camelcase leaves alone without any work (lowercase ASCII
// letters; integer-like keys such as byte indices).
func geoipSimpleKey(k string) bool {
	if k == "" {
		return false
	}
	letters, digits := true, true
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < 'a' || c > 'z' {
			letters = false
		}
		if c < '0' || c > '9' {
			digits = false
		}
	}
	return letters || digits
}

func geoipIsSeparator(r rune) bool { return r == '_' || r == '.' || r == '-' || r == ' ' }

// geoipIsIdentifier matches [\p{Alpha}\p{N}_].
func geoipIsIdentifier(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) ||
		unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_Alphabetic, r)
}

// geoipJSTrim is String.prototype.trim.
func geoipJSTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		switch r {
		case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
			return true
		}
		return r >= 0x2000 && r <= 0x200A
	})
}

func geoipIsLowerChar(r rune) bool {
	return unicode.ToLower(r) == r && unicode.ToUpper(r) != r
}

func geoipIsUpperChar(r rune) bool {
	return unicode.ToUpper(r) == r && unicode.ToLower(r) != r
}

// geoipCamelCase ports camelcase 6.3.0 with {pascalCase: false, locale: false}.
func geoipCamelCase(input string) string {
	input = geoipJSTrim(input)
	if input == "" {
		return ""
	}
	if r, size := utf8.DecodeRuneInString(input); size == len(input) && r < 0x10000 {
		return strings.ToLower(input)
	}
	rs := []rune(input)
	if input != strings.ToLower(input) {
		rs = geoipPreserveCamelCase(rs)
	}
	i := 0
	for i < len(rs) && geoipIsSeparator(rs[i]) {
		i++
	}
	rs = []rune(strings.ToLower(string(rs[i:])))

	// .replace(/[_.\- ]+([\p{Alpha}\p{N}_]|$)/gu, (_, id) => id.toUpperCase())
	out := make([]rune, 0, len(rs))
	for p := 0; p < len(rs); {
		if !geoipIsSeparator(rs[p]) {
			out = append(out, rs[p])
			p++
			continue
		}
		e := p
		for e < len(rs) && geoipIsSeparator(rs[e]) {
			e++
		}
		if e == len(rs) {
			p = e
			continue
		}
		if geoipIsIdentifier(rs[e]) {
			out = append(out, unicode.ToUpper(rs[e]))
			p = e + 1
			continue
		}
		// Backtracking: the last "_" of the run can serve as the identifier.
		k := -1
		for j := e - 1; j > p; j-- {
			if rs[j] == '_' {
				k = j
				break
			}
		}
		if k < 0 {
			out = append(out, rs[p:e]...)
		} else {
			out = append(out, '_')
			out = append(out, rs[k+1:e]...)
		}
		p = e
	}

	// .replace(/\d+([\p{Alpha}\p{N}_]|$)/gu, m => m.toUpperCase())
	for p := 0; p < len(out); {
		if out[p] < '0' || out[p] > '9' {
			p++
			continue
		}
		e := p
		for e < len(out) && out[e] >= '0' && out[e] <= '9' {
			e++
		}
		if e < len(out) && geoipIsIdentifier(out[e]) {
			out[e] = unicode.ToUpper(out[e])
			p = e + 1
			continue
		}
		p = e
	}
	return string(out)
}

// geoipPreserveCamelCase ports camelcase's preserveCamelCase, index arithmetic
// included (after the second kind of insertion the same character is seen again).
func geoipPreserveCamelCase(rs []rune) []rune {
	isLastCharLower, isLastCharUpper, isLastLastCharUpper := false, false, false
	insert := func(at int) {
		rs = append(rs, 0)
		copy(rs[at+1:], rs[at:])
		rs[at] = '-'
	}
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case isLastCharLower && unicode.IsUpper(c):
			insert(i)
			isLastCharLower = false
			isLastLastCharUpper = isLastCharUpper
			isLastCharUpper = true
			i++
		case isLastCharUpper && isLastLastCharUpper && unicode.IsLower(c):
			insert(i - 1)
			isLastLastCharUpper = isLastCharUpper
			isLastCharUpper = false
			isLastCharLower = true
		default:
			isLastCharLower = geoipIsLowerChar(c)
			isLastLastCharUpper = isLastCharUpper
			isLastCharUpper = geoipIsUpperChar(c)
		}
	}
	return rs
}

// ---------------------------------------------------------------------------
// The City model and JSON.stringify.

// geoipRecord is the City model of one database record, serialised around the two
// values that depend on the lookup: traits.ipAddress and traits.network.
type geoipRecord struct {
	null   bool   // Locate gives nil: falsy record, or the model constructor throws
	head   []byte // `{"continent":…,"traits":` plus the traits up to where ipAddress goes
	open   bool   // the traits object is left open for ipAddress and network
	needIP bool   // the record's traits have no ipAddress of their own
	needNW bool   // … no network
	tail   []byte // `,"city":…}`
}

func (r *geoipRecord) render(ip, network string) []byte {
	out := make([]byte, 0, len(r.head)+len(r.tail)+len(ip)+len(network)+32)
	out = append(out, r.head...)
	if r.open {
		if r.needIP {
			out = append(out, `,"ipAddress":`...)
			out = jsjson.AppendString(out, ip)
		}
		if r.needNW {
			out = append(out, `,"network":`...)
			out = jsjson.AppendString(out, network)
		}
		out = append(out, '}')
	}
	return append(out, r.tail...)
}

// geoipCompileCity builds the City model of @maxmind/geoip2-node 3.5.0 from the
// camelcased record. The model's constructor throws (null) for a registeredCountry
// or traits that is a truthy non-object.
func geoipCompileCity(rec geoipValue) *geoipRecord {
	if !geoipTruthy(rec) {
		// The node reader treats a falsy record as "not in the database".
		return &geoipRecord{null: true}
	}
	var top *geoipObj
	if rec.kind == geoipObject {
		top = rec.obj
	}
	get := func(k string) (geoipValue, bool) {
		if top == nil {
			return geoipValue{}, false
		}
		v, found := top.get(k)
		if !found || !geoipTruthy(v) {
			return geoipValue{}, false
		}
		return v, true
	}

	r := &geoipRecord{}
	buf := make([]byte, 0, 2048)
	buf = append(buf, '{')
	emit := func(k string, v geoipValue) {
		if len(buf) > 1 {
			buf = append(buf, ',')
		}
		buf = jsjson.AppendString(buf, k)
		buf = append(buf, ':')
		buf = geoipAppendValue(buf, v)
	}

	for _, k := range [...]string{"continent", "country", "maxmind"} {
		if v, found := get(k); found {
			emit(k, v)
		}
	}
	if v, found := get("registeredCountry"); found {
		switch v.kind {
		case geoipObject:
			o := v.obj.clone()
			cur, _ := o.get("isInEuropeanUnion")
			o.set("isInEuropeanUnion", geoipValue{kind: geoipBool, b: geoipTruthy(cur)})
			v = geoipValue{kind: geoipObject, obj: o}
		case geoipArray:
			// The flag lands on the array as a property JSON.stringify ignores.
		default:
			return &geoipRecord{null: true} // TypeError: cannot create property on a primitive
		}
		emit("registeredCountry", v)
	}
	if v, found := get("representedCountry"); found {
		emit("representedCountry", v)
	}

	traits, found := get("traits")
	if !found {
		traits = geoipValue{kind: geoipObject, obj: &geoipObj{}}
	}
	switch traits.kind {
	case geoipObject:
		o := traits.obj.clone()
		for _, flag := range [...]string{
			"isAnonymous",
			"isAnonymousProxy",
			"isAnonymousVpn",
			"isHostingProvider",
			"isLegitimateProxy",
			"isPublicProxy",
			"isResidentialProxy",
			"isSatelliteProvider",
			"isTorExitNode",
		} {
			cur, _ := o.get(flag)
			o.set(flag, geoipValue{kind: geoipBool, b: geoipTruthy(cur)})
		}
		_, hasIP := o.get("ipAddress")
		_, hasNW := o.get("network")
		r.open, r.needIP, r.needNW = true, !hasIP, !hasNW
		// The object always has the nine flags; ipAddress and network, when
		// missing, go last (they are not integer-like keys).
		if len(buf) > 1 {
			buf = append(buf, ',')
		}
		buf = append(buf, `"traits":`...)
		buf = geoipAppendValue(buf, geoipValue{kind: geoipObject, obj: o})
		buf = buf[:len(buf)-1] // reopen: drop '}'
	case geoipArray:
		emit("traits", traits)
	default:
		return &geoipRecord{null: true}
	}
	r.head = buf

	tail := make([]byte, 0, 1024)
	for _, k := range [...]string{"city", "location", "postal", "subdivisions"} {
		if v, found := get(k); found {
			tail = append(tail, ',')
			tail = jsjson.AppendString(tail, k)
			tail = append(tail, ':')
			tail = geoipAppendValue(tail, v)
		}
	}
	r.tail = append(tail, '}')
	return r
}

func geoipAppendValue(buf []byte, v geoipValue) []byte {
	switch v.kind {
	case geoipString:
		return jsjson.AppendString(buf, v.str)
	case geoipNumber:
		return geoipAppendNumber(buf, v.num, true)
	case geoipBool:
		return strconv.AppendBool(buf, v.b)
	case geoipArray:
		buf = append(buf, '[')
		for i, e := range v.arr {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = geoipAppendValue(buf, e)
		}
		return append(buf, ']')
	default:
		buf = append(buf, '{')
		for n, i := range v.obj.order() {
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = jsjson.AppendString(buf, v.obj.keys[i])
			buf = append(buf, ':')
			buf = geoipAppendValue(buf, v.obj.vals[i])
		}
		return append(buf, '}')
	}
}

// geoipAppendNumber prints f as Number.prototype.toString does; with json set,
// NaN and ±Infinity print as null (JSON.stringify).
func geoipAppendNumber(buf []byte, f float64, json bool) []byte {
	switch {
	case math.IsNaN(f):
		if json {
			return append(buf, "null"...)
		}
		return append(buf, "NaN"...)
	case math.IsInf(f, 0):
		if json {
			return append(buf, "null"...)
		}
		if f < 0 {
			return append(buf, "-Infinity"...)
		}
		return append(buf, "Infinity"...)
	case f == 0:
		return append(buf, '0')
	}
	if f < 0 {
		buf = append(buf, '-')
		f = -f
	}
	if f < 1e21 && f == math.Trunc(f) {
		return strconv.AppendFloat(buf, f, 'f', -1, 64)
	}
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64) // d[.ddd]e±XX
	ePos := 0
	for ePos < len(s) && s[ePos] != 'e' {
		ePos++
	}
	digits := make([]byte, 0, 20)
	for _, c := range s[:ePos] {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	exp, _ := strconv.Atoi(string(s[ePos+1:]))
	k, n := len(digits), exp+1
	switch {
	case k <= n && n <= 21:
		buf = append(buf, digits...)
		for i := 0; i < n-k; i++ {
			buf = append(buf, '0')
		}
	case 0 < n && n <= 21:
		buf = append(buf, digits[:n]...)
		buf = append(buf, '.')
		buf = append(buf, digits[n:]...)
	case -6 < n && n <= 0:
		buf = append(buf, '0', '.')
		for i := 0; i < -n; i++ {
			buf = append(buf, '0')
		}
		buf = append(buf, digits...)
	default:
		buf = append(buf, digits[0])
		if k > 1 {
			buf = append(buf, '.')
			buf = append(buf, digits[1:]...)
		}
		buf = append(buf, 'e')
		if n-1 >= 0 {
			buf = append(buf, '+')
		}
		buf = strconv.AppendInt(buf, int64(n-1), 10)
	}
	return buf
}
