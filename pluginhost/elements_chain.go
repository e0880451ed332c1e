package pluginhost

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// elementsChainOf writes autocapture's $elements array as the elements chain
// PostHog stores it (what composeWebhook's properties.$elements_chain holds):
// per element `tag.class1.class2:` (classes sorted, quotes dropped) then
// `key="value"` for text, nth-child, nth-of-type, href, attr_id and every
// attr__* attribute, keys in locale order, quotes escaped as \"; elements
// joined by ';'. The fields are read as ingestion extracted them from
// $elements (text cut to 400 UTF-16 units, href to 2048).
func elementsChainOf(raw *goja.Object) string {
	n := int(raw.Get("length").ToInteger())
	parts := make([]string, 0, n)
	for i := 0; i < n; i++ {
		el, ok := raw.Get(strconv.Itoa(i)).(*goja.Object)
		if !ok {
			// JavaScript would throw reading a field of it; an empty element
			// keeps the chain's positions.
			parts = append(parts, ":nth-child=\"0\"nth-of-type=\"0\"")
			continue
		}
		parts = append(parts, elementChainPart(el))
	}
	return strings.Join(parts, ";")
}

func elementChainPart(el *goja.Object) string {
	var b strings.Builder
	if tag := el.Get("tag_name"); truthy(tag) {
		b.WriteString(tag.String())
	}
	for _, c := range chainClasses(el.Get("attr__class")) {
		b.WriteByte('.')
		b.WriteString(strings.ReplaceAll(c, `"`, ""))
	}
	type attr struct{ key, value string }
	var attrs []attr
	set := func(key, value string) {
		for i := range attrs {
			if attrs[i].key == key {
				attrs[i].value = value
				return
			}
		}
		attrs = append(attrs, attr{key, value})
	}
	if text, ok := stringOf(el.Get("$el_text")); ok && text != "" {
		if t := sliceUTF16(text, 400); t != "" {
			set("text", t)
		}
	}
	set("nth-child", jsStringOr(el.Get("nth_child"), "0"))
	set("nth-of-type", jsStringOr(el.Get("nth_of_type"), "0"))
	if href, ok := stringOf(el.Get("attr__href")); ok && href != "" {
		set("href", sliceUTF16(href, 2048))
	}
	if id := el.Get("attr__id"); truthy(id) {
		set("attr_id", id.String())
	}
	for _, key := range el.Keys() {
		if strings.HasPrefix(key, "attr__") {
			set(key, jsStringOr(el.Get(key), "null"))
		}
	}
	slices.SortStableFunc(attrs, func(a, b attr) int { return localeCompare(a.key, b.key) })
	b.WriteByte(':')
	for _, a := range attrs {
		b.WriteString(escapeQuotes(a.key))
		b.WriteString(`="`)
		b.WriteString(escapeQuotes(a.value))
		b.WriteByte('"')
	}
	return b.String()
}

// chainClasses are an element's classes as ingestion read attr__class (an
// array as is, a string split on spaces), sorted as JavaScript's sort().
func chainClasses(val goja.Value) []string {
	if !truthy(val) {
		return nil
	}
	var classes []string
	if obj, ok := val.(*goja.Object); ok && obj.ClassName() == "Array" {
		n := int(obj.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			classes = append(classes, jsStringOr(obj.Get(strconv.Itoa(i)), "undefined"))
		}
	} else {
		classes = strings.Split(val.String(), " ")
	}
	slices.SortStableFunc(classes, compareUTF16)
	return classes
}

func escapeQuotes(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }

// truthy is JavaScript's Boolean(val).
func truthy(val goja.Value) bool { return val != nil && val.ToBoolean() }

// jsStringOr is String(val), or def when val is null or undefined.
func jsStringOr(val goja.Value, def string) string {
	if !present(val) {
		return def
	}
	return val.String()
}

// compareUTF16 orders strings by UTF-16 code units, as JavaScript's sort().
func compareUTF16(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

// chainPunctuation is the order of punctuation in the Unicode root
// collation, which localeCompare follows; it comes before digits, and
// digits before letters.
const chainPunctuation = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"

// localeCompare approximates JavaScript's a.localeCompare(b) (root
// collation) for the ASCII keys of an elements chain: spaces, then
// punctuation, digits, letters ignoring case; then lower case first.
func localeCompare(a, b string) int {
	weight := func(r rune) int {
		switch {
		case unicode.IsSpace(r):
			return int(r)
		case unicode.IsDigit(r):
			return 2000 + int(r)
		case unicode.IsLetter(r):
			return 3000 + int(unicode.ToLower(r))
		}
		if i := strings.IndexRune(chainPunctuation, r); i >= 0 {
			return 100 + i
		}
		return 200 + int(r)
	}
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if wa, wb := weight(ra[i]), weight(rb[i]); wa != wb {
			return wa - wb
		}
	}
	if len(ra) != len(rb) {
		return len(ra) - len(rb)
	}
	for i := range ra {
		if ra[i] != rb[i] {
			if unicode.IsLower(ra[i]) {
				return -1
			}
			return 1
		}
	}
	return 0
}
